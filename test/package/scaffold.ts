/**
 * A repo of one's own, as a user makes it: `vault-k8s-auth init` from the installed package, the
 * tarball installed into it offline, then the repo's own commands and the CI job's steps that do
 * not need GitHub (its run: scripts, read from the written workflow and run with bash as the
 * runner does).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { checkProviderMirror, cliConfig } from "../e2e-local/providers";
import { installScaffold, type Packed, ROOT } from "./consumer-project";

const run = promisify(execFile);

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in `cwd`, never throwing: the exit code is part of what is tested. */
async function inDir(cwd: string, command: string, args: string[], env: Record<string, string> = {}): Promise<Result> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const INIT_FLAGS = [
  ...["--cluster", "kind-dev", "--host", "https://127.0.0.1:6443", "--ca-file", "ca.pem"],
  ...["--vault-address", "https://vault.example.com:8200", "--ci", "github", "--atlantis"],
];

/** Whether terraform can validate the stacks here: on PATH, with the providers in the e2e mirror. */
function terraformPresent(): { ok: true; mirror: string } | { ok: false; why: string } {
  const { dir, missing } = checkProviderMirror();
  const terraform = ["/usr/local/bin", "/usr/bin", ...(process.env.PATH ?? "").split(":")].some((bin) =>
    existsSync(join(bin, "terraform")),
  );
  if (!terraform) return { ok: false, why: "terraform is not on PATH" };
  if (missing.length > 0) return { ok: false, why: `the provider mirror lacks ${missing.join(", ")}` };
  return { ok: true, mirror: dir };
}

/** The scaffold's runs, in order; each test reads its own. */
interface Runs {
  init: Result;
  repo: string;
  validate: Result;
  synth: Result;
  synthJson: string;
  cdktfSynth: Result;
  cdktfSynthJson: string;
  can: Result;
  workflow: {
    install: Result;
    cliInstalled: boolean;
    validate: Result;
    synth: Result;
    terraform: Result | string;
    diff: Result;
    summary: string;
  };
}

async function scaffold(packed: Packed, consumerBin: string, scratch: string): Promise<Runs> {
  const repo = join(scratch, "own-repo");
  writeFileSync(join(scratch, "ca.pem"), readFileSync(join(ROOT, "test", "fixtures", "test-ca.pem")));
  const init = await inDir(scratch, consumerBin, ["init", "own-repo", ...INIT_FLAGS]);
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
  await installScaffold(repo, packed);

  const stack = join(repo, "cdktf.out", "stacks", "kind-dev", "cdk.tf.json");
  const validate = await inDir(repo, "npm", ["run", "--silent", "validate"]);
  const synth = await inDir(repo, "npm", ["run", "--silent", "synth"]);
  const synthJson = readFileSync(stack, "utf8");
  const cdktfSynth = await inDir(repo, join(repo, "node_modules", ".bin", "cdktf"), ["synth"], { CI: "1" });
  const cdktfSynthJson = readFileSync(stack, "utf8");
  const can = await inDir(repo, join(repo, "node_modules", ".bin", "vault-k8s-auth"), [
    ...["can", "sys/auth/atlantis", "--role", "atlantis"],
  ]);

  // The CI job, step by step, as the runner runs a step with `shell: bash`.
  const job = parse(readFileSync(join(repo, ".github", "workflows", "vault-k8s-auth.yml"), "utf8")).jobs.check;
  const step = (name: string, env: Record<string, string> = {}) => {
    const found = job.steps.find((candidate: { name?: string }) => candidate.name === name);
    return inDir(repo, "bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", found.run], {
      ...job.env,
      ...found.env,
      ...env,
    });
  };
  // The install step's own command, offline: the tarballs are in npm's cache, the lockfile names them.
  const install = await step("install", { npm_config_offline: "true" });
  const cliInstalled = existsSync(join(repo, "node_modules", "cdktf-cli"));
  const workflowValidate = await step("validate");
  const workflowSynth = await step("synth");

  const present = terraformPresent();
  let terraform: Result | string;
  if (present.ok) {
    const home = join(scratch, "home");
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, "mirror.tfrc"), cliConfig(present.mirror));
    terraform = await step("terraform validate", { HOME: home, TF_CLI_CONFIG_FILE: join(home, "mirror.tfrc") });
  } else {
    terraform = `terraform validate of the scaffold's stacks: skipped: ${present.why} (the e2e's mirror, test/e2e-local/README.md)`;
  }

  // A pull request: the base commit, then a change to the config on top of it.
  const git = (...args: string[]) =>
    inDir(repo, "git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args]);
  await git("init", "--quiet", "--initial-branch=main");
  await git("add", "--all");
  await git("commit", "--quiet", "--message", "base");
  const base = (await git("rev-parse", "HEAD")).stdout.trim();
  const config = join(repo, "vault-k8s-auth.yaml");
  writeFileSync(
    config,
    readFileSync(config, "utf8").replace("tokenPeriod: 30m # periodic", "tokenPeriod: 45m # periodic"),
  );
  await git("commit", "--quiet", "--all", "--message", "a longer period for atlantis");
  await step("synth");
  const runnerTemp = join(scratch, "runner-temp");
  mkdirSync(runnerTemp);
  const summaryFile = join(runnerTemp, "summary.md");
  const diff = await step("diff against the base branch", {
    BASE_SHA: base,
    RUNNER_TEMP: runnerTemp,
    GITHUB_STEP_SUMMARY: summaryFile,
  });
  const summary = existsSync(summaryFile) ? readFileSync(summaryFile, "utf8") : "";

  return {
    init,
    repo,
    validate,
    synth,
    synthJson,
    cdktfSynth,
    cdktfSynthJson,
    can,
    workflow: {
      install,
      cliInstalled,
      validate: workflowValidate,
      synth: workflowSynth,
      terraform,
      diff,
      summary,
    },
  };
}

