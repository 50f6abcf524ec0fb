import { broadPatternWarning } from "../formats/glob";

/**
 * The words of every warning a construct adds at synth, in one pure module: the constructs add
 * them as annotations, and the config check (src/config/synth-warnings.ts) predicts the same list
 * for `validate`, which never loads cdktf. One text per warning, so both say the same thing.
 */

/** The Vault provider's address is plain http. */
export function plainHttpWarning(address: string): string {
  return (
    `vault.address ${address} is plain http: the deploy token and everything Terraform writes to ` +
    `Vault, and the pods' logins and Vault tokens, cross the network in clear. Use https unless the path is ` +
    `private (e.g. a port-forward, or a cluster network you trust).`
  );
}

export const IMPORT_EXISTING_WARNING =
  "importExisting is on: every mount, config, role, policy and reviewer object in this cluster's entry must " +
  "already exist, or the plan fails. Set it back to false after the first deploy (docs/migration-from-seed.md).";

export const STATIC_TOKEN_WARNING =
  "kubernetes.eks.staticToken is on: the token from aws_eks_cluster_auth lasts 15 minutes and is saved in the plan, " +
  "so applying a saved plan later than that (Atlantis applies after review) fails with Unauthorized. " +
  "Turn it off where the AWS CLI is installed.";

/** An explicit cluster without a kubeconfig context: Terraform writes wherever the current context points. */
export function noKubeconfigContextWarning(host: string): string {
  return (
    `kubernetes: no kubeconfig context is set, so Terraform creates the reviewer objects in whatever cluster ` +
    `the current context points at, while Vault is configured for ${host}. Set kubeconfig.context.`
  );
}

/**
 * A Kubernetes auth role without an audience, on a client-jwt mount: the pod's token is the
 * TokenReview's bearer, which the API server authenticates only for its own --api-audiences
 * (validation.ts clientJwtAudienceProblem), so "vault" cannot work there.
 */
export function noAudienceClientJwtWarning(role: string): string {
  return (
    `role ${role}: no audience is bound, so any token of a bound ServiceAccount that the API server ` +
    `accepts logs in, its default token included (Vault 1.20+ warns about this too). With the client-jwt ` +
    `reviewer the token must carry one of the API server's own audiences, so a Vault-only audience such as ` +
    `"vault" cannot be bound here: list the API server's audience in auth.reviewer.apiAudiences and set ` +
    `audience to it, or use the long-lived-token or vault-pod reviewer to bind "vault" (docs/pods.md: "Bind an audience").`
  );
}

/** A Kubernetes auth role without an audience. */
export function noAudienceWarning(role: string): string {
  return (
    `role ${role}: no audience is bound, so any token of a bound ServiceAccount logs in, ` +
    `whatever service it was issued for (Vault 1.20+ warns about this too). Set audience (e.g. "vault") ` +
    `and give the pod a projected ServiceAccount token with that audience (docs/pods.md: "Bind an audience").`
  );
}

/** A Kubernetes auth role that any ServiceAccount of the cluster can log in as. */
export function everyServiceAccountWarning(role: string): string {
  return (
    `role ${role}: "*" for both ServiceAccount names and namespaces lets every ServiceAccount ` +
    `of the cluster log in; name the ServiceAccounts or the namespaces`
  );
}

/** Warnings for the patterns of a role's bound list that admit far more than they look (formats/glob.ts). */
export function broadPatternWarnings(field: string, values: readonly string[], what: string): string[] {
  return values.flatMap((value) => {
    const warning = broadPatternWarning(value, what);
    return warning === undefined ? [] : [`${field}: ${warning}`];
  });
}
