/**
 * The words of a Vault ACL policy, shared by the config schema, the constructs that write
 * policies and the evaluator that answers what a policy allows. Pure: no cdktf here, so code
 * that only reads a config never loads it.
 */

/** The capabilities a Vault policy rule can grant (or, with `deny`, take away). */
export const CAPABILITIES = ["create", "read", "update", "patch", "delete", "list", "sudo", "deny"] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** One `path` stanza of a Vault policy. */
export interface PolicyRule {
  /** Vault API path, may end in `*` or use `+` segments, e.g. `secret/data/atlantis/*`. */
  readonly path: string;
  readonly capabilities: Capability[];
  /** @default - none */
  readonly description?: string;
}
