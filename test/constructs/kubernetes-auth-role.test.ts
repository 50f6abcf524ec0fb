import { Testing } from "cdktf";
import { KubernetesAuthBackend, Reviewer } from "../../src/constructs";
import { Duration } from "../../src/domain/duration";
import { ClusterRoleBindingV1, ClusterRoleV1, KubernetesAuthBackendRole } from "../../src/providers";
import { kubernetesMount, newStack, synthJson, TEST_CA, validationMessage, warningsOf } from "../helpers";

const backend = (reviewer = Reviewer.longLivedToken()) => kubernetesMount({ path: "k8s", reviewer });

const vaultPodMount = () => kubernetesMount({ path: "k8s/prod", reviewer: Reviewer.vaultPod() });

const base = { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"], audience: "vault" };

describe("KubernetesAuthRole", () => {
  test("renders names, namespaces, policies, durations in seconds and the audience", () => {
    const { stack, auth } = vaultPodMount();
    const role = auth.addRole("atlantis", {
      boundServiceAccountNames: ["atlantis"],
      boundServiceAccountNamespaces: ["atlantis", "atlantis-dev"],
      tokenPolicies: ["atlantis-read"],
      tokenPeriod: Duration.minutes(30),
      tokenTtl: Duration.parse("20m"),
      tokenMaxTtl: Duration.hours(1),
      audience: "vault",
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(KubernetesAuthBackendRole, {
      role_name: "atlantis",
      backend: expect.stringMatching(/^\$\{vault_auth_backend\.[^.]+\.path\}$/),
      bound_service_account_names: ["atlantis"],
      bound_service_account_namespaces: ["atlantis", "atlantis-dev"],
      token_policies: ["atlantis-read"],
      token_period: 1800,
      token_ttl: 1200,
      token_max_ttl: 3600,
      audience: "vault",
    });
    expect(warningsOf(role)).toEqual([]);
    expect(auth.loginPath).toBe("auth/k8s/prod/login");
  });

  test("warns when no audience is bound, saying how to bind one", () => {
    const { auth } = vaultPodMount();
    const role = auth.addRole("ci", { boundServiceAccountNames: ["ci"], boundServiceAccountNamespaces: ["ci"] });
    expect(warningsOf(role)).toEqual([expect.stringContaining("role ci: no audience is bound")]);
    expect(warningsOf(role)[0]).toContain("projected ServiceAccount token");
  });

  test("on a client-jwt mount, advises an audience of the API server's own (auth.reviewer.apiAudiences), not one it refuses", () => {
    // A client-jwt mount sends the pod's token as the TokenReview's bearer, which the API server
    // authenticates only for its --api-audiences (vault-plugin-auth-kubernetes v0.23.1
    // token_review.go:69-75): "vault", the other advice, is refused by the config there.
    const auth = new KubernetesAuthBackend(newStack(), "Auth", {
      path: "k8s",
      kubernetesHost: "https://kubernetes.example.com",
      kubernetesCaCert: TEST_CA,
      reviewer: Reviewer.clientJwt(),
    });
    const role = auth.addRole("ci", { boundServiceAccountNames: ["ci"], boundServiceAccountNamespaces: ["ci"] });
    expect(warningsOf(role)).toEqual([
      "role ci: no audience is bound, so any token of a bound ServiceAccount that the API server accepts logs in, " +
        "its default token included (Vault 1.20+ warns about this too). With the client-jwt reviewer the token must " +
        'carry one of the API server\'s own audiences, so a Vault-only audience such as "vault" cannot be bound here: ' +
        "list the API server's audience in auth.reviewer.apiAudiences and set audience to it, or use the " +
        'long-lived-token or vault-pod reviewer to bind "vault" (docs/pods.md: "Bind an audience").',
    ]);
  });

  test("warns when any ServiceAccount of any namespace may log in", () => {
    const { auth } = vaultPodMount();
    const role = auth.addRole("all", {
      boundServiceAccountNames: ["*"],
      boundServiceAccountNamespaces: ["*"],
      audience: "vault",
    });
    expect(warningsOf(role)).toEqual([expect.stringContaining("lets every ServiceAccount of the cluster log in")]);
  });

  test("keys each role's address by its name, not its position", () => {
    const roleAddresses = (names: string[]) => {
      const { stack, auth } = vaultPodMount();
      for (const name of names)
        auth.addRole(name, { boundServiceAccountNames: [name], boundServiceAccountNamespaces: [name] });
      return Object.keys(synthJson(stack).resource.vault_kubernetes_auth_backend_role);
    };
    const [alone] = roleAddresses(["a"]);
    expect(alone).toMatch(/^Auth_Roles_a_[0-9A-F]{8}$/);
    expect(roleAddresses(["b", "a"])).toContain(alone);
  });

  test.each([
    [
      ["*", "atlantis"],
      'test/Auth/Roles/x: boundServiceAccountNames: ["*","atlantis"] mixes "*" with names, which Vault rejects; use ["*"] alone or only names',
    ],
    [[], 'test/Auth/Roles/x: boundServiceAccountNames is empty; list at least one ServiceAccount name, or "*" for any'],
    [
      ["Atlantis"],
      "test/Auth/Roles/x: boundServiceAccountNames[0]: \"Atlantis\" is not a valid ServiceAccount name; use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit, or a pattern with \"*\" (e.g. atlantis-*)",
    ],
  ])("rejects boundServiceAccountNames %j", (names, message) => {
    const { auth } = vaultPodMount();
    expect(
      validationMessage(() =>
        auth.addRole("x", { boundServiceAccountNames: names, boundServiceAccountNamespaces: ["x"] }),
      ),
    ).toBe(message);
  });

  test("rejects a TTL greater than the max TTL", () => {
    const { auth } = vaultPodMount();
    expect(
      validationMessage(() =>
        auth.addRole("x", {
          boundServiceAccountNames: ["x"],
          boundServiceAccountNamespaces: ["x"],
          tokenTtl: Duration.hours(2),
          tokenMaxTtl: Duration.hours(1),
        }),
      ),
    ).toBe(
      'test/Auth/Roles/x: tokenTtl: "2h" (7200s) is greater than tokenMaxTtl "1h" (3600s); lower tokenTtl or raise tokenMaxTtl',
    );
  });

  test("rejects the same role name twice on one mount", () => {
    const { auth } = vaultPodMount();
    const props = { boundServiceAccountNames: ["x"], boundServiceAccountNamespaces: ["x"] };
    auth.addRole("x", props);
    expect(validationMessage(() => auth.addRole("x", props))).toBe(
      'test/Auth: roles[1].name: role name "x" is already used by roles[0]; names must be unique',
    );
  });
});

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

describe("role token options", () => {
  test("rejects an address block whose prefix length is left empty, naming the role's field", () => {
    expect(
      validationMessage(() =>
        kubernetesMount().auth.addRole("app", {
          boundServiceAccountNames: ["app"],
          boundServiceAccountNamespaces: ["apps"],
          tokenBoundCidrs: ["10.0.0.0/8", "10.0.0.0/"],
        }),
      ),
    ).toBe(
      'test/Auth/Roles/app: tokenBoundCidrs[1]: "10.0.0.0/" is not an address block; use an address block such as 10.0.0.0/16, 192.168.1.10/32 or fd00::/8 (the pod network Vault sees logins from)',
    );
  });
});
