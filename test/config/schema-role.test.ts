import { Testing } from "cdktf";
import { parseConfig } from "../../src/config/load";
import { ClusterRoleV1, KubernetesAuthBackendRole } from "../../src/providers";
import { fileWith, firstRole, problemsIn, seedCluster, stackFor } from "../helpers";

/** The single problem line a file produces, without the header. */
function problem(change: (cluster: Record<string, unknown>) => void): string {
  const [header, ...lines] = problemsIn(fileWith(change)).split("\n");
  expect(header).toMatch(/^bad\.yaml has 1 problem:$/);
  return lines.join("\n").trim();
}

describe("role options in the config file", () => {
  test("synthesizes every option onto the role", () => {
    const stack = stackFor(
      seedCluster({
        roles: [
          {
            name: "atlantis",
            boundServiceAccountNames: ["atlantis"],
            boundServiceAccountNamespaceSelector: { matchLabels: { "vault.example.com/atlantis": "allowed" } },
            aliasNameSource: "serviceaccount_name",
            tokenExplicitMaxTtl: "24h",
            tokenNoDefaultPolicy: true,
            tokenBoundCidrs: ["10.0.0.0/8"],
            tokenType: "batch",
            tokenTtl: "15m",
          },
        ],
      }),
    );
    const synthesized = Testing.synth(stack);
    expect(synthesized).toHaveResourceWithProperties(KubernetesAuthBackendRole, {
      bound_service_account_namespace_selector: '{"matchLabels":{"vault.example.com/atlantis":"allowed"}}',
      alias_name_source: "serviceaccount_name",
      token_explicit_max_ttl: 86400,
      token_no_default_policy: true,
      token_bound_cidrs: ["10.0.0.0/8"],
      token_type: "batch",
      token_ttl: 900,
    });
    expect(synthesized).toHaveResource(ClusterRoleV1);
  });

  test("rejects matchExpressions, which Vault refuses (vault-plugin-auth-kubernetes v0.23.1 namespace_validator.go:121-123)", () => {
    expect(
      problem((c) => {
        firstRole(c).boundServiceAccountNamespaceSelector = {
          matchLabels: { a: "b" },
          matchExpressions: [{ key: "a", operator: "Exists" }],
        };
      }),
    ).toMatch(
      /^bad\.yaml:\d+:\d+: clusters\[0\]\.roles\[0\]\.boundServiceAccountNamespaceSelector\.matchExpressions is refused by Vault \("label selector match expressions are not supported"/,
    );
  });

  test("accepts a selector built in code whose matchExpressions is undefined, as if it were left out", () => {
    const cluster = seedCluster();
    cluster.roles[0].boundServiceAccountNamespaceSelector = { matchLabels: { team: "a" }, matchExpressions: undefined };
    expect(
      parseConfig({ clusters: [cluster] }, "code").clusters[0].roles[0].boundServiceAccountNamespaceSelector,
    ).toEqual({
      matchLabels: { team: "a" },
    });
  });

  test("rejects an empty matchLabels, which would admit every namespace", () => {
    expect(
      problem((c) => {
        firstRole(c).boundServiceAccountNamespaceSelector = { matchLabels: {} };
      }),
    ).toContain(
      'matchLabels is empty, and an empty selector admits every namespace; name labels, or use boundServiceAccountNamespaces: ["*"] if every namespace is meant',
    );
  });

  test("rejects a role with neither namespaces nor a selector, at the role", () => {
    expect(
      problem((c) => {
        delete firstRole(c).boundServiceAccountNamespaces;
      }),
    ).toMatch(
      /^bad\.yaml:\d+:\d+: clusters\[0\]\.roles\[0\]\.boundServiceAccountNamespaces is required \(Vault refuses a role with neither namespaces nor a namespace selector\)/,
    );
  });

  test("rejects a misspelt alias name source with a suggestion", () => {
    expect(
      problem((c) => {
        firstRole(c).aliasNameSource = "serviceaccount_names";
      }),
    ).toContain(
      '.aliasNameSource: "serviceaccount_names" is not an alias name source; use one of serviceaccount_uid, serviceaccount_name; did you mean "serviceaccount_name"?',
    );
  });

  test("rejects a token type Vault does not know", () => {
    expect(
      problem((c) => {
        firstRole(c).tokenType = "default-batch";
      }),
    ).toContain('.tokenType: "default-batch" is not a token type; use one of default, service, batch');
  });

  test("rejects a batch token type on the seed's periodic role", () => {
    expect(
      problem((c) => {
        firstRole(c).tokenType = "batch";
      }),
    ).toContain(
      ".tokenType is batch, but batch tokens cannot be periodic: Vault refuses the role (\"'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens\", vault/sdk helper/tokenutil/tokenutil.go:225-228); drop tokenPeriod or use token type service",
    );
  });

  test("rejects an address block with a prefix longer than the address", () => {
    expect(
      problem((c) => {
        firstRole(c).tokenBoundCidrs = ["10.0.0.0/33"];
      }),
    ).toContain('.tokenBoundCidrs[0]: "10.0.0.0/33" has prefix length /33, but an IPv4 address has 32 bits');
  });

  test("rejects a namespace selector with the client-jwt reviewer", () => {
    expect(
      problem((c) => {
        (c.auth as Record<string, unknown>).reviewer = { mode: "client-jwt" };
        firstRole(c).boundServiceAccountNamespaceSelector = { matchLabels: { a: "b" } };
      }),
    ).toContain(
      '.boundServiceAccountNamespaceSelector: needs a reviewer JWT, which the client-jwt reviewer does not store: Vault reads the namespace\'s labels with it (namespace_validator.go:67-70) and answers "namespace not authorized" without; list boundServiceAccountNamespaces, or use the long-lived-token or vault-pod reviewer',
    );
  });
});
