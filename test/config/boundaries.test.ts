import { stringify } from "yaml";
import { checkConfigText } from "../../src/config/load";
import { KubernetesAuthBackend, Reviewer } from "../../src/constructs";
import { Duration } from "../../src/domain/duration";
import { PUBLIC_KEY } from "../fixture-values";
import {
  type ClusterInput,
  explicitConnection,
  fileWith,
  firstRole,
  newStack,
  only,
  problemsIn,
  seedCluster,
  stackFor,
  synthJson,
  TEST_CA,
} from "../helpers";

/*
 * Every check of the config with a boundary, from both sides: the value just inside is accepted
 * (and, where it changes what is deployed, found in the synthesized JSON), the value just outside
 * is refused with its field path, the value and the fix. Messages are pinned whole, so a changed
 * comparison, a dropped check or a lost field in the message fails here.
 */

type Change = (cluster: Record<string, unknown>) => void;

/** The problem lines of a refused file, each without `bad.yaml:line:col: `, which every line must have. */
function refusals(text: string): string[] {
  const [header, ...lines] = problemsIn(text).split("\n");
  const count = lines.length === 1 ? "1 problem" : `${lines.length} problems`;
  expect(header).toBe(`bad.yaml has ${count}:`);
  for (const line of lines) expect(line).toMatch(/^ {2}bad\.yaml:\d+:\d+: /);
  return lines.map((line) => line.replace(/^ {2}bad\.yaml:\d+:\d+: /, ""));
}

/** The single problem of a refused file. */
function refusal(text: string): string {
  const lines = refusals(text);
  expect(lines).toHaveLength(1);
  return lines[0];
}

/** The config check's own warnings of an accepted file (not the constructs'), without `t.yaml:line:col: `. */
function warnings(text: string): string[] {
  const own = checkConfigText(text, "t.yaml").warnings.filter((warning) => warning.construct === undefined);
  return own.map((warning) => {
    expect(warning.text).toMatch(/^t\.yaml:\d+:\d+: /);
    return warning.text.replace(/^t\.yaml:\d+:\d+: /, "");
  });
}

const accepted = (text: string) => expect(problemsIn(text)).toBe("");
const role =
  (change: Record<string, unknown>): Change =>
  (cluster) =>
    Object.assign(firstRole(cluster), change);
const auth = (cluster: Record<string, unknown>) => cluster.auth as Record<string, unknown>;
const synthOf = (change: Change) => {
  const cluster = structuredClone(seedCluster()) as unknown as Record<string, unknown>;
  change(cluster);
  return synthJson(stackFor(cluster as unknown as ClusterInput));
};

describe("tokenTtl against tokenMaxTtl: Vault refuses only a TTL above a max TTL that is set", () => {
  // vault-plugin-auth-kubernetes v0.23.1 path_role.go:288 and vault-plugin-auth-jwt v0.25.0
  // path_role.go:563: `TokenMaxTTL > 0 && TokenTTL > TokenMaxTTL` refuses the role; equal is fine.
  test("accepts tokenTtl equal to tokenMaxTtl, and writes both", () => {
    const change = role({ tokenPeriod: undefined, tokenTtl: "1h", tokenMaxTtl: 3600 });
    expect(warnings(fileWith(change))).toEqual([]);
    expect(only(synthOf(change), "vault_kubernetes_auth_backend_role")).toMatchObject({
      token_ttl: 3600,
      token_max_ttl: 3600,
    });
  });

  test("rejects tokenTtl one second above tokenMaxTtl", () => {
    expect(refusal(fileWith(role({ tokenPeriod: undefined, tokenTtl: 3601, tokenMaxTtl: "1h" })))).toBe(
      `clusters[0].roles[0].tokenTtl: 3601 (3601s) is greater than tokenMaxTtl "1h" (3600s); lower tokenTtl or raise tokenMaxTtl`,
    );
  });

  test("accepts any tokenTtl next to tokenMaxTtl 0, which Vault reads as unset (the mount's max)", () => {
    const change = role({ tokenPeriod: undefined, tokenTtl: "1h", tokenMaxTtl: 0 });
    expect(warnings(fileWith(change))).toEqual([]);
    expect(only(synthOf(change), "vault_kubernetes_auth_backend_role")).toMatchObject({
      token_ttl: 3600,
      token_max_ttl: 0,
    });
  });

  test("rejects tokenTtl 2s next to the smallest set tokenMaxTtl, 1s", () => {
    expect(refusal(fileWith(role({ tokenPeriod: undefined, tokenTtl: 2, tokenMaxTtl: 1 })))).toBe(
      "clusters[0].roles[0].tokenTtl: 2 (2s) is greater than tokenMaxTtl 1 (1s); lower tokenTtl or raise tokenMaxTtl",
    );
  });

  test("rejects tokenTtl above tokenMaxTtl with the jwt method too", () => {
    const text = fileWith((c) => {
      auth(c).method = "jwt";
      delete auth(c).reviewer;
      Object.assign(firstRole(c), { audience: "vault", tokenPeriod: undefined, tokenTtl: "2h", tokenMaxTtl: "1h" });
    });
    expect(refusal(text)).toBe(
      `clusters[0].roles[0].tokenTtl: "2h" (7200s) is greater than tokenMaxTtl "1h" (3600s); lower tokenTtl or raise tokenMaxTtl`,
    );
  });
});

describe("the KubernetesAuthRole construct draws the TTL line where the config does (library use)", () => {
  const addRole = (tokenTtl: Duration, tokenMaxTtl: Duration) => {
    const stack = newStack();
    const backend = new KubernetesAuthBackend(stack, "Auth", {
      path: "k8s",
      kubernetesHost: "https://kubernetes.example.com",
      kubernetesCaCert: TEST_CA,
      reviewer: Reviewer.vaultPod(),
    });
    backend.addRole("x", {
      boundServiceAccountNames: ["x"],
      boundServiceAccountNamespaces: ["x"],
      tokenTtl,
      tokenMaxTtl,
    });
    return only(synthJson(stack), "vault_kubernetes_auth_backend_role");
  };

  test.each([
    ["equal to the max TTL", () => [Duration.hours(1), Duration.hours(1)]],
    ["next to a max TTL of 0 (unset)", () => [Duration.hours(1), Duration.seconds(0)]],
  ])("accepts a TTL %s", (_what, make) => {
    const [ttl, maxTtl] = make();
    expect(addRole(ttl, maxTtl)).toMatchObject({ token_ttl: ttl.toSeconds(), token_max_ttl: maxTtl.toSeconds() });
  });

  test("rejects a TTL one second above the max TTL", () => {
    expect(() => addRole(Duration.seconds(3601), Duration.hours(1))).toThrow(
      'test/Auth/Roles/x: tokenTtl: "3601s" (3601s) is greater than tokenMaxTtl "1h" (3600s); lower tokenTtl or raise tokenMaxTtl',
    );
  });
});

