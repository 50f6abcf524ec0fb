import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(__dirname, "..");
const APP = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app.split(" ") as string[];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** What cdktf-cli sets for every app it runs (@cdktf/cli-core src/lib/synth-stack.js:113). */
const UNDER_CDKTF = { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" };

/** Runs the synth app from cdktf.json, as `cdktf synth` does, in `cwd` with `env` added. */
async function synthApp(cwd: string, env: Record<string, string> = {}, cdktf = true): Promise<Result> {
  const [command, ...args] = APP;
  const { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: _, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env: { ...inherited, ...(cdktf ? UNDER_CDKTF : {}), ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const scratch = mkdtempSync(join(tmpdir(), "vka-entry-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A copy of the project (sources, a link to node_modules) in a new folder, with the seed's config
 * file from test/fixtures as its vault-k8s-auth.yaml: the checkout's own is the user's to edit.
 */
function projectCopy(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  for (const entry of ["main.ts", "src", "bin", "cdktf.json", "package.json", "tsconfig.json"]) {
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  cpSync(join(ROOT, "test", "fixtures", "seed-config.yaml"), join(dir, "vault-k8s-auth.yaml"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** Every file under `dir` with its content. */
function snapshotTree(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name);
        return [path, readFileSync(path, "utf8")];
      }),
  );
}

jest.setTimeout(60_000);

describe("the synth entry point", () => {
  test("writes cdktf.out/stacks/eks-test/cdk.tf.json for the default configuration, with no credentials", async () => {
    const project = projectCopy("default");
    const result = await synthApp(project, { VAULT_TOKEN: "", AWS_PROFILE: "" });
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readdirSync(join(project, "cdktf.out", "stacks"))).toEqual(["eks-test"]);
    const json = JSON.parse(readFileSync(join(project, "cdktf.out/stacks/eks-test/cdk.tf.json"), "utf8"));
    expect(Object.values(json.resource.vault_auth_backend)).toEqual([
      expect.objectContaining({ type: "kubernetes", path: "atlantis" }),
    ]);
    expect(json.output.login_path.value).toBe("auth/atlantis/login");
  });

  test("gives byte-identical JSON when the same configuration is synthesized from two folders", async () => {
    const [first, second] = [projectCopy("checkout-one"), projectCopy("elsewhere-two")];
    // A failed synth leaves no file to compare, or an older one: both runs must succeed.
    expect(await Promise.all([synthApp(first), synthApp(second)])).toEqual([
      { code: 0, stdout: "", stderr: "" },
      { code: 0, stdout: "", stderr: "" },
    ]);
    const stack = "cdktf.out/stacks/eks-test/cdk.tf.json";
    const one = readFileSync(join(first, stack), "utf8");
    expect(readFileSync(join(second, stack), "utf8")).toBe(one);
    expect(one).not.toContain(first);
    expect(one).not.toContain(tmpdir());
  });

  test("run alone (npm run synth), prints each warning once on stderr and the stacks written on stdout, plain text", async () => {
    const project = projectCopy("alone");
    mkdirSync(join(project, "cdktf.out", "stacks", "removed-cluster"), { recursive: true });
    const result = await synthApp(project, {}, false);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("ok: eks-test: cdktf.out/stacks/eks-test/cdk.tf.json\n");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(
        /^warning: vault-k8s-auth\.yaml:\d+:\d+: clusters\[0\]\.policies\[0\]\.preset: policy admin grants /,
      ),
      expect.stringMatching(
        /^warning: vault-k8s-auth\.yaml:\d+:\d+: clusters\[0\]\.roles\[0\]\.name: role atlantis: no audience/,
      ),
    ]);
    // No terminal escape codes: a CI log shows exactly this.
    expect(`${result.stdout}${result.stderr}`).not.toContain("\u001b");
    // As cdktf synth does: the folder of a stack that is no longer in the config goes.
    expect(readdirSync(join(project, "cdktf.out", "stacks"))).toEqual(["eks-test"]);
  });

  test("as cdktf's app, leaves the folder of a removed stack to cdktf, which removes it after the app and fails on one already gone", async () => {
    const project = projectCopy("under-cdktf");
    mkdirSync(join(project, "cdktf.out", "stacks", "removed-cluster"), { recursive: true });
    expect(await synthApp(project)).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readdirSync(join(project, "cdktf.out", "stacks")).sort()).toEqual(["eks-test", "removed-cluster"]);
  });

  test("fails on a bad file with the message alone, once, exit 2, and leaves the earlier cdktf.out as it was", async () => {
    const project = projectCopy("broken");
    expect(await synthApp(project)).toEqual({ code: 0, stdout: "", stderr: "" });
    const before = snapshotTree(join(project, "cdktf.out"));
    writeFileSync(join(project, "bad.yaml"), "clusters:\n  - name: Bad_Name\n    kubernetes: {}\n    roles: []\n");

    const result = await synthApp(project, { VAULT_K8S_AUTH_CONFIG: "bad.yaml" });

    expect(result.code).toBe(2);
    expect(result.stderr.match(/nothing was synthesized/g)).toHaveLength(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^vault-k8s-auth: bad\.yaml has 3 problems; nothing was synthesized:\n/);
    expect(result.stderr).toContain('bad.yaml:2:11: clusters[0].name: "Bad_Name" is not a cluster name');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(snapshotTree(join(project, "cdktf.out"))).toEqual(before);
  });

  test("attaches the config's warnings to the stack of their cluster, where cdktf synth shows them", async () => {
    const project = projectCopy("warned");
    const config = readFileSync(join(project, "vault-k8s-auth.yaml"), "utf8").replace(
      "tokenPeriod: 1800s",
      "tokenPeriod: 800h",
    );
    writeFileSync(join(project, "warned.yaml"), config);
    const result = await synthApp(project, { VAULT_K8S_AUTH_CONFIG: "warned.yaml" });
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    const manifest = JSON.parse(readFileSync(join(project, "cdktf.out/manifest.json"), "utf8"));
    const warnings = manifest.stacks["eks-test"].annotations.map(
      (annotation: { message: string }) => annotation.message,
    );
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /^warned\.yaml:\d+:\d+: clusters\[0\]\.roles\[0\]\.tokenPeriod: "800h" \(2880000s\) is above Vault's default max TTL of 768h/,
      ),
    );
  });

  test("fails on a CA with a private key pasted in without echoing the key, exit 2, and leaves cdktf.out as it was", async () => {
    const project = projectCopy("leaked-key");
    expect(await synthApp(project)).toEqual({ code: 0, stdout: "", stderr: "" });
    const before = snapshotTree(join(project, "cdktf.out"));
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    const ca = readFileSync(join(ROOT, "test/fixtures/test-ca.pem"), "utf8");
    const config = {
      clusters: [
        {
          name: "kind",
          kubernetes: { host: "https://127.0.0.1:6443", caCertificate: `${ca}${key}`, kubeconfig: { context: "kind" } },
          roles: [{ name: "app", boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"] }],
        },
      ],
    };
    writeFileSync(join(project, "leaked.json"), JSON.stringify(config));

    const result = await synthApp(project, { VAULT_K8S_AUTH_CONFIG: "leaked.json" });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^vault-k8s-auth: leaked\.json has 1 problem; nothing was synthesized:\n {2}leaked\.json:1:\d+: clusters\[0\]\.kubernetes\.caCertificate holds a private key/,
    );
    for (const line of key.split("\n").slice(1, -2)) expect(result.stderr).not.toContain(line);
    expect(snapshotTree(join(project, "cdktf.out"))).toEqual(before);
  });

  test("fails on a config path that is a directory with the path and the reason, exit 2, no internal error", async () => {
    const project = projectCopy("directory");
    const result = await synthApp(project, { VAULT_K8S_AUTH_CONFIG: "src" });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth: VAULT_K8S_AUTH_CONFIG=src is a directory; name a YAML or JSON file\n",
    });
  });

  test("writes none of the deploy environment's credentials into cdktf.out, through the real cdktf CLI", async () => {
    const project = projectCopy("canary");
    const kubeconfig = join(project, "kubeconfig-canary");
    writeFileSync(kubeconfig, "users:\n- name: x\n  user:\n    token: CANARY-KUBECONFIG-TOKEN-7f3a\n");
    const canaries = {
      VAULT_TOKEN: "CANARY-VAULT-TOKEN-1b2c",
      AWS_SECRET_ACCESS_KEY: "CANARY-AWS-SECRET-9d8e",
      AWS_SESSION_TOKEN: "CANARY-AWS-SESSION-4a5b",
      KUBECONFIG: kubeconfig,
    };
    const { stdout } = await run(join(ROOT, "node_modules/.bin/cdktf"), ["synth"], {
      cwd: project,
      env: { ...process.env, ...canaries, CHECKPOINT_DISABLE: "1", CI: "1" },
    });
    expect(stdout).toContain("eks-test");
    const written = Object.values(snapshotTree(join(project, "cdktf.out"))).join("\n");
    expect(written).toContain('"vault_auth_backend"');
    for (const canary of [...Object.values(canaries).slice(0, 3), "CANARY-KUBECONFIG-TOKEN-7f3a", kubeconfig]) {
      expect(written).not.toContain(canary);
    }
  });
});
