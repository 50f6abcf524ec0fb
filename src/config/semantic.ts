import { Duration } from "../duration";
import {
  clientJwtBindingName,
  DEFAULT_REVIEWER_ACCOUNT,
  defaultBindingName,
  defaultSecretName,
  namespaceReaderName,
} from "../reviewer-names";
import { BATCH_PERIOD_PROBLEM } from "../role-options";
import { isGlob } from "../rules/glob";
import { readCertificateBundle } from "../rules/pem";
import { DEFAULT_MAX_TTL_SECONDS, policyPathProblem, roleKey, sameVaultKey } from "../rules/vault";
import {
  clientJwtAudienceProblem,
  didYouMean,
  hideUserinfo,
  NAMESPACE_SELECTOR_NEEDS_REVIEWER,
  READER_BINDING_CLASH,
  show,
} from "../validation";
import { authMethodProblems } from "./jwt-method";
import { privateKeyProblems } from "./private-keys";
import { isRecord, list, record } from "./raw";

/** A problem found in the file: where (field path) and what, with the fix. */
export interface Problem {
  readonly path: PropertyKey[];
  readonly message: string;
  /** Point at the key rather than its value (an unknown key). */
  readonly atKey?: boolean;
  /** The other entry's field, for a clash between two entries: the message says OTHER_PLACE where it goes. */
  readonly other?: PropertyKey[];
  /** The value can be right (e.g. Vault's max TTL was raised): reported, not refused. */
  readonly warning?: boolean;
}

/** Stands in a message for the other entry's field and file:line:col, which only the loader knows. */
export const OTHER_PLACE = "\u0000other";

/**
 * The checks that need more than one field: unique names, policies that roles name, TTL versus
 * max TTL, the connection's either/or, client-jwt's concrete ServiceAccounts. They read the raw
 * file defensively, so they report alongside the per-field schema errors instead of waiting
 * until those are fixed. Linear in the file's size: one Map or Set per list.
 */