describe("token lifetimes at Vault's default max TTL, 768h (warned: the max can be raised)", () => {
  const AT = 768 * 3600;
  const capped = (field: string, value: number) =>
    `clusters[0].roles[0].${field}: ${value} (${value}s) is above Vault's default max TTL of 768h (32 days): Vault caps it to 768h unless max_lease_ttl was raised for the system or this auth mount (vault auth tune -max-lease-ttl=...)`;

  test.each(["tokenPeriod", "tokenTtl", "tokenMaxTtl", "tokenExplicitMaxTtl"])(
    "says nothing about %s at exactly 768h",
    (field) => {
      expect(warnings(fileWith(role({ tokenPeriod: undefined, [field]: AT })))).toEqual([]);
    },
  );

  test.each(["tokenTtl", "tokenMaxTtl", "tokenExplicitMaxTtl"])(
    "warns that %s at 768h and 1s is capped at login",
    (field) => {
      expect(warnings(fileWith(role({ tokenPeriod: undefined, [field]: AT + 1 })))).toEqual([capped(field, AT + 1)]);
    },
  );

  // vault-plugin-auth-kubernetes v0.23.1 path_role.go:281-283, vault-plugin-auth-jwt v0.25.0
  // path_role.go:441-443: a period above the mount's max lease TTL fails the role write.
  test("warns that tokenPeriod at 768h and 1s makes Vault refuse the role, not cap it", () => {
    expect(warnings(fileWith(role({ tokenPeriod: AT + 1 })))).toEqual([
      `clusters[0].roles[0].tokenPeriod: ${AT + 1} (${AT + 1}s) is above Vault's default max TTL of 768h (32 days): Vault refuses the role ("token period ... is greater than the backend's maximum lease TTL") unless max_lease_ttl was raised for the system or this auth mount (vault auth tune -max-lease-ttl=...)`,
    ]);
  });

  test("warns that tokenTtl does nothing next to a tokenPeriod of 1s", () => {
    expect(warnings(fileWith(role({ tokenPeriod: 1, tokenTtl: "10m" })))).toEqual([
      `clusters[0].roles[0].tokenTtl: "10m" has no effect next to tokenPeriod: Vault issues a periodic token, and every renewal resets it to the period; drop tokenTtl`,
    ]);
  });

  // vault/sdk framework/lease.go, CalculateTTL: the effective max is the role's max TTL when set
  // and lower, and a period above it is capped ("period ... exceeded the effective max_ttl").
  test.each<[string, Record<string, unknown>]>([
    ["equal to tokenMaxTtl", { tokenPeriod: "1h", tokenMaxTtl: 3600 }],
    ["next to tokenMaxTtl 0 (unset)", { tokenPeriod: "1h", tokenMaxTtl: 0 }],
  ])("says nothing about a tokenPeriod %s", (_what, change) => {
    expect(warnings(fileWith(role(change)))).toEqual([]);
  });

  test("warns that a tokenPeriod one second above tokenMaxTtl is capped to it", () => {
    expect(warnings(fileWith(role({ tokenPeriod: 3601, tokenMaxTtl: "1h" })))).toEqual([
      `clusters[0].roles[0].tokenPeriod: 3601 (3601s) is above tokenMaxTtl "1h" (3600s): Vault caps the period to it at every login and renewal; lower tokenPeriod or raise tokenMaxTtl (or drop it: a periodic token needs none)`,
    ]);
  });

  test("says nothing about tokenTtl next to tokenPeriod 0, which is no period (an ordinary token, whose TTL counts)", () => {
    expect(warnings(fileWith(role({ tokenPeriod: 0, tokenTtl: "10m" })))).toEqual([]);
  });
});

describe("batch tokens against tokenPeriod (vault/sdk tokenutil: TokenPeriod != 0 refuses batch)", () => {
  test("accepts a batch token type with tokenPeriod 0", () => {
    const change = role({ tokenType: "batch", tokenPeriod: 0 });
    accepted(fileWith(change));
    expect(only(synthOf(change), "vault_kubernetes_auth_backend_role")).toMatchObject({
      token_type: "batch",
      token_period: 0,
    });
  });

  test("rejects a batch token type with tokenPeriod 1s", () => {
    expect(refusal(fileWith(role({ tokenType: "batch", tokenPeriod: 1 })))).toBe(
      `clusters[0].roles[0].tokenType is batch, but batch tokens cannot be periodic: Vault refuses the role ("'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens", vault/sdk helper/tokenutil/tokenutil.go:225-228); drop tokenPeriod or use token type service`,
    );
  });

  test("accepts a service token type with a period", () => {
    accepted(fileWith(role({ tokenType: "service", tokenPeriod: 1 })));
  });
});

describe("durations as Vault reads them (parseutil v0.2.0 ParseDurationSecond): seconds, days alone, Go durations", () => {
  test.each<[string, string | number, number]>([
    ["zero", 0, 0],
    ["the largest number Vault holds", 9_223_372_036, 9_223_372_036],
    ["the largest plain string", "9223372036", 9_223_372_036],
    ["a whole number of days", "7d", 604_800],
    ["the most days", "106751d", 106_751 * 86_400],
    ["hours, minutes and seconds in order", "1h30m15s", 5415],
    ["parts in any order, as Go reads them", "30m1h", 5400],
    ["a fraction of an hour", "1.5h", 5400],
    ["milliseconds, whole seconds kept as Vault keeps them", "1500ms", 1],
    ["a sign Go allows", "+90s", 90],
  ])("accepts %s (%j) and writes %d seconds", (_what, value, seconds) => {
    const change = role({ tokenPeriod: undefined, tokenExplicitMaxTtl: value });
    accepted(fileWith(change));
    expect(only(synthOf(change), "vault_kubernetes_auth_backend_role")).toMatchObject({
      token_explicit_max_ttl: seconds,
    });
  });

  const days =
    'mixes days with other units or parts of a day, which Vault refuses: it reads "d" only after a whole number of days alone (7d), and Go\'s duration units (h, m, s, ms, us, ns) have no d';
  test.each<[string, string | number, string]>([
    ["a negative number", -1, "-1 is negative; use a duration such as 30m, 1800s or 1h"],
    [
      "one more than the largest number",
      9_223_372_037,
      "9223372037 is longer than Vault can hold; use at most 9223372036 seconds (about 292 years)",
    ],
    ["a fraction", 0.5, "0.5 is not a whole number of seconds; use e.g. 1800, 30m or 7d"],
    [
      "one second more than Vault holds, as text",
      "9223372037",
      `"9223372037" is longer than Vault can hold (at most 9223372036 seconds, about 292 years)`,
    ],
    ["days and hours", "1d12h", `"1d12h" ${days}; write 36h`],
    [
      "a fraction of a day",
      "1.5d",
      `"1.5d" ${days}; write the whole span in h, m and s (e.g. 36h), or a whole number of days alone (7d)`,
    ],
    [
      "a negative text",
      "-10m",
      `"-10m" is negative, which Vault refuses ("cannot provide negative value"); use e.g. 1800, 30m, 1h30m, 1.5h or 7d`,
    ],
    [
      "a number without a unit after a part",
      "1h30",
      `"1h30" has a number without a unit, which Vault refuses; add s, m or h (e.g. 1800, 30m, 1h30m, 1.5h or 7d)`,
    ],
    [
      "a word for a unit",
      "30min",
      `"30min" has the unit "min", which Vault does not know; use s, m or h (Go's ns, us and ms too), or a whole number of days alone (7d)`,
    ],
    ["a unit alone", "h", `"h" is not a duration Vault reads; use e.g. 1800, 30m, 1h30m, 1.5h or 7d`],
  ])("rejects %s (%j)", (_what, value, message) => {
    expect(refusal(fileWith(role({ tokenPeriod: undefined, tokenExplicitMaxTtl: value })))).toBe(
      `clusters[0].roles[0].tokenExplicitMaxTtl: ${message}`,
    );
  });
});

describe('"*" in bound names and namespaces: alone, on one side or both', () => {
  test.each<[string, Record<string, unknown>]>([
    ["names", { boundServiceAccountNames: ["*"] }],
    ["namespaces", { boundServiceAccountNamespaces: ["*"] }],
    ["names and namespaces", { boundServiceAccountNames: ["*"], boundServiceAccountNamespaces: ["*"] }],
  ])(
    // vault-plugin-auth-kubernetes v0.23.1 path_role.go:312-315 and 337-340 refuse only "*" mixed with names.
    'accepts "*" alone in %s with the long-lived-token reviewer, and writes it',
    (_side, change) => {
      accepted(fileWith(role(change)));
      expect(only(synthOf(role(change)), "vault_kubernetes_auth_backend_role")).toMatchObject({
        bound_service_account_names: change.boundServiceAccountNames ?? ["atlantis"],
        bound_service_account_namespaces: change.boundServiceAccountNamespaces ?? ["atlantis"],
      });
    },
  );

  test.each([
    ["boundServiceAccountNames", ["*", "atlantis"], "ServiceAccount name"],
    ["boundServiceAccountNames", ["atlantis", "*"], "ServiceAccount name"],
    ["boundServiceAccountNamespaces", ["atlantis", "*"], "namespace"],
  ])('rejects %s %j, "*" next to one name', (field, value) => {
    expect(refusal(fileWith(role({ [field]: value })))).toBe(
      `clusters[0].roles[0].${field}: ${JSON.stringify(value)} mixes "*" with names, which Vault rejects; use ["*"] alone or only names`,
    );
  });

  test.each([
    ["boundServiceAccountNames", "ServiceAccount name"],
    ["boundServiceAccountNamespaces", "namespace"],
  ])("rejects an empty %s and accepts one name", (field, what) => {
    expect(refusal(fileWith(role({ [field]: [] })))).toBe(
      `clusters[0].roles[0].${field} is empty; list at least one ${what}, or "*" for any`,
    );
    accepted(fileWith(role({ [field]: ["a"] })));
  });

  describe("with the client-jwt reviewer, which binds each ServiceAccount to system:auth-delegator", () => {
    const clientJwt = (change: Record<string, unknown>) =>
      fileWith((c) => {
        explicitConnection(c);
        auth(c).reviewer = { mode: "client-jwt" };
        Object.assign(firstRole(c), change);
      });
    const holdsStar = (field: string) =>
      `clusters[0].roles[0].${field} holds "*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator; list concrete names, or use the long-lived-token or vault-pod reviewer`;

    test("accepts concrete names on both sides", () => {
      accepted(clientJwt({ boundServiceAccountNames: ["a", "b"], boundServiceAccountNamespaces: ["x"] }));
    });

    test.each(["boundServiceAccountNames", "boundServiceAccountNamespaces"])(
      'rejects "*" on one side only, in %s, at that side',
      (field) => {
        expect(refusal(clientJwt({ [field]: ["*"] }))).toBe(holdsStar(field));
      },
    );

    test('rejects "*" on both sides at each side', () => {
      expect(refusals(clientJwt({ boundServiceAccountNames: ["*"], boundServiceAccountNamespaces: ["*"] }))).toEqual([
        holdsStar("boundServiceAccountNames"),
        holdsStar("boundServiceAccountNamespaces"),
      ]);
    });
  });

  describe('with the jwt method, where a "*" becomes a glob of the sub claim', () => {
    const jwtRole =
      (change: Record<string, unknown>): Change =>
      (c) => {
        auth(c).method = "jwt";
        delete auth(c).reviewer;
        Object.assign(firstRole(c), { audience: "vault", ...change });
      };

    test.each<[string, Record<string, unknown>, string, string]>([
      ['no "*"', {}, "system:serviceaccount:atlantis:atlantis", "string"],
      ['"*" names', { boundServiceAccountNames: ["*"] }, "system:serviceaccount:atlantis:*", "glob"],
      ['"*" namespaces', { boundServiceAccountNamespaces: ["*"] }, "system:serviceaccount:*:atlantis", "glob"],
    ])("binds %s as sub %s (%s)", (_what, change, sub, type) => {
      accepted(fileWith(jwtRole(change)));
      expect(only(synthOf(jwtRole(change)), "vault_jwt_auth_backend_role")).toMatchObject({
        bound_claims: { sub },
        bound_claims_type: type,
      });
    });
  });
});

