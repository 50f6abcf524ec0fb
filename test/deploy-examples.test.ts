/** examples/deploy: what the deploying identity needs, checked against the default stack. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { DEFAULT_CONFIG } from "../src/config/defaults";
import { seedCluster, stackFor, synthJson } from "./helpers";

const dir = join(__dirname, "..", "examples", "deploy");

/** `path "x" { capabilities = [...] }` stanzas of a policy file. */
function stanzas(file: string): Map<string, string[]> {
  const text = readFileSync(join(dir, file), "utf8");
  const found = [...text.matchAll(/^path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]\s*\}/gm)];
  return new Map(found.map(([, path, list]) => [path, [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1])]));
}

/** The capabilities a policy grants on `path`: an exact stanza, or one ending in `*` that prefixes it. */
function grants(policy: Map<string, string[]>, path: string): string[] {
  const exact = policy.get(path);
  if (exact) return exact;
  const glob = [...policy.keys()]
    .filter((pattern) => pattern.endsWith("*") && path.startsWith(pattern.slice(0, -1)))
    .sort((a, b) => b.length - a.length)[0];
  return glob ? (policy.get(glob) ?? []) : [];
}

/** The Vault objects of the default stack, read from its synthesized JSON. */
function defaultObjects() {
  const { resource } = synthJson(stackFor(seedCluster()));
  const mount = Object.values(resource.vault_auth_backend)[0].path as string;
  const roles = Object.values(resource.vault_kubernetes_auth_backend_role).map((role) => role.role_name as string);
  const policies = Object.values(resource.vault_policy).map((policy) => policy.name as string);
  return { mount, roles, policies };
}

/** The RBAC file as a user who applies with `kubernetes.inCluster: true` makes it: the ServiceAccount subjects uncommented. */
function rbacForAtlantis(): { kind: string; subjects?: Record<string, string>[] }[] {
  const text = readFileSync(join(dir, "kubernetes-rbac.yaml"), "utf8");
  const uncommented = text.replace(
    /^ {2}# (- kind: ServiceAccount\n) {2}# ( {2}name: .*\n) {2}# ( {2}namespace: .*)$/gm,
    "  $1  $2  $3",
  );
  return parseAllDocuments(uncommented).map((d) => d.toJS());
}

describe("examples/deploy", () => {
  // The default stack's objects, which the first test reads from its synthesized JSON; written out,
  // so that nothing is synthesized while jest collects the tests (docs/development.md).
  const DEFAULT_OBJECTS = { mount: "atlantis", roles: ["atlantis"], policies: ["admin"] };
  const { mount, roles, policies } = DEFAULT_OBJECTS;

  test("reads the default stack's objects and every stanza of both policy files", () => {
    expect(defaultObjects()).toEqual(DEFAULT_OBJECTS);
    // A stanza the pattern stops reading would vanish from the loops below instead of failing them.
    for (const file of ["vault-deploy-policy.hcl", "vault-plan-policy.hcl"]) {
      const written = readFileSync(join(dir, file), "utf8").match(/^path "/gm) ?? [];
      expect([file, stanzas(file).size]).toEqual([file, written.length]);
    }
    expect(stanzas("vault-deploy-policy.hcl").size).toBeGreaterThanOrEqual(7);
    expect(stanzas("vault-plan-policy.hcl").size).toBeGreaterThanOrEqual(6);
  });

  const needs: [string, string[]][] = [
    [`sys/auth/${mount}`, ["create", "update", "delete", "sudo"]],
    [`sys/mounts/auth/${mount}`, ["read"]],
    [`sys/mounts/auth/${mount}/tune`, ["read", "update"]],
    [`auth/${mount}/config`, ["create", "read", "update"]],
    ...roles.map((role): [string, string[]] => [`auth/${mount}/role/${role}`, ["create", "read", "update", "delete"]]),
    ...policies.map((name): [string, string[]] => [`sys/policies/acl/${name}`, ["create", "read", "update", "delete"]]),
    ["auth/token/create", ["update"]],
  ];

  test.each(needs)("the deploy policy grants what the vault provider calls on %s", (path, capabilities) => {
    expect(grants(stanzas("vault-deploy-policy.hcl"), path)).toEqual(expect.arrayContaining(capabilities));
  });

  test("the deploy policy grants nothing beyond the default stack's objects and the provider's child token", () => {
    const policy = stanzas("vault-deploy-policy.hcl");
    for (const path of policy.keys()) {
      expect(
        needs.some(([needed]) => needed === path || (path.endsWith("*") && needed.startsWith(path.slice(0, -1)))),
      ).toBe(true);
    }
    expect([...policy.keys()].filter((path) => path === "*" || /^sys\/\*?$/.test(path))).toEqual([]);
  });

  test("the plan policy reads every object a refresh reads, and can change none", () => {
    const plan = stanzas("vault-plan-policy.hcl");
    for (const [path] of needs.filter(([path]) => !path.startsWith("sys/auth/") && path !== "auth/token/create")) {
      expect(grants(plan, path)).toContain("read");
    }
    for (const [path, capabilities] of plan) {
      const allowed = path === "auth/token/create" ? ["update"] : ["read", "list"];
      expect(capabilities.filter((capability) => !allowed.includes(capability))).toEqual([]);
    }
  });

  test("the Kubernetes RBAC lets the deployer manage the reviewer in its namespace and bind only system:auth-delegator", () => {
    const documents = parseAllDocuments(readFileSync(join(dir, "kubernetes-rbac.yaml"), "utf8")).map((d) => d.toJS());
    const role = documents.find((d) => d.kind === "Role");
    const reviewer = DEFAULT_CONFIG.clusters[0].auth?.reviewer as { namespace: string };
    expect(role.metadata.namespace).toBe(reviewer.namespace);
    const verbsOn = (rules: { resources: string[]; verbs: string[] }[], resource: string) =>
      rules.filter((rule) => rule.resources.includes(resource)).flatMap((rule) => rule.verbs);
    for (const resource of ["serviceaccounts", "secrets"]) {
      expect(verbsOn(role.rules, resource)).toEqual(expect.arrayContaining(["get", "create", "patch", "delete"]));
    }
    const clusterRole = documents.find((d) => d.kind === "ClusterRole");
    expect(verbsOn(clusterRole.rules, "clusterrolebindings")).toEqual(
      expect.arrayContaining(["get", "create", "patch", "delete"]),
    );
    expect(clusterRole.rules).toContainEqual({
      apiGroups: ["rbac.authorization.k8s.io"],
      resources: ["clusterroles"],
      verbs: ["bind"],
      resourceNames: ["system:auth-delegator"],
    });
  });
  test("both bindings can also bind Atlantis's own ServiceAccount (inCluster), the one the Atlantis Helm values create", () => {
    const helm = parse(readFileSync(join(__dirname, "..", "examples", "atlantis", "helm-values.yaml"), "utf8"));
    const role = DEFAULT_CONFIG.clusters[0].roles[0];
    const bindings = rbacForAtlantis().filter((d) => d.kind === "RoleBinding" || d.kind === "ClusterRoleBinding");
    expect(bindings.map((binding) => binding.kind)).toEqual(["RoleBinding", "ClusterRoleBinding"]);
    for (const binding of bindings) {
      expect(binding.subjects).toEqual([
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "vault-k8s-auth-deployers" },
        { kind: "ServiceAccount", name: helm.serviceAccount.name, namespace: role.boundServiceAccountNamespaces?.[0] },
      ]);
    }
  });
});
