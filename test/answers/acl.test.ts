/**
 * Vault's own ACL tests, hashicorp/vault v1.21.2 vault/acl_test.go, with their policies written
 * in this project's config format. Old-style `policy = "..."` words are spelled out as Vault
 * maps them (vault/policy.go:443-451: read = read, list; write = create, read, update, delete,
 * list; sudo = write + sudo). Vault's "recover" capability and its RecoverOperation case are
 * left out: the pinned provider refuses it (src/policy/capabilities.ts). Help operations are
 * always allowed and not asked here.
 */
import { Acl } from "../../src/answers/acl/acl";
import { type CanAnswer, can, canWith } from "../../src/answers/acl/can";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { parseConfig } from "../../src/config/load";
import type { ConfigInput } from "../../src/config/schema";
import { validationMessage } from "../helpers";

type PolicyInput = NonNullable<ConfigInput["clusters"][number]["policies"]>[number];
type Op = "read" | "list" | "create" | "update" | "patch" | "delete";

const READ = ["read", "list"] as const;
const WRITE = ["create", "read", "update", "delete", "list"] as const;
const SUDO = [...WRITE, "sudo"] as const;

/** acl_test.go:991-1048 (aclPolicy, "DeV"). */
const DEV: PolicyInput = {
  name: "dev",
  rules: [
    { path: "dev/*", capabilities: [...SUDO] },
    { path: "stage/*", capabilities: [...WRITE] },
    { path: "stage/aws/*", capabilities: ["update", "sudo", ...READ] },
    { path: "stage/aws/policy/*", capabilities: [...SUDO] },
    { path: "prod/*", capabilities: [...READ] },
    { path: "prod/aws/*", capabilities: ["deny"] },
    { path: "sys/*", capabilities: ["deny"] },
    { path: "foo/bar", capabilities: ["read", "create", "sudo"] },
    { path: "baz/quux", capabilities: ["read", "create", "patch"] },
    { path: "test/+/segment", capabilities: ["read"] },
    { path: "+/segment/at/front", capabilities: ["read"] },
    { path: "test/segment/at/end/+", capabilities: ["read"] },
    { path: "test/segment/at/end/v2/+/", capabilities: ["read"] },
    { path: "test/+/wildcard/+/*", capabilities: ["read"] },
    { path: "test/+/wildcardglob/+/end*", capabilities: ["read"] },
    { path: "1/2/*", capabilities: ["create"] },
    { path: "1/2/+", capabilities: ["read"] },
    { path: "1/2/+/+", capabilities: ["update"] },
  ],
};

/** acl_test.go:1050-1073 (aclPolicy2, "OpS"); its deny stanza's other capabilities "should have no effect". */
const OPS: PolicyInput = {
  name: "ops",
  rules: [
    { path: "dev/hide/*", capabilities: ["deny"] },
    { path: "stage/aws/policy/*", capabilities: ["deny", "read", "update", "sudo"] },
    { path: "prod/*", capabilities: [...WRITE] },
    { path: "sys/seal", capabilities: [...SUDO] },
    { path: "foo/bar", capabilities: ["deny"] },
    { path: "baz/quux", capabilities: ["deny"] },
  ],
};

/** A cluster with `policies` and one role "r" that carries `tokenPolicies` (and Vault's default). */
function clusterWith(policies: PolicyInput[], tokenPolicies = policies.map((policy) => policy.name)) {
  const seed = structuredClone(DEFAULT_CONFIG.clusters[0]);
  const roles = [{ ...seed.roles[0], name: "r", tokenPolicies }];
  return parseConfig({ clusters: [{ ...seed, policies, roles }] }, "test").clusters[0];
}

const ask = (cluster: ReturnType<typeof clusterWith>, path: string, operation?: Op): CanAnswer =>
  can({ cluster, roleName: "r", path, operation });

/** [operation, path, allowed, rootPrivs] as in the Go table; rootPrivs is sudo on the rule that decided. */
type Case = [Op, string, boolean, boolean];

function checkTable(cluster: ReturnType<typeof clusterWith>, cases: Case[]): void {
  for (const [operation, path, allowed, rootPrivs] of cases) {
    const answer = ask(cluster, path, operation);
    expect({
      operation,
      path,
      allowed: answer.allowed,
      rootPrivs: answer.rule?.capabilities.includes("sudo") ?? false,
    }).toEqual({
      operation,
      path,
      allowed,
      rootPrivs,
    });
  }
}

