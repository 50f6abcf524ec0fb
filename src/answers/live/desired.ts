/**
 * What a cluster's stack writes to Vault, in the form Vault's API returns it, from the config
 * alone: no cdktf, no provider, no synth. Each value below is the one the construct sends
 * (src/constructs, through terraform-provider-vault v5.6.0) after Vault has stored it: durations
 * in seconds, lists as sets, omitted options at Vault's defaults. Read endpoints:
 * vault-plugin-auth-kubernetes v0.23.1 path_config.go:128-150 and path_role.go:151-205,
 * vault-plugin-auth-jwt v0.25.0 path_config.go:200-220 and path_role.go:305-360,
 * sdk v0.20.0 helper/tokenutil/tokenutil.go:250-270 (the token_* fields). Pure.
 */
import { policyRules } from "../../config/policy-rules";
import type { ClusterConfig, RoleConfig } from "../../config/schema";
import { serviceAccountSubjects } from "../../domain/role-options";
import type { PolicyRule } from "../../policy/capabilities";

/** The fields of one Vault object that the stack sets, by Vault's field names. */
export type Fields = Readonly<Record<string, unknown>>;

export interface DesiredCluster {
  readonly name: string;
  /** cluster.vault: where deploy writes (VAULT_ADDR / VAULT_NAMESPACE when unset). */
  readonly vault: { readonly address?: string; readonly namespace?: string };
  /** The auth mount's path, e.g. `kubernetes` or `k8s/prod`. */
  readonly mount: string;
  readonly mountFields: Fields;
  readonly configFields: Fields;
  readonly roles: ReadonlyMap<string, Fields>;
  readonly policies: ReadonlyMap<string, readonly PolicyRule[]>;
  /** Fields deploy looks up elsewhere (EKS), which drift therefore does not compare. */
  readonly notCompared: readonly string[];
}

/** Vault's API paths of a cluster's objects, as drift names them. */
export const vaultPaths = {
  mount: (mount: string) => `auth/${mount}`,
  config: (mount: string) => `auth/${mount}/config`,
  roles: (mount: string) => `auth/${mount}/role`,
  role: (mount: string, role: string) => `auth/${mount}/role/${role}`,
  policy: (name: string) => `sys/policies/acl/${name}`,
};

export function desiredCluster(cluster: ClusterConfig): DesiredCluster {
  const { auth, kubernetes } = cluster;
  const jwt = auth.method === "jwt";
  const notCompared: string[] = [];
  let configFields: Record<string, unknown>;
  if (jwt) {
    // JwtIssuer (src/constructs/jwt-issuer.ts): bound_issuer always; keys by discovery or pinned.
    const keys = auth.jwt?.publicKeys;
    const issuer = auth.jwt?.issuer;
    configFields = {
      ...(kubernetes.eks === undefined && issuer !== undefined
        ? { bound_issuer: issuer, oidc_discovery_url: keys === undefined ? issuer : "" }
        : {}),
      jwt_validation_pubkeys: (keys ?? []).map((key) => key.trim()),
    };
    if (kubernetes.eks !== undefined)
      notCompared.push("bound_issuer and oidc_discovery_url (EKS: looked up at deploy)");
  } else {
    const mode = auth.reviewer.mode;
    configFields = {
      ...(kubernetes.eks === undefined
        ? { kubernetes_host: kubernetes.host, kubernetes_ca_cert: (kubernetes.caCertificate ?? "").trim() }
        : {}),
      disable_iss_validation: auth.disableIssValidation,
      // Reviewer (src/constructs/reviewer.ts): only client-jwt sets it true; always sent.
      disable_local_ca_jwt: mode === "client-jwt",
      // Vault never returns the JWT itself, only whether one is stored (path_config.go:143).
      token_reviewer_jwt_set: mode === "long-lived-token",
      pem_keys: [],
      issuer: "",
    };
    if (kubernetes.eks !== undefined) {
      notCompared.push("kubernetes_host and kubernetes_ca_cert (EKS: looked up at deploy)");
    }
  }
  return {
    name: cluster.name,
    vault: cluster.vault,
    mount: auth.path,
    mountFields: { type: jwt ? "jwt" : "kubernetes", description: auth.description ?? "" },
    configFields,
    roles: new Map(cluster.roles.map((role) => [role.name, jwt ? jwtRole(role) : kubernetesRole(role)])),
    policies: new Map(cluster.policies.map((policy) => [policy.name, policyRules(policy)])),
    notCompared,
  };
}

