import { Annotations } from "cdktf";
import { Construct } from "constructs";
import type { Duration } from "../duration";
import { KubernetesAuthBackendRole } from "../providers";
import { ValidationError } from "../validation";
import { check } from "./check";

export interface KubernetesAuthRoleOptions {
  /** ServiceAccount names allowed to log in, or `["*"]` for any. */
  readonly boundServiceAccountNames: string[];
  /** Namespaces those ServiceAccounts live in, or `["*"]` for any. */
  readonly boundServiceAccountNamespaces: string[];
  /**
   * Vault policies attached to issued tokens. Full admin is never implied: name it.
   * @default - none: the token carries only Vault's `default` policy
   */
  readonly tokenPolicies?: string[];
  /**
   * Makes tokens periodic: renewable forever, each renewal good for this long.
   * @default - tokens are not periodic
   */
  readonly tokenPeriod?: Duration;
  /** @default - the mount's default TTL (Vault: 768h unless tuned) */
  readonly tokenTtl?: Duration;
  /** @default - the mount's maximum TTL */
  readonly tokenMaxTtl?: Duration;
  /**
   * The `aud` claim the presented JWT must carry. Bind one and give the workload a projected
   * token with that audience, so a token meant for another service cannot log in to Vault.
   * @default - no audience check (a synth warning says so)
   */
  readonly audience?: string;
}

export interface KubernetesAuthRoleProps extends KubernetesAuthRoleOptions {
  /** Path of the Kubernetes auth mount (`vault_auth_backend.path`). */
  readonly backendPath: string;
  /** Vault role name: what the workload names when it logs in. */
  readonly roleName: string;
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
    check("vaultName", "role name", props.roleName);
    const field = (name: string) => `role ${props.roleName}: ${name}`;
    validateBoundList(field("boundServiceAccountNames"), props.boundServiceAccountNames, "dns1123Subdomain");
    validateBoundList(field("boundServiceAccountNamespaces"), props.boundServiceAccountNamespaces, "dns1123Label");
    const ttl = props.tokenTtl?.toSeconds();
    const maxTtl = props.tokenMaxTtl?.toSeconds();
    if (ttl !== undefined && maxTtl !== undefined && ttl > maxTtl) {
      throw new ValidationError(
        `${field("tokenTtl")} (${ttl}s) is greater than tokenMaxTtl (${maxTtl}s); lower tokenTtl or raise tokenMaxTtl`,
      );
    }

    this.resource = new KubernetesAuthBackendRole(this, "Resource", {
      backend: props.backendPath,
      roleName: props.roleName,
      boundServiceAccountNames: props.boundServiceAccountNames,
      boundServiceAccountNamespaces: props.boundServiceAccountNamespaces,
      tokenPolicies: props.tokenPolicies,
      tokenPeriod: props.tokenPeriod?.toSeconds(),
      tokenTtl: ttl,
      tokenMaxTtl: maxTtl,
      audience: props.audience,
    });

    if (props.audience === undefined) {
      Annotations.of(this).addWarning(
        `role ${props.roleName}: no audience is bound, so any token of a bound ServiceAccount logs in, ` +
          `whatever service it was issued for (Vault 1.20+ warns about this too). Set audience (e.g. "vault") ` +
          `and give the pod a projected ServiceAccount token with that audience (README: "Bind an audience").`,
      );
    }
    if (props.boundServiceAccountNames.includes("*") && props.boundServiceAccountNamespaces.includes("*")) {
      Annotations.of(this).addWarning(
        `role ${props.roleName}: "*" for both ServiceAccount names and namespaces lets every ServiceAccount ` +
          `of the cluster log in; name the ServiceAccounts or the namespaces`,
      );
    }
  }
}

function validateBoundList(field: string, values: string[], rule: "dns1123Subdomain" | "dns1123Label"): void {
  if (values.length === 0) {
    throw new ValidationError(`${field} is empty; list at least one name, or "*" for any`);
  }
  if (values.includes("*") && values.length > 1) {
    throw new ValidationError(
      `${field} mixes "*" with names (${JSON.stringify(values)}), which Vault rejects; use ["*"] alone or only names`,
    );
  }
  for (const value of values) {
    if (value !== "*") check(rule, field, value);
  }
}
