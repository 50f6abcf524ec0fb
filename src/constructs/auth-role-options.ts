import type { IConstruct } from "constructs";
import { boundListProblems, cidrProblems, selectorProblems } from "../checks/fields";
import { type AuthMethodName, roleProblems } from "../checks/role";
import type { Duration } from "../domain/duration";
import type { AliasNameSource, NamespaceSelector, TokenType } from "../domain/role-options";
import { check, throwProblems } from "./check";

/** A Vault policy as a role refers to it: by a reference to its name, so Terraform writes it first. */
export interface IVaultPolicy {
  /** The policy's name as a Terraform reference. */
  readonly policyName: string;
}

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
   * Vault policies attached to issued tokens: a `VaultPolicy` of the stack (the role is then
   * written after it), or the name of one Vault has from elsewhere. Full admin is never implied:
   * name it.
   * @default - none: the token carries only Vault's `default` policy
   */
  readonly tokenPolicies?: (IVaultPolicy | string)[];
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
 * A role's props as provider fields: the one place a Duration becomes seconds, and a policy
 * object its name (a Terraform reference, so the policy is written before the role). Fields left
 * out stay out of the JSON, so adding an option never changes an existing role's plan.
 */
export function tokenFields(options: AuthRoleOptions): TokenFields {
  return {
    tokenPolicies: options.tokenPolicies?.map((policy) => (typeof policy === "string" ? policy : policy.policyName)),
    tokenPeriod: options.tokenPeriod?.toSeconds(),
    tokenTtl: options.tokenTtl?.toSeconds(),
    tokenMaxTtl: options.tokenMaxTtl?.toSeconds(),
    tokenExplicitMaxTtl: options.tokenExplicitMaxTtl?.toSeconds(),
    tokenNoDefaultPolicy: options.tokenNoDefaultPolicy,
    tokenBoundCidrs: options.tokenBoundCidrs,
    tokenType: options.tokenType,
  };
}

/**
 * Refuses what a role's props say wrong, field by field and across fields (src/checks/role.ts, the
 * checks the config file runs on its role entries), as `role` and on a mount of `method`.
 */
export function checkRole(role: IConstruct, options: AuthRoleOptions, roleName: string, method: AuthMethodName): void {
  check(role, ["roleName"], "vaultRoleName", roleName, "a role name");
  throwProblems(role, boundListProblems(options.boundServiceAccountNames, "dns1123Subdomain"), [
    "boundServiceAccountNames",
  ]);
  const namespaces = options.boundServiceAccountNamespaces;
  if (namespaces !== undefined) {
    throwProblems(role, boundListProblems(namespaces, "dns1123Label"), ["boundServiceAccountNamespaces"]);
  }
  const selector = options.boundServiceAccountNamespaceSelector;
  // The JWT method refuses any selector (roleProblems), so its labels are not looked at first.
  if (selector !== undefined && method === "kubernetes") {
    throwProblems(role, selectorProblems(selector.matchLabels), ["boundServiceAccountNamespaceSelector"]);
  }
  if (options.tokenBoundCidrs !== undefined) {
    throwProblems(role, cidrProblems(options.tokenBoundCidrs), ["tokenBoundCidrs"]);
  }
  throwProblems(role, roleProblems(options, method));
}
