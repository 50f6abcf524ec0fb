import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { installConsumer, type Packed, pack, ROOT } from "./consumer-project";
import { describeScaffold } from "./scaffold";

const run = promisify(execFile);
const README = readFileSync(join(ROOT, "docs", "library.md"), "utf8");

/** The library guide's (docs/library.md) code block marked `<!-- test:package NAME -->`. */
function readmeExample(name: string): string {
  const block = new RegExp(
    `<!-- test:package ${name.replace(".", "\\.")} -->\\n\`\`\`[a-z]+\\n([\\s\\S]*?)\`\`\``,
  ).exec(README);
  if (!block) throw new Error(`docs/library.md has no block marked <!-- test:package ${name} -->`);
  return block[1];
}

/** `cdktf init --template typescript`'s tsconfig.json (packages/@cdktf/cli-core/templates/typescript). */
const CDKTF_TEMPLATE_TSCONFIG = {
  compilerOptions: {
    alwaysStrict: true,
    declaration: true,
    experimentalDecorators: true,
    inlineSourceMap: true,
    inlineSources: true,
    lib: ["es2018"],
    module: "CommonJS",
    noEmitOnError: true,
    noFallthroughCasesInSwitch: true,
    noImplicitAny: true,
    noImplicitReturns: true,
    noImplicitThis: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    resolveJsonModule: true,
    strict: true,
    strictNullChecks: true,
    strictPropertyInitialization: true,
    stripInternal: true,
    target: "ES2018",
    incremental: true,
    skipLibCheck: true,
  },
  include: ["**/*.ts"],
  exclude: ["node_modules", "cdktf.out"],
};

const EXPLICIT_CLUSTER = `clusters:
  - name: kind-dev
    kubernetes:
      host: https://kubernetes.default.svc
      kubeconfig: { context: kind-dev }
    auth:
      reviewer: { mode: vault-pod }
    policies:
      - name: dev-read
        rules:
          - kvRead: { mount: secret, path: dev/* }
    roles:
      - name: dev
        boundServiceAccountNames: [app]
        boundServiceAccountNamespaces: [dev]
        tokenPolicies: [dev-read]
        audience: vault
`;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in `cwd`, never throwing: the exit code is part of what is tested. */
async function inProject(cwd: string, command: string, args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env },
    });
    return { code: 0, stdout, stderr } as Result;
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr } as Result;
  }
}

function stackJson(project: string, stack: string) {
  return JSON.parse(readFileSync(join(project, "cdktf.out", "stacks", stack, "cdk.tf.json"), "utf8"));
}

const scratch = mkdtempSync(join(tmpdir(), "vka-package-"));
const project = join(scratch, "consumer");
let packed: Packed;

interface Ran {
  readonly dir: string;
  readonly result: Result;
}

/** A folder of the consumer project holding `files`, and `command` run there. */
async function app(name: string, files: Record<string, string>, command: string, args: string[]): Promise<Ran> {
  const dir = join(project, name);
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return { dir, result: await inProject(dir, command, args) };
}

/** Every run in the installed project, started together once it is installed; each test awaits its own. */
let runs: ReturnType<typeof startRuns>;

