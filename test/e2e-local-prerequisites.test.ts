import { execFile } from "node:child_process";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { COMPONENTS, ensureBinaries, pinnedVersion, TERRAFORM_CLIS } from "./e2e-local/build";
import { checkProviderMirror, cliConfig, mirrorView, PROVIDERS } from "./e2e-local/providers";

/**
 * `npm run test:e2e:local` builds etcd, Kubernetes and Vault with the Go toolchain and deploys with
 * providers from a filesystem mirror. Where those are missing it must say so in one line and never
 * report a pass; these tests run it on a PATH without them.
 */

const run = promisify(execFile);
const RUNNER = join(__dirname, "e2e-local", "run.ts");
const TSX = require.resolve("tsx");

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "vka-e2e-local-"));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** A PATH holding only node (the runner itself) and the stand-ins written into it. */
function pathWith(tools: Record<string, string>): string {
  const bin = join(scratch, "bin");
  mkdirSync(bin, { recursive: true });
  for (const [tool, body] of Object.entries(tools)) {
    writeFileSync(join(bin, tool), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  return `${bin}:${dirname(process.execPath)}`;
}

async function runner(env: Record<string, string>) {
  try {
    const { stdout } = await run(process.execPath, ["--import", TSX, RUNNER], {
      // TMPDIR: the scratch folder a failed run keeps goes into this test's own, removed after it.
      env: { HOME: scratch, TMPDIR: scratch, ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe("npm run test:e2e:local without its prerequisites", () => {
  test("skips with one line when the Go toolchain is missing, never a pass", async () => {
    const result = await runner({ PATH: pathWith({}) });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "e2e: skipped: the Go toolchain (go) is not on PATH; it builds etcd, Kubernetes and Vault for this test\n",
    );
  });

  test("fails instead of skipping with E2E_REQUIRED=1", async () => {
    const result = await runner({ PATH: pathWith({}), E2E_REQUIRED: "1" });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^e2e: FAILED: the Go toolchain \(go\) is not on PATH/);
  });

  test("without terraform and the providers, says so first and still builds the control plane", async () => {
    // A go that answers `go env` but cannot build: the run must get as far as building, not further.
    const path = pathWith({
      go: '[ "$1" = env ] && echo go1.26.0 || { echo "no compiler here" >&2; exit 1; }',
      openssl: "echo OpenSSL 3",
    });
    const result = await runner({ PATH: path, VAULT_K8S_AUTH_E2E_PROVIDER_MIRROR: join(scratch, "mirror") });
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^skip the deploy scenarios: missing terraform >= 1\.11 on PATH, terraform-provider-vault 5\.6\.0 in the filesystem mirror .*mirror/,
    );
    expect(lines[0]).toContain("terraform-provider-kubernetes 2.38.0");
    expect(lines[1]).toBe("e2e: FAILED: go build go.etcd.io/etcd/server/v3 failed (components/etcd):");
    expect(lines.slice(2).join("\n")).toContain("no compiler here");
    expect(result.stdout).not.toMatch(/passed/);
    expect(result.code).toBe(1);
  });

  test("fails before building when the deploy is required and cannot run", async () => {
    const path = pathWith({ go: "echo go1.26.0", openssl: "echo OpenSSL 3" });
    const result = await runner({
      PATH: path,
      E2E_REQUIRED: "1",
      VAULT_K8S_AUTH_E2E_PROVIDER_MIRROR: join(scratch, "mirror"),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^e2e: FAILED: missing terraform >= 1\.11 on PATH, terraform-provider-vault/);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("the pins of the local control plane", () => {
  test("the terraform and OpenTofu wrappers pin the newest releases the Go module proxy serves (2026-12: 1.13.3, 1.12.6)", () => {
    expect(TERRAFORM_CLIS.map((cli) => [cli.name, pinnedVersion(cli), cli.binaries[0].file])).toEqual([
      ["terraform", "v1.13.3", "terraform"],
      ["opentofu", "v1.12.6", "tofu"],
    ]);
    // Without dev=no both call themselves <version>-dev (version/version.go of each).
    expect(TERRAFORM_CLIS.map((cli) => cli.xflags?.("")[0])).toEqual([
      "github.com/hashicorp/terraform/version.dev=no",
      "github.com/opentofu/opentofu/version.dev=no",
    ]);
  });

  test("each component's wrapper go.mod requires a released version of its module", () => {
    const versions = Object.fromEntries(COMPONENTS.map((component) => [component.name, pinnedVersion(component)]));
    expect(versions).toEqual({
      etcd: expect.stringMatching(/^v3\.6\.\d+$/),
      kubernetes: expect.stringMatching(/^v1\.34\.\d+$/),
      vault: expect.stringMatching(/^v1\.\d+\.\d+$/),
    });
  });

  test("a provider in Terraform's unpacked mirror layout is found, a missing one is named", () => {
    const mirror = join(scratch, "mirror");
    const platform = `linux_${process.arch === "x64" ? "amd64" : process.arch}`;
    const folder = join(mirror, "registry.terraform.io", "hashicorp", "vault", "5.6.0", platform);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "terraform-provider-vault_v5.6.0_x5"), "");
    process.env.VAULT_K8S_AUTH_E2E_PROVIDER_MIRROR = mirror;
    try {
      const { missing } = checkProviderMirror();
      expect(missing).toHaveLength(1);
      expect(missing[0]).toMatch(/^terraform-provider-kubernetes 2\.38\.0 /);
    } finally {
      delete process.env.VAULT_K8S_AUTH_E2E_PROVIDER_MIRROR;
    }
  });

  test("the Terraform CLI config installs the pinned providers from the mirror only, for Terraform's and OpenTofu's registry host", () => {
    expect(PROVIDERS.map((p) => `${p.name} ${p.version}`)).toEqual(["vault 5.6.0", "kubernetes 2.38.0"]);
    expect(cliConfig("/m")).toBe(
      'provider_installation {\n  filesystem_mirror {\n    path    = "/m"\n    include = ["registry.terraform.io/hashicorp/*", "registry.opentofu.org/hashicorp/*"]\n  }\n}\n',
    );
  });

  test("the mirror view serves every package of the Terraform-registry mirror under both hosts, symlinked at the package level only", () => {
    const mirror = join(scratch, "mirror", "registry.terraform.io", "hashicorp");
    mkdirSync(join(mirror, "vault", "5.6.0", "linux_amd64"), { recursive: true });
    writeFileSync(join(mirror, "vault", "5.6.0", "linux_amd64", "terraform-provider-vault_v5.6.0"), "");
    mkdirSync(join(mirror, "kubernetes"), { recursive: true });
    const zip = "terraform-provider-kubernetes_2.38.0_linux_amd64.zip";
    writeFileSync(join(mirror, "kubernetes", zip), "");
    const view = mirrorView(join(scratch, "mirror"), join(scratch, "view"));
    for (const host of ["registry.terraform.io", "registry.opentofu.org"]) {
      const base = join(view, host, "hashicorp");
      // Terraform and OpenTofu ignore a symlink above the package (filesystem_search.go): these are real folders.
      for (const folder of [join(view, host), base, join(base, "vault"), join(base, "vault", "5.6.0")]) {
        expect([folder, lstatSync(folder).isDirectory()]).toEqual([folder, true]);
      }
      expect(readlinkSync(join(base, "vault", "5.6.0", "linux_amd64"))).toBe(
        join(mirror, "vault", "5.6.0", "linux_amd64"),
      );
      expect(readlinkSync(join(base, "kubernetes", zip))).toBe(join(mirror, "kubernetes", zip));
    }
    expect(readdirSync(view).sort()).toEqual(["registry.opentofu.org", "registry.terraform.io"]);
  });
});

describe("the local e2e's README", () => {
  test("names the version each wrapper go.mod pins", () => {
    const readme = readFileSync(join(__dirname, "e2e-local", "README.md"), "utf8");
    expect(COMPONENTS.map((component) => component.name)).toEqual(["etcd", "kubernetes", "vault"]);
    for (const component of [...COMPONENTS, ...TERRAFORM_CLIS])
      expect(readme).toContain(`${pinnedVersion(component)}:`);
  });
});

describe("the build cache", () => {
  test("builds into a folder keyed by the pins, reuses it, and removes the component's older builds only", () => {
    const cache = join(scratch, "cache");
    for (const old of ["etcd-v3.6.13-0123456789ab", "kubernetes-v1.34.3-0123456789ab", "providers"]) {
      mkdirSync(join(cache, old), { recursive: true });
    }
    // A go that "builds" by writing the file named after -o, and logs each build.
    const log = join(scratch, "builds.log");
    const path = pathWith({
      go: `while [ "$1" != -o ]; do shift; done; echo "$3" >> ${log}; echo binary > "$2"`,
    });
    const env = { ...process.env, PATH: path, VAULT_K8S_AUTH_E2E_CACHE: cache };
    const saved = process.env;
    process.env = env;
    try {
      const first = ensureBinaries("go1.26.0", () => {});
      expect(first.reports.map((r) => r.cached)).toEqual([false, false, false]);
      expect(readFileSync(first.paths.etcd, "utf8")).toBe("binary\n");
      const second = ensureBinaries("go1.26.0", () => {});
      expect(second.reports.map((r) => r.cached)).toEqual([true, true, true]);
      expect(second.paths).toEqual(first.paths);
      expect(readFileSync(log, "utf8").trim().split("\n")).toHaveLength(4);
      const left = readdirSync(cache).sort();
      expect(left).toContain("providers");
      expect(left.filter((dir) => dir.includes("0123456789ab"))).toEqual([]);
      // Another Go version is another key: a rebuild.
      expect(ensureBinaries("go1.27.0", () => {}).reports.every((r) => !r.cached)).toBe(true);
    } finally {
      process.env = saved;
    }
  });
});