describe("one auth mount path per Vault mount table: (address, Vault namespace, path)", () => {
  // Each cluster its own EKS cluster and policy names, so only the mount can clash.
  const entry = (name: string, path: string, vault: Record<string, string>) => {
    const base = seedCluster({
      name,
      auth: { path },
      vault,
      kubernetes: { eks: { clusterName: name, region: "eu-west-1" } },
      policies: [{ name: `${name}-read`, rules: [{ kvRead: { mount: "secret", path: name } }] }],
    });
    return { ...base, roles: base.roles.map((r) => ({ ...r, tokenPolicies: [`${name}-read`] })) };
  };
  const two = (a: ClusterInput, b: ClusterInput) => stringify({ clusters: [a, b] });
  const ADDRESS = "https://vault.example.com:8200";

  test("accepts one path in two Vault namespaces of one address (each namespace has its own mount table)", () => {
    const a = entry("a", "k8s", { address: ADDRESS, namespace: "team-a" });
    const b = entry("b", "k8s", { address: ADDRESS, namespace: "team-b" });
    accepted(two(a, b));
    for (const [cluster, namespace] of [
      [a, "team-a"],
      [b, "team-b"],
    ] as const) {
      const json = synthJson(stackFor(cluster));
      expect(json.provider.vault).toEqual([{ address: ADDRESS, namespace }]);
      expect(only(json, "vault_auth_backend")).toMatchObject({ path: "k8s" });
    }
  });

  test("accepts one path in a Vault namespace and in the root namespace of one address", () => {
    accepted(
      two(entry("a", "k8s", { address: ADDRESS }), entry("b", "k8s", { address: ADDRESS, namespace: "team-b" })),
    );
  });

  test("accepts a path under another's mount when the two are in different Vault namespaces", () => {
    accepted(
      two(
        entry("a", "k8s", { address: ADDRESS, namespace: "team-a" }),
        entry("b", "k8s/prod", { address: ADDRESS, namespace: "team-b" }),
      ),
    );
  });

  test("rejects one path twice in one Vault namespace, naming the Vault and the namespace", () => {
    const a = entry("a", "k8s", { address: ADDRESS, namespace: "team-a" });
    const b = entry("b", "k8s", { address: ADDRESS, namespace: "team-a" });
    expect(refusal(two(a, b))).toBe(
      `clusters[1].auth.path: "k8s" is already the mount of clusters[0] on the same Vault (${ADDRESS}, namespace team-a); give each cluster its own auth.path, e.g. k8s/b`,
    );
  });

  test("rejects one path twice in one Vault namespace when the address is spelt another way", () => {
    const a = entry("a", "k8s", { address: "https://Vault.Example.com:8200/", namespace: "team-a" });
    const b = entry("b", "k8s", { address: "https://vault.example.com:8200", namespace: "team-a" });
    expect(refusal(two(a, b))).toBe(
      `clusters[1].auth.path: "k8s" is already the mount of clusters[0] on the same Vault (https://vault.example.com:8200, namespace team-a); give each cluster its own auth.path, e.g. k8s/b`,
    );
  });

  test("does not take two different addresses it cannot read for one Vault", () => {
    const a = entry("a", "k8s", { address: "https://vault%zz.example.com" });
    const b = entry("b", "k8s", { address: "https://vault%yy.example.com" });
    expect(
      problemsIn(two(a, b))
        .split("\n")
        .map((line) => line.replace(/^ {2}bad\.yaml:\d+:\d+: /, "")),
    ).toEqual([
      "bad.yaml has 2 problems:",
      expect.stringMatching(/^clusters\[0\]\.vault\.address: "https:\/\/vault%zz\.example\.com" is not a valid URL/),
      expect.stringMatching(/^clusters\[1\]\.vault\.address: "https:\/\/vault%yy\.example\.com" is not a valid URL/),
    ]);
  });

  test("names the first cluster that took a mount, for every later one that takes it again", () => {
    const [a, b, c] = ["a", "b", "c"].map((name) => entry(name, "k8s", { address: ADDRESS }));
    expect(
      problemsIn(stringify({ clusters: [a, b, c] }))
        .split("\n")
        .slice(1),
    ).toEqual([
      expect.stringMatching(/: clusters\[1\]\.auth\.path: "k8s" is already the mount of clusters\[0\] on/),
      expect.stringMatching(/: clusters\[2\]\.auth\.path: "k8s" is already the mount of clusters\[0\] on/),
    ]);
  });

  test("names the first cluster whose mount lies under a later cluster's path", () => {
    const clusters = [entry("a", "k8s/a", { address: ADDRESS }), entry("b", "k8s/b", { address: ADDRESS })];
    expect(refusal(stringify({ clusters: [...clusters, entry("c", "k8s", { address: ADDRESS })] }))).toBe(
      `clusters[2].auth.path: "k8s" is a prefix of the mount of clusters[0] on the same Vault (${ADDRESS}): Vault refuses it with "path is already in use"; use paths that are not prefixes of each other, e.g. k8s/a and k8s/b`,
    );
  });

  test("rejects a path under another's mount in one Vault namespace", () => {
    const a = entry("a", "k8s", { address: ADDRESS, namespace: "team-a" });
    const b = entry("b", "k8s/prod", { address: ADDRESS, namespace: "team-a" });
    expect(refusal(two(a, b))).toBe(
      `clusters[1].auth.path: "k8s/prod" lies under "k8s", the mount of clusters[0] on the same Vault (${ADDRESS}, namespace team-a): Vault refuses it with "path is already in use at k8s/"; use paths that are not prefixes of each other, e.g. k8s/a and k8s/b`,
    );
  });

  test("rejects a path that is a prefix of another's mount in one Vault namespace", () => {
    const a = entry("a", "k8s/prod", { address: ADDRESS, namespace: "team-a" });
    const b = entry("b", "k8s", { address: ADDRESS, namespace: "team-a" });
    expect(refusal(two(a, b))).toBe(
      `clusters[1].auth.path: "k8s" is a prefix of the mount of clusters[0] on the same Vault (${ADDRESS}, namespace team-a): Vault refuses it with "path is already in use"; use paths that are not prefixes of each other, e.g. k8s/a and k8s/b`,
    );
  });

  test("accepts one policy name in two Vault namespaces, and rejects it twice in one", () => {
    const withPolicy = (cluster: ClusterInput) => ({
      ...cluster,
      policies: [{ name: "reader", rules: [{ list: "secret/metadata" }] }],
      roles: cluster.roles.map((r) => ({ ...r, tokenPolicies: ["reader"] })),
    });
    const a = withPolicy(entry("a", "k8s-a", { address: ADDRESS, namespace: "team-a" }));
    accepted(two(a, withPolicy(entry("b", "k8s-b", { address: ADDRESS, namespace: "team-b" }))));
    expect(refusal(two(a, withPolicy(entry("b", "k8s-b", { address: ADDRESS, namespace: "team-a" }))))).toBe(
      `clusters[1].policies[0].name: policy "reader" is also managed by clusters[0] on the same Vault (${ADDRESS}, namespace team-a); each apply would overwrite the other's, and a destroy would delete it for both: give one of them another name, and use that name in its cluster's roles (each cluster's roles may only name policies of its own entry)`,
    );
  });
});

