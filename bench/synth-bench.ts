/**
 * `npm run bench [-- --runs N | --quick]`: times the synth app (the command in cdktf.json) and
 * measures its peak memory, against a bare cdktf app, and checks the project's targets.
 * A benchmark, not a test: exits 1 when a target is missed, 2 when a synth breaks.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { DEFAULT_CONFIG_FILE, parseConfig, parseConfigText } from "../src/config/load";
import { median } from "./common";
import { generateConfig } from "./generate-config";

const ROOT = resolve(__dirname, "..");
const ROLES = 50;
const POLICIES = 10;
const GROWTH = [1, 5, 10, 20];
/** Time per added cluster at 10→20 over that at 1→5: at most this much counts as linear. */
const LINEAR_TOLERANCE = 1.5;

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : args.includes("--quick") ? 3 : 7;
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs needs a positive whole number");

interface Case {
  readonly name: string;
  readonly command: string[];
  readonly env: Record<string, string>;
  readonly stacks: number;
  readonly walls: number[];
  readonly rssKiB: number[];
}

// The synth app exactly as `cdktf synth` runs it: cdktf.json's app and context. The bare stack runs
// through the same runner (bin/run-source.js bundles it as it bundles main.ts), so both are compiled JS.
const cdktf = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")) as { app: string; context?: object };
const appCommand = cdktf.app.trim().split(/\s+/);
const bareCommand = [...appCommand.slice(0, -1), "bench/bare-stack.ts"]; // same runtime, other entry

const work = mkdtempSync(join(tmpdir(), "vault-k8s-auth-bench-"));
function generated(clusters: number): { file: string; text: string } {
  const file = join(work, `clusters-${clusters}.yaml`);
  const text = stringify(generateConfig(clusters, ROLES, POLICIES));
  writeFileSync(file, text);
  return { file, text };
}
const large = generated(20);

const newCase = (name: string, command: string[], stacks: number, env: Record<string, string> = {}): Case => ({
  name,
  command,
  env,
  stacks,
  walls: [],
  rssKiB: [],
});
const defaultClusters = parseConfigText(readFileSync(join(ROOT, DEFAULT_CONFIG_FILE), "utf8"), DEFAULT_CONFIG_FILE);
const bare = newCase("bare cdktf", bareCommand, 1);
const seed = newCase(`default (${DEFAULT_CONFIG_FILE})`, appCommand, defaultClusters.clusters.length);
const growth = new Map<number, Case>();
for (const clusters of GROWTH) {
  const file = clusters === 20 ? large.file : generated(clusters).file;
  const label = clusters === 20 ? `large (20×${ROLES} roles×${POLICIES} policies)` : `${clusters} clusters`;
  growth.set(clusters, newCase(label, appCommand, clusters, { VAULT_K8S_AUTH_CONFIG: file }));
}
const big = growth.get(20) as Case;
const cases = [bare, seed, ...growth.values()];

/** One synth in a fresh output dir; records wall ms and peak RSS, or exits 2 if it broke. */
function run(bench: Case): void {
  const outdir = mkdtempSync(join(work, "out-"));
  const rssFile = join(outdir, "rss");
  const preload = `--require ${JSON.stringify(join(ROOT, "bench", "report-rss.cjs"))}`;
  const { VAULT_K8S_AUTH_CONFIG: _, ...inherited } = process.env; // the default case must not inherit one
  const env = {
    ...inherited,
    ...bench.env,
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTEXT_JSON: JSON.stringify(cdktf.context ?? {}),
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${preload}`.trim(),
    BENCH_RSS_FILE: rssFile,
  };
  const start = performance.now();
  const child = spawnSync(bench.command[0], bench.command.slice(1), { cwd: ROOT, env, encoding: "utf8" });
  const wall = performance.now() - start;
  const stacksDir = join(outdir, "stacks");
  const stacks = existsSync(stacksDir)
    ? readdirSync(stacksDir).filter((stack) => existsSync(join(stacksDir, stack, "cdk.tf.json"))).length
    : 0;
  if (child.status !== 0 || stacks !== bench.stacks || !existsSync(rssFile)) {
    console.error(`${bench.name}: exit ${child.status}, ${stacks}/${bench.stacks} stacks written\n${child.stderr}`);
    rmSync(work, { recursive: true, force: true });
    process.exit(2);
  }
  bench.walls.push(wall);
  bench.rssKiB.push(Number(readFileSync(rssFile, "utf8")));
  rmSync(outdir, { recursive: true, force: true });
}

const wallOf = (bench: Case) => median(bench.walls);
/** (max − min) / median of the wall times: a large spread means a noisy machine, not a slow app. */
const spreadOf = (bench: Case) => ((Math.max(...bench.walls) - Math.min(...bench.walls)) / wallOf(bench)) * 100;
const mibOf = (bench: Case) => median(bench.rssKiB) / 1024;
const row = (cells: (string | number)[], widths: number[]) =>
  cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join("  ");

console.log(
  `machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ` +
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, ${process.platform}/${process.arch}` +
    `, load ${loadavg()[0].toFixed(2)} (other work on the machine skews the numbers)`,
);
console.log(`app: ${appCommand.join(" ")} (from cdktf.json); ${runs} runs per case, interleaved\n`);

run(bare); // warm-up (file cache, tsx cache): not counted
bare.walls.length = 0;
bare.rssKiB.length = 0;
for (let round = 0; round < runs; round++) {
  for (const bench of cases) run(bench);
  process.stderr.write(`\rround ${round + 1}/${runs}`);
}
process.stderr.write("\n");

// Validation alone, in this process. The checks (schema, the consuming systems' rules, the
// cross-field checks) on parsed data first, so their first run is cold (schema set-up, JIT) as in
// one synth; then reading the YAML text as well. Reading YAML is the parser's cost, not the checks'.
const times = (fn: () => void) => {
  const all = Array.from({ length: Math.max(runs, 5) }, () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  });
  return { first: all[0], median: median(all) };
};
const data = generateConfig(20, ROLES, POLICIES);
const checks = times(() => parseConfig(data, "large"));
const parse = times(() => parseConfigText(large.text, "large.yaml"));

