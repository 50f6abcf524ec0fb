import { policyRules } from "../../config/policy-rules";
import type { ClusterConfig } from "../../config/schema";
import { didYouMean, ValidationError } from "../../domain/validation";
import { findRole } from "../roles";
import { Acl, type MergedRule, type NamedPolicy, OPERATIONS, type Operation, type PatternKind } from "./acl";
import { DEFAULT_POLICY } from "./default-policy";
import { type RootPathMatch, rootPathOf } from "./root-paths";

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
  /**
   * The role's policies the answer leaves out: its cluster's externalPolicies, whose rules are
   * written outside the config. They could add capabilities or deny some, so the answer holds for
   * the policies above alone.
   */
  readonly leftOut: readonly string[];
  /**
   * When PATH is a root-protected path of Vault (vault/logical_system.go PathsSpecial.Root, the
   * token store's): which operations there also need `sudo`, the root paths that protect them,
   * and whether the deciding rule grants sudo. null when no operation there needs sudo.
   */
  readonly sudo: SudoRequirement | null;
  /**
   * With an operation Vault refuses before it looks at any policy: why, else null. Today one
   * case: a write (create, update, patch) to a path ending in "/" (see `refusedBeforeAcl`).
   */
  readonly refusedBeforeAcl: string | null;
}

export interface SudoRequirement {
  /** The operations whose request Vault treats as root-protected (a LIST's path gains a "/"). */
  readonly operations: readonly Operation[];
  /** The root paths that protect them, as `<mount><path>` with the backend's `*`, e.g. "sys/auth/*". */
  readonly rootPaths: readonly string[];
  /** Whether the rule that decided (the operation's, or sys/capabilities-self's) grants sudo. */
  readonly granted: boolean;
  /** Where Vault lists these root paths. */
  readonly source: string;
}

/**
 * The policies a token of the role carries, as Vault names them at login: the role's
 * tokenPolicies plus "default" unless tokenNoDefaultPolicy (an explicit "default" stays), sorted
 * and without repeats (vault/request_handling.go:2163, sdk v0.20.0, which Vault 1.21.2 pins, helper/policyutil/policyutil.go:51-77).
 * `policies` are those whose rules the config holds (its own and Vault's default); `leftOut` the
 * others, the cluster's externalPolicies.
 */
export function rolePolicies(cluster: ClusterConfig, roleName: string): { policies: NamedPolicy[]; leftOut: string[] } {
  const role = cluster.roles[findRole(cluster, roleName)];
  if (!role) {
    const names = cluster.roles.map((candidate) => candidate.name);
    throw new ValidationError(
      `no role ${JSON.stringify(roleName)} in cluster ${cluster.name}${didYouMean(roleName, names)} (roles: ${names.join(", ")})`,
    );
  }
  const defined = new Map(cluster.policies.map((policy) => [policy.name, policy]));
  const names = [...new Set([...role.tokenPolicies, ...(role.tokenNoDefaultPolicy ? [] : ["default"])])].sort();
  const policies: NamedPolicy[] = [];
  const leftOut: string[] = [];
  for (const name of names) {
    const policy = defined.get(name);
    if (policy) policies.push({ name, rules: policyRules(policy) });
    else if (name === "default") policies.push({ name, rules: DEFAULT_POLICY });
    else leftOut.push(name);
  }
  return { policies, leftOut };
}

/** Which capabilities a rule grants, as Vault lists them: sorted, or ["deny"] (acl.go:347-350, capabilities.go:100). */
function listed(rule: MergedRule | undefined): string[] {
  // A deny rule's capabilities are ["deny"] alone (MergedRule).
  if (!rule || rule.capabilities.size === 0) return ["deny"];
  return [...rule.capabilities].sort();
}

/** The path a request of `operation` on `path` reaches the ACL with: a LIST's gains a trailing "/" (http/logical.go:188-192). */
export function requestPathOf(path: string, operation: Operation | undefined): string {
  return operation === "list" && !path.endsWith("/") ? `${path}/` : path;
}

