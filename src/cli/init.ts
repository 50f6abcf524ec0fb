import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { checkConfigText } from "../config/load";
import { readUserFile } from "../config/read-file";
import { type RuleName, refusal, rules, show, ValidationError } from "../domain/validation";
import { holdsPrivateKey, readCertificateBundle } from "../formats/pem";
import { type Command, type Invocation, stringFlag } from "./command";
import {
  cdktfJson,
  configFile,
  gitignore,
  type InitAnswers,
  type InitConnection,
  type InitPins,
  packageJson,
  readme,
  WORKFLOW_FILE,
  workflow,
} from "./init-files";
import type { Io } from "./io";
import { packageRoot } from "./package-root";
import { UsageError } from "./usage-error";

const USAGE =
  "Usage: vault-k8s-auth init DIR --cluster NAME (--host URL --ca-file FILE | --eks-cluster NAME --eks-region REGION)\n" +
  "                           --vault-address URL [--atlantis] [--ci github] [--force] [--json]";

/**
 * `vault-k8s-auth init`: a repo of the team's own, which depends on this package instead of
 * forking it. Checks every flag first, then the config it would write (as validate does), then
 * that it overwrites nothing; only then writes. Never loads cdktf.
 */
export const init: Command = {
  name: "init",
  summary: "write a repo of your own: the config, exact pins, cdktf.json, a CI job",
  usage: USAGE,
  help: `${USAGE}

Writes a ready repo into DIR (created if missing) that depends on vault-k8s-auth instead of
forking it: vault-k8s-auth.yaml (commented, checked as validate checks it, its $schema line
pointing at the installed package's schema), package.json (exact pins of vault-k8s-auth, cdktf,
constructs and cdktf-cli, and @cdktf/provider-aws for EKS), cdktf.json (its app runs this package's
compiled synth), .gitignore (node_modules, cdktf.out, .terraform, state files) and a short
README.md. It never overwrites a file: one that exists is named and nothing is written, unless
--force.

Flags:
  --cluster NAME         the cluster's name: its stack (cdktf.out/stacks/NAME) and its state
  --host URL             the Kubernetes API as Vault reaches it, with
  --ca-file FILE         the PEM CA of that API (e.g. kubectl config view --raw --minify
                         -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)
  --eks-cluster NAME     or an EKS cluster, by name, with
  --eks-region REGION    its region (endpoint and CA come from EKS)
  --vault-address URL    Vault's address, e.g. https://vault.example.com:8200
  --atlantis             roles for Atlantis (apply and a read-only plan, naming the deploy and
                         plan policies as externalPolicies), and the Atlantis files of this package's
                         examples/atlantis: atlantis.yaml at the root, the others in atlantis/
  --ci github            .github/workflows/vault-k8s-auth.yml: on every pull request validate,
                         synth, terraform validate of each stack (no backend, providers cached),
                         and each cdk.tf.json's diff against the base branch in the job summary
  --force                overwrite files that exist
  --json                 print {"dir": str, "written": [str]} (paths relative to DIR)
  -h, --help             this help

Example:
  npx vault-k8s-auth init vault-auth --cluster prod --eks-cluster prod --eks-region eu-west-1 \\
    --vault-address https://vault.example.com:8200 --ci github
  cd vault-auth && npm install && npx vault-k8s-auth validate`,
  exit: { 0: "written", 2: "bad usage, a bad flag value or a file that exists (nothing written)" },
  options: {
    host: { type: "string" },
    "ca-file": { type: "string" },
    "eks-cluster": { type: "string" },
    "eks-region": { type: "string" },
    "vault-address": { type: "string" },
    atlantis: { type: "boolean", default: false },
    ci: { type: "string" },
    force: { type: "boolean", default: false },
  },
  maxPositionals: 1,
  run(invocation, io) {
    const answers = answersOf(invocation, io);
    const dir = resolve(io.cwd, invocation.positionals[0] as string);
    const files = filesFor(answers, ownPins());
    // The config is checked as validate checks it: the flags' rules passed, so a problem here is a bug.
    // Its warnings name the file as the user reaches it from here, as the "wrote" lines do.
    const checked = checkWritten(files["vault-k8s-auth.yaml"], shown(io, join(dir, "vault-k8s-auth.yaml")));

    const kind = statSync(dir, { throwIfNoEntry: false });
    if (kind && !kind.isDirectory()) {
      throw new ValidationError(`DIR ${show(invocation.positionals[0])} is a file; name a folder (new or existing)`);
    }
    const paths = Object.keys(files);
    const existing = paths.filter((path) => existsSync(join(dir, path)));
    if (existing.length > 0 && invocation.values.force !== true) {
      const named = existing.map((path) => shown(io, join(dir, path)));
      // Exit 2 as a usage error, but without the usage lines: the flags were right.
      throw new ValidationError(
        `${named.join(", ")} ${existing.length === 1 ? "exists" : "exist"} already; nothing was written: ` +
          `pass --force to overwrite ${existing.length === 1 ? "it" : "them"}, or choose another DIR`,
      );
    }
    for (const path of paths) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), files[path]);
    }

    if (invocation.values.json === true) {
      io.out(`${JSON.stringify({ dir, written: paths })}\n`);
    } else {
      io.err(checked.map((warning) => `warning: ${warning}\n`).join(""));
      io.out(paths.map((path) => `wrote ${shown(io, join(dir, path))}\n`).join(""));
      const into = shown(io, dir);
      io.out(
        `next: cd ${into === "" ? "." : into} && npm install && npx vault-k8s-auth validate (until vault-k8s-auth is on the npm registry, README.md there says how to install its tarball)\n`,
      );
    }
    return 0;
  },
};

