import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { parseConfigText } from "../../src/config/load";
import { Duration } from "../../src/domain/duration";
import { once } from "../once";
import { cli, scratchDir } from "./harness";

const ROOT = join(__dirname, "..", "..");
const OWN = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const CA = join(ROOT, "test", "fixtures", "test-ca.pem");
const dir = scratchDir();
writeFileSync(join(dir, "ca.pem"), readFileSync(CA));

const USAGE =
  "Usage: vault-k8s-auth init DIR --cluster NAME (--host URL --ca-file FILE | --eks-cluster NAME --eks-region REGION)\n" +
  "                           --vault-address URL [--atlantis] [--ci github] [--force] [--json]\n";

let folders = 0;
/** A fresh folder name under the scratch dir, for one init run. */
const fresh = () => `repo-${++folders}`;

const EXPLICIT = ["--cluster", "kind-dev", "--host", "https://127.0.0.1:6443", "--ca-file", "ca.pem"];
const EKS = ["--cluster", "prod", "--eks-cluster", "prod-eu", "--eks-region", "eu-west-1"];
const VAULT = ["--vault-address", "https://vault.example.com:8200"];

const init = (...args: string[]) => cli(["init", ...args], { cwd: dir });
const read = (repo: string, file: string) => readFileSync(join(dir, repo, file), "utf8");
/** Every file under a folder, relative to it, sorted. */
const tree = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();

