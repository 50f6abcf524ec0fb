/**
 * examples/atlantis run as Atlantis v0.47.1 runs it, against the local control plane: the
 * pre-workflow hook of repos.yaml in a checkout, an administrator's first apply of the stack it
 * synthesizes, then the workflow's own steps on a Terraform project that reads secret/myscrt
 * through the Vault provider, with a TokenRequest token of the atlantis ServiceAccount as the
 * pod's token file. And the way without an env step: the Vault provider's own auth_login, run by
 * Atlantis's default workflow.
 *
 * Each step is run the way Atlantis's runners run it (runatlantis/atlantis v0.47.1):
 * - a hook: `sh -c <run>` in the repository root, the pod's environment plus the pull request's
 *   variables (server/core/runtime/pre_workflow_hook_runner.go:26-59);
 * - an env step: `sh -c <command>` in the project dir through the run-step runner, whose value is
 *   stdout and stderr line by line, each line ended by "\n", with the final "\n" trimmed
 *   (env_step_runner.go:35-40, models/shell_command_runner.go:121-137), environment: the pod's,
 *   then ATLANTIS_TERRAFORM_VERSION, PLANFILE, WORKSPACE... (run_step_runner.go:63-100), then the
 *   earlier env steps' values (server/events/project_command_runner.go:1151-1184);
 * - init/plan/apply: the CLI with TF_IN_AUTOMATION, WORKSPACE, ATLANTIS_TERRAFORM_VERSION, DIR and
 *   TF_PLUGIN_CACHE_DIR (<data dir>/plugin-cache, server/server.go:89, 422; --use-tf-plugin-cache
 *   defaults to true, cmd/server.go:704-706), then the pod's environment, then the env steps'
 *   values (tfclient/terraform_client.go:452-471): an untracked .terraform.lock.hcl deleted, then
 *   `init -input=false -upgrade` (init_step_runner.go:39-48, 60-76: cdktf.out/ is not committed,
 *   nor is a new project's lock file),
 *   `workspace show` before plan (workspace_step_runner_delegate.go:76),
 *   `plan -input=false -refresh -out $PLANFILE` (plan_step_runner.go:150),
 *   `apply -input=false $PLANFILE` (apply_step_runner.go:77); the planfile is
 *   `<project>-<workspace>.tfplan` in the project dir (runtime.go:100-106, 134-136).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import type { ControlPlane } from "./control-plane";
import { cliConfig, mirrorView } from "./providers";
import { Checks } from "./scenarios";

export interface TerraformCli {
  readonly label: string;
  readonly binary: string;
  /** Atlantis's name for it (terraform_distribution) and its version, as Atlantis passes them on. */
  readonly distribution: "terraform" | "opentofu";
  readonly version: string;
}

export interface AtlantisContext {
  readonly root: string;
  readonly work: string;
  readonly plane: ControlPlane;
  readonly mirror: string;
  readonly progress: (line: string) => void;
  /** The CLIs the workflow runs with, one after the other; the first also makes the admin's apply. */
  readonly clis: readonly TerraformCli[];
}

type Step = string | { env?: { name: string; command: string }; run?: string };

interface StepResult {
  readonly status: number;
  readonly output: string;
}

/** A pull request's variables, as the runners add them. */
const PULL = {
  BASE_BRANCH_NAME: "main",
  BASE_REPO_NAME: "vault-k8s-auth",
  BASE_REPO_OWNER: "your-org",
  COMMENT_ARGS: "",
  HEAD_BRANCH_NAME: "e2e",
  HEAD_COMMIT: "0000000000000000000000000000000000000000",
  HEAD_REPO_NAME: "vault-k8s-auth",
  HEAD_REPO_OWNER: "your-org",
  PULL_AUTHOR: "e2e",
  PULL_NUM: "1",
  PULL_URL: "https://github.com/your-org/vault-k8s-auth/pull/1",
  USER_NAME: "e2e",
};

/** A spawned command's output as Atlantis collects it: stdout's and stderr's lines, each ended by "\n". */
function lines(stdout: string, stderr: string): string {
  const split = (text: string) => (text === "" ? [] : text.replace(/\n$/, "").split("\n"));
  return [...split(stdout), ...split(stderr)].map((line) => `${line}\n`).join("");
}

/** One project's steps, with the env steps' values carried from step to step as Atlantis does. */
class ProjectRun {
  readonly envs: Record<string, string> = {};
  readonly planfile: string;

