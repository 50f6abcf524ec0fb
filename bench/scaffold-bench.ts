/**
 * `npm run bench:scaffold` (and part of `npm run bench`): the synth of a repo `vault-k8s-auth init`
 * wrote, through its cdktf.json app (the package's compiled synth), against a bare cdktf stack in
 * plain node, both as a user's machine runs them: compiled JavaScript, no TypeScript loader. The
 * package is laid out as npm installs it (bin/, dist/cli/bundle.js, package.json) in a temporary
 * folder, never in the project's dist/. Target: the scaffold's synth within 2× the bare stack's
 * wall time. A benchmark, not a test: exits 1 when the target is missed, 2 when a run breaks.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { bundleCli, CLI_BUNDLE } from "../scripts/bundle-cli";
import { interleaved, median, runCount, scratch } from "./common";

const ROOT = resolve(__dirname, "..");
const TARGET = 2;
const runs = runCount(3, 9);
const { work, exit } = scratch("scaffold-bench");

// The package as npm installs it: what `files` ships that synth and init read.
const pkg = join(work, "package");
mkdirSync(join(pkg, "bin"), { recursive: true });
cpSync(join(ROOT, "bin", "vault-k8s-auth.js"), join(pkg, "bin", "vault-k8s-auth.js"));
cpSync(join(ROOT, "package.json"), join(pkg, "package.json"));
cpSync(join(ROOT, "vault-k8s-auth.schema.json"), join(pkg, "vault-k8s-auth.schema.json"));
cpSync(join(ROOT, "examples"), join(pkg, "examples"), { recursive: true });
symlinkSync(join(ROOT, "node_modules"), join(pkg, "node_modules"));
bundleCli(join(pkg, CLI_BUNDLE));

/** A repo written by the package's init, its node_modules holding the package and its peers. */
function scaffold(name: string, connection: string[]): string {
  const repo = join(work, name);
  const init = spawnSync(
    process.execPath,
    [
      join(pkg, "bin", "vault-k8s-auth.js"),
      ...["init", repo, "--cluster", "bench", ...connection],
      ...["--vault-address", "https://vault.example.com:8200"],
    ],
    { cwd: work, encoding: "utf8" },
  );
  if (init.status !== 0) {
    console.error(`init ${name}: exit ${init.status}\n${init.stderr}`);
    exit(2);
  }
  mkdirSync(join(repo, "node_modules", "@cdktf"), { recursive: true });
  symlinkSync(pkg, join(repo, "node_modules", "vault-k8s-auth"));
  for (const peer of ["cdktf", "constructs", "@cdktf/provider-aws"]) {
    symlinkSync(join(ROOT, "node_modules", peer), join(repo, "node_modules", peer));
  }
  return repo;
}

writeFileSync(join(work, "ca.pem"), readFileSync(join(ROOT, "test", "fixtures", "test-ca.pem")));
const explicit = scaffold("explicit", ["--host", "https://127.0.0.1:6443", "--ca-file", "ca.pem"]);
const eks = scaffold("eks", ["--eks-cluster", "bench", "--eks-region", "eu-west-1"]);

// The bare baseline: bench/bare-stack.ts's app, as plain CommonJS.
const bare = join(work, "bare");
mkdirSync(bare);
symlinkSync(join(ROOT, "node_modules"), join(bare, "node_modules"));
writeFileSync(
  join(bare, "main.js"),
  `const { App, TerraformOutput, TerraformStack } = require("cdktf");
const app = new App();
const stack = new TerraformStack(app, "bare");
new TerraformOutput(stack, "hello", { value: "world" });
app.synth();
`,
);

interface Case {
  readonly name: string;
  readonly cwd: string;
  readonly command: string[];
  readonly walls: number[];
  readonly cpus: number[];
}
const appOf = (repo: string) => JSON.parse(readFileSync(join(repo, "cdktf.json"), "utf8")).app.split(" ") as string[];
const cases: Case[] = [
  { name: "bare cdktf stack (node main.js)", cwd: bare, command: ["node", "main.js"], walls: [], cpus: [] },
  { name: "init's repo, host + CA", cwd: explicit, command: appOf(explicit), walls: [], cpus: [] },
  { name: "init's repo, EKS", cwd: eks, command: appOf(eks), walls: [], cpus: [] },
];
const cpuFile = join(work, "cpu");

function run(bench: Case): void {
  const outdir = mkdtempSync(join(work, "out-"));
  const [command, ...rest] = bench.command;
  const start = performance.now();
  const child = spawnSync(command === "node" ? process.execPath : command, rest, {
    cwd: bench.cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      CDKTF_OUTDIR: outdir,
      NODE_OPTIONS: `--require ${JSON.stringify(join(ROOT, "bench", "report-cpu.cjs"))}`,
      BENCH_CPU_FILE: cpuFile,
    },
  });
  const wall = performance.now() - start;
  if (child.status !== 0) {
    console.error(`${bench.name}: exit ${child.status}\n${child.stderr}`);
    exit(2);
  }
  bench.walls.push(wall);
  bench.cpus.push(Number(readFileSync(cpuFile, "utf8")));
  rmSync(outdir, { recursive: true, force: true });
}

console.log(
  `machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, node ${process.version}, ` +
    `load ${loadavg()[0].toFixed(2)} (other work on the machine skews the numbers)`,
);
console.log(`app: ${cases[1].command.join(" ")} (init's cdktf.json); ${runs} runs per case, interleaved\n`);
interleaved(cases, runs, run);

const [baseline] = cases;
const base = median(baseline.walls);
const baseCpu = median(baseline.cpus);
console.log(
  `${"case".padEnd(34)}${"wall ms".padStart(9)}${"× bare".padStart(9)}${"CPU ms".padStart(9)}${"× bare".padStart(9)}`,
);
for (const bench of cases) {
  const wall = median(bench.walls);
  const cpu = median(bench.cpus);
  console.log(
    `${bench.name.padEnd(34)}${wall.toFixed(0).padStart(9)}${(wall / base).toFixed(2).padStart(9)}` +
      `${cpu.toFixed(0).padStart(9)}${(cpu / baseCpu).toFixed(2).padStart(9)}`,
  );
}
const ratio = median(cases[1].walls) / base;
const ok = ratio <= TARGET;
console.log(
  `\ntargets\n  ${ok ? "PASS" : "FAIL"}  init's repo (host + CA) synth within ${TARGET}× the bare stack (${ratio.toFixed(2)}×)`,
);
rmSync(work, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
