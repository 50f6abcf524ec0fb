import type { ClusterConfig } from "../config/schema";
import { roleKey } from "../formats/vault";

/**
 * The role a login names, found as Vault finds it: both methods lowercase the name they are given
 * (vault-plugin-auth-kubernetes v0.23.1 backend.go:375-376; vault-plugin-auth-jwt v0.25.0
 * path_login.go:28-31) and keep roles lowercased, so "ATLANTIS" logs in as atlantis (the config
 * refuses two roles one letter case apart, config/semantic.ts). -1 when there is none.
 */
export function findRole(cluster: ClusterConfig, roleName: string): number {
  return cluster.roles.findIndex((role) => roleKey(role.name) === roleKey(roleName));
}
