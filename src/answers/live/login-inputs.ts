/**
 * `doctor --live`: a role and its mount's config as Vault returns them, turned into the inputs the
 * offline checks take (a one-cluster config), so the same checks run in the same order. Read
 * endpoints: vault-plugin-auth-kubernetes v0.23.1 path_config.go:128-150 and path_role.go:151-205,
 * vault-plugin-auth-jwt v0.25.0 path_config.go:200-220 and path_role.go:305-360. Pure.
 */
import { parse } from "yaml";
import type { ClusterConfig, Config, RoleConfig } from "../../config/schema";
import type { LoginQuestion } from "../doctor/doctor";
import type { LiveMount } from "../doctor/login-check";
import type { ServiceAccountJwt } from "../jwt";
import { type Fields, vaultPaths } from "./desired";

export interface LiveLogin {
  readonly mount: string;
  /** The mount's type from sys/auth. */
  readonly type: "kubernetes" | "jwt";
  readonly roleName: string;
  /** auth/<mount>/role/<role> (a role Vault lacks is refused before: src/cli/doctor-live.ts). */
  readonly role: Fields;
  /** auth/<mount>/config (never holding the reviewer JWT: Vault does not return it). */
  readonly config: Fields;
  readonly jwt: ServiceAccountJwt;
  readonly now: number;
  readonly reviewerJwt?: ServiceAccountJwt;
}

export interface LiveQuestion {
  readonly question: LoginQuestion;
  /** What the role holds that these checks do not replay, one sentence each. */
  readonly notReplayed: string[];
}