describe("policies: a preset and rules, and each rule in exactly one form", () => {
  const policy =
    (value: Record<string, unknown>): Change =>
    (c) => {
      c.policies = [{ name: "admin", ...value }];
    };
  const rules = (...list: Record<string, unknown>[]) => policy({ rules: list });
  /** The rules the synthesized policy document holds. */
  const documentOf = (change: Change) =>
    Object.values(synthOf(change).data?.vault_policy_document ?? {}).map((document) => document.rule);

  test("accepts preset admin alone, and writes its one rule", () => {
    accepted(fileWith(policy({ preset: "admin" })));
    expect(documentOf(policy({ preset: "admin" }))).toEqual([
      [
        {
          path: "*",
          capabilities: ["sudo", "read", "create", "update", "delete", "list", "patch"],
          description: "allow all",
        },
      ],
    ]);
  });

  test.each<[string, Record<string, unknown>[], string]>([
    ["a kvRead rule", [{ kvRead: { mount: "secret", path: "x" } }], "1 rule"],
    ["a deny rule, which admin would silently lose", [{ deny: "sys/*" }], "1 rule"],
    ["an empty rules list", [], "0 rules"],
    ["two rules", [{ list: "a" }, { deny: "b" }], "2 rules"],
  ])("rejects preset admin with %s", (_what, list, count) => {
    expect(refusal(fileWith(policy({ preset: "admin", rules: list })))).toBe(
      `clusters[0].policies[0].rules holds ${count} next to preset "admin", which stands alone (every capability on every path) and takes no rules; drop rules, or drop preset: admin and write the grants as rules (- path: "*" with capabilities, and deny rules to take paths away)`,
    );
  });

  test("accepts preset terraform-vault-provider with one rule, and writes the child-token rule before it", () => {
    const change = policy({ preset: "terraform-vault-provider", rules: [{ list: "secret/metadata" }] });
    accepted(fileWith(change));
    expect(documentOf(change)).toEqual([
      [
        { path: "auth/token/create", capabilities: ["update"], description: "the vault provider's child token" },
        { path: "secret/metadata", capabilities: ["list"] },
      ],
    ]);
  });

  test.each<[string, Record<string, unknown>]>([
    ["preset terraform-vault-provider without rules", { preset: "terraform-vault-provider" }],
    ["no preset and an empty rules list", { rules: [] }],
    ["neither preset nor rules", {}],
  ])("rejects %s", (_what, value) => {
    expect(refusal(fileWith(policy(value)))).toBe(
      "clusters[0].policies[0].rules: a policy needs at least one rule (or preset: admin); e.g. - kvRead: { mount: secret, path: myscrt }",
    );
  });

  test.each<[string, Record<string, unknown>, Record<string, unknown>[]]>([
    [
      "path with capabilities and description",
      { path: "secret/data/app", capabilities: ["read", "list"], description: "the app's secret" },
      [{ path: "secret/data/app", capabilities: ["read", "list"], description: "the app's secret" }],
    ],
    [
      "kvRead (version 2 by default)",
      { kvRead: { mount: "kv/apps", path: "atlantis/*" } },
      [
        { path: "kv/apps/data/atlantis/*", capabilities: ["read"] },
        { path: "kv/apps/metadata/atlantis/*", capabilities: ["read", "list"] },
      ],
    ],
    [
      "kvRead version 1",
      { kvRead: { mount: "kv1", path: "atlantis", version: 1 } },
      [{ path: "kv1/atlantis", capabilities: ["read"] }],
    ],
    ["list", { list: "secret/metadata/app" }, [{ path: "secret/metadata/app", capabilities: ["list"] }]],
    ["deny", { deny: "secret/data/admin/*" }, [{ path: "secret/data/admin/*", capabilities: ["deny"] }]],
  ])("accepts a rule in one form, %s, and writes exactly it", (_what, rule, written) => {
    accepted(fileWith(rules(rule)));
    expect(documentOf(rules(rule))).toEqual([written]);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    [
      "path and list",
      { path: "a", capabilities: ["read"], list: "b" },
      [
        `rules[0].list: "b" is a second form next to path "a"; a rule takes one of path, kvRead, list, deny: split it into 2 rules`,
      ],
    ],
    [
      "kvRead and deny",
      { kvRead: { mount: "secret", path: "x" }, deny: "y" },
      [
        `rules[0].deny: "y" is a second form next to kvRead {"mount":"secret","path":"x","version":2}; a rule takes one of path, kvRead, list, deny: split it into 2 rules`,
      ],
    ],
    [
      "list, deny and path",
      { list: "a", deny: "b", path: "c", capabilities: ["read"] },
      [
        `rules[0].list: "a" is a second form next to path "c"; a rule takes one of path, kvRead, list, deny: split it into 3 rules`,
        `rules[0].deny: "b" is a second form next to path "c"; a rule takes one of path, kvRead, list, deny: split it into 3 rules`,
      ],
    ],
    [
      "capabilities on a kvRead rule",
      { kvRead: { mount: "secret", path: "x" }, capabilities: ["read", "update"] },
      [
        `rules[0].capabilities: ["read","update"] goes with path, but this is a kvRead rule, which grants read itself and takes no capabilities; remove capabilities, or write it as - path: "secret/data/x" with capabilities`,
      ],
    ],
    [
      "capabilities on a kvRead version 1 rule",
      { kvRead: { mount: "kv1", path: "x", version: 1 }, capabilities: ["update"] },
      [
        `rules[0].capabilities: ["update"] goes with path, but this is a kvRead rule, which grants read itself and takes no capabilities; remove capabilities, or write it as - path: "kv1/x" with capabilities`,
      ],
    ],
    [
      "a description on a list rule",
      { list: "secret/metadata", description: "browse" },
      [
        `rules[0].description: "browse" goes with path, but this is a list rule, which grants list itself and takes no description; remove description, or write it as - path: "secret/metadata" with capabilities and description`,
      ],
    ],
    [
      "capabilities and a description on a deny rule",
      { deny: "sys/*", capabilities: ["read"], description: "no sys" },
      [
        `rules[0].capabilities: ["read"] goes with path, but this is a deny rule, which denies everything itself and takes no capabilities; remove capabilities, or write it as - path: "sys/*" with capabilities`,
        `rules[0].description: "no sys" goes with path, but this is a deny rule, which denies everything itself and takes no description; remove description, or write it as - path: "sys/*" with capabilities and description`,
      ],
    ],
    [
      "a path without capabilities",
      { path: "secret/data/x" },
      [`rules[0].capabilities: path "secret/data/x" needs capabilities`],
    ],
    [
      "capabilities without any form",
      { capabilities: ["read"] },
      ["rules[0]: a rule needs one of path (with capabilities), kvRead, list or deny"],
    ],
    [
      "empty capabilities",
      { path: "secret/data/x", capabilities: [] },
      ["rules[0].capabilities is empty; list at least one capability, e.g. [read]"],
    ],
  ])("rejects a rule with %s, at the field that would be lost", (_what, rule, expected) => {
    expect(refusals(fileWith(rules(rule)))).toEqual(expected.map((line) => `clusters[0].policies[0].${line}`));
  });

  test.each(["root", "default"])("rejects the policy name %j, which Vault reserves", (name) => {
    expect(
      refusal(
        fileWith((c) => {
          c.policies = [{ name, preset: "admin" }];
          firstRole(c).tokenPolicies = ["default"];
        }),
      ),
    ).toBe(`clusters[0].policies[0].name: ${JSON.stringify(name)} is reserved by Vault; choose another name`);
  });

  test("accepts the policy name defaults, which only starts like a reserved one", () => {
    accepted(
      fileWith((c) => {
        c.policies = [{ name: "defaults", preset: "admin" }];
        firstRole(c).tokenPolicies = ["defaults"];
      }),
    );
  });
});

