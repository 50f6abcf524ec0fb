import { existsSync, readdirSync } from "node:fs";
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

/** A Terraform CLI config that installs providers only from the mirror: no registry is asked. */
export function cliConfig(dir: string): string {
  return `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(dir)}\n    include = ["registry.terraform.io/hashicorp/*"]\n  }\n}\n`;
}