const strings = (value: unknown): string[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
const text = (value: unknown): string => (value === undefined || value === null ? "" : String(value));

export function liveLoginQuestion(login: LiveLogin): LiveQuestion {
  const { mount, type, roleName, role, config } = login;
  const notReplayed: string[] = [];
  const live: LiveMount = {
    rolePath: vaultPaths.role(mount, roleName),
    configPath: vaultPaths.config(mount),
    ...(type === "kubernetes" ? kubernetesLive(config) : {}),
    ...(type === "jwt" ? jwtLive(role) : {}),
  };
  const roles: RoleConfig[] = [
    type === "jwt" ? jwtRole(roleName, role, login.jwt, notReplayed) : kubernetesRole(roleName, role),
  ];
  const cluster = {
    name: mount.replace(/[^a-z0-9-]/g, "-"),
    kubernetes: { inCluster: false },
    vault: {},
    auth: type === "jwt" ? jwtAuth(mount, config) : kubernetesAuth(mount, config),
    policies: [],
    roles,
    importExisting: false,
  } as unknown as ClusterConfig;
  const question: LoginQuestion = {
    config: { clusters: [cluster] } as Config,
    cluster,
    roleName,
    jwt: login.jwt,
    now: login.now,
    live,
    ...(login.reviewerJwt !== undefined ? { reviewerJwt: login.reviewerJwt } : {}),
  };
  return { question, notReplayed };
}

function kubernetesLive(config: Fields): Partial<LiveMount> {
  const issuer = text(config.issuer);
  const reviewer =
    config.token_reviewer_jwt_set === true
      ? "stored-jwt"
      : config.disable_local_ca_jwt === true
        ? undefined
        : "local-or-client";
  return { ...(issuer !== "" ? { issuer } : {}), ...(reviewer !== undefined ? { reviewer } : {}) };
}

function kubernetesAuth(mount: string, config: Fields) {
  return {
    method: "kubernetes",
    path: mount,
    // With disable_local_ca_jwt and no stored JWT, the client's own token is the TokenReview's bearer:
    // client-jwt exactly (backend.go:347-358); the other two cases are LiveMount.reviewer.
    reviewer: { mode: "client-jwt" },
    preventDestroy: true,
    disableIssValidation: config.disable_iss_validation === true,
  };
}

function kubernetesRole(name: string, role: Fields): RoleConfig {
  const selector = parseSelector(text(role.bound_service_account_namespace_selector));
  const namespaces = strings(role.bound_service_account_namespaces);
  const cidrs = strings(role.token_bound_cidrs);
  const audience = text(role.audience);
  return {
    name,
    boundServiceAccountNames: strings(role.bound_service_account_names),
    ...(namespaces.length > 0 ? { boundServiceAccountNamespaces: namespaces } : {}),
    ...(selector !== undefined ? { boundServiceAccountNamespaceSelector: selector } : {}),
    tokenPolicies: strings(role.token_policies),
    ...(audience !== "" ? { audience } : {}),
    ...(cidrs.length > 0 ? { tokenBoundCidrs: cidrs } : {}),
    aliasNameSource:
      text(role.alias_name_source) === "serviceaccount_name" ? "serviceaccount_name" : "serviceaccount_uid",
  } as RoleConfig;
}

/**
 * Vault reads the selector as YAML or JSON into a LabelSelector (vault-plugin-auth-kubernetes
 * v0.23.1 namespace_validator.go:100-109, k8s.io/apimachinery's YAMLOrJSONDecoder); JSON is YAML,
 * so one YAML parser reads both. Only matchLabels is shown; text that does not parse has none.
 */
function parseSelector(value: string): { matchLabels: Record<string, string> } | undefined {
  if (value.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = parse(value);
  } catch {
    // Not YAML: no labels. Vault refuses such a selector when the role is written (path_role.go:331-332).
  }
  const labels = isRecord(parsed) && isRecord(parsed.matchLabels) ? parsed.matchLabels : {};
  return { matchLabels: Object.fromEntries(Object.entries(labels).map(([key, label]) => [key, String(label)])) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function jwtLive(role: Fields): Partial<LiveMount> {
  const claims =
    role.bound_claims !== null && typeof role.bound_claims === "object"
      ? (role.bound_claims as Record<string, unknown>)
      : {};
  // No sub bound: every sub is accepted (claims.go:137-139 checks only the claims that are bound).
  if (claims.sub === undefined) return { boundSubjects: ["*"], boundClaimsType: "glob" };
  return { boundSubjects: strings(claims.sub), boundClaimsType: text(role.bound_claims_type) || "string" };
}

function jwtAuth(mount: string, config: Fields) {
  const issuer = text(config.bound_issuer);
  const keys = strings(config.jwt_validation_pubkeys);
  return {
    method: "jwt",
    path: mount,
    jwt: { ...(issuer !== "" ? { issuer } : {}), ...(keys.length > 0 ? { publicKeys: keys } : {}) },
    reviewer: { mode: "client-jwt" },
    preventDestroy: true,
    disableIssValidation: false,
  };
}

/**
 * A JWT role's bound_audiences are a list; the audience check takes one. The one the token carries
 * stands for the list (Vault accepts any of them), else the first (the check then fails, as Vault does).
 */
function jwtRole(name: string, role: Fields, jwt: ServiceAccountJwt, notReplayed: string[]): RoleConfig {
  const audiences = strings(role.bound_audiences);
  const audience = audiences.find((candidate) => jwt.audiences.includes(candidate)) ?? audiences[0];
  const claims =
    role.bound_claims !== null && typeof role.bound_claims === "object" ? Object.keys(role.bound_claims as object) : [];
  const others = claims.filter((claim) => claim !== "sub");
  if (others.length > 0) notReplayed.push(`bound_claims ${others.join(", ")} (only sub is replayed)`);
  if (text(role.bound_subject) !== "") notReplayed.push(`bound_subject ${JSON.stringify(role.bound_subject)}`);
  const userClaim = text(role.user_claim);
  if (userClaim !== "" && userClaim !== "sub")
    notReplayed.push(`user_claim ${JSON.stringify(userClaim)} (the alias is replayed as sub)`);
  const cidrs = strings(role.token_bound_cidrs);
  return {
    name,
    boundServiceAccountNames: ["*"],
    boundServiceAccountNamespaces: ["*"],
    tokenPolicies: strings(role.token_policies),
    ...(audience !== undefined ? { audience } : {}),
    ...(cidrs.length > 0 ? { tokenBoundCidrs: cidrs } : {}),
  } as RoleConfig;
}