function startRuns() {
  const bin = (name: string) => join(project, "node_modules", ".bin", name);
  // This repo's tsx, by path: what it resolves (vault-k8s-auth, cdktf) comes from the consumer's node_modules.
  const tsx = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
  const nodenextConfig = {
    compilerOptions: {
      module: "nodenext",
      target: "es2022",
      strict: true,
      types: ["node"],
      skipLibCheck: true,
      outDir: ".",
    },
    files: ["app.mts", "typo.mts"],
  };
  const eksConfig = EXPLICIT_CLUSTER.replace(
    /kubernetes:\n(.*\n){2}/,
    "kubernetes:\n      eks: { clusterName: prod-eu, region: eu-west-1 }\n",
  );
  return {
    esm: app(
      "esm-app",
      { "app.mjs": readmeExample("app.mjs"), "vault-k8s-auth.yaml": EXPLICIT_CLUSTER },
      process.execPath,
      ["app.mjs"],
    ),
    binHelp: app("bin-help", {}, bin("vault-k8s-auth"), ["--help"]),
    // The HCL parser is a runtime dependency the bundle loads from the installed package's node_modules.
    binPolicyFile: app(
      "bin-policy-file",
      { "deploy.hcl": 'path "secret/data/apps/*" {\n  capabilities = ["read", "list"]\n}\n' },
      bin("vault-k8s-auth"),
      ["can", "secret/data/apps/web", "--policy-file", "deploy=deploy.hcl", "--no-default-policy"],
    ),
    binSynth: app("bin-synth", { "vault-k8s-auth.yaml": EXPLICIT_CLUSTER }, bin("vault-k8s-auth"), ["synth"]),
    binEks: app("bin-eks", { "vault-k8s-auth.yaml": eksConfig }, bin("vault-k8s-auth"), ["synth"]),
    deepCjs: app("deep-cjs", {}, process.execPath, ["-e", 'require("vault-k8s-auth/dist/constructs")']),
    deepEsm: app("deep-esm", {}, process.execPath, [
      "--input-type=module",
      "-e",
      'await import("vault-k8s-auth/dist/stacks/vault-k8s-auth-stack.js")',
    ]),
    tsNode: app(
      "ts-node-app",
      { "tsconfig.json": JSON.stringify(CDKTF_TEMPLATE_TSCONFIG), "main.ts": readmeExample("main.ts") },
      bin("ts-node"),
      ["main.ts"],
    ),
    tsx: app("tsx-app", { "main.ts": readmeExample("main.ts") }, process.execPath, ["--import", tsx, "main.ts"]),
    // The template's tsconfig with exactOptionalPropertyTypes, which stricter projects turn on.
    exactOptional: app(
      "exact-optional-app",
      {
        "tsconfig.json": JSON.stringify({
          ...CDKTF_TEMPLATE_TSCONFIG,
          compilerOptions: {
            ...CDKTF_TEMPLATE_TSCONFIG.compilerOptions,
            exactOptionalPropertyTypes: true,
            noEmit: true,
          },
        }),
        "main.ts": readmeExample("main.ts"),
      },
      bin("tsc"),
      ["-p", "."],
    ),
    // With nodenext, types come through package.json "exports" (the "types" condition), not "types".
    // One compiler run for both files; tsc still writes app.mjs next to the errors.
    nodenext: app(
      "nodenext-app",
      {
        "tsconfig.json": JSON.stringify(nodenextConfig),
        "vault-k8s-auth.yaml": EXPLICIT_CLUSTER,
        "app.mts": readmeExample("app.mjs"),
        "typo.mts": readmeExample("main.ts")
          .replace("boundServiceAccountNames:", "boundServiceAccountName:")
          // As the README says for ES modules: the provider package has no "exports", so Node wants the file.
          .replace('"@cdktf/provider-vault/lib/provider"', '"@cdktf/provider-vault/lib/provider/index.js"'),
      },
      bin("tsc"),
      ["-p", "."],
    ).then(async ({ dir, result: compiled }) => ({
      dir,
      compiled,
      result: await inProject(dir, process.execPath, ["app.mjs"]),
    })),
  };
}