  constructor(
    readonly name: string,
    readonly dir: string,
    readonly cli: TerraformCli,
    readonly pod: NodeJS.ProcessEnv,
    readonly command: "plan" | "apply",
    /** What follows `--` in the pull request comment (`atlantis plan -- -replace=...`): ctx.CommentArgs. */
    readonly commentArgs: readonly string[] = [],
  ) {
    this.planfile = join(dir, `${name}-default.tfplan`);
  }

  /** The environment of env and run steps (run_step_runner.go:63-100). */
  private stepEnv(): NodeJS.ProcessEnv {
    return {
      ...this.pod,
      ...PULL,
      ATLANTIS_TERRAFORM_DISTRIBUTION: this.cli.distribution === "opentofu" ? "tofu" : "terraform",
      ATLANTIS_TERRAFORM_VERSION: this.cli.version,
      DIR: this.dir,
      PLANFILE: this.planfile,
      SHOWFILE: join(this.dir, `${this.name}-default.json`),
      POLICYCHECKFILE: join(this.dir, `${this.name}-default-policyout.json`),
      PROJECT_NAME: this.name,
      REPO_REL_DIR: this.name,
      WORKSPACE: "default",
      ATLANTIS_PR_APPROVED: String(this.command === "apply"),
      ATLANTIS_PR_MERGEABLE: "true",
      ...this.envs,
    };
  }

  /** The environment of init, plan and apply (terraform_client.go:452-471): later entries win. */
  private terraformEnv(): NodeJS.ProcessEnv {
    return {
      TF_IN_AUTOMATION: "true",
      WORKSPACE: "default",
      ATLANTIS_TERRAFORM_VERSION: this.cli.version,
      DIR: this.dir,
      TF_PLUGIN_CACHE_DIR: join(this.pod.ATLANTIS_DATA_DIR ?? "/atlantis-data", "plugin-cache"),
      ...this.pod,
      ...this.envs,
    };
  }

