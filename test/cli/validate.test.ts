import { generateKeyPairSync } from "node:crypto";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { cli, scratchDir, writeConfig, writeTwoClusters } from "./harness";

const dir = scratchDir();
const seed = DEFAULT_CONFIG.clusters[0];
const twoClusters = writeTwoClusters(dir);
/** Two clusters that deserve no warning: a least-privilege policy and roles bound to an audience. */
const quiet = writeConfig(dir, "quiet.yaml", {
  clusters: [0, 1].map((index) => ({
    ...seed,
    name: index === 0 ? seed.name : "other",
    kubernetes: { eks: { clusterName: index === 0 ? "eks-test" : "other", region: "ap-northeast-1" } },
    vault: { namespace: index === 0 ? undefined : "other" },
    auth: { ...seed.auth, path: index === 0 ? seed.auth?.path : "k8s/other" },
    policies: [{ name: "read", rules: [{ kvRead: { mount: "secret", path: "app" } }] }],
    roles: [{ ...seed.roles[0], tokenPolicies: ["read"], audience: "vault" }],
  })),
});
const SEED_WARNINGS = (source: string, at: string) => [
  `${source}${at}: clusters[0].policies[0].preset: policy admin grants sudo, read, create, update, delete, list, patch on every path ("*"): full control of Vault. Grant only the paths the workload reads (e.g. a kvRead rule) unless admin is intended.`,
  `${source}${at}: clusters[0].roles[0].name: role atlantis: no audience is bound, so any token of a bound ServiceAccount logs in, whatever service it was issued for (Vault 1.20+ warns about this too). Set audience (e.g. "vault") and give the pod a projected ServiceAccount token with that audience (docs/pods.md: "Bind an audience").`,
];
const broken = writeConfig(dir, "broken.yaml", "clusters:\n  - name: Bad_Name\n    kubernetes: {}\n    roles: []\n");

