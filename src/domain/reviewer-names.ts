import { createHash } from "node:crypto";

/**
 * The names of the Kubernetes objects a reviewer creates, shared by the constructs that create
 * them and the config check that refuses two stacks creating the same one in one cluster.
 */

/** The ServiceAccount each reviewer mode uses when the config names none (the schema's defaults). */
export const DEFAULT_REVIEWER_ACCOUNT = {
  "long-lived-token": { serviceAccountName: "vault-reviewer", namespace: "vault" },
  "vault-pod": { serviceAccountName: "vault", namespace: "vault" },
} as const;

export function defaultSecretName(serviceAccountName: string): string {
  return `${serviceAccountName}-token`;
}

export function defaultBindingName(namespace: string, serviceAccountName: string): string {
  return `${namespace}-${serviceAccountName}-auth-delegator`;
}

/** Names both the ClusterRole and its ClusterRoleBinding. */
export function namespaceReaderName(namespace: string, serviceAccountName: string): string {
  return `${namespace}-${serviceAccountName}-namespace-reader`;
}

/** The client-jwt reviewer's per-role auth-delegator binding. */
export function clientJwtBindingName(mountPath: string, roleName: string): string {
  // Sanitizing can map two roles to one name (app_1, app.1): a hash of the exact pair keeps them apart.
  const readable = `${mountPath}-${roleName}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .slice(0, 200);
  const hash = createHash("sha256").update(`${mountPath}\0${roleName}`).digest("hex").slice(0, 8);
  return `vault-client-jwt-${readable}-${hash}`;
}