  private terraform(args: string[]): StepResult {
    const result = spawnSync(this.cli.binary, args, {
      cwd: this.dir,
      env: this.terraformEnv(),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      timeout: 10 * 60_000,
    });
    // Atlantis strips the ANSI colours from the CLI's output (terraform_client.go:390, 404).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character itself
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.replace(/\u001b\[[0-9;]*m/g, "");
    writeFileSync(join(this.dir, "atlantis-steps.log"), `\n===== ${args.join(" ")}\n${output}`, { flag: "a" });
    return { status: result.status ?? 1, output };
  }

  /** Runs one step; a failed step ends the stage, as runSteps returns at the first error. */
  step(step: Step): StepResult {
    if (step === "init") {
      // Untracked in git here (a generated dir, a new project): Atlantis deletes it, then upgrades.
      rmSync(join(this.dir, ".terraform.lock.hcl"), { force: true });
      return this.terraform(["init", "-input=false", "-upgrade"]);
    }
    if (step === "plan") {
      const show = this.terraform(["workspace", "show"]);
      if (show.status !== 0) return show;
      return this.terraform(["plan", "-input=false", "-refresh", "-out", this.planfile, ...this.commentArgs]);
    }
    if (step === "apply") return this.terraform(["apply", "-input=false", this.planfile]);
    if (typeof step === "object" && (step.env || step.run)) {
      const command = step.env?.command ?? step.run ?? "";
      const result = spawnSync("sh", ["-c", command], { cwd: this.dir, env: this.stepEnv(), encoding: "utf8" });
      const output = lines(result.stdout ?? "", result.stderr ?? "");
      if (result.status !== 0) {
        // What Atlantis comments on the pull request: the shell runner's error
        // (models/shell_command_runner.go:242, shell "sh -c": valid/repo_cfg.go:237-238) wrapped
        // by runStepError (run_step_runner.go:152-154) with the step's output.
        const shellError = `running 'sh -c' '${command}' in '${this.dir}': exit status ${result.status}`;
        return {
          status: result.status ?? 1,
          output: `${shellError}: running ${JSON.stringify(command)} in ${JSON.stringify(this.dir)}: \n${output}`,
        };
      }
      if (step.env) this.envs[step.env.name] = output.replace(/\n$/, "");
      return { status: 0, output };
    }
    throw new Error(`step ${JSON.stringify(step)} is not one this harness runs`);
  }

  stage(steps: readonly Step[]): { failed?: StepResult; outputs: string[] } {
    const outputs: string[] = [];
    for (const step of steps) {
      const result = this.step(step);
      outputs.push(result.output);
      if (result.status !== 0) return { failed: result, outputs };
    }
    return { outputs };
  }
}

/** The project Atlantis plans with the workflow's env step: VAULT_TOKEN comes from the environment. */
const ENV_STEP_PROJECT = `terraform {
  required_version = ">= 1.11"
  required_providers {
    vault = { source = "hashicorp/vault", version = "5.6.0" }
  }
}

# VAULT_ADDR, VAULT_CACERT and VAULT_TOKEN (the workflow's env step) come from the environment.
provider "vault" {
  # The role's policy reads secret/myscrt and nothing else: it cannot create the provider's
  # default child token (auth/token/create).
  skip_child_token = true
}

data "vault_kv_secret_v2" "myscrt" {
  mount = "secret"
  name  = "myscrt"
}

# What the plan read, without showing it: its SHA-256.
output "access_key_sha256" {
  value = nonsensitive(sha256(data.vault_kv_secret_v2.myscrt.data["access_key"]))
}
`;

/** The same project logging in by itself: the Vault provider's auth_login with the pod's token file. */
const AUTH_LOGIN_PROJECT = ENV_STEP_PROJECT.replace(
  /# VAULT_ADDR, VAULT_CACERT and VAULT_TOKEN[^\n]*\nprovider "vault" \{\n/,
  `variable "vault_token_file" {
  type    = string
  default = "/var/run/secrets/vault/token" # the projected token of examples/atlantis/helm-values.yaml
}

# VAULT_ADDR and VAULT_CACERT come from the environment; no VAULT_TOKEN: the provider logs in.
provider "vault" {
  auth_login {
    path = "auth/atlantis/login"
    parameters = {
      role = "atlantis"
      jwt  = file(var.vault_token_file)
    }
  }
`,
);

/** Atlantis's default workflow: what a project without an env step runs (valid/global_cfg.go:157-186). */
const DEFAULT_WORKFLOW = { plan: { steps: ["init", "plan"] }, apply: { steps: ["apply"] } };

export async function runAtlantisWorkflow(ctx: AtlantisContext): Promise<{ passed: number; failed: number }> {
  const { plane } = ctx;
  const checks = new Checks();
  const repos = parse(readFileSync(join(ctx.root, "examples", "atlantis", "repos.yaml"), "utf8")) as {
    repos: { pre_workflow_hooks: { run: string }[] }[];
    workflows: Record<string, { plan: { steps: Step[] }; apply: { steps: Step[] } }>;
  };
  const workflow = repos.workflows["vault-k8s-auth"];
  const terraformrc = join(ctx.work, "terraformrc");
  writeFileSync(terraformrc, cliConfig(mirrorView(ctx.mirror, join(ctx.work, "providers"))));

  ctx.progress("Atlantis workflow: namespace atlantis, ServiceAccounts atlantis and intruder, secret/myscrt");
  for (const ns of ["atlantis", "vault"]) {
    await plane.kube("/api/v1/namespaces", "POST", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  }
  for (const sa of ["atlantis", "intruder"]) {
    await plane.kube("/api/v1/namespaces/atlantis/serviceaccounts", "POST", {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: sa },
    });
  }
  const accessKey = `atlantis-${Date.now().toString(36)}`;
  const digest = createHash("sha256").update(accessKey).digest("hex");
  const written = await plane.vault("/v1/secret/data/myscrt", { body: { data: { access_key: accessKey } } });
  if (written.status !== 200) throw new Error(`writing secret/myscrt: ${written.status} ${written.body}`);
  const tokenFile = await tokenRequest(ctx, "atlantis", "atlantis.jwt");
  const intruderFile = await tokenRequest(ctx, "intruder", "intruder.jwt");

  // The checkout: a config file other than the default, named by VAULT_K8S_AUTH_CONFIG.
  const repo = join(ctx.work, "repo");
  mkdirSync(join(repo, "clusters"), { recursive: true });
  const writeConfig = (tokenPeriod?: string, kubeconfig?: string) =>
    writeFileSync(
      join(repo, "clusters", "local.yaml"),
      JSON.stringify(clusterConfig(ctx.root, plane, tokenPeriod, kubeconfig), null, 2),
    );
  writeConfig();
  // The image's PATH: the package's bin and pod scripts, linked as examples/atlantis/Dockerfile links them.
  const bin = join(ctx.work, "bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync(join(ctx.root, "bin", "vault-k8s-auth.js"), join(bin, "vault-k8s-auth"));
  for (const script of ["vault-login.sh", "vault-read-secret.sh"]) {
    symlinkSync(join(ctx.root, "scripts", script), join(bin, script));
  }
  // The pod: what helm-values.yaml sets (VAULT_ADDR, the projected token, the config file), the
  // image's PATH, and a CLI config that installs the providers from the mirror. No VAULT_TOKEN.
  mkdirSync(join(ctx.work, "atlantis-data", "plugin-cache"), { recursive: true });
  const pod: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH}`,
    ATLANTIS_DATA_DIR: join(ctx.work, "atlantis-data"), // the chart's atlantisDataDirectory
    HOME: ctx.work,
    CHECKPOINT_DISABLE: "1",
    TF_CLI_CONFIG_FILE: terraformrc,
    VAULT_ADDR: plane.vaultAddr,
    VAULT_CACERT: plane.vaultCaFile,
    VAULT_SA_TOKEN_FILE: tokenFile,
    VAULT_K8S_AUTH_CONFIG: "clusters/local.yaml",
    TF_VAR_vault_token_file: tokenFile,
  };

  const stackDir = join(repo, "cdktf.out", "stacks", "local");
  const runHooks = (command: "plan" | "apply") => {
    const started = Date.now();
    for (const hook of repos.repos[0].pre_workflow_hooks) {
      const result = spawnSync("sh", ["-c", hook.run], {
        cwd: repo,
        env: {
          ...pod,
          ...PULL,
          DIR: repo,
          OUTPUT_STATUS_FILE: join(repo, "OUTPUT_STATUS_FILE"),
          COMMAND_NAME: command,
          PROJECT_NAME: "",
        },
        encoding: "utf8",
      });
      if (result.status !== 0) return `exit status ${result.status}: ${result.stdout}${result.stderr}`;
    }
    ctx.progress(`Atlantis workflow: the pre-workflow hook took ${Date.now() - started} ms`);
    return existsSync(join(stackDir, "cdk.tf.json")) ? undefined : `no ${stackDir}/cdk.tf.json`;
  };
  const hooked = await checks.run(
    "Atlantis workflow: the pre-workflow hook (repos.yaml, sh -c in the checkout) synthesizes the VAULT_K8S_AUTH_CONFIG file",
    () => runHooks("plan"),
  );
  if (!hooked) return checks;

  // Runbook step: the first apply is an administrator's, in the synthesized stack, with plain terraform.
  const admin = ctx.clis[0];
  const adminApplied = await checks.run(
    `Atlantis workflow: an administrator's first apply of the synthesized stack (${admin.label}, terraform init/apply in cdktf.out/stacks/local)`,
    () => {
      const env = { ...pod, VAULT_TOKEN: plane.vaultToken };
      for (const args of [
        ["init", "-input=false", "-no-color"],
        ["apply", "-auto-approve", "-input=false", "-no-color"],
      ]) {
        const result = spawnSync(admin.binary, args, { cwd: stackDir, env, encoding: "utf8", maxBuffer: 64 << 20 });
        writeFileSync(join(ctx.work, "admin-apply.log"), `${result.stdout}${result.stderr}`, { flag: "a" });
        if (result.status !== 0)
          return `${args[0]} exited ${result.status}: ${tail(`${result.stdout}${result.stderr}`)}`;
      }
      return undefined;
    },
  );
  if (!adminApplied) return checks;

