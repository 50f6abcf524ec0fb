/**
 * A Vault ACL policy document (its HCL parsed to a JSON-shaped value, or a JSON policy) read the
 * way Vault reads it: hashicorp/vault v1.21.2 vault/policy.go:310-350 (top level: `name` and
 * `path` only) and :352-480 (parsePaths: the keys a path stanza may hold, old-style `policy`
 * words, capabilities, deny standing alone). Line numbers are of that file. Pure: the text is
 * parsed elsewhere (policy-text.ts); this takes the parsed value.
 */

import { ValidationError } from "../../domain/validation";
import { CAPABILITIES, type Capability, type PolicyRule } from "../../policy/capabilities";
import type { NamedPolicy } from "./acl";

/**
 * Every capability Vault 1.21 accepts in a policy (policy.go:26-36, :463-470): the provider's list,
 * which this project writes, and `recover`, Enterprise's, which the provider cannot render.
 */
export const VAULT_CAPABILITIES = [...CAPABILITIES, "recover"] as const;

/** policy.go:443-456: the old `policy = "..."` words and the capabilities each adds. */
const OLD_POLICY_WORDS: Record<string, string[]> = {
  deny: ["deny"],
  read: ["read", "list"],
  write: ["create", "read", "update", "delete", "list"],
  sudo: ["create", "read", "update", "delete", "list", "sudo"],
};

/** policy.go:385-397: the keys a path stanza may hold. */
const PATH_KEYS = [
  "comment",
  "policy",
  "capabilities",
  "allowed_parameters",
  "denied_parameters",
  "required_parameters",
  "min_wrapping_ttl",
  "max_wrapping_ttl",
  "mfa_methods",
  "control_group",
  "subscribe_event_types",
];

/** Keys that restrict a request beyond its capabilities: sys/capabilities ignores them, and so does this evaluator. */
const NOT_EVALUATED = PATH_KEYS.filter((key) => !["comment", "policy", "capabilities"].includes(key));

export interface ParsedPolicy extends NamedPolicy {
  /** Rules whose parts this evaluator does not replay (parameter constraints, wrapping TTLs, MFA, control groups). */
  readonly notEvaluated: readonly string[];
}

/**
 * The rules of a parsed policy document, in document order. Throws a ValidationError, naming the
 * policy (`source`: where it came from) and the stanza, for what Vault itself would refuse.
 */
export function policyFromDocument(name: string, source: string, document: unknown): ParsedPolicy {
  const refuse = (what: string) => new ValidationError(`policy ${name} (${source}): ${what}`);
  if (!isObject(document)) throw refuse("does not contain a root object, which Vault refuses");
  for (const key of Object.keys(document)) {
    if (key !== "name" && key !== "path") {
      // policy.go:322-331 (hclutil.CheckHCLKeys)
      throw refuse(`invalid key ${JSON.stringify(key)}: a policy holds only path stanzas (and name)`);
    }
  }
  const rules: PolicyRule[] = [];
  const notEvaluated: string[] = [];
  for (const [path, stanza] of stanzas(document.path, refuse)) {
    const at = `path ${JSON.stringify(path)}`;
    for (const key of Object.keys(stanza)) {
      if (!PATH_KEYS.includes(key)) throw refuse(`${at}: invalid key ${JSON.stringify(key)}`);
    }
    if (path.includes("+*")) {
      throw refuse(`${at}: invalid use of wildcards ('+*' is forbidden)`); // policy.go:423-425
    }
    const capabilities = [...stringList(stanza.capabilities, `${at}: capabilities`, refuse)];
    if (stanza.policy !== undefined) {
      // Own keys only: "constructor" or "toString" is no policy word, whatever Object.prototype holds.
      const words =
        typeof stanza.policy === "string" && Object.hasOwn(OLD_POLICY_WORDS, stanza.policy)
          ? OLD_POLICY_WORDS[stanza.policy]
          : undefined;
      if (words === undefined) throw refuse(`${at}: invalid policy ${JSON.stringify(stanza.policy)}`);
      // policy.go:443-456: deny replaces; the others add to the capabilities.
      if (stanza.policy === "deny") capabilities.splice(0, capabilities.length, "deny");
      else capabilities.push(...words);
    }
    for (const capability of capabilities) {
      if (!(VAULT_CAPABILITIES as readonly string[]).includes(capability)) {
        throw refuse(`${at}: invalid capability ${JSON.stringify(capability)}`); // policy.go:470-472
      }
    }
    // policy.go:461-465: deny stands alone.
    const granted = capabilities.includes("deny") ? ["deny"] : [...new Set(capabilities)];
    rules.push({ path, capabilities: granted as Capability[] });
    const limits = NOT_EVALUATED.filter((key) => stanza[key] !== undefined);
    if (limits.length > 0) notEvaluated.push(`${at}: ${limits.join(", ")}`);
  }
  return { name, rules, notEvaluated };
}

/**
 * The path stanzas in document order. hashicorp/hcl v1 decodes each `path "x" { ... }` into an
 * object of its own ({path: [{x: [{...}]}, ...]}); a value written by hand may also be one object
 * ({path: {x: {...}}}), as a JSON policy often is.
 */
function stanzas(value: unknown, refuse: (what: string) => Error): [string, Record<string, unknown>][] {
  if (value === undefined) return [];
  const groups = Array.isArray(value) ? value : [value];
  const found: [string, Record<string, unknown>][] = [];
  for (const group of groups) {
    if (!isObject(group)) throw refuse('path must be written as path "<path>" { ... } stanzas');
    for (const [path, body] of Object.entries(group)) {
      for (const stanza of Array.isArray(body) ? body : [body]) {
        if (!isObject(stanza)) throw refuse(`path ${JSON.stringify(path)}: expected a { ... } block`);
        found.push([path, stanza]);
      }
    }
  }
  return found;
}

function stringList(value: unknown, what: string, refuse: (what: string) => Error): string[] {
  if (value === undefined) return [];
  // hashicorp/hcl v1 decodes only a list into []string (decoder.go decodeSlice); "read" alone is refused.
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw refuse(`${what} must be a list of strings, e.g. ["read", "list"]`);
  }
  return value as string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