beforeAll(async () => {
  const started = Date.now();
  mkdirSync(join(scratch, "pack"));
  packed = await pack(join(scratch, "pack"));
  await installConsumer(project, packed, [
    "cdktf",
    "constructs",
    "@cdktf/provider-vault",
    "ts-node",
    "typescript",
    "@types/node",
  ]);
  runs = startRuns();
  process.stdout.write(
    `vault-k8s-auth tarball: ${(packed.size / 1024).toFixed(1)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(1)} KiB ` +
      `unpacked, ${packed.files.length} files; packed and installed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

jest.setTimeout(60_000);

describe("the package as a user installs it", () => {
  test("ships compiled JavaScript with declarations, the JSON Schema, the pod scripts, the Atlantis and deploy examples and the changelog, and no sources, tests or benchmarks", () => {
    expect(packed.files).toEqual(
      expect.arrayContaining([
        "bin/vault-k8s-auth.js",
        "dist/cli/main.js",
        "dist/index.js",
        "dist/index.d.ts",
        "vault-k8s-auth.schema.json",
        "scripts/vault-login.sh",
        "scripts/vault-read-secret.sh",
        "CHANGELOG.md",
        "LICENSE",
        "README.md",
        "package.json",
        "examples/atlantis/atlantis.yaml",
        "examples/deploy/vault-deploy-policy.hcl",
        "examples/deploy/vault-plan-policy.hcl",
      ]),
    );
    const unexpected = packed.files.filter(
      (file) =>
        !/^dist\/.+\.(js|d\.ts)$/.test(file) &&
        !/^examples\/(atlantis|deploy)\/([^/]+\.(md|yaml|hcl)|Dockerfile)$/.test(file) &&
        !/^docs\/[^/]+\.md$/.test(file) &&
        !["vault-k8s-auth.schema.json", "scripts/vault-login.sh", "scripts/vault-read-secret.sh"].includes(file) &&
        !["bin/vault-k8s-auth.js", "CHANGELOG.md", "LICENSE", "README.md", "package.json"].includes(file),
    );
    expect(unexpected).toEqual([]);
  });

  test("installs without @cdktf/provider-aws, which only an EKS cluster needs, and declares nothing that needs it", () => {
    const installed = join(project, "node_modules", "vault-k8s-auth");
    expect(existsSync(join(installed, "dist", "index.js"))).toBe(true);
    expect(existsSync(join(project, "node_modules", "@cdktf", "provider-aws"))).toBe(false);
    // A .d.ts naming the AWS provider breaks every consumer that type-checks libraries (no skipLibCheck).
    const declarations = packed.files.filter((file) => file.endsWith(".d.ts"));
    expect(declarations.length).toBeGreaterThan(10);
    const naming = declarations.filter((file) => readFileSync(join(installed, file), "utf8").includes("provider-aws"));
    expect(naming).toEqual([]);
  });

  test("type-checks and runs the README's constructs example under ts-node with the cdktf template's tsconfig", async () => {
    const { dir, result } = await runs.tsNode;

    expect(result).toMatchObject({ code: 0, stderr: "" });
    const json = stackJson(dir, "kind-dev");
    expect(Object.values(json.resource.vault_auth_backend)).toEqual([
      expect.objectContaining({ type: "kubernetes", path: "kubernetes" }),
    ]);
    expect(Object.values(json.resource.vault_kubernetes_auth_backend_role)).toEqual([
      expect.objectContaining({ role_name: "atlantis", audience: "vault", token_period: 1800 }),
    ]);
    expect(Object.keys(json.provider).sort()).toEqual(["kubernetes", "vault"]);
  });

  test("type-checks the README's constructs example under exactOptionalPropertyTypes", async () => {
    const { result } = await runs.exactOptional;

    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  test("runs the README's config example as an ES module with named imports", async () => {
    const { dir, result } = await runs.esm;

    expect(result).toMatchObject({ code: 0, stderr: "" });
    const json = stackJson(dir, "kind-dev");
    expect(Object.values(json.resource.vault_kubernetes_auth_backend_role)).toEqual([
      expect.objectContaining({ role_name: "dev", bound_service_account_namespaces: ["dev"] }),
    ]);
    expect(json.data?.aws_eks_cluster).toBeUndefined();
  });

  test("runs the README's constructs example under tsx, which strips types without checking them", async () => {
    const { dir, result } = await runs.tsx;

    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(Object.keys(stackJson(dir, "kind-dev").resource.vault_kubernetes_auth_backend_role)).toHaveLength(1);
  });

  test("compiles the README's examples as TypeScript ESM with Node's own module resolution: a wrong prop fails, the config example runs", async () => {
    const { dir, compiled, result } = await runs.nodenext;

    expect(compiled.code).toBe(2);
    expect(compiled.stdout.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^typo\.mts\(\d+,\d+\): error TS2561: .*'boundServiceAccountName' does not exist in type/),
    ]);

    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(Object.values(stackJson(dir, "kind-dev").resource.vault_auth_backend)).toEqual([
      expect.objectContaining({ path: "kubernetes" }),
    ]);
  });

  test("runs the bin from compiled JavaScript: --help lists the commands", async () => {
    const { result } = await runs.binHelp;

    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^Usage: vault-k8s-auth <command>/);
    for (const command of ["can", "doctor", "init", "synth", "validate"]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    }
    // No tsx in a user's project: the bin can only have run dist/.
    expect(existsSync(join(project, "node_modules", "tsx"))).toBe(false);
  });

  test("reads a policy's HCL with the bin (can --policy-file): the parser is installed with the package", async () => {
    const { result } = await runs.binPolicyFile;

    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "ok: list, read on secret/data/apps/web (as sys/capabilities-self reports it)\n" +
        'rule: "secret/data/apps/*" (prefix) decides: list, read, merged from every policy that has it\n' +
        '  deploy  "secret/data/apps/*": list, read\n',
    });
  });

  test("synthesizes the user's own vault-k8s-auth.yaml with the bin, without a main.ts", async () => {
    const { dir, result } = await runs.binSynth;

    expect(result).toMatchObject({ code: 0, stdout: "ok: kind-dev: cdktf.out/stacks/kind-dev/cdk.tf.json\n" });
    expect(Object.values(stackJson(dir, "kind-dev").resource.vault_policy)).toEqual([
      expect.objectContaining({ name: "dev-read" }),
    ]);
  });

  test("refuses an EKS cluster without the AWS provider, naming the package to install, and writes nothing", async () => {
    const { dir, result } = await runs.binEks;

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "vault-k8s-auth synth: an EKS cluster needs the AWS provider, which is an optional peer dependency of " +
        'vault-k8s-auth and is not installed: run npm install @cdktf/provider-aws@"^21.22.1", or connect to the ' +
        "cluster with an explicit host and kubeconfig instead of eks\n",
    );
    expect(existsSync(join(dir, "cdktf.out"))).toBe(false);
  });

  test("refuses deep imports from CommonJS and ESM: only the package root is public", async () => {
    for (const { result } of await Promise.all([runs.deepCjs, runs.deepEsm])) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED");
    }
  });
});

describeScaffold(() => ({ packed, consumerBin: join(project, "node_modules", ".bin", "vault-k8s-auth"), scratch }));
