/**
 * The defaults a config file relies on when it leaves a field out, asserted as values: in the
 * parsed config, in the synthesized JSON, and in the field table of docs/configure.md that promises them.
 * Elsewhere most defaults show only inside a message or a larger snapshot; a flipped `.default()`
 * must fail here by name.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parseConfigText } from "../../src/config/load";
import type { ClusterConfig } from "../../src/config/schema";
import { VaultK8sAuthStack } from "../../src/stacks/vault-k8s-auth-stack";
import { only, synthJson, TEST_CA, type TerraformJson, warningsOf } from "../helpers";
import { once } from "../once";

/** The least a file may say: a name, where the cluster is, and one role. */
const MINIMAL = `clusters:
  - name: prod
    kubernetes:
      eks: { clusterName: prod-eks, region: eu-west-1 }
    roles:
      - name: app
        boundServiceAccountNames: [app]
        boundServiceAccountNamespaces: [apps]
`;

/** MINIMAL with `lines` added to the cluster entry (indented as its keys). */
const minimalWith = (...lines: string[]) =>
  MINIMAL.replace("    roles:\n", `${lines.map((line) => `    ${line}\n`).join("")}    roles:\n`);

const parsed = (text: string): ClusterConfig => parseConfigText(text, "min.yaml").clusters[0];

function synthesized(cluster: ClusterConfig): { stack: VaultK8sAuthStack; json: TerraformJson } {
  const stack = new VaultK8sAuthStack(Testing.app(), cluster.name, { cluster });
  return { stack, json: synthJson(stack) };
}

describe("a minimal entry", () => {
  // Parsed and synthesized in each test, not while jest collects the tests (docs/development.md).
  const minimal = () => {
    const cluster = parsed(MINIMAL);
    return { cluster, ...synthesized(cluster) };
  };

  test("parses to the documented defaults, every one of them", () => {
    const { cluster } = minimal();
    expect(cluster).toEqual({
      name: "prod",
      kubernetes: { eks: { clusterName: "prod-eks", region: "eu-west-1", staticToken: false }, inCluster: false },
      vault: {},
      auth: {
        method: "kubernetes",
        path: "kubernetes",
        reviewer: {
          mode: "long-lived-token",
          serviceAccountName: "vault-reviewer",
          namespace: "vault",
          createNamespace: false,
        },
        preventDestroy: true,
        disableIssValidation: true,
      },
      policies: [],
      roles: [
        { name: "app", boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["apps"], tokenPolicies: [] },
      ],
      importExisting: false,
    });
  });

  test("mounts auth/kubernetes, kept from destroy and from remount", () => {
    const { json } = minimal();
    expect(only(json, "vault_auth_backend")).toEqual({
      type: "kubernetes",
      path: "kubernetes",
      disable_remount: true,
      lifecycle: { prevent_destroy: true },
    });
    expect(json.output.login_path.value).toBe("auth/kubernetes/login");
  });

  test("leaves iss unchecked and reviews with the stored token of a long-lived reviewer", () => {
    const { json } = minimal();
    expect(only(json, "vault_kubernetes_auth_backend_config")).toMatchObject({
      disable_iss_validation: true,
      disable_local_ca_jwt: false,
      token_reviewer_jwt: expect.stringMatching(/^\$\{sensitive\(kubernetes_secret_v1\.[^.]+\.data\.token\)\}$/),
    });
  });

  test("creates reviewer vault-reviewer in namespace vault, its Secret vault-reviewer-token and binding vault-vault-reviewer-auth-delegator, but not the namespace", () => {
    const { json } = minimal();
    expect(only(json, "kubernetes_service_account_v1").metadata).toEqual({
      name: "vault-reviewer",
      namespace: "vault",
    });
    expect(only(json, "kubernetes_secret_v1").metadata).toMatchObject({
      name: "vault-reviewer-token",
      namespace: "vault",
    });
    expect(only(json, "kubernetes_cluster_role_binding_v1")).toMatchObject({
      metadata: { name: "vault-vault-reviewer-auth-delegator" },
      subject: [{ kind: "ServiceAccount", name: "vault-reviewer", namespace: "vault" }],
    });
    expect(json.resource).not.toHaveProperty("kubernetes_namespace_v1");
  });

  test("gives the role no policy of the file, so its tokens carry Vault's default alone", () => {
    const { json } = minimal();
    expect(only(json, "vault_kubernetes_auth_backend_role").token_policies).toEqual([]);
    expect(json.resource).not.toHaveProperty("vault_policy");
  });

  test("reaches EKS with `aws eks get-token` at every run, not a 15-minute token", () => {
    const { json } = minimal();
    expect(json.provider.kubernetes).toEqual([
      expect.objectContaining({
        exec: [
          {
            api_version: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", "prod-eks", "--region", "eu-west-1"],
          },
        ],
      }),
    ]);
    expect(json.provider.kubernetes[0]).not.toHaveProperty("token");
    expect(json.data).not.toHaveProperty("aws_eks_cluster_auth");
  });

  test("leaves Vault's address and namespace to the deploy environment (VAULT_ADDR)", () => {
    const { json } = minimal();
    expect(json.provider.vault).toEqual([{}]);
  });

  test("keeps state in a local file next to cdktf.out, and writes no import block", () => {
    const { stack, json } = minimal();
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.prod.tfstate" } });
    expect(json).not.toHaveProperty("import");
    expect(warningsOf(stack)).not.toContainEqual(expect.stringContaining("importExisting"));
  });
});

