import { Fn, Op } from "cdktf";
import { Construct } from "constructs";
import { roleNameProblems } from "../checks/names";
import { DEFAULTS } from "../domain/defaults";
import { DataVaultAuthBackends, JwtAuthBackend as JwtAuthBackendResource } from "../providers";
import { type Adoptable, type AuthMount, requireRoles } from "./auth-mount";
import type { AuthRoleOptions } from "./auth-role-options";
import { check, throwProblems } from "./check";
import { JwtAuthRole } from "./jwt-auth-role";
import type { JwtIssuer } from "./jwt-issuer";

export interface JwtAuthBackendProps {
  /**
   * Where the auth method is mounted: pods log in at `auth/<path>/login`.
   * @default "jwt" - the method's name, as `vault auth enable jwt` mounts it. The config file's
   * `auth.path` has a default of its own, "kubernetes" whatever the method (its schema owns it, and a
   * stack built from the file always passes the path), so switching a file's method keeps its mount path.
   */
  readonly path?: string;
  /** @default - no description */
  readonly description?: string;
  /**
   * The cluster's service-account issuer and how Vault gets its keys. Bound in the mount's parent
   * scope, beside the stack's providers (an EKS lookup keeps the ids "aws" and "EksCluster").
   */
  readonly issuer: JwtIssuer;
  /**
   * Terraform refuses to destroy the mount: destroying it revokes every token issued through it.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * A JWT auth method mount in Vault that trusts a Kubernetes cluster's service-account issuer:
 * Vault checks each pod's token against the issuer's keys, with no reviewer ServiceAccount, no
 * long-lived token and no network path to the API server. The trade-off: Vault never asks the
 * API server, so a token stays valid until it expires, even after its pod or ServiceAccount is
 * deleted. Add roles with `addRole`.
 * See https://developer.hashicorp.com/vault/docs/auth/jwt/oidc-providers/kubernetes
 */
export class JwtAuthBackend extends Construct implements AuthMount {
  readonly path: string;
  readonly resource: JwtAuthBackendResource;
  /** Roles live under their own scope, as on the Kubernetes mount. */
  private readonly roleScope: Construct;
  private readonly roleList: JwtAuthRole[] = [];

  constructor(scope: Construct, id: string, props: JwtAuthBackendProps) {
    super(scope, id);
    this.path = props.path ?? "jwt";
    check(this, ["path"], "vaultMountPath", this.path, "a Vault mount path");
    const issuer = props.issuer.bind(scope);
    // Switching a cluster from the Kubernetes method to this one removes the vault_auth_backend
    // block, and Terraform destroys a resource whose block is gone: prevent_destroy lives in that
    // block and goes with it. So the plan itself refuses a JWT mount where Vault has a Kubernetes
    // mount at the same path, before anything is destroyed (the provider lists sys/auth with
    // the paths' trailing '/' trimmed, vault/data_source_auth_backends.go).
    const kubernetesMounts = new DataVaultAuthBackends(this, "KubernetesMounts", { type: "kubernetes" });
    this.resource = new JwtAuthBackendResource(this, "Resource", {
      type: "jwt",
      path: this.path,
      description: props.description,
      boundIssuer: issuer.boundIssuer,
      oidcDiscoveryUrl: issuer.oidcDiscoveryUrl,
      oidcDiscoveryCaPem: issuer.oidcDiscoveryCaPem,
      jwtValidationPubkeys: issuer.jwtValidationPubkeys,
      // As on the Kubernetes mount: a changed path is otherwise a remount that prevent_destroy
      // never sees (terraform-provider-vault v5.6.0 vault/resource_jwt_auth_backend.go:25 adds
      // disable_remount, :193 hands the path diff to resource_aws_secret_backend.go:180-202,
      // which forces a replacement when it is set).
      disableRemount: true,
      lifecycle: {
        preventDestroy: props.preventDestroy ?? DEFAULTS.preventDestroy,
        precondition: [
          {
            condition: Op.not(Fn.contains(kubernetesMounts.paths, this.path)),
            errorMessage:
              `Vault has a Kubernetes auth mount at auth/${this.path}: replacing it with a JWT mount would destroy it ` +
              `and revoke every token it issued. Give the JWT mount its own auth.path and move the pods over ` +
              `(docs/configure.md: "Switching the auth method without downtime").`,
          },
        ],
      },
    });
    this.roleScope = new Construct(this, "Roles");
    requireRoles(this, () => this.roleList);
  }

  /** Adds a Vault role to this mount; its construct id is the role name, so its address is stable. */
  addRole(roleName: string, options: AuthRoleOptions): JwtAuthRole {
    throwProblems(this, roleNameProblems([...this.roleList.map((role) => role.roleName), roleName]));
    // A reference to the mount's path, not the literal, so Terraform creates the mount first.
    const role = new JwtAuthRole(this.roleScope, roleName, { ...options, backendPath: this.resource.path, roleName });
    this.roleList.push(role);
    return role;
  }

  /** Import blocks for a mount and roles that already exist (the import ids the provider takes). */
  adoptExisting(): Adoptable[] {
    const adopted: Adoptable[] = [
      { resource: this.resource, importId: this.path },
      ...this.roleList.map((role) => ({
        resource: role.resource,
        importId: `auth/${this.path}/role/${role.roleName}`,
      })),
    ];
    for (const { resource, importId } of adopted) resource.importFrom(importId);
    return adopted;
  }

  /** The roles added so far (a copy). */
  get roles(): JwtAuthRole[] {
    return [...this.roleList];
  }

  /** Where a pod posts its JWT: `auth/<path>/login`, the same call as on a Kubernetes mount. */
  get loginPath(): string {
    return `auth/${this.path}/login`;
  }
}
