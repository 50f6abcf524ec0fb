/** The Atlantis examples must fit this project: its default stack, its role and its pod scripts. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const dir = join(__dirname, "..", "examples", "atlantis");
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, asserted field by field below
const load = (file: string): any => parse(readFileSync(join(dir, file), "utf8"));

const repos = load("repos.yaml");
const atlantis = load("atlantis.yaml");
const helm = load("helm-values.yaml");

type Step = string | Record<string, { name?: string; command?: string }>;
const isTerraform = (step: Step) => typeof step === "string" && ["init", "plan", "apply"].includes(step);
const setsVaultToken = (step: Step) =>
  typeof step === "object" &&
  step.env?.name === "VAULT_TOKEN" &&
  /vault-login\.sh --role \S+/.test(step.env.command ?? "");

describe("examples/atlantis", () => {
  test("atlantis.yaml plans the default stack directory with the Vault login workflow", () => {
    expect(atlantis.version).toBe(3);
    expect(atlantis.projects).toEqual([
      expect.objectContaining({ dir: "cdktf.out/stacks/eks-test", workflow: "vault-k8s-auth" }),
    ]);
    expect(repos.workflows).toHaveProperty("vault-k8s-auth");
    expect(repos.repos[0].allowed_workflows).toContain("vault-k8s-auth");
  });

  test("autoplan watches the sources the stack is synthesized from, relative to the stack dir", () => {
    const watched: string[] = atlantis.projects[0].autoplan.when_modified;
    expect(watched).toEqual(
      expect.arrayContaining(["../../../main.ts", "../../../src/**/*.ts", "../../../vault-k8s-auth.yaml"]),
    );
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

  test("the pre-workflow hook installs dependencies and runs cdktf synth, and failing hooks stop the run", () => {
    const hooks: { run: string }[] = repos.repos[0].pre_workflow_hooks;
    expect(hooks.map((h) => h.run)).toEqual([expect.stringMatching(/^npm ci\b.*&& npx cdktf synth$/)]);
    expect(helm.environment.ATLANTIS_FAIL_ON_PRE_WORKFLOW_HOOK_ERROR).toBe("true");
  });

  test("the Helm values run Atlantis as ServiceAccount atlantis with its token mounted and VAULT_ADDR set", () => {
    expect(helm.serviceAccount).toEqual({ create: true, name: "atlantis", mount: true });
    expect(helm.environment.VAULT_ADDR).toMatch(/^https?:\/\/\S+$/);
  });

  test("the login's role and mount and the ServiceAccount match the default vault-k8s-auth.yaml", () => {
    const [cluster] = parse(readFileSync(join(__dirname, "fixtures", "seed-config.yaml"), "utf8")).clusters;
    expect(cluster.name).toBe("eks-test");
    for (const stage of ["plan", "apply"]) {
      const command: string = repos.workflows["vault-k8s-auth"][stage].steps.find(setsVaultToken).env.command;
      const [, role] = /--role (\S+)/.exec(command) ?? [];
      const [, mount] = /--mount (\S+)/.exec(command) ?? [];
      expect(mount).toBe(cluster.auth.path);
      const bound = cluster.roles.find((r: { name: string }) => r.name === role);
      expect(bound.boundServiceAccountNames).toContain(helm.serviceAccount.name);
    }
  });

  test("the workflow calls the login script where the Helm values mount it, executable", () => {
    const command: string = repos.workflows["vault-k8s-auth"].plan.steps.find(setsVaultToken).env.command;
    const script = command.split(" ")[0];
    const mount = helm.extraVolumeMounts.find((m: { mountPath: string }) => script.startsWith(`${m.mountPath}/`));
    expect(mount).toEqual({ name: "vault-k8s-auth-scripts", mountPath: "/opt/vault-k8s-auth/bin", readOnly: true });
    const volume = helm.extraVolumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.configMap.name).toBe("vault-k8s-auth-scripts");
    expect(volume.configMap.defaultMode & 0o111).toBe(0o111);
    expect(script.endsWith("/vault-login.sh")).toBe(true);
  });
});