/** MINIMAL with an explicit host and CA in place of eks. */
const EXPLICIT = MINIMAL.replace(
  "      eks: { clusterName: prod-eks, region: eu-west-1 }\n",
  `      host: https://k8s.example.com\n      caCertificate: ${JSON.stringify(TEST_CA)}\n`,
);

describe("defaults inside the parts a file names", () => {
  test("vault-pod: Vault's own ServiceAccount vault/vault, bound to system:auth-delegator", () => {
    const cluster = parsed(minimalWith("auth: { reviewer: { mode: vault-pod } }"));
    expect(cluster.auth.reviewer).toEqual({
      mode: "vault-pod",
      serviceAccountName: "vault",
      namespace: "vault",
      createBinding: true,
    });
    expect(only(synthesized(cluster).json, "kubernetes_cluster_role_binding_v1")).toMatchObject({
      metadata: { name: "vault-vault-auth-delegator" },
      subject: [{ kind: "ServiceAccount", name: "vault", namespace: "vault" }],
    });
  });

  test("kvRead: KV version 2, so the data/ and metadata/ paths", () => {
    const cluster = parsed(minimalWith("policies: [{ name: p, rules: [{ kvRead: { mount: secret, path: app } }] }]"));
    expect(cluster.policies[0].rules).toEqual([{ kvRead: { mount: "secret", path: "app", version: 2 } }]);
    const { json } = synthesized(cluster);
    expect(Object.values(json.data?.vault_policy_document ?? {})).toEqual([
      {
        rule: [
          { path: "secret/data/app", capabilities: ["read"] },
          { path: "secret/metadata/app", capabilities: ["read", "list"] },
        ],
      },
    ]);
  });

  test("state.s3: key vault-k8s-auth/<cluster name>.tfstate, encrypted, with S3-native locking", () => {
    const cluster = parsed(minimalWith("state: { s3: { bucket: tf-state, region: eu-west-1 } }"));
    expect(cluster.state).toEqual({ s3: { bucket: "tf-state", region: "eu-west-1" } });
    expect(synthesized(cluster).json.terraform.backend).toEqual({
      s3: {
        bucket: "tf-state",
        key: "vault-k8s-auth/prod.tfstate",
        region: "eu-west-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  test("an explicit connection: not in-cluster, and the kubeconfig's context and path left to the provider", () => {
    const cluster = parsed(EXPLICIT);
    expect(cluster.kubernetes).toEqual({ host: "https://k8s.example.com", caCertificate: TEST_CA, inCluster: false });
    const { stack, json } = synthesized(cluster);
    expect(json.provider.kubernetes).toEqual([{}]);
    expect(warningsOf(stack)).toContainEqual(expect.stringContaining("no kubeconfig context is set"));
  });
});

describe("the field table of docs/configure.md", () => {
  const README = readFileSync(join(__dirname, "..", "..", "docs", "configure.md"), "utf8");
  const table = README.slice(README.indexOf("| field "), README.indexOf("\n\n", README.indexOf("| field ")));
  const rows = new Map(
    table
      .split("\n")
      .slice(2)
      .map((line) => line.split("|").map((cell) => cell.trim()))
      .map((cells) => [cells[1], cells[3]] as const),
  );
  // Each made by the first row that reads it, not while jest collects the tests (docs/development.md).
  const cluster = once(() => parsed(MINIMAL));
  const json = once(() => synthesized(cluster()).json);
  const withS3 = once(
    () => synthesized(parsed(minimalWith("state: { s3: { bucket: tf-state, region: eu-west-1 } }"))).json,
  );
  const withKvRead = once(() =>
    parsed(minimalWith("policies: [{ name: p, rules: [{ kvRead: { mount: s, path: x } }] }]")),
  );
  const explicit = once(() => synthesized(parsed(EXPLICIT)).json.provider.kubernetes[0]);
  const jwtMount = once(() =>
    only(
      synthesized(parsed(minimalWith("auth: { method: jwt }").replace("[apps]\n", "[apps]\n        audience: vault\n")))
        .json,
      "vault_jwt_auth_backend",
    ),
  );
  const code = (value: unknown) => `\`${String(value)}\``;

  // What each row's default column says, written from what the minimal entry parses and synthesizes to.
  const documented: Record<string, () => string> = {
    "`name`": () => "required",
    "`kubernetes.eks`": () =>
      code(`${(json().provider.kubernetes[0].exec as { command: string }[])[0].command} eks get-token`),
    "`kubernetes.host`, `.caCertificate`, `.kubeconfig`, `.inCluster`": () =>
      `${"config_path" in explicit() ? "?" : "no `config_path`: `KUBE_CONFIG_PATH`, else in-cluster"}; ${"config_context" in explicit() ? "?" : "current context"}`,
    "`vault.address`, `.namespace`": () =>
      `${cluster().vault.address === undefined && json().provider.vault[0].address === undefined ? "`VAULT_ADDR`" : "?"}; ${cluster().vault.namespace ?? "none"}`,
    "`auth.method`": () => code(cluster().auth.method),
    "`auth.jwt`": () =>
      /^\$\{data\.aws_eks_cluster\.[^.]+\.identity\[0\]\.oidc\[0\]\.issuer\}$/.test(String(jwtMount().bound_issuer))
        ? "EKS: the cluster's OIDC issuer"
        : "?",
    "`auth.path`": () => code(cluster().auth.path),
    "`auth.reviewer`": () => {
      const reviewer = cluster().auth.reviewer as { mode: string; serviceAccountName: string; namespace: string };
      return `${reviewer.mode}, ${code(reviewer.serviceAccountName)} in ${code(reviewer.namespace)}`;
    },
    "`auth.preventDestroy`": () => code(cluster().auth.preventDestroy),
    "`auth.disableIssValidation`, `auth.description`": () =>
      `${code(cluster().auth.disableIssValidation)}; ${cluster().auth.description ?? "none"}`,
    "`policies[]`": () => (cluster().policies.length === 0 ? "none" : "?"),
    "`rules[]`": () => `KV version ${(withKvRead().policies[0].rules ?? [])[0].kvRead?.version}`,
    "`roles[]`": () => (cluster().roles[0].tokenPolicies.length === 0 ? "no policies but Vault's `default`" : "?"),
    durations: () => "—",
    "`state.s3`": () =>
      `${"local" in (json().terraform.backend as object) ? "local file" : "?"}; key ${code((withS3().terraform.backend as { s3: { key: string } }).s3.key.replace("prod", "<name>"))}`,
    "`importExisting`": () => code(cluster().importExisting),
  };

  test("is read: its rows are the fields this test knows (a row that stops parsing, or a new one, fails here)", () => {
    expect([...rows.keys()]).toEqual(Object.keys(documented));
  });

  test("states the defaults a minimal entry gets", () => {
    const actual = Object.fromEntries(Object.entries(documented).map(([field, said]) => [field, said()]));
    expect(Object.fromEntries(rows)).toEqual(actual);
  });
});
