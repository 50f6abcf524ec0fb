import type { ClusterConfig, Config } from "../../config/schema";
import { didYouMean } from "../../domain/validation";
import { roleKey } from "../../formats/vault";
import type { ServiceAccountJwt } from "../jwt";
import { findRole } from "../roles";
import { JWT_LOGIN_CHECKS } from "./jwt-login";
import { KUBERNETES_LOGIN_CHECKS } from "./kubernetes-login";
import { type CheckResult, fail, type LiveMount, type LoginCheck, pass } from "./login-check";

export interface NamedResult extends CheckResult {
  readonly name: string;
}

export interface Diagnosis {
  /** No check failed: Vault would accept the login, as far as can be told offline. */
  readonly ok: boolean;
  readonly checks: readonly NamedResult[];
}

export interface LoginQuestion {
  readonly config: Config;
  readonly cluster: ClusterConfig;
  readonly roleName: string;
  readonly jwt: ServiceAccountJwt;
  /** Seconds since the epoch. */
  readonly now: number;
  readonly reviewerJwt?: ServiceAccountJwt;
  /** doctor --live: the mount and role came from Vault. */
  readonly live?: LiveMount;
}

/** The login checks of the cluster's auth method, in Vault's order: one table per method. */
function loginChecks(cluster: ClusterConfig): readonly LoginCheck[] {
  return cluster.auth.method === "jwt" ? JWT_LOGIN_CHECKS : KUBERNETES_LOGIN_CHECKS;
}

/**
 * Replays Vault's checks of a login. Vault stops at the first failure and says little
 * ("permission denied"); this runs every check, so one round of fixes is enough. Only a role
 * that does not exist stops it: there is nothing left to check against.
 */
export function diagnoseLogin(question: LoginQuestion): Diagnosis {
  const { config, cluster, roleName, jwt, now, reviewerJwt, live } = question;
  const clusterIndex = config.clusters.indexOf(cluster);
  const roleIndex = findRole(cluster, roleName);
  const mount = `auth/${cluster.auth.path}`;
  if (roleIndex < 0) {
    const names = cluster.roles.map((role) => role.name);
    const said =
      cluster.auth.method === "jwt"
        ? // vault-plugin-auth-jwt v0.25.0 path_login.go:85-91, with the name lowercased (line 30)
          `role ${JSON.stringify(roleKey(roleName))} could not be found`
        : // vault-plugin-auth-kubernetes v0.23.1 path_login.go:132-138
          `invalid role name ${JSON.stringify(roleName)}`;
    return {
      ok: false,
      checks: [
        {
          name: "role",
          ...fail(
            `no role ${JSON.stringify(roleName)} on ${mount} (Vault compares role names in lowercase), so Vault answers: ${said}${didYouMean(roleName, names)}`,
            `log in as one of ${names.join(", ")}, or add the role under clusters[${clusterIndex}].roles`,
          ),
        },
      ],
    };
  }
  const role = cluster.roles[roleIndex];
  const attempt = { cluster, clusterIndex, role, roleIndex, jwt, now, reviewerJwt, live };
  const found =
    role.name === roleName
      ? `role ${JSON.stringify(roleName)} exists on ${mount}`
      : `role ${JSON.stringify(roleName)} is role ${JSON.stringify(role.name)} of ${mount}: Vault compares role names in lowercase`;
  const source = live ? ` (read from Vault: ${live.rolePath})` : "";
  const checks: NamedResult[] = [
    { name: "role", ...pass(`${found}${source}`) },
    ...loginChecks(cluster).map((step) => ({ name: step.name, ...step.check(attempt) })),
  ];
  return { ok: checks.every((check) => check.status !== "fail"), checks };
}

export interface RoleVerdict extends Diagnosis {
  readonly role: string;
}

/** For a token without a role: what each role of the cluster would say to it. */
export function diagnoseEveryRole(question: Omit<LoginQuestion, "roleName">): RoleVerdict[] {
  return question.cluster.roles.map((role) => ({
    role: role.name,
    ...diagnoseLogin({ ...question, roleName: role.name }),
  }));
}