describe("fields a mode does not use are named, never silently dropped", () => {
  const jwt =
    (kubernetes: Record<string, unknown>): Change =>
    (c) => {
      c.kubernetes = kubernetes;
      auth(c).method = "jwt";
      delete auth(c).reviewer;
      if (kubernetes.eks === undefined) auth(c).jwt = { issuer: "https://oidc.example.com" };
      firstRole(c).audience = "vault";
    };
  const unused = (field: string) =>
    `clusters[0].kubernetes.${field} is not used with auth.method: jwt: Vault never calls the API server and the stack creates no Kubernetes objects`;
  const EKS = { clusterName: "eks-test", region: "ap-northeast-1" };

  test("says nothing about a jwt entry with only what the method uses", () => {
    expect(warnings(fileWith(jwt({ eks: EKS })))).toEqual([]);
    expect(warnings(fileWith(jwt({})))).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string[]]>([
    ["inCluster", { inCluster: true }, [unused("inCluster")]],
    // With discovery (no publicKeys), caCertificate is the CA Vault trusts for the issuer: used, not warned.
    [
      "an explicit connection",
      { host: "https://k8s.example.com", caCertificate: TEST_CA, kubeconfig: { context: "x" } },
      [unused("host"), unused("kubeconfig")],
    ],
    [
      "caCertificate next to eks",
      { eks: EKS, caCertificate: TEST_CA },
      [
        "clusters[0].kubernetes.caCertificate is not used with auth.method: jwt on EKS: the cluster's OIDC issuer has a publicly trusted certificate; it is the CA Vault trusts for the issuer's discovery document only when Vault discovers the keys",
      ],
    ],
    ["a host next to eks", { eks: EKS, host: "https://k8s.example.com" }, [unused("host")]],
    [
      "eks.staticToken",
      { eks: { ...EKS, staticToken: true } },
      [
        "clusters[0].kubernetes.eks.staticToken is not used with auth.method: jwt: the stack only reads the EKS cluster's issuer, with AWS credentials, and needs no Kubernetes token",
      ],
    ],
  ])("warns that %s is not used with auth.method: jwt", (_what, kubernetes, expected) => {
    expect(warnings(fileWith(jwt(kubernetes))).sort()).toEqual([...expected].sort());
  });

  test("rejects auth.jwt with the kubernetes method, and accepts the kubernetes method without it", () => {
    expect(refusal(fileWith((c) => Object.assign(auth(c), { jwt: { issuer: "https://oidc.example.com" } })))).toBe(
      "clusters[0].auth.jwt: applies to auth.method: jwt; set method: jwt, or remove auth.jwt",
    );
    accepted(fileWith(() => {}));
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "a reviewer",
      { reviewer: { mode: "vault-pod" } },
      "clusters[0].auth.reviewer: applies to the kubernetes method; the jwt method has no reviewer (Vault never calls the API server): remove it",
    ],
    [
      "disableIssValidation",
      { disableIssValidation: false },
      "clusters[0].auth.disableIssValidation: applies to the kubernetes method; the jwt method always checks iss against the issuer (bound_issuer): remove it",
    ],
  ])("rejects %s with the jwt method", (_what, extra, expected) => {
    expect(
      refusal(
        fileWith((c) => {
          jwt({ eks: EKS })(c);
          Object.assign(auth(c), extra);
        }),
      ),
    ).toBe(expected);
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "apiAudiences on the long-lived-token reviewer",
      { apiAudiences: ["https://kubernetes.default.svc"] },
      "apiAudiences",
    ],
    ["createBinding on the long-lived-token reviewer", { createBinding: false }, "createBinding"],
  ])("rejects %s, a field of another reviewer mode", (_what, extra, key) => {
    expect(refusal(fileWith((c) => Object.assign(auth(c).reviewer as object, extra)))).toBe(
      `clusters[0].auth.reviewer.${key}: unknown key ${JSON.stringify(key)} (allowed: mode, serviceAccountName, namespace, secretName, bindingName, createNamespace)`,
    );
  });

  test("rejects secretName on the vault-pod reviewer, which creates no Secret", () => {
    expect(
      refusal(
        fileWith((c) => {
          auth(c).reviewer = { mode: "vault-pod", secretName: "x" };
        }),
      ),
    ).toBe(
      `clusters[0].auth.reviewer.secretName: unknown key "secretName" (allowed: mode, serviceAccountName, namespace, bindingName, createBinding)`,
    );
  });
});

describe("the cluster connection: eks, or host with a CA the reviewer needs", () => {
  const kubernetes =
    (value: Record<string, unknown>, reviewer?: Record<string, unknown>): Change =>
    (c) => {
      c.kubernetes = value;
      if (reviewer) auth(c).reviewer = reviewer;
    };
  const HOST = "https://k8s.example.com";

  test.each<[string, Record<string, unknown>, Record<string, unknown> | undefined]>([
    ["eks alone", { eks: { clusterName: "eks-test", region: "ap-northeast-1" } }, undefined],
    [
      "eks with inCluster false",
      { eks: { clusterName: "eks-test", region: "ap-northeast-1" }, inCluster: false },
      undefined,
    ],
    ["host and CA with the long-lived-token reviewer", { host: HOST, caCertificate: TEST_CA }, undefined],
    ["host and CA with the client-jwt reviewer", { host: HOST, caCertificate: TEST_CA }, { mode: "client-jwt" }],
    ["host without a CA with the vault-pod reviewer, which reads Vault's own", { host: HOST }, { mode: "vault-pod" }],
    ["inCluster with no kubeconfig", { host: HOST, caCertificate: TEST_CA, inCluster: true }, undefined],
    [
      "a kubeconfig with inCluster false",
      { host: HOST, caCertificate: TEST_CA, inCluster: false, kubeconfig: { context: "x" } },
      undefined,
    ],
  ])("accepts %s", (_what, value, reviewer) => {
    accepted(fileWith(kubernetes(value, reviewer)));
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["a host", { host: HOST }, "host"],
    ["a kubeconfig", { kubeconfig: { context: "x" } }, "kubeconfig"],
    // A CA next to eks would be dropped: the connection takes the cluster's own.
    ["a caCertificate", { caCertificate: TEST_CA }, "caCertificate"],
    ["inCluster true", { inCluster: true }, "inCluster"],
  ])("rejects eks with %s", (_what, extra) => {
    expect(
      refusal(fileWith(kubernetes({ eks: { clusterName: "eks-test", region: "ap-northeast-1" }, ...extra }))),
    ).toBe(
      "clusters[0].kubernetes: give either eks (host and CA come from the cluster) or host + caCertificate + kubeconfig or inCluster, not both",
    );
  });

  test.each<[string, Record<string, unknown> | undefined, string]>([
    ["long-lived-token", undefined, "long-lived-token"],
    ["client-jwt", { mode: "client-jwt" }, "client-jwt"],
  ])("rejects a host without a CA with the %s reviewer", (_what, reviewer, mode) => {
    expect(refusal(fileWith(kubernetes({ host: HOST }, reviewer)))).toBe(
      `clusters[0].kubernetes.caCertificate is required with the ${mode} reviewer (only vault-pod reads Vault's own CA); paste the cluster CA PEM`,
    );
  });

  test("rejects inCluster true next to a kubeconfig", () => {
    expect(
      refusal(fileWith(kubernetes({ host: HOST, caCertificate: TEST_CA, inCluster: true, kubeconfig: { path: "k" } }))),
    ).toBe(
      "clusters[0].kubernetes.inCluster is true, so Terraform uses its pod's own ServiceAccount and reads no kubeconfig; drop kubeconfig or inCluster",
    );
  });

  test("rejects a connection that names no cluster", () => {
    expect(refusal(fileWith(kubernetes({ caCertificate: TEST_CA })))).toBe(
      "clusters[0].kubernetes says nothing about the cluster; give eks: { clusterName, region }, or host + caCertificate (+ kubeconfig)",
    );
  });
});

