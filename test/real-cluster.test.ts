/**
 * What Terraform, the providers and Vault actually do with the synthesized stacks (issue 9).
 * Each test pins one fact read in the pinned sources; its name says the fact and where it is:
 * terraform-provider-vault v5.6.0 (bcb1be4), terraform-provider-kubernetes v2.38.0 (be88f44),
 * vault-plugin-auth-kubernetes v0.24.1 (4b61817).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { parseConfigText } from "../src/config/load";
import { KubernetesAuthBackend, Reviewer } from "../src/constructs";
import { REQUIRED_TERRAFORM } from "../src/stacks/vault-k8s-auth-stack";
import { newStack, only, seedCluster, stackFor, synthJson, TEST_CA, warningsOf } from "./helpers";

const ROOT = join(__dirname, "..");

/** The error message for a one-file config, or "" when it is accepted. */
function problemsIn(clusters: unknown[]): string {
  try {
    parseConfigText(stringify({ clusters }), "vault-k8s-auth.yaml");
    return "";
  } catch (error) {
    return (error as Error).message;
  }
}

const explicit = { host: "https://kubernetes.example.com:6443", caCertificate: TEST_CA, kubeconfig: { context: "c" } };
const atlantisRole = {
  name: "atlantis",
  boundServiceAccountNames: ["atlantis"],
  boundServiceAccountNamespaces: ["atlantis"],
};

describe("1. client-jwt and a role audience", () => {
  test("rejects audience on a client-jwt role: the pod's own JWT is the TokenReview bearer (vault-plugin-auth-kubernetes token_review.go:69-75), which the API server refuses for an audience not its own", () => {
    const cluster = seedCluster({
      kubernetes: explicit,
      auth: { path: "k8s", reviewer: { mode: "client-jwt" } },
      policies: [],
      roles: [{ ...atlantisRole, audience: "vault" }],
    });
    const message = problemsIn([cluster]);
    expect(message).toMatch(
      /vault-k8s-auth\.yaml:\d+:\d+: clusters\[0\]\.roles\[0\]\.audience: "vault" cannot work with the client-jwt reviewer/,
    );
    expect(message).toContain('every login would get "permission denied"');
    expect(message).toContain("Drop audience, or use the long-lived-token or vault-pod reviewer");

    const backend = new KubernetesAuthBackend(newStack(), "Auth", {
      kubernetesHost: explicit.host,
      kubernetesCaCert: TEST_CA,
      reviewer: Reviewer.clientJwt(),
    });
    expect(() => backend.addRole("atlantis", { ...atlantisRole, audience: "vault" })).toThrow(
      'role atlantis: audience "vault" cannot work with the client-jwt reviewer',
    );
  });

  test("accepts audience on a client-jwt role when it is declared one of the API server's own audiences", () => {
    const audience = "https://kubernetes.default.svc.cluster.local";
    const cluster = seedCluster({
      kubernetes: explicit,
      auth: { path: "k8s", reviewer: { mode: "client-jwt", apiAudiences: [audience] } },
      policies: [],
      roles: [{ ...atlantisRole, audience }],
    });
    expect(problemsIn([cluster])).toBe("");
    expect(only(synthJson(stackFor(cluster)), "vault_kubernetes_auth_backend_role")).toMatchObject({ audience });
  });

  test("vault-login.sh names the client-jwt audience case in its permission denied hint", () => {
    const script = readFileSync(join(ROOT, "scripts/vault-login.sh"), "utf8");
    const hint = /\*"permission denied"\*\)\n\s*hint="([^"]+)"/.exec(script)?.[1] ?? "";
    expect(hint).toContain("client-jwt");
    expect(hint).toContain("audience");
  });
});