export function semanticProblems(data: unknown): Problem[] {
  const problems: Problem[] = privateKeyProblems(data);
  const clusters = list(record(data).clusters);
  problems.push(...duplicates(clusters, "cluster", ["clusters"]));
  problems.push(...sharedMounts(clusters));
  problems.push(...sharedPolicies(clusters));
  problems.push(...sharedStates(clusters));
  problems.push(...sharedClusterObjects(clusters));
  clusters.forEach((cluster, index) => {
    for (const problem of clusterProblems(record(cluster))) {
      const other = problem.other && { other: ["clusters", index, ...problem.other] };
      problems.push({ ...problem, path: ["clusters", index, ...problem.path], ...other });
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

  problems.push(...authMethodProblems(cluster));
  // A kubernetes that is not a mapping at all is the schema's to report; the jwt method needs no connection.
  if (isRecord(cluster.kubernetes) && record(cluster.auth).method !== "jwt") {
    if (
      kubernetes.eks !== undefined &&
      ((kubernetes.host ?? kubernetes.caCertificate ?? kubernetes.kubeconfig) !== undefined ||
        kubernetes.inCluster === true)
    ) {
      problems.push({
        path: ["kubernetes"],
        message:
          "give either eks (host and CA come from the cluster) or host + caCertificate + kubeconfig or inCluster, not both",
      });
    } else if (kubernetes.inCluster === true && kubernetes.kubeconfig !== undefined) {
      problems.push({
        path: ["kubernetes", "inCluster"],
        message:
          "is true, so Terraform uses its pod's own ServiceAccount and reads no kubeconfig; drop kubeconfig or inCluster",
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

  if (typeof kubernetes.caCertificate === "string") {
    const { problem, expired } = readCertificateBundle(kubernetes.caCertificate);
    if (problem === undefined && expired.length > 0) {
      problems.push({
        path: ["kubernetes", "caCertificate"],
        message: `holds expired certificates next to valid ones: ${expired.join("; ")}; drop them once the CA rotation is done`,
        warning: true,
      });
    }
  }

  policies.forEach((policy, index) => {
    list(record(policy).rules).forEach((raw, position) => {
      const rule = record(raw);
      const kvRead = record(rule.kvRead);
      const paths: [PropertyKey[], unknown][] = [
        [["path"], rule.path],
        [["list"], rule.list],
        [["deny"], rule.deny],
        [["kvRead", "path"], kvRead.path],
      ];
      // kvRead adds data/ and metadata/ itself (KV version 2 serves values and versions there), so
      // a path that starts with one of them is most likely the API path written where the secret's
      // path inside the mount belongs: mount secret, path data/app reads secret/data/data/app.
      if (typeof kvRead.path === "string" && kvRead.version !== 1 && /^(data|metadata)\//.test(kvRead.path)) {
        const mount = String(kvRead.mount ?? "").replace(/\/+$/, "");
        const inside = kvRead.path.replace(/^(data|metadata)\//, "");
        problems.push({
          path: ["policies", index, "rules", position, "kvRead", "path"],
          message: `${show(kvRead.path)} starts with ${kvRead.path.split("/")[0]}/, but kvRead adds data/ and metadata/ itself (KV version 2), so this rule grants ${mount}/data/${kvRead.path} and ${mount}/metadata/${kvRead.path}; write the secret's path inside the mount, ${show(inside)}, for ${mount}/data/${inside}`,
          warning: true,
        });
      }
      // A path Vault reads otherwise than it looks is warned by the policy construct
      // (synth-warnings.ts predicts it for validate); one that Vault refuses is refused here.
      for (const [field, value] of paths) {
        if (typeof value !== "string") continue;
        const { refuse } = policyPathProblem(value);
        if (refuse)
          problems.push({
            path: ["policies", index, "rules", position, ...field],
            message: `${show(value)} ${refuse}`,
          });
      }
    });
  });

  // The token Secret is named <serviceAccountName>-token unless named (ReviewerServiceAccount), and a
  // Secret name is a DNS subdomain of at most 253 characters (rules/kubernetes.ts dns1123Subdomain,
  // with its source); a valid ServiceAccount name can still make it longer, which the construct
  // would refuse only at synth, without the file's line.
  const account = reviewer.serviceAccountName;
  if (mode === "long-lived-token" && reviewer.secretName === undefined && typeof account === "string") {
    const secret = defaultSecretName(account);
    if (account.length <= 253 && secret.length > 253) {
      problems.push({
        path: ["auth", "reviewer", "serviceAccountName"],
        message: `is ${account.length} characters long, so the token Secret's default name (${secret.length} characters, <serviceAccountName>-token) is longer than the 253 Kubernetes allows; set secretName, or shorten serviceAccountName`,
      });
    }
  }
  if (reviewer.createNamespace === true && cluster.importExisting === true) {
    problems.push({
      path: ["auth", "reviewer", "createNamespace"],
      message: `is true while importExisting adopts objects in namespace ${show(reviewer.namespace ?? "vault")}, which therefore exists already; set createNamespace to false`,
    });
  }
  if (mode === "vault-pod" && reviewer.createBinding === false && reviewer.bindingName !== undefined) {
    problems.push({
      path: ["auth", "reviewer", "bindingName"],
      message: "names a binding, but createBinding is false, so this stack creates none; drop bindingName",
    });
  }
  // The namespace reader's ClusterRoleBinding has a fixed name: a bindingName equal to it makes
  // this one stack create two ClusterRoleBindings of one name, and the apply fails at the second.
  if (
    (mode === "long-lived-token" || mode === "vault-pod") &&
    typeof reviewer.bindingName === "string" &&
    roles.some((role) => record(role).boundServiceAccountNamespaceSelector !== undefined)
  ) {
    const defaults = DEFAULT_REVIEWER_ACCOUNT[mode];
    const reader = namespaceReaderName(
      typeof reviewer.namespace === "string" ? reviewer.namespace : defaults.namespace,
      typeof reviewer.serviceAccountName === "string" ? reviewer.serviceAccountName : defaults.serviceAccountName,
    );
    if (reviewer.bindingName === reader) {
      problems.push({ path: ["auth", "reviewer", "bindingName"], message: `${show(reader)} ${READER_BINDING_CLASH}` });
    }
  }

  problems.push(...duplicates(policies, "policy", ["policies"]));
  problems.push(...duplicates(roles, "role", ["roles"], roleKey));
  const defined = new Set(policies.map((policy) => record(policy).name).filter((name) => typeof name === "string"));
  const externalPolicies = list(cluster.externalPolicies);
  problems.push(...externalPolicyProblems(externalPolicies, defined));
  const external = new Set(externalPolicies.filter((name) => typeof name === "string"));
  const known = [...defined, ...external, "default"] as string[];
  const where =
    external.size > 0 ? "this cluster's policies nor listed in its externalPolicies" : "this cluster's policies";

  roles.forEach((raw, index) => {
    const role = record(raw);
    list(role.tokenPolicies).forEach((name, position) => {
      if (name === "root") {
        problems.push({
          path: ["roles", index, "tokenPolicies", position],
          message:
            '"root" cannot be granted through a role: Vault never issues a root token to an auth method login ' +
            '("auth methods cannot create root tokens", vault/request_handling.go); grant the paths needed in a policy of this cluster',
        });
      } else if (typeof name === "string" && !defined.has(name) && !external.has(name) && name !== "default") {
        problems.push({
          path: ["roles", index, "tokenPolicies", position],
          message: `policy ${show(name)} is not defined in ${where}${didYouMean(name, known) || "; add it under policies, or under externalPolicies if Vault has it from elsewhere (vault policy write)"}`,
        });
      }
    });
    const ttl = seconds(role.tokenTtl);
    const maxTtl = seconds(role.tokenMaxTtl);
    problems.push(...lifetimeWarnings(role, index, ttl, maxTtl));
    // Vault refuses only a TTL above a max TTL that is set: 0 means "the mount's" (vault-plugin-auth-kubernetes
    // v0.23.1 path_role.go:288, vault-plugin-auth-jwt v0.25.0 path_role.go:563: TokenMaxTTL > 0 && TokenTTL > TokenMaxTTL).
    if (ttl !== undefined && maxTtl !== undefined && maxTtl > 0 && ttl > maxTtl) {
      problems.push({
        path: ["roles", index, "tokenTtl"],
        message: `${show(role.tokenTtl)} (${ttl}s) is greater than tokenMaxTtl ${show(role.tokenMaxTtl)} (${maxTtl}s); lower tokenTtl or raise tokenMaxTtl`,
      });
    }
    // vault-plugin-auth-kubernetes v0.23.1 path_role.go:322-328.
    if (role.boundServiceAccountNamespaces === undefined && role.boundServiceAccountNamespaceSelector === undefined) {
      problems.push({
        path: ["roles", index, "boundServiceAccountNamespaces"],
        message:
          'is required (Vault refuses a role with neither namespaces nor a namespace selector); list namespaces, ["*"] for any, or give boundServiceAccountNamespaceSelector',
      });
    }
    if (role.tokenType === "batch" && seconds(role.tokenPeriod)) {
      problems.push({ path: ["roles", index, "tokenType"], message: BATCH_PERIOD_PROBLEM });
    }
    if (mode === "client-jwt" && role.boundServiceAccountNamespaceSelector !== undefined) {
      problems.push({
        path: ["roles", index, "boundServiceAccountNamespaceSelector"],
        message: NAMESPACE_SELECTOR_NEEDS_REVIEWER,
      });
    }
    if (mode === "client-jwt") {
      if (typeof role.audience === "string" && !list(reviewer.apiAudiences).includes(role.audience)) {
        problems.push({ path: ["roles", index, "audience"], message: clientJwtAudienceProblem(role.audience) });
      }
      for (const field of ["boundServiceAccountNames", "boundServiceAccountNamespaces"]) {
        const values = list(role[field]);
        const pattern = values.find((value) => typeof value === "string" && value !== "*" && isGlob(value));
        if (values.includes("*")) {
          problems.push({
            path: ["roles", index, field],
            message:
              'holds "*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator; ' +
              "list concrete names, or use the long-lived-token or vault-pod reviewer",
          });
        } else if (typeof pattern === "string") {
          problems.push({
            path: ["roles", index, field],
            message: `holds the pattern ${show(pattern)}, but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator by name; list concrete names, or use the long-lived-token or vault-pod reviewer`,
          });
        }
      }
    }
  });
  return problems;
}

/**
 * externalPolicies names policies that Vault has from elsewhere: never Vault's own two (default is
 * always there and may be named without declaring it; root cannot be granted), never one this
 * entry also manages (the stack would write it after all), each once.
 */
function externalPolicyProblems(names: unknown[], defined: Set<unknown>): Problem[] {
  const problems: Problem[] = [];
  const first = new Map<unknown, number>();
  names.forEach((name, index) => {
    const path = ["externalPolicies", index];
    if (typeof name !== "string") return;
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, index);
    if (name === "default") {
      problems.push({
        path,
        message:
          '"default" is Vault\'s built-in policy, which a role may always name without declaring it; drop it from externalPolicies',
      });
    } else if (name === "root") {
      problems.push({
        path,
        message:
          '"root" cannot be granted through a role: Vault never issues a root token to an auth method login ' +
          '("auth methods cannot create root tokens", vault/request_handling.go); drop it',
      });
    } else if (defined.has(name)) {
      problems.push({
        path,
        message: `${show(name)} is also defined under policies, where this stack writes it; a policy is managed either here (policies) or elsewhere (externalPolicies): drop it from one of the two`,
      });
    } else if (earlier !== undefined) {
      problems.push({ path, message: `${show(name)} is already listed at externalPolicies[${earlier}]; list it once` });
    }
  });
  return problems;
}

/**
 * On one Vault (same address however spelt, same namespace) two auth mounts must not be equal
 * or one a prefix of the other: Vault appends '/' and refuses either with "path is already in
 * use at <path>/" (vault/auth.go, enableCredentialInternal). Each stack's state would claim its
 * own, and the later apply fails. Each Vault namespace has a mount table of its own, so the key
 * is (address, namespace, path). Reported at the later cluster; one Map per Vault, each path's
 * segment prefixes looked up, so linear in the number of clusters.
 */
function sharedMounts(clusters: unknown[]): Problem[] {
  const problems: Problem[] = [];
  const mounts = new Map<string, number>();
  const underneath = new Map<string, number>();
  clusters.forEach((raw, index) => {
    const cluster = record(raw);
    const path = record(cluster.auth).path ?? "kubernetes";
    if (typeof path !== "string") return;
    const vault = vaultOf(cluster);
    const key = (mount: string) => `${vault.key} ${mount}/`;
    const where = vault.label;
    const segments = path.split("/");
    const parents = segments.slice(0, -1).map((_, end) => segments.slice(0, end + 1).join("/"));
    const same = mounts.get(key(path));
    const parent = parents.find((prefix) => mounts.has(key(prefix)));
    const child = underneath.get(key(path));
    const at = ["clusters", index, "auth", "path"];
    if (same !== undefined) {
      problems.push({
        path: at,
        message: `${show(path)} is already the mount of clusters[${same}] on the same Vault (${where}); give each cluster its own auth.path, e.g. k8s/${String(cluster.name ?? "prod")}`,
      });
    } else if (parent !== undefined) {
      problems.push({
        path: at,
        message: `${show(path)} lies under ${show(parent)}, the mount of clusters[${mounts.get(key(parent))}] on the same Vault (${where}): Vault refuses it with "path is already in use at ${parent}/"; use paths that are not prefixes of each other, e.g. k8s/a and k8s/b`,
      });
    } else if (child !== undefined) {
      problems.push({
        path: at,
        message: `${show(path)} is a prefix of the mount of clusters[${child}] on the same Vault (${where}): Vault refuses it with "path is already in use"; use paths that are not prefixes of each other, e.g. k8s/a and k8s/b`,
      });
    }
    if (same === undefined) mounts.set(key(path), index);
    for (const prefix of parents) if (!underneath.has(key(prefix))) underneath.set(key(prefix), index);
  });
  return problems;
}

/**
 * What Vault does with token lifetimes above the effective max TTL (the mount's, else the
 * system's, 768h by default): a TTL, max TTL or explicit max TTL is capped to it at login, with a
 * warning in the response (CalculateTTL in Vault's sdk); a period makes Vault refuse the role
 * itself ("token period ... is greater than the backend's maximum lease TTL",
 * vault-plugin-auth-kubernetes v0.23.1 path_role.go:281-283, vault-plugin-auth-jwt v0.25.0
 * path_role.go:441-443). Warned, not refused: the max can be raised. With a period set, the TTL
 * is not used, because every renewal resets the token to the period.
 */
function lifetimeWarnings(
  role: Record<string, unknown>,
  index: number,
  ttl: number | undefined,
  maxTtl: number | undefined,
): Problem[] {
  const found: Problem[] = [];
  const period = seconds(role.tokenPeriod);
  const fields: [string, number | undefined][] = [
    ["tokenPeriod", period],
    ["tokenTtl", ttl],
    ["tokenMaxTtl", maxTtl],
    ["tokenExplicitMaxTtl", seconds(role.tokenExplicitMaxTtl)],
  ];
  for (const [field, value] of fields) {
    if (value !== undefined && value > DEFAULT_MAX_TTL_SECONDS) {
      found.push({
        path: ["roles", index, field],
        message:
          `${show(role[field])} (${value}s) is above Vault's default max TTL of 768h (32 days): ` +
          (field === "tokenPeriod"
            ? `Vault refuses the role ("token period ... is greater than the backend's maximum lease TTL") `
            : "Vault caps it to 768h ") +
          "unless max_lease_ttl was raised for the system or this auth mount (vault auth tune -max-lease-ttl=...)",
        warning: true,
      });
    }
  }
  // At login and renewal Vault caps a period to the role's max TTL when that is set and lower
  // (vault/sdk framework/lease.go, CalculateTTL: "period ... exceeded the effective max_ttl").
  if (period !== undefined && maxTtl !== undefined && maxTtl > 0 && period > maxTtl) {
    found.push({
      path: ["roles", index, "tokenPeriod"],
      message: `${show(role.tokenPeriod)} (${period}s) is above tokenMaxTtl ${show(role.tokenMaxTtl)} (${maxTtl}s): Vault caps the period to it at every login and renewal; lower tokenPeriod or raise tokenMaxTtl (or drop it: a periodic token needs none)`,
      warning: true,
    });
  }
  // A period of 0 is no period: Vault issues an ordinary token, whose TTL counts.
  if (period !== undefined && period > 0 && ttl !== undefined) {
    found.push({
      path: ["roles", index, "tokenTtl"],
      message: `${show(role.tokenTtl)} has no effect next to tokenPeriod: Vault issues a periodic token, and every renewal resets it to the period; drop tokenTtl`,
      warning: true,
    });
  }
  return found;
}

/** The Vault a cluster's stack writes to, as a comparable key, and how to name it. */
function vaultOf(cluster: Record<string, unknown>): { key: string; label: string } {
  const vault = record(cluster.vault);
  return {
    key: JSON.stringify([
      typeof vault.address === "string" ? sameVaultKey(vault.address) : "$VAULT_ADDR",
      vault.namespace ?? "",
    ]),
    label: `${hideUserinfo(String(vault.address ?? "VAULT_ADDR"))}${vault.namespace === undefined ? "" : `, namespace ${String(vault.namespace)}`}`,
  };
}

/**
 * One owner per Vault policy: creating a vault_policy writes sys/policies/acl/<name> whether or not it
 * exists (terraform-provider-vault v5.6.0 vault/resource_policy.go:42-52), so two stacks with a
 * policy of one name on one Vault overwrite each other at every apply, and destroying either
 * deletes the other's. Reported at the later cluster.
 */
function sharedPolicies(clusters: unknown[]): Problem[] {
  const owners = new Map<string, number>();
  const problems: Problem[] = [];
  clusters.forEach((raw, index) => {
    const cluster = record(raw);
    const vault = vaultOf(cluster);
    list(cluster.policies).forEach((policy, position) => {
      const name = record(policy).name;
      if (typeof name !== "string") return;
      const key = JSON.stringify([vault.key, name]);
      const earlier = owners.get(key);
      if (earlier === undefined) owners.set(key, index);
      else if (earlier !== index) {
        problems.push({
          path: ["clusters", index, "policies", position, "name"],
          message: `policy ${show(name)} is also managed by clusters[${earlier}] on the same Vault (${vault.label}); each apply would overwrite the other's, and a destroy would delete it for both: give one of them another name, and use that name in its cluster's roles (each cluster's roles may only name policies of its own entry)`,
        });
      }
    });
  });
  return problems;
}

/**
 * The Kubernetes cluster a stack writes to, as a comparable key, and how to name it; undefined for
 * the jwt method (it creates nothing in the cluster) and for an entry the other checks refuse.
 * An explicit host is compared as Vault addresses are (letter case, default port, trailing '/').
 * inCluster counts as one cluster: a file that names it twice means one cluster.
 */
function kubernetesOf(cluster: Record<string, unknown>): { key: string; label: string } | undefined {
  if (record(cluster.auth).method === "jwt" || !isRecord(cluster.kubernetes)) return undefined;
  const { eks, host, inCluster } = cluster.kubernetes;
  if (isRecord(eks) && typeof eks.clusterName === "string" && typeof eks.region === "string") {
    return {
      key: JSON.stringify(["eks", eks.clusterName, eks.region]),
      label: `EKS cluster ${eks.clusterName} in ${eks.region}`,
    };
  }
  if (eks !== undefined) return undefined;
  if (inCluster === true)
    return { key: JSON.stringify(["inCluster"]), label: "the cluster Terraform runs in (inCluster)" };
  if (typeof host === "string") return { key: JSON.stringify(["host", sameVaultKey(host)]), label: hideUserinfo(host) };
  return undefined;
}

/** A Kubernetes object a stack creates: its kind and name, and the field of the entry that names it. */
interface KubernetesObject {
  readonly kind: string;
  readonly name: string;
  readonly field: PropertyKey[];
  /** The value to change, when the field is not in the file: the default it stands for. */
  readonly value: string;
  /** What to rename in one of the two entries. */
  readonly rename: string;
}

/** The objects the entry's reviewer creates in the cluster, under the names the constructs give them. */
function reviewerObjects(cluster: Record<string, unknown>): KubernetesObject[] {
  const reviewer = record(record(cluster.auth).reviewer);
  const mode = reviewer.mode ?? "long-lived-token";
  const roles = list(cluster.roles).map(record);
  const objects: KubernetesObject[] = [];
  const text = (value: unknown, fallback: string) => (typeof value === "string" ? value : fallback);
  if (mode === "client-jwt") {
    const mount = text(record(cluster.auth).path, "kubernetes");
    roles.forEach((role, index) => {
      if (typeof role.name !== "string") return;
      const name = clientJwtBindingName(mount, role.name);
      objects.push({
        kind: "ClusterRoleBinding",
        name,
        field: ["roles", index, "name"],
        value: role.name,
        rename: "auth.path or the role's name",
      });
    });
    return objects;
  }
  if (mode !== "long-lived-token" && mode !== "vault-pod") return objects;
  const defaults = DEFAULT_REVIEWER_ACCOUNT[mode];
  const account = text(reviewer.serviceAccountName, defaults.serviceAccountName);
  const namespace = text(reviewer.namespace, defaults.namespace);
  const at = (field: string) => ["auth", "reviewer", field];
  if (mode === "long-lived-token") {
    if (reviewer.createNamespace === true) {
      objects.push({
        kind: "Namespace",
        name: namespace,
        field: at("createNamespace"),
        value: "true",
        rename: "reviewer namespace (or set createNamespace to false in one)",
      });
    }
    objects.push({
      kind: "ServiceAccount",
      name: `${namespace}/${account}`,
      field: at("serviceAccountName"),
      value: account,
      rename: "reviewer serviceAccountName or namespace",
    });
    const secret = text(reviewer.secretName, defaultSecretName(account));
    objects.push({
      kind: "Secret",
      name: `${namespace}/${secret}`,
      field: at("secretName"),
      value: secret,
      rename: "reviewer secretName (or serviceAccountName)",
    });
  }
  if (mode === "long-lived-token" || reviewer.createBinding !== false) {
    const binding = text(reviewer.bindingName, defaultBindingName(namespace, account));
    objects.push({
      kind: "ClusterRoleBinding",
      name: binding,
      field: at("bindingName"),
      value: binding,
      rename: "reviewer bindingName",
    });
  }
  const selector = roles.findIndex((role) => role.boundServiceAccountNamespaceSelector !== undefined);
  if (selector >= 0) {
    const reader = namespaceReaderName(namespace, account);
    const field = ["roles", selector, "boundServiceAccountNamespaceSelector"];
    objects.push({
      kind: "ClusterRole",
      name: reader,
      field,
      value: reader,
      rename: "reviewer serviceAccountName or namespace",
    });
    objects.push({
      kind: "ClusterRoleBinding",
      name: reader,
      field,
      value: reader,
      rename: "reviewer serviceAccountName or namespace",
    });
  }
  return objects;
}

/**
 * One owner per Kubernetes object: the provider creates with a plain API Create and passes its
 * error on (terraform-provider-kubernetes v2.38.0 kubernetes/resource_kubernetes_service_account_v1.go:98-100,
 * resource_kubernetes_secret_v1.go:191-192, resource_kubernetes_cluster_role_binding_v1.go:67-69),
 * so the later of two stacks creating one object in one cluster fails part-way with "already
 * exists"; a destroy of either deletes by name the object the other's logins depend on.
 * Reported at the later cluster.
 */
function sharedClusterObjects(clusters: unknown[]): Problem[] {
  const owners = new Map<string, { index: number; field: PropertyKey[] }>();
  const problems: Problem[] = [];
  clusters.forEach((raw, index) => {
    const cluster = record(raw);
    const kubernetes = kubernetesOf(cluster);
    if (kubernetes === undefined) return;
    for (const object of reviewerObjects(cluster)) {
      const key = JSON.stringify([kubernetes.key, object.kind, object.name]);
      const earlier = owners.get(key);
      const field = ["clusters", index, ...object.field];
      if (earlier === undefined) owners.set(key, { index, field });
      else if (earlier.index !== index) {
        problems.push({
          path: field,
          other: earlier.field,
          message: `${show(object.value)} makes this stack create ${object.kind} ${show(object.name)} in ${kubernetes.label}, which ${OTHER_PLACE} creates too; the later apply fails with "already exists", and a destroy of either deletes it for both: give one of the two entries another ${object.rename}, or manage this cluster's reviewer from one entry only`,
        });
      }
    }
  });
  return problems;
}

/** Two stacks in one S3 state object would overwrite each other's state. Reported at the later cluster. */
function sharedStates(clusters: unknown[]): Problem[] {
  const stateOf = (raw: unknown) => {
    const cluster = record(raw);
    const s3 = record(record(cluster.state).s3);
    if (typeof s3.bucket !== "string") return undefined;
    const key = s3.key ?? `vault-k8s-auth/${String(cluster.name)}.tfstate`;
    return { bucket: s3.bucket, key: String(key) };
  };
  return repeats(clusters, (raw) => {
    const state = stateOf(raw);
    return state && JSON.stringify([state.bucket, state.key]);
  }).map(([index, earlier]) => {
    const state = stateOf(clusters[index]) as { bucket: string; key: string };
    return {
      path: ["clusters", index, "state", "s3", "key"],
      message: `${show(state.key)} in bucket ${show(state.bucket)} is already the state of clusters[${earlier}]; the two stacks would overwrite each other's state: give each cluster its own key (or leave key out: vault-k8s-auth/<name>.tfstate)`,
    };
  });
}

/**
 * Every name that occurs twice, reported at the later occurrence. With `key`, two names Vault
 * takes for one (role names, which it lowercases) are one name too, and the message names the
 * other place with its file:line, since the two spellings differ.
 */
function duplicates(
  items: unknown[],
  what: string,
  path: PropertyKey[],
  key: (name: string) => string = (name) => name,
): Problem[] {
  const name = (item: unknown) => record(item).name;
  return repeats(items, (item) => {
    const value = name(item);
    return typeof value === "string" ? key(value) : undefined;
  }).map(([index, earlier]) => {
    const [later, first] = [name(items[index]), name(items[earlier])];
    if (later === first) {
      return {
        path: [...path, index, "name"],
        message: `${what} name ${show(later)} is already used by ${String(path.at(-1))}[${earlier}]; names must be unique`,
      };
    }
    return {
      path: [...path, index, "name"],
      other: [...path, earlier, "name"],
      message: `${what} name ${show(later)} and ${show(first)} at ${OTHER_PLACE} are one ${what} to Vault, which lowercases ${what} names (vault-plugin-auth-kubernetes v0.23.1 backend.go:376, vault-plugin-auth-jwt v0.25.0 path_role.go:58-60): the later would overwrite the earlier; give each ${what} a name of its own`,
    };
  });
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

function seconds(value: unknown): number | undefined {
  return typeof value === "string" || typeof value === "number" ? Duration.parse(value)?.toSeconds() : undefined;
}
