/**
 * compareCluster and hasDrift (src/answers/live/drift.ts), pure: what drift reports for a cluster
 * given what Vault returned, compared the way Vault returns values. test/live/drift.test.ts runs
 * the same through the CLI against a fake Vault.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { desiredCluster } from "../../src/answers/live/desired";
import { type ClusterDrift, compareCluster, hasDrift, type LiveCluster } from "../../src/answers/live/drift";
import { parseConfig } from "../../src/config/load";

const CA = readFileSync(join(__dirname, "..", "fixtures", "test-ca.pem"), "utf8").trim();

/** One cluster on an explicit Kubernetes API, long-lived-token reviewer, mount k8s, one role, one policy. */
// Made where it is used, not while jest collects the tests (docs/development.md).
const desired = () =>
  desiredCluster(
    parseConfig(
      {
        clusters: [
          {
            name: "prod",
            kubernetes: { host: "https://k8s.example.com:6443", caCertificate: CA, inCluster: true },
            auth: { path: "k8s" },
            policies: [
              {
                name: "app-read",
                rules: [{ kvRead: { mount: "secret", path: "app" } }, { deny: "secret/data/admin" }],
              },
            ],
            roles: [
              {
                name: "app",
                boundServiceAccountNames: ["app"],
                boundServiceAccountNamespaces: ["apps", "ci"],
                boundServiceAccountNamespaceSelector: { matchLabels: { team: "a", env: "prod" } },
                tokenPolicies: ["app-read"],
                tokenBoundCidrs: ["10.0.0.1/32", "10.1.0.0/16"],
              },
            ],
          },
        ],
      },
      "test",
    ).clusters[0],
  );

/** Vault as the stack left it: each desired value, as Vault returns it. */
function deployed(): { -readonly [K in keyof LiveCluster]: LiveCluster[K] } {
  return {
    mount: { type: "kubernetes", description: "" },
    config: { ...desired().configFields },
    roleNames: ["app"],
    roles: new Map([["app", { ...desired().roles.get("app") }]]),
    policies: new Map([["app-read", desired().policies.get("app-read") ?? []]]),
  };
}

const none = { unowned: [], changed: [], missing: [] };
const role = (fields: Record<string, unknown>): LiveCluster => ({
  ...deployed(),
  roles: new Map([["app", { ...desired().roles.get("app"), ...fields }]]),
});
const roleChanges = (fields: Record<string, unknown>) => compareCluster(desired(), role(fields)).changed;

