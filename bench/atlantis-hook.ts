/**
 * `npm run bench:atlantis [-- --runs N | --quick]` (also the last part of `npm run bench`): the
 * Atlantis pre-workflow hook as the image of examples/atlantis/Dockerfile runs it. Packs this
 * package (`npm pack`), installs the tarball into a temporary folder the way the Dockerfile does
 * (`npm install --omit=dev` with the same pins; once without and once with @cdktf/provider-aws,
 * which an EKS cluster needs), reports each install's size, then times the hook command of
 * examples/atlantis/repos.yaml, run through `sh -c` in a checkout holding the default
 * vault-k8s-auth.yaml, with the installed package's bin on PATH.
 * Target: at most 2 s per run (median). A benchmark, not a test: exits 1 when the target is
 * missed, 2 when a step breaks. Needs the npm registry (or npm's cache) for the install.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { median, runCount, scratch } from "./common";

const ROOT = resolve(__dirname, "..");
const TARGET_MS = 2000;
const runs = runCount(3, 9);
const { work, exit } = scratch("hook-bench");

function run(command: string, commandArgs: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(command, commandArgs, { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) exit(2, `${command} ${commandArgs.join(" ")} exited ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

/** Disk usage of a folder, as `du -sm` counts it (allocated blocks), in MiB. */
function megabytes(path: string): number {
  let bytes = 0;
  const walk = (p: string) => {
    const stat = lstatSync(p);
    bytes += stat.blocks * 512;
    if (stat.isDirectory()) for (const entry of readdirSync(p)) walk(join(p, entry));
  };
  walk(path);
  return Math.round(bytes / 1024 / 1024);
}

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
// The same pins as examples/atlantis/Dockerfile (test/atlantis-examples.test.ts keeps them equal).
const pins = ["cdktf", "constructs"].map((name) => `${name}@${pkg.devDependencies[name]}`);
const aws = `@cdktf/provider-aws@${pkg.devDependencies["@cdktf/provider-aws"]}`;

console.log(
  `machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, node ${process.version}, ` +
    `load ${loadavg()[0].toFixed(2)} (other work on the machine skews the numbers)`,
);
process.stderr.write("npm pack (runs the build)...\n");
const packed = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", work], ROOT)) as { filename: string }[];
const tarball = join(work, packed[0].filename);

const installs: { name: string; extra: string[]; dir: string; mb?: number; seconds?: number }[] = [
  { name: "without EKS", extra: [], dir: join(work, "install") },
  { name: `EKS (+ ${aws})`, extra: [aws], dir: join(work, "install-eks") },
];
for (const install of installs) {
  mkdirSync(install.dir);
  process.stderr.write(`npm install --omit=dev ${install.name}...\n`);
  const started = performance.now();
  run(
    "npm",
    ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", tarball, ...pins, ...install.extra],
    install.dir,
  );
  install.seconds = (performance.now() - started) / 1000;
  install.mb = megabytes(join(install.dir, "node_modules"));
}

// The checkout: the default config (an EKS cluster), so the EKS install runs the hook.
const repo = join(work, "repo");
mkdirSync(repo);
copyFileSync(join(ROOT, "vault-k8s-auth.yaml"), join(repo, "vault-k8s-auth.yaml"));
const repos = parse(readFileSync(join(ROOT, "examples", "atlantis", "repos.yaml"), "utf8"));
const hook: string = repos.repos[0].pre_workflow_hooks[0].run;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${join(installs[1].dir, "node_modules", ".bin")}:${process.env.PATH}`,
};
delete env.VAULT_K8S_AUTH_CONFIG;

const walls: number[] = [];
for (let round = 0; round <= runs; round++) {
  const started = performance.now();
  const result = spawnSync("sh", ["-c", hook], { cwd: repo, env, encoding: "utf8" });
  const wall = performance.now() - started;
  if (result.status !== 0) exit(2, `the hook exited ${result.status}:\n${result.stdout}${result.stderr}`);
  if (round > 0) walls.push(wall); // the first run warms the file cache
  process.stderr.write(`\rrun ${round}/${runs}`);
}
process.stderr.write("\n");
const sorted = [...walls].sort((a, b) => a - b);
const middle = median(walls);

console.log(`\npackage ${packed[0].filename}; production install (npm install --omit=dev ${pins.join(" ")}):`);
for (const install of installs) {
  console.log(
    `  ${install.name.padEnd(40)}${`${install.mb} MiB`.padStart(9)}  (installed in ${install.seconds?.toFixed(0)} s)`,
  );
}
console.log(`\nhook: ${hook}`);
console.log(
  `  ${runs} runs after a warm-up: median ${middle.toFixed(0)} ms, min ${sorted[0].toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms`,
);
const ok = middle <= TARGET_MS;
console.log(
  `\ntargets\n  ${ok ? "PASS" : "FAIL"}  the hook within ${TARGET_MS} ms per run on the default config (median ${middle.toFixed(0)} ms)`,
);
rmSync(work, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
