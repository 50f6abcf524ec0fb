import { policyRules } from "../../config/policy-rules";
import type { ClusterConfig } from "../../config/schema";
import { didYouMean, ValidationError } from "../../validation";
import { Acl, type MergedRule, type NamedPolicy, type Operation, type PatternKind } from "./acl";
import { DEFAULT_POLICY } from "./default-policy";

export interface CanQuestion {
  readonly cluster: ClusterConfig;
  readonly roleName: string;
  readonly path: string;
  readonly operation?: Operation;
}

export interface PolicyVerdict {
  readonly name: string;
  /** This policy's rule on the pattern that decided, as written; null when it has none. */
  readonly matched: string | null;
  readonly capabilities: readonly string[];
  /** The rule of this policy that matches the path but lost to the more specific one that decided. */
  readonly shadowed: string | null;
}

export interface CanAnswer {
  readonly path: string;
  /** What sys/capabilities-self answers for the path. */
  readonly capabilities: readonly string[];
  /** With an operation: whether Vault allows that request; else null. */
  readonly allowed: boolean | null;
  /** The pattern whose merged rule decided, with that rule's capabilities; null when none matches. */
  readonly rule: {
    readonly pattern: string;
    readonly kind: PatternKind;
    readonly capabilities: readonly string[];
  } | null;
  readonly policies: readonly PolicyVerdict[];
}

/**
 * The policies a token of the role carries, as Vault names them at login: the role's
 * tokenPolicies plus "default" unless tokenNoDefaultPolicy (an explicit "default" stays), sorted
 * and without repeats (vault/request_handling.go:2163, sdk v0.21.0 helper/policyutil/policyutil.go:51-77).
 */
export function rolePolicies(cluster: ClusterConfig, roleName: string): NamedPolicy[] {
  const role = cluster.roles.find((candidate) => candidate.name === roleName);
  if (!role) {
    const names = cluster.roles.map((candidate) => candidate.name);
    throw new ValidationError(
      `no role ${JSON.stringify(roleName)} in cluster ${cluster.name}${didYouMean(roleName, names)} (roles: ${names.join(", ")})`,
    );
  }
  const defined = new Map(cluster.policies.map((policy) => [policy.name, policy]));
  const names = [...new Set([...role.tokenPolicies, ...(role.tokenNoDefaultPolicy ? [] : ["default"])])].sort();
  return names.map((name) => {
    const policy = defined.get(name);
    return { name, rules: policy ? policyRules(policy) : DEFAULT_POLICY };
  });
}

/** Which capabilities a rule grants, as Vault lists them: sorted, or ["deny"] (acl.go:347-350, capabilities.go:100). */
function listed(rule: MergedRule | undefined): string[] {
  if (!rule || rule.capabilities.size === 0 || rule.capabilities.has("deny")) return ["deny"];
  return [...rule.capabilities].sort();
}

/**
 * What a token of the role may do on a path: the capabilities sys/capabilities-self would
 * report (it evaluates as a LIST, acl.go:302-312), and with an operation whether that request
 * is allowed. A LIST request's path gains a trailing "/" in Vault's HTTP layer
 * (http/logical.go:188-192) before the ACL sees it.
 */
export function can(question: CanQuestion): CanAnswer {
  const { cluster, roleName, path, operation } = question;
  return canWith(rolePolicies(cluster, roleName), path, operation);
}

/** The same answer for a token that carries exactly `policies` (read from files or from Vault). */
export function canWith(policies: readonly NamedPolicy[], path: string, operation?: Operation): CanAnswer {
  const acl = new Acl(policies);
  const capabilityRule = acl.ruleFor(path, "list");
  const requestPath = operation === "list" && !path.endsWith("/") ? `${path}/` : path;
  const operationRule = operation === undefined ? undefined : acl.ruleFor(requestPath, operation);
  const decided = operation === undefined ? capabilityRule : operationRule;
  const allowed =
    operation === undefined
      ? null
      : operationRule !== undefined &&
        !operationRule.capabilities.has("deny") &&
        operationRule.capabilities.has(operation);
  return {
    path,
    capabilities: listed(capabilityRule),
    allowed,
    rule: decided ? { pattern: decided.pattern, kind: decided.kind, capabilities: listed(decided) } : null,
    policies: policies.map((policy) => {
      const grant = decided?.grants.find((candidate) => candidate.policy === policy.name);
      if (grant)
        return {
          name: policy.name,
          matched: grant.pattern,
          capabilities: [...grant.capabilities].sort(),
          shadowed: null,
        };
      const alone = new Acl([policy]).ruleFor(operation === undefined ? path : requestPath, operation ?? "list");
      return { name: policy.name, matched: null, capabilities: [], shadowed: alone?.pattern ?? null };
    }),
  };
}