  const totals = { passed: checks.passed, failed: checks.failed };
  for (const cli of ctx.clis) {
    const labelled = new Checks(cli.label);
    const project = (name: string, main: string) => {
      const dir = join(repo, `${name}-${cli.distribution}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "main.tf"), main);
      return dir;
    };

    // --- the env-step workflow of repos.yaml, verbatim
    const envDir = project("app", ENV_STEP_PROJECT);
    let planned = false;
    await labelled.run(
      "Atlantis workflow: plan stage (env VAULT_TOKEN from vault-login.sh, init, plan) reads secret/myscrt",
      () => {
        const run = new ProjectRun("app", envDir, cli, pod, "plan");
        const { failed, outputs } = run.stage(workflow.plan.steps);
        if (failed) return tail(failed.output);
        const token = run.envs.VAULT_TOKEN ?? "";
        if (!/^hvs\.[A-Za-z0-9_-]+$/.test(token))
          return `VAULT_TOKEN is not one Vault token (${token.length} characters)`;
        if (!existsSync(run.planfile)) return `no planfile at $PLANFILE (${run.planfile})`;
        planned = outputs.join("").includes(digest);
        return planned ? undefined : `the plan does not show the secret's SHA-256: ${tail(outputs.join(""))}`;
      },
    );
    if (planned) {
      await labelled.run("Atlantis workflow: apply stage (env VAULT_TOKEN again, apply of $PLANFILE)", () => {
        const run = new ProjectRun("app", envDir, cli, pod, "apply");
        const { failed } = run.stage(workflow.apply.steps);
        if (failed) return tail(failed.output);
        return outputOf(cli, envDir, pod) === digest ? undefined : "the applied output is not the secret's SHA-256";
      });
    }

    // --- the way without an env step: Atlantis's default workflow, the provider logs in itself
    const loginDir = project("app-auth-login", AUTH_LOGIN_PROJECT);
    let loginPlanned = false;
    await labelled.run(
      "auth_login: the default workflow's plan (no env step, no VAULT_TOKEN) logs in with the token file and reads secret/myscrt",
      () => {
        const run = new ProjectRun("app-auth-login", loginDir, cli, pod, "plan");
        const { failed, outputs } = run.stage(DEFAULT_WORKFLOW.plan.steps);
        if (failed) return tail(failed.output);
        loginPlanned = outputs.join("").includes(digest);
        return loginPlanned ? undefined : `the plan does not show the secret's SHA-256: ${tail(outputs.join(""))}`;
      },
    );
    if (loginPlanned) {
      await labelled.run("auth_login: the default workflow's apply logs in again and applies", () => {
        const run = new ProjectRun("app-auth-login", loginDir, cli, pod, "apply");
        const { failed } = run.stage(DEFAULT_WORKFLOW.apply.steps);
        if (failed) return tail(failed.output);
        return outputOf(cli, loginDir, pod) === digest ? undefined : "the applied output is not the secret's SHA-256";
      });
    }
    totals.passed += labelled.passed;
    totals.failed += labelled.failed;
  }