describe("can: Vault's ACL (vault/acl.go) on Vault's own test cases", () => {
  test("TestACL_Single (acl_test.go:188-290): one policy, prefixes, deny, exact rules and + segments", () => {
    checkTable(clusterWith([DEV]), [
      ["read", "root", false, false],
      ["read", "dev/foo", true, true],
      ["update", "dev/foo", true, true],
      ["delete", "stage/foo", true, false],
      ["list", "stage/aws/foo", true, true],
      ["update", "stage/aws/foo", true, true],
      ["update", "stage/aws/policy/foo", true, true],
      ["delete", "prod/foo", false, false],
      ["update", "prod/foo", false, false],
      ["read", "prod/foo", true, false],
      ["list", "prod/foo", true, false],
      ["read", "prod/aws/foo", false, false],
      ["read", "foo/bar", true, true],
      ["list", "foo/bar", false, true],
      ["update", "foo/bar", false, true],
      ["create", "foo/bar", true, true],
      ["read", "baz/quux", true, false],
      ["create", "baz/quux", true, false],
      ["patch", "baz/quux", true, false],
      ["list", "baz/quux", false, false],
      ["update", "baz/quux", false, false],
      // Path segment wildcards
      ["read", "test/foo/bar/segment", false, false],
      ["read", "test/foo/segment", true, false],
      ["read", "test/bar/segment", true, false],
      ["read", "test/segment/at/frond", false, false],
      ["read", "test/segment/at/front", true, false],
      ["read", "test/segment/at/end/foo", true, false],
      ["read", "test/segment/at/end/foo/", false, false],
      ["read", "test/segment/at/end/v2/foo/", true, false],
      ["read", "test/segment/wildcard/at/foo/", true, false],
      ["read", "test/segment/wildcard/at/end", true, false],
      ["read", "test/segment/wildcard/at/end/", true, false],
      // Path segment wildcards vs glob
      ["read", "1/2/3/4", false, false],
      ["read", "1/2/3", true, false],
      ["update", "1/2/3", false, false],
      ["update", "1/2/3/4", true, false],
      ["create", "1/2/3/4/5", true, false],
    ]);
  });

  test("TestACL_Layered (acl_test.go:292-380): two policies unite per pattern, and deny wins within it", () => {
    checkTable(clusterWith([DEV, OPS]), [
      ["read", "root", false, false],
      ["read", "dev/foo", true, true],
      ["update", "dev/foo", true, true],
      ["read", "dev/hide/foo", false, false],
      ["update", "dev/hide/foo", false, false],
      ["delete", "stage/foo", true, false],
      ["list", "stage/aws/foo", true, true],
      ["update", "stage/aws/foo", true, true],
      ["update", "stage/aws/policy/foo", false, false],
      ["delete", "prod/foo", true, false],
      ["update", "prod/foo", true, false],
      ["read", "prod/foo", true, false],
      ["list", "prod/foo", true, false],
      ["read", "prod/aws/foo", false, false],
      ["read", "sys/status", false, false],
      ["update", "sys/seal", true, true],
      ["read", "foo/bar", false, false],
      ["list", "foo/bar", false, false],
      ["update", "foo/bar", false, false],
      ["create", "foo/bar", false, false],
      ["read", "baz/quux", false, false],
      ["list", "baz/quux", false, false],
      ["update", "baz/quux", false, false],
      ["create", "baz/quux", false, false],
      ["patch", "baz/quux", false, false],
    ]);
  });

  test("TestACL_Capabilities (acl_test.go:126-156): what sys/capabilities-self reports, sorted as capabilities.go:100 does", () => {
    const cluster = clusterWith([DEV]);
    expect(ask(cluster, "dev").capabilities).toEqual(["deny"]);
    expect(ask(cluster, "dev/").capabilities).toEqual(["create", "delete", "list", "read", "sudo", "update"]);
    expect(ask(cluster, "stage/aws/test").capabilities).toEqual(["list", "read", "sudo", "update"]);
  });

  // acl_test.go:633-733: in each pair the update rule is the more specific and must win.
  test.each([
    [
      "'*' beats '+/*': its wildcard comes later (0 vs -1/infinity) and it has fewer + segments",
      "+/*",
      "*",
      "foo/bar/bar/baz",
    ],
    ["'foo/+/*' beats '+/*': first wildcard later", "+/*", "foo/+/*", "foo/bar/bar/baz"],
    ["'foo/+/bar/baz' beats 'foo/+/+/*': no glob", "foo/+/+/*", "foo/+/bar/baz", "foo/bar/bar/baz"],
    ["'foo/+/bar/baz' beats 'foo/+/+/baz': fewer + segments", "foo/+/+/baz", "foo/+/bar/baz", "foo/bar/bar/baz"],
    [
      "'foo/(ar/+/baz' beats 'foo/+/(ar/baz': first wildcard later",
      "foo/+/(ar/baz",
      "foo/(ar/+/baz",
      "foo/(ar/(ar/baz",
    ],
    [
      "'foo/bar/+/baz' beats 'foo/bar/+/baz*': a glob loses at equal prefix",
      "foo/bar/+/baz*",
      "foo/bar/+/baz",
      "foo/bar/bar/baz",
    ],
    [
      "'foo/bar/+/ba*' beats 'foo/bar/+/b*': a shorter prefix loses",
      "foo/bar/+/b*",
      "foo/bar/+/ba*",
      "foo/bar/bar/baz",
    ],
  ])("TestACL_SegmentWildcardPriority: %s, whichever the policy writes first", (_, readPath, updatePath, path) => {
    const read = { path: readPath, capabilities: ["read" as const] };
    const update = { path: updatePath, capabilities: ["update" as const] };
    // Vault walks its segment rules in Go's random map order and sorts them (acl.go:594-743): order never decides.
    for (const rules of [
      [read, update],
      [update, read],
    ]) {
      const cluster = clusterWith([{ name: "p", rules }]);
      expect(ask(cluster, path, "update")).toMatchObject({ allowed: true, rule: { pattern: updatePath } });
      expect(ask(cluster, path, "read").allowed).toBe(false);
    }
  });
});