describe("vault-k8s-auth validate", () => {
  test("says ok with the number of clusters and roles of a valid file", () => {
    expect(cli(["validate", "--config", quiet], { cwd: dir })).toEqual({
      code: 0,
      stdout: "ok: quiet.yaml: 2 clusters, 2 roles\n",
      stderr: "",
    });
  });

  test("checks the built-in default when no file is there, as synth does, with synth's warnings", () => {
    expect(cli(["validate"], { cwd: dir })).toEqual({
      code: 0,
      stdout: `${SEED_WARNINGS("built-in default", "")
        .map((text) => `warn ${text}\n`)
        .join("")}ok: built-in default: 1 cluster, 1 role\n`,
      stderr: "",
    });
  });

  test("prints the same warnings as synth, in the same order, and --strict makes them fail, exit 1", () => {
    const synthesized = cli(["synth", "--output", "strict-out"], { cwd: dir });
    expect(synthesized.stderr).toBe(
      SEED_WARNINGS("built-in default", "")
        .map((text) => `warning: ${text}\n`)
        .join(""),
    );
    expect(cli(["validate", "--strict"], { cwd: dir })).toEqual({
      code: 1,
      stdout: `${SEED_WARNINGS("built-in default", "")
        .map((text) => `warn ${text}\n`)
        .join("")}FAIL: built-in default: 2 warnings, which --strict counts as problems\n`,
      stderr: "",
    });
    expect(JSON.parse(cli(["validate", "--strict", "--json"], { cwd: dir }).stdout)).toMatchObject({
      ok: false,
      warnings: SEED_WARNINGS("built-in default", ""),
    });
    expect(cli(["validate", "--strict", "--config", quiet], { cwd: dir })).toMatchObject({ code: 0 });
  });

  test("finds the file named by VAULT_K8S_AUTH_CONFIG, as synth does", () => {
    expect(cli(["validate"], { cwd: dir, env: { VAULT_K8S_AUTH_CONFIG: quiet } })).toEqual({
      code: 0,
      stdout: "ok: quiet.yaml: 2 clusters, 2 roles\n",
      stderr: "",
    });
    expect(cli(["validate"], { cwd: dir, env: { VAULT_K8S_AUTH_CONFIG: twoClusters } }).stdout).toMatch(
      /^warn two\.yaml:16:17: clusters\[0\]\.policies\[0\]\.preset: policy admin grants/,
    );
  });

  test("fails with one FAIL line per problem, each with file:line:col, and exit 1", () => {
    const result = cli(["validate", "--config", broken], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      "FAIL broken.yaml:2:11: clusters[0].name: \"Bad_Name\" is not a cluster name; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    );
    for (const line of lines) expect(line).toMatch(/^FAIL broken\.yaml:\d+:\d+: clusters\[0\]\./);
  });

  test("prints the verdict and the problems as JSON with --json", () => {
    const ok = cli(["validate", "--json", "--config", quiet], { cwd: dir });
    expect(ok).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(ok.stdout)).toEqual({
      ok: true,
      source: "quiet.yaml",
      clusters: 2,
      roles: 2,
      problems: [],
      warnings: [],
    });
    const refused = cli(["validate", "--json", "--config", broken], { cwd: dir });
    expect(refused).toMatchObject({ code: 1, stderr: "" });
    const failed = JSON.parse(refused.stdout);
    expect(failed.ok).toBe(false);
    expect(failed.problems).toHaveLength(3);
    expect(failed.problems[0]).toBe(
      "broken.yaml:2:11: clusters[0].name: \"Bad_Name\" is not a cluster name; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    );
  });

  test("prints the loader's warnings as warn lines before the verdict, and still exits 0", () => {
    const periodic = writeConfig(dir, "periodic.yaml", {
      clusters: [
        {
          ...seed,
          policies: [{ name: "admin", rules: [{ kvRead: { mount: "secret", path: "app" } }] }],
          roles: [{ ...seed.roles[0], tokenTtl: "1h", audience: "vault" }],
        },
      ],
    });
    const result = cli(["validate", "--config", periodic], { cwd: dir });
    expect(result.code).toBe(0);
    const [warning, verdict] = result.stdout.trimEnd().split("\n");
    expect(warning).toMatch(
      /^warn periodic\.yaml:\d+:\d+: clusters\[0\]\.roles\[0\]\.tokenTtl: "1h" has no effect next to tokenPeriod/,
    );
    expect(verdict).toBe("ok: periodic.yaml: 1 cluster, 1 role");
    expect(JSON.parse(cli(["validate", "--json", "--config", periodic], { cwd: dir }).stdout).warnings).toHaveLength(1);
  });

  test("fails with exit 2 when --config names no file", () => {
    const result = cli(["validate", "--config", "nope.yaml"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`vault-k8s-auth validate: --config nope.yaml: no such file (looked in ${dir})\n`);
    expect(result.stdout).toBe("");
  });

  test("fails with exit 2 when --config names a directory, naming the path once as given", () => {
    mkdirSync(join(dir, "configs"), { recursive: true });
    expect(cli(["validate", "--config", "configs"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth validate: --config configs is a directory; name a YAML or JSON file\n",
    });
    const outside = tmpdir();
    expect(cli(["validate", "--config", outside], { cwd: dir }).stderr).toBe(
      `vault-k8s-auth validate: --config ${outside} is a directory; name a YAML or JSON file\n`,
    );
  });

  test("fails with exit 2 when VAULT_K8S_AUTH_CONFIG names a directory or no file, as --config does", () => {
    mkdirSync(join(dir, "configs"), { recursive: true });
    expect(cli(["validate"], { cwd: dir, env: { VAULT_K8S_AUTH_CONFIG: "configs" } })).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth validate: VAULT_K8S_AUTH_CONFIG=configs is a directory; name a YAML or JSON file\n",
    });
    const missing = cli(["validate"], { cwd: dir, env: { VAULT_K8S_AUTH_CONFIG: "nope.yaml" } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `vault-k8s-auth validate: VAULT_K8S_AUTH_CONFIG=nope.yaml: no such file (looked in ${dir})\n`,
    );
  });

  test("fails with exit 2 on a blank VAULT_K8S_AUTH_CONFIG, a file it cannot read, in the library loader's words", () => {
    for (const blank of ["", "  "]) {
      expect(cli(["validate"], { cwd: dir, env: { VAULT_K8S_AUTH_CONFIG: blank } })).toEqual({
        code: 2,
        stdout: "",
        stderr:
          "vault-k8s-auth validate: VAULT_K8S_AUTH_CONFIG is set but empty; unset it or name a YAML or JSON file\n",
      });
    }
  });

  test("reads --config over VAULT_K8S_AUTH_CONFIG, even a blank one", () => {
    expect(cli(["validate", "--config", quiet], { cwd: dir, env: { VAULT_K8S_AUTH_CONFIG: " " } })).toEqual({
      code: 0,
      stdout: "ok: quiet.yaml: 2 clusters, 2 roles\n",
      stderr: "",
    });
  });

  test("reads VAULT_K8S_AUTH_CONFIG as the path it is, spaces and all, as the library's loadConfig does", () => {
    expect(cli(["validate"], { cwd: dir, env: { VAULT_K8S_AUTH_CONFIG: ` ${quiet}` } })).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth validate: VAULT_K8S_AUTH_CONFIG= ${quiet}: no such file (looked in ${dir})\n`,
    });
  });

  test("names a file outside the working folder by its absolute path", () => {
    mkdirSync(join(dir, "below"), { recursive: true });
    expect(cli(["validate", "--config", `../${quiet}`], { cwd: join(dir, "below") })).toEqual({
      code: 0,
      stdout: `ok: ${join(dir, quiet)}: 2 clusters, 2 roles\n`,
      stderr: "",
    });
  });

  test("fails with exit 2 when --config names a device rather than a regular file", () => {
    expect(cli(["validate", "--config", "/dev/null"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth validate: --config /dev/null is not a regular file; name a YAML or JSON file\n",
    });
  });
});

describe("vault-k8s-auth validate --config pointed at a key file", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const keys: [string, string][] = [
    [
      "a PKCS#8 key",
      generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    ],
    ["an RSA (PKCS#1) key", rsa.privateKey.export({ type: "pkcs1", format: "pem" }).toString()],
    [
      "an encrypted PKCS#8 key",
      rsa.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "x" }).toString(),
    ],
  ];

  test.each(keys)("fails on %s without printing any of it, in text or --json", (_what, key) => {
    writeConfig(dir, "ca.key", key);
    for (const json of [[], ["--json"]]) {
      const result = cli(["validate", ...json, "--config", "ca.key"], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain(
        "the file must be a mapping with a clusters list at the top, but holds a PEM private key (not shown)",
      );
      for (const line of key.trim().split("\n").slice(1, -1)) expect(result.stdout + result.stderr).not.toContain(line);
    }
  });

  test("shows only the first 40 characters of other text where the mapping should be", () => {
    writeConfig(dir, "token.txt", `${"a".repeat(100)}\n`);
    const result = cli(["validate", "--config", "token.txt"], { cwd: dir });
    expect(result).toMatchObject({ code: 1, stderr: "" });
    expect(result.stdout).toContain(`but holds "${"a".repeat(36)}...`);
    expect(result.stdout).not.toContain("a".repeat(37));
  });
});
