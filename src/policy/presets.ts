import { DEFAULTS } from "../domain/defaults";
import type { PolicyRule } from "./capabilities";

function join(...segments: string[]): string {
  return segments.map((segment) => segment.replace(/^\/+|\/+$/g, "")).join("/");
}

/** Rules for the common cases, so the least-privilege policy is the short one to write. */
export const PolicyRules = {
  /**
   * Read one secret (or, with `path` ending in `*`, a subtree) of a KV version 2 mount. KV v2
   * serves values under `<mount>/data/` and versions under `<mount>/metadata/`, so a rule on
   * `<mount>/<path>` alone would match nothing.
   */
  kvV2Read(mount: string, path: string): PolicyRule[] {
    return [
      { path: join(mount, "data", path), capabilities: ["read"] },
      { path: join(mount, "metadata", path), capabilities: ["read", "list"] },
    ];
  },

  /** Read one secret (or subtree) of a KV version 1 mount. */
  kvV1Read(mount: string, path: string): PolicyRule[] {
    return [{ path: join(mount, path), capabilities: ["read"] }];
  },

  list(path: string): PolicyRule[] {
    return [{ path, capabilities: ["list"] }];
  },

  /** `deny` wins over every grant on the same path, from any policy of the token. */
  deny(path: string): PolicyRule[] {
    return [{ path, capabilities: ["deny"] }];
  },
};

/** Whole policies for the usual workloads. */
export const PolicyPresets = {
  /**
   * The seed's `admin` policy, kept for parity: every capability on every path. It always
   * raises a synth warning.
   */
  admin(): PolicyRule[] {
    return [
      {
        path: "*",
        capabilities: ["sudo", "read", "create", "update", "delete", "list", "patch"],
        description: "allow all",
      },
    ];
  },

  /** Read-only access to one KV path (version 2 unless told). */
  kvReadOnly(mount: string, path: string, version: 1 | 2 = DEFAULTS.kvVersion): PolicyRule[] {
    return version === 2 ? PolicyRules.kvV2Read(mount, path) : PolicyRules.kvV1Read(mount, path);
  },

  /**
   * For a workload that runs Terraform with the vault provider: by default the provider creates
   * a short-lived child token, which needs `update` on `auth/token/create`, plus whatever the
   * configuration itself reads or writes (`rules`).
   */
  terraformVaultProvider(rules: PolicyRule[] = []): PolicyRule[] {
    return [
      {
        path: "auth/token/create",
        capabilities: ["update"],
        description: "the vault provider's child token",
      },
      ...rules,
    ];
  },
};
