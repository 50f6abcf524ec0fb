import type { PolicyRule } from "../../policy/capabilities";

/**
 * Vault's built-in `default` policy, which every token of a Kubernetes auth role carries (the
 * role's token_no_default_policy is never set here). Copied rule for rule from
 * hashicorp/vault v1.21.2 vault/policy_store.go:69-162 (`defaultPolicy`). A Vault that was
 * initialised by an older version keeps the default policy it was created with, unless an
 * operator rewrote it; `vault policy read default` shows the one in use.
 */
export const DEFAULT_POLICY: readonly PolicyRule[] = [
  { path: "auth/token/lookup-self", capabilities: ["read"] },
  { path: "auth/token/renew-self", capabilities: ["update"] },
  { path: "auth/token/revoke-self", capabilities: ["update"] },
  { path: "sys/capabilities-self", capabilities: ["update"] },
  { path: "identity/entity/id/{{identity.entity.id}}", capabilities: ["read"] },
  { path: "identity/entity/name/{{identity.entity.name}}", capabilities: ["read"] },
  { path: "sys/internal/ui/resultant-acl", capabilities: ["read"] },
  { path: "sys/renew", capabilities: ["update"] },
  { path: "sys/leases/renew", capabilities: ["update"] },
  { path: "sys/leases/lookup", capabilities: ["update"] },
  { path: "cubbyhole/*", capabilities: ["create", "read", "update", "delete", "list"] },
  { path: "sys/wrapping/wrap", capabilities: ["update"] },
  { path: "sys/wrapping/lookup", capabilities: ["update"] },
  { path: "sys/wrapping/unwrap", capabilities: ["update"] },
  { path: "sys/tools/hash", capabilities: ["update"] },
  { path: "sys/tools/hash/*", capabilities: ["update"] },
  { path: "sys/control-group/request", capabilities: ["update"] },
  { path: "identity/oidc/provider/+/authorize", capabilities: ["read", "update"] },
];
