import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { synthesize } from "../../src/app";
import { checkConfigText } from "../../src/config/load";
import { configSchema } from "../../src/config/schema";
import { AWS_PROVIDER, notFound, whileAwsFails } from "../aws-provider-missing";
import { ISSUER, PUBLIC_KEY } from "../fixture-values";
import { type ClusterInput, problemsIn, seedCluster, TEST_CA, type TerraformJson } from "../helpers";
import { schemaFields } from "../schema-fields";

/*
 * Every field of the config file reaches the Terraform JSON. WIRING has one row per leaf field of
 * the schema, and the schema itself is walked to list those fields, so a field added without a
 * row (or a row left behind by a removed field) fails the first tests below by name. Each row
 * starts from a valid entry, sets the field to a value other than what the entry had, synthesizes
 * the way `vault-k8s-auth synth` does (YAML text -> checkConfigText -> synthesize -> cdk.tf.json)
 * and finds the value where it belongs; its expectation must also FAIL on the entry it started
 * from, so no row can pass whatever the field does. Fields that by design never reach the JSON
 * have a row that says why, with a test of what they do instead.
 */

// ---------------------------------------------------------------------------------------------
// The schema's leaf fields.

describe("schemaFields (how the table knows the schema's fields)", () => {
  test("finds every leaf through optional, default, prefault, transform, lists, records and tagged unions", () => {
    const schema = z.object({
      plain: z.string(),
      later: z.boolean().default(false).optional(),
      seconds: z.union([z.int(), z.string()]).transform(String).optional(),
      names: z.array(z.string()).default([]),
      labels: z.record(z.string(), z.string()),
      items: z.array(z.object({ id: z.literal(1), nested: z.object({ deep: z.enum(["a", "b"]) }).optional() })),
      byKey: z.record(z.string(), z.object({ value: z.number() })),
      kind: z
        .discriminatedUnion("mode", [
          z.object({ mode: z.literal("one"), first: z.string() }),
          z.object({ mode: z.literal("two"), second: z.unknown() }),
        ])
        .prefault({ mode: "one", first: "" }),
    });
    expect(schemaFields(schema)).toEqual([
      "plain",
      "later",
      "seconds",
      "names",
      "labels",
      "items[].id",
      "items[].nested.deep",
      "byKey{}.value",
      "kind(mode=one).mode",
      "kind(mode=one).first",
      "kind(mode=two).mode",
      "kind(mode=two).second",
    ]);
  });

  test("fails, naming the field, on a zod type it cannot see into", () => {
    expect(() => schemaFields(z.object({ pair: z.tuple([z.string(), z.string()]) }))).toThrow(
      "pair: zod type tuple is unknown to schemaFields",
    );
    expect(() => schemaFields(z.object({ either: z.union([z.object({ a: z.string() }), z.string()]) }))).toThrow(
      "either: a union of mappings without a discriminator",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Synthesizing an entry the way the CLI does.

interface Synthesized {
  readonly stack: string;
  readonly json: TerraformJson & { import?: { id: string; to: string }[] };
  readonly warnings: string[];
}

const OUT = mkdtempSync(join(tmpdir(), "vka-wiring-"));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));
const synthesized = new Map<string, Synthesized>();

/** `vault-k8s-auth synth` of a whole file's text, one stack: read back from the cdk.tf.json it wrote. */
function synthText(text: string): Synthesized {
  const known = synthesized.get(text);
  if (known) return known;
  const outdir = join(OUT, String(synthesized.size));
  const { stacks, warnings } = synthesize(checkConfigText(text, "wiring.yaml"), { outdir });
  expect(stacks).toHaveLength(1);
  const json = JSON.parse(readFileSync(join(outdir, "stacks", stacks[0], "cdk.tf.json"), "utf8"));
  const result = { stack: stacks[0], json, warnings };
  synthesized.set(text, result);
  return result;
}

const synthOf = (cluster: ClusterInput) => synthText(stringify({ clusters: [cluster] }));

/** The single block of a type among resources or data sources (fails when there is not exactly one). */
function one(json: TerraformJson, type: string, kind: "resource" | "data" = "resource"): Record<string, unknown> {
  const named = Object.values(json[kind]?.[type] ?? {});
  expect({ [kind]: type, found: named.length }).toEqual({ [kind]: type, found: 1 });
  return named[0];
}
const mount = (out: Synthesized) => one(out.json, "vault_auth_backend");
const mountConfig = (out: Synthesized) => one(out.json, "vault_kubernetes_auth_backend_config");
const role = (out: Synthesized) => one(out.json, "vault_kubernetes_auth_backend_role");
const jwtMount = (out: Synthesized) => one(out.json, "vault_jwt_auth_backend");
const jwtRole = (out: Synthesized) => one(out.json, "vault_jwt_auth_backend_role");
const rules = (out: Synthesized) => one(out.json, "vault_policy_document", "data").rule;
const binding = (out: Synthesized) => one(out.json, "kubernetes_cluster_role_binding_v1");
const account = (out: Synthesized) => one(out.json, "kubernetes_service_account_v1");
const loginCommand = (out: Synthesized, name = "atlantis") =>
  (out.json.output.login_commands.value as Record<string, string>)[name];
/** The Terraform reference to the single resource of a type, as another block holds it. */
const ref = (out: Synthesized, type: string, attribute: string) =>
  `\${${type}.${Object.keys(out.json.resource[type])[0]}.${attribute}}`;

// ---------------------------------------------------------------------------------------------
// The entries a row starts from.

const firstRole = (cluster: ClusterInput) => cluster.roles[0];
const authOf = (cluster: ClusterInput) => {
  cluster.auth ??= {};
  return cluster.auth;
};

/** An explicit host, CA and kubeconfig context instead of EKS. */
const explicit = () =>
  seedCluster({
    kubernetes: { host: "https://k8s.example.com", caCertificate: TEST_CA, kubeconfig: { context: "test" } },
  });

/** `cluster` with `reviewer`. */
function reviewedBy(cluster: ClusterInput, reviewer: NonNullable<ClusterInput["auth"]>["reviewer"]): ClusterInput {
  authOf(cluster).reviewer = reviewer;
  return cluster;
}

/** The seed's cluster with `overrides` and an audience on its role, as the jwt method requires. */
function withAudience(overrides: Partial<ClusterInput>): ClusterInput {
  const cluster = seedCluster(overrides);
  firstRole(cluster).audience = "vault";
  return cluster;
}

const BASES = {
  /** The seed: EKS, long-lived-token reviewer, policy admin, role atlantis with a period. */
  seed: () => seedCluster(),
  explicit,
  /** An explicit host and CA without any kubeconfig. */
  noKubeconfig: () => seedCluster({ kubernetes: { host: "https://k8s.example.com", caCertificate: TEST_CA } }),
  vaultPod: () => reviewedBy(explicit(), { mode: "vault-pod" }),
  /** vault-pod with no CA: Vault reads its own pod's. */
  vaultPodNoCa: () =>
    reviewedBy(
      seedCluster({ kubernetes: { host: "https://kubernetes.default.svc", kubeconfig: { context: "test" } } }),
      {
        mode: "vault-pod",
      },
    ),
  clientJwt: () => reviewedBy(explicit(), { mode: "client-jwt" }),
  /** The kubernetes method with the reviewer left to its defaults and an audience: one step from jwt. */
  defaults: () => withAudience({ auth: { path: "atlantis" } }),
  /** auth.method jwt, issuer given, keys discovered. */
  jwt: () => withAudience({ kubernetes: {}, auth: { method: "jwt", path: "atlantis-jwt", jwt: { issuer: ISSUER } } }),
  /** auth.method jwt on EKS: the issuer comes from the cluster. */
  jwtEks: () => withAudience({ auth: { method: "jwt", path: "atlantis-jwt" } }),
  s3: () => seedCluster({ state: { s3: { bucket: "tf-state", region: "ap-northeast-1" } } }),
  /** A policy "app" of one rule of each form, granted to the role in place of admin. */
  pathRule: () => withPolicy({ path: "secret/data/app/*", capabilities: ["read"] }),
  kvRead: () => withPolicy({ kvRead: { mount: "secret", path: "app" } }),
  listRule: () => withPolicy({ list: "secret/metadata/app" }),
  denyRule: () => withPolicy({ deny: "secret/data/app/root" }),
} satisfies Record<string, () => ClusterInput>;

type Rule = NonNullable<NonNullable<ClusterInput["policies"]>[number]["rules"]>[number];

/** The seed with one policy "app" holding `rule`, granted in place of admin. */
function withPolicy(rule: Rule): ClusterInput {
  const cluster = seedCluster({ policies: [{ name: "app", rules: [rule] }] });
  firstRole(cluster).tokenPolicies = ["app"];
  return cluster;
}

/** The rules of policy "app" (built by `withPolicy`). */
const appRules = (cluster: ClusterInput) => {
  const policy = (cluster.policies ?? [])[0];
  return policy.rules ?? [];
};

// ---------------------------------------------------------------------------------------------
// The table.

interface Wired {
  /** The value written, as the test name shows it. */
  readonly writes: string;
  readonly base: keyof typeof BASES;
  readonly set: (cluster: ClusterInput) => void;
  /** Where the value must show up; it must fail on the base entry. */
  readonly finds: (out: Synthesized) => void;
}

interface Unwired {
  /** Why the field never reaches the JSON. */
  readonly notInJson: string;
  /** What the field does instead. */
  readonly effect: () => void;
}

type Row = readonly Wired[] | Unwired;

/**
 * A connection field written with auth.method jwt, which neither calls the API server nor creates
 * Kubernetes objects: nothing to reach, so synth must say the field is unused.
 */
function unusedWithJwt(field: string, base: "jwt" | "jwtEks", set: (cluster: ClusterInput) => void): Wired {
  return {
    writes: "set with the jwt method: a warning that it is not used",
    base,
    set,
    finds: (out) => {
      expect(
        out.warnings.filter((warning) => warning.includes(`clusters[0].${field} is not used with auth.method: jwt`)),
      ).toHaveLength(1);
      expect(out.json.provider).not.toHaveProperty("kubernetes");
    },
  };
}

const WIRING: Record<string, Row> = {
  $schema: {
    notInJson: "it points editors at the JSON Schema and is ignored by everything else",
    effect: () => {
      const plain = synthText(stringify({ clusters: [BASES.seed()] }));
      const marked = synthText(stringify({ $schema: "./vault-k8s-auth.schema.json", clusters: [BASES.seed()] }));
      expect(marked.json).toEqual(plain.json);
      expect(problemsIn(stringify({ $schema: 1, clusters: [BASES.seed()] }))).toContain(
        'bad.yaml:1:10: $schema: 1 was read as the number 1; quote it to keep the text: "1"',
      );
    },
  },
  "clusters[].name": [
    {
      writes: "prod-eu",
      base: "seed",
      set: (c) => {
        c.name = "prod-eu";
      },
      finds: (out) => {
        expect(out.stack).toBe("prod-eu");
        expect(out.json.terraform.backend).toEqual({ local: { path: "../../../terraform.prod-eu.tfstate" } });
      },
    },
    {
      writes: "prod-eu, with S3 state and no key",
      base: "s3",
      set: (c) => {
        c.name = "prod-eu";
      },
      finds: (out) => {
        expect(out.json.terraform.backend).toMatchObject({ s3: { key: "vault-k8s-auth/prod-eu.tfstate" } });
      },
    },
  ],
  "clusters[].kubernetes.eks.clusterName": [
    {
      writes: "prod-cluster",
      base: "seed",
      set: (c) => {
        c.kubernetes = { eks: { clusterName: "prod-cluster", region: "ap-northeast-1" } };
      },
      finds: (out) => {
        expect(one(out.json, "aws_eks_cluster", "data")).toMatchObject({ name: "prod-cluster" });
        expect(out.json.provider.kubernetes).toMatchObject([
          { exec: [{ args: ["eks", "get-token", "--cluster-name", "prod-cluster", "--region", "ap-northeast-1"] }] },
        ]);
      },
    },
    {
      writes: "prod-cluster, with the jwt method",
      base: "jwtEks",
      set: (c) => {
        c.kubernetes = { eks: { clusterName: "prod-cluster", region: "ap-northeast-1" } };
      },
      finds: (out) => {
        expect(one(out.json, "aws_eks_cluster", "data")).toMatchObject({ name: "prod-cluster" });
        const issuer = `\${data.aws_eks_cluster.EksCluster.identity[0].oidc[0].issuer}`;
        expect(jwtMount(out)).toMatchObject({ bound_issuer: issuer, oidc_discovery_url: issuer });
      },
    },
  ],
  "clusters[].kubernetes.eks.region": [
    {
      writes: "eu-west-1",
      base: "seed",
      set: (c) => {
        c.kubernetes = { eks: { clusterName: "eks-test", region: "eu-west-1" } };
      },
      finds: (out) => {
        expect(out.json.provider.aws).toEqual([{ region: "eu-west-1" }]);
        expect(out.json.provider.kubernetes).toMatchObject([
          { exec: [{ args: ["eks", "get-token", "--cluster-name", "eks-test", "--region", "eu-west-1"] }] },
        ]);
      },
    },
    {
      writes: "eu-west-1, with the jwt method",
      base: "jwtEks",
      set: (c) => {
        c.kubernetes = { eks: { clusterName: "eks-test", region: "eu-west-1" } };
      },
      finds: (out) => {
        expect(out.json.provider.aws).toEqual([{ region: "eu-west-1" }]);
      },
    },
  ],
  "clusters[].kubernetes.eks.staticToken": [
    {
      writes: "true",
      base: "seed",
      set: (c) => {
        c.kubernetes = { eks: { clusterName: "eks-test", region: "ap-northeast-1", staticToken: true } };
      },
      finds: (out) => {
        expect(one(out.json, "aws_eks_cluster_auth", "data")).toMatchObject({ name: "eks-test" });
        const [provider] = out.json.provider.kubernetes;
        expect(provider.token).toBe(
          `\${data.aws_eks_cluster_auth.${Object.keys(out.json.data?.aws_eks_cluster_auth ?? {})[0]}.token}`,
        );
        expect(provider).not.toHaveProperty("exec");
        expect(out.warnings).toContainEqual(
          located(
            "kubernetes.eks.staticToken",
            "kubernetes.eks.staticToken is on: the token from aws_eks_cluster_auth lasts 15 minutes and is " +
              "saved in the plan, so applying a saved plan later than that (Atlantis applies after review) fails with " +
              "Unauthorized. Turn it off where the AWS CLI is installed.",
          ),
        );
      },
    },
    unusedWithJwt("kubernetes.eks.staticToken", "jwtEks", (c) => {
      c.kubernetes = { eks: { clusterName: "eks-test", region: "ap-northeast-1", staticToken: true } };
    }),
  ],
  "clusters[].kubernetes.host": [
    {
      writes: "https://10.0.0.1:6443",
      base: "explicit",
      set: (c) => {
        c.kubernetes.host = "https://10.0.0.1:6443";
      },
      finds: (out) => {
        expect(mountConfig(out).kubernetes_host).toBe("https://10.0.0.1:6443");
      },
    },
    unusedWithJwt("kubernetes.host", "jwt", (c) => {
      c.kubernetes.host = "https://k8s.example.com";
    }),
  ],
  "clusters[].kubernetes.caCertificate": [
    {
      writes: "the test CA, with the vault-pod reviewer that needs none",
      base: "vaultPodNoCa",
      set: (c) => {
        c.kubernetes.caCertificate = TEST_CA;
      },
      finds: (out) => {
        expect(mountConfig(out).kubernetes_ca_cert).toBe(TEST_CA);
      },
    },
    {
      // vault-plugin-auth-jwt v0.25.0 backend.go:174 and cap v0.11.0 jwt/keyset.go:206-227: Vault
      // fetches the issuer's discovery document and JWKS trusting only this CA.
      writes:
        "the test CA with the jwt method and discovery: the CA Vault trusts for the issuer (oidc_discovery_ca_pem), no warning",
      base: "jwt",
      set: (c) => {
        c.kubernetes.caCertificate = TEST_CA;
      },
      finds: (out) => {
        expect(jwtMount(out).oidc_discovery_ca_pem).toBe(TEST_CA);
        expect(out.warnings.filter((warning) => warning.includes("caCertificate"))).toEqual([]);
      },
    },
    unusedWithJwt("kubernetes.caCertificate", "jwt", (c) => {
      c.kubernetes.caCertificate = TEST_CA;
      authOf(c).jwt = { issuer: ISSUER, publicKeys: [PUBLIC_KEY] };
    }),
  ],
  "clusters[].kubernetes.kubeconfig.path": [
    {
      writes: "/etc/kube/config",
      base: "explicit",
      set: (c) => {
        c.kubernetes.kubeconfig = { path: "/etc/kube/config", context: "test" };
      },
      finds: (out) => {
        expect(out.json.provider.kubernetes).toEqual([{ config_path: "/etc/kube/config", config_context: "test" }]);
      },
    },
    unusedWithJwt("kubernetes.kubeconfig", "jwt", (c) => {
      c.kubernetes.kubeconfig = { path: "/etc/kube/config" };
    }),
  ],
  "clusters[].kubernetes.kubeconfig.context": [
    {
      writes: "prod",
      base: "explicit",
      set: (c) => {
        c.kubernetes.kubeconfig = { context: "prod" };
      },
      finds: (out) => {
        expect(out.json.provider.kubernetes).toEqual([{ config_context: "prod" }]);
      },
    },
    unusedWithJwt("kubernetes.kubeconfig", "jwt", (c) => {
      c.kubernetes.kubeconfig = { context: "prod" };
    }),
  ],
  "clusters[].kubernetes.inCluster": [
    {
      // The provider block is empty either way; what changes is that Terraform is known to run in the cluster.
      writes: "true: an empty kubernetes provider, and no warning about a missing kubeconfig context",
      base: "noKubeconfig",
      set: (c) => {
        c.kubernetes.inCluster = true;
      },
      finds: (out) => {
        expect(out.json.provider.kubernetes).toEqual([{}]);
        expect(out.warnings.filter((warning) => warning.includes("kubeconfig context"))).toEqual([]);
      },
    },
    unusedWithJwt("kubernetes.inCluster", "jwt", (c) => {
      c.kubernetes.inCluster = true;
    }),
  ],
  "clusters[].vault.address": [
    {
      writes: "https://vault.example.com:8200",
      base: "seed",
      set: (c) => {
        c.vault = { address: "https://vault.example.com:8200" };
      },
      finds: (out) => {
        expect(out.json.provider.vault).toEqual([{ address: "https://vault.example.com:8200" }]);
      },
    },
    {
      writes: "http://vault.vault.svc:8200, with a warning",
      base: "seed",
      set: (c) => {
        c.vault = { address: "http://vault.vault.svc:8200" };
      },
      finds: (out) => {
        expect(out.json.provider.vault).toEqual([{ address: "http://vault.vault.svc:8200" }]);
        expect(out.warnings).toContainEqual(
          located(
            "vault.address",
            "vault.address http://vault.vault.svc:8200 is plain http: the deploy token and everything " +
              "Terraform writes to Vault, and the pods' logins and Vault tokens, cross the network in clear. Use https " +
              "unless the path is private (e.g. a port-forward, or a cluster network you trust).",
          ),
        );
      },
    },
  ],
  "clusters[].vault.namespace": [
    {
      writes: "team-a",
      base: "seed",
      set: (c) => {
        c.vault = { namespace: "team-a" };
      },
      finds: (out) => {
        expect(out.json.provider.vault).toEqual([{ namespace: "team-a" }]);
        expect(loginCommand(out)).toContain(`--header 'X-Vault-Namespace: team-a' --data @-`);
      },
    },
  ],
  "clusters[].auth.method": [
    {
      writes: "jwt",
      base: "defaults",
      set: (c) => {
        authOf(c).method = "jwt";
      },
      finds: (out) => {
        expect(jwtMount(out)).toMatchObject({ type: "jwt", path: "atlantis" });
        expect(jwtRole(out)).toMatchObject({ role_name: "atlantis", bound_audiences: ["vault"] });
        expect(out.json.resource).not.toHaveProperty("vault_auth_backend");
        expect(out.json.provider).not.toHaveProperty("kubernetes");
        expect(out.json.output.mount_path).toMatchObject({ description: "Vault path of the JWT auth mount" });
      },
    },
  ],
  "clusters[].auth.jwt.issuer": [
    {
      writes: "https://oidc.example.com/cluster",
      base: "jwt",
      set: (c) => {
        authOf(c).jwt = { issuer: "https://oidc.example.com/cluster" };
      },
      finds: (out) => {
        expect(jwtMount(out)).toMatchObject({
          bound_issuer: "https://oidc.example.com/cluster",
          oidc_discovery_url: "https://oidc.example.com/cluster",
        });
      },
    },
  ],
  "clusters[].auth.jwt.publicKeys": [
    {
      writes: "one PEM public key",
      base: "jwt",
      set: (c) => {
        authOf(c).jwt = { issuer: ISSUER, publicKeys: [PUBLIC_KEY] };
      },
      finds: (out) => {
        expect(jwtMount(out)).toMatchObject({ bound_issuer: ISSUER, jwt_validation_pubkeys: [PUBLIC_KEY] });
        expect(jwtMount(out)).not.toHaveProperty("oidc_discovery_url");
      },
    },
  ],
  "clusters[].auth.path": [
    {
      writes: "k8s/prod",
      base: "seed",
      set: (c) => {
        authOf(c).path = "k8s/prod";
      },
      finds: (out) => {
        expect(mount(out).path).toBe("k8s/prod");
        expect(out.json.output.mount_path.value).toBe("k8s/prod");
        expect(out.json.output.login_path.value).toBe("auth/k8s/prod/login");
        expect(loginCommand(out)).toContain(`"$VAULT_ADDR/v1/auth/k8s/prod/login"`);
      },
    },
    {
      writes: "k8s/prod, with the jwt method",
      base: "jwt",
      set: (c) => {
        authOf(c).path = "k8s/prod";
      },
      finds: (out) => {
        expect(jwtMount(out).path).toBe("k8s/prod");
        expect(out.json.output.login_path.value).toBe("auth/k8s/prod/login");
      },
    },
  ],
  "clusters[].auth.description": [
    {
      writes: "Atlantis pods",
      base: "seed",
      set: (c) => {
        authOf(c).description = "Atlantis pods";
      },
      finds: (out) => {
        expect(mount(out).description).toBe("Atlantis pods");
      },
    },
    {
      writes: "Atlantis pods, with the jwt method",
      base: "jwt",
      set: (c) => {
        authOf(c).description = "Atlantis pods";
      },
      finds: (out) => {
        expect(jwtMount(out).description).toBe("Atlantis pods");
      },
    },
  ],
  "clusters[].auth.reviewer(mode=long-lived-token).mode": [
    {
      writes: "long-lived-token, in place of vault-pod",
      base: "vaultPod",
      set: (c) => {
        authOf(c).reviewer = { mode: "long-lived-token" };
      },
      finds: (out) => {
        expect(account(out)).toMatchObject({ metadata: { name: "vault-reviewer", namespace: "vault" } });
        expect(mountConfig(out)).toMatchObject({
          token_reviewer_jwt: expect.stringMatching(/^\$\{sensitive\(kubernetes_secret_v1\.[^.]+\.data\.token\)\}$/),
          disable_local_ca_jwt: false,
        });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=long-lived-token).serviceAccountName": [
    {
      writes: "token-reviewer",
      base: "seed",
      set: (c) => {
        authOf(c).reviewer = { mode: "long-lived-token", serviceAccountName: "token-reviewer" };
      },
      finds: (out) => {
        expect(account(out)).toMatchObject({ metadata: { name: "token-reviewer" } });
        expect(one(out.json, "kubernetes_secret_v1")).toMatchObject({ metadata: { name: "token-reviewer-token" } });
        expect(binding(out)).toMatchObject({
          metadata: { name: "vault-token-reviewer-auth-delegator" },
          subject: [{ kind: "ServiceAccount", name: "token-reviewer", namespace: "vault" }],
        });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=long-lived-token).namespace": [
    {
      writes: "vault-system",
      base: "seed",
      set: (c) => {
        authOf(c).reviewer = {
          mode: "long-lived-token",
          serviceAccountName: "vault-reviewer",
          namespace: "vault-system",
        };
      },
      finds: (out) => {
        expect(account(out)).toMatchObject({ metadata: { name: "vault-reviewer", namespace: "vault-system" } });
        expect(one(out.json, "kubernetes_secret_v1")).toMatchObject({ metadata: { namespace: "vault-system" } });
        expect(binding(out)).toMatchObject({ subject: [{ namespace: "vault-system" }] });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=long-lived-token).secretName": [
    {
      writes: "reviewer-jwt",
      base: "seed",
      set: (c) => {
        Object.assign(authOf(c).reviewer ?? {}, { secretName: "reviewer-jwt" });
      },
      finds: (out) => {
        expect(one(out.json, "kubernetes_secret_v1")).toMatchObject({
          metadata: { name: "reviewer-jwt", namespace: "vault" },
          type: "kubernetes.io/service-account-token",
        });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=long-lived-token).bindingName": [
    {
      writes: "vault-token-review",
      base: "seed",
      set: (c) => {
        Object.assign(authOf(c).reviewer ?? {}, { bindingName: "vault-token-review" });
      },
      finds: (out) => {
        expect(binding(out)).toMatchObject({ metadata: { name: "vault-token-review" } });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=long-lived-token).createNamespace": [
    {
      writes: "true",
      base: "seed",
      set: (c) => {
        Object.assign(authOf(c).reviewer ?? {}, { createNamespace: true });
      },
      finds: (out) => {
        expect(one(out.json, "kubernetes_namespace_v1")).toMatchObject({ metadata: { name: "vault" } });
        const namespace = ref(out, "kubernetes_namespace_v1", "metadata[0].name");
        expect(account(out)).toMatchObject({ metadata: { namespace } });
        expect(one(out.json, "kubernetes_secret_v1")).toMatchObject({ metadata: { namespace } });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=vault-pod).mode": [
    {
      writes: "vault-pod",
      base: "explicit",
      set: (c) => {
        authOf(c).reviewer = { mode: "vault-pod" };
      },
      finds: (out) => {
        expect(out.json.resource).not.toHaveProperty("kubernetes_service_account_v1");
        expect(out.json.resource).not.toHaveProperty("kubernetes_secret_v1");
        expect(mountConfig(out)).not.toHaveProperty("token_reviewer_jwt");
        expect(mountConfig(out).disable_local_ca_jwt).toBe(false);
        expect(binding(out)).toMatchObject({
          metadata: { name: "vault-vault-auth-delegator" },
          subject: [{ kind: "ServiceAccount", name: "vault", namespace: "vault" }],
        });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=vault-pod).serviceAccountName": [
    {
      writes: "vault-server",
      base: "vaultPod",
      set: (c) => {
        authOf(c).reviewer = { mode: "vault-pod", serviceAccountName: "vault-server" };
      },
      finds: (out) => {
        expect(binding(out)).toMatchObject({
          metadata: { name: "vault-vault-server-auth-delegator" },
          subject: [{ name: "vault-server", namespace: "vault" }],
        });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=vault-pod).namespace": [
    {
      writes: "hashicorp",
      base: "vaultPod",
      set: (c) => {
        authOf(c).reviewer = { mode: "vault-pod", namespace: "hashicorp" };
      },
      finds: (out) => {
        expect(binding(out)).toMatchObject({
          metadata: { name: "hashicorp-vault-auth-delegator" },
          subject: [{ name: "vault", namespace: "hashicorp" }],
        });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=vault-pod).bindingName": [
    {
      writes: "vault-server-binding",
      base: "vaultPod",
      set: (c) => {
        authOf(c).reviewer = { mode: "vault-pod", bindingName: "vault-server-binding" };
      },
      finds: (out) => {
        expect(binding(out)).toMatchObject({ metadata: { name: "vault-server-binding" } });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=vault-pod).createBinding": [
    {
      writes: "false",
      base: "vaultPod",
      set: (c) => {
        authOf(c).reviewer = { mode: "vault-pod", createBinding: false };
      },
      finds: (out) => {
        expect(Object.keys(out.json.resource).filter((type) => type.startsWith("kubernetes_"))).toEqual([]);
        expect(mountConfig(out)).toMatchObject({ kubernetes_host: "https://k8s.example.com" });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=client-jwt).mode": [
    {
      writes: "client-jwt",
      base: "explicit",
      set: (c) => {
        authOf(c).reviewer = { mode: "client-jwt" };
      },
      finds: (out) => {
        expect(out.json.resource).not.toHaveProperty("kubernetes_service_account_v1");
        expect(mountConfig(out)).not.toHaveProperty("token_reviewer_jwt");
        expect(mountConfig(out)).toMatchObject({ disable_local_ca_jwt: true, kubernetes_ca_cert: TEST_CA });
        expect(binding(out)).toMatchObject({
          metadata: { name: expect.stringMatching(/^vault-client-jwt-atlantis-atlantis-[0-9a-f]{8}$/) },
          subject: [{ kind: "ServiceAccount", name: "atlantis", namespace: "atlantis" }],
        });
      },
    },
  ],
  "clusters[].auth.reviewer(mode=client-jwt).apiAudiences": {
    notInJson:
      "Vault has no field for it: it says which audiences the API server accepts, so which role audience can work",
    effect: () => {
      const listing = (apiAudiences?: string[]) => {
        const cluster = BASES.clientJwt();
        authOf(cluster).reviewer = { mode: "client-jwt", apiAudiences };
        firstRole(cluster).audience = "https://kubernetes.default.svc";
        return cluster;
      };
      expect(role(synthOf(listing(["https://kubernetes.default.svc"]))).audience).toBe(
        "https://kubernetes.default.svc",
      );
      expect(problemsIn(stringify({ clusters: [listing(["https://other.example.com"])] }))).toMatch(
        /bad\.yaml:\d+:\d+: clusters\[0\]\.roles\[0\]\.audience: "https:\/\/kubernetes\.default\.svc" cannot work with the client-jwt reviewer/,
      );
    },
  },
  "clusters[].auth.preventDestroy": [
    {
      writes: "false",
      base: "seed",
      set: (c) => {
        authOf(c).preventDestroy = false;
      },
      finds: (out) => {
        expect(mount(out).lifecycle).toEqual({ prevent_destroy: false });
      },
    },
    {
      writes: "false, with the jwt method",
      base: "jwt",
      set: (c) => {
        authOf(c).preventDestroy = false;
      },
      finds: (out) => {
        expect(jwtMount(out).lifecycle).toMatchObject({ prevent_destroy: false });
      },
    },
  ],
  "clusters[].auth.disableIssValidation": [
    {
      writes: "false",
      base: "seed",
      set: (c) => {
        authOf(c).disableIssValidation = false;
      },
      finds: (out) => {
        expect(mountConfig(out).disable_iss_validation).toBe(false);
      },
    },
  ],
  "clusters[].policies[].name": [
    {
      writes: "atlantis-admin",
      base: "seed",
      set: (c) => {
        c.policies = [{ name: "atlantis-admin", preset: "admin" }];
        firstRole(c).tokenPolicies = ["atlantis-admin"];
      },
      finds: (out) => {
        expect(one(out.json, "vault_policy").name).toBe("atlantis-admin");
        expect(role(out).token_policies).toEqual([ref(out, "vault_policy", "name")]);
      },
    },
  ],
  "clusters[].policies[].preset": [
    {
      writes: "admin, in place of rules",
      base: "pathRule",
      set: (c) => {
        c.policies = [{ name: "app", preset: "admin" }];
      },
      finds: (out) => {
        expect(rules(out)).toEqual([
          {
            path: "*",
            capabilities: ["sudo", "read", "create", "update", "delete", "list", "patch"],
            description: "allow all",
          },
        ]);
      },
    },
    {
      writes: "terraform-vault-provider",
      base: "pathRule",
      set: (c) => {
        Object.assign((c.policies ?? [])[0], { preset: "terraform-vault-provider" });
      },
      finds: (out) => {
        expect(rules(out)).toEqual([
          { path: "auth/token/create", capabilities: ["update"], description: "the vault provider's child token" },
          { path: "secret/data/app/*", capabilities: ["read"] },
        ]);
      },
    },
  ],
  "clusters[].policies[].rules[].path": [
    {
      writes: "secret/data/other",
      base: "pathRule",
      set: (c) => {
        appRules(c)[0].path = "secret/data/other";
      },
      finds: (out) => {
        expect(rules(out)).toEqual([{ path: "secret/data/other", capabilities: ["read"] }]);
      },
    },
  ],
  "clusters[].policies[].rules[].capabilities": [
    {
      writes: "[read, list]",
      base: "pathRule",
      set: (c) => {
        appRules(c)[0].capabilities = ["read", "list"];
      },
      finds: (out) => {
        expect(rules(out)).toEqual([{ path: "secret/data/app/*", capabilities: ["read", "list"] }]);
      },
    },
  ],
  "clusters[].policies[].rules[].description": [
    {
      writes: "app config",
      base: "pathRule",
      set: (c) => {
        appRules(c)[0].description = "app config";
      },
      finds: (out) => {
        expect(rules(out)).toEqual([{ path: "secret/data/app/*", capabilities: ["read"], description: "app config" }]);
      },
    },
  ],
  "clusters[].policies[].rules[].kvRead.mount": [
    {
      writes: "kv",
      base: "kvRead",
      set: (c) => {
        appRules(c)[0].kvRead = { mount: "kv", path: "app" };
      },
      finds: (out) => {
        expect(rules(out)).toEqual([
          { path: "kv/data/app", capabilities: ["read"] },
          { path: "kv/metadata/app", capabilities: ["read", "list"] },
        ]);
      },
    },
  ],
  "clusters[].policies[].rules[].kvRead.path": [
    {
      writes: "team/*",
      base: "kvRead",
      set: (c) => {
        appRules(c)[0].kvRead = { mount: "secret", path: "team/*" };
      },
      finds: (out) => {
        expect(rules(out)).toEqual([
          { path: "secret/data/team/*", capabilities: ["read"] },
          { path: "secret/metadata/team/*", capabilities: ["read", "list"] },
        ]);
      },
    },
  ],
  "clusters[].policies[].rules[].kvRead.version": [
    {
      writes: "1",
      base: "kvRead",
      set: (c) => {
        appRules(c)[0].kvRead = { mount: "secret", path: "app", version: 1 };
      },
      finds: (out) => {
        expect(rules(out)).toEqual([{ path: "secret/app", capabilities: ["read"] }]);
      },
    },
  ],
  "clusters[].policies[].rules[].list": [
    {
      writes: "secret/metadata/team",
      base: "listRule",
      set: (c) => {
        appRules(c)[0].list = "secret/metadata/team";
      },
      finds: (out) => {
        expect(rules(out)).toEqual([{ path: "secret/metadata/team", capabilities: ["list"] }]);
      },
    },
  ],
  "clusters[].policies[].rules[].deny": [
    {
      writes: "secret/data/team/root",
      base: "denyRule",
      set: (c) => {
        appRules(c)[0].deny = "secret/data/team/root";
      },
      finds: (out) => {
        expect(rules(out)).toEqual([{ path: "secret/data/team/root", capabilities: ["deny"] }]);
      },
    },
  ],
  "clusters[].externalPolicies": [
    {
      writes: "[vault-k8s-auth-deploy], named by the role next to admin",
      base: "seed",
      set: (c) => {
        c.externalPolicies = ["vault-k8s-auth-deploy"];
        firstRole(c).tokenPolicies = ["admin", "vault-k8s-auth-deploy"];
      },
      finds: (out) => {
        // By name, as Vault knows it; the stack writes no policy of that name.
        expect(role(out).token_policies).toEqual([ref(out, "vault_policy", "name"), "vault-k8s-auth-deploy"]);
        expect(Object.values(out.json.resource.vault_policy).map((policy) => policy.name)).toEqual(["admin"]);
      },
    },
  ],
  "clusters[].roles[].name": [
    {
      writes: "atlantis-plan",
      base: "seed",
      set: (c) => {
        firstRole(c).name = "atlantis-plan";
      },
      finds: (out) => {
        expect(role(out).role_name).toBe("atlantis-plan");
        expect(out.json.output.role_names.value).toEqual(["atlantis-plan"]);
        expect(loginCommand(out, "atlantis-plan")).toMatch(/^printf '\{"role": "%s", "jwt": "%s"\}' atlantis-plan /);
      },
    },
    {
      writes: "atlantis-plan, with the jwt method",
      base: "jwt",
      set: (c) => {
        firstRole(c).name = "atlantis-plan";
      },
      finds: (out) => {
        expect(jwtRole(out).role_name).toBe("atlantis-plan");
      },
    },
  ],
  "clusters[].roles[].boundServiceAccountNames": [
    {
      writes: "[atlantis, atlantis-worker]",
      base: "seed",
      set: (c) => {
        firstRole(c).boundServiceAccountNames = ["atlantis", "atlantis-worker"];
      },
      finds: (out) => {
        expect(role(out).bound_service_account_names).toEqual(["atlantis", "atlantis-worker"]);
      },
    },
    {
      writes: "[atlantis, atlantis-worker], with the jwt method",
      base: "jwt",
      set: (c) => {
        firstRole(c).boundServiceAccountNames = ["atlantis", "atlantis-worker"];
      },
      finds: (out) => {
        expect(jwtRole(out).bound_claims).toEqual({
          sub: "system:serviceaccount:atlantis:atlantis,system:serviceaccount:atlantis:atlantis-worker",
        });
      },
    },
  ],
  "clusters[].roles[].boundServiceAccountNamespaces": [
    {
      writes: "[ci]",
      base: "seed",
      set: (c) => {
        firstRole(c).boundServiceAccountNamespaces = ["ci"];
      },
      finds: (out) => {
        expect(role(out).bound_service_account_namespaces).toEqual(["ci"]);
      },
    },
    {
      writes: "[*], with the jwt method",
      base: "jwt",
      set: (c) => {
        firstRole(c).boundServiceAccountNamespaces = ["*"];
      },
      finds: (out) => {
        expect(jwtRole(out)).toMatchObject({
          bound_claims: { sub: "system:serviceaccount:*:atlantis" },
          bound_claims_type: "glob",
        });
      },
    },
  ],
  "clusters[].roles[].tokenPolicies": [
    {
      writes: "[admin, default]",
      base: "seed",
      set: (c) => {
        firstRole(c).tokenPolicies = ["admin", "default"];
      },
      finds: (out) => {
        expect(role(out).token_policies).toEqual([ref(out, "vault_policy", "name"), "default"]);
      },
    },
    {
      writes: "[admin, default], with the jwt method",
      base: "jwt",
      set: (c) => {
        firstRole(c).tokenPolicies = ["admin", "default"];
      },
      finds: (out) => {
        expect(jwtRole(out).token_policies).toEqual([ref(out, "vault_policy", "name"), "default"]);
      },
    },
  ],
  "clusters[].roles[].tokenPeriod": [
    {
      writes: "45m",
      base: "seed",
      set: (c) => {
        firstRole(c).tokenPeriod = "45m";
      },
      finds: (out) => {
        expect(role(out).token_period).toBe(2700);
      },
    },
    {
      writes: "45m, with the jwt method",
      base: "jwt",
      set: (c) => {
        firstRole(c).tokenPeriod = "45m";
      },
      finds: (out) => {
        expect(jwtRole(out).token_period).toBe(2700);
      },
    },
  ],
  "clusters[].roles[].tokenTtl": [
    {
      writes: "20m",
      base: "explicit",
      set: (c) => {
        firstRole(c).tokenPeriod = undefined;
        firstRole(c).tokenTtl = "20m";
      },
      finds: (out) => {
        expect(role(out).token_ttl).toBe(1200);
      },
    },
    {
      writes: "20m, with the jwt method",
      base: "jwt",
      set: (c) => {
        firstRole(c).tokenTtl = 1200;
      },
      finds: (out) => {
        expect(jwtRole(out).token_ttl).toBe(1200);
      },
    },
  ],
  "clusters[].roles[].tokenMaxTtl": [
    {
      writes: "2h",
      base: "seed",
      set: (c) => {
        firstRole(c).tokenMaxTtl = "2h";
      },
      finds: (out) => {
        expect(role(out).token_max_ttl).toBe(7200);
      },
    },
    {
      writes: "2h, with the jwt method",
      base: "jwt",
      set: (c) => {
        firstRole(c).tokenMaxTtl = "2h";
      },
      finds: (out) => {
        expect(jwtRole(out).token_max_ttl).toBe(7200);
      },
    },
  ],
  "clusters[].roles[].audience": [
    {
      writes: "vault",
      base: "seed",
      set: (c) => {
        firstRole(c).audience = "vault";
      },
      finds: (out) => {
        expect(role(out).audience).toBe("vault");
        expect(loginCommand(out)).toContain(`"$(cat /var/run/secrets/vault/token)"`);
        expect(out.warnings.filter((warning) => warning.includes("no audience is bound"))).toEqual([]);
      },
    },
    {
      writes: "https://vault.example.com, with the jwt method",
      base: "jwt",
      set: (c) => {
        firstRole(c).audience = "https://vault.example.com";
      },
      finds: (out) => {
        expect(jwtRole(out).bound_audiences).toEqual(["https://vault.example.com"]);
      },
    },
  ],
  "clusters[].roles[].boundServiceAccountNamespaceSelector.matchLabels": [
    {
      writes: "{ team: a }",
      base: "seed",
      set: (c) => {
        firstRole(c).boundServiceAccountNamespaceSelector = { matchLabels: { team: "a" } };
      },
      finds: (out) => {
        expect(role(out).bound_service_account_namespace_selector).toBe('{"matchLabels":{"team":"a"}}');
        expect(one(out.json, "kubernetes_cluster_role_v1")).toMatchObject({
          metadata: { name: "vault-vault-reviewer-namespace-reader" },
          rule: [{ api_groups: [""], resources: ["namespaces"], verbs: ["get"] }],
        });
      },
    },
  ],
  "clusters[].roles[].boundServiceAccountNamespaceSelector.matchExpressions": {
    notInJson: 'Vault refuses it ("label selector match expressions are not supported"), so the file may not hold it',
    effect: () => {
      const cluster = BASES.seed();
      firstRole(cluster).boundServiceAccountNamespaceSelector = {
        matchLabels: { team: "a" },
        matchExpressions: [{ key: "team", operator: "In", values: ["a"] }],
      };
      expect(problemsIn(stringify({ clusters: [cluster] }))).toMatch(
        /bad\.yaml:\d+:\d+: clusters\[0\]\.roles\[0\]\.boundServiceAccountNamespaceSelector\.matchExpressions is refused by Vault .*; express it with matchLabels/,
      );
    },
  },
  "clusters[].roles[].aliasNameSource": [
    {
      writes: "serviceaccount_name",
      base: "seed",
      set: (c) => {
        firstRole(c).aliasNameSource = "serviceaccount_name";
      },
      finds: (out) => {
        expect(role(out).alias_name_source).toBe("serviceaccount_name");
      },
    },
  ],
  "clusters[].roles[].tokenExplicitMaxTtl": [
    {
      writes: "24h",
      base: "seed",
      set: (c) => {
        firstRole(c).tokenExplicitMaxTtl = "24h";
      },
      finds: (out) => {
        expect(role(out).token_explicit_max_ttl).toBe(86400);
      },
    },
  ],
  "clusters[].roles[].tokenNoDefaultPolicy": [
    {
      writes: "true",
      base: "seed",
      set: (c) => {
        firstRole(c).tokenNoDefaultPolicy = true;
      },
      finds: (out) => {
        expect(role(out).token_no_default_policy).toBe(true);
      },
    },
  ],
  "clusters[].roles[].tokenBoundCidrs": [
    {
      writes: "[10.0.0.0/16]",
      base: "seed",
      set: (c) => {
        firstRole(c).tokenBoundCidrs = ["10.0.0.0/16"];
      },
      finds: (out) => {
        expect(role(out).token_bound_cidrs).toEqual(["10.0.0.0/16"]);
      },
    },
    {
      writes: "[10.0.0.0/16], with the jwt method",
      base: "jwt",
      set: (c) => {
        firstRole(c).tokenBoundCidrs = ["10.0.0.0/16"];
      },
      finds: (out) => {
        expect(jwtRole(out).token_bound_cidrs).toEqual(["10.0.0.0/16"]);
      },
    },
  ],
  "clusters[].roles[].tokenType": [
    {
      writes: "service",
      base: "seed",
      set: (c) => {
        firstRole(c).tokenType = "service";
      },
      finds: (out) => {
        expect(role(out).token_type).toBe("service");
      },
    },
  ],
  "clusters[].state.s3.bucket": [
    {
      writes: "other-bucket",
      base: "s3",
      set: (c) => {
        c.state = { s3: { bucket: "other-bucket", region: "ap-northeast-1" } };
      },
      finds: (out) => {
        expect(out.json.terraform.backend).toEqual({
          s3: {
            bucket: "other-bucket",
            key: "vault-k8s-auth/eks-test.tfstate",
            region: "ap-northeast-1",
            encrypt: true,
            use_lockfile: true,
          },
        });
      },
    },
  ],
  "clusters[].state.s3.key": [
    {
      writes: "clusters/prod.tfstate",
      base: "s3",
      set: (c) => {
        c.state = { s3: { bucket: "tf-state", region: "ap-northeast-1", key: "clusters/prod.tfstate" } };
      },
      finds: (out) => {
        expect(out.json.terraform.backend).toMatchObject({ s3: { bucket: "tf-state", key: "clusters/prod.tfstate" } });
      },
    },
  ],
  "clusters[].state.s3.region": [
    {
      writes: "eu-central-1",
      base: "s3",
      set: (c) => {
        c.state = { s3: { bucket: "tf-state", region: "eu-central-1" } };
      },
      finds: (out) => {
        expect(out.json.terraform.backend).toMatchObject({ s3: { region: "eu-central-1" } });
        expect(out.json.provider.aws).toEqual([{ region: "ap-northeast-1" }]);
      },
    },
  ],
  "clusters[].importExisting": [
    {
      writes: "true",
      base: "seed",
      set: (c) => {
        c.importExisting = true;
      },
      finds: (out) => {
        const imports = (out.json.import ?? []).map(({ id, to }) => [to.replace(/\..*/, ""), id]);
        expect(imports.sort()).toEqual(
          [
            ["kubernetes_cluster_role_binding_v1", "vault-auth-role-token-review-binding"],
            ["kubernetes_service_account_v1", "vault/vault-reviewer"],
            ["vault_auth_backend", "atlantis"],
            ["vault_kubernetes_auth_backend_config", "auth/atlantis/config"],
            ["vault_kubernetes_auth_backend_role", "auth/atlantis/role/atlantis"],
            ["vault_policy", "admin"],
          ].sort(),
        );
        expect(out.warnings).toContainEqual(
          located(
            "importExisting",
            "importExisting is on: every mount, config, role, policy and reviewer object in this cluster's " +
              "entry must already exist, or the plan fails. Set it back to false after the first deploy " +
              "(docs/migration-from-seed.md).",
          ),
        );
      },
    },
  ],
};

// ---------------------------------------------------------------------------------------------

const FIELDS = schemaFields(configSchema);

describe("the wiring table covers the config schema", () => {
  test("every field of the schema has a row (add one that sets the field and finds it in the JSON)", () => {
    expect(FIELDS.filter((field) => !(field in WIRING))).toEqual([]);
  });

  test("every row names a field the schema has", () => {
    expect(Object.keys(WIRING).filter((field) => !FIELDS.includes(field))).toEqual([]);
  });
});

const wired = Object.entries(WIRING).flatMap(([field, row]) =>
  "notInJson" in row ? [] : row.map((wiring) => ({ field, ...wiring })),
);
const unwired = Object.entries(WIRING).flatMap(([field, row]) => ("notInJson" in row ? [{ field, ...row }] : []));

describe("every config field reaches the synthesized JSON", () => {
  test.each(wired)("$field: $writes", ({ base, set, finds }) => {
    const entry = BASES[base]();
    const before = synthOf(entry);
    set(entry);
    finds(synthOf(entry));
    // The same expectation on the entry without the change must fail, or the row tests nothing;
    // and fail as an expectation (jest's error carries matcherResult), not as a TypeError of a
    // row that reads a path the unchanged JSON lacks.
    let failure: unknown;
    try {
      finds(before);
    } catch (error) {
      failure = error;
    }
    expect(failure).toHaveProperty("matcherResult");
  });
});

describe("fields that never reach the JSON, by design", () => {
  test.each(unwired)("$field does not, because $notInJson", ({ effect }) => {
    effect();
  });
});

/** A synth warning about `field` of the first cluster, with its file:line:col, and the message whole. */
function located(field: string, message: string) {
  const quote = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return expect.stringMatching(
    new RegExp(`^wiring\\.yaml:\\d+:\\d+: clusters\\[0\\]\\.${quote(field)}: ${quote(message)}$`),
  );
}

describe("what synth does with every entry, whatever its fields", () => {
  /** A fresh synth (no cache) of `clusters` into a folder of its own. */
  const synthFresh = (name: string, clusters: ClusterInput[]) => {
    const outdir = join(OUT, name);
    return synthesize(checkConfigText(stringify({ clusters }), "wiring.yaml"), { outdir });
  };

  test("importExisting left false runs no Terraform: synth works with none to run", () => {
    const binary = process.env.TERRAFORM_BINARY_NAME;
    process.env.TERRAFORM_BINARY_NAME = join(OUT, "no-such-terraform");
    try {
      expect(synthFresh("no-terraform", [BASES.explicit()]).stacks).toEqual(["eks-test"]);
    } finally {
      if (binary === undefined) delete process.env.TERRAFORM_BINARY_NAME;
      else process.env.TERRAFORM_BINARY_NAME = binary;
    }
  });

  test("writes no stack traces (paths of the machine that ran synth) into the manifest or the stacks", () => {
    const { outdir } = synthFresh("traces", [BASES.seed()]);
    for (const file of ["manifest.json", "stacks/eks-test/cdk.tf.json"]) {
      expect(readFileSync(join(outdir, file), "utf8")).not.toMatch(/stack_?trace/i);
    }
  });

  test("refuses an EKS entry without the optional AWS provider before writing anything; other entries need none", () => {
    whileAwsFails(notFound(AWS_PROVIDER), () => {
      const synthWithoutAws = (name: string, clusters: ClusterInput[]) => {
        const outdir = join(OUT, name);
        const run = () => synthesize(checkConfigText(stringify({ clusters }), "wiring.yaml"), { outdir });
        return { run, outdir };
      };
      // The explicit entry on a Vault namespace of its own: two entries may not own policy admin on one Vault.
      const explicit = { ...BASES.explicit(), name: "explicit", vault: { namespace: "other" } };
      for (const [name, clusters] of [
        ["no-aws-eks", [BASES.seed()]],
        ["no-aws-mixed", [explicit, BASES.seed()]],
      ] as const) {
        const { run, outdir } = synthWithoutAws(name, [...clusters]);
        expect(run).toThrow(
          "an EKS cluster needs the AWS provider, which is an optional peer dependency of vault-k8s-auth and is not installed",
        );
        expect(existsSync(outdir)).toBe(false);
      }
      expect(synthWithoutAws("no-aws-explicit", [explicit]).run().stacks).toEqual(["explicit"]);
    });
  });

  test("attaches a warning about one cluster to that cluster's stack only", () => {
    // Its own Vault namespace: two entries may not own policy admin on one Vault.
    const jwt = { ...BASES.jwt(), name: "jwt-cluster", vault: { namespace: "other" } };
    jwt.kubernetes.host = "https://k8s.example.com";
    const { stacks, warnings, outdir } = synthFresh("two-clusters", [BASES.defaults(), jwt]);
    expect(stacks).toEqual(["eks-test", "jwt-cluster"]);
    const unused = /^wiring\.yaml:\d+:\d+: clusters\[1\]\.kubernetes\.host is not used/;
    expect(warnings.filter((warning) => warning.includes("is not used with auth.method: jwt"))).toEqual([
      expect.stringMatching(unused),
    ]);
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { annotations: { message: string }[] }>;
    };
    const annotated = (stack: string) => manifest.stacks[stack].annotations.filter((a) => unused.test(a.message));
    expect(annotated("jwt-cluster")).toHaveLength(1);
    expect(annotated("eks-test")).toHaveLength(0);
  });
});
