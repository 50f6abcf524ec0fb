import { Duration } from "../duration";
import { clientJwtAudienceProblem, didYouMean, show } from "../validation";

/** A problem found in the file: where (field path) and what, with the fix. */
export interface Problem {
  readonly path: PropertyKey[];
  readonly message: string;
  /** Point at the key rather than its value (an unknown key). */
  readonly atKey?: boolean;
}

/**
 * The checks that need more than one field: unique names, policies that roles name, TTL versus
 * max TTL, the connection's either/or, client-jwt's concrete ServiceAccounts. They read the raw
 * file defensively, so they report alongside the per-field schema errors instead of waiting
 * until those are fixed. Linear in the file's size: one Map or Set per list.
 */
export function semanticProblems(data: unknown): Problem[] {
  const problems: Problem[] = [];
  const clusters = list(record(data).clusters);
  problems.push(...duplicates(clusters, "cluster", ["clusters"]));
  problems.push(...sharedMounts(clusters));
  clusters.forEach((cluster, index) => {
    for (const problem of clusterProblems(record(cluster))) {
      problems.push({ path: ["clusters", index, ...problem.path], message: problem.message });
    }
  });
  return problems;
}

function clusterProblems(cluster: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const kubernetes = record(cluster.kubernetes);
  const reviewer = record(record(cluster.auth).reviewer);
  const mode = String(reviewer.mode ?? "long-lived-token");
  const policies = list(cluster.policies);
  const roles = list(cluster.roles);

  // A kubernetes that is not a mapping at all is the schema's to report.
  if (isRecord(cluster.kubernetes)) {
    if (
      kubernetes.eks !== undefined &&
      (kubernetes.host ?? kubernetes.caCertificate ?? kubernetes.kubeconfig) !== undefined
    ) {
      problems.push({
        path: ["kubernetes"],
        message: "give either eks (host and CA come from the cluster) or host + caCertificate + kubeconfig, not both",
      });
    } else if (kubernetes.eks === undefined && kubernetes.host === undefined) {
      problems.push({
        path: ["kubernetes"],
        message:
          "says nothing about the cluster; give eks: { clusterName, region }, or host + caCertificate (+ kubeconfig)",
      });
    } else if (kubernetes.eks === undefined && kubernetes.caCertificate === undefined && mode !== "vault-pod") {
      problems.push({
        path: ["kubernetes", "caCertificate"],
        message: `is required with the ${mode} reviewer (only vault-pod reads Vault's own CA); paste the cluster CA PEM`,
      });
    }
  }

  problems.push(...duplicates(policies, "policy", ["policies"]));
  problems.push(...duplicates(roles, "role", ["roles"]));
  const defined = new Set(policies.map((policy) => record(policy).name).filter((name) => typeof name === "string"));
  const known = [...defined, "default"] as string[];

  roles.forEach((raw, index) => {
    const role = record(raw);
    list(role.tokenPolicies).forEach((name, position) => {
      if (typeof name === "string" && !defined.has(name) && name !== "default") {
        problems.push({
          path: ["roles", index, "tokenPolicies", position],
          message: `policy ${show(name)} is not defined in this cluster's policies${didYouMean(name, known) || "; add it under policies"}`,
        });
      }
    });
    const ttl = seconds(role.tokenTtl);
    const maxTtl = seconds(role.tokenMaxTtl);
    if (ttl !== undefined && maxTtl !== undefined && ttl > maxTtl) {
      problems.push({
        path: ["roles", index, "tokenTtl"],
        message: `${show(role.tokenTtl)} (${ttl}s) is greater than tokenMaxTtl ${show(role.tokenMaxTtl)} (${maxTtl}s); lower tokenTtl or raise tokenMaxTtl`,
      });
    }
    if (mode === "client-jwt") {
      if (typeof role.audience === "string" && !list(reviewer.apiAudiences).includes(role.audience)) {
        problems.push({ path: ["roles", index, "audience"], message: clientJwtAudienceProblem(role.audience) });
      }
      for (const field of ["boundServiceAccountNames", "boundServiceAccountNamespaces"]) {
        if (list(role[field]).includes("*")) {
          problems.push({
            path: ["roles", index, field],
            message:
              'holds "*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator; ' +
              "list concrete names, or use the long-lived-token or vault-pod reviewer",
          });
        }
      }
    }
  });
  return problems;
}

/**
 * Clusters that reach the same Vault (same address, or both VAULT_ADDR, and the same namespace)
 * must not mount at the same path: each stack's state would claim it, and the second apply
 * fails with "path is already in use". Reported at the later cluster.
 */
function sharedMounts(clusters: unknown[]): Problem[] {
  const target = (raw: unknown) => {
    const cluster = record(raw);
    const vault = record(cluster.vault);
    return { cluster, vault, path: record(cluster.auth).path ?? "kubernetes" };
  };
  return repeats(clusters, (raw) => {
    const { vault, path } = target(raw);
    return JSON.stringify([vault.address ?? "$VAULT_ADDR", vault.namespace ?? "", path]);
  }).map(([index, earlier]) => {
    const { cluster, vault, path } = target(clusters[index]);
    return {
      path: ["clusters", index, "auth", "path"],
      message: `${show(path)} is already the mount of clusters[${earlier}] on the same Vault (${String(vault.address ?? "VAULT_ADDR")}); give each cluster its own auth.path, e.g. k8s/${String(cluster.name ?? "prod")}`,
    };
  });
}

/** Every name that occurs twice, reported at the later occurrence. */
function duplicates(items: unknown[], what: string, path: PropertyKey[]): Problem[] {
  const name = (item: unknown) => record(item).name;
  return repeats(items, (item) => (typeof name(item) === "string" ? name(item) : undefined)).map(
    ([index, earlier]) => ({
      path: [...path, index, "name"],
      message: `${what} name ${show(name(items[index]))} is already used by ${String(path.at(-1))}[${earlier}]; names must be unique`,
    }),
  );
}

/** [index, index of its first occurrence] for every item whose key was seen before; undefined keys never match. One Map. */
function repeats(items: unknown[], keyOf: (item: unknown) => unknown): [number, number][] {
  const first = new Map<unknown, number>();
  const found: [number, number][] = [];
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (key === undefined) return;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, index);
    else found.push([index, earlier]);
  });
  return found;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function seconds(value: unknown): number | undefined {
  return typeof value === "string" || typeof value === "number" ? Duration.parse(value)?.toSeconds() : undefined;
}