describe("can: what the role's token carries and how the answer is explained", () => {
  test("adds Vault's default policy (policy_store.go:69-162): a token may look itself up and use its cubbyhole", () => {
    const cluster = clusterWith([DEV]);
    expect(ask(cluster, "auth/token/lookup-self", "read")).toMatchObject({
      allowed: true,
      rule: { pattern: "auth/token/lookup-self" },
    });
    expect(ask(cluster, "cubbyhole/notes").capabilities).toEqual(["create", "delete", "list", "read", "update"]);
    expect(ask(cluster, "identity/oidc/provider/my-provider/authorize", "update").allowed).toBe(true);
    expect(ask(cluster, "auth/token/create", "update").allowed).toBe(false);
  });

  test("lets a more specific default-policy rule beat the seed's admin '*': cubbyhole/* carries no sudo", () => {
    const admin = clusterWith([{ name: "admin", preset: "admin" }]);
    const answer = ask(admin, "cubbyhole/x");
    expect(answer.capabilities).toEqual(["create", "delete", "list", "read", "update"]);
    expect(answer.policies).toEqual([
      { name: "admin", matched: null, capabilities: [], shadowed: "*" },
      {
        name: "default",
        matched: "cubbyhole/*",
        capabilities: ["create", "delete", "list", "read", "update"],
        shadowed: null,
      },
    ]);
  });

  test("leaves the default policy off with tokenNoDefaultPolicy, unless tokenPolicies names it (policyutil.go:51-77)", () => {
    const seed = structuredClone(DEFAULT_CONFIG.clusters[0]);
    const roles = [
      { ...seed.roles[0], name: "r", tokenPolicies: ["dev"], tokenNoDefaultPolicy: true },
      { ...seed.roles[0], name: "d", tokenPolicies: ["dev", "default"], tokenNoDefaultPolicy: true },
      { ...seed.roles[0], name: "none", tokenPolicies: [], tokenNoDefaultPolicy: true },
    ];
    const cluster = parseConfig({ clusters: [{ ...seed, policies: [DEV], roles }] }, "test").clusters[0];
    expect(ask(cluster, "auth/token/lookup-self", "read").allowed).toBe(false);
    expect(ask(cluster, "dev/x", "read").policies.map((policy) => policy.name)).toEqual(["dev"]);
    expect(can({ cluster, roleName: "d", path: "auth/token/lookup-self", operation: "read" }).allowed).toBe(true);
    expect(can({ cluster, roleName: "none", path: "cubbyhole/x" })).toMatchObject({
      capabilities: ["deny"],
      policies: [],
    });
  });

  test("lists the token's policies sorted, as Vault names them", () => {
    const cluster = clusterWith([OPS, DEV], ["ops", "dev"]);
    expect(ask(cluster, "x").policies.map((policy) => policy.name)).toEqual(["default", "dev", "ops"]);
  });

  test("evaluates the rules a kvRead shorthand deploys (data/ and metadata/ of KV v2)", () => {
    const cluster = clusterWith([{ name: "read", rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] }]);
    expect(ask(cluster, "secret/data/myscrt", "read").allowed).toBe(true);
    expect(ask(cluster, "secret/data/myscrt", "update").allowed).toBe(false);
    expect(ask(cluster, "secret/metadata/myscrt").capabilities).toEqual(["list", "read"]);
    expect(ask(cluster, "secret/myscrt").capabilities).toEqual(["deny"]);
  });

  test("answers a LIST with the trailing slash Vault's HTTP layer adds (http/logical.go:188-192)", () => {
    const cluster = clusterWith([
      {
        name: "p",
        rules: [
          { path: "secret/metadata/apps/", capabilities: ["list"] },
          { path: "kv/+/keys", capabilities: ["list"] },
        ],
      },
    ]);
    expect(ask(cluster, "secret/metadata/apps", "list")).toMatchObject({
      allowed: true,
      rule: { pattern: "secret/metadata/apps/" },
    });
    expect(ask(cluster, "secret/metadata/apps", "read").allowed).toBe(false);
    // acl.go:423-428 (Vault 1.15.2+, hashicorp/vault#23874): "kv/x/keys/" also finds "kv/+/keys".
    expect(ask(cluster, "kv/team/keys", "list").allowed).toBe(true);
    // sys/capabilities-self evaluates as LIST: "x/" finds the exact rule on "x" (acl.go:411-417).
    const exact = clusterWith([{ name: "p", rules: [{ path: "secret/metadata/apps", capabilities: ["list"] }] }]);
    expect(ask(exact, "secret/metadata/apps/").capabilities).toEqual(["list"]);
  });

  test("uses only the longest matching prefix rule, and an exact rule before any wildcard", () => {
    const cluster = clusterWith([
      {
        name: "p",
        rules: [
          { path: "secret/*", capabilities: ["read"] },
          { path: "secret/data/*", capabilities: ["list"] },
          { path: "secret/data/x", capabilities: ["update"] },
        ],
      },
    ]);
    expect(ask(cluster, "secret/data/y").capabilities).toEqual(["list"]);
    expect(ask(cluster, "secret/data/x").capabilities).toEqual(["update"]);
    expect(ask(cluster, "secret/other").capabilities).toEqual(["read"]);
  });

  test("reports deny when nothing matches, and names no rule", () => {
    expect(ask(clusterWith([DEV]), "nothing/here", "read")).toMatchObject({
      capabilities: ["deny"],
      allowed: false,
      rule: null,
    });
  });

  test("rejects a role the cluster does not have, suggesting the near miss", () => {
    expect(validationMessage(() => can({ cluster: clusterWith([DEV]), roleName: "rr", path: "x" }))).toBe(
      'no role "rr" in cluster eks-test; did you mean "r"? (roles: r)',
    );
  });

  test("fails a policy path with '+*', which Vault refuses (policy.go:423-425)", () => {
    expect(validationMessage(() => new Acl([{ name: "p", rules: [{ path: "a/+*", capabilities: ["read"] }] }]))).toBe(
      'policy p: path "a/+*" has "+*", which Vault refuses',
    );
  });
});

