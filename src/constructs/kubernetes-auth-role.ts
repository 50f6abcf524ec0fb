import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { roleWarnings } from "../checks/role";
import { KubernetesAuthBackendRole } from "../providers";
import { type AuthRoleOptions, checkRole, tokenFields } from "./auth-role-options";
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
    checkRole(this, props, props.roleName, "kubernetes");
    const namespaces = props.boundServiceAccountNamespaces;
    const selector = props.boundServiceAccountNamespaceSelector;

    this.resource = new KubernetesAuthBackendRole(this, "Resource", {
      backend: props.backendPath,
      roleName: props.roleName,
      boundServiceAccountNames: props.boundServiceAccountNames,
      boundServiceAccountNamespaces: namespaces,
      // Vault reads the selector as YAML or JSON (vault-plugin-auth-kubernetes v0.23.1 namespace_validator.go:98-109); JSON is YAML.
      boundServiceAccountNamespaceSelector: selector && JSON.stringify({ matchLabels: selector.matchLabels }),
      aliasNameSource: props.aliasNameSource,
      ...tokenFields(props),
      audience: props.audience,
    });

    for (const { message } of roleWarnings(props.roleName, props, "kubernetes", props.reviewerMode)) {
      Annotations.of(this).addWarning(message);
    }
  }
}
