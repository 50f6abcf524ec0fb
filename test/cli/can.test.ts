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
      hints: [],
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
    expect(run("secret/x", "--role", "atlantis", "--operation", "put")).toEqual({
      code: 2,
      stdout: "",
      stderr: 'vault-k8s-auth can: --operation "put" is not one of read, list, create, update, patch, delete, write\n',
    });
    expect(run("secret/x", "--role", "atlantsi")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'vault-k8s-auth can: no role "atlantsi" in cluster eks-test; did you mean "atlantis"? (roles: atlantis)\n',
    });
  });
});

describe("vault-k8s-auth can with more than one cluster or role", () => {
  const two = writeConfig(dir, "two-can.yaml", {
    clusters: [
      {
        ...seed,
        policies: [{ name: "wide", rules: [{ kvRead: { mount: "secret", path: "*" } }] }],
        roles: [
          { ...seed.roles[0], name: "reader", tokenPolicies: ["wide"] },
          { ...seed.roles[0], name: "plain", tokenPolicies: [] },
        ],
      },
      {
        ...seed,
        name: "other",
        vault: { namespace: "other" },
        kubernetes: { eks: { clusterName: "other", region: "ap-northeast-1" } },
        policies: [],
        roles: [{ ...seed.roles[0], name: "elsewhere", tokenPolicies: [] }],
      },
    ],
  });
  const ask = (...args: string[]) => cli(["can", ...args, "--config", two], { cwd: dir });

  test("answers for the cluster --cluster names, and lists its roles when --role is missing", () => {
    expect(ask("secret/x", "--cluster", "other")).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth can: needs --role, one of elsewhere\n",
    });
    expect(ask("secret/x", "--cluster", "eks-test").stderr).toBe(
      "vault-k8s-auth can: needs --role, one of reader, plain\n",
    );
  });

  test("hints at KV v2 API paths only from the asked role's own policies", () => {
    const hints = (result: { stdout: string }) => result.stdout.split("\n").filter((line) => line.startsWith("hint: "));
    expect(hints(ask("secret/app", "--cluster", "eks-test", "--role", "reader"))).toHaveLength(2);
    expect(hints(ask("secret/app", "--cluster", "eks-test", "--role", "plain"))).toEqual([]);
  });

  test("gives no hint for a path already inside data/ or metadata/, even where the rule's '*' covers more", () => {
    const result = ask("secret/data/app", "--cluster", "eks-test", "--role", "reader");
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("hint:");
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
  const otherConfig = writeConfig(dir, "root-other.yaml", {
    clusters: [
      {
        ...seed,
        policies: [
          {
            name: "ops",
            rules: [
              { path: "auth/token/accessors", capabilities: ["list", "read"] },
              { path: "sys/audit", capabilities: ["read", "list"] },
              { path: "sys/leases", capabilities: ["read", "update"] },
              { path: "sys/auth/*", capabilities: ["create", "sudo"] },
            ],
          },
        ],
        roles: [{ ...seed.roles[0], name: "ops", tokenPolicies: ["ops"] }],
      },
    ],
  });
  const askOther = (path: string) => cli(["can", path, "--role", "ops", "--config", otherConfig], { cwd: dir });

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
    const list = ask("sys/leases", "--operation", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain("sudo:");
    expect(ask("sys/leases", "--operation", "read").code).toBe(1);
  });

  test("a write on a root path without sudo names the operation that needs it, create first", () => {
    const result = ask("sys/auth/k8s2", "--operation", "write");
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").slice(0, 2)).toEqual([
      "FAIL: write sys/auth/k8s2 is denied: neither create nor update (capabilities: create, delete, read, update)",
      'sudo: "sys/auth/*" is a root-protected path (vault/logical_system.go:113-147): Vault also requires sudo for create, which the rule lacks',
    ]);
  });

  test("names the one operation a LIST's trailing slash brings under a root path, in the singular", () => {
    const result = askOther("auth/token/accessors");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[1]).toBe(
      'sudo: "auth/token/accessors/" is a root-protected path (vault/token_store.go:787-790): list there also needs sudo, which the rule lacks (not read, create, update, patch, delete: a LIST\'s path gains a trailing "/", and a root path without "*" protects only itself)',
    );
  });

  test("a write allowed only as create names update, the operation shown, under its root path", () => {
    const result = cli(["can", "sys/auth/k8s2", "--operation", "write", "--role", "ops", "--config", otherConfig], {
      cwd: dir,
    });
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").slice(0, 2)).toEqual([
      "FAIL: write sys/auth/k8s2 is allowed only as create: a new object can be written, an existing one not (update denied) (capabilities: create, sudo)",
      'sudo: "sys/auth/*" is a root-protected path (vault/logical_system.go:113-147): Vault also requires sudo for update, which the rule grants',
    ]);
  });

  test("names both root paths that protect a path, by its operations", () => {
    expect(askOther("sys/audit").stdout.split("\n")[1]).toBe(
      'sudo: "sys/audit" and "sys/audit/*" are root-protected paths (vault/logical_system.go:113-147): every operation there also needs sudo, which the rule lacks',
    );
  });

  test("refuses them all when every operation the rule grants needs sudo, though others would not", () => {
    // read and update need sudo on sys/leases; list, which the rule does not grant, would not.
    const result = askOther("sys/leases");
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n")[0]).toBe(
      "FAIL: read, update on sys/leases (as sys/capabilities-self reports it; without sudo Vault refuses them all here)",
    );
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

test("the troubleshooting page's can transcript is what can prints for the built-in default", () => {
  const readme = readFileSync(join(__dirname, "..", "..", "docs", "troubleshooting.md"), "utf8");
  const block = /```console\n\$ npx vault-k8s-auth (can .*)\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const [, command, transcript] = block as RegExpExecArray;
  const empty = join(dir, "no-config");
  mkdirSync(empty);
  expect(cli(command.split(" "), { cwd: empty })).toEqual({ code: 0, stdout: transcript, stderr: "" });
});

describe("vault-k8s-auth can --operation write (vault write, vault kv put)", () => {
  const writes = writeConfig(dir, "writes.yaml", {
    clusters: [
      {
        ...seed,
        policies: [
          {
            name: "app",
            rules: [
              { path: "secret/data/both", capabilities: ["create", "update"] },
              { path: "secret/data/new-only", capabilities: ["create"] },
              { path: "secret/data/update-only", capabilities: ["update"] },
            ],
          },
        ],
        roles: [{ ...seed.roles[0], tokenPolicies: ["app"] }],
      },
    ],
  });
  const write = (path: string, ...more: string[]) =>
    cli(["can", path, "--role", "atlantis", "--operation", "write", "--config", writes, ...more], { cwd: dir });

  test("is allowed when create and update both are, exit 0", () => {
    expect(write("secret/data/both")).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "ok: write secret/data/both is allowed: create (nothing there yet) and update (something there) (capabilities: create, update)\n" +
        'rule: "secret/data/both" (exact) decides: create, update, merged from every policy that has it\n' +
        '  app      "secret/data/both": create, update\n' +
        "  default  no rule matches\n",
    });
  });

  test("says which half is denied when only one is allowed, exit 1", () => {
    expect(write("secret/data/new-only")).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(
        /^FAIL: write secret\/data\/new-only is allowed only as create: a new object can be written, an existing one not \(update denied\) \(capabilities: create\)\n/,
      ),
    });
    expect(write("secret/data/update-only").stdout).toMatch(
      /^FAIL: write secret\/data\/update-only is allowed only as update: an existing object can be written, a new one not \(create denied\) \(capabilities: update\)\n/,
    );
  });

  test("is denied when neither is allowed, exit 1, and --json carries both halves", () => {
    expect(write("secret/data/other").stdout).toMatch(
      /^FAIL: write secret\/data\/other is denied: neither create nor update \(capabilities: deny\)\n/,
    );
    const json = JSON.parse(write("secret/data/new-only", "--json").stdout);
    expect(json).toMatchObject({ path: "secret/data/new-only", allowed: false, create: true, update: false });
  });
});

describe("vault-k8s-auth can on a KV v2 path as vault kv takes it", () => {
  const kv = writeConfig(dir, "kv.yaml", {
    clusters: [
      {
        ...seed,
        policies: [
          { name: "read", rules: [{ kvRead: { mount: "secret", path: "app" } }] },
          { name: "v1", rules: [{ kvRead: { mount: "kv1", path: "app", version: 1 } }] },
        ],
        roles: [{ ...seed.roles[0], tokenPolicies: ["read", "v1"] }],
      },
    ],
  });
  const ask = (...args: string[]) => cli(["can", ...args, "--role", "atlantis", "--config", kv], { cwd: dir });

  test("answers for the path as given, and names the API paths the kvRead rule covers", () => {
    const result = ask("secret/app");
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").filter((line) => line.startsWith("hint: "))).toEqual([
      'hint: KV v2 API path: secret/data/app (read, from a kvRead rule on mount secret): "vault kv get secret/app" reads there',
      'hint: KV v2 API path: secret/metadata/app (list, read, from a kvRead rule on mount secret): "vault kv metadata get" and "vault kv list" read there',
    ]);
    expect(JSON.parse(ask("secret/app", "--json").stdout).hints).toHaveLength(2);
  });

  test("gives no hint for an API path, a path the rule does not cover, or a KV v1 mount", () => {
    for (const path of ["secret/data/app", "secret/other", "kv1/app"]) expect(ask(path).stdout).not.toContain("hint:");
  });

  test("gives no hint for an operation the rule does not grant there", () => {
    expect(ask("secret/app", "--operation", "delete").stdout).not.toContain("hint:");
  });
});
