import { Testing } from "cdktf";
import { KubernetesAuthBackend, Reviewer } from "../../src/constructs";
import { Duration } from "../../src/domain/duration";
import { ClusterRoleBindingV1, ClusterRoleV1, KubernetesAuthBackendRole } from "../../src/providers";
import { newStack, synthJson, TEST_CA, validationMessage } from "../helpers";

function backend(reviewer = Reviewer.longLivedToken()) {
  const stack = newStack();
  const auth = new KubernetesAuthBackend(stack, "Auth", {
    path: "k8s",
    kubernetesHost: "https://kubernetes.example.com",
    kubernetesCaCert: TEST_CA,
    reviewer,
  });
  return { stack, auth };
}

const base = { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"], audience: "vault" };

describe("role options (vault_kubernetes_auth_backend_role, terraform-provider-vault v5.6.0)", () => {
  test("renders alias_name_source and every token option, durations in seconds", () => {
    const { stack, auth } = backend();
    auth.addRole("app", {
      ...base,
      aliasNameSource: "serviceaccount_name",
      tokenExplicitMaxTtl: Duration.hours(24),
      tokenNoDefaultPolicy: true,
      tokenBoundCidrs: ["10.0.0.0/16", "fd00::/8", "192.168.1.10"],
      tokenType: "service",
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(KubernetesAuthBackendRole, {
      alias_name_source: "serviceaccount_name",
      token_explicit_max_ttl: 86400,
      token_no_default_policy: true,
      token_bound_cidrs: ["10.0.0.0/16", "fd00::/8", "192.168.1.10"],
      token_type: "service",
    });
  });

  test("leaves every unset option out of the JSON, so existing roles plan no change", () => {
    const { stack, auth } = backend();
    auth.addRole("app", base);
    const role = Object.values(synthJson(stack).resource.vault_kubernetes_auth_backend_role)[0];
    expect(Object.keys(role).sort()).toEqual([
      "audience",
      "backend",
      "bound_service_account_names",
      "bound_service_account_namespaces",
      "role_name",
    ]);
  });

  test("renders a namespace selector as the JSON LabelSelector Vault parses (namespace_validator.go:98-109)", () => {
    const { stack, auth } = backend();
    auth.addRole("team", {
      boundServiceAccountNames: ["app"],
      boundServiceAccountNamespaceSelector: { matchLabels: { "example.com/team": "payments", tier: "prod" } },
      audience: "vault",
    });
    const role = Object.values(synthJson(stack).resource.vault_kubernetes_auth_backend_role)[0];
    expect(JSON.parse(String(role.bound_service_account_namespace_selector))).toEqual({
      matchLabels: { "example.com/team": "payments", tier: "prod" },
    });
    expect(role).not.toHaveProperty("bound_service_account_namespaces");
  });

  test("grants the reviewer get on namespaces once, for the first role with a selector (namespace_validator.go:59-76)", () => {
    const { stack, auth } = backend(Reviewer.longLivedToken({ serviceAccountName: "reviewer", namespace: "vault" }));
    const selector = { matchLabels: { vault: "yes" } };
    auth.addRole("plain", base);
    auth.addRole("a", { ...base, boundServiceAccountNamespaceSelector: selector });
    auth.addRole("b", { ...base, boundServiceAccountNamespaceSelector: selector });
    const synthesized = Testing.synth(stack);
    expect(synthesized).toHaveResourceWithProperties(ClusterRoleV1, {
      metadata: { name: "vault-reviewer-namespace-reader" },
      rule: [{ api_groups: [""], resources: ["namespaces"], verbs: ["get"] }],
    });
    expect(synthesized).toHaveResourceWithProperties(ClusterRoleBindingV1, {
      metadata: { name: "vault-reviewer-namespace-reader" },
      subject: [{ kind: "ServiceAccount", name: "reviewer", namespace: "vault" }],
    });
    expect(Object.keys(synthJson(stack).resource.kubernetes_cluster_role_v1)).toHaveLength(1);
  });

  test("grants Vault's own ServiceAccount with the vault-pod reviewer", () => {
    const { stack, auth } = backend(Reviewer.vaultPod({ serviceAccountName: "vault", namespace: "vault" }));
    auth.addRole("a", { ...base, boundServiceAccountNamespaceSelector: { matchLabels: { vault: "yes" } } });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ClusterRoleBindingV1, {
      metadata: { name: "vault-vault-namespace-reader" },
      subject: [{ kind: "ServiceAccount", name: "vault", namespace: "vault" }],
    });
  });

  test("creates no namespace reader while no role selects namespaces", () => {
    const { stack, auth } = backend();
    auth.addRole("app", base);
    expect(Testing.synth(stack)).not.toHaveResource(ClusterRoleV1);
  });

  test("rejects a namespace selector with the client-jwt reviewer, which stores no JWT to read namespaces with", () => {
    const { auth } = backend(Reviewer.clientJwt());
    expect(
      validationMessage(() =>
        auth.addRole("a", {
          boundServiceAccountNames: ["app"],
          boundServiceAccountNamespaces: ["app"],
          boundServiceAccountNamespaceSelector: { matchLabels: { vault: "yes" } },
        }),
      ),
    ).toMatch(/^test\/Auth\/Roles\/a: boundServiceAccountNamespaceSelector: needs a reviewer JWT/);
  });

  test("rejects a role with neither namespaces nor a selector (path_role.go:323-328)", () => {
    const { auth } = backend();
    expect(validationMessage(() => auth.addRole("a", { boundServiceAccountNames: ["app"] }))).toBe(
      'test/Auth/Roles/a: boundServiceAccountNamespaces is required (Vault refuses a role with neither namespaces nor a namespace selector); list namespaces, ["*"] for any, or give boundServiceAccountNamespaceSelector',
    );
  });

  test.each([
    [
      {},
      'test/Auth/Roles/a: boundServiceAccountNamespaceSelector.matchLabels is empty, and an empty selector admits every namespace; name labels, or use boundServiceAccountNamespaces: ["*"] if every namespace is meant',
    ],
    [
      { "a/b/c": "x" },
      "test/Auth/Roles/a: boundServiceAccountNamespaceSelector.matchLabels.a/b/c: \"a/b/c\" is not a label key; use a label key such as team or example.com/team: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/'",
    ],
    [
      { team: "-payments" },
      "test/Auth/Roles/a: boundServiceAccountNamespaceSelector.matchLabels.team: \"-payments\" is not a label value; use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or an empty value)",
    ],
  ])("rejects the selector labels %j", (matchLabels, message) => {
    const { auth } = backend();
    expect(
      validationMessage(() =>
        auth.addRole("a", { boundServiceAccountNames: ["app"], boundServiceAccountNamespaceSelector: { matchLabels } }),
      ),
    ).toBe(message);
  });

  test("rejects a batch token type on a periodic role (vault/sdk tokenutil.go:225-228)", () => {
    const { auth } = backend();
    expect(
      validationMessage(() => auth.addRole("a", { ...base, tokenType: "batch", tokenPeriod: Duration.minutes(30) })),
    ).toBe(
      "test/Auth/Roles/a: tokenType is batch, but batch tokens cannot be periodic: Vault refuses the role (\"'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens\", vault/sdk helper/tokenutil/tokenutil.go:225-228); drop tokenPeriod or use token type service",
    );
  });

  test.each([
    ["10.0.0.0/33", "has prefix length /33, but an IPv4 address has 32 bits"],
    ["10.0.0/8", "is not an IPv4 or IPv6 address (with an optional /prefix length)"],
    ["vault.example.com", "is not an IPv4 or IPv6 address (with an optional /prefix length)"],
  ])("rejects the token bound CIDR %s", (block, message) => {
    const { auth } = backend();
    expect(validationMessage(() => auth.addRole("a", { ...base, tokenBoundCidrs: [block] }))).toBe(
      `test/Auth/Roles/a: tokenBoundCidrs[0]: "${block}" ${message}`,
    );
  });
});
