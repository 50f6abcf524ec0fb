import { Testing } from "cdktf";
import { Construct } from "constructs";
import {
  JwtAuthBackend,
  JwtIssuer,
  KubernetesAuthBackend,
  PolicyPresets,
  PolicyRules,
  policyWarnings,
  Reviewer,
  VaultPolicy,
  validateTree,
} from "../../src/constructs";
import { ValidationError } from "../../src/domain/validation";
import { DataVaultPolicyDocument, Policy } from "../../src/providers";
import { newStack, only, synthJson, TEST_CA, validationMessage, warningsOf } from "../helpers";

const READ = { path: "secret/data/app/*", capabilities: ["read" as const] };

describe("VaultPolicy renders its rules at synth", () => {
  test("keeps a rule added after it was created, in the document it writes", () => {
    const stack = newStack();
    const policy = new VaultPolicy(stack, "Policy", { name: "app", rules: [READ] });
    policy.addRule({ path: "secret/metadata/app/*", capabilities: ["list"] });
    const document = Object.values(synthJson(stack).data?.vault_policy_document ?? {})[0];
    expect(document).toEqual({
      rule: [
        { path: "secret/data/app/*", capabilities: ["read"] },
        { path: "secret/metadata/app/*", capabilities: ["list"] },
      ],
    });
    expect(policy.rules.map((rule) => rule.path)).toEqual(["secret/data/app/*", "secret/metadata/app/*"]);
  });

  test("gives its rules as copies: changing them changes neither the policy nor the document", () => {
    const stack = newStack();
    const policy = new VaultPolicy(stack, "Policy", { name: "app", rules: [READ] });
    const [copy] = policy.rules;
    expect(copy).toEqual({ path: "secret/data/app/*", capabilities: ["read"] });
    copy.capabilities.push("delete");
    expect(policy.rules).toEqual([{ path: "secret/data/app/*", capabilities: ["read"] }]);
    const document = Object.values(synthJson(stack).data?.vault_policy_document ?? {})[0];
    expect(document).toEqual({ rule: [{ path: "secret/data/app/*", capabilities: ["read"] }] });
  });

  test("may start without rules when they are added before synth", () => {
    const stack = newStack();
    new VaultPolicy(stack, "Policy", { name: "app" }).addRule(READ);
    expect(() => validateTree(stack.node.findChild("Policy"))).not.toThrow();
  });

  test("warns about a rule added later as about one given at first", () => {
    const stack = newStack();
    const policy = new VaultPolicy(stack, "Policy", { name: "app", rules: [READ] });
    policy.addRule({ path: "*", capabilities: ["read"] });
    expect(warningsOf(policy)).toEqual([
      'policy app grants read on every path ("*"): full control of Vault. Grant only the paths the workload reads (e.g. a kvRead rule) unless admin is intended.',
    ]);
  });

  test("refuses a rule added later as one given at first, naming its position", () => {
    const policy = new VaultPolicy(newStack(), "Policy", { name: "app", rules: [READ] });
    expect(validationMessage(() => policy.addRule({ path: "secret/*/x", capabilities: ["read"] }))).toMatch(
      /^test\/Policy: rules\[1\]\.path: "secret\/\*\/x" has "\*" before the end/,
    );
  });

  test("hands its name to a role as a reference, so Terraform writes the policy first", () => {
    const stack = newStack();
    const policy = new VaultPolicy(stack, "Policy", { name: "app", rules: [READ] });
    const mount = new KubernetesAuthBackend(stack, "Auth", {
      kubernetesHost: "https://k8s.example.com",
      kubernetesCaCert: TEST_CA,
    });
    const role = mount.addRole("app", {
      boundServiceAccountNames: ["app"],
      boundServiceAccountNamespaces: ["apps"],
      tokenPolicies: [policy, "default", "managed-elsewhere"],
    });
    expect(role.roleName).toBe("app");
    const [address] = Object.keys(synthJson(stack).resource.vault_policy);
    expect(only(synthJson(stack), "vault_kubernetes_auth_backend_role").token_policies).toEqual([
      `\${vault_policy.${address}.name}`,
      "default",
      "managed-elsewhere",
    ]);
  });
});

