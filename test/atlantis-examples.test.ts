/** The Atlantis examples must fit this project: its default stack, its role, its package and its pod scripts. */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { parse } from "yaml";
import { REQUIRED_TERRAFORM } from "../src/stacks/vault-k8s-auth-stack";

const ROOT = join(__dirname, "..");
const dir = join(ROOT, "examples", "atlantis");
const text = (file: string) => readFileSync(join(dir, file), "utf8");
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, asserted field by field below
const load = (file: string): any => parse(text(file));

const repos = load("repos.yaml");
const atlantis = load("atlantis.yaml");
const helm = load("helm-values.yaml");
const dockerfile = text("Dockerfile");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** The Atlantis release the examples target: read from the Atlantis source (Dockerfile, tags) on 2026-12-05. */
const ATLANTIS = "v0.47.1";

type Step = string | Record<string, { name?: string; command?: string }>;
const isTerraform = (step: Step) => typeof step === "string" && ["init", "plan", "apply"].includes(step);
const setsVaultToken = (step: Step) =>
  typeof step === "object" &&
  step.env?.name === "VAULT_TOKEN" &&
  /vault-login\.sh --role \S+/.test(step.env.command ?? "");
const loginCommand = (stage: string): string =>
  repos.workflows["vault-k8s-auth"][stage].steps.find(setsVaultToken).env.command;

