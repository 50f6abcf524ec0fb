import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * One Go wrapper module under components/: its go.mod and go.sum are the pins (module versions and
 * every dependency hash), so the whole control plane is described by those files and nothing else.
 */
export interface Component {
  readonly name: string;
  /** The main packages to build from the wrapper module, with the file name of each binary. */
  readonly binaries: readonly { readonly file: string; readonly pkg: string }[];
  /** The module whose version the component is known by (read from the wrapper's go.mod). */
  readonly module: string;
  /** Extra -X flags, e.g. so that kube-apiserver reports its real version instead of v0.0.0. */
  readonly xflags?: (version: string) => string[];
}

export const COMPONENTS: readonly Component[] = [
  { name: "etcd", module: "go.etcd.io/etcd/server/v3", binaries: [{ file: "etcd", pkg: "go.etcd.io/etcd/server/v3" }] },
  {
    name: "kubernetes",
    module: "k8s.io/kubernetes",
    binaries: [
      { file: "kube-apiserver", pkg: "k8s.io/kubernetes/cmd/kube-apiserver" },
      { file: "kube-controller-manager", pkg: "k8s.io/kubernetes/cmd/kube-controller-manager" },
    ],
    // hack/lib/version.sh sets these; without them the API server calls itself v0.0.0-master.
    xflags: (version) => [
      `k8s.io/component-base/version.gitVersion=${version}`,
      `k8s.io/component-base/version.gitMajor=1`,
      `k8s.io/component-base/version.gitMinor=${version.split(".")[1]}`,
    ],
  },
  {
    name: "vault",
    module: "github.com/hashicorp/vault",
    // The wrapper's own main package: Vault's core, HTTP API and the plugins we use (main.go says why).
    binaries: [{ file: "vault", pkg: "." }],
  },
];

/**
 * The Terraform CLIs the deploy scenarios also run, besides the terraform on PATH: the newest
 * terraform and OpenTofu the Go module proxy serves. Built only when the deploy scenarios run.
 */
export const TERRAFORM_CLIS: readonly Component[] = [
  {
    name: "terraform",
    module: "github.com/hashicorp/terraform",
    binaries: [{ file: "terraform", pkg: "github.com/hashicorp/terraform" }],
    // version/version.go: without dev=no the binary calls itself <version>-dev.
    xflags: () => ["github.com/hashicorp/terraform/version.dev=no"],
  },
  {
    name: "opentofu",
    module: "github.com/opentofu/opentofu",
    binaries: [{ file: "tofu", pkg: "github.com/opentofu/opentofu/cmd/tofu" }],
    xflags: () => ["github.com/opentofu/opentofu/version.dev=no"],
  },
];

export const COMPONENTS_DIR = join(__dirname, "components");

export function cacheRoot(): string {
  return (
    process.env.VAULT_K8S_AUTH_E2E_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "vault-k8s-auth", "e2e")
  );
}

/** The version the wrapper's go.mod requires for the component's module. */
export function pinnedVersion(component: Component): string {
  const goMod = readFileSync(join(COMPONENTS_DIR, component.name, "go.mod"), "utf8");
  const escaped = component.module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod);
  if (!match) throw new Error(`components/${component.name}/go.mod does not require ${component.module}`);
  return match[1];
}

export interface BuildReport {
  readonly component: string;
  readonly version: string;
  readonly cached: boolean;
  readonly seconds: number;
  /** Peak resident memory of the largest `go build` (GNU time), when measured. */
  readonly peakMiB?: number;
}

/**
 * Builds each component once per (wrapper files, Go version) into the cache, or reuses it.
 * A binary is written under a temporary name and renamed when complete, so an interrupted build
 * never leaves a truncated binary that a later run would trust.
 */
export function ensureBinaries(
  goVersion: string,
  log: (line: string) => void,
  components: readonly Component[] = COMPONENTS,
): { paths: Record<string, string>; reports: BuildReport[] } {
  const paths: Record<string, string> = {};
  const reports: BuildReport[] = [];
  const gnuTime = existsSync("/usr/bin/time");
  for (const component of components) {
    const dir = join(COMPONENTS_DIR, component.name);
    const version = pinnedVersion(component);
    // Every file of the wrapper counts: go.mod and go.sum pin the modules, and a main.go of our
    // own (Vault's) is source too; a change to any of them must not reuse an old binary.
    const hash = createHash("sha256").update(goVersion);
    for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)));
    const key = hash.digest("hex").slice(0, 12);
    const out = join(cacheRoot(), `${component.name}-${version}-${key}`);
    const started = Date.now();
    let cached = true;
    let peakKiB = 0;
    for (const binary of component.binaries) {
      const target = join(out, binary.file);
      paths[binary.file] = target;
      if (existsSync(target)) continue;
      cached = false;
      mkdirSync(out, { recursive: true });
      const partial = `${target}.partial`;
      rmSync(partial, { force: true });
      log(`building ${binary.file} (${component.module} ${version}); a cold build takes minutes`);
      const ldflags = ["-s", "-w", ...(component.xflags?.(version) ?? []).flatMap((flag) => ["-X", flag])].join(" ");
      const goArgs = ["build", "-trimpath", `-ldflags=${ldflags}`, "-o", partial, binary.pkg];
      const command = gnuTime ? "/usr/bin/time" : "go";
      const args = gnuTime ? ["-f", "peak-kib=%M", "go", ...goArgs] : goArgs;
      const result = spawnSync(command, args, {
        cwd: dir,
        encoding: "utf8",
        // -mod=readonly: a go.sum that does not cover the build is an error, never a silent update.
        env: { ...process.env, GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" },
        maxBuffer: 64 * 1024 * 1024,
      });
      const peak = /peak-kib=(\d+)/.exec(result.stderr ?? "");
      if (peak) peakKiB = Math.max(peakKiB, Number(peak[1]));
      if (result.status !== 0) {
        const stderr = (result.stderr ?? "").replace(/peak-kib=\d+\s*/, "").trim();
        throw new Error(`go build ${binary.pkg} failed (components/${component.name}):\n${stderr.slice(-4000)}`);
      }
      renameSync(partial, target);
    }
    if (!cached) {
      // A changed pin leaves the previous build behind: hundreds of MB that nothing will use again.
      for (const old of readdirSync(cacheRoot())) {
        if (old.startsWith(`${component.name}-`) && join(cacheRoot(), old) !== out) {
          rmSync(join(cacheRoot(), old), { recursive: true, force: true });
        }
      }
    }
    reports.push({
      component: component.name,
      version,
      cached,
      seconds: Math.round((Date.now() - started) / 1000),
      peakMiB: peakKiB ? Math.round(peakKiB / 1024) : undefined,
    });
  }
  return { paths, reports };
}
