/**
 * How `can` combines several policies and a policy's own spelling of a path, as Vault's ACL does
 * (hashicorp/vault v1.21.4 vault/policy.go parsePaths, vault/acl.go NewACL), and how it prints
 * each policy's part. Vault's own tables (test/answers/acl.test.ts) grant, in every layered
 * case, a superset of the earlier policy's capabilities: these cases grant different ones.
 */
import { can } from "../../src/answers/acl/can";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { parseConfig } from "../../src/config/load";
import type { ConfigInput } from "../../src/config/schema";
import { cli, scratchDir, writeConfig } from "../cli/harness";

type ClusterInput = ConfigInput["clusters"][number];
type PolicyInput = NonNullable<ClusterInput["policies"]>[number];

/** The seed's cluster with `policies`, its role "r" carrying all of them and Vault's default policy. */
function seedWith(policies: PolicyInput[]): ClusterInput {
  const seed = structuredClone(DEFAULT_CONFIG.clusters[0]);
  return { ...seed, policies, roles: [{ ...seed.roles[0], name: "r", tokenPolicies: policies.map((p) => p.name) }] };
}

const ask = (policies: PolicyInput[], path: string, operation?: "read" | "update" | "list") =>
  can({ cluster: parseConfig({ clusters: [seedWith(policies)] }, "test").clusters[0], roleName: "r", path, operation });

describe("can: two policies on the same path", () => {
  const reader: PolicyInput = { name: "reader", rules: [{ path: "secret/data/app", capabilities: ["read"] }] };
  const writer: PolicyInput = { name: "writer", rules: [{ path: "secret/data/app", capabilities: ["update"] }] };

  test("unites their capabilities, whichever policy Vault reads first (acl.go:161-178)", () => {
    for (const policies of [
      [reader, writer],
      [writer, reader],
    ]) {
      const answer = ask(policies, "secret/data/app");
      expect(answer.capabilities).toEqual(["read", "update"]);
      expect(answer.rule).toEqual({ pattern: "secret/data/app", kind: "exact", capabilities: ["read", "update"] });
      expect(ask(policies, "secret/data/app", "read").allowed).toBe(true);
      expect(ask(policies, "secret/data/app", "update").allowed).toBe(true);
    }
  });

  test("unites them on a prefix pattern too, and names each policy's own grant", () => {
    const answer = ask(
      [
        { name: "lister", rules: [{ path: "kv/team/*", capabilities: ["list"] }] },
        { name: "creator", rules: [{ path: "kv/team/*", capabilities: ["create"] }] },
      ],
      "kv/team/x",
    );
    expect(answer.capabilities).toEqual(["create", "list"]);
    expect(answer.policies).toEqual([
      { name: "creator", matched: "kv/team/*", capabilities: ["create"], shadowed: null },
      { name: "default", matched: null, capabilities: [], shadowed: null },
      { name: "lister", matched: "kv/team/*", capabilities: ["list"], shadowed: null },
    ]);
  });

  test("denies everything when one of them denies the path, and says so for that policy alone", () => {
    const answer = ask([reader, { name: "blocker", rules: [{ deny: "secret/data/app" }] }], "secret/data/app", "read");
    expect(answer).toMatchObject({ allowed: false, capabilities: ["deny"], rule: { capabilities: ["deny"] } });
    expect(answer.policies).toEqual([
      { name: "blocker", matched: "secret/data/app", capabilities: ["deny"], shadowed: null },
      { name: "default", matched: null, capabilities: [], shadowed: null },
      { name: "reader", matched: "secret/data/app", capabilities: ["read"], shadowed: null },
    ]);
  });
});

describe("can: a path written with a leading '/'", () => {
  test("is the path without it, as Vault drops one leading '/' (policy.go:416-418)", () => {
    const policies: PolicyInput[] = [{ name: "p", rules: [{ path: "/secret/data/app", capabilities: ["read"] }] }];
    expect(ask(policies, "secret/data/app", "read")).toMatchObject({
      allowed: true,
      rule: { pattern: "secret/data/app", kind: "exact" },
      policies: [
        { name: "default", matched: null },
        { name: "p", matched: "secret/data/app", capabilities: ["read"] },
      ],
    });
    expect(ask(policies, "/secret/data/app", "read").allowed).toBe(true);
  });

  test("merges with the same path written without it in another policy", () => {
    const answer = ask(
      [
        { name: "slash", rules: [{ path: "/secret/data/*", capabilities: ["read"] }] },
        { name: "plain", rules: [{ path: "secret/data/*", capabilities: ["list"] }] },
      ],
      "secret/data/app",
    );
    expect(answer.capabilities).toEqual(["list", "read"]);
    expect(answer.rule).toEqual({ pattern: "secret/data/*", kind: "prefix", capabilities: ["list", "read"] });
  });
});

describe("can: a stanza that denies", () => {
  const dir = scratchDir();

  test("grants nothing else it lists: Vault keeps only deny (policy.go:460-464)", () => {
    const answer = ask(
      [{ name: "p", rules: [{ path: "secret/data/app", capabilities: ["deny", "read", "update"] }] }],
      "secret/data/app",
      "read",
    );
    expect(answer).toMatchObject({ allowed: false, capabilities: ["deny"] });
    expect(answer.policies.find((policy) => policy.name === "p")).toEqual({
      name: "p",
      matched: "secret/data/app",
      capabilities: ["deny"],
      shadowed: null,
    });
  });

  test("is printed on its policy's line as deny, next to the grant it overrides, exit 1", () => {
    const config = writeConfig(dir, "deny.yaml", {
      clusters: [
        seedWith([
          { name: "app-read", rules: [{ kvRead: { mount: "secret", path: "app" } }] },
          { name: "block", rules: [{ path: "secret/data/app", capabilities: ["deny", "read"] }] },
        ]),
      ],
    });
    expect(cli(["can", "secret/data/app", "--role", "r", "--config", config], { cwd: dir })).toEqual({
      code: 1,
      stderr: "",
      stdout:
        "FAIL: deny on secret/data/app (as sys/capabilities-self reports it)\n" +
        'rule: "secret/data/app" (exact) decides: deny, merged from every policy that has it\n' +
        '  app-read  "secret/data/app": read\n' +
        '  block     "secret/data/app": deny\n' +
        "  default   no rule matches\n",
    });
  });
});