/** The flags, each checked with the rule the config holds it to, named as a flag. */
function answersOf(invocation: Invocation, io: Io): InitAnswers {
  const { values, positionals } = invocation;
  if (values.config !== undefined) {
    throw new UsageError("takes no --config: it writes vault-k8s-auth.yaml into DIR");
  }
  if (positionals[0] === undefined || positionals[0] === "") {
    throw new UsageError("needs DIR, the folder to write the repo into, e.g. init vault-auth --cluster prod ...");
  }
  const flag = (name: string) => stringFlag(invocation, name);
  const required = (name: string, what: string) => {
    const value = flag(name);
    if (value === undefined) throw new UsageError(`needs --${name} ${what}`);
    return value;
  };
  const cluster = ruled(
    "cluster",
    required("cluster", "NAME: the cluster's name, which names its stack (cdktf.out/stacks/NAME)"),
    "dns1123Label",
    "a cluster name",
  );
  const connection = connectionOf(invocation, io);
  const vaultAddress = ruled(
    "vault-address",
    required("vault-address", "URL: Vault's address as Terraform reaches it, e.g. https://vault.example.com:8200"),
    "vaultAddress",
    "an http(s) URL",
  );
  const ci = flag("ci");
  if (ci !== undefined && ci !== "github") {
    throw new UsageError(`--ci ${show(ci)} is not a CI this command writes for; use --ci github, or leave --ci out`);
  }
  const folder = basename(resolve(io.cwd, positionals[0]));
  return {
    cluster,
    connection,
    vaultAddress,
    atlantis: values.atlantis === true,
    ci,
    packageName: /^[a-z0-9][a-z0-9._-]{0,213}$/.test(folder) ? folder : undefined,
  };
}

function connectionOf(invocation: Invocation, io: Io): InitConnection {
  const flag = (name: string) => stringFlag(invocation, name);
  const explicit = ["host", "ca-file"].filter((name) => flag(name) !== undefined);
  const eks = ["eks-cluster", "eks-region"].filter((name) => flag(name) !== undefined);
  if (explicit.length > 0 && eks.length > 0) {
    throw new UsageError(
      `give either --host and --ca-file or --eks-cluster and --eks-region, not both (got ${[...explicit, ...eks].map((name) => `--${name}`).join(", ")})`,
    );
  }
  if (eks.length > 0) {
    const clusterName = flag("eks-cluster");
    const region = flag("eks-region");
    if (clusterName === undefined)
      throw new UsageError("--eks-region needs --eks-cluster NAME, the EKS cluster's name");
    if (region === undefined) throw new UsageError("--eks-cluster needs --eks-region REGION, e.g. eu-west-1");
    return {
      kind: "eks",
      clusterName: ruled("eks-cluster", clusterName, "eksClusterName", "an EKS cluster name"),
      region: ruled("eks-region", region, "awsRegion", "an AWS region"),
    };
  }
  const host = flag("host");
  const caFile = flag("ca-file");
  if (host === undefined && caFile === undefined) {
    throw new UsageError(
      "needs the cluster's API: --host URL --ca-file FILE, or --eks-cluster NAME --eks-region REGION",
    );
  }
  if (caFile === undefined) {
    throw new UsageError(`--host needs --ca-file FILE, the PEM CA of that API; ${rules.pemCertificate.fix}`);
  }
  if (host === undefined) throw new UsageError("--ca-file needs --host URL, the Kubernetes API as Vault reaches it");
  return {
    kind: "explicit",
    host: ruled("host", host, "kubernetesHost", "an https URL"),
    caCertificate: caCertificateOf(caFile, io),
  };
}