describe("2. EKS credentials outlive a saved plan", () => {
  test("the kubernetes provider runs `aws eks get-token` at every plan and apply (exec, terraform-provider-kubernetes kubernetes/provider.go:609-627), with no 15-minute aws_eks_cluster_auth token frozen into the plan (terraform-provider-kubernetes#1131)", () => {
    const json = synthJson(stackFor(seedCluster()));
    expect(json.data).not.toHaveProperty("aws_eks_cluster_auth");
    const [kubernetes] = json.provider.kubernetes;
    expect(kubernetes).not.toHaveProperty("token");
    expect(kubernetes.exec).toEqual([
      {
        api_version: "client.authentication.k8s.io/v1beta1",
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", "eks-test", "--region", "ap-northeast-1"],
      },
    ]);
  });

  test("eks.staticToken opts in to the aws_eks_cluster_auth token, with a warning that states its 15-minute limit", () => {
    const stack = stackFor(
      seedCluster({ kubernetes: { eks: { clusterName: "eks-test", region: "ap-northeast-1", staticToken: true } } }),
    );
    const [kubernetes] = synthJson(stack).provider.kubernetes;
    expect(kubernetes).not.toHaveProperty("exec");
    expect(kubernetes.token).toMatch(/^\$\{data\.aws_eks_cluster_auth\.[^.]+\.token\}$/);
    expect(warningsOf(stack)).toContainEqual(expect.stringContaining("lasts 15 minutes and is saved in the plan"));
  });
});

describe("3. the Terraform the stack needs", () => {
  test("every stack requires Terraform >= 1.11 (S3 use_lockfile is GA there; import blocks need 1.5)", () => {
    expect(REQUIRED_TERRAFORM).toBe(">= 1.11");
    for (const cluster of [seedCluster(), seedCluster({ kubernetes: explicit, importExisting: true })]) {
      expect(synthJson(stackFor(cluster)).terraform.required_version).toBe(">= 1.11");
    }
  });

  test("the Atlantis example selects a Terraform that satisfies it, not the image's default", () => {
    const atlantis = parse(readFileSync(join(ROOT, "examples/atlantis/atlantis.yaml"), "utf8"));
    const helm = parse(readFileSync(join(ROOT, "examples/atlantis/helm-values.yaml"), "utf8"));
    const [major, minor] = String(atlantis.projects[0].terraform_version).replace(/^v/, "").split(".").map(Number);
    expect(major === 1 && minor >= 11).toBe(true);
    expect(helm.environment.ATLANTIS_DEFAULT_TF_VERSION).toBe(atlantis.projects[0].terraform_version);
  });
});

describe("4. a mount path rename never revokes tokens silently", () => {
  test("sets disable_remount, so a path change is a replacement that prevent_destroy refuses, not an in-place sys/remount that revokes every token (terraform-provider-vault vault/resource_auth_backend.go:208, vault/resource_aws_secret_backend.go:193-201)", () => {
    const mount = only(synthJson(stackFor(seedCluster())), "vault_auth_backend");
    expect(mount).toMatchObject({ path: "atlantis", disable_remount: true, lifecycle: { prevent_destroy: true } });
    const unprotected = seedCluster();
    Object.assign(unprotected.auth as object, { preventDestroy: false });
    expect(only(synthJson(stackFor(unprotected)), "vault_auth_backend")).toMatchObject({ disable_remount: true });
  });
});

describe("5. disable_local_ca_jwt is sent in every mode", () => {
  test.each([
    ["long-lived-token", { mode: "long-lived-token" }, false],
    ["vault-pod", { mode: "vault-pod" }, false],
    ["client-jwt", { mode: "client-jwt" }, true],
  ] as const)(
    "%s sends disable_local_ca_jwt = %s: the attribute is Optional+Computed (terraform-provider-vault vault/resource_kubernetes_auth_backend_config.go:81-86), so leaving it out would keep an earlier true",
    (_mode, reviewer, expected) => {
      const cluster = seedCluster({ kubernetes: explicit, auth: { path: "atlantis", reviewer: { ...reviewer } } });
      const config = only(synthJson(stackFor(cluster)), "vault_kubernetes_auth_backend_config");
      expect(config.disable_local_ca_jwt).toBe(expected);
    },
  );
});
