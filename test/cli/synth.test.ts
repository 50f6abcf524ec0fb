import { generateKeyPairSync } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { projectedToken } from "../answers/tokens";
import { cli, scratchDir, writeConfig, writeTwoClusters } from "./harness";

const dir = scratchDir();
const seed = DEFAULT_CONFIG.clusters[0];
const twoClusters = writeTwoClusters(dir);

function stacksIn(outdir: string): string[] {
  return readdirSync(join(dir, outdir, "stacks")).sort();
}

describe("vault-k8s-auth synth", () => {
  test("writes one stack per cluster into cdktf.out and names each file it wrote", () => {
    const result = cli(["synth", "--config", twoClusters], { cwd: dir });

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "ok: eks-test: cdktf.out/stacks/eks-test/cdk.tf.json\nok: other: cdktf.out/stacks/other/cdk.tf.json\n",
    );
    expect(stacksIn("cdktf.out")).toEqual(["eks-test", "other"]);
    const json = JSON.parse(readFileSync(join(dir, "cdktf.out/stacks/other/cdk.tf.json"), "utf8"));
    expect(Object.values(json.resource.vault_auth_backend)).toEqual([expect.objectContaining({ path: "k8s/other" })]);
    expect(existsSync(join(dir, "cdktf.out/manifest.json"))).toBe(true);
  });

  test("turns source maps off for its synth, unless VAULT_K8S_AUTH_DEBUG asks for stack traces", () => {
    const before = process.sourceMapsEnabled;
    try {
      process.setSourceMapsEnabled(true);
      expect(cli(["synth", "--output", "debug-out"], { cwd: dir, env: { VAULT_K8S_AUTH_DEBUG: "1" } }).code).toBe(0);
      expect(process.sourceMapsEnabled).toBe(true);
      expect(cli(["synth", "--output", "quiet-out"], { cwd: dir }).code).toBe(0);
      expect(process.sourceMapsEnabled).toBe(false);
    } finally {
      process.setSourceMapsEnabled(before);
    }
  });

  test("prints the synth warnings on stderr, so the seed's admin policy is seen", () => {
    const result = cli(["synth", "--output", "warned"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("ok: eks-test: warned/stacks/eks-test/cdk.tf.json\n");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(
        /^warning: built-in default: clusters\[0\]\.policies\[0\]\.preset: policy admin grants sudo, /,
      ),
      expect.stringMatching(
        /^warning: built-in default: clusters\[0\]\.roles\[0\]\.name: role atlantis: no audience is bound/,
      ),
    ]);
  });

  test("removes the folder of a stack no longer in the config, as cdktf synth does, but not with --cluster nor under the cdktf CLI, which removes it itself", () => {
    expect(cli(["synth", "--config", twoClusters, "--output", "shrink-out"], { cwd: dir }).code).toBe(0);
    expect(stacksIn("shrink-out")).toEqual(["eks-test", "other"]);
    expect(
      cli(["synth", "--config", twoClusters, "--cluster", "eks-test", "--output", "shrink-out"], { cwd: dir }).code,
    ).toBe(0);
    expect(stacksIn("shrink-out")).toEqual(["eks-test", "other"]);
    const underCdktf = { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" };
    expect(cli(["synth", "--output", "shrink-out"], { cwd: dir, env: underCdktf })).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
    expect(stacksIn("shrink-out")).toEqual(["eks-test", "other"]);
    expect(cli(["synth", "--output", "shrink-out"], { cwd: dir }).code).toBe(0);
    expect(stacksIn("shrink-out")).toEqual(["eks-test"]);
  });

  test("writes only the cluster --cluster names, into --output", () => {
    const result = cli(["synth", "--config", twoClusters, "--cluster", "other", "--output", "only-other"], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("ok: other: only-other/stacks/other/cdk.tf.json\n");
    expect(result.stderr).not.toContain("eks-test");
    // Only the warnings of the cluster written: clusters[1]'s, not clusters[0]'s alike.
    const warned = result.stderr.trimEnd().split("\n");
    expect(warned.map((line) => /^warning: two\.yaml:\d+:\d+: (clusters\[\d\])/.exec(line)?.[1])).toEqual([
      "clusters[1]",
      "clusters[1]",
    ]);
    expect(stacksIn("only-other")).toEqual(["other"]);
  });

  test("writes where CDKTF_OUTDIR says when run as the app of cdktf.json", () => {
    const result = cli(["synth", "--json"], { cwd: dir, env: { CDKTF_OUTDIR: "from-cdktf" } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      outdir: join(dir, "from-cdktf"),
      stacks: ["eks-test"],
      warnings: expect.arrayContaining([expect.stringContaining("sudo")]),
    });
    expect(stacksIn("from-cdktf")).toEqual(["eks-test"]);
  });

  test("fails on a bad file with the problems, exit 2, and writes nothing", () => {
    const broken = writeConfig(
      dir,
      "broken.yaml",
      "clusters:\n  - name: Bad_Name\n    kubernetes: {}\n    roles: []\n",
    );
    const result = cli(["synth", "--config", broken, "--output", "never"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^vault-k8s-auth synth: broken\.yaml has 3 problems; nothing was synthesized:\n/);
    expect(result.stderr).toContain(
      `  broken.yaml:2:11: clusters[0].name: "Bad_Name" is not a cluster name; use at most 63 lowercase letters`,
    );
    expect(existsSync(join(dir, "never"))).toBe(false);
  });

  test("fails on a private key pasted into a free-text description, without echoing it, and writes nothing", () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    const leaked = writeConfig(dir, "leaked.yaml", {
      clusters: [{ ...seed, auth: { ...seed.auth, description: key } }],
    });

    const result = cli(["synth", "--config", leaked, "--output", "leaked-out"], { cwd: dir });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^vault-k8s-auth synth: leaked\.yaml has 1 problem; nothing was synthesized:\n {2}leaked\.yaml:\d+:\d+: clusters\[0\]\.auth\.description holds a private key \(-----BEGIN \.\.\. PRIVATE KEY-----; the value is not shown\)/,
    );
    for (const line of key.trim().split("\n").slice(1, -1)) expect(result.stdout + result.stderr).not.toContain(line);
    expect(existsSync(join(dir, "leaked-out"))).toBe(false);
  });

  test("says nothing was synthesized only for synth: can, doctor and validate build nothing", () => {
    const broken = writeConfig(
      dir,
      "broken-too.yaml",
      "clusters:\n  - name: Bad_Name\n    kubernetes: {}\n    roles: []\n",
    );
    const headline = /broken-too\.yaml has \d+ problems:\n/;
    for (const argv of [
      ["can", "secret/data/x", "--role", "atlantis"],
      ["doctor", "--jwt", "-"],
    ]) {
      const result = cli([...argv, "--config", broken], { cwd: dir, stdin: projectedToken() });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(headline);
      expect(result.stderr).not.toContain("nothing was synthesized");
    }
    const validated = cli(["validate", "--config", broken], { cwd: dir });
    expect(validated.code).toBe(1);
    expect(validated.stdout).toMatch(/^FAIL broken-too\.yaml:\d+:\d+: /);
    expect(`${validated.stdout}${validated.stderr}`).not.toContain("nothing was synthesized");
  });

  test("fails on an unknown --cluster with the clusters there are, and writes nothing", () => {
    const result = cli(["synth", "--config", twoClusters, "--cluster", "othr", "--output", "never"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'vault-k8s-auth synth: --cluster "othr" is not a cluster of the config; did you mean "other"? (clusters: eks-test, other)\n',
    );
    expect(existsSync(join(dir, "never"))).toBe(false);
  });
});
