import type { Duration } from "../domain/duration";
import { BATCH_PERIOD_PROBLEM } from "../domain/role-options";
import { clientJwtAudienceProblem, NAMESPACE_SELECTOR_NEEDS_REVIEWER, show } from "../domain/validation";
import {
  broadPatternWarnings,
  everyServiceAccountWarning,
  noAudienceClientJwtWarning,
  noAudienceWarning,
} from "../domain/warnings";
import { isGlob } from "../formats/glob";
import { DEFAULT_MAX_TTL_SECONDS } from "../formats/vault";
import type { ReviewerModeName } from "./mount";
import type { Problem } from "./problem";

/**
 * The checks of one Vault role that need more than one of its fields, or the mount it is on:
 * run by the config file on each role entry and by the role constructs on their props, so both
 * refuse the same mistakes in the same words. Paths are relative to the role.
 */

/** A role's fields as both the config file (RoleConfig) and the constructs (AuthRoleOptions) have them. */
export interface RoleFields {
  readonly boundServiceAccountNames?: readonly string[] | undefined;
  readonly boundServiceAccountNamespaces?: readonly string[] | undefined;
  readonly boundServiceAccountNamespaceSelector?: unknown;
  readonly aliasNameSource?: string | undefined;
  readonly tokenPeriod?: Duration | undefined;
  readonly tokenTtl?: Duration | undefined;
  readonly tokenMaxTtl?: Duration | undefined;
  readonly tokenExplicitMaxTtl?: Duration | undefined;
  readonly tokenType?: string | undefined;
  readonly audience?: string | undefined;
}

export type AuthMethodName = "kubernetes" | "jwt";

/** The refusals and warnings of a role on a mount of `method`. */
export function roleProblems(role: RoleFields, method: AuthMethodName | undefined): Problem[] {
  const problems: Problem[] = [];
  const { tokenTtl: ttl, tokenMaxTtl: maxTtl, tokenPeriod: period } = role;
  // Vault refuses only a TTL above a max TTL that is set: 0 means "the mount's" (vault-plugin-auth-kubernetes
  // v0.23.1 path_role.go:288, vault-plugin-auth-jwt v0.25.0 path_role.go:563: TokenMaxTTL > 0 && TokenTTL > TokenMaxTTL).
  if (ttl !== undefined && maxTtl !== undefined && maxTtl.toSeconds() > 0 && ttl.toSeconds() > maxTtl.toSeconds()) {
    problems.push({
      path: ["tokenTtl"],
      message: `${show(ttl.written)} (${ttl.toSeconds()}s) is greater than tokenMaxTtl ${show(maxTtl.written)} (${maxTtl.toSeconds()}s); lower tokenTtl or raise tokenMaxTtl`,
    });
  }
  // vault-plugin-auth-kubernetes v0.23.1 path_role.go:322-328.
  if (role.boundServiceAccountNamespaces === undefined && role.boundServiceAccountNamespaceSelector === undefined) {
    problems.push({
      path: ["boundServiceAccountNamespaces"],
      message:
        'is required (Vault refuses a role with neither namespaces nor a namespace selector); list namespaces, ["*"] for any, or give boundServiceAccountNamespaceSelector',
    });
  }
  if (role.tokenType === "batch" && period !== undefined && period.toSeconds() > 0) {
    problems.push({ path: ["tokenType"], message: BATCH_PERIOD_PROBLEM });
  }
  if (method === "jwt") problems.push(...jwtRoleProblems(role));
  problems.push(...lifetimeWarnings(role));
  return problems;
}

/**
 * What the JWT method cannot express (vault-plugin-auth-jwt v0.25.0, which Vault 1.21.2 pins): a
 * role without an audience, a namespace selector, an alias per ServiceAccount UID.
 */
function jwtRoleProblems(role: RoleFields): Problem[] {
  const problems: Problem[] = [];
  if (role.audience === undefined) {
    problems.push({
      path: ["audience"],
      message:
        "is required with auth.method: jwt: Vault refuses any token with an aud claim on a role without audiences " +
        '("audience claim found in JWT but no audiences bound to the role", vault-plugin-auth-jwt v0.25.0 path_login.go:164-180), ' +
        'and Kubernetes tokens always carry one; set audience (e.g. "vault") and mount a projected token with it',
    });
  }
  if (role.boundServiceAccountNamespaceSelector !== undefined) {
    problems.push({
      path: ["boundServiceAccountNamespaceSelector"],
      message:
        "cannot work with auth.method: jwt: Vault matches the token's claims only, and they carry no namespace labels; list boundServiceAccountNamespaces",
    });
  }
  if (role.aliasNameSource === "serviceaccount_uid") {
    problems.push({
      path: ["aliasNameSource"],
      message: `${show(role.aliasNameSource)} cannot be kept with auth.method: jwt, which names the alias after sub (system:serviceaccount:<namespace>:<name>), per name like serviceaccount_name; remove aliasNameSource or set serviceaccount_name`,
    });
  }
  return problems;
}

/**
 * What a role of a client-jwt mount cannot do: the mount stores no reviewer JWT, so Vault presents
 * each pod's own token to the TokenReview API, and each bound ServiceAccount is bound to
 * system:auth-delegator by name.
 */
