/**
 * The words of a Vault ACL policy, shared by the config schema, the constructs that write
 * policies and the evaluator that answers what a policy allows. Pure: no cdktf here, so code
 * that only reads a config never loads it.
 */

/**
 * The capabilities a Vault policy rule can grant (or, with `deny`, take away), from the pinned provider: terraform-provider-vault v5.6.0
 * vault/data_source_policy_document.go:53-63 (allowedCapabilities), which every policy here goes
 * through. Vault itself also knows them (vault/policy.go: the capability constants).
 */
export const CAPABILITIES = [
  "create",
  "read",
  "update",
  "patch",
  "delete",
  "list",
  "sudo",
  "deny",
  "subscribe",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/**
 * Capabilities current Vault knows that the pinned provider's vault_policy_document refuses
 * ("invalid capability", data_source_policy_document.go:280-286), with what to do instead.
 */
export const UNRENDERABLE_CAPABILITIES: Record<string, string> = {
  recover:
    "is a Vault Enterprise 1.20+ capability (snapshot recovery, https://developer.hashicorp.com/vault/docs/sysadmin/snapshots/recover-a-secret), " +
    "but the pinned vault provider 5.6.0's vault_policy_document refuses it (allowedCapabilities in data_source_policy_document.go); " +
    "grant it in a policy managed outside this tool",
  root: "is not a capability a policy can grant: root is a token, not a capability (vault/policy.go); remove it",
  write: 'is an old policy word, not a capability; use "create" and "update"',
};

/** One `path` stanza of a Vault policy. */
export interface PolicyRule {
  /** Vault API path, may end in `*` or use `+` segments, e.g. `secret/data/atlantis/*`. */
  readonly path: string;
  readonly capabilities: Capability[];
  /** @default - none */
  readonly description?: string;
}
