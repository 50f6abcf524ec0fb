import { Construct } from "constructs";
import { caCertificateProblem } from "../checks/mount";
import { roleNameProblems } from "../checks/names";
import { DEFAULTS } from "../domain/defaults";
import { AuthBackend, KubernetesAuthBackendConfig } from "../providers";
import { type Adoptable, type AuthMount, requireRoles } from "./auth-mount";
import { check, throwProblems } from "./check";
import { KubernetesAuthRole, type KubernetesAuthRoleOptions } from "./kubernetes-auth-role";
import type { NamespaceReader } from "./namespace-reader";
import { Reviewer, type ReviewerMode } from "./reviewer";

export interface KubernetesAuthBackendProps {
  /**
   * Where the auth method is mounted: pods log in at `auth/<path>/login`.
   * @default "kubernetes"
   */
  readonly path?: string;
  /** @default - no description */
  readonly description?: string;
  /** Kubernetes API URL as Vault reaches it (`kubernetes_host`). */
  readonly kubernetesHost: string;
  /**
   * PEM CA certificate of the Kubernetes API. Optional for the `vaultPod` reviewer only, which
   * then reads its own pod's CA.
   * @default - none (Vault uses its pod's CA with `vaultPod`, else the system trust store)
   */
  // `| undefined`: ClusterEndpoint.caCertificate passes straight in under exactOptionalPropertyTypes.
  readonly kubernetesCaCert?: string | undefined;
  /** @default Reviewer.longLivedToken() */
  readonly reviewer?: Reviewer;
  /**
   * Skip the `iss` claim check. The provider sends `false` when this is omitted, which fails
   * logins with tokens from clusters whose issuer is not Vault's default, so it is always sent.
   * @default true
   */
  readonly disableIssValidation?: boolean;
  /**
   * Terraform refuses to destroy the mount: destroying it revokes every token issued through it.
   * docs/deploy.md, "Removing a mount on purpose", says how to opt out.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A Kubernetes auth method mount in Vault and its config (API host, CA, reviewer).
 * Add roles with `addRole`.
 * See https://developer.hashicorp.com/vault/docs/auth/kubernetes
 */
export class KubernetesAuthBackend extends Construct implements AuthMount {
  readonly path: string;
  readonly reviewerMode: ReviewerMode;
  private readonly reviewer: Reviewer;
  private readonly mount: AuthBackend;
  /** Roles live under their own scope, so a role named like another child ("Config") cannot clash. */
  private readonly roleScope: Construct;
  private readonly config: KubernetesAuthBackendConfig;
  private readonly reviewerAdoptable: Adoptable[];
  private readonly roleList: KubernetesAuthRole[] = [];
  /** Created with the first role that selects namespaces by label. */
  private namespaceReader?: NamespaceReader;

  constructor(scope: Construct, id: string, props: KubernetesAuthBackendProps) {
    super(scope, id);
    this.path = props.path ?? DEFAULTS.kubernetesMountPath;
    check(this, ["path"], "vaultMountPath", this.path, "a Vault mount path");
    check(this, ["kubernetesHost"], "kubernetesHost", props.kubernetesHost, "an https URL");
    this.reviewer = props.reviewer ?? Reviewer.longLivedToken();
    this.reviewerMode = this.reviewer.mode;

    this.mount = new AuthBackend(this, "Resource", {
      type: "kubernetes",
      path: this.path,
      description: props.description,
      // By default a changed path is an in-place `sys/remount` (terraform-provider-vault v5.6.0
      // vault/resource_auth_backend.go:32 and :208, util/util.go:383), which revokes every token
      // the mount issued, and prevent_destroy never sees it. With disable_remount the provider
      // forces a replacement instead (vault/resource_aws_secret_backend.go:193-201), which
      // prevent_destroy refuses.
      disableRemount: true,
      lifecycle: { preventDestroy: props.preventDestroy ?? DEFAULTS.preventDestroy },
    });

    this.roleScope = new Construct(this, "Roles");
    requireRoles(this, () => this.roleList);
    const reviewer = this.reviewer.bind(this);
    this.reviewerAdoptable = reviewer.adoptable;
    if (reviewer.needsCaCert && props.kubernetesCaCert === undefined) {
      throwProblems(this, [caCertificateProblem(this.reviewerMode, ["kubernetesCaCert"])]);
    }

    this.config = new KubernetesAuthBackendConfig(this, "Config", {
      backend: this.mount.path,
      kubernetesHost: props.kubernetesHost,
      // A CA given is kept in every mode: vault-pod reads its own pod's CA only when the config
      // holds none (vault-plugin-auth-kubernetes v0.23.1 backend.go:362-368), and an endpoint
      // behind a proxy needs the proxy's.
      kubernetesCaCert: props.kubernetesCaCert,
      tokenReviewerJwt: reviewer.tokenReviewerJwt,
      disableLocalCaJwt: reviewer.disableLocalCaJwt,
      disableIssValidation: props.disableIssValidation ?? DEFAULTS.disableIssValidation,
    });
  }

  /** Adds a Vault role to this mount; its construct id is the role name, so its address is stable. */
  addRole(roleName: string, options: KubernetesAuthRoleOptions): KubernetesAuthRole {
    throwProblems(this, roleNameProblems([...this.roleList.map((role) => role.roleName), roleName]));
    // A reference to the mount's path, not the literal, so Terraform creates the mount first.
    const role = new KubernetesAuthRole(this.roleScope, roleName, {
      ...options,
      backendPath: this.mount.path,
      roleName,
      reviewerMode: this.reviewerMode,
    });
    const serviceAccounts = (options.boundServiceAccountNamespaces ?? []).flatMap((namespace) =>
      options.boundServiceAccountNames.map((name) => ({ name, namespace })),
    );
    this.reviewer.bindRole(role, this.path, { ...options, name: roleName, serviceAccounts });
    if (options.boundServiceAccountNamespaceSelector !== undefined && this.namespaceReader === undefined) {
      this.namespaceReader = this.reviewer.grantNamespaceRead(this, this.path);
    }
    this.roleList.push(role);
    return role;
  }

  /**
   * Emits Terraform import blocks for what may already exist (the mount, its config, the roles
   * added so far, the reviewer's ServiceAccount and binding), so a deploy adopts them instead
   * of failing on "already exists" or, worse, replacing a mount and revoking its tokens.
   * Import blocks for resources already in state are no-ops. docs/migration-from-seed.md.
   */
  adoptExisting(): Adoptable[] {
    const adopted: Adoptable[] = [
      { resource: this.mount, importId: this.path },
      { resource: this.config, importId: `auth/${this.path}/config` },
      ...this.roleList.map((role) => ({
        resource: role.resource,
        importId: `auth/${this.path}/role/${role.roleName}`,
      })),
      ...this.reviewerAdoptable,
    ];
    for (const { resource, importId } of adopted) resource.importFrom(importId);
    return adopted;
  }

  /** The roles added so far (a copy). */
  get roles(): KubernetesAuthRole[] {
    return [...this.roleList];
  }

  /** Where a pod posts its JWT: `auth/<path>/login`. */
  get loginPath(): string {
    return `auth/${this.path}/login`;
  }
}
