import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { roleWarnings } from "../checks/role";
import { serviceAccountSubjects } from "../domain/role-options";
import { JwtAuthBackendRole } from "../providers";
import { type AuthRoleOptions, checkRole, tokenFields } from "./auth-role-options";

/**
 * The projected token's claims the Kubernetes method puts on the entity alias and the token as
 * metadata (vault-plugin-auth-kubernetes v0.23.1 path_login.go:203-223), copied under the same
 * keys, so policies templated on `service_account_name`, `_namespace` or `_uid` read the same
 * values after a switch. A key starting with "/" is a JSON pointer into the claims
 * (vault-plugin-auth-jwt v0.25.0 claims.go:41-53); the token carries them as `kubernetes.io` →
 * `namespace` and `serviceaccount` → `name`, `uid` (k8s.io/kubernetes v1.34.4
 * pkg/serviceaccount/claims.go:53-67). The JWT method copies the alias metadata to the token
 * (path_login.go:191-203). Not copied: `service_account_secret_name`, which the Kubernetes method
 * sets from a legacy Secret token's claims (empty for a projected one); the JWT method refuses
 * those tokens, which carry no audience.
 */
export const SERVICE_ACCOUNT_CLAIM_MAPPINGS: Readonly<Record<string, string>> = {
  "/kubernetes.io/namespace": "service_account_namespace",
  "/kubernetes.io/serviceaccount/name": "service_account_name",
  "/kubernetes.io/serviceaccount/uid": "service_account_uid",
};

export interface JwtAuthRoleProps extends AuthRoleOptions {
  /** Path of the JWT auth mount (`vault_jwt_auth_backend.path`). */
  readonly backendPath: string;
  /** Vault role name: what the workload names when it logs in. */
  readonly roleName: string;
}

/**
 * A Vault role of a JWT auth mount that admits ServiceAccount tokens the way a Kubernetes auth
 * role does: the bound ServiceAccount names and namespaces become accepted `sub` claims, the
 * audience becomes `bound_audiences`, and the entity alias is named after `sub`.
 *
 * A `*` (`"*"` alone, or in a pattern such as `atlantis-*`) makes the role's bound claims globs
 * (`bound_claims_type = glob`; a role without one keeps `string`, exact matches), and then means
 * what it means in the Kubernetes method, where Vault matches names and namespaces each with
 * ryanuber/go-glob v1.0.0 (vault-plugin-auth-kubernetes v0.23.1 path_login.go:389-401): the JWT
 * method matches `sub` with the same go-glob (vault-plugin-auth-jwt v0.25.0 claims.go:144-168),
 * where `*` matches any run of characters and nothing else is special. A `sub` is
 * `system:serviceaccount:<namespace>:<name>`, and neither a namespace (a DNS label) nor a
 * ServiceAccount name (a DNS subdomain) nor a pattern of the schema holds ':', so the one ':'
 * between them in a pattern can only meet the one in `sub`: `system:serviceaccount:team-*:atlantis-*`
 * admits exactly the ServiceAccounts named atlantis-* in namespaces named team-*.
 * See https://developer.hashicorp.com/vault/api-docs/auth/jwt#create-update-role
 */
export class JwtAuthRole extends Construct {
  readonly roleName: string;
  readonly backendPath: string;
  readonly resource: JwtAuthBackendRole;

  constructor(scope: Construct, id: string, props: JwtAuthRoleProps) {
    super(scope, id);
    this.roleName = props.roleName;
    this.backendPath = props.backendPath;
    checkRole(this, props, props.roleName, "jwt");
    const names = props.boundServiceAccountNames;
    // checkRole refuses a JWT role without namespaces or without an audience.
    const namespaces = props.boundServiceAccountNamespaces as string[];
    const audience = props.audience as string;

    for (const { message } of roleWarnings(props.roleName, props, "jwt", undefined)) {
      Annotations.of(this).addWarning(message);
    }

    const subjects = serviceAccountSubjects(names, namespaces);
    this.resource = new JwtAuthBackendRole(this, "Resource", {
      backend: props.backendPath,
      roleName: props.roleName,
      claimMappings: { ...SERVICE_ACCOUNT_CLAIM_MAPPINGS },
      roleType: "jwt",
      // vault-plugin-auth-jwt v0.25.0 path_login.go:237-251: the alias is named after this claim.
      userClaim: "sub",
      boundAudiences: [audience],
      // The provider joins a list with commas and splits it again (resource_jwt_auth_backend_role.go:427-446,
      // :266-279); no name or namespace holds a comma.
      boundClaims: { sub: subjects.join(",") },
      boundClaimsType: subjects.some((subject) => subject.includes("*")) ? "glob" : "string",
      ...tokenFields(props),
    });
  }
}
