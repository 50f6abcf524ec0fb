/**
 * Vault's root-protected paths, pinned against hashicorp/vault v1.21.2 (the version the e2e runs
 * and its differential test compares with): vault/logical_system.go:113-147 and
 * vault/token_store.go:787-790 list them, vault/router.go:868-903 (RootPath) matches a request's
 * path against them, vault/acl.go:444 and :804 refuse a request whose deciding rule lacks sudo.
 */
import { Acl, OPERATIONS } from "../../src/answers/acl/acl";
import { allows, refusedBeforeAcl, requestPathOf, sudoOperations } from "../../src/answers/acl/can";
import { ROOT_PATHS, rootPathOf } from "../../src/answers/acl/root-paths";

describe("rootPathOf: vault/router.go RootPath on the system backend's and the token store's root paths", () => {
  test("lists exactly the system backend's PathsSpecial.Root of v1.21.2 and the token store's", () => {
    expect(ROOT_PATHS.map(({ mount, paths }) => paths.map((path) => `${mount}${path}`))).toEqual([
      [
        "sys/auth/*",
        "sys/remount",
        "sys/audit",
        "sys/audit/*",
        "sys/raw",
        "sys/raw/*",
        "sys/replication/primary/secondary-token",
        "sys/replication/performance/primary/secondary-token",
        "sys/replication/dr/primary/secondary-token",
        "sys/replication/reindex",
        "sys/replication/dr/reindex",
        "sys/replication/performance/reindex",
        "sys/rotate",
        "sys/config/cors",
        "sys/config/auditing/*",
        "sys/config/ui/headers/*",
        "sys/plugins/catalog/*",
        "sys/plugins/runtimes/catalog/*",
        "sys/revoke-prefix/*",
        "sys/revoke-force/*",
        "sys/leases/revoke-prefix/*",
        "sys/leases/revoke-force/*",
        "sys/leases/lookup/*",
        "sys/storage/raft/snapshot-auto/config/*",
        "sys/leases",
        "sys/reporting/scan",
        "sys/internal/inspect/*",
        "sys/internal/counters/activity/export",
        "sys/seal",
        "sys/step-down",
      ],
      ["auth/token/revoke-orphan", "auth/token/accessors/"],
    ]);
  });

  test.each([
    ["sys/auth/k8s2", "sys/auth/*"],
    ["sys/auth/k8s2/tune", "sys/auth/*"],
    ["sys/auth/", "sys/auth/*"],
    ["sys/remount", "sys/remount"],
    ["sys/audit", "sys/audit"],
    ["sys/audit/file", "sys/audit/*"],
    ["sys/audit/", "sys/audit/*"],
    ["sys/raw/core/mounts", "sys/raw/*"],
    ["sys/rotate", "sys/rotate"],
    ["sys/config/cors", "sys/config/cors"],
    ["sys/config/auditing/request-headers/x", "sys/config/auditing/*"],
    ["sys/plugins/catalog/auth/jwt", "sys/plugins/catalog/*"],
    ["sys/leases/revoke-prefix/aws/creds", "sys/leases/revoke-prefix/*"],
    ["sys/leases/lookup/", "sys/leases/lookup/*"],
    ["sys/leases", "sys/leases"],
    ["sys/seal", "sys/seal"],
    ["sys/step-down", "sys/step-down"],
    ["/sys/rotate", "sys/rotate"],
    ["auth/token/revoke-orphan", "auth/token/revoke-orphan"],
    ["auth/token/accessors/", "auth/token/accessors/"],
  ])("%s is protected by %s", (path, pattern) => {
    expect(rootPathOf(path)?.pattern).toBe(pattern);
  });

  test.each([
    // sys/auth (the list of auth mounts) is not under "auth/*".
    "sys/auth",
    // An exact root path protects only itself: the longest listed prefix decides (router.go:890-903).
    "sys/auditing",
    "sys/remount/",
    "sys/rotate/",
    "sys/leases/",
    "sys/leases/renew",
    "sys/leases/lookup",
    "sys/config/auditing",
    "sys/mounts/secret",
    "sys/policies/acl/admin",
    "auth/token/accessors",
    "auth/token/create",
    "auth/tokenx/revoke-orphan",
    // The system backend's root paths are relative to sys/, not to any mount.
    "secret/auth/x",
  ])("%s is not protected", (path) => {
    expect(rootPathOf(path)).toBeUndefined();
  });

  test("names the list that holds the root path", () => {
    expect(rootPathOf("sys/auth/x")?.source).toBe("vault/logical_system.go:113-147");
    expect(rootPathOf("auth/token/revoke-orphan")?.source).toBe("vault/token_store.go:787-790");
  });
});

