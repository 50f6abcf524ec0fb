import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { cli, scratchDir, writeConfig } from "./harness";

const dir = scratchDir();
const seed = DEFAULT_CONFIG.clusters[0];
const config = writeConfig(dir, "read.yaml", {
  clusters: [
    {
      ...seed,
      policies: [{ name: "atlantis-read", rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] }],
      roles: [{ ...seed.roles[0], tokenPolicies: ["atlantis-read"] }],
    },
  ],
});
const run = (...args: string[]) => cli(["can", ...args, "--config", config], { cwd: dir });

describe("vault-k8s-auth can", () => {
  test("prints the capabilities, the deciding rule and each policy's part, exit 0", () => {
    expect(run("secret/data/myscrt", "--role", "atlantis")).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "ok: read on secret/data/myscrt (as sys/capabilities-self reports it)\n" +
        'rule: "secret/data/myscrt" (exact) decides: read, merged from every policy that has it\n' +
        '  atlantis-read  "secret/data/myscrt": read\n' +
        "  default        no rule matches\n",
    });
  });

  test("answers an operation with ok or FAIL and exit 0 or 1", () => {
    const allowed = run("secret/data/myscrt", "--role", "atlantis", "--operation", "read");
    expect(allowed.code).toBe(0);
    expect(allowed.stdout.split("\n")[0]).toBe("ok: read secret/data/myscrt is allowed (capabilities: read)");
    const denied = run("secret/data/myscrt", "--role", "atlantis", "--operation", "update");
    expect(denied.code).toBe(1);
    expect(denied.stdout.split("\n")[0]).toBe("FAIL: update secret/data/myscrt is denied (capabilities: read)");
  });

  test("exits 1 with deny for a path no rule matches", () => {
    const result = run("secret/data/other", "--role", "atlantis");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL: deny on secret\/data\/other/);
    expect(result.stdout).toContain("rule: none of the role's policies has a rule that matches");
  });

  test("prints the answer as JSON with --json", () => {
    const result = run("secret/metadata/myscrt", "--role", "atlantis", "--operation", "list", "--json");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(result.stdout)).toEqual({
      path: "secret/metadata/myscrt",
      capabilities: ["list", "read"],
      allowed: true,
      rule: { pattern: "secret/metadata/myscrt", kind: "exact", capabilities: ["list", "read"] },
      policies: [
        { name: "atlantis-read", matched: "secret/metadata/myscrt", capabilities: ["list", "read"], shadowed: null },
        { name: "default", matched: null, capabilities: [], shadowed: null },
      ],
      sudo: null,
      refusedBeforeAcl: null,
      leftOut: [],
    });
  });

  test("rejects a missing path, a missing role, an unknown operation and an unknown role, exit 2", () => {
    expect(run("--role", "atlantis")).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth can: needs a PATH, e.g. can secret/data/myscrt --role atlantis\n",
    });
    expect(run("secret/x")).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth can: needs --role, one of atlantis\n",
    });
    expect(run("secret/x", "--role", "atlantis", "--operation", "write")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'vault-k8s-auth can: --operation "write" is not one of read, list, create, update, patch, delete\n',
    });
    expect(run("secret/x", "--role", "atlantsi")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'vault-k8s-auth can: no role "atlantsi" in cluster eks-test; did you mean "atlantis"? (roles: atlantis)\n',
    });
  });
});

