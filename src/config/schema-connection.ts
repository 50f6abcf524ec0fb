import { z } from "zod";
import { EMPTY_PUBLIC_KEYS } from "../checks/mount";
import { DEFAULTS } from "../domain/defaults";
import { DEFAULT_REVIEWER_ACCOUNT } from "../domain/reviewer-names";
import { show } from "../domain/validation";
import { invisibleIn } from "../formats/rule";
import { exact, label, ruled, strictObject } from "./schema-fields";

/** The config schema's connection to the cluster and to Vault, and the auth mount (schema.ts). */

export const eksSchema = strictObject(
  {
    clusterName: ruled("eksClusterName", "an EKS cluster name").describe(
      "EKS cluster name, as in `aws eks describe-cluster --name`",
    ),
    region: ruled("awsRegion", "an AWS region").describe("AWS region of the cluster, e.g. eu-west-1"),
    staticToken: z
      .boolean()
      .default(DEFAULTS.staticToken)
      .describe(
        "Authenticate with a 15-minute token from aws_eks_cluster_auth instead of running `aws eks get-token`; a saved plan applied later than that fails with Unauthorized",
      ),
  },
  "An EKS cluster, looked up by name with the deploy environment's AWS credentials",
);

export const kubernetesSchema = strictObject(
  {
    eks: eksSchema.optional(),
    host: ruled("kubernetesHost", "an https URL").optional().describe("Kubernetes API URL as Vault reaches it"),
    caCertificate: ruled("pemCertificate", "a PEM certificate").optional().describe("PEM CA of that API"),
    kubeconfig: strictObject({
      path: exact()
        .optional()
        .describe("Default: none; the kubernetes provider reads KUBE_CONFIG_PATH (e.g. ~/.kube/config)"),
      context: exact().optional().describe("Default: the kubeconfig's current context"),
    })
      .optional()
      .describe("How Terraform reaches the cluster when it is not EKS"),
    inCluster: z
      .boolean()
      .default(DEFAULTS.inCluster)
      .describe("Terraform runs in this cluster (e.g. Atlantis) and uses its pod's ServiceAccount; no kubeconfig"),
  },
  "Either eks, or host + caCertificate (+ kubeconfig or inCluster)",
);

export const reviewerSchema = z
  .discriminatedUnion(
    "mode",
    [
      strictObject({
        mode: z.literal("long-lived-token").describe("A reviewer ServiceAccount whose non-expiring token Vault stores"),
        serviceAccountName: ruled("dns1123Subdomain", "a ServiceAccount name")
          .default(DEFAULT_REVIEWER_ACCOUNT["long-lived-token"].serviceAccountName)
          .describe("The reviewer ServiceAccount the stack creates"),
        namespace: label("a namespace")
          .default(DEFAULT_REVIEWER_ACCOUNT["long-lived-token"].namespace)
          .describe("Its namespace, which holds its token Secret too"),
        secretName: ruled("dns1123Subdomain", "a Secret name")
          .optional()
          .describe("The token Secret's name. Default: <serviceAccountName>-token"),
        bindingName: ruled("rbacName", "a ClusterRoleBinding name")
          .optional()
          .describe("The binding to system:auth-delegator. Default: <namespace>-<serviceAccountName>-token-review"),
        createNamespace: z
          .boolean()
          .default(DEFAULTS.createNamespace)
          .describe(
            "Create the namespace too (off: a namespace shared with Vault must not be owned, and destroyed, by this stack)",
          ),
      }),
      strictObject({
        mode: z.literal("vault-pod").describe("Vault runs in this cluster and presents its own pod's token"),
        serviceAccountName: ruled("dns1123Subdomain", "a ServiceAccount name")
          .default(DEFAULT_REVIEWER_ACCOUNT["vault-pod"].serviceAccountName)
          .describe("Vault's own ServiceAccount"),
        namespace: label("a namespace")
          .default(DEFAULT_REVIEWER_ACCOUNT["vault-pod"].namespace)
          .describe("Vault's namespace"),
        bindingName: ruled("rbacName", "a ClusterRoleBinding name")
          .optional()
          .describe("The binding to system:auth-delegator. Default: <namespace>-<serviceAccountName>-token-review"),
        createBinding: z
          .boolean()
          .default(DEFAULTS.createBinding)
          .describe(
            "Bind Vault's ServiceAccount to system:auth-delegator; false when the Helm chart's server.authDelegator already does (<release>-server-binding)",
          ),
      }),
      strictObject({
        mode: z.literal("client-jwt").describe("Vault outside the cluster: each pod's own token is the credential"),
        apiAudiences: z
          .array(z.string().min(1))
          .optional()
          .describe(
            "The API server's own audiences (--api-audiences); a role of this mount may bind only one of these as audience",
          ),
      }),
    ],
    {
      error: (issue) =>
        // invalid_union comes only for a mapping (anything else is a type error, in the loader's words).
        issue.code === "invalid_union"
          ? (issue.input as { mode?: unknown }).mode === undefined
            ? "is required: one of long-lived-token, vault-pod, client-jwt"
            : `reviewer mode ${show((issue.input as { mode?: unknown }).mode)} is not one of long-lived-token, vault-pod, client-jwt`
          : undefined,
    },
  )
  .describe("Who presents a JWT to the TokenReview API (docs/configure.md: Reviewer modes)");

