import type { Duration } from "../domain/duration";
import {
  type AliasNameSource,
  BATCH_PERIOD_PROBLEM,
  type NamespaceSelector,
  type TokenType,
} from "../domain/role-options";
import { ValidationError } from "../domain/validation";
import { boundPatternProblem, isGlob } from "../formats/glob";
import { roleKey } from "../formats/vault";
import { check } from "./check";

/** A role's options, the same for every auth method; a method refuses what it cannot express. */
export interface AuthRoleOptions {
  /** ServiceAccount names allowed to log in, or `["*"]` for any. */
  readonly boundServiceAccountNames: string[];
  /**
   * Namespaces those ServiceAccounts live in, or `["*"]` for any.
   * @default - none: `boundServiceAccountNamespaceSelector` alone decides (one of the two is required)
   */
  readonly boundServiceAccountNamespaces?: string[];
  /**
   * Namespaces admitted by their labels, ORed with `boundServiceAccountNamespaces`
   * (vault-plugin-auth-kubernetes v0.23.1 path_login.go:396-417). Vault reads the namespace
   * with the reviewer's JWT, so the reviewer is granted `get` on namespaces. Kubernetes method only.
   * @default - no selector
   */
  readonly boundServiceAccountNamespaceSelector?: NamespaceSelector;
  /**
   * What the entity alias of a login is named after. Kubernetes method only; the JWT method
   * names it after `sub` (`system:serviceaccount:<namespace>:<name>`), which is per name too.
   * Removing it does not restore Vault's default on a deployed role: the provider keeps what Vault
   * has and sends the field only when it changes (terraform-provider-vault v5.6.0
   * resource_kubernetes_auth_backend_role.go:69-74 Optional + Computed, :112-122); set
   * `serviceaccount_uid` to go back.
   * @default - Vault's default, `serviceaccount_uid`
   */
  readonly aliasNameSource?: AliasNameSource;
  /**
   * Vault policies attached to issued tokens. Full admin is never implied: name it.
   * @default - none: the token carries only Vault's `default` policy
   */
  readonly tokenPolicies?: string[];
  /**
   * Makes tokens periodic: renewable forever, each renewal good for this long.
   * @default - tokens are not periodic
   */
  readonly tokenPeriod?: Duration;
  /** @default - the mount's default TTL (Vault: 768h unless tuned) */
  readonly tokenTtl?: Duration;
  /** @default - the mount's maximum TTL */
  readonly tokenMaxTtl?: Duration;
  /**
   * A hard end to a token's life that no renewal passes, periodic tokens included.
   * @default - no explicit maximum
   */
  readonly tokenExplicitMaxTtl?: Duration;
  /**
   * Leave Vault's `default` policy off the tokens (it lets a token look itself up and renew itself).
   * @default false
   */
  readonly tokenNoDefaultPolicy?: boolean;
  /**
   * Address blocks a login must come from, and the token is then bound to.
   * @default - any address
   */
  readonly tokenBoundCidrs?: string[];
  /**
   * `service`, `batch` (not renewable, cannot be periodic) or `default` (the mount decides).
   * @default - Vault's `default`
   */
  readonly tokenType?: TokenType;
  /**
   * The `aud` claim the presented JWT must carry. Bind one and give the workload a projected
   * token with that audience, so a token meant for another service cannot log in to Vault.
   * Required by the JWT method.
   * @default - no audience check in the Kubernetes method (a synth warning says so)
   */
  readonly audience?: string;
}

/** The token fields of a role resource, as every auth role of the vault provider names them. */
export interface TokenFields {
  readonly tokenPolicies?: string[];
  readonly tokenPeriod?: number;
  readonly tokenTtl?: number;
  readonly tokenMaxTtl?: number;
  readonly tokenExplicitMaxTtl?: number;
  readonly tokenNoDefaultPolicy?: boolean;
  readonly tokenBoundCidrs?: string[];
  readonly tokenType?: string;
}

