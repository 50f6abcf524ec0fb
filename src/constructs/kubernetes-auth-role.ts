import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { ValidationError } from "../domain/validation";
import { everyServiceAccountWarning, noAudienceClientJwtWarning, noAudienceWarning } from "../domain/warnings";
import { KubernetesAuthBackendRole } from "../providers";
import { type AuthRoleOptions, broadPatternWarnings, tokenFields, validateBoundList } from "./auth-role-options";
import { check } from "./check";
import type { ReviewerMode } from "./reviewer";

/** The options of a Kubernetes auth role: every role option applies. */
export type KubernetesAuthRoleOptions = AuthRoleOptions;

export interface KubernetesAuthRoleProps extends KubernetesAuthRoleOptions {
  /** Path of the Kubernetes auth mount (`vault_auth_backend.path`). */
  readonly backendPath: string;
  /** Vault role name: what the workload names when it logs in. */
  readonly roleName: string;
  /**
   * The mount's reviewer mode, so the advice of the no-audience warning fits the mount: with
   * `client-jwt` an audience must be one of the API server's own.
   * @default "long-lived-token"
   */
  readonly reviewerMode?: ReviewerMode;
}

/**
 * A Vault role of a Kubernetes auth mount: which ServiceAccounts may log in and which policies
 * and token lifetimes their Vault tokens get.
 * See https://developer.hashicorp.com/vault/api-docs/auth/kubernetes#create-role
 */
export class KubernetesAuthRole extends Construct {
  readonly roleName: string;
  readonly backendPath: string;
  readonly resource: KubernetesAuthBackendRole;

  constructor(scope: Construct, id: string, props: KubernetesAuthRoleProps) {
    super(scope, id);
    this.roleName = props.roleName;
    this.backendPath = props.backendPath;
    check("vaultRoleName", "role name", props.roleName);
    const field = (name: string) => `role ${props.roleName}: ${name}`;
    validateBoundList(field("boundServiceAccountNames"), props.boundServiceAccountNames, "dns1123Subdomain");
    const namespaces = props.boundServiceAccountNamespaces;
    const selector = props.boundServiceAccountNamespaceSelector;
    if (namespaces !== undefined) validateBoundList(field("boundServiceAccountNamespaces"), namespaces, "dns1123Label");
    if (selector !== undefined) validateSelector(field("boundServiceAccountNamespaceSelector"), selector.matchLabels);
    if (namespaces === undefined && selector === undefined) {
      // vault-plugin-auth-kubernetes v0.23.1 path_role.go:322-328.
      throw new ValidationError(
        `${field("boundServiceAccountNamespaces")} is required unless boundServiceAccountNamespaceSelector is given; ` +
          `list namespaces, or ["*"] for any`,
      );
    }

    this.resource = new KubernetesAuthBackendRole(this, "Resource", {
      backend: props.backendPath,
      roleName: props.roleName,
      boundServiceAccountNames: props.boundServiceAccountNames,
      boundServiceAccountNamespaces: namespaces,
      // Vault reads the selector as YAML or JSON (vault-plugin-auth-kubernetes v0.23.1 namespace_validator.go:98-109); JSON is YAML.
      boundServiceAccountNamespaceSelector: selector && JSON.stringify({ matchLabels: selector.matchLabels }),
      aliasNameSource: props.aliasNameSource,
      ...tokenFields(props.roleName, props),
      audience: props.audience,
    });

    if (props.audience === undefined) {
      Annotations.of(this).addWarning(
        props.reviewerMode === "client-jwt"
          ? noAudienceClientJwtWarning(props.roleName)
          : noAudienceWarning(props.roleName),
      );
    }
    for (const warning of [
      ...broadPatternWarnings(field("boundServiceAccountNames"), props.boundServiceAccountNames, "ServiceAccount name"),
      ...broadPatternWarnings(field("boundServiceAccountNamespaces"), namespaces ?? [], "namespace"),
    ]) {
      Annotations.of(this).addWarning(warning);
    }
    if (props.boundServiceAccountNames.includes("*") && namespaces?.includes("*")) {
      Annotations.of(this).addWarning(everyServiceAccountWarning(props.roleName));
    }
  }
}

/** An empty selector matches every namespace (k8s.io/apimachinery labels.Everything), so it is refused. */
function validateSelector(field: string, matchLabels: Readonly<Record<string, string>>): void {
  const entries = Object.entries(matchLabels ?? {});
  if (entries.length === 0) {
    throw new ValidationError(
      `${field}: matchLabels is empty, and an empty selector admits every namespace; name labels, or use boundServiceAccountNamespaces ["*"]`,
    );
  }
  for (const [key, value] of entries) {
    check("labelKey", `${field}: matchLabels key`, key, "a label key");
    check("labelValue", `${field}: matchLabels.${key}`, value, "a label value");
  }
}
