/**
 * Vault's ACL, evaluated offline: how a token's policies combine and which rule answers for a
 * path. A transcription of hashicorp/vault v1.21.2 (the version the e2e runs) — vault/policy.go (parsing a path stanza),
 * vault/acl.go (NewACL, AllowOperation, CheckAllowedFromNonExactPaths,
 * CapabilitiesAndSubscribeEventTypes), vault/capabilities.go and http/logical.go; line numbers
 * below are of that version. Parameter constraints, wrapping TTLs, MFA and control groups are
 * not part of this project's policies and are left out.
 */

import { ValidationError } from "../../domain/validation";
import type { Capability, PolicyRule } from "../../policy/capabilities";

export interface NamedPolicy {
  readonly name: string;
  readonly rules: readonly PolicyRule[];
}

/** How Vault files a path stanza (policy.go:423-438). */
export type PatternKind = "exact" | "prefix" | "segment";

/** One policy's part in a merged rule. */
export interface Grant {
  readonly policy: string;
  /** The path as the policy wrote it (without a leading "/"). */
  readonly pattern: string;
  readonly capabilities: readonly Capability[];
}

/** The rule Vault keeps for one pattern: every policy's grants on it, merged (acl.go:160-178). */
export interface MergedRule {
  readonly kind: PatternKind;
  /** The path as written, e.g. `secret/*` or `secret/+/config`. */
  readonly pattern: string;
  /**
   * `deny` alone, or capabilities without `deny`: a deny replaces every other capability of its
   * stanza (policy.go:460-464) and of the merged rule (acl.go:161-178), so readers need not test for it.
   */
  readonly capabilities: ReadonlySet<Capability>;
  readonly grants: readonly Grant[];
}

interface MutableRule {
  kind: PatternKind;
  pattern: string;
  capabilities: Set<Capability>;
  grants: Grant[];
}

