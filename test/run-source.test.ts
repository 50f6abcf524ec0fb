import { execFile } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * bin/run-source.js runs main.ts and the CLI's source bundled, and bundles again whenever a file
 * that went into the bundle changed: never a stale build, never a build step to remember.
 */
const run = promisify(execFile);
const ROOT = join(__dirname, "..");
const scratch = mkdtempSync(join(tmpdir(), "vka-run-source-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
jest.setTimeout(120_000);

/** A copy of the project with its own bundle cache; returns its folder and cache. */
function projectCopy(name: string): { dir: string; cache: string } {
  const dir = join(scratch, name);
  mkdirSync(dir);
  for (const entry of ["main.ts", "src", "bin", "cdktf.json", "package.json", "tsconfig.json"]) {
    cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return { dir, cache: join(dir, ".bundles") };
}

const cli = (dir: string, cache: string, ...args: string[]) =>
  run(process.execPath, [join(dir, "bin", "vault-k8s-auth.js"), ...args], {
    cwd: dir,
    env: { ...process.env, VAULT_K8S_AUTH_CACHE: cache, VAULT_K8S_AUTH_DEBUG: "" },
  });

const bundles = (cache: string) => readdirSync(cache).filter((file) => file.endsWith(".js"));

test("bundles the CLI on first use, reuses the bundle, and bundles again after a source file changes", async () => {
  const { dir, cache } = projectCopy("edits");
  expect((await cli(dir, cache, "version")).stdout).toMatch(/^vault-k8s-auth \d+\.\d+\.\d+/);
  const [bundle] = bundles(cache);
  expect(bundle).toMatch(/^src-cli-main-ts\.[0-9a-f]{12}\.v1\.js$/);
  // A marker in the bundle shows whether the next run used it or made a new one.
  writeFileSync(join(cache, bundle), `process.stdout.write("from the cached bundle\\n"); exports.run = () => {};`);
  const later = new Date(Date.now() - 60_000);
  utimesSync(join(cache, bundle), new Date(), new Date());
  expect((await cli(dir, cache, "version")).stdout).toBe("from the cached bundle\n");

  // An edit to a file the CLI imports: the next run bundles the new source.
  const version = join(dir, "src", "cli", "version.ts");
  writeFileSync(version, readFileSync(version, "utf8").replace("`vault-k8s-auth $", "`edited $"));
  utimesSync(join(cache, bundle), later, later);
  expect((await cli(dir, cache, "version")).stdout).toMatch(/^edited \d+\.\d+\.\d+\n$/);
  expect(readFileSync(join(cache, bundle), "utf8")).toContain("edited ");
});

test("runs main.ts as cdktf.json's app and bundles the same way", async () => {
  const { dir, cache } = projectCopy("app");
  const app = await run(process.execPath, [join(dir, "bin", "run-source.js"), "main.ts"], {
    cwd: dir,
    env: { ...process.env, VAULT_K8S_AUTH_CACHE: cache, CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" },
  });
  expect(app).toEqual({ stdout: "", stderr: "" });
  expect(readdirSync(join(dir, "cdktf.out", "stacks"))).toEqual(["eks-test"]);
  expect(bundles(cache)).toEqual([expect.stringMatching(/^main-ts\.[0-9a-f]{12}\.v1\.js$/)]);
});

test("runs the source through tsx where the cache cannot be written, with the same answer", async () => {
  const { dir } = projectCopy("read-only");
  // A cache folder under a regular file cannot be made, whoever runs the test (root ignores modes).
  const result = await run(process.execPath, [join(dir, "bin", "vault-k8s-auth.js"), "version"], {
    cwd: dir,
    env: { ...process.env, VAULT_K8S_AUTH_CACHE: join(dir, "package.json", "cache") },
  });
  expect(result).toEqual({ stdout: expect.stringMatching(/^vault-k8s-auth \d+\.\d+\.\d+\n$/), stderr: "" });
});

test("shows a syntax error in the source with its file and line, exit 2, instead of running anything", async () => {
  const { dir, cache } = projectCopy("broken");
  writeFileSync(join(dir, "main.ts"), "import { synthesize } from './src/app';\nsynthesize(\n");
  await expect(
    run(process.execPath, [join(dir, "bin", "run-source.js"), "main.ts"], {
      cwd: dir,
      env: { ...process.env, VAULT_K8S_AUTH_CACHE: cache },
    }),
  ).rejects.toMatchObject({ code: 2, stdout: "", stderr: expect.stringContaining("main.ts:3:0: ERROR:") });
});

test("runs init from a checkout, whose bundle sits deeper than src/cli: it finds the package's own files", async () => {
  const { dir } = projectCopy("init");
  cpSync(join(ROOT, "examples"), join(dir, "examples"), { recursive: true });
  // The default cache, inside the checkout's node_modules (a real folder here, not the link).
  rmSync(join(dir, "node_modules"));
  mkdirSync(join(dir, "node_modules"));
  for (const entry of readdirSync(join(ROOT, "node_modules"))) {
    if (entry !== ".cache") symlinkSync(join(ROOT, "node_modules", entry), join(dir, "node_modules", entry));
  }
  const target = join(scratch, "init-repo");
  const { stdout } = await run(
    process.execPath,
    [
      join(dir, "bin", "vault-k8s-auth.js"),
      ...["init", target, "--cluster", "prod", "--host", "https://k8s.example.com:6443"],
      ...["--ca-file", join(ROOT, "test", "fixtures", "test-ca.pem"), "--vault-address", "https://vault.example.com"],
      ...["--atlantis", "--json"],
    ],
    { cwd: dir, env: { ...process.env, VAULT_K8S_AUTH_CACHE: "", VAULT_K8S_AUTH_DEBUG: "" } },
  );
  expect(readdirSync(join(dir, "node_modules", ".cache", "vault-k8s-auth")).some((file) => file.endsWith(".js"))).toBe(
    true,
  );
  const pins = JSON.parse(readFileSync(join(target, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const own = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  expect(pins.dependencies["vault-k8s-auth"]).toBe(own.version);
  expect(readFileSync(join(target, "atlantis", "repos.yaml"), "utf8")).toBe(
    readFileSync(join(ROOT, "examples", "atlantis", "repos.yaml"), "utf8"),
  );
  expect((JSON.parse(stdout) as { written: string[] }).written).toContain("atlantis/repos.yaml");
});