const widths = [38, 10, 10, 10, 10, 10];
console.log(row(["case", "wall ms", "peak MiB", "× bare", "× bare", "wall"], widths));
console.log(row(["", "(median)", "(median)", "wall", "memory", "spread"], widths));
for (const bench of [bare, seed, big]) {
  const cells = [bench.name, wallOf(bench).toFixed(0), mibOf(bench).toFixed(1)];
  console.log(
    row(
      [
        ...cells,
        (wallOf(bench) / wallOf(bare)).toFixed(2),
        (mibOf(bench) / mibOf(bare)).toFixed(2),
        `${spreadOf(bench).toFixed(0)}%`,
      ],
      widths,
    ),
  );
}
const share = (checks.first / wallOf(big)) * 100;
console.log(
  `\nvalidation of the large file in-process: checks ${checks.first.toFixed(0)} ms cold, ${checks.median.toFixed(0)} ms warm ` +
    `(cold = ${share.toFixed(1)}% of its synth); with reading the YAML ${parse.first.toFixed(0)} ms cold, ` +
    `${parse.median.toFixed(0)} ms warm (${((parse.median / wallOf(big)) * 100).toFixed(1)}% of its synth)`,
);

console.log(`\ngrowth (×${ROLES} roles ×${POLICIES} policies per cluster; per cluster = above the bare app)`);
console.log(row(["clusters", "wall ms", "peak MiB", "ms/cluster", "MiB/cluster"], [10, 10, 10, 12, 12]));
for (const [clusters, bench] of growth) {
  const perCluster = (wallOf(bench) - wallOf(bare)) / clusters; // above the bare app's startup
  const mibPerCluster = (mibOf(bench) - mibOf(bare)) / clusters;
  const cells = [clusters, wallOf(bench).toFixed(0), mibOf(bench).toFixed(1)];
  console.log(row([...cells, perCluster.toFixed(1), mibPerCluster.toFixed(2)], [10, 10, 10, 12, 12]));
}
const slope = (from: number, to: number) =>
  (wallOf(growth.get(to) as Case) - wallOf(growth.get(from) as Case)) / (to - from);
// Linear: adding a cluster costs no more at 10→20 than at 1→5 (within the tolerance).
const growthRatio = slope(1, 5) > 0 ? slope(10, 20) / slope(1, 5) : Number.POSITIVE_INFINITY;
console.log(
  `ms per added cluster: ${slope(1, 5).toFixed(1)} at 1→5, ${slope(10, 20).toFixed(1)} at 10→20` +
    ` (ratio ${growthRatio.toFixed(2)}; linear if ≤ ${LINEAR_TOLERANCE})`,
);

const targets: [string, boolean][] = [
  [`default wall ≤ 3× bare (${(wallOf(seed) / wallOf(bare)).toFixed(2)}×)`, wallOf(seed) <= 3 * wallOf(bare)],
  [`default peak memory ≤ 2× bare (${(mibOf(seed) / mibOf(bare)).toFixed(2)}×)`, mibOf(seed) <= 2 * mibOf(bare)],
  [`1,000-role file wall ≤ 10× bare (${(wallOf(big) / wallOf(bare)).toFixed(2)}×)`, wallOf(big) <= 10 * wallOf(bare)],
  [`growth linear (ratio ${growthRatio.toFixed(2)} ≤ ${LINEAR_TOLERANCE})`, growthRatio <= LINEAR_TOLERANCE],
  [`1,000-role file's checks ≤ 10% of its synth (${share.toFixed(1)}%, cold)`, share <= 10],
];
console.log("\ntargets");
for (const [target, ok] of targets) console.log(`  ${ok ? "PASS" : "FAIL"}  ${target}`);

rmSync(work, { recursive: true, force: true });
process.exitCode = targets.every(([, ok]) => ok) ? 0 : 1;