describe("reviewer options that depend on each other", () => {
  const reviewer =
    (value: Record<string, unknown>, extra: Record<string, unknown> = {}): Change =>
    (c) => {
      auth(c).reviewer = value;
      Object.assign(c, extra);
    };

  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ["createNamespace true without importExisting", { mode: "long-lived-token", createNamespace: true }, {}],
    [
      "importExisting with createNamespace false",
      { mode: "long-lived-token", createNamespace: false },
      { importExisting: true },
    ],
    [
      "a vault-pod bindingName with createBinding true",
      { mode: "vault-pod", createBinding: true, bindingName: "b" },
      {},
    ],
    ["vault-pod createBinding false without a bindingName", { mode: "vault-pod", createBinding: false }, {}],
  ])("accepts %s", (_what, value, extra) => {
    accepted(fileWith(reviewer(value, extra)));
  });

  test("rejects createNamespace true with importExisting, which adopts objects in that namespace", () => {
    expect(
      refusal(
        fileWith(
          reviewer(
            { mode: "long-lived-token", namespace: "vault-auth", createNamespace: true },
            { importExisting: true },
          ),
        ),
      ),
    ).toBe(
      `clusters[0].auth.reviewer.createNamespace is true while importExisting adopts objects in namespace "vault-auth", which therefore exists already; set createNamespace to false`,
    );
  });

  test("rejects a vault-pod bindingName with createBinding false", () => {
    expect(refusal(fileWith(reviewer({ mode: "vault-pod", createBinding: false, bindingName: "b" })))).toBe(
      "clusters[0].auth.reviewer.bindingName: names a binding, but createBinding is false, so this stack creates none; drop bindingName",
    );
  });
});

describe("roles: policies they name, namespaces they admit, audiences the client-jwt reviewer can use", () => {
  test.each<[string, string[]]>([
    ["default, which every Vault has", ["default"]],
    ["a policy of this cluster", ["admin"]],
    ["no policy at all", []],
  ])("accepts tokenPolicies naming %s", (_what, tokenPolicies) => {
    accepted(fileWith(role({ tokenPolicies })));
  });

  test("rejects tokenPolicies naming a policy of no cluster, with the closest name", () => {
    expect(refusal(fileWith(role({ tokenPolicies: ["admin", "admins"] })))).toBe(
      `clusters[0].roles[0].tokenPolicies[1]: policy "admins" is not defined in this cluster's policies; did you mean "admin"?`,
    );
  });

  test("rejects tokenPolicies naming a far-off policy with where to add it", () => {
    expect(refusal(fileWith(role({ tokenPolicies: ["payments-read"] })))).toBe(
      `clusters[0].roles[0].tokenPolicies[0]: policy "payments-read" is not defined in this cluster's policies; add it under policies, or under externalPolicies if Vault has it from elsewhere (vault policy write)`,
    );
  });

  test.each<[string, Record<string, unknown>]>([
    ["namespaces only", {}],
    [
      "a selector only",
      {
        boundServiceAccountNamespaces: undefined,
        boundServiceAccountNamespaceSelector: { matchLabels: { team: "a" } },
      },
    ],
    ["namespaces and a selector", { boundServiceAccountNamespaceSelector: { matchLabels: { team: "a" } } }],
  ])("accepts a role with %s", (_what, change) => {
    accepted(fileWith(role(change)));
  });

  test("rejects a role with neither namespaces nor a selector", () => {
    expect(refusal(fileWith(role({ boundServiceAccountNamespaces: undefined })))).toBe(
      'clusters[0].roles[0].boundServiceAccountNamespaces is required (Vault refuses a role with neither namespaces nor a namespace selector); list namespaces, ["*"] for any, or give boundServiceAccountNamespaceSelector',
    );
  });

  describe("with the client-jwt reviewer", () => {
    const clientJwt = (apiAudiences: string[] | undefined, change: Record<string, unknown>) =>
      fileWith((c) => {
        explicitConnection(c);
        auth(c).reviewer = apiAudiences ? { mode: "client-jwt", apiAudiences } : { mode: "client-jwt" };
        Object.assign(firstRole(c), change);
      });

    test("accepts a role without an audience, and one whose audience is an API audience", () => {
      accepted(clientJwt(undefined, {}));
      accepted(clientJwt(["https://kubernetes.default.svc", "api"], { audience: "api" }));
    });

    test.each<[string, string[] | undefined]>([
      ["no API audiences", undefined],
      ["other API audiences", ["https://kubernetes.default.svc"]],
    ])("rejects an audience with %s", (_what, apiAudiences) => {
      expect(refusal(clientJwt(apiAudiences, { audience: "vault" }))).toBe(
        `clusters[0].roles[0].audience: "vault" cannot work with the client-jwt reviewer: Vault presents the pod's own token to the TokenReview API as its credential, and the API server accepts only tokens for its own audiences (--api-audiences), so every login would get "permission denied". Drop audience, or use the long-lived-token or vault-pod reviewer; if it is the API server's own audience, list it in auth.reviewer.apiAudiences`,
      );
    });

    test("rejects a namespace selector", () => {
      expect(refusal(clientJwt(undefined, { boundServiceAccountNamespaceSelector: { matchLabels: { a: "b" } } }))).toBe(
        `clusters[0].roles[0].boundServiceAccountNamespaceSelector: needs a reviewer JWT, which the client-jwt reviewer does not store: Vault reads the namespace's labels with it (namespace_validator.go:67-70) and answers "namespace not authorized" without; list boundServiceAccountNamespaces, or use the long-lived-token or vault-pod reviewer`,
      );
    });
  });
});

describe("names and state keys unique where they share a space", () => {
  test("rejects a role name twice in one cluster", () => {
    expect(refusal(fileWith((c) => (c.roles as object[]).push({ ...firstRole(c) })))).toBe(
      `clusters[0].roles[1].name: role name "atlantis" is already used by roles[0]; names must be unique`,
    );
  });

  test("rejects a policy name twice in one cluster", () => {
    expect(refusal(fileWith((c) => (c.policies as object[]).push({ name: "admin", rules: [{ list: "x" }] })))).toBe(
      `clusters[0].policies[1].name: policy name "admin" is already used by policies[0]; names must be unique`,
    );
  });

  const s3Cluster = (name: string, key?: string) => {
    const base = seedCluster({
      name,
      auth: { path: name },
      kubernetes: { eks: { clusterName: name, region: "eu-west-1" } },
      vault: { address: `https://${name}.vault.example.com` },
      state: { s3: { bucket: "states", region: "eu-west-1", ...(key ? { key } : {}) } },
    });
    return base;
  };
  const two = (a: ClusterInput, b: ClusterInput) => stringify({ clusters: [a, b] });

  test("accepts two clusters (each with a role atlantis) in one bucket under their default keys, or one key in two buckets", () => {
    accepted(two(s3Cluster("a"), s3Cluster("b")));
    const other = s3Cluster("b", "shared.tfstate");
    other.state = { s3: { bucket: "other-states", region: "eu-west-1", key: "shared.tfstate" } };
    accepted(two(s3Cluster("a", "shared.tfstate"), other));
  });

  test("a refused cluster name neither invents a clash of default keys nor hides one of explicit keys", () => {
    const named = (cluster: ClusterInput, name: string) => ({ ...cluster, name });
    const nameProblem = (index: number, name: string) =>
      `clusters[${index}].name: "${name}" is not a cluster name; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`;
    expect(refusals(two(named(s3Cluster("a"), "A_1"), named(s3Cluster("b"), "B_2")))).toEqual([
      nameProblem(0, "A_1"),
      nameProblem(1, "B_2"),
    ]);
    expect(
      refusals(two(named(s3Cluster("a", "same.tfstate"), "A_1"), named(s3Cluster("b", "same.tfstate"), "B_2"))),
    ).toEqual([
      nameProblem(0, "A_1"),
      nameProblem(1, "B_2"),
      `clusters[1].state.s3.key: "same.tfstate" in bucket "states" is already the state of clusters[0]; the two stacks would overwrite each other's state: give each cluster its own key (or leave key out: vault-k8s-auth/<name>.tfstate)`,
    ]);
  });

  test("rejects an explicit key equal to another cluster's default key", () => {
    expect(refusal(two(s3Cluster("a"), s3Cluster("b", "vault-k8s-auth/a.tfstate")))).toBe(
      `clusters[1].state.s3.key: "vault-k8s-auth/a.tfstate" in bucket "states" is already the state of clusters[0]; the two stacks would overwrite each other's state: give each cluster its own key (or leave key out: vault-k8s-auth/<name>.tfstate)`,
    );
  });
});

