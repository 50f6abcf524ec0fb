import { execFile } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { bundleCli, CLI_BUNDLE } from "../../scripts/bundle-cli";
import { scratchDir } from "./harness";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const dir = scratchDir();

/** A package as npm run build leaves it: bin/, dist/cli/bundle.js, and a dist/cli/main.js that must not run. */
const pkg = join(dir, "pkg");
mkdirSync(join(pkg, "bin"), { recursive: true });
cpSync(join(ROOT, "bin", "vault-k8s-auth.js"), join(pkg, "bin", "vault-k8s-auth.js"));
symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
const metafile = bundleCli(join(pkg, CLI_BUNDLE));
writeFileSync(join(pkg, "dist", "cli", "main.js"), 'throw new Error("the bin ran main.js, not the bundle");\n');

const REPORT = join(dir, "report-heavy-modules.cjs");
writeFileSync(
  REPORT,
  `process.on("exit", () => {
    const files = Object.keys(require.cache);
    const heavy = new Set(files.map((file) => /node_modules\\/(cdktf|constructs|@cdktf\\/[^/]+|zod|yaml)\\//.exec(file)?.[1]).filter(Boolean));
    process.stderr.write("modules: " + files.length + "; from node_modules: " + [...heavy].join(" ") + "\\n");
  });\n`,
);

jest.setTimeout(60_000);

describe("the CLI bundle (scripts/bundle-cli.ts, run by npm run build)", () => {
  test("holds zod and yaml but leaves cdktf, constructs, the providers and the HCL parser outside", () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((file) => file.includes("node_modules/zod/"))).toBe(true);
    expect(inputs.some((file) => file.includes("node_modules/yaml/"))).toBe(true);
    expect(inputs.filter((file) => /node_modules\/(cdktf|constructs|@cdktf|js-hcl-parser)\//.test(file))).toEqual([]);
  });

  test("is what the bin runs once built, loading one module of its own and nothing of cdktf", async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      ["--require", REPORT, join(pkg, "bin", "vault-k8s-auth.js"), "validate"],
      {
        cwd: dir,
      },
    );
    expect(stdout).toMatch(/^(warn built-in default: .+\n){2}ok: built-in default: 1 cluster, 1 role\n$/);
    const [, count, heavy] = /^modules: (\d+); from node_modules: (.*)$/m.exec(stderr) ?? [];
    expect(heavy).toBe("");
    expect(Number(count)).toBeLessThan(10);
  });
});