describe("allows: a root path's request needs sudo on the rule that decides (vault/acl.go:444, :804)", () => {
  const acl = (
    rules: { path: string; capabilities: ("create" | "read" | "update" | "delete" | "list" | "sudo")[] }[],
  ) => new Acl([{ name: "p", rules }]);

  test("refuses every operation on sys/auth/<x> with [create, read, update, delete], and allows them with sudo", () => {
    const without = acl([{ path: "sys/auth/*", capabilities: ["create", "read", "update", "delete", "list"] }]);
    const withSudo = acl([
      { path: "sys/auth/*", capabilities: ["create", "read", "update", "delete", "list", "sudo"] },
    ]);
    for (const operation of ["read", "list", "create", "update", "delete"] as const) {
      expect([operation, allows(without, "sys/auth/k8s2", operation)]).toEqual([operation, false]);
      expect([operation, allows(withSudo, "sys/auth/k8s2", operation)]).toEqual([operation, true]);
    }
  });

  test("takes sudo from the deciding rule only: a sudo on a shorter prefix does not count", () => {
    const split = acl([
      { path: "sys/*", capabilities: ["sudo", "update"] },
      { path: "sys/auth/*", capabilities: ["update"] },
    ]);
    expect(allows(split, "sys/auth/k8s2", "update")).toBe(false);
    expect(allows(split, "sys/remount", "update")).toBe(true);
  });

  test("a LIST of an exact root path is spared, its path having gained a '/' (http/logical.go:188-192)", () => {
    const leases = acl([{ path: "sys/leases", capabilities: ["read", "list"] }]);
    expect(requestPathOf("sys/leases", "list")).toBe("sys/leases/");
    expect(allows(leases, "sys/leases", "list")).toBe(true);
    expect(allows(leases, "sys/leases", "read")).toBe(false);
    expect(sudoOperations("sys/leases")?.operations).toEqual(["read", "create", "update", "patch", "delete"]);
    const accessors = acl([{ path: "auth/token/accessors", capabilities: ["read", "list"] }]);
    expect(allows(accessors, "auth/token/accessors", "list")).toBe(false);
    expect(allows(accessors, "auth/token/accessors", "read")).toBe(true);
    expect(sudoOperations("auth/token/accessors")).toEqual({
      operations: ["list"],
      matches: [{ pattern: "auth/token/accessors/", source: "vault/token_store.go:787-790" }],
    });
  });

  test("names both root paths of sys/audit: its own and the LIST's sys/audit/", () => {
    expect(sudoOperations("sys/audit")).toEqual({
      operations: [...OPERATIONS],
      matches: [
        { pattern: "sys/audit", source: "vault/logical_system.go:113-147" },
        { pattern: "sys/audit/*", source: "vault/logical_system.go:113-147" },
      ],
    });
    expect(sudoOperations("sys/mounts")).toBeUndefined();
  });
});

describe("refusedBeforeAcl: Vault refuses a write to a path ending in '/' before the ACL (vault/request_handling.go:707-722)", () => {
  test.each([
    ["create", "a create"],
    ["update", "an update"],
    ["patch", "a patch"],
  ] as const)("refuses %s of x/, names the cause and the fix", (operation, request) => {
    expect(refusedBeforeAcl("secret/data/x/", operation)).toBe(
      `Vault refuses ${request} of a path ending in "/" ("cannot write to a path ending in '/'") before it looks at any ` +
        "policy (vault/request_handling.go:707-722), unless the mount is tuned with trim_request_trailing_slashes; drop the trailing /",
    );
    expect(refusedBeforeAcl("secret/data/x", operation)).toBeNull();
  });

  test.each(["read", "list", "delete", undefined] as const)("lets %s of x/ through to the ACL", (operation) => {
    expect(refusedBeforeAcl("secret/data/x/", operation)).toBeNull();
  });
});