/**
 * Which operations on `path` are root-protected, and by which root paths; undefined when none
 * is. Vault asks for every request (request_handling.go:453), so only the request's path
 * matters, and only a LIST's differs.
 */
export function sudoOperations(path: string): { operations: Operation[]; matches: RootPathMatch[] } | undefined {
  const operations: Operation[] = [];
  const matches: RootPathMatch[] = [];
  for (const operation of OPERATIONS) {
    const match = rootPathOf(requestPathOf(path, operation));
    if (match === undefined) continue;
    operations.push(operation);
    if (!matches.some((known) => known.pattern === match.pattern)) matches.push(match);
  }
  return operations.length === 0 ? undefined : { operations, matches };
}

/**
 * Vault refuses a create, update or patch of a path ending in "/" with 400 "cannot write to a
 * path ending in '/'" before the token's policies are looked at (vault/request_handling.go:707-722),
 * unless the mount is tuned with trim_request_trailing_slashes.
 */
export function refusedBeforeAcl(path: string, operation: Operation | undefined): string | null {
  if (!path.endsWith("/") || !(operation === "create" || operation === "update" || operation === "patch")) return null;
  return (
    `Vault refuses ${operation === "update" ? "an" : "a"} ${operation} of a path ending in "/" ("cannot write to a path ending in '/'") before it looks at any ` +
    "policy (vault/request_handling.go:707-722), unless the mount is tuned with trim_request_trailing_slashes; drop the trailing /"
  );
}

/** Whether Vault allows `operation` on `path` with this ACL: the capability, and sudo on a root path (acl.go:459-482, :804). */
export function allows(acl: Acl, path: string, operation: Operation): boolean {
  const requestPath = requestPathOf(path, operation);
  const rule = acl.ruleFor(requestPath, operation);
  // A deny rule holds no other capability (MergedRule), so it refuses every operation here.
  if (rule === undefined || !rule.capabilities.has(operation)) return false;
  return rootPathOf(requestPath) === undefined || rule.capabilities.has("sudo");
}

/**
 * What a token of the role may do on a path: the capabilities sys/capabilities-self would
 * report (it evaluates as a LIST, acl.go:302-312), and with an operation whether that request
 * is allowed. A LIST request's path gains a trailing "/" in Vault's HTTP layer
 * (http/logical.go:188-192) before the ACL sees it. On a root-protected path the request also
 * needs sudo on the rule that decides (see root-paths.ts); sys/capabilities-self does not say so.
 */
export function can(question: CanQuestion): CanAnswer {
  const { cluster, roleName, path, operation } = question;
  const { policies, leftOut } = rolePolicies(cluster, roleName);
  return canWith(policies, path, operation, leftOut);
}

/**
 * The same answer for a token that carries exactly `policies` (read from files or from Vault);
 * `leftOut` names the token's policies whose rules are not known here.
 */
export function canWith(
  policies: readonly NamedPolicy[],
  path: string,
  operation?: Operation,
  leftOut: readonly string[] = [],
): CanAnswer {
  const acl = new Acl(policies);
  const capabilityRule = acl.ruleFor(path, "list");
  const requestPath = requestPathOf(path, operation);
  const decided = operation === undefined ? capabilityRule : acl.ruleFor(requestPath, operation);
  const refused = refusedBeforeAcl(path, operation);
  const allowed = operation === undefined ? null : refused === null && allows(acl, path, operation);
  const root = sudoOperations(path);
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
      const alone = new Acl([policy]).ruleFor(requestPath, operation ?? "list");
      return { name: policy.name, matched: null, capabilities: [], shadowed: alone?.pattern ?? null };
    }),
    sudo: root
      ? {
          operations: root.operations,
          rootPaths: root.matches.map((match) => match.pattern),
          granted: decided?.capabilities.has("sudo") === true,
          source: [...new Set(root.matches.map((match) => match.source))].join(", "),
        }
      : null,
    refusedBeforeAcl: refused,
    leftOut,
  };
}