export function clientJwtRoleProblems(role: RoleFields, apiAudiences: readonly string[] = []): Problem[] {
  const problems: Problem[] = [];
  if (role.boundServiceAccountNamespaceSelector !== undefined) {
    problems.push({ path: ["boundServiceAccountNamespaceSelector"], message: NAMESPACE_SELECTOR_NEEDS_REVIEWER });
  }
  if (role.audience !== undefined && !apiAudiences.includes(role.audience)) {
    problems.push({ path: ["audience"], message: clientJwtAudienceProblem(role.audience) });
  }
  for (const field of ["boundServiceAccountNames", "boundServiceAccountNamespaces"] as const) {
    const values = role[field] ?? [];
    // "*" is a glob too, but a list holding it takes the first branch.
    const pattern = values.find((value) => isGlob(value));
    if (values.includes("*")) {
      problems.push({
        path: [field],
        message:
          'holds "*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator; ' +
          "list concrete names, or use the long-lived-token or vault-pod reviewer",
      });
    } else if (pattern !== undefined) {
      problems.push({
        path: [field],
        message: `holds the pattern ${show(pattern)}, but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator by name; list concrete names, or use the long-lived-token or vault-pod reviewer`,
      });
    }
  }
  return problems;
}

/**
 * What Vault does with token lifetimes above the effective max TTL (the mount's, else the
 * system's, 768h by default): a TTL, max TTL or explicit max TTL is capped to it at login, with a
 * warning in the response (CalculateTTL in Vault's sdk); a period makes Vault refuse the role
 * itself ("token period ... is greater than the backend's maximum lease TTL",
 * vault-plugin-auth-kubernetes v0.23.1 path_role.go:281-283, vault-plugin-auth-jwt v0.25.0
 * path_role.go:441-443). Warned, not refused: the max can be raised. With a period set, the TTL
 * is not used, because every renewal resets the token to the period.
 */
function lifetimeWarnings(role: RoleFields): Problem[] {
  const found: Problem[] = [];
  const { tokenPeriod: period, tokenTtl: ttl, tokenMaxTtl: maxTtl } = role;
  for (const field of ["tokenPeriod", "tokenTtl", "tokenMaxTtl", "tokenExplicitMaxTtl"] as const) {
    const value = role[field];
    if (value !== undefined && value.toSeconds() > DEFAULT_MAX_TTL_SECONDS) {
      found.push({
        path: [field],
        message:
          `${show(value.written)} (${value.toSeconds()}s) is above Vault's default max TTL of 768h (32 days): ` +
          (field === "tokenPeriod"
            ? `Vault refuses the role ("token period ... is greater than the backend's maximum lease TTL") `
            : "Vault caps it to 768h ") +
          "unless max_lease_ttl was raised for the system or this auth mount (vault auth tune -max-lease-ttl=...)",
        warning: true,
      });
    }
  }
  // At login and renewal Vault caps a period to the role's max TTL when that is set and lower
  // (vault/sdk framework/lease.go, CalculateTTL: "period ... exceeded the effective max_ttl").
  if (
    period !== undefined &&
    maxTtl !== undefined &&
    maxTtl.toSeconds() > 0 &&
    period.toSeconds() > maxTtl.toSeconds()
  ) {
    found.push({
      path: ["tokenPeriod"],
      message: `${show(period.written)} (${period.toSeconds()}s) is above tokenMaxTtl ${show(maxTtl.written)} (${maxTtl.toSeconds()}s): Vault caps the period to it at every login and renewal; lower tokenPeriod or raise tokenMaxTtl (or drop it: a periodic token needs none)`,
      warning: true,
    });
  }
  // A period of 0 is no period: Vault issues an ordinary token, whose TTL counts.
  if (period !== undefined && period.toSeconds() > 0 && ttl !== undefined) {
    found.push({
      path: ["tokenTtl"],
      message: `${show(ttl.written)} has no effect next to tokenPeriod: Vault issues a periodic token, and every renewal resets it to the period; drop tokenTtl`,
      warning: true,
    });
  }
  return found;
}

/**
 * The warnings a role's construct adds at synth (the words are src/domain/warnings.ts), in its
 * order; `validate` predicts them from the file through config/synth-warnings.ts. Paths are
 * relative to the role: its name, or the bound entry a broad pattern is in.
 */
export function roleWarnings(
  roleName: string,
  role: RoleFields & { readonly boundServiceAccountNames: readonly string[] },
  method: AuthMethodName,
  reviewerMode: ReviewerModeName | undefined,
): Problem[] {
  const found: Problem[] = [];
  const names = role.boundServiceAccountNames;
  const namespaces = role.boundServiceAccountNamespaces ?? [];
  if (method === "kubernetes" && role.audience === undefined) {
    const message = reviewerMode === "client-jwt" ? noAudienceClientJwtWarning(roleName) : noAudienceWarning(roleName);
    found.push({ path: ["name"], message, warning: true });
  }
  const lists = [
    ["boundServiceAccountNames", names, "ServiceAccount name"],
    ["boundServiceAccountNamespaces", namespaces, "namespace"],
  ] as const;
  for (const [field, values, what] of lists) {
    values.forEach((value, position) => {
      for (const message of broadPatternWarnings(`role ${roleName}: ${field}`, [value], what)) {
        found.push({ path: [field, position], message, warning: true });
      }
    });
  }
  if (method === "kubernetes" && names.includes("*") && namespaces.includes("*")) {
    found.push({ path: ["name"], message: everyServiceAccountWarning(roleName), warning: true });
  }
  return found;
}
