import type { IConstruct } from "constructs";
import { closest, distance } from "fastest-levenshtein";
import { awsRegion, eksClusterName, s3BucketName } from "../formats/aws";
import { cidr } from "../formats/cidr";
import { oidcIssuer, pemPublicKey } from "../formats/jwt";
import { dns1123Label, dns1123Subdomain, labelKey, labelValue, rbacName } from "../formats/kubernetes";
import { holdsPrivateKey, readCertificateBundle } from "../formats/pem";
import type { Rule } from "../formats/rule";
import { kubernetesHost, vaultAddress } from "../formats/url";
import { authMountPath, secretMountPath, vaultNamespace, vaultPolicyName, vaultRoleName } from "../formats/vault";

/**
 * An error in what the user asked for (props or the config file). The entry point prints its
 * message alone, without a stack trace: the message is the whole report. Thrown by a construct,
 * it carries the construct's path (as aws-cdk's ValidationError does), and its message starts with
 * it: `vault/KubernetesAuth/Roles/atlantis: tokenTtl: ...`.
 */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  /** The path of the construct that refused its props, when a construct did. */
  readonly constructPath?: string;

  constructor(message: string, scope?: IConstruct) {
    super(scope === undefined ? message : `${scope.node.path}: ${message}`);
    if (scope !== undefined) this.constructPath = scope.node.path;
  }
}

/**
 * Rules shared by the constructs and the config schema, so both say the same thing; each is the
 * rule of the system that consumes the value (see src/formats). Pure: no cdktf, no provider.
 */
export const rules = {
  dns1123Label,
  dns1123Subdomain,
  rbacName,
  labelKey,
  labelValue,
  cidr,
  oidcIssuer,
  pemPublicKey,
  vaultMountPath: authMountPath,
  secretMountPath,
  vaultRoleName,
  vaultPolicyName,
  vaultNamespace,
  vaultAddress,
  kubernetesHost,
  eksClusterName,
  awsRegion,
  s3BucketName,
  pemCertificate: {
    pattern: /-----BEGIN CERTIFICATE-----/,
    fix: "paste the cluster CA as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- (e.g. kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)",
    reason: (value: string) => (value.includes("-----BEGIN") ? readCertificateBundle(value).problem : undefined),
  },
} as const satisfies Record<string, Rule>;

export type RuleName = keyof typeof rules;

/**
 * Why `value` breaks `rule`, as `<value> <reason>` or `<value> is not <what>; <fix>`, or undefined
 * when it is accepted. A value holding a private key is never quoted.
 */
export function refusal(rule: RuleName, value: string, what: string): string | undefined {
  const { pattern, fix, reason } = rules[rule] as Rule;
  // Empty is refused unless the rule's own pattern takes it (a Kubernetes label value may be empty).
  if (value === "" && !pattern.test(value)) return `is empty; ${fix}`;
  const why = reason(value);
  if (why === undefined && pattern.test(value)) return undefined;
  const quoted = holdsPrivateKey(value) ? "" : `${show(value)} `;
  return why !== undefined ? `${quoted}${why}` : `${quoted}is not ${what}; ${fix}`;
}

/**
 * A URL's user name and password (`https://user:pass@host`) as `***`: a message may name a URL,
 * never a credential in it. The userinfo runs from "://" to the last '@' before the end of the
 * authority ('/', '?', '#', and '\' for http(s)), as the WHATWG URL parser reads it
 * (https://url.spec.whatwg.org/#authority-state).
 */
export function hideUserinfo(text: string): string {
  return text.replace(/:\/\/[^\s/?#\\]+@/g, "://***@");
}

/**
 * Shows a value the way it was written, for error messages; never the text of a private key,
 * nor the user name and password of a URL, also when they sit inside a list or mapping written
 * where text belongs.
 */
export function show(value: unknown): string {
  if (typeof value === "string") {
    if (holdsPrivateKey(value)) return "(a private key, not shown)";
    const shown = hideUserinfo(value);
    return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 77)}...` : shown);
  }
  const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === "string" ? hideUserinfo(item) : item));
  if (text !== undefined && holdsPrivateKey(text)) return "(a value holding a private key, not shown)";
  return text ?? String(value);
}

/** `; did you mean "x"?` when one of `known` is close enough to be a typo of `value`, else "". */
export function didYouMean(value: string, known: string[]): string {
  if (known.length === 0) return "";
  const guess = closest(value, known);
  const near = distance(value.toLowerCase(), guess.toLowerCase()) <= Math.max(2, Math.floor(guess.length / 3));
  return near ? `; did you mean ${show(guess)}?` : "";
}

/**
 * Why a role of a client-jwt mount cannot bind `audience`. With no reviewer JWT stored, Vault
 * sends the pod's own JWT as the bearer of the TokenReview call (vault-plugin-auth-kubernetes
 * v0.23.1 token_review.go:69-74); the API server authenticates a bearer only for its own
 * `--api-audiences`, so a token with `aud: vault` gets 401, which Vault turns into
 * `permission denied` (path_login.go:179-184).
 */
export function clientJwtAudienceProblem(audience: string): string {
  return (
    `${show(audience)} cannot work with the client-jwt reviewer: Vault presents the pod's own token ` +
    `to the TokenReview API as its credential, and the API server accepts only tokens for its own audiences ` +
    `(--api-audiences), so every login would get "permission denied". Drop audience, or use the long-lived-token ` +
    `or vault-pod reviewer; if it is the API server's own audience, list it in auth.reviewer.apiAudiences`
  );
}

/**
 * Why a namespace selector needs a reviewer JWT: Vault reads the namespace's labels with the
 * configured reviewer JWT and refuses the login without one ("namespace lookup failed: TokenReviewer
 * JWT needs to be configured to use namespace selectors", vault-plugin-auth-kubernetes v0.23.1
 * namespace_validator.go:67-70); the client-jwt reviewer stores none.
 */
export const NAMESPACE_SELECTOR_NEEDS_REVIEWER =
  "needs a reviewer JWT, which the client-jwt reviewer does not store: Vault reads the namespace's labels with it " +
  '(namespace_validator.go:67-70) and answers "namespace not authorized" without; list boundServiceAccountNamespaces, ' +
  "or use the long-lived-token or vault-pod reviewer";

/**
 * Why a reviewer's bindingName cannot be `<namespace>-<serviceAccountName>-namespace-reader`: the
 * namespace reader's ClusterRoleBinding (for boundServiceAccountNamespaceSelector) has that name,
 * and the provider creates each binding with a plain Create (terraform-provider-kubernetes v2.38.0
 * kubernetes/resource_kubernetes_cluster_role_binding_v1.go:67-69), so the second fails.
 */
export const READER_BINDING_CLASH =
  "is also the name of the ClusterRoleBinding that lets the reviewer read namespaces for boundServiceAccountNamespaceSelector " +
  '(<namespace>-<serviceAccountName>-namespace-reader), so this stack would create two bindings of one name and the apply fails with "already exists"; choose another bindingName';