  // A pull request to the config itself: Atlantis plans and applies the stack with its own login.
  const pull = new Checks(admin.label);
  await pull.run(
    "Atlantis workflow: a pull request that changes tokenPeriod is planned and applied by the workflow with Atlantis's own login (examples/deploy/vault-deploy-policy.hcl), and Vault's role has the new period",
    async () => {
      writeConfig("3600s");
      for (const command of ["plan", "apply"] as const) {
        const hook = runHooks(command);
        if (hook) return `${command} hook: ${hook}`;
        const run = new ProjectRun("local", stackDir, admin, pod, command);
        const { failed, outputs } = run.stage(workflow[command].steps);
        if (failed) return `${command}: ${tail(failed.output)}`;
        if (command === "plan" && !/token_period\s+=\s+1800\s+->\s+3600/.test(outputs.join(""))) {
          return `the plan does not change token_period 1800 -> 3600: ${tail(outputs.join(""))}`;
        }
      }
      const role = (await plane.vault("/v1/auth/atlantis/role/atlantis")).json<{ data: { token_period: number } }>();
      return role.data.token_period === 3600 ? undefined : `Vault's role has token_period ${role.data.token_period}`;
    },
  );
  // docs/atlantis.md step 12 through Atlantis, as Atlantis's own ServiceAccount on the Kubernetes
  // side, with only the permissions examples/deploy/kubernetes-rbac.yaml grants it.
  await pull.run(
    "Atlantis workflow: rotating the reviewer (atlantis plan -- -replace=<token Secret>, then apply) as ServiceAccount atlantis bound by examples/deploy/kubernetes-rbac.yaml; logins work with the new token",
    async () => {
      const bound = await bindDeployerRbac(ctx);
      if (bound) return bound;
      const kubeconfig = await serviceAccountKubeconfig(ctx, "atlantis");
      writeConfig("3600s", kubeconfig);
      const stack = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as {
        resource: Record<string, Record<string, { type?: string }>>;
      };
      const [secret] = Object.entries(stack.resource.kubernetes_secret_v1 ?? {}).filter(
        ([, value]) => value.type === "kubernetes.io/service-account-token",
      );
      if (!secret) return "the stack has no token Secret";
      const address = `kubernetes_secret_v1.${secret[0]}`;
      const uid = async () =>
        (await plane.kube("/api/v1/namespaces/vault/secrets/vault-reviewer-token")).json<{
          metadata: { uid: string };
        }>().metadata.uid;
      const before = await uid();
      for (const command of ["plan", "apply"] as const) {
        const hook = runHooks(command);
        if (hook) return `${command} hook: ${hook}`;
        const run = new ProjectRun(
          "local",
          stackDir,
          admin,
          pod,
          command,
          command === "plan" ? [`-replace=${address}`] : [],
        );
        const { failed, outputs } = run.stage(workflow[command].steps);
        if (failed) return `${command}: ${tail(failed.output)}`;
        if (command === "plan" && !/Plan: 1 to add, 1 to change, 1 to destroy/.test(outputs.join(""))) {
          return `the plan is not the Secret replaced and the mount config updated: ${tail(outputs.join(""))}`;
        }
      }
      const after = await uid();
      if (after === before) return "the token Secret was not replaced";
      const login = spawnSync("sh", ["-c", "vault-login.sh --role atlantis --mount atlantis"], {
        env: pod,
        encoding: "utf8",
      });
      return login.status === 0 ? undefined : `the login after the rotation failed: ${login.stderr}`;
    },
  );
  totals.passed += pull.passed;
  totals.failed += pull.failed;

