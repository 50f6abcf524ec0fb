import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { cacheRoot } from "./build";

/**
 * The Terraform providers the stacks pin: the versions the prebuilt @cdktf provider packages were
 * generated from, which the synthesized `required_providers` names. They are not built here: the Go module proxy serves neither module at its release
 * commit (both answer 403 "This module version is not available"; the module paths carry no
 * major-version suffix, so a v5/v2 tag cannot be named either). The harness takes them from a
 * Terraform filesystem mirror instead, the way an air-gapped team runs Terraform.
 */
export const PROVIDERS: readonly { name: string; version: string }[] = (["vault", "kubernetes"] as const).map(
  (name) => {
    const { provider } = require(`@cdktf/provider-${name}/package.json`).cdktf as { provider: { version: string } };
    return { name, version: provider.version };
  },
);

export function mirrorDir(): string {
  return process.env.VAULT_K8S_AUTH_E2E_PROVIDER_MIRROR ?? join(cacheRoot(), "providers");
}

const PLATFORM = `${process.platform === "win32" ? "windows" : process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;

/** Which pinned providers the mirror lacks, in either of Terraform's filesystem-mirror layouts. */
export function checkProviderMirror(): { dir: string; missing: string[] } {
  const dir = mirrorDir();
  const missing: string[] = [];
  for (const provider of PROVIDERS) {
    const base = join(dir, "registry.terraform.io", "hashicorp", provider.name);
    const unpacked = join(base, provider.version, PLATFORM);
    const packed = join(base, `terraform-provider-${provider.name}_${provider.version}_${PLATFORM}.zip`);
    const found =
      existsSync(packed) ||
      (existsSync(unpacked) && readdirSync(unpacked).some((f) => f.startsWith(`terraform-provider-${provider.name}`)));
    if (!found) {
      missing.push(
        `terraform-provider-${provider.name} ${provider.version} in the filesystem mirror ${dir} ` +
          "(fill it with `terraform providers mirror` on a machine that reaches the registry: test/e2e-local/README.md)",
      );
    }
  }
  return { dir, missing };
}

/**
 * The registry hosts the mirror serves: Terraform's, and OpenTofu's, where OpenTofu resolves a
 * `hashicorp/*` source (opentofu v1.12.6 internal/addrs/provider.go:22, DefaultProviderRegistryHost).
 */
export const REGISTRY_HOSTS = ["registry.terraform.io", "registry.opentofu.org"] as const;

/**
 * A filesystem mirror at `dir` that serves the mirror's registry.terraform.io providers under both
 * registry hosts, without copying them: a symlink per package (the unpacked `<version>/<platform>`
 * folder or the packed `.zip`). Terraform and OpenTofu follow no symlink above that level
 * (terraform v1.13.3 and opentofu v1.12.6 internal/getproviders/filesystem_search.go: "only the
 * base directory may be a symlink"), so the host, namespace, type and version folders are real.
 */
export function mirrorView(mirror: string, dir: string): string {
  const source = join(mirror, "registry.terraform.io", "hashicorp");
  for (const host of REGISTRY_HOSTS) {
    for (const provider of PROVIDERS) {
      const from = join(source, provider.name);
      const to = join(dir, host, "hashicorp", provider.name);
      mkdirSync(to, { recursive: true });
      for (const entry of existsSync(from) ? readdirSync(from) : []) {
        if (!statSync(join(from, entry)).isDirectory()) {
          symlinkSync(join(from, entry), join(to, entry)); // packed: terraform-provider-<name>_<v>_<platform>.zip
          continue;
        }
        mkdirSync(join(to, entry), { recursive: true });
        for (const platform of readdirSync(join(from, entry))) {
          symlinkSync(join(from, entry, platform), join(to, entry, platform)); // unpacked: <version>/<platform>/
        }
      }
    }
  }
  return dir;
}

/** A Terraform (and OpenTofu) CLI config that installs providers only from the mirror: no registry is asked. */
export function cliConfig(dir: string): string {
  const include = REGISTRY_HOSTS.map((host) => JSON.stringify(`${host}/hashicorp/*`)).join(", ");
  return `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(dir)}\n    include = [${include}]\n  }\n}\n`;
}
