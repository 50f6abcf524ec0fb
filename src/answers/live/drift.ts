/**
 * Drift between what a cluster's config would write (desired.ts) and what Vault holds, per object
 * and per field, compared the way Vault returns values: lists as sets, omitted fields at their
 * zero value, policies by their rules (never by their text). Pure: the live values are read
 * elsewhere (src/live/read-cluster.ts).
 */
import type { PolicyRule } from "../../policy/capabilities";
import { type DesiredCluster, type Fields, normalCidr, sorted, vaultPaths } from "./desired";

export type DriftKind = "mount" | "role" | "policy" | "config";

export interface DriftObject {
  readonly kind: DriftKind;
  readonly path: string;
}

export interface DriftChange extends DriftObject {
  readonly field: string;
  readonly want: unknown;
  readonly have: unknown;
}

export interface ClusterDrift {
  readonly name: string;
  readonly unowned: DriftObject[];
  readonly changed: DriftChange[];
  readonly missing: DriftObject[];
}

/** What was read from Vault for one cluster; `undefined` means Vault has no such object. */
export interface LiveCluster {
  /** The auth mount at the cluster's path (its sys/auth entry), or undefined. */
  readonly mount?: { readonly type: string; readonly description: string };
  readonly config?: Fields;
  /** Every role of the mount (LIST). */
  readonly roleNames: readonly string[];
  /** The cluster's own roles, read. */
  readonly roles: ReadonlyMap<string, Fields | undefined>;
  /** The cluster's own policies, parsed. */
  readonly policies: ReadonlyMap<string, readonly PolicyRule[] | undefined>;
}

export function compareCluster(desired: DesiredCluster, live: LiveCluster): ClusterDrift {
  const drift: ClusterDrift = { name: desired.name, unowned: [], changed: [], missing: [] };
  const { mount } = desired;
  const mountPath = vaultPaths.mount(mount);
  if (live.mount === undefined) {
    drift.missing.push({ kind: "mount", path: mountPath });
    drift.missing.push({ kind: "config", path: vaultPaths.config(mount) });
    for (const role of desired.roles.keys()) drift.missing.push({ kind: "role", path: vaultPaths.role(mount, role) });
  } else {
    compareFields(drift, "mount", mountPath, desired.mountFields, live.mount);
    // A mount of another type holds other objects: its config and roles are not this stack's to compare.
    if (live.mount.type === desired.mountFields.type) {
      if (live.config === undefined) drift.missing.push({ kind: "config", path: vaultPaths.config(mount) });
      else compareFields(drift, "config", vaultPaths.config(mount), desired.configFields, live.config);
      for (const [role, fields] of desired.roles) {
        const path = vaultPaths.role(mount, role);
        const have = live.roles.get(role);
        if (have === undefined) drift.missing.push({ kind: "role", path });
        else compareFields(drift, "role", path, fields, have);
      }
      for (const role of [...live.roleNames].sort()) {
        if (!desired.roles.has(role)) drift.unowned.push({ kind: "role", path: vaultPaths.role(mount, role) });
      }
    }
  }
  for (const [name, rules] of desired.policies) {
    const path = vaultPaths.policy(name);
    const have = live.policies.get(name);
    if (have === undefined) drift.missing.push({ kind: "policy", path });
    else comparePolicy(drift, path, rules, have);
  }
  return drift;
}

export function hasDrift(drift: ClusterDrift): boolean {
  return drift.changed.length > 0 || drift.missing.length > 0 || drift.unowned.some((item) => item.kind !== "mount");
}

function compareFields(drift: ClusterDrift, kind: DriftKind, path: string, want: Fields, have: Fields): void {
  for (const [field, wanted] of Object.entries(want)) {
    const got = normalize(field, wanted, have[field]);
    if (!same(field, wanted, got)) drift.changed.push({ kind, path, field, want: wanted, have: got });
  }
}

/** A live value in the desired value's form: null lists are empty, a lone string is a list of one, lists are sets. */
function normalize(field: string, want: unknown, have: unknown): unknown {
  if (Array.isArray(want)) {
    const list = have === undefined || have === null ? [] : Array.isArray(have) ? have.map(String) : [String(have)];
    return sorted(field === "token_bound_cidrs" ? list.map(normalCidr) : list.map((item) => item.trim()));
  }
  if (want !== null && typeof want === "object") {
    const object = have !== null && typeof have === "object" && !Array.isArray(have) ? have : {};
    return Object.fromEntries(
      Object.entries(object as Record<string, unknown>).map(([key, value]) => [key, normalize(key, [], value)]),
    );
  }
  if (typeof want === "string") return have === undefined || have === null ? "" : String(have).trim();
  return have;
}

function same(field: string, want: unknown, have: unknown): boolean {
  if (field === "bound_service_account_namespace_selector") return selector(want) === selector(have);
  return canonical(want) === canonical(have);
}

/** Vault reads the selector as YAML or JSON; written in JSON, it compares by its parsed value. */
function selector(value: unknown): string {
  const text = String(value ?? "").trim();
  try {
    return canonical(JSON.parse(text));
  } catch {
    return text;
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Policies compared by what they grant: per path (one leading "/" dropped, as Vault does), the
 * union of its stanzas' capabilities, deny standing alone (vault/policy.go:416-465). A rule's
 * description, the order of stanzas and the HCL's layout do not count.
 */
function comparePolicy(
  drift: ClusterDrift,
  path: string,
  want: readonly PolicyRule[],
  have: readonly PolicyRule[],
): void {
  const wanted = grants(want);
  const got = grants(have);
  for (const rulePath of sorted([...wanted.keys(), ...got.keys()])) {
    const a = wanted.get(rulePath) ?? null;
    const b = got.get(rulePath) ?? null;
    if (canonical(a) !== canonical(b)) {
      drift.changed.push({ kind: "policy", path, field: `path ${JSON.stringify(rulePath)}`, want: a, have: b });
    }
  }
}

function grants(rules: readonly PolicyRule[]): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  for (const rule of rules) {
    const key = rule.path.startsWith("/") ? rule.path.slice(1) : rule.path;
    const merged = sorted([...(byPath.get(key) ?? []), ...rule.capabilities]);
    byPath.set(key, merged.includes("deny") ? ["deny"] : merged);
  }
  return byPath;
}
