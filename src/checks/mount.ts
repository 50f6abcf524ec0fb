import { defaultSecretName } from "../domain/reviewer-names";
import { READER_BINDING_CLASH, show } from "../domain/validation";
import type { Problem } from "./problem";

/**
 * Checks of an auth mount's connection and reviewer that need more than one field, run by the
 * config file on a cluster entry and by the constructs on their props, in the same words. Each
 * takes the field it reports at, since the file and the props name some fields differently
 * (`kubernetes.caCertificate`, `kubernetesCaCert`).
 */

/** The Kubernetes method's reviewers. */
export type ReviewerModeName = "long-lived-token" | "vault-pod" | "client-jwt";

/** Vault needs the cluster's CA unless it reads its own pod's (vault-pod). */
export function caCertificateProblem(mode: ReviewerModeName, field: PropertyKey[]): Problem {
  return {
    path: field,
    message: `is required with the ${mode} reviewer (only vault-pod reads Vault's own CA); paste the cluster CA PEM`,
  };
}

/** Terraform in the cluster (inCluster) uses its pod's ServiceAccount; a kubeconfig beside it would be ignored. */
export function inClusterProblems(inCluster: boolean | undefined, kubeconfigGiven: boolean): Problem[] {
  if (!inCluster || !kubeconfigGiven) return [];
  return [
    {
      path: ["inCluster"],
      message:
        "is true, so Terraform uses its pod's own ServiceAccount and reads no kubeconfig; drop kubeconfig or inCluster",
    },
  ];
}

/**
 * The token Secret is named <serviceAccountName>-token unless named, and a Secret name is a DNS
 * subdomain of at most 253 characters (formats/kubernetes.ts dns1123Subdomain, with its source):
 * a valid ServiceAccount name can still make it longer. Reported at the ServiceAccount name,
 * which is what the user wrote.
 */
export function defaultSecretNameProblem(serviceAccountName: string, secretName: string | undefined): Problem[] {
  if (secretName !== undefined || serviceAccountName.length > 253) return [];
  const secret = defaultSecretName(serviceAccountName);
  if (secret.length <= 253) return [];
  return [
    {
      path: ["serviceAccountName"],
      message: `is ${serviceAccountName.length} characters long, so the token Secret's default name (${secret.length} characters, <serviceAccountName>-token) is longer than the 253 Kubernetes allows; set secretName, or shorten serviceAccountName`,
    },
  ];
}

export const EMPTY_PUBLIC_KEYS = "is empty; list the PEM public keys, or leave publicKeys out to use discovery";

/**
 * A reviewer's auth-delegator binding may not take the name of the namespace reader's
 * ClusterRoleBinding (`reader`, `<namespace>-<serviceAccountName>-namespace-reader`), which the
 * stack creates for roles with boundServiceAccountNamespaceSelector: one stack would create two
 * bindings of one name (READER_BINDING_CLASH says why that fails). Reported at the reviewer's
 * bindingName.
 */
export function readerBindingClashProblems(bindingName: string | undefined, reader: string): Problem[] {
  if (bindingName !== reader) return [];
  return [{ path: ["reviewer", "bindingName"], message: `${show(reader)} ${READER_BINDING_CLASH}` }];
}
