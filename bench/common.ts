/**
 * What the benchmark scripts share: how many runs to make (`--runs N`, `--quick`), a scratch
 * folder removed on exit, and a ServiceAccount token shaped like kubelet's for doctor (its
 * signature is never checked there).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** `--runs N`, else `quick` with `--quick`, else `full`. */
export function runCount(quick: number, full: number, args: readonly string[] = process.argv.slice(2)): number {
  const at = args.indexOf("--runs");
  const runs = at >= 0 ? Number(args[at + 1]) : args.includes("--quick") ? quick : full;
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs needs a positive whole number");
  return runs;
}

/** A scratch folder, and an exit that removes it first (printing `message` to stderr, if given). */
export function scratch(name: string): { work: string; exit: (code: number, message?: string) => never } {
  const work = mkdtempSync(join(tmpdir(), `vault-k8s-auth-${name}-`));
  const exit = (code: number, message?: string): never => {
    if (message) console.error(message);
    rmSync(work, { recursive: true, force: true });
    process.exit(code);
  };
  return { work, exit };
}

/** Writes a projected token of ServiceAccount atlantis/atlantis, valid for a day, to `file`. */
export function writeKubeletToken(file: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  writeFileSync(
    file,
    `${part({ alg: "RS256" })}.${part({
      aud: ["https://kubernetes.default.svc.cluster.local"],
      exp: now + 86_400,
      iat: now,
      iss: "https://kubernetes.default.svc.cluster.local",
      "kubernetes.io": {
        namespace: "atlantis",
        serviceaccount: { name: "atlantis", uid: "u" },
        pod: { name: "p", uid: "p" },
      },
    })}.c2ln`,
  );
  return file;
}

/** A benchmark case's measurements: one wall time and one CPU time per counted run, in ms. */
export interface Measured {
  readonly walls: number[];
  readonly cpus: number[];
}

/**
 * Runs every case once to warm the file cache (not counted), then `runs` rounds in which each case
 * runs once in turn, so a change in the machine's load falls on all cases alike.
 */
export function interleaved<T extends Measured>(cases: readonly T[], runs: number, run: (bench: T) => void): void {
  for (const bench of cases) run(bench);
  for (const bench of cases) {
    bench.walls.length = 0;
    bench.cpus.length = 0;
  }
  for (let round = 0; round < runs; round++) {
    for (const bench of cases) run(bench);
    process.stderr.write(`\rround ${round + 1}/${runs}`);
  }
  process.stderr.write("\n");
}

/** The middle value of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