/** The tests; `context` gives the packed tarball, the installed bin and a scratch folder once beforeAll has them. */
/** validate's warnings for the two Atlantis roles init writes: neither binds an audience. */
const NO_AUDIENCE =
  /^(warn vault-k8s-auth\.yaml:\d+:\d+: clusters\[0\]\.roles\[[01]\]\.name: role atlantis(-plan)?: no audience is bound[^\n]*\n){2}/;

export function describeScaffold(context: () => { packed: Packed; consumerBin: string; scratch: string }): void {
  describe("a repo of one's own, written by the installed vault-k8s-auth init", () => {
    let runs: Runs;
    beforeAll(async () => {
      const { packed, consumerBin, scratch } = context();
      runs = await scaffold(packed, consumerBin, scratch);
    }, 600_000);

    test("init writes the repo from the installed package, Atlantis files included", () => {
      // init checks the config as validate does, and says what validate would warn about, naming
      // the file as its "wrote" lines do: own-repo/vault-k8s-auth.yaml, from where init ran.
      expect(runs.init.code).toBe(0);
      expect(runs.init.stderr).toMatch(/^warning: own-repo\/vault-k8s-auth\.yaml:\d+:\d+: /);
      const asValidateSays = runs.init.stderr.replace(/warning: own-repo\//g, "warn ");
      expect(asValidateSays).toMatch(new RegExp(`${NO_AUDIENCE.source}$`));
      for (const file of ["vault-k8s-auth.yaml", "atlantis.yaml", "atlantis/repos.yaml", "atlantis/helm-values.yaml"]) {
        expect([file, existsSync(join(runs.repo, file))]).toEqual([file, true]);
      }
      expect(readFileSync(join(runs.repo, "atlantis", "repos.yaml"), "utf8")).toBe(
        readFileSync(join(ROOT, "examples", "atlantis", "repos.yaml"), "utf8"),
      );
    });

    test("its $schema line resolves to the installed package's schema", () => {
      const line = readFileSync(join(runs.repo, "vault-k8s-auth.yaml"), "utf8").split("\n")[0];
      const [, path] = /^# yaml-language-server: \$schema=(\S+)$/.exec(line) ?? [];
      expect(JSON.parse(readFileSync(join(runs.repo, path), "utf8")).title).toBe("vault-k8s-auth configuration");
    });

    test("npm run validate and npm run synth work on the written config", () => {
      expect(runs.validate.code).toBe(0);
      expect(runs.validate.stdout).toMatch(
        new RegExp(`${NO_AUDIENCE.source}ok: vault-k8s-auth\\.yaml: 1 cluster, 2 roles\n$`),
      );
      expect(runs.synth).toMatchObject({ code: 0, stdout: "ok: kind-dev: cdktf.out/stacks/kind-dev/cdk.tf.json\n" });
      const json = JSON.parse(runs.synthJson);
      const roles = Object.values(json.resource.vault_kubernetes_auth_backend_role) as {
        role_name: string;
        token_policies: string[];
      }[];
      expect(Object.fromEntries(roles.map((role) => [role.role_name, role.token_policies]))).toEqual({
        atlantis: ["vault-k8s-auth-deploy"],
        "atlantis-plan": ["vault-k8s-auth-plan"],
      });
      expect(json.resource.vault_policy).toBeUndefined();
    });

    test("cdktf synth runs cdktf.json's app, the compiled synth, and writes the same JSON", () => {
      expect(runs.cdktfSynth.code).toBe(0);
      expect(runs.cdktfSynthJson).toBe(runs.synthJson);
    });

    test("can answers for a role with external policies and says it left them out", () => {
      expect(runs.can.code).toBe(1);
      expect(runs.can.stdout).toContain(
        "left out: vault-k8s-auth-deploy (externalPolicies: managed outside this config",
      );
    });

    test("the CI job's install leaves cdktf-cli out, and its validate and synth steps pass without it", () => {
      expect(runs.workflow.install.code).toBe(0);
      expect(runs.workflow.cliInstalled).toBe(false);
      expect(runs.workflow.validate.code).toBe(0);
      expect(runs.workflow.validate.stdout).toMatch(
        new RegExp(`${NO_AUDIENCE.source}ok: vault-k8s-auth\\.yaml: 1 cluster, 2 roles\n$`),
      );
      expect(runs.workflow.synth).toMatchObject({ code: 0 });
    });

    const terraform = terraformPresent();
    (terraform.ok ? test : test.skip)(
      terraform.ok
        ? "the CI job's terraform validate step passes on every stack, without a backend (providers from the e2e mirror)"
        : `the CI job's terraform validate step (skipped: ${terraform.why})`,
      () => {
        const result = runs.workflow.terraform as Result;
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
        expect(result.stdout).toContain("Success! The configuration is valid.");
        expect(result.stdout).not.toContain("Initializing the backend");
      },
    );

    test("the CI job's diff step puts the stack's changed lines in the job summary", () => {
      expect(runs.workflow.diff).toMatchObject({ code: 0 });
      const summary = runs.workflow.summary;
      expect(summary).toMatch(/^## Terraform JSON against the base branch\n\n### `kind-dev`\n\n````diff\n/);
      expect(summary).toContain("--- base: kind-dev/cdk.tf.json\n+++ this branch: kind-dev/cdk.tf.json\n");
      expect(summary).toMatch(/^- {8}"token_period": 1800,$/m);
      expect(summary).toMatch(/^\+ {8}"token_period": 2700,$/m);
      expect(summary.trimEnd().endsWith("````")).toBe(true);
    });
  });
}
