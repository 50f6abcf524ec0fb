/**
 * The local control-plane e2e (npm run test:e2e:local): etcd, kube-apiserver,
 * kube-controller-manager and a Vault server built from Go modules and run on loopback, this
 * project deployed into them with the real `cdktf deploy` and the real vault and kubernetes
 * Terraform providers, then checked from a pod's point of view with the pod scripts.
 *
 * stdout carries the verdicts only: `ok`, `FAIL` and `skip` lines and the closing
 * `e2e: N passed, N failed`; progress goes to stderr. Exit 0 when nothing failed.
 * Prerequisites that are missing give ONE `e2e: skipped: ...` line and exit 0, or exit 1 with
 * E2E_REQUIRED=1. E2E_KEEP=1 keeps the scratch folder (logs, state, kubeconfig) even on success.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BuildReport, ensureBinaries, TERRAFORM_CLIS } from "./build";
import { startControlPlane } from "./control-plane";
import { runCanDifferential } from "./differential-can";
import { runDifferentialDoctor } from "./differential-doctor";
import { Supervisor } from "./processes";
import { checkProviderMirror } from "./providers";
import { runSmoke } from "./smoke";
import { runDeployPasses } from "./terraform-clis";

const ROOT = resolve(__dirname, "..", "..");

function progress(line: string): void {
  process.stderr.write(`e2e: ${line}\n`);
}

function skipOrFail(reason: string): never {
  if (process.env.E2E_REQUIRED === "1") {
    process.stdout.write(`e2e: FAILED: ${reason}\n`);
    process.exit(1);
  }
  process.stdout.write(`e2e: skipped: ${reason}\n`);
  process.exit(0);
}

function toolVersion(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

async function main(): Promise<void> {
  const go = toolVersion("go", ["env", "GOVERSION"]);
  if (!go) skipOrFail("the Go toolchain (go) is not on PATH; it builds etcd, Kubernetes and Vault for this test");
  const missing: string[] = [];
  if (!toolVersion("openssl", ["version"])) missing.push("openssl");
  if (missing.length > 0) skipOrFail(`missing ${missing.join(", ")}`);
  // Without these the stack cannot be deployed, but the control plane is still built, started and
  // checked: the Go pins keep being proven on every machine, and the skip is said up front.
  const deployMissing: string[] = [];
  const terraform = toolVersion("terraform", ["version", "-json"]);
  const terraformVersion = terraform ? (JSON.parse(terraform) as { terraform_version: string }).terraform_version : "";
  if (!terraform) deployMissing.push("terraform >= 1.11 on PATH");
  else if (!/^1\.(1[1-9]|[2-9]\d)\./.test(terraformVersion))
    deployMissing.push(`terraform >= 1.11 (found ${terraformVersion})`);
  if (!existsSync(join(ROOT, "node_modules", ".bin", "cdktf"))) deployMissing.push("node_modules (run npm ci)");
  const mirror = checkProviderMirror();
  deployMissing.push(...mirror.missing);
  if (deployMissing.length > 0) {
    if (process.env.E2E_REQUIRED === "1") {
      process.stdout.write(`e2e: FAILED: missing ${deployMissing.join(", ")}\n`);
      process.exit(1);
    }
    process.stdout.write(`skip the deploy scenarios: missing ${deployMissing.join(", ")}\n`);
  }

  const work = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), "vault-k8s-auth-e2e-local-"));
  const supervisor = new Supervisor(work);
  process.on("exit", () => supervisor.killAllNow());
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      supervisor.killAllNow();
      process.stdout.write(`e2e: FAILED: interrupted by ${signal}; logs kept in ${work}\n`);
      process.exit(130);
    });
  }

  let failed = 0;
  let keep = process.env.E2E_KEEP === "1";
  try {
    progress(`scratch folder ${work}`);
    const started = Date.now();
    const { paths, reports } = ensureBinaries(go as string, progress);
    // The newest terraform and OpenTofu the proxy serves, for the deploy passes (terraform-clis.ts).
    if (deployMissing.length === 0) {
      const clis = ensureBinaries(go as string, progress, TERRAFORM_CLIS);
      Object.assign(paths, clis.paths);
      reports.push(...clis.reports);
    }
    for (const report of reports) progress(describeBuild(report));
    progress(`binaries ready in ${Math.round((Date.now() - started) / 1000)} s`);

    const plane = await startControlPlane(paths, work, supervisor, progress);
    progress(`control plane up: API server ${plane.host}, Vault ${plane.vaultAddr}`);
    const result =
      deployMissing.length > 0
        ? await runSmoke(plane, progress)
        : await runDeployPasses({ root: ROOT, work, plane, mirror: mirror.dir, progress, bins: paths });
    const canDifferential = await runCanDifferential({ root: ROOT, work, plane, progress });
    const doctorDifferential = await runDifferentialDoctor({ root: ROOT, work, plane, progress });
    const passed = result.passed + canDifferential.passed + doctorDifferential.passed;
    failed = result.failed + canDifferential.failed + doctorDifferential.failed;
    process.stdout.write(`e2e: ${passed} passed, ${failed} failed\n`);
    if (failed > 0) {
      keep = true;
      for (const name of ["kube-apiserver", "kube-controller-manager", "vault"]) {
        progress(`last lines of ${name}.log:\n${supervisor.tail(name, 15)}`);
      }
    }
  } catch (error) {
    failed += 1;
    keep = true;
    process.stdout.write(`e2e: FAILED: ${(error as Error).message}\n`);
    for (const name of ["etcd", "kube-apiserver", "kube-controller-manager", "vault"]) {
      if (existsSync(supervisor.logPath(name))) progress(`last lines of ${name}.log:\n${supervisor.tail(name)}`);
    }
  } finally {
    await supervisor.stopAll();
    if (keep) progress(`logs, state and kubeconfig kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

function describeBuild(report: BuildReport): string {
  if (report.cached) return `${report.component} ${report.version}: cached`;
  const memory = report.peakMiB ? `, peak ${report.peakMiB} MiB` : "";
  return `${report.component} ${report.version}: built in ${report.seconds} s${memory}`;
}

main();
