import type { z } from "zod";
import { isRecord, list, record } from "./raw";
import { type ClusterConfig, type Config, clusterSchema, type RoleConfig, type RuleConfig } from "./schema";
import { policySchema, ruleSchema } from "./schema-policy";
import { roleSchema } from "./schema-role";

/**
 * A cluster entry as the schema types it, for the checks that need more than one field: each
 * part the schema accepts, with its defaults and durations, and a hole (undefined) where the
 * schema refused that part. The checks look only at the parts they need, so they report beside
 * the schema's own refusals instead of waiting until those are fixed; they never read the raw
 * values themselves.
 */
export interface ClusterView {
  /** The entry as written: which keys are present is a fact of the file, not of the typed config. */
  readonly raw: Record<string, unknown>;
  readonly name?: string | undefined;
  readonly kubernetes?: ClusterConfig["kubernetes"] | undefined;
  readonly vault?: ClusterConfig["vault"] | undefined;
  readonly auth?: ClusterConfig["auth"] | undefined;
  /** Each policy's rules, also where another rule of the policy was refused. */
  readonly policyRules: readonly (readonly (RuleConfig | undefined)[])[];
  /** Each policy's name, also where the rest of the policy was refused. */
  readonly policyNames: readonly (string | undefined)[];
  /** The accepted entries (a refused one is the schema's to report). */
  readonly externalPolicies?: readonly string[] | undefined;
  readonly roles: readonly (RoleView | undefined)[];
  /** Each role's name, also where the rest of the role was refused. */
  readonly roleNames: readonly (string | undefined)[];
  readonly state?: ClusterConfig["state"] | undefined;
  readonly importExisting?: boolean | undefined;
}

/**
 * A role entry's accepted fields. Where the schema refused some (`holes`), the others are still
 * typed, so a role's checks run on them; a check about a refused field is left to the schema.
 */
export interface RoleView {
  readonly role: Partial<RoleConfig>;
  readonly holes: ReadonlySet<string>;
}

/**
 * The typed views of every cluster entry; `parsed` is the schema's output when it accepted the
 * whole file. Otherwise each part is parsed once, whole first: an accepted cluster, policy or role
 * is taken as is, and only a refused one is taken apart.
 */
export function clusterViews(data: unknown, parsed: Config | undefined): ClusterView[] {
  const raws = list(record(data).clusters);
  const clusters = parsed?.clusters ?? raws.map((value) => clusterSchema.safeParse(value).data);
  return clusters.map((cluster, index) => {
    const raw = record(raws[index]);
    return cluster === undefined ? partialView(raw) : wholeView(cluster, raw);
  });
}

function wholeView(cluster: ClusterConfig, raw: Record<string, unknown>): ClusterView {
  return {
    ...cluster,
    raw,
    roles: cluster.roles.map((role) => ({ role, holes: NO_HOLES })),
    policyNames: cluster.policies.map((policy) => policy.name),
    policyRules: cluster.policies.map((policy) => policy.rules ?? []),
    roleNames: cluster.roles.map((role) => role.name),
  };
}

function partialView(raw: Record<string, unknown>): ClusterView {
  const { shape } = clusterSchema;
  const policies = list(raw.policies).map(policyView);
  const roles = list(raw.roles).map(roleView);
  const state = shape.state.safeParse(raw.state);
  return {
    raw,
    name: accepted(shape.name, raw.name),
    kubernetes: isRecord(raw.kubernetes) ? accepted(shape.kubernetes, raw.kubernetes) : undefined,
    vault: accepted(shape.vault, raw.vault),
    auth: accepted(shape.auth, raw.auth),
    policyNames: policies.map((policy) => policy.name),
    policyRules: policies.map((policy) => policy.rules),
    externalPolicies: list(raw.externalPolicies)
      .map((name) => accepted(shape.externalPolicies.unwrap().element, name))
      .filter((name) => name !== undefined),
    roles,
    roleNames: roles.map((view) => view?.role.name),
    state: state.data,
    importExisting: accepted(shape.importExisting, raw.importExisting),
  };
}

/** A policy's name and rules as the schema accepts them, each rule on its own where the policy was refused. */
function policyView(value: unknown): { name?: string | undefined; rules: (RuleConfig | undefined)[] } {
  const whole = policySchema.safeParse(value);
  if (whole.success) return { name: whole.data.name, rules: whole.data.rules ?? [] };
  const policy = record(value);
  return {
    name: accepted(policySchema.shape.name, policy.name),
    rules: list(policy.rules).map((rule) => accepted(ruleSchema, rule)),
  };
}

const NO_HOLES: ReadonlySet<string> = new Set();

function roleView(value: unknown): RoleView | undefined {
  const whole = roleSchema.safeParse(value);
  if (whole.success) return { role: whole.data, holes: NO_HOLES };
  if (!isRecord(value)) return undefined;
  const role: Record<string, unknown> = {};
  const holes = new Set<string>();
  for (const [key, schema] of Object.entries(roleSchema.shape)) {
    const field = (schema as z.ZodType).safeParse(value[key]);
    // An absent field reads undefined either way: the checks test each field against undefined.
    if (field.success) role[key] = field.data;
    else if (value[key] !== undefined) holes.add(key);
  }
  return { role: role as Partial<RoleConfig>, holes };
}

/** The schema's output for `value`, or undefined where it refuses it. */
function accepted<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}
