/**
 * `npm run bench:install`: what installing vault-k8s-auth costs a user: the production install
 * (vault-k8s-auth with its peers cdktf and constructs, as `npm install --omit=dev` leaves a repo
 * `vault-k8s-auth init` wrote), without and with the optional @cdktf/provider-aws that EKS needs.
 * Packs the package (npm pack, which builds), installs each project offline from npm's cache with
 * the lockfile entries of this repo (test/package/consumer-project.ts), and measures node_modules.
 * Target: neither grows past the size measured when the target was set (issue 21: 199 MB and
 * 590 MB, as `du -sh` counts: MiB), with 2% for the file system's rounding. A benchmark, not a test: exits 1 when a target is
 * missed, 2 when an install breaks.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installConsumer, pack } from "../test/package/consumer-project";

const LIMITS_MB = { "without @cdktf/provider-aws": 199, "with @cdktf/provider-aws (EKS)": 590 };
const TOLERANCE = 1.02;

/** The disk `dir` takes, as `du -sh` counts it (its "M" is MiB, which the figures are). */
function megabytes(dir: string): number {
  const kib = Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]);
  return kib / 1024;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "vault-k8s-auth-install-size-"));
  try {
    mkdirSync(join(work, "pack"));
    const packed = await pack(join(work, "pack"));
    console.log(
      `vault-k8s-auth ${packed.manifest.version}: ${(packed.size / 1e3).toFixed(0)} kB packed, ${(packed.unpackedSize / 1e3).toFixed(0)} kB unpacked\n`,
    );
    const results: [string, number][] = [];
    const projects: [string, string[]][] = [
      ["without @cdktf/provider-aws", ["cdktf", "constructs"]],
      ["with @cdktf/provider-aws (EKS)", ["cdktf", "constructs", "@cdktf/provider-aws"]],
      // For comparison, no target: init's repo with its devDependency (what `npm ci` installs for
      // `cdktf diff/deploy` and Atlantis's hook; its CI job leaves it out).
      ["with cdktf-cli (npm ci, no EKS)", ["cdktf", "constructs", "cdktf-cli"]],
    ];
    for (const [index, [name, dependencies]] of projects.entries()) {
      const dir = join(work, `project-${index}`);
      try {
        await installConsumer(dir, packed, dependencies);
      } catch (error) {
        console.error(`${name}: ${(error as Error).message}`);
        process.exitCode = 2;
        return;
      }
      results.push([name, megabytes(join(dir, "node_modules"))]);
      rmSync(dir, { recursive: true, force: true });
    }
    const limitOf = (name: string): number | undefined => LIMITS_MB[name as keyof typeof LIMITS_MB];
    console.log(`${"production install".padEnd(34)}${"MB".padStart(8)}${"limit".padStart(8)}`);
    for (const [name, size] of results) {
      console.log(`${name.padEnd(34)}${size.toFixed(0).padStart(8)}${String(limitOf(name) ?? "-").padStart(8)}`);
    }
    console.log("\ntargets");
    let ok = true;
    for (const [name, size] of results) {
      const limit = limitOf(name);
      if (limit === undefined) continue;
      const pass = size <= limit * TOLERANCE;
      ok &&= pass;
      console.log(`  ${pass ? "PASS" : "FAIL"}  ${name}: ${size.toFixed(0)} MB, not above ${limit} MB`);
    }
    process.exitCode = ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
