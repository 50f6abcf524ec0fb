import type { ClusterConfig, RoleConfig } from "../../config/schema";
import type { ServiceAccountJwt } from "../jwt";

/** A login as Vault would see it: the mount's config, the named role and the presented JWT. */
export interface LoginAttempt {
  readonly cluster: ClusterConfig;
  /** Positions in the config file, so a fix can name the field (`clusters[0].roles[1].audience`). */
  readonly clusterIndex: number;
  readonly role: RoleConfig;
  readonly roleIndex: number;
  readonly jwt: ServiceAccountJwt;
  /** Seconds since the epoch. */
  readonly now: number;
  /** The reviewer's JWT, when the user has it at hand (long-lived-token mode). */
  readonly reviewerJwt?: ServiceAccountJwt;
  /** Set by `doctor --live`: the mount and role were read from Vault, not from a config. */
  readonly live?: LiveMount;
}

/**
 * What `doctor --live` knows beyond the config's shape: Vault's paths (so a fix names the Vault
 * field, not a config field), and settings a mount written by hand may have that this tool never
 * writes. Built by src/answers/live/login-inputs.ts.
 */
export interface LiveMount {
  /** `auth/<mount>/role/<role>` and `auth/<mount>/config`. */
  readonly rolePath: string;
  readonly configPath: string;
  /** Kubernetes: the mount's `issuer`, compared with iss when validation is on (path_login.go:344-350). */
  readonly issuer?: string;
  /** JWT: the role's bound `sub` values as Vault holds them, and how it matches them. */
  readonly boundSubjects?: readonly string[];
  readonly boundClaimsType?: string;
  /** Kubernetes: who presents the TokenReview, when Vault does not say whose token it holds. */
  readonly reviewer?: "stored-jwt" | "local-or-client";
}

/** The Vault field behind each config field a fix may name (doctor --live). */
const VAULT_FIELDS: Record<string, string> = {
  audience: "audience",
  boundServiceAccountNames: "bound_service_account_names",
  boundServiceAccountNamespaces: "bound_service_account_namespaces",
  tokenBoundCidrs: "token_bound_cidrs",
  aliasNameSource: "alias_name_source",
  "auth.disableIssValidation": "disable_iss_validation",
  "auth.reviewer.mode": "token_reviewer_jwt and disable_local_ca_jwt",
  "auth.reviewer": "token_reviewer_jwt",
  "auth.reviewer.apiAudiences": "the API server's --api-audiences",
  "auth.jwt.issuer": "bound_issuer",
  "auth.jwt.publicKeys": "jwt_validation_pubkeys",
};

/** pass: Vault would accept this part; fail: it would refuse; skip: not checkable offline, or not checked by Vault. */
export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  readonly status: CheckStatus;
  /** What was found, in a sentence. */
  readonly detail: string;
  /** For a failure: the config field to change and the value that would work. */
  readonly fix?: string;
  /** For a check that cannot be made offline: how to make it by hand. */
  readonly verify?: string;
}

/** One step of an auth method's login, in the order Vault takes it. */
export interface LoginCheck {
  readonly name: string;
  check(attempt: LoginAttempt): CheckResult;
}

export const pass = (detail: string): CheckResult => ({ status: "pass", detail });
export const skip = (detail: string, verify?: string): CheckResult =>
  verify === undefined ? { status: "skip", detail } : { status: "skip", detail, verify };
export const fail = (detail: string, fix: string): CheckResult => ({ status: "fail", detail, fix });

/** `clusters[0].roles[1].audience`: where the user changes it (live: `audience of auth/k8s/role/app`). */
export function roleField(attempt: LoginAttempt, field: string): string {
  if (attempt.live) {
    const name =
      attempt.cluster.auth.method === "jwt" && field === "audience" ? "bound_audiences" : VAULT_FIELDS[field];
    return `${name ?? field} of ${attempt.live.rolePath}`;
  }
  return `clusters[${attempt.clusterIndex}].roles[${attempt.roleIndex}].${field}`;
}

export function clusterField(attempt: LoginAttempt, field: string): string {
  if (attempt.live) return `${VAULT_FIELDS[field] ?? field} of ${attempt.live.configPath}`;
  return `clusters[${attempt.clusterIndex}].${field}`;
}
