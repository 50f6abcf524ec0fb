import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { scratchDir } from "./harness";

const run = promisify(execFile);
const BIN = join(__dirname, "..", "..", "bin", "vault-k8s-auth.js");
const dir = scratchDir();

// Preloaded into the bin's process: at exit, names every loaded module of cdktf, constructs or a provider.
const REPORT = join(dir, "report-heavy-modules.cjs");
writeFileSync(
  REPORT,
  `process.on("exit", () => {
    const heavy = new Set(Object.keys(require.cache).map((file) => /node_modules\\/(cdktf|constructs|@cdktf\\/[^/]+)\\//.exec(file)?.[1]).filter(Boolean));
    if (heavy.size > 0) process.stderr.write("loaded: " + [...heavy].join(" ") + "\\n");
  });\n`,
);

jest.setTimeout(60_000);

describe("the vault-k8s-auth bin", () => {
  test("runs the TypeScript source in a checkout (no dist/) and loads neither cdktf nor a provider", async () => {
    const { stdout, stderr } = await run(process.execPath, ["--require", REPORT, BIN, "validate"], { cwd: dir });
    expect(stdout).toMatch(/^(warn built-in default: .+\n){2}ok: built-in default: 1 cluster, 1 role\n$/);
    expect(stderr).toBe("");
  });

  test("passes the command's exit code on to the shell", async () => {
    await expect(run(process.execPath, [BIN, "no-such-command"], { cwd: dir })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^vault-k8s-auth: unknown command "no-such-command"/),
    });
  });
});