export const jwtSchema = strictObject(
  {
    issuer: z
      .string()
      .min(1)
      .refine((value) => invisibleIn(value) === undefined, {
        error: (issue) => `${show(issue.input)} ${invisibleIn(String(issue.input))}`,
      })
      .optional()
      .describe(
        "The cluster's service-account issuer (the iss of its tokens); required unless kubernetes.eks gives it. Vault discovers its keys at <issuer>/.well-known/openid-configuration unless publicKeys are given",
      ),
    publicKeys: z
      .array(ruled("pemPublicKey", "a PEM public key"))
      .min(1, { error: () => EMPTY_PUBLIC_KEYS })
      .optional()
      .describe(
        "PEM public keys the cluster signs tokens with, for an issuer Vault cannot reach; they must be updated when the cluster rotates its key",
      ),
  },
  "The JWT method's trust in the cluster (auth.method: jwt)",
);

export const authSchema = strictObject({
  method: z
    .enum(["kubernetes", "jwt"], {
      error: (issue) => `${show(issue.input)} is not an auth method; use kubernetes or jwt`,
    })
    .default("kubernetes")
    .describe(
      "kubernetes: Vault asks the API server (TokenReview) about each login. jwt: Vault checks the token's signature against the cluster's issuer keys, with no reviewer and no path to the API server; a token stays valid until it expires",
    ),
  jwt: jwtSchema.optional(),
  path: ruled("vaultMountPath", "a Vault mount path")
    .default(DEFAULTS.kubernetesMountPath)
    .describe("Mount path: pods log in at auth/<path>/login"),
  description: z.string().optional().describe("The mount's description in Vault"),
  // prefault: the default goes through the schema, so the mode's own defaults fill it in.
  reviewer: reviewerSchema.prefault({ mode: "long-lived-token" }),
  preventDestroy: z
    .boolean()
    .default(DEFAULTS.preventDestroy)
    .describe("Terraform refuses to destroy the mount (which would revoke its tokens)"),
  disableIssValidation: z
    .boolean()
    .default(DEFAULTS.disableIssValidation)
    .describe("Vault ignores the token's iss (Kubernetes method), as Vault recommends since 1.9"),
});

export const vaultSchema = strictObject({
  address: ruled("vaultAddress", "an http(s) URL")
    .optional()
    .describe("Default: VAULT_ADDR of the deploy environment. http:// is accepted, with a warning"),
  namespace: ruled("vaultNamespace", "a Vault namespace").optional().describe("Vault Enterprise / HCP namespace"),
});

export const stateSchema = strictObject({
  s3: strictObject({
    bucket: ruled("s3BucketName", "an S3 bucket name").describe("The state bucket"),
    key: exact().optional().describe("Default: vault-k8s-auth/<cluster name>.tfstate"),
    region: ruled("awsRegion", "an AWS region").describe("The bucket's region"),
  }).describe("S3 backend with encryption and S3-native locking (use_lockfile)"),
}).describe("Where Terraform keeps this cluster's state. Default: local file terraform.<cluster>.tfstate");
