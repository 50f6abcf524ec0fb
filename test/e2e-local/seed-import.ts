import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The seed's HCL (test/fixtures/seed.tf), made to apply on this control plane. Each change is a
 * defect of the post that keeps it from applying anywhere today (docs/seed.md), or a rename so it
 * does not collide with the other scenarios' objects:
 * - the data sources reading `default_secret_name` and the mis-namespaced token Secret go: since
 *   Kubernetes 1.24 there is no auto-created Secret, and a token Secret in `atlantis` for a
 *   ServiceAccount in `vault` is deleted by the token controller, so `token_reviewer_jwt` was
 *   always empty; it is written as the empty string the seed's `lookup` produced;
 * - the unused `aws_eks_cluster` lookup goes, and the hard-coded host becomes this API server;
 * - providers are configured (the post had none), and names get a `seed-` prefix.
 */
export function seedForThisCluster(
  fixture: string,
  host: string,
  kubeconfig: string,
  context: string,
  vaultAddr: string,
): string {
  let hcl = readFileSync(fixture, "utf8");
  const dropBlock = (header: string) => {
    const start = hcl.indexOf(header);
    if (start < 0) throw new Error(`seed.tf has no ${header}`);
    const end = hcl.indexOf("\n}\n", start) + 3;
    hcl = hcl.slice(0, start) + hcl.slice(end);
  };
  dropBlock('data "kubernetes_service_account" "vault_account"');
  dropBlock('data "kubernetes_secret" "vault_account_token"');
  dropBlock('data "aws_eks_cluster" "this"');
  dropBlock('resource "kubernetes_secret_v1" "vault_account_token"');
  hcl = hcl
    .replace(/token_reviewer_jwt\s*=\s*lookup\([^\n]*\)/, 'token_reviewer_jwt     = ""')
    .replace('"https://k8s-endpoint.domain.com:6443"', JSON.stringify(host))
    .replace('path = "atlantis"', 'path = "seed-atlantis"')
    .replace('name      = "vault-reviewer"', 'name      = "seed-reviewer"')
    .replace('name = "vault-auth-role-token-review-binding"', 'name = "seed-binding"')
    .replace('name   = "admin"', 'name   = "seed-admin"');
  const providers = [
    "terraform {",
    "  required_providers {",
    '    vault      = { source = "hashicorp/vault", version = "5.6.0" }',
    '    kubernetes = { source = "hashicorp/kubernetes", version = "2.38.0" }',
    "  }",
    "}",
    `provider "vault" { address = ${JSON.stringify(vaultAddr)} }`,
    `provider "kubernetes" {`,
    `  config_path    = ${JSON.stringify(kubeconfig)}`,
    `  config_context = ${JSON.stringify(context)}`,
    "}",
    "",
  ].join("\n");
  return providers + hcl;
}

/** Every resource the seed's folder holds, as `terraform state rm` takes them in the migration guide. */
export const SEED_RESOURCES = [
  "kubernetes_service_account.vault_account",
  "kubernetes_cluster_role_binding.vault_binding",
  "vault_auth_backend.this",
  "vault_kubernetes_auth_backend_config.this",
  "vault_policy.admin",
  "vault_kubernetes_auth_backend_role.this",
];

/** The cluster entry that adopts what the seed created (docs/migration-from-seed.md, step 3). */
export function adoptingConfig(connection: { kubernetes: object; vault: object }) {
  return {
    clusters: [
      {
        name: "seed",
        importExisting: true,
        ...connection,
        auth: {
          path: "seed-atlantis",
          reviewer: {
            mode: "long-lived-token",
            serviceAccountName: "seed-reviewer",
            namespace: "vault",
            bindingName: "seed-binding",
          },
        },
        policies: [{ name: "seed-admin", preset: "admin" }],
        roles: [
          {
            name: "atlantis",
            boundServiceAccountNames: ["atlantis"],
            boundServiceAccountNamespaces: ["atlantis"],
            tokenPolicies: ["seed-admin"],
            tokenPeriod: "1800s",
          },
        ],
      },
    ],
  };
}

/** Runs terraform in `dir` (init once, then the given command); returns status and output. */
export function terraform(dir: string, env: NodeJS.ProcessEnv, args: string[]): { status: number; output: string } {
  mkdirSync(dir, { recursive: true });
  // The CLI the scenario runs cdktf with (TERRAFORM_BINARY_NAME), so the seed is applied by the same one.
  const result = spawnSync(env.TERRAFORM_BINARY_NAME || "terraform", args, {
    cwd: dir,
    env,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  writeFileSync(join(dir, `terraform-${args[0]}.log`), output, { flag: "a" });
  return { status: result.status ?? 1, output };
}
