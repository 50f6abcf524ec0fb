import { invisibleIn, type Rule } from "./rule";

const SEGMENT = "[A-Za-z0-9_.-]+";

/** A segment "." or "..": HTTP clients and proxies resolve it (RFC 3986 §5.2.4), so the request never reaches that path. */
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/**
 * An auth mount path. Vault appends '/' and refuses a path that is a prefix of an existing
 * mount's or has one as its prefix: "path is already in use at <path>" (vault/auth.go,
 * enableCredentialInternal, the "Basic check for matching names" loop). The token store is always
 * mounted at auth/token/ (vault/auth.go: "token credential backend cannot be instantiated"), so
 * `token` and everything under it is taken. The provider refuses leading and trailing '/'
 * (terraform-provider-vault v5.6.0 vault/resource_auth_backend.go:47, ValidateNoLeadingTrailingSlashes).
 */
export const authMountPath: Rule = {
  pattern: new RegExp(`^(?!token(/|$))(?!(.*/)?\\.\\.?(/|$))${SEGMENT}(/${SEGMENT})*$`),
  fix: "use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)",
  reason: (value) => {
    if (/^token(\/|$)/.test(value)) {
      return 'is the token store\'s mount (auth/token/), which every Vault has: Vault answers "path is already in use at token/"; choose another path, e.g. kubernetes or k8s/prod';
    }
    if (DOT_SEGMENT.test(value)) {
      return "has a '.' or '..' segment, which HTTP clients resolve before Vault sees the request (RFC 3986 §5.2.4); name each segment, e.g. k8s/prod";
    }
    return invisibleIn(value);
  },
};

/**
 * The mount of a secrets engine a policy rule reads (kvRead.mount). sys/, cubbyhole/, identity/,
 * audit/ and auth/ are Vault's own (vault/mount.go, protectedMounts), never a KV engine.
 */
export const secretMountPath: Rule = {
  pattern: new RegExp(`^(?!(sys|cubbyhole|identity|audit|auth)(/|$))(?!(.*/)?\\.\\.?(/|$))${SEGMENT}(/${SEGMENT})*$`),
  fix: "name the KV engine's mount path as `vault secrets list` shows it, without the trailing '/' (e.g. secret or kv/apps)",
  reason: (value) => {
    const own = /^(sys|cubbyhole|identity|audit|auth)(\/|$)/.exec(value)?.[1];
    if (own)
      return `is Vault's own ${own}/ mount (vault/mount.go, protectedMounts), not a KV engine; name the KV mount, e.g. secret`;
    if (DOT_SEGMENT.test(value)) {
      return "has a '.' or '..' segment, which HTTP clients resolve before Vault sees the request (RFC 3986 §5.2.4); name each segment";
    }
    return invisibleIn(value);
  },
};

/**
 * A role name as both auth plugins take it: the path pattern role/<name> is Vault's
 * GenericNameRegex, \w(([\w-.]+)?\w)? (vault/sdk v0.20.0 framework/path.go:19-21, anchored at both
 * ends by framework/backend.go:562-568; vault-plugin-auth-kubernetes v0.23.1 path_role.go:37,
 * vault-plugin-auth-jwt v0.25.0 path_role.go:52). Go's \w is ASCII: letters of either case, digits
 * and '_', so a leading '_' is a name. Vault keeps roles lowercased (kubernetes: path_role.go:373
 * stores role/<lowercase>, backend.go:376 looks it up so; jwt: the name is a TypeLowerCaseString,
 * path_role.go:58-60), so "Atlantis" and "atlantis" are one role: see roleKey.
 */
export const vaultRoleName: Rule = {
  pattern: /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/,
  fix: "use letters, digits and '_', with '-' and '.' only between them (Vault's role name pattern, GenericNameRegex)",
  reason: invisibleIn,
};

/**
 * What Vault makes of a role name at login and at creation: lowercased (vault-plugin-auth-kubernetes
 * v0.23.1 backend.go:376; vault-plugin-auth-jwt v0.25.0 path_login.go:28-31, the login's role is a
 * TypeLowerCaseString). Go's strings.ToLower and String.prototype.toLowerCase agree on ASCII.
 */