/** KubernetesAuthRole (src/constructs/kubernetes-auth-role.ts), as path_role.go:151-205 reads it back. */
function kubernetesRole(role: RoleConfig): Fields {
  const selector = role.boundServiceAccountNamespaceSelector;
  return {
    bound_service_account_names: sorted(role.boundServiceAccountNames),
    bound_service_account_namespaces: sorted(role.boundServiceAccountNamespaces ?? []),
    bound_service_account_namespace_selector: selector ? JSON.stringify({ matchLabels: selector.matchLabels }) : "",
    // Omitted from the answer when empty (path_role.go:175-177).
    audience: role.audience ?? "",
    // The plugin's default when none is sent (path_role.go:63-71).
    alias_name_source: role.aliasNameSource ?? "serviceaccount_uid",
    ...tokenFields(role),
  };
}

/** JwtAuthRole (src/constructs/jwt-auth-role.ts), as the jwt plugin's path_role.go:305-360 reads it back. */
function jwtRole(role: RoleConfig): Fields {
  const subjects = serviceAccountSubjects(role.boundServiceAccountNames, role.boundServiceAccountNamespaces ?? []);
  return {
    role_type: "jwt",
    user_claim: "sub",
    bound_audiences: role.audience === undefined ? [] : [role.audience],
    bound_claims: { sub: sorted(subjects) },
    bound_claims_type: subjects.some((subject) => subject.includes("*")) ? "glob" : "string",
    ...tokenFields(role),
  };
}

/** tokenutil.go:250-268: every token_* field is returned, unset ones at their zero value. */
function tokenFields(role: RoleConfig): Fields {
  return {
    token_policies: sorted(role.tokenPolicies),
    token_period: role.tokenPeriod?.toSeconds() ?? 0,
    token_ttl: role.tokenTtl?.toSeconds() ?? 0,
    token_max_ttl: role.tokenMaxTtl?.toSeconds() ?? 0,
    token_explicit_max_ttl: role.tokenExplicitMaxTtl?.toSeconds() ?? 0,
    token_no_default_policy: role.tokenNoDefaultPolicy ?? false,
    token_bound_cidrs: sorted((role.tokenBoundCidrs ?? []).map(normalCidr)),
    token_type: role.tokenType ?? "default",
  };
}

export function sorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/**
 * A CIDR as Vault prints it back: hashicorp/go-sockaddr v1.0.7 (Vault 1.21.2's pin) writes a
 * single address without its /32 or /128 (ipv4addr.go:468-470, ipv6addr.go:511-513).
 */
export function normalCidr(value: string): string {
  const text = value.trim().toLowerCase();
  return text.replace(/^([0-9.]+)\/32$/, "$1").replace(/^([0-9a-f:.]+)\/128$/, "$1");
}

/**
 * A policy's HCL exactly as the stack's vault_policy_document writes it (terraform-provider-vault
 * v5.6.0 vault/data_source_policy_document.go:313-383: each rule as `path "<path>" {` with its
 * capabilities joined by `", "`, a description as a `#` line above it, rules joined by an empty
 * line). Vault keeps and returns the text as written, so drift compares the text first and parses
 * only a policy whose text differs (parsing costs milliseconds a stanza).
 */
export function providerPolicyText(rules: readonly PolicyRule[]): string {
  return rules
    .map((rule) => {
      const capabilities = rule.capabilities.length > 0 ? `["${rule.capabilities.join('", "')}"]` : "[]";
      const stanza = `path "${rule.path}" {\n  capabilities = ${capabilities}\n}\n`;
      return rule.description ? `# ${rule.description}\n${stanza}` : stanza;
    })
    .join("\n");
}
