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

test("the README's can transcript is what can prints for the built-in default", () => {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  const block = /```console\n\$ npx vault-k8s-auth (can .*)\n([\s\S]*?)```/.exec(readme);
  expect(block).not.toBeNull();
  const [, command, transcript] = block as RegExpExecArray;
  const empty = join(dir, "no-config");
  mkdirSync(empty);
  expect(cli(command.split(" "), { cwd: empty })).toEqual({ code: 0, stdout: transcript, stderr: "" });
});