describe("can: which of several matching wildcard rules decides, past Vault's own table (acl.go:597-650)", () => {
  /** Asks `update` on `path` with a policy of `winner` (update) and `loser` (read), written in both orders. */
  function decides(winner: string, loser: string, path: string): void {
    const update = { path: winner, capabilities: ["update" as const] };
    const read = { path: loser, capabilities: ["read" as const] };
    for (const rules of [
      [update, read],
      [read, update],
    ]) {
      const answer = canWith([{ name: "p", rules }], path, "update");
      expect(answer).toMatchObject({ allowed: true, rule: { pattern: winner, capabilities: ["update"] } });
    }
  }

  test("at equal wildcards, the longer rule wins even where it sorts first", () => {
    // Both have their first + at 2, no glob, two + segments; "a/+/+/ccc" is longer and sorts before "a/+/bb/+".
    decides("a/+/+/ccc", "a/+/bb/+", "a/x/bb/ccc");
  });

  test("at equal length too, the rule that sorts later wins (Vault's last resort)", () => {
    decides("x/+/b/+", "x/+/+/d", "x/y/b/d");
  });

  test("the longest prefix rule decides, whichever the policy writes first", () => {
    const rules = [
      { path: "secret/data/*", capabilities: ["list" as const] },
      { path: "secret/*", capabilities: ["read" as const] },
    ];
    expect(canWith([{ name: "p", rules }], "secret/data/y").capabilities).toEqual(["list"]);
    expect(canWith([{ name: "p", rules: [...rules].reverse() }], "secret/data/y").capabilities).toEqual(["list"]);
  });
});