/** `value` when `rule` takes it, else a usage error naming the flag, the value and the fix. */
function ruled(name: string, value: string, rule: RuleName, what: string): string {
  const why = refusal(rule, value, what);
  if (why !== undefined) throw new UsageError(`--${name} ${why}`);
  return value;
}

/** The CA file's PEM text, checked as caCertificate is; a private key in it is never echoed. */
function caCertificateOf(caFile: string, io: Io): string {
  const refuse = (reason: string) => new UsageError(`--ca-file ${caFile} ${reason}`);
  const bytes = readUserFile(resolve(io.cwd, caFile), "a PEM file", refuse);
  if (bytes === undefined) throw new UsageError(`--ca-file ${caFile}: no such file (looked in ${io.cwd})`);
  const text = bytes.toString("utf8").replace(/\r\n/g, "\n");
  if (holdsPrivateKey(text)) {
    throw refuse(
      "holds a private key (-----BEGIN ... PRIVATE KEY-----; not shown), which must never be written into the config; give the CA certificate alone",
    );
  }
  if (!rules.pemCertificate.pattern.test(text)) {
    throw refuse(`holds no PEM certificate; ${rules.pemCertificate.fix}`);
  }
  const { problem } = readCertificateBundle(text);
  if (problem !== undefined) throw refuse(problem);
  // Only the PEM blocks: text around them (openssl's "subject=" lines) has no place in the config.
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return `${blocks.join("\n")}\n`;
}

/** The pins of this package's own package.json: the versions it is built and tested with. */
function ownPins(): InitPins {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as {
    version: string;
    engines: { node: string };
    devDependencies: Record<string, string>;
  };
  const pinned = (name: string) => {
    const version = manifest.devDependencies[name];
    if (!/^\d+\.\d+\.\d+$/.test(version ?? "")) throw new Error(`package.json pins no exact ${name}`);
    return version;
  };
  return {
    self: manifest.version,
    cdktf: pinned("cdktf"),
    constructs: pinned("constructs"),
    cdktfCli: pinned("cdktf-cli"),
    providerAws: pinned("@cdktf/provider-aws"),
    node: manifest.engines.node,
  };
}

/** Every file to write, by its path in DIR, in the order they are listed. */
function filesFor(answers: InitAnswers, pins: InitPins): Record<string, string> {
  const files: Record<string, string> = {
    "vault-k8s-auth.yaml": configFile(answers, pins),
    "package.json": packageJson(answers, pins),
    "cdktf.json": cdktfJson(),
    ".gitignore": gitignore(),
  };
  if (answers.ci === "github") files[WORKFLOW_FILE] = workflow(pins);
  if (answers.atlantis) Object.assign(files, atlantisFiles());
  files["README.md"] = readme(answers, pins);
  return files;
}

/**
 * The package's examples/atlantis as they are: atlantis.yaml at the root (where Atlantis reads
 * it), the server-side files beside it in atlantis/.
 */
function atlantisFiles(): Record<string, string> {
  const examples = join(packageRoot(), "examples", "atlantis");
  const names = readdirSync(examples, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort((a, b) => Number(b === "atlantis.yaml") - Number(a === "atlantis.yaml") || a.localeCompare(b));
  return Object.fromEntries(
    names.map((name) => [
      name === "atlantis.yaml" ? name : `atlantis/${name}`,
      readFileSync(join(examples, name), "utf8"),
    ]),
  );
}

/** The written config's warnings, the file named `name`; a problem in it is a bug of init's, not the user's. */
function checkWritten(text: string, name: string): string[] {
  try {
    return checkConfigText(text, name).warnings.map((warning) => warning.text);
  } catch (error) {
    if (error instanceof ValidationError)
      throw new Error(`init wrote a config that does not validate:\n${error.message}`);
    throw error;
  }
}

/** A path as the user would type it from their working directory. */
function shown(io: Io, path: string): string {
  const inside = relative(io.cwd, path);
  return inside.startsWith("..") ? path : inside;
}