  // A pod whose ServiceAccount the role does not bind: the env step fails, Atlantis stops the stage
  // and shows vault-login.sh's words, and no Terraform step runs.
  const refused = new Checks();
  await refused.run(
    "Atlantis workflow: a refused login stops the plan stage at the env step with vault-login.sh's message",
    () => {
      const dir = join(repo, "app-refused");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "main.tf"), ENV_STEP_PROJECT);
      const run = new ProjectRun(
        "app-refused",
        dir,
        ctx.clis[0],
        { ...pod, VAULT_SA_TOKEN_FILE: intruderFile },
        "plan",
      );
      const { failed, outputs } = run.stage(workflow.plan.steps);
      if (!failed) return "the plan stage ran through";
      if (outputs.length !== 1) return `${outputs.length} steps ran; the stage must stop at the env step`;
      const expected =
        /^running 'sh -c' 'vault-login\.sh --role atlantis --mount atlantis' in '[^']+': exit status 1: running "vault-login\.sh --role atlantis --mount atlantis" in "[^"]+": \nvault-login\.sh: Vault refused the login \(HTTP 403\): service account name not authorized\n/;
      return expected.test(failed.output) ? undefined : `Atlantis would show: ${failed.output.slice(0, 400)}`;
    },
  );
  return { passed: totals.passed + refused.passed, failed: totals.failed + refused.failed };
}

/**
 * examples/deploy/vault-deploy-policy.hcl as path rules of the config, for this config's policy
 * names (the file's are the default config's): what Atlantis's apply role is given in docs/atlantis.md.
 */
function deployPolicyRules(root: string, policies: string[]) {
  const text = readFileSync(join(root, "examples", "deploy", "vault-deploy-policy.hcl"), "utf8");
  const stanzas = [...text.matchAll(/^path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]\s*\}/gm)].map(
    ([, path, list]) => ({
      path,
      capabilities: [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]),
    }),
  );
  const acl = stanzas.filter((stanza) => stanza.path.startsWith("sys/policies/acl/"));
  if (acl.length !== 1) throw new Error("vault-deploy-policy.hcl: expected one sys/policies/acl/ stanza");
  return [
    ...stanzas.filter((stanza) => stanza !== acl[0]),
    ...policies.map((name) => ({ path: `sys/policies/acl/${name}`, capabilities: acl[0].capabilities })),
  ];
}

/**
 * The config the checkout holds: this control plane; role atlantis reads secret/myscrt and, with
 * the example deploy policy, manages this stack, so that Atlantis can apply a pull request to it.
 */