describe("can: how a rule with + segments matches a path (acl.go:683-716, policy.go:427-438)", () => {
  const one = (path: string, capabilities: ("read" | "list")[] = ["read"]) => [
    { name: "p", rules: [{ path, capabilities }] },
  ];

  test("a lone '+' is a segment wildcard: it grants on every path of one segment, and only those", () => {
    expect(canWith(one("+"), "anything", "read")).toMatchObject({
      allowed: true,
      rule: { pattern: "+", kind: "segment" },
    });
    expect(canWith(one("+"), "any/thing", "read").allowed).toBe(false);
  });

  test("a literal segment is matched whole, unless it is the last of a rule ending in '*'", () => {
    expect(canWith(one("test/+/conf"), "test/a/conf", "read").allowed).toBe(true);
    expect(canWith(one("test/+/conf"), "test/a/config", "read").allowed).toBe(false);
    expect(canWith(one("test/+/end*"), "test/a/endless", "read").allowed).toBe(true);
    expect(canWith(one("test/+/end*"), "test/a/other", "read").allowed).toBe(false);
    expect(canWith(one("test/+/conf/x*"), "test/a/conf/x1", "read").allowed).toBe(true);
    expect(canWith(one("test/+/conf/x*"), "test/a/config/x1", "read").allowed).toBe(false);
  });

  test("a path with fewer segments than the rule never matches it; a LIST's trailing '/' adds one", () => {
    const policies = one("secret/+/*", ["read", "list"]);
    expect(canWith(policies, "secret/a", "read")).toMatchObject({ allowed: false, rule: null });
    expect(canWith(policies, "secret/a", "list")).toMatchObject({ allowed: true, rule: { pattern: "secret/+/*" } });
  });
});

describe("can: a deny in one policy", () => {
  test("wins over grants on the same path in the policies Vault merges before and after it (acl.go:161-178)", () => {
    const policies = [
      { name: "a", rules: [{ path: "secret/data/app", capabilities: ["read" as const] }] },
      { name: "b", rules: [{ path: "secret/data/app", capabilities: ["deny" as const] }] },
      { name: "c", rules: [{ path: "secret/data/app", capabilities: ["read" as const, "update" as const] }] },
    ];
    expect(canWith(policies, "secret/data/app", "read")).toMatchObject({
      allowed: false,
      capabilities: ["deny"],
      rule: { pattern: "secret/data/app", kind: "exact", capabilities: ["deny"] },
    });
  });
});