/**
 * Checks a role's token options the way Vault will, and returns them as provider fields. Fields
 * left out stay out of the JSON, so adding an option never changes an existing role's plan.
 */
export function tokenFields(roleName: string, options: AuthRoleOptions): TokenFields {
  const field = (name: string) => `role ${roleName}: ${name}`;
  const ttl = options.tokenTtl?.toSeconds();
  const maxTtl = options.tokenMaxTtl?.toSeconds();
  // A max TTL of 0 is unset for Vault (vault-plugin-auth-kubernetes v0.23.1 path_role.go:288).
  if (ttl !== undefined && maxTtl !== undefined && maxTtl > 0 && ttl > maxTtl) {
    throw new ValidationError(
      `${field("tokenTtl")} (${ttl}s) is greater than tokenMaxTtl (${maxTtl}s); lower tokenTtl or raise tokenMaxTtl`,
    );
  }
  const period = options.tokenPeriod?.toSeconds();
  if (options.tokenType === "batch" && period) {
    throw new ValidationError(`${field("tokenType")} ${BATCH_PERIOD_PROBLEM}`);
  }
  if (options.tokenBoundCidrs?.length === 0) {
    throw new ValidationError(`${field("tokenBoundCidrs")} is empty; list address blocks, or leave it out`);
  }
  for (const block of options.tokenBoundCidrs ?? []) check("cidr", field("tokenBoundCidrs"), block, "an address block");
  return {
    tokenPolicies: options.tokenPolicies,
    tokenPeriod: period,
    tokenTtl: ttl,
    tokenMaxTtl: maxTtl,
    tokenExplicitMaxTtl: options.tokenExplicitMaxTtl?.toSeconds(),
    tokenNoDefaultPolicy: options.tokenNoDefaultPolicy,
    tokenBoundCidrs: options.tokenBoundCidrs,
    tokenType: options.tokenType,
  };
}

/**
 * Checks a list of bound names: not empty, `"*"` alone, or names and patterns with `*` (go-glob,
 * as Vault matches them: formats/glob.ts), each able to match a name valid for `rule`.
 */
export function validateBoundList(field: string, values: string[], rule: "dns1123Subdomain" | "dns1123Label"): void {
  if (values.length === 0) {
    throw new ValidationError(`${field} is empty; list at least one name, or "*" for any`);
  }
  if (values.includes("*") && values.length > 1) {
    throw new ValidationError(
      `${field} mixes "*" with names (${JSON.stringify(values)}), which Vault rejects; use ["*"] alone or only names`,
    );
  }
  const what = rule === "dns1123Label" ? "namespace" : "ServiceAccount name";
  for (const value of values) {
    if (!isGlob(value)) check(rule, field, value);
    const problem = boundPatternProblem(value, rule, what);
    if (problem !== undefined) throw new ValidationError(`${field}: ${problem}`);
  }
}

// Its words live in src/domain/warnings.ts, which validate predicts synth's warnings from.
export { broadPatternWarnings } from "../domain/warnings";

/**
 * Refuses a second role of one name on a mount, in any letter case: Vault keeps role names
 * lowercased (vault-plugin-auth-kubernetes v0.23.1 path_role.go:373, vault-plugin-auth-jwt v0.25.0
 * path_role.go:58-60), so "Atlantis" and "atlantis" would write one role and the later would win.
 */
export function refuseSameRole(mountPath: string, roles: readonly { roleName: string }[], roleName: string): void {
  const same = roles.find((role) => roleKey(role.roleName) === roleKey(roleName));
  if (same === undefined) return;
  throw new ValidationError(
    same.roleName === roleName
      ? `auth mount ${mountPath}: role ${roleName} is defined twice; give each role its own name`
      : `auth mount ${mountPath}: roles ${same.roleName} and ${roleName} are one role to Vault, which lowercases role names; give each role a name of its own`,
  );
}
