/**
 * `npm run bench:cli` (and the second half of `npm run bench`): start-up of the vault-k8s-auth
 * CLI as `npm run build` ships it, and as a fresh clone runs it (bin/vault-k8s-auth.js in the
 * checkout, through bin/run-source.js, with no build step), against `node -e 0`, for each command
 * on the default config.
 * Builds into a temporary folder laid out like the package (bin/ next to dist/), never into the
 * project's dist/: the bundle scripts/bundle-cli.ts writes, and for comparison the plain tsc
 * output the bin falls back to. Target: every command of the shipped bundle within 3× of
 * `node -e 0`. A benchmark, not a test: exits 1 when the target is missed, 2 when a run breaks.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { bundleCli, CLI_BUNDLE } from "../scripts/bundle-cli";
import { interleaved, median, runCount, scratch, writeKubeletToken } from "./common";

const ROOT = resolve(__dirname, "..");
const TARGET = 3;
const runs = runCount(5, 21);
const { work, exit } = scratch("cli-bench");

/** A package layout under `work/name` (bin/, node_modules/) whose dist/ `fill` writes; returns its bin. */
function layout(name: string, fill: (dist: string) => void): string {
  const dir = join(work, name);
  mkdirSync(join(dir, "bin"), { recursive: true });
  cpSync(join(ROOT, "bin", "vault-k8s-auth.js"), join(dir, "bin", "vault-k8s-auth.js"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  fill(join(dir, "dist"));
  return join(dir, "bin", "vault-k8s-auth.js");
}

const bundled = layout("bundled", (dist) => bundleCli(join(dist, "..", CLI_BUNDLE)));
const modules = layout("modules", (dist) => {
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, "node_modules", "typescript", "bin", "tsc"),
      join(ROOT, "src", "cli", "main.ts"),
      ...["--outDir", dist, "--rootDir", join(ROOT, "src"), "--noEmit", "false"],
      ...["--module", "commonjs", "--target", "ES2022", "--moduleResolution", "node", "--types", "node"],
      ...["--esModuleInterop", "--resolveJsonModule", "--skipLibCheck", "--strict"],
    ],
    { encoding: "utf8" },
  );
  if (tsc.status !== 0) {
    console.error(`tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    exit(2);
  }
});

const token = writeKubeletToken(join(work, "token"));

interface Case {
  readonly name: string;
  readonly args: string[];
  readonly walls: number[];
  readonly cpus: number[];
  readonly env?: Record<string, string>;
}
const baseline: Case = { name: "node -e 0", args: ["-e", "0"], walls: [], cpus: [] };
const commandLines = [
  ["--help"],
  ["validate"],
  ["can", "secret/data/myscrt", "--role", "atlantis"],
  ["doctor", "--role", "atlantis", "--jwt", token],
];
const commands: Case[] = commandLines.map((command) => ({
  name: `vault-k8s-auth ${command[0]}`,
  args: [bundled, ...command],
  walls: [],
  cpus: [],
}));
// A fresh clone: the checkout's own bin, which bundles the source into a cache on first use.
const cache = join(work, "checkout-cache");
const checkout: Case[] = [["--help"], ["validate"]].map((command) => ({
  name: `clone: ${command[0]}`,
  args: [join(ROOT, "bin", "vault-k8s-auth.js"), ...command],
  walls: [],
  cpus: [],
  env: { VAULT_K8S_AUTH_CACHE: cache },
}));
// For comparison, not a target: the same validate from tsc's output, one module at a time.
const unbundled: Case = { name: "validate, unbundled", args: [modules, "validate"], walls: [], cpus: [] };
const cpuFile = join(work, "cpu");
const preload = ["--require", join(ROOT, "bench", "report-cpu.cjs")];

function run(bench: Case): void {
  const start = performance.now();
  const child = spawnSync(process.execPath, [...preload, ...bench.args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...bench.env, BENCH_CPU_FILE: cpuFile },
  });
  const wall = performance.now() - start;
  // can and doctor answer 0 for the seed's role; anything else means the run broke.
  if (child.status !== 0) {
    console.error(`${bench.name}: exit ${child.status}\n${child.stderr}`);
    exit(2);
  }
  bench.walls.push(wall);
  bench.cpus.push(Number(readFileSync(cpuFile, "utf8")));
}

console.log(
  `machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, node ${process.version}, ` +
    `load ${loadavg()[0].toFixed(2)} (other work on the machine skews the numbers)`,
);
console.log(
  `bin: ${CLI_BUNDLE} as npm run build writes it, in a temporary folder, and the checkout's bin as a clone runs it; ${runs} runs per case, interleaved\n`,
);
// The first run in a clone bundles the source: reported, not a target (it happens once per change).
const first: Case = { ...checkout[1], name: "clone: validate, first run", walls: [], cpus: [] };
run(first);
const all = [baseline, ...commands, ...checkout, unbundled];
interleaved(all, runs, run);

const base = median(baseline.walls);
const baseCpu = median(baseline.cpus);
console.log(
  `${"case".padEnd(30)}${"wall ms".padStart(10)}${"× node -e 0".padStart(14)}${"CPU ms".padStart(10)}${"× node -e 0".padStart(14)}`,
);
for (const bench of [...all, first]) {
  const wall = median(bench.walls);
  const cpu = median(bench.cpus);
  console.log(
    `${bench.name.padEnd(30)}${wall.toFixed(0).padStart(10)}${(wall / base).toFixed(2).padStart(14)}` +
      `${cpu.toFixed(0).padStart(10)}${(cpu / baseCpu).toFixed(2).padStart(14)}`,
  );
}
const worst = Math.max(...[...commands, ...checkout].map((bench) => median(bench.walls))) / base;
const ok = worst <= TARGET;
console.log(
  `\ntargets\n  ${ok ? "PASS" : "FAIL"}  every command, shipped and from a clone, within ${TARGET}× of node -e 0 (worst ${worst.toFixed(2)}×)`,
);
rmSync(work, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