describe("the rules of the systems that consume each value, at their edges (src/formats)", () => {
  const reviewerField = (field: string) => (c: Record<string, unknown>, value: unknown) => {
    (auth(c).reviewer as Record<string, unknown>)[field] = value;
  };
  const eks = (field: string) => (c: Record<string, unknown>, value: unknown) => {
    ((c.kubernetes as Record<string, unknown>).eks as Record<string, unknown>)[field] = value;
  };
  const roleField = (field: string) => (c: Record<string, unknown>, value: unknown) => {
    firstRole(c)[field] = value;
  };
  const kvMount = (c: Record<string, unknown>, mount: unknown) => {
    c.policies = [{ name: "admin", rules: [{ kvRead: { mount, path: "x" } }] }];
  };
  const label = (c: Record<string, unknown>, labels: unknown) => {
    firstRole(c).boundServiceAccountNamespaceSelector = { matchLabels: labels };
  };
  const subdomain = (last: number) => `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(last)}`;
  const prefix = (last: number) => `${"p".repeat(63)}.${"q".repeat(63)}.${"r".repeat(63)}.${"s".repeat(last)}/team`;
  const a = (length: number) => "a".repeat(length);
  const DNS_LABEL = "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";
  const LABEL_KEY_FIX =
    "use a label key such as team or example.com/team: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/'";
  // vault/sdk v0.20.0 framework/path.go:19-21, GenericNameRegex: \w(([\w-.]+)?\w)?
  const ROLE_NAME_FIX =
    "use letters, digits and '_', with '-' and '.' only between them (Vault's role name pattern, GenericNameRegex)";
  const S3_FIX =
    "use 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (S3 bucket naming rules)";

  type Row = [string, string, (c: Record<string, unknown>, value: unknown) => void, unknown, unknown, string];
  test.each<Row>([
    [
      "a namespace (DNS-1123 label)",
      "63 characters",
      reviewerField("namespace"),
      a(63),
      a(64),
      `auth.reviewer.namespace: "${a(64)}" is not a namespace; ${DNS_LABEL}`,
    ],
    [
      "a cluster name (DNS-1123 label)",
      "63 characters",
      (c, v) => Object.assign(c, { name: v }),
      a(63),
      a(64),
      `name: "${a(64)}" is not a cluster name; ${DNS_LABEL}`,
    ],
    [
      "a ServiceAccount name (DNS-1123 subdomain)",
      "253 characters",
      // With a secretName: the default one, <serviceAccountName>-token, has its own edge (checks-twice.test.ts).
      (c: Record<string, unknown>, value: unknown) => {
        reviewerField("serviceAccountName")(c, value);
        reviewerField("secretName")(c, "reviewer-token");
      },
      subdomain(61),
      subdomain(62),
      `auth.reviewer.serviceAccountName: ${JSON.stringify(`${subdomain(62).slice(0, 77)}...`)} is not a ServiceAccount name; use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit`,
    ],
    [
      "a ClusterRoleBinding name (a path segment)",
      "three dots",
      reviewerField("bindingName"),
      "...",
      "..",
      `auth.reviewer.bindingName: ".." is not a ClusterRoleBinding name; use a name without '/', '%' or spaces that is not '.' or '..' (e.g. vault:token-reviewer)`,
    ],
    [
      "an EKS cluster name",
      "100 characters",
      eks("clusterName"),
      a(100),
      a(101),
      `kubernetes.eks.clusterName: ${JSON.stringify(`${a(77)}...`)} is not an EKS cluster name; use the name \`aws eks list-clusters\` shows: 1 to 100 letters, digits, '-' and '_', starting with a letter or digit`,
    ],
    [
      "an AWS region",
      "a two-digit number",
      eks("region"),
      "xx-east-99",
      "us-east-100",
      `kubernetes.eks.region: "us-east-100" is not an AWS region; use a region code such as ap-northeast-1 or us-east-1 (not a name like Tokyo, not an availability zone like us-east-1a)`,
    ],
    [
      "an AWS region",
      "its zone's letter",
      eks("region"),
      "us-east-1",
      "us-east-1a",
      `kubernetes.eks.region: "us-east-1a" is an availability zone; use its region, us-east-1`,
    ],
    [
      "an S3 bucket name",
      "3 characters",
      (c, v) => Object.assign(c, { state: { s3: { bucket: v, region: "eu-west-1" } } }),
      "abc",
      "ab",
      `state.s3.bucket: "ab" is not an S3 bucket name; ${S3_FIX}`,
    ],
    [
      "an S3 bucket name",
      "63 characters",
      (c, v) => Object.assign(c, { state: { s3: { bucket: v, region: "eu-west-1" } } }),
      a(63),
      a(64),
      `state.s3.bucket: "${a(64)}" is not an S3 bucket name; ${S3_FIX}`,
    ],
    [
      "a label key's name",
      "63 characters",
      (c, v) => label(c, { [String(v)]: "x" }),
      a(63),
      a(64),
      `roles[0].boundServiceAccountNamespaceSelector.matchLabels.${a(64)}: "${a(64)}" is not a label key; ${LABEL_KEY_FIX}`,
    ],
    [
      "a label key's DNS prefix",
      "253 characters",
      (c, v) => label(c, { [String(v)]: "x" }),
      prefix(61),
      prefix(62),
      `roles[0].boundServiceAccountNamespaceSelector.matchLabels.${prefix(62)}: ${JSON.stringify(`${prefix(62).slice(0, 77)}...`)} is not a label key; ${LABEL_KEY_FIX}`,
    ],
    [
      "a label value",
      "63 characters",
      (c, v) => label(c, { team: v }),
      a(63),
      a(64),
      `roles[0].boundServiceAccountNamespaceSelector.matchLabels.team: "${a(64)}" is not a label value; use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or an empty value)`,
    ],
    [
      "an IPv4 address block",
      "/32",
      (c, v) => Object.assign(firstRole(c), { tokenBoundCidrs: [v] }),
      "10.0.0.1/32",
      "10.0.0.1/33",
      `roles[0].tokenBoundCidrs[0]: "10.0.0.1/33" has prefix length /33, but an IPv4 address has 32 bits`,
    ],
    [
      "an IPv6 address block",
      "/128",
      (c, v) => Object.assign(firstRole(c), { tokenBoundCidrs: [v] }),
      "fd00::1/128",
      "fd00::1/129",
      `roles[0].tokenBoundCidrs[0]: "fd00::1/129" has prefix length /129, but an IPv6 address has 128 bits`,
    ],
    [
      "a role name",
      "'_' at the end",
      roleField("name"),
      "a_",
      "a-",
      `roles[0].name: "a-" is not a role name; ${ROLE_NAME_FIX}`,
    ],
    [
      "a role name",
      "one character",
      roleField("name"),
      "a",
      "a.",
      `roles[0].name: "a." is not a role name; ${ROLE_NAME_FIX}`,
    ],
    [
      "a role name",
      "'_' at the start, which \\w holds",
      roleField("name"),
      "_ci",
      "-ci",
      `roles[0].name: "-ci" is not a role name; ${ROLE_NAME_FIX}`,
    ],
    [
      "a role name",
      "capitals, which Vault takes and lowercases",
      roleField("name"),
      "Atlantis.Prod_2",
      "Atlantis.Prod@2",
      `roles[0].name: "Atlantis.Prod@2" is not a role name; ${ROLE_NAME_FIX}`,
    ],
    [
      "an auth mount path",
      "the token store's name with one more letter",
      (c, v) => Object.assign(auth(c), { path: v }),
      "tokens",
      "token",
      `auth.path: "token" is the token store's mount (auth/token/), which every Vault has: Vault answers "path is already in use at token/"; choose another path, e.g. kubernetes or k8s/prod`,
    ],
    [
      "an auth mount path",
      "token as a later segment",
      (c, v) => Object.assign(auth(c), { path: v }),
      "k8s/token",
      "token/k8s",
      `auth.path: "token/k8s" is the token store's mount (auth/token/), which every Vault has: Vault answers "path is already in use at token/"; choose another path, e.g. kubernetes or k8s/prod`,
    ],
    [
      "a KV mount",
      "Vault's own mount name with more letters",
      kvMount,
      "system",
      "sys",
      `policies[0].rules[0].kvRead.mount: "sys" is Vault's own sys/ mount (vault/mount.go, protectedMounts), not a KV engine; name the KV mount, e.g. secret`,
    ],
    [
      "a KV mount",
      "Vault's own mount name as a later segment",
      kvMount,
      "kv/sys",
      "sys/kv",
      `policies[0].rules[0].kvRead.mount: "sys/kv" is Vault's own sys/ mount (vault/mount.go, protectedMounts), not a KV engine; name the KV mount, e.g. secret`,
    ],
    [
      "a Vault namespace",
      "a reserved name with more letters",
      (c, v) => Object.assign(c, { vault: { namespace: v } }),
      "admin/roots",
      "admin/root",
      `vault.namespace: "admin/root" has the segment "root", a name Vault reserves; choose another namespace name`,
    ],
    [
      "a Vault address",
      "port 65535",
      (c, v) => Object.assign(c, { vault: { address: v } }),
      "https://vault.example.com:65535",
      "https://vault.example.com:65536",
      `vault.address: "https://vault.example.com:65536" is not a valid URL (the port 65536 is out of range, 0 to 65535); use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)`,
    ],
    [
      "a policy path",
      "a final '*'",
      (c, v) => Object.assign(c, { policies: [{ name: "admin", rules: [{ path: v, capabilities: ["read"] }] }] }),
      "secret/*",
      "secret/*x",
      `policies[0].rules[0].path: "secret/*x" has "*" before the end, where Vault reads it as a literal "*" (only a final "*" is a glob, vault/policy.go), so it would match only paths that contain "*"; use "+" for one whole segment (e.g. secret/data/+/config) or end the path in *`,
    ],
    [
      "a policy path",
      "'+' then '/*'",
      (c, v) => Object.assign(c, { policies: [{ name: "admin", rules: [{ path: v, capabilities: ["read"] }] }] }),
      "secret/+/*",
      "secret/+*",
      `policies[0].rules[0].path: "secret/+*" has "+*", which Vault refuses ("invalid use of wildcards ('+*' is forbidden)", vault/policy.go); write +/* or end the path in *`,
    ],
    [
      "an audience",
      "one character",
      roleField("audience"),
      "v",
      "",
      `roles[0].audience is empty; write the aud claim the pod's token carries, e.g. "vault"`,
    ],
    [
      "a list of address blocks",
      "one block",
      roleField("tokenBoundCidrs"),
      ["10.0.0.0/16"],
      [],
      "roles[0].tokenBoundCidrs is empty; list address blocks such as 10.0.0.0/16, or leave tokenBoundCidrs out",
    ],
    [
      "matchLabels",
      "one label",
      label,
      { team: "a" },
      {},
      `roles[0].boundServiceAccountNamespaceSelector.matchLabels is empty, and an empty selector admits every namespace; name labels, or use boundServiceAccountNamespaces: ["*"] if every namespace is meant`,
    ],
    [
      "roles",
      "one role",
      (c, v) => Object.assign(c, { roles: v }),
      [{ name: "r", boundServiceAccountNames: ["a"], boundServiceAccountNamespaces: ["a"] }],
      [],
      "roles is empty; define at least one role",
    ],
  ])("%s: accepts %s, rejects just past it", (_what, _edge, set, inside, outside, message) => {
    accepted(fileWith((c) => set(c, inside)));
    expect(refusal(fileWith((c) => set(c, outside)))).toBe(`clusters[0].${message}`);
  });

  test("accepts an empty label value, as Kubernetes does, and writes it into the selector", () => {
    const change = role({ boundServiceAccountNamespaceSelector: { matchLabels: { "example.com/shared": "" } } });
    accepted(fileWith(change));
    expect(
      JSON.parse(
        String(only(synthOf(change), "vault_kubernetes_auth_backend_role").bound_service_account_namespace_selector),
      ),
    ).toEqual({ matchLabels: { "example.com/shared": "" } });
  });

  test("points a refused label key at the key itself, as written in the file", () => {
    const text = fileWith(role({ boundServiceAccountNamespaceSelector: { matchLabels: { "-team": "a" } } }));
    const line = problemsIn(text).split("\n")[1];
    const [, row, column] = /bad\.yaml:(\d+):(\d+):/.exec(line) ?? [];
    expect(text.split("\n")[Number(row) - 1].slice(Number(column) - 1)).toBe("-team: a");
  });

  test("accepts a jwt issuer that is an https URL, and rejects http", () => {
    const issuer = (value: string) =>
      fileWith((c) => {
        c.kubernetes = {};
        c.auth = { method: "jwt", jwt: { issuer: value } };
        firstRole(c).audience = "vault";
      });
    accepted(issuer("https://oidc.example.com"));
    expect(refusal(issuer("http://oidc.example.com"))).toBe(
      `clusters[0].auth.jwt.issuer: "http://oidc.example.com" is not a URL Vault can discover keys at; use the issuer exactly as the cluster's tokens carry it in iss (kubectl get --raw /.well-known/openid-configuration shows it), an https:// URL; or give publicKeys when Vault cannot reach it`,
    );
    // A claim pasted with its name is no URL at all: the URL parser's reason is only for https:// values.
    expect(refusal(issuer("iss=https://oidc.example.com"))).toBe(
      `clusters[0].auth.jwt.issuer: "iss=https://oidc.example.com" is not a URL Vault can discover keys at; use the issuer exactly as the cluster's tokens carry it in iss (kubectl get --raw /.well-known/openid-configuration shows it), an https:// URL; or give publicKeys when Vault cannot reach it`,
    );
  });
});

