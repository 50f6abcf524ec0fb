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
}

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

/** `clusters[0].roles[1].audience`: where the user changes it. */
export function roleField(attempt: LoginAttempt, field: string): string {
  return `clusters[${attempt.clusterIndex}].roles[${attempt.roleIndex}].${field}`;
}

export function clusterField(attempt: LoginAttempt, field: string): string {
  return `clusters[${attempt.clusterIndex}].${field}`;
}
