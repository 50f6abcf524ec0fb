/**
 * Vault's root-protected ("sudo") paths: on these a request needs the `sudo` capability as well as
 * the one its operation needs, whatever the policies grant otherwise. From hashicorp/vault v1.21.2:
 * a backend lists them in PathsSpecial.Root; the router strips the mount's prefix and looks the
 * rest up (vault/router.go:868-903, RootPath); CheckToken asks for every request
 * (vault/request_handling.go:453) and passes the answer on as RootPrivsRequired (:543); the
 * policy check then refuses a request whose deciding rule lacks sudo (vault/acl.go:444 takes
 * RootPrivs from that rule, vault/acl.go:804 refuses), help requests alone excepted.
 *
 * Only the builtin backends whose mount path is fixed are known offline: the system backend at
 * `sys/` and the token store at `auth/token/`. A secrets engine with root paths of its own (pki's
 * `root`, `root/sign-self-issued`, builtin/logical/pki/backend.go:138-141) lives wherever it was
 * mounted, which a policy does not say.
 */

/** A backend's PathsSpecial.Root, as written there: a trailing `*` makes a prefix, else exact. */
interface RootPaths {
  readonly mount: string;
  readonly paths: readonly string[];
  readonly source: string;
}

export const ROOT_PATHS: readonly RootPaths[] = [
  {
    mount: "sys/",
    source: "vault/logical_system.go:113-147",
    paths: [
      "auth/*",
      "remount",
      "audit",
      "audit/*",
      "raw",
      "raw/*",
      "replication/primary/secondary-token",
      "replication/performance/primary/secondary-token",
      "replication/dr/primary/secondary-token",
      "replication/reindex",
      "replication/dr/reindex",
      "replication/performance/reindex",
      "rotate",
      "config/cors",
      "config/auditing/*",
      "config/ui/headers/*",
      "plugins/catalog/*",
      "plugins/runtimes/catalog/*",
      "revoke-prefix/*",
      "revoke-force/*",
      "leases/revoke-prefix/*",
      "leases/revoke-force/*",
      "leases/lookup/*",
      "storage/raft/snapshot-auto/config/*",
      "leases",
      "reporting/scan",
      "internal/inspect/*",
      "internal/counters/activity/export",
      "seal",
      "step-down",
    ],
  },
  { mount: "auth/token/", source: "vault/token_store.go:787-790", paths: ["revoke-orphan", "accessors/"] },
];

/** Why a request path needs sudo: the root path that protects it, as `<mount><path>`, and where it is listed. */
export interface RootPathMatch {
  readonly pattern: string;
  readonly source: string;
}

/**
 * The root path that protects a request path, or undefined. Vault's lookup is a radix tree's
 * longest prefix (router.go:890): the longest listed path that is a prefix of the rest decides,
 * and an exact entry then protects only itself — so `sys/leases` is protected but `sys/leases/`
 * (a LIST) is not, and `sys/auditing` is not protected by `audit`.
 */
export function rootPathOf(requestPath: string): RootPathMatch | undefined {
  // The ACL drops leading slashes (acl.go:396-402); the router sees the request's path without them.
  const path = requestPath.replace(/^\/+/, "");
  for (const { mount, paths, source } of ROOT_PATHS) {
    if (!path.startsWith(mount)) continue;
    const remain = path.slice(mount.length);
    let best: { key: string; prefix: boolean } | undefined;
    for (const entry of paths) {
      const prefix = entry.endsWith("*");
      const key = prefix ? entry.slice(0, -1) : entry;
      // router.go:1076-1089 (pathsToRadix) stores the path without "*" and whether it was a prefix.
      if (remain.startsWith(key) && (best === undefined || key.length > best.key.length)) best = { key, prefix };
    }
    if (best === undefined) return undefined;
    if (!best.prefix && best.key !== remain) return undefined;
    return { pattern: `${mount}${best.key}${best.prefix ? "*" : ""}`, source };
  }
  return undefined;
}