/** The operations `can --operation` asks about, each checked against the capability of its name (acl.go:459-482). */
export const OPERATIONS = ["read", "list", "create", "update", "patch", "delete"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** A path stanza whose path Vault fills in per token (identity templating): unknown offline. */
export function isTemplated(path: string): boolean {
  return path.includes("{{");
}

export class Acl {
  private readonly exactRules = new Map<string, MutableRule>();
  private readonly prefixRules = new Map<string, MutableRule>();
  private readonly segmentRules = new Map<string, MutableRule>();

  constructor(readonly policies: readonly NamedPolicy[]) {
    for (const policy of policies) {
      for (const rule of policy.rules) this.insert(policy.name, rule);
    }
  }

  private insert(policyName: string, rule: PolicyRule): void {
    // Templated paths depend on the token's entity; with no entity offline they match nothing.
    if (isTemplated(rule.path)) return;
    // policy.go:416-418: one leading "/" is dropped.
    const pattern = rule.path.startsWith("/") ? rule.path.slice(1) : rule.path;
    if (pattern.includes("+*")) {
      // policy.go:423-425: Vault refuses the whole policy.
      throw new ValidationError(
        `policy ${policyName}: path ${JSON.stringify(rule.path)} has "+*", which Vault refuses`,
      );
    }
    // policy.go:427-438: segment wildcards keep their trailing "*"; other globs become prefixes.
    const segment = pattern === "+" || pattern.includes("/+") || pattern.startsWith("+/");
    const kind: PatternKind = segment ? "segment" : pattern.endsWith("*") ? "prefix" : "exact";
    const key = kind === "prefix" ? pattern.slice(0, -1) : pattern;
    // policy.go:460-464: deny takes the place of every other capability of the stanza.
    const capabilities: Capability[] = rule.capabilities.includes("deny") ? ["deny"] : [...rule.capabilities];
    const table = kind === "exact" ? this.exactRules : kind === "prefix" ? this.prefixRules : this.segmentRules;
    const grant = { policy: policyName, pattern, capabilities };
    const existing = table.get(key);
    if (!existing) {
      table.set(key, { kind, pattern, capabilities: new Set(capabilities), grants: [grant] });
      return;
    }
    existing.grants.push(grant);
    // acl.go:161-178: a deny already there stays; a new deny replaces all; else the union.
    if (existing.capabilities.has("deny")) return;
    if (capabilities.includes("deny")) existing.capabilities = new Set(["deny"]);
    else for (const capability of capabilities) existing.capabilities.add(capability);
  }

  /**
   * The rule Vault consults for a request (acl.go:405-433): the exact rule; for LIST the exact
   * rule without the trailing "/"; for LIST of a path ending in "/" the best wildcard rule of the
   * path without it; else the best wildcard rule of the path.
   */
  ruleFor(requestPath: string, operation: Operation): MergedRule | undefined {
    const path = requestPath.replace(/^\/+/, ""); // acl.go:396-402
    const exact = this.exactRules.get(path);
    if (exact) return exact;
    const list = operation === "list";
    if (list) {
      const trimmed = this.exactRules.get(trimSlash(path));
      if (trimmed) return trimmed;
      if (path.endsWith("/")) {
        const wildcard = this.bestWildcardRule(trimSlash(path));
        if (wildcard) return wildcard;
      }
    }
    return this.bestWildcardRule(path);
  }

  /**
   * acl.go:594-743 (CheckAllowedFromNonExactPaths): the longest matching prefix rule and every
   * matching segment-wildcard rule compete; the most specific wins (see `lowerPriority`).
   */
  private bestWildcardRule(path: string): MergedRule | undefined {
    const candidates: Candidate[] = [];
    let longest: string | undefined;
    for (const prefix of this.prefixRules.keys()) {
      if (path.startsWith(prefix) && (longest === undefined || prefix.length > longest.length)) longest = prefix;
    }
    if (longest !== undefined) {
      const rule = this.prefixRules.get(longest) as MutableRule;
      if (this.segmentRules.size === 0) return rule; // acl.go:657-659
      candidates.push({ firstWildcard: longest.length, isPrefix: true, wildcards: 0, wcPath: longest, rule });
    }
    const parts = path.split("/");
    for (const [full, rule] of this.segmentRules) {
      if (full === "") continue;
      const isPrefix = full.endsWith("*");
      const wcPath = isPrefix ? full.slice(0, -1) : full;
      const segments = wcPath.split("/");
      // acl.go:691-698: a path with fewer segments never matches; without a glob, the counts are equal.
      if (parts.length < segments.length) continue;
      if (!isPrefix && segments.length !== parts.length) continue;
      let wildcards = 0;
      const matches = segments.every((segment, index) => {
        if (segment === "+") {
          wildcards++;
          return true;
        }
        if (segment === parts[index]) return true;
        // acl.go:710: a glob's last segment matches as a prefix.
        return isPrefix && index === segments.length - 1 && parts[index].startsWith(segment);
      });
      if (matches) candidates.push({ firstWildcard: full.indexOf("+"), isPrefix, wildcards, wcPath, rule });
    }
    if (candidates.length === 0) return undefined;
    return candidates.reduce((best, candidate) => (lowerPriority(best, candidate) ? candidate : best)).rule;
  }
}

interface Candidate {
  readonly firstWildcard: number;
  readonly isPrefix: boolean;
  readonly wildcards: number;
  readonly wcPath: string;
  readonly rule: MutableRule;
}

/**
 * acl.go:597-650 (`less`), Vault's priority of competing wildcard rules, lowest first: an
 * earlier first `+` or `*`; then ending in `*`; then more `+` segments; then a shorter path;
 * then the lexicographically smaller one.
 */
function lowerPriority(a: Candidate, b: Candidate): boolean {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard < b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return a.isPrefix;
  if (a.wildcards !== b.wildcards) return a.wildcards > b.wildcards;
  if (a.wcPath.length !== b.wcPath.length) return a.wcPath.length < b.wcPath.length;
  return a.wcPath < b.wcPath;
}

function trimSlash(path: string): string {
  return path.endsWith("/") ? path.slice(0, -1) : path;
}