describe("auth.method jwt: what the method needs, from both sides", () => {
  const jwt = (jwtConfig: Record<string, unknown> | undefined, change: Record<string, unknown> = {}, eks = true) =>
    fileWith((c) => {
      if (!eks) c.kubernetes = {};
      c.auth = jwtConfig ? { method: "jwt", jwt: jwtConfig } : { method: "jwt" };
      Object.assign(firstRole(c), { audience: "vault", ...change });
    });

  test("accepts a role with an audience, and rejects one without", () => {
    accepted(jwt(undefined));
    expect(refusal(jwt(undefined, { audience: undefined }))).toBe(
      `clusters[0].roles[0].audience is required with auth.method: jwt: Vault refuses any token with an aud claim on a role without audiences ("audience claim found in JWT but no audiences bound to the role", vault-plugin-auth-jwt v0.25.0 path_login.go:164-180), and Kubernetes tokens always carry one; set audience (e.g. "vault") and mount a projected token with it`,
    );
  });

  test("accepts aliasNameSource serviceaccount_name, what the jwt method does, and rejects serviceaccount_uid", () => {
    accepted(jwt(undefined, { aliasNameSource: "serviceaccount_name" }));
    expect(refusal(jwt(undefined, { aliasNameSource: "serviceaccount_uid" }))).toBe(
      `clusters[0].roles[0].aliasNameSource: "serviceaccount_uid" cannot be kept with auth.method: jwt, which names the alias after sub (system:serviceaccount:<namespace>:<name>), per name like serviceaccount_name; remove aliasNameSource or set serviceaccount_name`,
    );
  });

  test("accepts an http issuer when publicKeys are given, as Vault then fetches nothing from it", () => {
    const text = jwt({ issuer: "http://oidc.example.com", publicKeys: [PUBLIC_KEY] }, {}, false);
    accepted(text);
    expect(refusal(jwt({ issuer: "http://oidc.example.com" }, {}, false))).toMatch(
      /^clusters\[0\]\.auth\.jwt\.issuer: "http:\/\/oidc\.example\.com" is not a URL Vault can discover keys at; /,
    );
  });

  test("accepts eks without an issuer, and rejects an issuer next to eks", () => {
    accepted(jwt({}));
    expect(refusal(jwt({ issuer: "https://oidc.example.com" }))).toBe(
      "clusters[0].auth.jwt.issuer: comes from kubernetes.eks (the cluster's OIDC issuer), so it is never written twice; remove it, or remove eks to trust an issuer of your own",
    );
  });
});

describe("Duration at the edges of a safe whole number of seconds (library use)", () => {
  test.each<[string | number, number]>([
    [0, 0],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ["9223372036", 9_223_372_036],
    ["106751d", 106_751 * 86_400],
    ["2562047h47m16.854775807s", 9_223_372_036],
  ])("parses %j as %d seconds", (value, seconds) => {
    expect(Duration.parse(value)?.toSeconds()).toBe(seconds);
  });

  test.each([Number.MAX_SAFE_INTEGER + 1, -1, "9223372037", "106752d", "2562047h47m16.854775808s", "-1s", "0.5"])(
    "parses %j as nothing",
    (value) => {
      expect(Duration.parse(value)).toBeUndefined();
    },
  );

  test("makes 0 seconds and refuses -1", () => {
    expect(Duration.seconds(0).toSeconds()).toBe(0);
    expect(() => Duration.seconds(-1)).toThrow(
      "Duration must be a whole, non-negative number of seconds; got -1 seconds",
    );
  });
});