describe("vault-k8s-auth can on Vault's root-protected paths (vault/logical_system.go:113-147)", () => {
  const rootConfig = writeConfig(dir, "root.yaml", {
    clusters: [
      {
        ...seed,
        policies: [
          {
            name: "ops",
            rules: [
              { path: "sys/auth/*", capabilities: ["create", "read", "update", "delete"] },
              { path: "sys/leases", capabilities: ["read", "list", "update"] },
              { path: "sys/mounts/*", capabilities: ["create", "read", "update", "delete", "sudo"] },
              { path: "sys/audit/*", capabilities: ["read", "update", "sudo"] },
            ],
          },
        ],
        roles: [{ ...seed.roles[0], name: "ops", tokenPolicies: ["ops"] }],
      },
    ],
  });
  const ask = (...args: string[]) => cli(["can", ...args, "--role", "ops", "--config", rootConfig], { cwd: dir });

  test("refuses an update of sys/auth/<x> without sudo, as Vault answers 403, and names sudo (issue 19)", () => {
    expect(ask("sys/auth/k8s2", "--operation", "update")).toEqual({
      code: 1,
      stderr: "",
      stdout:
        "FAIL: update sys/auth/k8s2 is denied (capabilities: create, delete, read, update)\n" +
        'sudo: "sys/auth/*" is a root-protected path (vault/logical_system.go:113-147): Vault also requires sudo for update, which the rule lacks\n' +
        'rule: "sys/auth/*" (prefix) decides: create, delete, read, update, merged from every policy that has it\n' +
        "  default  no rule matches\n" +
        '  ops      "sys/auth/*": create, delete, read, update\n',
    });
  });

  test("without --operation, says every operation there needs sudo and exits 1 when the rule lacks it", () => {
    expect(ask("sys/auth/k8s2")).toEqual({
      code: 1,
      stderr: "",
      stdout:
        "FAIL: create, delete, read, update on sys/auth/k8s2 (as sys/capabilities-self reports it; without sudo Vault refuses them all here)\n" +
        'sudo: "sys/auth/*" is a root-protected path (vault/logical_system.go:113-147): every operation there also needs sudo, which the rule lacks\n' +
        'rule: "sys/auth/*" (prefix) decides: create, delete, read, update, merged from every policy that has it\n' +
        "  default  no rule matches\n" +
        '  ops      "sys/auth/*": create, delete, read, update\n',
    });
  });

  test("names the operations a LIST's trailing slash spares on an exact root path (router.go:890-903)", () => {
    const result = ask("sys/leases");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").slice(0, 2)).toEqual([
      "ok: list, read, update on sys/leases (as sys/capabilities-self reports it)",
      'sudo: "sys/leases" is a root-protected path (vault/logical_system.go:113-147): read, create, update, patch, delete there also need sudo, which the rule lacks (not list: a LIST\'s path gains a trailing "/", and a root path without "*" protects only itself)',
    ]);
    expect(ask("sys/leases", "--operation", "list").code).toBe(0);
    expect(ask("sys/leases", "--operation", "read").code).toBe(1);
  });

  test("allows a root path's operation when the deciding rule grants sudo, and says so", () => {
    const result = ask("sys/audit/file", "--operation", "update");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").slice(0, 2)).toEqual([
      "ok: update sys/audit/file is allowed (capabilities: read, sudo, update)",
      'sudo: "sys/audit/*" is a root-protected path (vault/logical_system.go:113-147): Vault also requires sudo for update, which the rule grants',
    ]);
  });

  test("refuses a write to a path ending in '/' before any policy, as Vault does (request_handling.go:707-722)", () => {
    const result = ask("sys/mounts/kv/", "--operation", "update");
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").slice(0, 2)).toEqual([
      "FAIL: update sys/mounts/kv/ is denied (capabilities: create, delete, read, sudo, update)",
      'refused: Vault refuses an update of a path ending in "/" ("cannot write to a path ending in \'/\'") before it looks at any policy (vault/request_handling.go:707-722), unless the mount is tuned with trim_request_trailing_slashes; drop the trailing /',
    ]);
    expect(ask("sys/mounts/kv/", "--operation", "read").code).toBe(0);
    expect(ask("sys/mounts/kv/", "--operation", "delete").code).toBe(0);
  });

  test("prints no sudo line where the path is not root-protected, and the sudo requirement in --json", () => {
    expect(ask("sys/mounts/kv", "--operation", "update").stdout).not.toContain("sudo:");
    expect(JSON.parse(ask("sys/auth/k8s2", "--json").stdout)).toMatchObject({
      allowed: null,
      sudo: {
        operations: ["read", "list", "create", "update", "patch", "delete"],
        rootPaths: ["sys/auth/*"],
        granted: false,
        source: "vault/logical_system.go:113-147",
      },
    });
  });
});

test("the README's can transcript is what can prints for the built-in default", () => {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  const block = /```console\n\$ npx vault-k8s-auth (can .*)\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const [, command, transcript] = block as RegExpExecArray;
  const empty = join(dir, "no-config");
  mkdirSync(empty);
  expect(cli(command.split(" "), { cwd: empty })).toEqual({ code: 0, stdout: transcript, stderr: "" });
});