describe("can: the path asked about", () => {
  test("drops every leading '/', as Vault's ACL does (acl.go:396-402), for the rule and for sudo alike", () => {
    const policies = [{ name: "p", rules: [{ path: "sys/auth/*", capabilities: ["update" as const] }] }];
    const plain = canWith(policies, "sys/auth/kubernetes", "update");
    expect(plain).toMatchObject({
      allowed: false,
      rule: { pattern: "sys/auth/*" },
      sudo: { rootPaths: ["sys/auth/*"], granted: false },
    });
    const slashes = canWith(policies, "//sys/auth/kubernetes", "update");
    expect({ ...slashes, path: plain.path }).toEqual(plain);
  });

  test("is not an exact rule's path with one more character: sys/capabilities-self of 'secret/apps' is no answer for 'secret/app'", () => {
    const policies = [{ name: "p", rules: [{ path: "secret/app", capabilities: ["read" as const] }] }];
    expect(canWith(policies, "secret/apps")).toMatchObject({ capabilities: ["deny"], rule: null });
    // As sys/capabilities-self, which evaluates a LIST: the exact rule without the trailing "/", shown as the rule.
    expect(canWith(policies, "secret/app/")).toMatchObject({
      capabilities: ["read"],
      rule: { pattern: "secret/app", kind: "exact", capabilities: ["read"] },
    });
  });
});

describe("can: a stanza that grants nothing", () => {
  test("reports deny, as sys/capabilities-self does for a path with no capabilities (acl.go CapabilitiesAndSubscribeEventTypes)", () => {
    // A policy file may hold `capabilities = []`; Vault stores the stanza and reports deny.
    const answer = canWith([{ name: "p", rules: [{ path: "secret/data/app", capabilities: [] }] }], "secret/data/app");
    expect(answer).toMatchObject({
      capabilities: ["deny"],
      rule: { pattern: "secret/data/app", capabilities: ["deny"] },
    });
  });
});

describe("can: a templated path (identity templating)", () => {
  test("grants nothing offline, not even on its own text: Vault fills it in from the token's entity, unknown here", () => {
    // The default policy's identity/entity/id/{{identity.entity.id}} (policy_store.go:69-162).
    const rules = [{ path: "identity/entity/id/{{identity.entity.id}}", capabilities: ["read" as const] }];
    expect(canWith([{ name: "p", rules }], "identity/entity/id/{{identity.entity.id}}", "read")).toMatchObject({
      allowed: false,
      rule: null,
    });
  });
});

describe("can: each policy's part in the answer", () => {
  test("answers for exactly the policies given, leaving none out", () => {
    const answer = canWith([{ name: "p", rules: [{ path: "x", capabilities: ["read"] }] }], "x");
    expect(answer.leftOut).toEqual([]);
  });

  test("names a policy's rule that matches the request but lost to the one that decided, with the LIST's trailing '/'", () => {
    const listing = { name: "a", rules: [{ path: "secret/apps/", capabilities: ["list" as const] }] };
    const below = { name: "b", rules: [{ path: "secret/apps/*", capabilities: ["read" as const] }] };
    // LIST secret/apps reaches the ACL as secret/apps/: a's exact rule decides; b's prefix matches it too.
    expect(canWith([listing, below], "secret/apps", "list").policies).toEqual([
      { name: "a", matched: "secret/apps/", capabilities: ["list"], shadowed: null },
      { name: "b", matched: null, capabilities: [], shadowed: "secret/apps/*" },
    ]);
    // sys/capabilities-self evaluates as a LIST: b's exact rule on secret/apps matches secret/apps/ (acl.go:411-417).
    const exact = { name: "b", rules: [{ path: "secret/apps", capabilities: ["read" as const] }] };
    expect(canWith([listing, exact], "secret/apps/").policies).toEqual([
      { name: "a", matched: "secret/apps/", capabilities: ["list"], shadowed: null },
      { name: "b", matched: null, capabilities: [], shadowed: "secret/apps" },
    ]);
  });

  test("rejects a role the cluster does not have, listing every role it has", () => {
    const seed = structuredClone(DEFAULT_CONFIG.clusters[0]);
    const roles = [
      { ...seed.roles[0], name: "plan" },
      { ...seed.roles[0], name: "apply" },
    ];
    const cluster = parseConfig({ clusters: [{ ...seed, roles }] }, "test").clusters[0];
    expect(validationMessage(() => can({ cluster, roleName: "deploy", path: "x" }))).toBe(
      'no role "deploy" in cluster eks-test (roles: plan, apply)',
    );
  });
});
