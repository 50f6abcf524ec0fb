import type { TerraformResource } from "cdktf";
import type { IConstruct } from "constructs";
import type { AuthRoleOptions } from "./auth-role-options";

/** A resource and the id `terraform import` takes for it. */
export interface Adoptable {
  readonly resource: TerraformResource;
  readonly importId: string;
}

/** A Vault role of an auth mount, whichever the method. */
export interface AuthRole extends IConstruct {
  /** Vault role name: what the workload names when it logs in. */
  readonly roleName: string;
  /** Path of the mount, as a Terraform reference. */
  readonly backendPath: string;
  /** The provider's role resource. */
  readonly resource: TerraformResource;
}

/** An auth mount of either method, as the stack uses it. */
export interface AuthMount extends IConstruct {
  readonly path: string;
  /** `auth/<path>/login`: the same call, with `role` and `jwt`, for both methods. */
  readonly loginPath: string;
  /** Adds a Vault role; its construct id is the role name, so its address is stable. */
  addRole(roleName: string, options: AuthRoleOptions): AuthRole;
  adoptExisting(): Adoptable[];
}

/** The validation every mount adds: a mount without roles lets no pod log in. */
export function requireRoles(mount: IConstruct, roles: () => readonly unknown[]): void {
  mount.node.addValidation({
    validate: () => (roles().length === 0 ? ["roles is empty: no pod can log in here; add one with addRole"] : []),
  });
}