describe("examples/atlantis", () => {
  test("atlantis.yaml plans the default stack directory with the Vault login workflow", () => {
    expect(atlantis.version).toBe(3);
    expect(atlantis.projects).toEqual([
      expect.objectContaining({ dir: "cdktf.out/stacks/eks-test", workflow: "vault-k8s-auth" }),
    ]);
    expect(repos.workflows).toHaveProperty("vault-k8s-auth");
    expect(repos.repos[0].allowed_workflows).toContain("vault-k8s-auth");
  });

  test("autoplan watches the config file the hook reads and the package pins, all inside the repository", () => {
    const { dir: projectDir, autoplan } = atlantis.projects[0];
    // Atlantis joins each pattern to the project dir (v0.47.1 server/events/project_finder.go:268).
    const watched = (autoplan.when_modified as string[]).map((pattern) =>
      posix.normalize(posix.join(projectDir, pattern)),
    );
    expect(watched).toEqual(["vault-k8s-auth.yaml", "package.json", "package-lock.json"]);
    // The hook's default config file is the one watched.
    expect(repos.repos[0].pre_workflow_hooks[0].run).toContain(":-vault-k8s-auth.yaml}");
  });

  test.each(["plan", "apply"])(
    "the %s stage sets VAULT_TOKEN from vault-login.sh before running terraform",
    (stage) => {
      const steps: Step[] = repos.workflows["vault-k8s-auth"][stage].steps;
      const login = steps.findIndex(setsVaultToken);
      const terraform = steps.findIndex(isTerraform);
      expect(login).toBeGreaterThanOrEqual(0);
      expect(terraform).toBeGreaterThan(login);
      expect(steps).toContain(stage);
    },
  );

  describe("the pre-workflow hook, run through sh -c as Atlantis runs it (server/core/runtime/pre_workflow_hook_runner.go:29-30)", () => {
    const hooks: { run: string }[] = repos.repos[0].pre_workflow_hooks;
    let work: string;
    beforeAll(() => {
      work = mkdtempSync(join(tmpdir(), "atlantis-hook-"));
      // A stand-in for the installed CLI that records its arguments: what matters here is the shell.
      mkdirSync(join(work, "bin"));
      writeFileSync(join(work, "bin", "vault-k8s-auth"), `#!/bin/sh\nprintf '%s\\n' "$@" > "${work}/args"\n`);
      chmodSync(join(work, "bin", "vault-k8s-auth"), 0o755);
    });
    afterAll(() => rmSync(work, { recursive: true, force: true }));

    const runHook = (env: Record<string, string>) => {
      const project = join(work, "repo", "cdktf.out", "stacks", "eks-test");
      mkdirSync(project, { recursive: true });
      writeFileSync(join(project, "eks-test-default.tfplan"), "");
      const result = spawnSync("sh", ["-c", hooks[0].run], {
        cwd: join(work, "repo"),
        env: { PATH: `${join(work, "bin")}:${process.env.PATH}`, ...env },
        encoding: "utf8",
      });
      expect(result.status).toBe(0);
      return readFileSync(join(work, "args"), "utf8").split("\n").slice(0, -1);
    };

    test("is one vault-k8s-auth synth of the installed package: no npm install, no npx, no cdktf CLI", () => {
      expect(hooks).toHaveLength(1);
      expect(hooks[0].run).toMatch(/^vault-k8s-auth synth\b/);
      expect(hooks[0].run).not.toMatch(/\bnpm\b|\bnpx\b|\bcdktf synth\b/);
      expect(helm.environment.ATLANTIS_FAIL_ON_PRE_WORKFLOW_HOOK_ERROR).toBe("true");
    });

    test("passes vault-k8s-auth.yaml by default, and $VAULT_K8S_AUTH_CONFIG when the pod sets it (a path with a space stays one argument)", () => {
      expect(runHook({})).toEqual(["synth", "--config", "vault-k8s-auth.yaml"]);
      expect(runHook({ VAULT_K8S_AUTH_CONFIG: "clusters/prod eu.yaml" })).toEqual([
        "synth",
        "--config",
        "clusters/prod eu.yaml",
      ]);
    });

    test("keeps the plan file Atlantis left in the project dir: the hook runs again before apply, which needs it (runtime.go:134-136)", () => {
      runHook({ COMMAND_NAME: "apply" });
      expect(existsSync(join(work, "repo", "cdktf.out", "stacks", "eks-test", "eks-test-default.tfplan"))).toBe(true);
    });
  });

  test("the Helm values run Atlantis as ServiceAccount atlantis with its token mounted, VAULT_ADDR set, in the image the Dockerfile builds", () => {
    expect(helm.serviceAccount).toEqual({ create: true, name: "atlantis", mount: true });
    expect(helm.environment.VAULT_ADDR).toMatch(/^https?:\/\/\S+$/);
    expect(helm.image.tag).toBe(`${ATLANTIS}-${pkg.version}`);
    // The image brings the scripts; the old ConfigMap mount is gone with it.
    expect(helm).not.toHaveProperty("extraVolumeMounts");
  });

  test("the login's role and mount and the ServiceAccount match the default vault-k8s-auth.yaml", () => {
    const [cluster] = parse(readFileSync(join(__dirname, "fixtures", "seed-config.yaml"), "utf8")).clusters;
    expect(cluster.name).toBe("eks-test");
    for (const stage of ["plan", "apply"]) {
      const command = loginCommand(stage);
      const [, role] = /--role (\S+)/.exec(command) ?? [];
      const [, mount] = /--mount (\S+)/.exec(command) ?? [];
      expect(mount).toBe(cluster.auth.path);
      const bound = cluster.roles.find((r: { name: string }) => r.name === role);
      expect(bound.boundServiceAccountNames).toContain(helm.serviceAccount.name);
    }
  });

  test("every command the hook and the workflow run is one the Dockerfile puts on PATH, from the package's own files", () => {
    const links = new Map(
      [...dockerfile.matchAll(/ln -s (\S+) \/usr\/local\/bin\/(\S+?)(?= |$)/gm)].map(([, target, name]) => [
        name,
        target,
      ]),
    );
    const installed = "/opt/vault-k8s-auth/node_modules/vault-k8s-auth/";
    expect(links.get("vault-k8s-auth")).toBe("/opt/vault-k8s-auth/node_modules/.bin/vault-k8s-auth");
    expect(pkg.bin).toEqual({ "vault-k8s-auth": expect.any(String) });
    const used = new Set(
      [
        repos.repos[0].pre_workflow_hooks[0].run,
        loginCommand("plan"),
        loginCommand("apply"),
        // The commented secret read (the seed's use case) must work when it is uncommented.
        ...[...text("repos.yaml").matchAll(/command: (vault-read-secret\.sh)/g)].map((m) => m[1]),
      ].flatMap((command) => [...command.matchAll(/(?:^|&& )([\w.-]+)/g)].map((m) => m[1])),
    );
    expect([...used].sort()).toEqual(["vault-k8s-auth", "vault-login.sh", "vault-read-secret.sh"]);
    for (const script of ["vault-login.sh", "vault-read-secret.sh"]) {
      const target = links.get(script) ?? "";
      expect(target.startsWith(installed)).toBe(true);
      expect(pkg.files).toContain(target.slice(installed.length));
    }
  });

  test("the Dockerfile builds FROM the targeted official Atlantis image, with Node 20 and the package's exact pins, production dependencies only", () => {
    expect(dockerfile).toContain(`ARG ATLANTIS_VERSION=${ATLANTIS}\n`);
    expect(dockerfile).toMatch(/^FROM ghcr\.io\/runatlantis\/atlantis:\$\{ATLANTIS_VERSION\}$/m);
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=20$/m);
    expect(dockerfile).toMatch(/^FROM node:\$\{NODE_VERSION\}-alpine AS package$/m);
    expect(dockerfile).toContain(`ARG PACKAGE=vault-k8s-auth@${pkg.version}\n`);
    expect(dockerfile).toMatch(/npm install --omit=dev /);
    // The versions this project is tested with: the peers it develops against, pinned exactly.
    for (const name of ["cdktf", "constructs", "@cdktf/provider-aws"]) {
      expect(dockerfile).toMatch(new RegExp(`[ =]${name}@${pkg.devDependencies[name].replace(/\./g, "\\.")}[ ;]`));
    }
    // The AWS provider and the AWS CLI only for EKS, where the kubernetes provider runs `aws eks get-token`.
    expect(dockerfile).toMatch(/if \[ "\$EKS" = true \]; then aws=@cdktf\/provider-aws@/);
    expect(dockerfile).toMatch(/if \[ "\$EKS" = true \]; then apk add --no-cache aws-cli; fi/);
    // Numeric, so that a pod's runAsNonRoot can check it: the base image's atlantis (uid 100, gid 1000).
    expect(dockerfile).toMatch(/^USER 100:1000$/m);
    expect(dockerfile).toContain("was not built where it was written");
  });

  test("atlantis.yaml runs a Terraform the stacks' required_version accepts, and names the OpenTofu alternative", () => {
    expect(REQUIRED_TERRAFORM).toBe(">= 1.11");
    const [major, minor] = String(atlantis.projects[0].terraform_version).replace(/^v/, "").split(".").map(Number);
    expect(major === 1 && minor >= 11).toBe(true);
    expect(text("atlantis.yaml")).toMatch(
      /# terraform_distribution: opentofu\n\s+# terraform_version: v1\.(1[1-9])\.\d+/,
    );
    // Nothing in the Helm values overrides the project's choice with another default.
    expect(helm.environment.ATLANTIS_DEFAULT_TF_VERSION).toBeUndefined();
  });

  test("every example names the same Atlantis release, and no other", () => {
    for (const file of ["repos.yaml", "atlantis.yaml", "helm-values.yaml", "README.md", "Dockerfile"]) {
      const versions = new Set([...text(file).matchAll(/\bv0\.\d+\.\d+\b/g)].map((m) => m[0]));
      expect([file, [...versions]]).toEqual([file, [ATLANTIS]]);
    }
  });
});