export function roleKey(name: string): string {
  return name.toLowerCase();
}

/**
 * A policy name. Vault takes any text at sys/policy/<name> and keeps it trimmed and lowercased
 * (vault v1.21.2 vault/logical_system.go:3645-3657, policy_store.go:1020-1022), so an uppercase
 * letter would make two spellings of one policy; this keeps to the role name pattern in lowercase
 * (a leading '_' included), which every tool quotes without escaping.
 */
export const vaultPolicyName: Rule = {
  pattern: /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/,
  fix: "use lowercase letters, digits and '_', with '-' and '.' only between them (Vault lowercases policy names, so two spellings would be one policy)",
  reason: invisibleIn,
};

/**
 * A Vault Enterprise / HCP namespace path, sent as the X-Vault-Namespace header and written into
 * the login command. Vault's rules (https://developer.hashicorp.com/vault/docs/enterprise/namespaces,
 * "Namespace naming restrictions"): no spaces, no trailing '/', and no segment named after a
 * reserved path (`.`, `..`, root, sys, audit, auth, cubbyhole, identity). Quotes, '\' and control
 * characters cannot go into an HTTP header or a shell line unchanged either.
 */
export const vaultNamespace: Rule = {
  pattern: /^(?!.*(^|\/)(\.|\.\.|root|sys|audit|auth|cubbyhole|identity)(\/|$))[^\s"'`\\$/]+(\/[^\s"'`\\$/]+)*$/u,
  fix: "use the namespace path as `vault namespace list` shows it, segments joined by '/', with no spaces, quotes or trailing '/' (e.g. admin or admin/team-a)",
  reason: (value) => {
    const reserved = /(^|\/)(\.|\.\.|root|sys|audit|auth|cubbyhole|identity)(\/|$)/.exec(value)?.[2];
    if (reserved) return `has the segment "${reserved}", a name Vault reserves; choose another namespace name`;
    if (/["'`\\$]/.test(value)) {
      return "holds a quote, '\\' or '$', which Vault namespace names do not take and which would break the generated login command; remove it";
    }
    if (value.endsWith("/"))
      return "ends with '/'; Vault namespace paths do not (write admin/team-a, not admin/team-a/)";
    return invisibleIn(value);
  },
};

/**
 * A policy path's globs, as vault/policy.go (parsePaths) reads them: `+*` is refused outright
 * ("invalid use of wildcards ('+*' is forbidden)"); a `*` is a glob only as the last character —
 * anywhere else it is a literal '*' that requests never contain; `+` is a wildcard only as a whole
 * segment.
 */
export function policyPathProblem(path: string): { refuse?: string; warn?: string } {
  if (path.includes("+*")) {
    return {
      refuse: `has "+*", which Vault refuses ("invalid use of wildcards ('+*' is forbidden)", vault/policy.go); write +/* or end the path in *`,
    };
  }
  const early = path.slice(0, -1).indexOf("*");
  if (early >= 0) {
    return {
      refuse:
        `has "*" before the end, where Vault reads it as a literal "*" (only a final "*" is a glob, vault/policy.go), ` +
        `so it would match only paths that contain "*"; use "+" for one whole segment (e.g. secret/data/+/config) or end the path in *`,
    };
  }
  const partial = path.split("/").find((segment) => segment.includes("+") && segment !== "+");
  if (partial !== undefined) {
    return {
      warn: `has "${partial}", but "+" is a wildcard only as a whole segment (vault/policy.go), so this matches a literal "+"`,
    };
  }
  if (invisibleIn(path)) return { refuse: invisibleIn(path) };
  return {};
}

/**
 * Vault's default system max TTL: 768h (32 days, https://developer.hashicorp.com/vault/docs/configuration#max_lease_ttl).
 * Token TTLs and periods above the mount's or system's max are capped to it.
 */
export const DEFAULT_MAX_TTL_SECONDS = 768 * 3600;

/**
 * One Vault, however its address is spelt: the WHATWG URL parser lowercases the scheme and host
 * and drops the default port; a trailing '/' is not part of the address. Takes an address the
 * schema accepted (vaultAddress, kubernetesHost), which the URL parser reads.
 */
export function sameVaultKey(address: string): string {
  const url = new URL(address);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
}
