import { Testing } from "cdktf";
import {
  KubernetesAuthBackend,
  PolicyPresets,
  PolicyRules,
  policyWarnings,
  Reviewer,
  VaultPolicy,
} from "../../src/constructs";
import { Duration } from "../../src/domain/duration";
import { DataVaultPolicyDocument, KubernetesAuthBackendRole, Policy } from "../../src/providers";
import { newStack, only, synthJson, TEST_CA, validationMessage, warningsOf } from "../helpers";

function backend() {
  const stack = newStack();
  const auth = new KubernetesAuthBackend(stack, "Auth", {
    path: "k8s/prod",
    kubernetesHost: "https://kubernetes.example.com",
    kubernetesCaCert: TEST_CA,
    reviewer: Reviewer.vaultPod(),
  });
  return { stack, auth };
}

describe("KubernetesAuthRole", () => {
  test("renders names, namespaces, policies, durations in seconds and the audience", () => {
    const { stack, auth } = backend();
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
    const { auth } = backend();
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
    const { auth } = backend();
    const role = auth.addRole("all", {
      boundServiceAccountNames: ["*"],
      boundServiceAccountNamespaces: ["*"],
      audience: "vault",
    });
    expect(warningsOf(role)).toEqual([expect.stringContaining("lets every ServiceAccount of the cluster log in")]);
  });

  test("keys each role's address by its name, not its position", () => {
    const roleAddresses = (names: string[]) => {
      const { stack, auth } = backend();
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
    const { auth } = backend();
    expect(
      validationMessage(() =>
        auth.addRole("x", { boundServiceAccountNames: names, boundServiceAccountNamespaces: ["x"] }),
      ),
    ).toBe(message);
  });

  test("rejects a TTL greater than the max TTL", () => {
    const { auth } = backend();
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
    const { auth } = backend();
    const props = { boundServiceAccountNames: ["x"], boundServiceAccountNamespaces: ["x"] };
    auth.addRole("x", props);
    expect(validationMessage(() => auth.addRole("x", props))).toBe(
      'test/Auth: roles[1].name: role name "x" is already used by roles[0]; names must be unique',
    );
  });
});

describe("KubernetesAuthBackend", () => {
  test("mounts kubernetes auth at the path, keeps it from being destroyed and disables iss validation", () => {
    const { stack } = backend();
    const json = synthJson(stack);
    expect(only(json, "vault_auth_backend")).toMatchObject({
      type: "kubernetes",
      path: "k8s/prod",
      lifecycle: { prevent_destroy: true },
    });
    expect(only(json, "vault_kubernetes_auth_backend_config")).toMatchObject({
      kubernetes_host: "https://kubernetes.example.com",
      disable_iss_validation: true,
    });
  });

  test("lets prevent_destroy be switched off on purpose", () => {
    const stack = newStack();
    new KubernetesAuthBackend(stack, "Auth", {
      kubernetesHost: "https://k",
      reviewer: Reviewer.vaultPod(),
      preventDestroy: false,
    });
    expect(only(synthJson(stack), "vault_auth_backend")).toMatchObject({ lifecycle: { prevent_destroy: false } });
  });

  test.each([
    [
      "/atlantis",
      "is not a Vault mount path; use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)",
    ],
    [
      "atlantis/",
      "is not a Vault mount path; use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)",
    ],
    ["at lantis", "holds a space, which would be written as is; remove it"],
    [
      "token",
      'is the token store\'s mount (auth/token/), which every Vault has: Vault answers "path is already in use at token/"; choose another path, e.g. kubernetes or k8s/prod',
    ],
    [
      "k8s/../prod",
      "has a '.' or '..' segment, which HTTP clients resolve before Vault sees the request (RFC 3986 §5.2.4); name each segment, e.g. k8s/prod",
    ],
  ])("rejects the mount path %j", (path, message) => {
    expect(
      validationMessage(
        () =>
          new KubernetesAuthBackend(newStack(), "Auth", {
            path,
            kubernetesHost: "https://k",
            reviewer: Reviewer.vaultPod(),
          }),
      ),
    ).toBe(`test/Auth: path: ${JSON.stringify(path)} ${message}`);
  });

  test("rejects a non-https Kubernetes host", () => {
    expect(
      validationMessage(
        () =>
          new KubernetesAuthBackend(newStack(), "Auth", {
            kubernetesHost: "http://k:6443",
            reviewer: Reviewer.vaultPod(),
          }),
      ),
    ).toBe(
      'test/Auth: kubernetesHost: "http://k:6443" is not an https URL; use the API server\'s https:// URL: https://kubernetes.default.svc for Vault inside the cluster, else the server of `kubectl config view --minify`',
    );
  });
});

describe("VaultPolicy", () => {
  test("renders typed rules through vault_policy_document and names the policy", () => {
    const stack = newStack();
    new VaultPolicy(stack, "Read", { name: "atlantis-read", rules: PolicyRules.kvV2Read("secret", "atlantis/*") });
    const synthesized = Testing.synth(stack);
    expect(synthesized).toHaveDataSourceWithProperties(DataVaultPolicyDocument, {
      rule: [
        { path: "secret/data/atlantis/*", capabilities: ["read"] },
        { path: "secret/metadata/atlantis/*", capabilities: ["read", "list"] },
      ],
    });
    expect(synthesized).toHaveResourceWithProperties(Policy, {
      name: "atlantis-read",
      policy: expect.stringMatching(/^\$\{data\.vault_policy_document\.[^.]+\.hcl\}$/),
    });
  });

  test("reproduces the seed's admin policy exactly, and warns about it", () => {
    const stack = newStack();
    const policy = new VaultPolicy(stack, "Admin", { name: "admin", rules: PolicyPresets.admin() });
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataVaultPolicyDocument, {
      rule: [
        {
          path: "*",
          capabilities: ["sudo", "read", "create", "update", "delete", "list", "patch"],
          description: "allow all",
        },
      ],
    });
    expect(warningsOf(policy)).toEqual([expect.stringContaining("policy admin grants sudo, read, create")]);
  });

  test("presets: KV v1 read-only and the Terraform vault provider's child token", () => {
    expect(PolicyPresets.kvReadOnly("kv", "/team/app/", 1)).toEqual([{ path: "kv/team/app", capabilities: ["read"] }]);
    expect(PolicyPresets.kvReadOnly("secret", "myscrt")).toEqual(PolicyRules.kvV2Read("secret", "myscrt"));
    expect(PolicyPresets.terraformVaultProvider(PolicyRules.list("secret/metadata"))).toEqual([
      { path: "auth/token/create", capabilities: ["update"], description: "the vault provider's child token" },
      { path: "secret/metadata", capabilities: ["list"] },
    ]);
    expect(PolicyRules.deny("sys/*")).toEqual([{ path: "sys/*", capabilities: ["deny"] }]);
  });

  test("warns about sudo anywhere and any grant on every path, but not about deny", () => {
    expect(policyWarnings("p", [{ path: "sys/raw", capabilities: ["read", "sudo"] }])).toEqual([
      "policy p grants sudo on sys/raw: root-protected endpoints become reachable.",
    ]);
    expect(policyWarnings("p", [{ path: "*", capabilities: ["list"] }])).toHaveLength(1);
    expect(policyWarnings("p", [{ path: "*", capabilities: ["deny"] }])).toEqual([]);
    expect(policyWarnings("p", PolicyRules.kvV2Read("secret", "x"))).toEqual([]);
  });

  test.each([
    [{ name: "root", rules: PolicyRules.list("x") }, 'test/P: name: "root" is reserved by Vault; choose another name'],
    [
      { name: "p", rules: [{ path: "x", capabilities: ["write" as never] }] },
      'test/P: rules[0].capabilities: ["write"] must be a non-empty list of create, read, update, patch, delete, list, sudo, deny, subscribe',
    ],
  ])("rejects invalid policy props (%#)", (props, message) => {
    expect(validationMessage(() => new VaultPolicy(newStack(), "P", props))).toBe(message);
  });
});