describe("validations that wait for synth", () => {
  test("a policy still without rules is refused, naming the construct", () => {
    const policy = new VaultPolicy(newStack(), "Policy", { name: "app" });
    expect(validationMessage(() => validateTree(policy))).toBe(
      "test/Policy: rules: a policy needs at least one rule (or preset: admin); e.g. - kvRead: { mount: secret, path: myscrt }",
    );
  });

  test.each([
    [
      "a Kubernetes mount",
      () =>
        new KubernetesAuthBackend(newStack(), "Auth", {
          kubernetesHost: "https://k8s.example.com",
          reviewer: Reviewer.vaultPod(),
        }),
    ],
    [
      "a JWT mount",
      () =>
        new JwtAuthBackend(newStack(), "Auth", { issuer: JwtIssuer.discovery({ issuer: "https://k8s.example.com" }) }),
    ],
  ])("%s without roles is refused, since no pod could log in", (_what, mount) => {
    expect(validationMessage(() => validateTree(mount()))).toBe(
      "test/Auth: roles is empty: no pod can log in here; add one with addRole",
    );
  });

  test("names every construct still missing something, one line each, before anything is written", () => {
    const policies = new Construct(newStack(), "Policies");
    new VaultPolicy(policies, "First", { name: "first" });
    new VaultPolicy(policies, "Second", { name: "second" });
    expect(validationMessage(() => validateTree(policies))).toBe(
      [
        "test/Policies/First: rules: a policy needs at least one rule (or preset: admin); e.g. - kvRead: { mount: secret, path: myscrt }",
        "test/Policies/Second: rules: a policy needs at least one rule (or preset: admin); e.g. - kvRead: { mount: secret, path: myscrt }",
      ].join("\n"),
    );
  });

  test("cdktf's own synth refuses it too, for a library user who synthesizes directly", () => {
    const stack = newStack();
    new VaultPolicy(stack, "Policy", { name: "app" });
    expect(() => Testing.synth(stack, true)).toThrow("[test/Policy] rules: a policy needs at least one rule");
  });
});

describe("ValidationError from a construct", () => {
  test("carries the construct's path, and starts its message with it", () => {
    try {
      new VaultPolicy(newStack(), "Policy", { name: "root" });
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).constructPath).toBe("test/Policy");
      expect((error as ValidationError).message).toBe(
        'test/Policy: name: "root" is reserved by Vault; choose another name',
      );
      return;
    }
    throw new Error("expected a ValidationError");
  });

  test("has no construct path when the config file or a factory refuses", () => {
    expect(new ValidationError("bad.yaml has 1 problem").constructPath).toBeUndefined();
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
    // Any run of slashes where the parts meet is one: Vault's path would hold an empty segment.
    expect(PolicyRules.kvV2Read("secret//", "//team/app//")).toEqual([
      { path: "secret/data/team/app", capabilities: ["read"] },
      { path: "secret/metadata/team/app", capabilities: ["read", "list"] },
    ]);
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
    [
      () => ({ name: "root", rules: PolicyRules.list("x") }),
      'test/P: name: "root" is reserved by Vault; choose another name',
    ],
    [
      () => ({ name: "p", rules: [{ path: "x", capabilities: ["write" as never] }] }),
      'test/P: rules[0].capabilities: ["write"] must be a non-empty list of create, read, update, patch, delete, list, sudo, deny, subscribe',
    ],
  ])("rejects invalid policy props (%#)", (props, message) => {
    expect(validationMessage(() => new VaultPolicy(newStack(), "P", props()))).toBe(message);
  });
});

describe("VaultPolicy refusals and warnings, pinned whole", () => {
  const policy = (name: string, capabilities: Parameters<typeof policyWarnings>[1][number]["capabilities"]) => () =>
    new VaultPolicy(newStack(), "Policy", { name, rules: [{ path: "secret/data/app", capabilities }] });

  test("rejects a name Vault would not keep as written, naming the field", () => {
    expect(validationMessage(policy("Atlantis", ["read"]))).toBe(
      "test/Policy: name: \"Atlantis\" is not a policy name; use lowercase letters, digits and '_', with '-' and '.' only between them (Vault lowercases policy names, so two spellings would be one policy)",
    );
  });

  test("rejects a rule with no capabilities", () => {
    expect(validationMessage(policy("atlantis", []))).toBe(
      "test/Policy: rules[0].capabilities: [] must be a non-empty list of create, read, update, patch, delete, list, sudo, deny, subscribe",
    );
  });

  test("names a refused rule by its place among all the policy's rules, whichever call added it", () => {
    const made = new VaultPolicy(newStack(), "Policy", { name: "app", rules: [READ] });
    expect(
      validationMessage(() =>
        made.addRule({ path: "secret/data/b", capabilities: ["read"] }, { path: "secret/data/c", capabilities: [] }),
      ),
    ).toBe(
      "test/Policy: rules[2].capabilities: [] must be a non-empty list of create, read, update, patch, delete, list, sudo, deny, subscribe",
    );
  });

  test("adds no warning for rules that warrant none", () => {
    const made = policy("atlantis", ["read"])();
    made.addRule({ path: "secret/metadata/app", capabilities: ["list"] });
    expect(warningsOf(made)).toEqual([]);
  });

  test("warns that any grant on every path is full control of Vault, with the fix, and leaves deny out of the list", () => {
    expect(policyWarnings("admin", [{ path: "*", capabilities: ["read", "deny", "update"] }])).toEqual([
      'policy admin grants read, update on every path ("*"): full control of Vault. ' +
        "Grant only the paths the workload reads (e.g. a kvRead rule) unless admin is intended.",
    ]);
  });
});
