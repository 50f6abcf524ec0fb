/**
 * Closed sets of values for role options, shared by the config schema and the constructs (a lower
 * room than both, like duration.ts). Pure: no cdktf, no provider.
 */

/**
 * How Vault's Kubernetes auth names a login's entity alias (vault-plugin-auth-kubernetes v0.23.1
 * path_role.go:63-71): by the ServiceAccount's UID (Vault's default; a re-created ServiceAccount
 * is a new entity) or by `<namespace>/<name>` (the entity survives re-creation, and so does
 * whatever is attached to it).
 */
export const ALIAS_NAME_SOURCES = ["serviceaccount_uid", "serviceaccount_name"] as const;
export type AliasNameSource = (typeof ALIAS_NAME_SOURCES)[number];

/**
 * Token types a role may ask for (vault/sdk v0.20.0, the sdk Vault 1.21.2 pins, which both auth
 * plugins use: helper/tokenutil/tokenutil.go:202-216): `default` (the mount's tuning decides,
 * service unless tuned), `service` or `batch`. Batch tokens cannot be periodic (tokenutil.go:225-228).
 */
export const TOKEN_TYPES = ["default", "service", "batch"] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/**
 * A label selector for the namespaces a role admits. Only `matchLabels`: Vault refuses
 * `matchExpressions` ("label selector match expressions are not supported",
 * vault-plugin-auth-kubernetes v0.23.1 namespace_validator.go:111-126).
 */
export interface NamespaceSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
}

/** Why a batch token type cannot go with `period`, for the schema and the construct alike. */
export const BATCH_PERIOD_PROBLEM =
  "is batch, but batch tokens cannot be periodic: Vault refuses the role (\"'token_type' cannot be 'batch' or " +
  "'default_batch' when set to generate periodic tokens\", vault/sdk helper/tokenutil/tokenutil.go:225-228); " +
  "drop tokenPeriod or use token type service";

/** A ServiceAccount token's `sub`: `system:serviceaccount:<namespace>:<name>` (k8s.io/apiserver serviceaccount.MakeUsername). */
export const SUBJECT_PREFIX = "system:serviceaccount:";

/**
 * The `sub` claims a JWT role admits for bound names and namespaces: every pair, with "*" kept as
 * a glob (the role then sets bound_claims_type = glob; see JwtAuthRole for why it means the same).
 */
export function serviceAccountSubjects(names: readonly string[], namespaces: readonly string[]): string[] {
  return namespaces.flatMap((namespace) => names.map((name) => `${SUBJECT_PREFIX}${namespace}:${name}`));
}