function clusterConfig(root: string, plane: ControlPlane, tokenPeriod = "1800s", kubeconfig?: string) {
  return {
    clusters: [
      {
        name: "local",
        kubernetes: {
          host: plane.host,
          caCertificate: plane.caPem,
          kubeconfig: kubeconfig
            ? { path: kubeconfig, context: "atlantis" }
            : { path: plane.kubeconfig, context: plane.context },
        },
        vault: { address: plane.vaultAddr },
        auth: {
          path: "atlantis",
          reviewer: { mode: "long-lived-token", serviceAccountName: "vault-reviewer", namespace: "vault" },
        },
        policies: [
          { name: "atlantis-read", rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] },
          { name: "vault-k8s-auth-deploy", rules: deployPolicyRules(root, ["atlantis-read", "vault-k8s-auth-deploy"]) },
        ],
        roles: [
          {
            name: "atlantis",
            boundServiceAccountNames: ["atlantis"],
            boundServiceAccountNamespaces: ["atlantis"],
            tokenPolicies: ["atlantis-read", "vault-k8s-auth-deploy"],
            tokenPeriod,
            audience: "vault",
          },
        ],
      },
    ],
  };
}

/** The projected token kubelet would mount (audience vault, as the Helm values' commented volume). */
async function tokenRequest(ctx: AtlantisContext, name: string, file: string): Promise<string> {
  const response = await ctx.plane.kube(`/api/v1/namespaces/atlantis/serviceaccounts/${name}/token`, "POST", {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { expirationSeconds: 3600, audiences: ["vault"] },
  });
  if (response.status !== 201)
    throw new Error(`TokenRequest for atlantis/${name}: ${response.status} ${response.body}`);
  const path = join(ctx.work, file);
  writeFileSync(path, response.json<{ status: { token: string } }>().status.token, { mode: 0o600 });
  return path;
}

function outputOf(cli: TerraformCli, dir: string, pod: NodeJS.ProcessEnv): string {
  const result = spawnSync(cli.binary, ["output", "-raw", "access_key_sha256"], {
    cwd: dir,
    env: pod,
    encoding: "utf8",
  });
  return (result.stdout ?? "").trim();
}

function tail(output: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips colour codes
  const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
  const errors = plain.split("\n").filter((line) => /Error|error|refused/.test(line));
  return (errors.length > 0 ? errors : plain.split("\n")).slice(-8).join(" | ");
}

/** examples/deploy/kubernetes-rbac.yaml with its ServiceAccount subjects uncommented (for inCluster), applied as the admin. */
async function bindDeployerRbac(ctx: AtlantisContext): Promise<string | undefined> {
  const text = readFileSync(join(ctx.root, "examples", "deploy", "kubernetes-rbac.yaml"), "utf8").replace(
    /^ {2}# (- kind: ServiceAccount\n) {2}# ( {2}name: .*\n) {2}# ( {2}namespace: .*)$/gm,
    "  $1  $2  $3",
  );
  const paths: Record<string, (ns: string) => string> = {
    Role: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
    RoleBinding: (ns) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
    ClusterRole: () => "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    ClusterRoleBinding: () => "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
  };
  for (const document of parseAllDocuments(text).map((d) => d.toJS())) {
    const path = paths[document.kind]?.(document.metadata.namespace);
    if (!path) return `kubernetes-rbac.yaml: unexpected kind ${document.kind}`;
    const created = await ctx.plane.kube(path, "POST", document);
    if (created.status !== 201)
      return `creating ${document.kind} ${document.metadata.name}: ${created.status} ${created.body}`;
  }
  return undefined;
}

/** A kubeconfig that authenticates as ServiceAccount atlantis/<name>: what the pod's in-cluster config amounts to. */
async function serviceAccountKubeconfig(ctx: AtlantisContext, name: string): Promise<string> {
  const response = await ctx.plane.kube(`/api/v1/namespaces/atlantis/serviceaccounts/${name}/token`, "POST", {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { expirationSeconds: 3600 },
  });
  if (response.status !== 201)
    throw new Error(`TokenRequest for atlantis/${name}: ${response.status} ${response.body}`);
  const token = response.json<{ status: { token: string } }>().status.token;
  const file = join(ctx.work, `${name}-sa.kubeconfig`);
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster: { server: ctx.plane.host, "certificate-authority": ctx.plane.caFile } }],
    users: [{ name, user: { token } }],
    contexts: [{ name: "atlantis", context: { cluster: "local", user: name } }],
    "current-context": "atlantis",
  };
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return file;
}
