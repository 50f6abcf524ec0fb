/**
 * The deploy scenarios on every Terraform CLI the stacks support: the terraform on PATH (every
 * scenario), then the newest terraform and OpenTofu the Go module proxy serves (built by build.ts
 * from components/terraform and components/opentofu; the scenarios that depend on the CLI), then
 * the Atlantis workflow with those two. Each CLI after the first gets a control plane of its own,
 * so that the scenarios run unchanged: same names, same mounts, nothing left over.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runAtlantisWorkflow, type TerraformCli } from "./atlantis-workflow";
import { type ControlPlane, startControlPlane } from "./control-plane";
import { Supervisor } from "./processes";
import { runScenarios } from "./scenarios";

export interface PassesContext {
  readonly root: string;
  readonly work: string;
  /** The control plane run.ts started: the first pass runs there. */
  readonly plane: ControlPlane;
  readonly mirror: string;
  readonly progress: (line: string) => void;
  /** The binaries build.ts made: the control plane's, and terraform and tofu. */
  readonly bins: Record<string, string>;
}

/**
 * `version -json` of a CLI: terraform and OpenTofu both print terraform_version (opentofu v1.12.6
 * internal/command/views/version.go:102), which is also what cdktf reads.
 */
export function cliOf(binary: string, distribution: "terraform" | "opentofu"): TerraformCli {
  const result = spawnSync(binary, ["version", "-json"], {
    encoding: "utf8",
    env: { ...process.env, CHECKPOINT_DISABLE: "1" },
  });
  if (result.status !== 0) throw new Error(`${binary} version -json exited ${result.status}: ${result.stderr}`);
  // OpenTofu prints warnings, e.g. about a TF_CLI_CONFIG_FILE that names no file, on stdout before
  // the JSON (opentofu v1.12.6 cmd/tofu/main.go:159-166, internal/command/views/view.go:188-192).
  const version = (JSON.parse(result.stdout.slice(result.stdout.indexOf("{"))) as { terraform_version: string })
    .terraform_version;
  const name = distribution === "opentofu" ? "tofu" : "terraform";
  return { label: `${name} ${version}`, binary, distribution, version };
}

export async function runDeployPasses(ctx: PassesContext): Promise<{ passed: number; failed: number }> {
  const totals = { passed: 0, failed: 0 };
  const add = (result: { passed: number; failed: number }) => {
    totals.passed += result.passed;
    totals.failed += result.failed;
  };
  const onPath = cliOf("terraform", "terraform");
  const timed = async (what: string, pass: () => Promise<{ passed: number; failed: number }>) => {
    const started = Date.now();
    add(await pass());
    ctx.progress(`${what}: ${Math.round((Date.now() - started) / 1000)} s`);
  };
  await timed(`deploy scenarios with ${onPath.label}`, () =>
    runScenarios({ ...ctx, cli: { label: onPath.label, binary: "terraform" } }),
  );

  const built = [cliOf(ctx.bins.terraform, "terraform"), cliOf(ctx.bins.tofu, "opentofu")];
  for (const cli of built) {
    await timed(`deploy scenarios with ${cli.label}, on a control plane of their own`, () =>
      onOwnPlane(ctx, cli.label.replace(" ", "-"), (work, plane) =>
        runScenarios({ ...ctx, work, plane, cli: { label: cli.label, binary: cli.binary }, full: false }),
      ),
    );
  }
  await timed("Atlantis workflow, on a control plane of its own", () =>
    onOwnPlane(ctx, "atlantis", (work, plane) => runAtlantisWorkflow({ ...ctx, work, plane, clis: built })),
  );
  return totals;
}

/** Starts a fresh control plane in work/<name>, runs `pass` there, and stops it whatever happens. */
async function onOwnPlane(
  ctx: PassesContext,
  name: string,
  pass: (work: string, plane: ControlPlane) => Promise<{ passed: number; failed: number }>,
): Promise<{ passed: number; failed: number }> {
  const work = join(ctx.work, name);
  mkdirSync(work, { recursive: true });
  const supervisor = new Supervisor(work);
  const kill = () => supervisor.killAllNow();
  process.on("exit", kill);
  let result = { passed: 0, failed: 1 };
  try {
    const plane = await startControlPlane(ctx.bins, work, supervisor, ctx.progress);
    result = await pass(work, plane);
  } catch (error) {
    process.stdout.write(`FAIL ${name}: ${(error as Error).message}\n`);
  } finally {
    if (result.failed > 0) {
      for (const component of ["kube-apiserver", "kube-controller-manager", "vault"]) {
        if (existsSync(supervisor.logPath(component))) {
          ctx.progress(`${name}: last lines of ${component}.log:\n${supervisor.tail(component, 15)}`);
        }
      }
    }
    await supervisor.stopAll();
    process.off("exit", kill);
  }
  return result;
}
