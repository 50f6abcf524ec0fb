import { execFile } from "node:child_process";
import { accessSync, chmodSync, constants, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

/**
 * `npm run test:e2e` (test/e2e/run.sh) needs docker, kind, helm and a network that this suite's
 * machines may not have. These tests run it on a PATH holding only bash and stand-ins, and check
 * that it skips (or, with E2E_REQUIRED=1, fails) with one line naming what is missing, quickly
 * and without touching the network.
 */

const run = promisify(execFile);
const SCRIPT = join(__dirname, "e2e", "run.sh");
const TOOLS = ["docker", "kind", "kubectl", "helm", "terraform", "node", "npx", "curl"];

/** The real bash, found on the test's own PATH (/usr/bin/bash on Linux, /bin/bash on macOS). */
const BASH = (process.env.PATH ?? "")
  .split(delimiter)
  .map((dir) => join(dir, "bash"))
  .find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

let bin: string;
beforeEach(() => {
  if (!BASH) throw new Error("bash is not on the PATH");
  bin = mkdtempSync(join(tmpdir(), "vka-e2e-bin-"));
  symlinkSync(BASH, join(bin, "bash"));
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

/**
 * Puts stand-ins for `tools` on the PATH. Each exits 0, except `docker info` (a daemon that
 * does not answer) unless `dockerRuns`, and `curl` (no network) unless `online`.
 */
function provide(tools: string[], { dockerRuns = false, online = false } = {}): void {
  for (const tool of tools) {
    let body = "exit 0";
    if (tool === "docker" && !dockerRuns) body = '[ "$1" != info ]';
    if (tool === "curl" && !online) body = "exit 6";
    writeFileSync(join(bin, tool), `#!${BASH}\n${body}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
}

async function e2e(env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(BASH as string, [SCRIPT], { env: { PATH: bin, ...env }, timeout: 10_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("npm run test:e2e on a machine without its prerequisites", () => {
  test("skips with one line naming every missing tool, and exits 0", async () => {
    const result = await e2e();
    expect(result).toEqual({ code: 0, stdout: `e2e: skipped: missing ${TOOLS.join(", ")}\n`, stderr: "" });
  });

  test("names a docker daemon that does not answer, and only what is missing", async () => {
    provide(TOOLS.filter((tool) => tool !== "helm"));
    const result = await e2e();
    expect(result).toEqual({ code: 0, stdout: "e2e: skipped: missing helm, a running docker daemon\n", stderr: "" });
  });

  test("asks the network last, once every tool is there, and names it when it does not answer", async () => {
    provide(TOOLS, { dockerRuns: true });
    const result = await e2e();
    expect(result).toEqual({
      code: 0,
      stdout: "e2e: skipped: missing network access to helm.releases.hashicorp.com\n",
      stderr: "",
    });
  });

  test("never prints a pass when it skips", async () => {
    for (const tools of [[], ["docker", "kind"], TOOLS]) {
      provide(tools);
      const result = await e2e();
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^e2e: skipped: missing [^\n]+\n$/);
      expect(result.stdout).not.toMatch(/passed|ok -/);
    }
  });

  test("fails instead of skipping when E2E_REQUIRED=1", async () => {
    provide(["docker"], { dockerRuns: true });
    const result = await e2e({ E2E_REQUIRED: "1" });
    expect(result).toEqual({
      code: 1,
      stdout: "e2e: FAILED: missing kind, kubectl, helm, terraform, node, npx, curl\n",
      stderr: "",
    });
  });

  test("fails when E2E_REQUIRED=1 and only the network is missing", async () => {
    provide(TOOLS, { dockerRuns: true });
    const result = await e2e({ E2E_REQUIRED: "1" });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("e2e: FAILED: missing network access to helm.releases.hashicorp.com\n");
  });
});