describe("vault-k8s-auth init", () => {
  test("writes the config, pinned package.json, cdktf.json, .gitignore and README, and says what it wrote", () => {
    const repo = fresh();
    expect(init(repo, ...EXPLICIT, ...VAULT)).toEqual({
      code: 0,
      stderr: "",
      stdout:
        `wrote ${repo}/vault-k8s-auth.yaml\nwrote ${repo}/package.json\nwrote ${repo}/cdktf.json\n` +
        `wrote ${repo}/.gitignore\nwrote ${repo}/README.md\n` +
        `next: cd ${repo} && npm install && npx vault-k8s-auth validate (until vault-k8s-auth is on the npm registry, README.md there says how to install its tarball)\n`,
    });
    expect(tree(join(dir, repo))).toEqual([
      ".gitignore",
      "README.md",
      "cdktf.json",
      "package.json",
      "vault-k8s-auth.yaml",
    ]);
  });

  test("writes a config that validates, with the cluster's API, CA, a kubeconfig context, Vault and an example role", () => {
    const repo = fresh();
    init(repo, ...EXPLICIT, ...VAULT);
    const text = read(repo, "vault-k8s-auth.yaml");
    expect(text.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=./node_modules/vault-k8s-auth/vault-k8s-auth.schema.json",
    );
    const [cluster] = parseConfigText(text, "vault-k8s-auth.yaml").clusters;
    expect(cluster).toMatchObject({
      name: "kind-dev",
      kubernetes: {
        host: "https://127.0.0.1:6443",
        caCertificate: readFileSync(CA, "utf8"),
        kubeconfig: { context: "kind-dev" },
      },
      vault: { address: "https://vault.example.com:8200" },
      auth: { path: "kubernetes", reviewer: { mode: "long-lived-token" } },
      policies: [{ name: "app-read" }],
      roles: [{ name: "app", tokenPolicies: ["app-read"], audience: "vault", tokenPeriod: Duration.parse("30m") }],
    });
    expect(cluster.externalPolicies).toBeUndefined();
  });

  test("pins exactly the versions this package is built with, and the AWS provider only for EKS", () => {
    const explicit = fresh();
    const eks = fresh();
    init(explicit, ...EXPLICIT, ...VAULT);
    init(eks, ...EKS, ...VAULT);
    const pins = {
      cdktf: OWN.devDependencies.cdktf,
      constructs: OWN.devDependencies.constructs,
      "vault-k8s-auth": OWN.version,
    };
    expect(JSON.parse(read(explicit, "package.json"))).toEqual({
      name: explicit,
      private: true,
      description: "Vault Kubernetes auth for cluster kind-dev, with vault-k8s-auth",
      scripts: {
        validate: "vault-k8s-auth validate",
        synth: "vault-k8s-auth synth",
        plan: "cdktf diff",
        deploy: "cdktf deploy",
      },
      engines: { node: OWN.engines.node },
      dependencies: pins,
      devDependencies: { "cdktf-cli": OWN.devDependencies["cdktf-cli"] },
    });
    expect(JSON.parse(read(eks, "package.json")).dependencies).toEqual({
      "@cdktf/provider-aws": OWN.devDependencies["@cdktf/provider-aws"],
      ...pins,
    });
    for (const version of [...Object.values(pins), OWN.devDependencies["cdktf-cli"]]) {
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    }
    const [cluster] = parseConfigText(read(eks, "vault-k8s-auth.yaml"), "eks.yaml").clusters;
    expect(cluster.kubernetes.eks).toEqual({ clusterName: "prod-eu", region: "eu-west-1", staticToken: false });
  });

  test("writes a cdktf.json whose app runs the installed package's compiled synth, and ignores output and state", () => {
    const repo = fresh();
    init(repo, ...EXPLICIT, ...VAULT);
    expect(JSON.parse(read(repo, "cdktf.json"))).toMatchObject({
      app: "node node_modules/vault-k8s-auth/bin/vault-k8s-auth.js synth",
      context: { "@cdktf/disable_stack_trace_in_metadata": true },
    });
    const ignored = read(repo, ".gitignore").split("\n");
    expect(ignored).toEqual(
      expect.arrayContaining(["node_modules/", "cdktf.out/", ".terraform/", "*.tfstate", "*.tfstate.*"]),
    );
  });

  test("leaves out a package name npm would refuse, and takes DIR '.' as the working folder", () => {
    const upper = "Repo With Spaces";
    init(upper, ...EXPLICIT, ...VAULT);
    expect(JSON.parse(read(upper, "package.json")).name).toBeUndefined();
    const here = join(dir, fresh());
    mkdirSync(here);
    writeFileSync(join(here, "ca.pem"), readFileSync(CA));
    const result = cli(["init", ".", ...EXPLICIT, ...VAULT, "--json"], { cwd: here });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(result.stdout)).toEqual({
      dir: here,
      written: ["vault-k8s-auth.yaml", "package.json", "cdktf.json", ".gitignore", "README.md"],
    });
    expect(existsSync(join(here, "vault-k8s-auth.yaml"))).toBe(true);
  });

  test("keeps only the PEM blocks of a CA file, with Windows line ends made plain", () => {
    const pem = readFileSync(CA, "utf8");
    writeFileSync(join(dir, "openssl.pem"), `subject=CN = test\r\n${pem.replace(/\n/g, "\r\n")}trailing words\r\n`);
    const repo = fresh();
    expect(init(repo, ...EXPLICIT.slice(0, 4), "--ca-file", "openssl.pem", ...VAULT).code).toBe(0);
    const [cluster] = parseConfigText(read(repo, "vault-k8s-auth.yaml"), "x.yaml").clusters;
    expect(cluster.kubernetes.caCertificate).toBe(pem);
  });

  test("never overwrites: names every file that exists, exit 2, writes nothing; --force overwrites", () => {
    const repo = fresh();
    mkdirSync(join(dir, repo));
    writeFileSync(join(dir, repo, "package.json"), "{}\n");
    writeFileSync(join(dir, repo, "README.md"), "mine\n");
    expect(init(repo, ...EXPLICIT, ...VAULT)).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth init: ${repo}/package.json, ${repo}/README.md exist already; nothing was written: pass --force to overwrite them, or choose another DIR\n`,
    });
    expect(tree(join(dir, repo))).toEqual(["README.md", "package.json"]);
    expect(read(repo, "README.md")).toBe("mine\n");

    writeFileSync(join(dir, repo, "README.md"), "mine\n");
    expect(init(repo, ...EXPLICIT, ...VAULT, "--force").code).toBe(0);
    expect(read(repo, "README.md")).toMatch(/^# Vault Kubernetes auth for kind-dev\n/);
    expect(JSON.parse(read(repo, "package.json")).private).toBe(true);
  });

  test("names the one file that exists, in the singular", () => {
    const repo = fresh();
    mkdirSync(join(dir, repo));
    writeFileSync(join(dir, repo, "cdktf.json"), "{}\n");
    expect(init(repo, ...EXPLICIT, ...VAULT)).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth init: ${repo}/cdktf.json exists already; nothing was written: pass --force to overwrite it, or choose another DIR\n`,
    });
  });

  test("prints the written config's warnings first, at their place in the file as reached from here", () => {
    const repo = fresh();
    const result = init(repo, ...EXPLICIT, "--vault-address", "http://vault.example.com:8200");
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `warning: ${repo}/vault-k8s-auth.yaml:35:16: clusters[0].vault.address: vault.address http://vault.example.com:8200 is plain http: the deploy token and everything Terraform writes to Vault, and the pods' logins and Vault tokens, cross the network in clear. Use https unless the path is private (e.g. a port-forward, or a cluster network you trust).\n`,
    );
    expect(read(repo, "vault-k8s-auth.yaml").split("\n")[34]).toBe("      address: http://vault.example.com:8200");
  });

  test("says what it wrote into DIR '.' by the files' own names, and to cd into '.'", () => {
    const here = join(dir, fresh());
    mkdirSync(here);
    writeFileSync(join(here, "ca.pem"), readFileSync(CA));
    expect(cli(["init", ".", ...EXPLICIT, ...VAULT], { cwd: here }).stdout).toBe(
      "wrote vault-k8s-auth.yaml\nwrote package.json\nwrote cdktf.json\nwrote .gitignore\nwrote README.md\n" +
        "next: cd . && npm install && npx vault-k8s-auth validate (until vault-k8s-auth is on the npm registry, README.md there says how to install its tarball)\n",
    );
  });

  test("names a DIR outside the working folder by its absolute path", () => {
    const below = join(dir, fresh());
    mkdirSync(below);
    writeFileSync(join(below, "ca.pem"), readFileSync(CA));
    const target = join(dir, fresh());
    const { stdout } = cli(["init", `../${target.slice(dir.length + 1)}`, ...EXPLICIT, ...VAULT], { cwd: below });
    expect(stdout.split("\n").slice(0, 2)).toEqual([
      `wrote ${target}/vault-k8s-auth.yaml`,
      `wrote ${target}/package.json`,
    ]);
    expect(stdout).toContain(`next: cd ${target} && npm install`);
  });

  test("drops the spaces a copied CA carries at its lines' ends", () => {
    const pem = readFileSync(CA, "utf8");
    writeFileSync(join(dir, "spaces.pem"), pem.replace(/\n/g, "  \n"));
    const repo = fresh();
    expect(init(repo, ...EXPLICIT.slice(0, 4), "--ca-file", "spaces.pem", ...VAULT).code).toBe(0);
    const [cluster] = parseConfigText(read(repo, "vault-k8s-auth.yaml"), "x.yaml").clusters;
    expect(cluster.kubernetes.caCertificate).toBe(pem);
  });

  test("keeps every certificate of a CA bundle, one after the other", () => {
    const pem = readFileSync(CA, "utf8");
    writeFileSync(join(dir, "bundle.pem"), `${pem}${pem}`);
    const repo = fresh();
    expect(init(repo, ...EXPLICIT.slice(0, 4), "--ca-file", "bundle.pem", ...VAULT).code).toBe(0);
    const [cluster] = parseConfigText(read(repo, "vault-k8s-auth.yaml"), "x.yaml").clusters;
    expect(cluster.kubernetes.caCertificate).toBe(`${pem.trim()}\n${pem.trim()}\n`);
  });

  test("gives no package name to a folder whose name npm refuses, lowercase but for a space", () => {
    const repo = "my repo";
    expect(init(repo, ...EXPLICIT, ...VAULT).code).toBe(0);
    expect(JSON.parse(read(repo, "package.json")).name).toBeUndefined();
  });

  test("refuses a DIR that is a file", () => {
    writeFileSync(join(dir, "plain-file"), "");
    expect(init("plain-file", ...EXPLICIT, ...VAULT)).toEqual({
      code: 2,
      stdout: "",
      stderr: 'vault-k8s-auth init: DIR "plain-file" is a file; name a folder (new or existing)\n',
    });
  });

  const PEM_FIX =
    "paste the cluster CA as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- (e.g. kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)";
  writeFileSync(join(dir, "not-pem.txt"), "hello\n");
  writeFileSync(join(dir, "expired.pem"), readFileSync(join(ROOT, "test", "fixtures", "expired-ca.pem")));
  mkdirSync(join(dir, "ca-folder"));
  writeFileSync(
    join(dir, "with-key.pem"),
    `${readFileSync(CA, "utf8")}-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGSECRETSECRET\n-----END PRIVATE KEY-----\n`,
  );
  test.each<[string, string[], string | RegExp]>([
    [
      "no DIR",
      [...EXPLICIT, ...VAULT],
      "needs DIR, the folder to write the repo into, e.g. init vault-auth --cluster prod ...",
    ],
    [
      "no --cluster",
      ["x", ...EXPLICIT.slice(2), ...VAULT],
      "needs --cluster NAME: the cluster's name, which names its stack (cdktf.out/stacks/NAME)",
    ],
    [
      "a --cluster Kubernetes cannot name",
      ["x", "--cluster", "Prod_EU", ...EXPLICIT.slice(2), ...VAULT],
      `--cluster "Prod_EU" is not a cluster name; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
    ],
    [
      "no connection",
      ["x", "--cluster", "a", ...VAULT],
      "needs the cluster's API: --host URL --ca-file FILE, or --eks-cluster NAME --eks-region REGION",
    ],
    [
      "both connections",
      ["x", ...EXPLICIT, "--eks-cluster", "e", ...VAULT],
      "give either --host and --ca-file or --eks-cluster and --eks-region, not both (got --host, --ca-file, --eks-cluster)",
    ],
    [
      "--host without --ca-file",
      ["x", ...EXPLICIT.slice(0, 4), ...VAULT],
      `--host needs --ca-file FILE, the PEM CA of that API; ${PEM_FIX}`,
    ],
    [
      "--ca-file without --host",
      ["x", "--cluster", "a", "--ca-file", "ca.pem", ...VAULT],
      "--ca-file needs --host URL, the Kubernetes API as Vault reaches it",
    ],
    [
      "--eks-cluster without --eks-region",
      ["x", ...EKS.slice(0, 4), ...VAULT],
      "--eks-cluster needs --eks-region REGION, e.g. eu-west-1",
    ],
    [
      "--eks-region without --eks-cluster",
      ["x", "--cluster", "a", "--eks-region", "eu-west-1", ...VAULT],
      "--eks-region needs --eks-cluster NAME, the EKS cluster's name",
    ],
    [
      "an availability zone for a region",
      ["x", ...EKS.slice(0, 4), "--eks-region", "eu-west-1a", ...VAULT],
      `--eks-region "eu-west-1a" is an availability zone; use its region, eu-west-1`,
    ],
    [
      "a --ca-file that is not there",
      ["x", ...EXPLICIT.slice(0, 4), "--ca-file", "nope.pem", ...VAULT],
      `--ca-file nope.pem: no such file (looked in ${dir})`,
    ],
    [
      "a --ca-file without a certificate",
      ["x", ...EXPLICIT.slice(0, 4), "--ca-file", "not-pem.txt", ...VAULT],
      `--ca-file not-pem.txt holds no PEM certificate; ${PEM_FIX}`,
    ],
    [
      "a --ca-file holding a private key (never echoed)",
      ["x", ...EXPLICIT.slice(0, 4), "--ca-file", "with-key.pem", ...VAULT],
      "--ca-file with-key.pem holds a private key (-----BEGIN ... PRIVATE KEY-----; not shown), which must never be written into the config; give the CA certificate alone",
    ],
    [
      "no --vault-address",
      ["x", ...EXPLICIT],
      "needs --vault-address URL: Vault's address as Terraform reaches it, e.g. https://vault.example.com:8200",
    ],
    [
      "a --vault-address with a path",
      ["x", ...EXPLICIT, "--vault-address", "https://vault.example.com/v1"],
      /^--vault-address "https:\/\/vault\.example\.com\/v1" .+; /,
    ],
    [
      "an empty DIR",
      ["", ...EXPLICIT, ...VAULT],
      "needs DIR, the folder to write the repo into, e.g. init vault-auth --cluster prod ...",
    ],
    [
      "a --vault-address without a scheme",
      ["x", ...EXPLICIT, "--vault-address", "vault.example.com"],
      '--vault-address "vault.example.com" is not an http(s) URL; use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)',
    ],
    [
      "an --eks-cluster AWS would not take",
      ["x", "--cluster", "a", "--eks-cluster", "bad name", "--eks-region", "eu-west-1", ...VAULT],
      '--eks-cluster "bad name" holds a space, which would be written as is; remove it',
    ],
    [
      "an --eks-cluster name AWS refuses",
      ["x", "--cluster", "a", "--eks-cluster", "_bad", "--eks-region", "eu-west-1", ...VAULT],
      "--eks-cluster \"_bad\" is not an EKS cluster name; use the name `aws eks list-clusters` shows: 1 to 100 letters, digits, '-' and '_', starting with a letter or digit",
    ],
    [
      "a region name for a region code",
      ["x", "--cluster", "a", "--eks-cluster", "a", "--eks-region", "Mars", ...VAULT],
      '--eks-region "Mars" is not an AWS region; use a region code such as ap-northeast-1 or us-east-1 (not a name like Tokyo, not an availability zone like us-east-1a)',
    ],
    [
      "a --host that is not https",
      ["x", "--cluster", "a", "--host", "http://k8s", "--ca-file", "ca.pem", ...VAULT],
      '--host "http://k8s" is not an https URL; use the API server\'s https:// URL: https://kubernetes.default.svc for Vault inside the cluster, else the server of `kubectl config view --minify`',
    ],
    [
      "a --ca-file that is a folder",
      ["x", ...EXPLICIT.slice(0, 4), "--ca-file", "ca-folder", ...VAULT],
      "--ca-file ca-folder is a directory; name a PEM file",
    ],
    [
      "a --ca-file of expired certificates only",
      ["x", ...EXPLICIT.slice(0, 4), "--ca-file", "expired.pem", ...VAULT],
      "--ca-file expired.pem holds only expired certificates: CN=vault-k8s-auth-expired-test-ca (notAfter Jan  1 00:00:00 2021 GMT); TLS to the API would fail; paste the cluster's current CA",
    ],
    [
      "a CI it does not write for",
      ["x", ...EXPLICIT, ...VAULT, "--ci", "gitlab"],
      `--ci "gitlab" is not a CI this command writes for; use --ci github, or leave --ci out`,
    ],
    [
      "--config",
      ["x", ...EXPLICIT, ...VAULT, "--config", "c.yaml"],
      "takes no --config: it writes vault-k8s-auth.yaml into DIR",
    ],
    [
      "an unknown flag",
      ["x", ...EXPLICIT, ...VAULT, "--atlantic"],
      "Unknown option '--atlantic' (see vault-k8s-auth init --help)",
    ],
  ])(
    "refuses %s with the flag, the value and the fix, then the usage; exit 2, nothing written",
    (_what, args, message) => {
      const result = init(...args);
      expect(result).toEqual({ code: 2, stdout: "", stderr: expect.any(String) });
      const [line, ...usage] = result.stderr.split(/\n(?=Usage:)/);
      if (typeof message === "string") expect(line).toBe(`vault-k8s-auth init: ${message}`);
      else expect(line.replace(/^vault-k8s-auth init: /, "")).toMatch(message);
      expect(usage.join("")).toBe(USAGE);
      expect(result.stderr).not.toContain("SECRETSECRET");
      expect(existsSync(join(dir, "x"))).toBe(false);
    },
  );

  test("has a --help with every flag, an example and its exit codes", () => {
    const { code, stdout } = init("--help");
    expect(code).toBe(0);
    expect(stdout.startsWith(USAGE)).toBe(true);
    for (const flag of [
      "--cluster",
      "--host",
      "--ca-file",
      "--eks-cluster",
      "--eks-region",
      "--vault-address",
      "--atlantis",
      "--ci",
      "--force",
      "--json",
    ]) {
      expect(stdout).toMatch(new RegExp(`^ {2}${flag}\\b`, "m"));
    }
    expect(stdout).toMatch(/Example:\n {2}npx vault-k8s-auth init /);
    expect(stdout).toMatch(/\n\nExit status: 0 written; 2 [^\n]+ \(see vault-k8s-auth --help\)\.\n$/);
  });
});

describe("vault-k8s-auth init --atlantis", () => {
  const repo = fresh();
  // Run by the first test that reads the repo, not while jest collects the tests (docs/development.md).
  const result = once(() => init(repo, ...EXPLICIT, ...VAULT, "--atlantis"));
  const written = (file: string) => {
    result();
    return read(repo, file);
  };
  const examples = join(ROOT, "examples", "atlantis");

  test("copies the package's examples/atlantis unchanged: atlantis.yaml at the root, the others in atlantis/", () => {
    expect(result().code).toBe(0);
    for (const name of readdirSync(examples)) {
      const copy = name === "atlantis.yaml" ? name : `atlantis/${name}`;
      expect([copy, written(copy)]).toEqual([copy, readFileSync(join(examples, name), "utf8")]);
    }
  });

  test("says what it wrote in order: the repo's files, atlantis.yaml, atlantis/ by name, and the README last", () => {
    // A run of its own: code run for the shared result is credited to the first test that reads it.
    const own = fresh();
    const { stdout, stderr } = init(own, ...EXPLICIT, ...VAULT, "--atlantis");
    // Its config's two roles bind no audience: one warning line each.
    expect(stderr.split("\n").map((line) => line.replace(/: role .*/, ""))).toEqual([
      `warning: ${own}/vault-k8s-auth.yaml:64:15: clusters[0].roles[0].name`,
      `warning: ${own}/vault-k8s-auth.yaml:70:15: clusters[0].roles[1].name`,
      "",
    ]);
    expect(stdout.split("\n").slice(0, -2)).toEqual(
      [
        "vault-k8s-auth.yaml",
        "package.json",
        "cdktf.json",
        ".gitignore",
        "atlantis.yaml",
        "atlantis/Dockerfile",
        "atlantis/helm-values.yaml",
        "atlantis/README.md",
        "atlantis/repos.yaml",
        "README.md",
      ].map((file) => `wrote ${own}/${file}`),
    );
  });

  test("gives Atlantis's roles the deploy and plan policies as externalPolicies, on the mount the examples log in to", () => {
    const [cluster] = parseConfigText(written("vault-k8s-auth.yaml"), "atlantis.yaml").clusters;
    expect(cluster.externalPolicies).toEqual(["vault-k8s-auth-deploy", "vault-k8s-auth-plan"]);
    expect(cluster.policies).toEqual([]);
    expect(cluster.roles.map((role) => [role.name, role.tokenPolicies])).toEqual([
      ["atlantis", ["vault-k8s-auth-deploy"]],
      ["atlantis-plan", ["vault-k8s-auth-plan"]],
    ]);
  });

  test("matches the copied Atlantis files: every --role and --mount they log in with, and the Helm chart's ServiceAccount", () => {
    const [cluster] = parseConfigText(written("vault-k8s-auth.yaml"), "atlantis.yaml").clusters;
    const repos = written("atlantis/repos.yaml");
    const logins = [...repos.matchAll(/^\s+command: \S*vault-login\.sh (.*)$/gm)].map(([, args]) => args);
    expect(logins.length).toBeGreaterThan(0);
    const serviceAccount = parse(written("atlantis/helm-values.yaml")).serviceAccount.name;
    for (const args of logins) {
      const role = cluster.roles.find((candidate) => candidate.name === /--role (\S+)/.exec(args)?.[1]);
      expect({ args, role: role?.name }).toEqual({ args, role: expect.any(String) });
      expect(/--mount (\S+)/.exec(args)?.[1]).toBe(cluster.auth.path);
      expect(role?.boundServiceAccountNames).toContain(serviceAccount);
    }
  });

  test("says in the README how to write the policies and where the Atlantis files are", () => {
    const text = written("README.md");
    expect(text).toContain("`atlantis.yaml`, `atlantis/`");
    expect(text).toContain("`vault-k8s-auth-deploy` and `vault-k8s-auth-plan`");
    expect(written("vault-k8s-auth.yaml")).toContain(
      "#   vault policy write vault-k8s-auth-deploy node_modules/vault-k8s-auth/examples/deploy/vault-deploy-policy.hcl",
    );
  });
});

/** actionlint: $ACTIONLINT, else on PATH, else where .ci/run builds it (outside the repo). */
function findActionlint(): string | undefined {
  const cached = join(homedir(), ".cache", "vault-k8s-auth", "tools", "bin", "actionlint");
  for (const candidate of [process.env.ACTIONLINT, "actionlint", cached]) {
    if (candidate && spawnSync(candidate, ["-version"]).status === 0) return candidate;
  }
  return undefined;
}

describe("vault-k8s-auth init --ci github", () => {
  const repo = fresh();
  // Run by the first test that reads the repo, not while jest collects the tests (docs/development.md).
  const result = once(() => init(repo, ...EKS, ...VAULT, "--ci", "github"));
  const file = ".github/workflows/vault-k8s-auth.yml";
  // biome-ignore lint/suspicious/noExplicitAny: parsed YAML, asserted field by field below
  const job = (): any => {
    result();
    return parse(read(repo, file)).jobs.check;
  };
  const run = (name: string): string => job().steps.find((step: { name?: string }) => step.name === name).run;

  test("writes the workflow: validate, synth, terraform validate of each stack without a backend, with cached providers", () => {
    expect(result().code).toBe(0);
    expect(run("validate")).toBe("npx vault-k8s-auth validate");
    expect(run("synth")).toBe("npx vault-k8s-auth synth");
    expect(run("terraform validate")).toContain('terraform -chdir="$stack" init -backend=false -input=false');
    expect(run("terraform validate")).toContain('terraform -chdir="$stack" validate');
    const cache = job().steps.find((step: { uses?: string }) => step.uses?.startsWith("actions/cache@"));
    expect(cache.with).toEqual({
      path: "~/.terraform.d/plugin-cache",
      key: `terraform-providers-\${{ runner.os }}-\${{ hashFiles('package-lock.json') }}`,
    });
    expect(job().steps.indexOf(cache)).toBeLessThan(
      job().steps.findIndex((step: { name?: string }) => step.name === "terraform validate"),
    );
  });

  test("puts each cdk.tf.json's diff against the base branch in the job summary, on pull requests only", () => {
    const step = job().steps.find((candidate: { name?: string }) => candidate.name === "diff against the base branch");
    expect(step.if).toBe("github.event_name == 'pull_request'");
    expect(step.env).toEqual({ BASE_SHA: `\${{ github.event.pull_request.base.sha }}` });
    expect(step.run).toContain('>>"$GITHUB_STEP_SUMMARY"');
    expect(job().steps[0]).toEqual({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
  });

  const actionlint = findActionlint();
  const lint = actionlint ? test : test.skip;
  lint(
    actionlint
      ? "passes actionlint (with shellcheck on its run steps when shellcheck is installed), as do this project's own workflows"
      : "passes actionlint (skipped: actionlint is not installed; .ci/run builds it with `go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12` into ~/.cache/vault-k8s-auth/tools/bin)",
    () => {
      expect(result().code).toBe(0);
      const own = readdirSync(join(ROOT, ".github", "workflows")).map((name) =>
        join(ROOT, ".github", "workflows", name),
      );
      const linted = spawnSync(actionlint as string, ["-no-color", join(dir, repo, file), ...own], {
        encoding: "utf8",
      });
      expect({ status: linted.status, output: linted.stdout + linted.stderr }).toEqual({ status: 0, output: "" });
    },
  );
});

describe("this project's own workflows", () => {
  test.each(readdirSync(join(ROOT, ".github", "workflows")))(
    "%s says it is this project's own CI and points at init --ci github",
    (name) => {
      const text = readFileSync(join(ROOT, ".github", "workflows", name), "utf8");
      expect(text.split("\n").slice(0, 2).join(" ")).toBe(
        "# This project's own CI, for changes to vault-k8s-auth itself. A repo of your own (or a fork whose # work is its config) should use the workflow `npx vault-k8s-auth init --ci github` writes instead.",
      );
    },
  );
});
