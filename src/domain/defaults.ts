/**
 * The defaults that both the config file and the constructs apply, each written once. The schema
 * fills them into the parsed file (and into the JSON Schema, for editors); a construct applies
 * them to a prop left out, and its `@default` names the same value. A default that only one side
 * has (the file's example config, the reviewer accounts' names in reviewer-names.ts, the JWT
 * mount's library path "jwt") lives on that side alone.
 */
export const DEFAULTS = {
  /** Terraform refuses to destroy an auth mount: a destroy revokes every token it issued. */
  preventDestroy: true,
  /** The Kubernetes method ignores a token's iss, as Vault recommends since 1.9. */
  disableIssValidation: true,
  /** The Kubernetes method's mount path (the file's default for the jwt method too; docs/jwt-method.md). */
  kubernetesMountPath: "kubernetes",
  /** The vault-pod reviewer binds Vault's own ServiceAccount to system:auth-delegator. */
  createBinding: true,
  /** The long-lived-token reviewer's namespace exists already. */
  createNamespace: false,
  /** An EKS connection runs `aws eks get-token` rather than a 15-minute token from the plan. */
  staticToken: false,
  /** Terraform runs outside the cluster it configures. */
  inCluster: false,
  /** kvRead reads a KV version 2 engine. */
  kvVersion: 2,
} as const;
