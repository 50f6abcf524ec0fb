import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPT = join(__dirname, "e2e", "run.sh");
const TOOLS = ["docker", "kind", "kubectl", "helm", "terraform", "node", "npx", "curl"];

let bin: string;
beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), "vka-e2e-bin-"));
  for (const tool of ["bash", "dirname"]) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

/** Puts stand-ins for `tools` on the PATH; `docker info` fails unless `dockerRuns`. */
function provide(tools: string[], dockerRuns = false): void {
  for (const tool of tools) {
    const body = tool === "docker" && !dockerRuns ? 'test "$1" != info' : "exit 0";
    writeFileSync(join(bin, tool), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
}

async function e2e(env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run("/usr/bin/bash", [SCRIPT], { env: { PATH: bin, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("npm run test:e2e where its prerequisites are missing", () => {
  test("skips with one line naming every missing tool, and never claims a pass", async () => {
    const result = await e2e();
    expect(result).toEqual({
      code: 0,
      stdout: `e2e: skipped: missing ${TOOLS.join(", ")}\n`,
      stderr: "",
    });
  });

  test("names a docker daemon that does not answer, and only what is missing", async () => {
    provide(TOOLS.filter((tool) => tool !== "helm"));
    const result = await e2e();
    expect(result.stdout).toBe("e2e: skipped: missing helm, a running docker daemon\n");
    expect(result.stdout).not.toMatch(/passed/);
  });

  test("fails instead of skipping when E2E_REQUIRED=1", async () => {
    provide(["docker"], true);
    const result = await e2e({ E2E_REQUIRED: "1" });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("e2e: FAILED: missing kind, kubectl, helm, terraform, node, npx, curl\n");
  });
});