describe("compareCluster: what drift reports for one cluster", () => {
  test("nothing for a Vault as the stack left it", () => {
    expect(compareCluster(desired(), deployed())).toEqual({ name: "prod", ...none });
  });

  test("a config or a role Vault lacks is missing; a role only Vault has is unowned, in name order", () => {
    const live = { ...deployed(), config: undefined, roles: new Map(), roleNames: ["zeta", "app", "alpha"] };
    expect(compareCluster(desired(), live)).toEqual({
      name: "prod",
      unowned: [
        { kind: "role", path: "auth/k8s/role/alpha" },
        { kind: "role", path: "auth/k8s/role/zeta" },
      ],
      changed: [],
      missing: [
        { kind: "config", path: "auth/k8s/config" },
        { kind: "role", path: "auth/k8s/role/app" },
      ],
    });
  });

  test("a config field changed by hand is a config change", () => {
    const live = { ...deployed(), config: { ...desired().configFields, disable_iss_validation: false } };
    expect(compareCluster(desired(), live).changed).toEqual([
      { kind: "config", path: "auth/k8s/config", field: "disable_iss_validation", want: true, have: false },
    ]);
  });

  test("a mount of another type changes only its type: its config and roles are another method's", () => {
    const live = {
      ...deployed(),
      mount: { type: "jwt", description: "" },
      config: undefined,
      roles: new Map(),
      roleNames: ["x"],
    };
    expect(compareCluster(desired(), live)).toEqual({
      name: "prod",
      unowned: [],
      changed: [{ kind: "mount", path: "auth/k8s", field: "type", want: "kubernetes", have: "jwt" }],
      missing: [],
    });
  });

  test("lists as sets: a null list is empty, a lone string a list of one, items trimmed, addresses as Vault prints them", () => {
    expect(
      roleChanges({
        bound_service_account_namespaces: [" ci", "apps "],
        token_bound_cidrs: ["10.1.0.0/16", "10.0.0.1/32"],
      }),
    ).toEqual([]);
    expect(roleChanges({ bound_service_account_names: "app", token_policies: null })).toEqual([
      { kind: "role", path: "auth/k8s/role/app", field: "token_policies", want: ["app-read"], have: [] },
    ]);
    expect(roleChanges({ bound_service_account_names: undefined })).toEqual([
      { kind: "role", path: "auth/k8s/role/app", field: "bound_service_account_names", want: ["app"], have: [] },
    ]);
  });

  test("text as Vault returns it: absent or null is empty, surrounding space does not count, other types as text", () => {
    expect(roleChanges({ alias_name_source: " serviceaccount_uid " })).toEqual([]);
    expect(roleChanges({ audience: null, token_type: 5 })).toEqual([
      { kind: "role", path: "auth/k8s/role/app", field: "token_type", want: "default", have: "5" },
    ]);
    expect(roleChanges({ alias_name_source: undefined })).toEqual([
      { kind: "role", path: "auth/k8s/role/app", field: "alias_name_source", want: "serviceaccount_uid", have: "" },
    ]);
  });

  test("the namespace selector by its parsed value: JSON in another layout or key order is the same, other text compares as text", () => {
    expect(
      roleChanges({ bound_service_account_namespace_selector: '{ "matchLabels": { "env": "prod", "team": "a" } }' }),
    ).toEqual([]);
    expect(roleChanges({ bound_service_account_namespace_selector: "matchLabels:\n  team: a\n  env: prod\n" })).toEqual(
      [
        {
          kind: "role",
          path: "auth/k8s/role/app",
          field: "bound_service_account_namespace_selector",
          want: '{"matchLabels":{"team":"a","env":"prod"}}',
          have: "matchLabels:\n  team: a\n  env: prod",
        },
      ],
    );
    expect(roleChanges({ bound_service_account_namespace_selector: null })).toEqual([
      {
        kind: "role",
        path: "auth/k8s/role/app",
        field: "bound_service_account_namespace_selector",
        want: '{"matchLabels":{"team":"a","env":"prod"}}',
        have: "",
      },
    ]);
  });

  test("a selector added by hand in YAML to a role that has none is a change", () => {
    const app = { ...desired().roles.get("app"), bound_service_account_namespace_selector: "" };
    const plain = { ...desired(), roles: new Map([["app", app]]) };
    const live = role({ bound_service_account_namespace_selector: "matchLabels:\n  team: b\n" });
    expect(compareCluster(plain, live).changed).toEqual([
      {
        kind: "role",
        path: "auth/k8s/role/app",
        field: "bound_service_account_namespace_selector",
        want: "",
        have: "matchLabels:\n  team: b",
      },
    ]);
  });

  test("a policy by what it grants: deny stands alone however the live stanza lists it", () => {
    const live = deployed();
    const rules = desired().policies.get("app-read") ?? [];
    live.policies = new Map([
      [
        "app-read",
        [
          ...rules.filter((rule) => !rule.capabilities.includes("deny")),
          { path: "secret/data/admin", capabilities: ["read", "deny"] },
        ],
      ],
    ]);
    expect(compareCluster(desired(), live).changed).toEqual([]);
    live.policies = new Map([
      [
        "app-read",
        [
          ...rules.filter((rule) => !rule.capabilities.includes("deny")),
          { path: "secret/data/admin", capabilities: ["read"] },
        ],
      ],
    ]);
    expect(compareCluster(desired(), live).changed).toEqual([
      {
        kind: "policy",
        path: "sys/policies/acl/app-read",
        field: 'path "secret/data/admin"',
        want: ["deny"],
        have: ["read"],
      },
    ]);
  });
});

describe("hasDrift: what makes drift exit 1", () => {
  const drift = (parts: Partial<ClusterDrift>): ClusterDrift => ({ name: "prod", ...none, ...parts });
  const object = { kind: "role" as const, path: "auth/k8s/role/x" };
  test("any change, any missing object, or an unowned role; an unowned mount alone is information", () => {
    expect(hasDrift(drift({}))).toBe(false);
    expect(hasDrift(drift({ changed: [{ ...object, field: "token_ttl", want: 0, have: 60 }] }))).toBe(true);
    expect(hasDrift(drift({ missing: [object] }))).toBe(true);
    expect(hasDrift(drift({ unowned: [object] }))).toBe(true);
    expect(hasDrift(drift({ unowned: [{ kind: "mount", path: "auth/other" }] }))).toBe(false);
  });
});
