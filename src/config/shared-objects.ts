import { duplicateNames, repeats } from "../checks/names";
import { OTHER_PLACE, type Problem, under } from "../checks/problem";
import {
  clientJwtBindingName,
  defaultBindingName,
  defaultSecretName,
  namespaceReaderName,
} from "../domain/reviewer-names";
import { defaultStateKey } from "../domain/state-key";
import { show } from "../domain/validation";
import { sameVaultKey } from "../formats/vault";
import type { AuthConfig } from "./schema";
import type { ClusterView } from "./typed-view";

/**
 * The checks across cluster entries: each stack its own name, auth mount, policies, state and
 * Kubernetes objects. Each clash is reported at the later entry. Linear in the file's size: one
 * Map or Set per kind of thing.
 */
export function sharedProblems(clusters: readonly ClusterView[]): Problem[] {
  return [
    ...under(
      ["clusters"],
      duplicateNames(
        clusters.map((cluster) => cluster.name),
        "cluster",
        "clusters",
      ),
    ),
    ...sharedMounts(clusters),
    ...sharedPolicies(clusters),
    ...sharedStates(clusters),
    ...sharedClusterObjects(clusters),
  ];
}

/**
 * On one Vault (same address however spelt, same namespace) two auth mounts must not be equal
 * or one a prefix of the other: Vault appends '/' and refuses either with "path is already in
 * use at <path>/" (vault/auth.go, enableCredentialInternal). Each stack's state would claim its
 * own, and the later apply fails. Each Vault namespace has a mount table of its own, so the key
 * is (address, namespace, path). One Map per Vault, each path's segment prefixes looked up.
 */
function sharedMounts(clusters: readonly ClusterView[]): Problem[] {
  const problems: Problem[] = [];
  const mounts = new Map<string, number>();
  const underneath = new Map<string, number>();
  clusters.forEach((cluster, index) => {
    const path = cluster.auth?.path;
    const vault = vaultOf(cluster);
    if (path === undefined || vault === undefined) return;
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
        message: `${show(path)} is already the mount of clusters[${same}] on the same Vault (${where}); give each cluster its own auth.path, e.g. k8s/${cluster.name ?? "prod"}`,
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
 * The Vault a cluster's stack writes to, as a comparable key, and how to name it. An address with a
 * user name or password is refused by the schema and never reaches here, so a label holds none.
 */
function vaultOf({ vault }: ClusterView): { key: string; label: string } | undefined {
  if (vault === undefined) return undefined;
  return {
    key: JSON.stringify([
      vault.address === undefined ? "$VAULT_ADDR" : sameVaultKey(vault.address),
      vault.namespace ?? "",
    ]),
    label: `${vault.address ?? "VAULT_ADDR"}${vault.namespace === undefined ? "" : `, namespace ${vault.namespace}`}`,
  };
}

/**
 * One owner per Vault policy: creating a vault_policy writes sys/policies/acl/<name> whether or not it
 * exists (terraform-provider-vault v5.6.0 vault/resource_policy.go:42-52), so two stacks with a
 * policy of one name on one Vault overwrite each other at every apply, and destroying either
 * deletes the other's.
 */
function sharedPolicies(clusters: readonly ClusterView[]): Problem[] {
  const owners = new Map<string, number>();
  const problems: Problem[] = [];
  clusters.forEach((cluster, index) => {
    const vault = vaultOf(cluster);
    if (vault === undefined) return;
    cluster.policyNames.forEach((name, position) => {
      if (name === undefined) return;
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
function kubernetesOf({ auth, kubernetes }: ClusterView): { key: string; label: string } | undefined {
  if (auth?.method !== "kubernetes" || kubernetes === undefined) return undefined;
  const { eks, host, inCluster } = kubernetes;
  if (eks !== undefined) {
    return {
      key: JSON.stringify(["eks", eks.clusterName, eks.region]),
      label: `EKS cluster ${eks.clusterName} in ${eks.region}`,
    };
  }
  if (inCluster) return { key: JSON.stringify(["inCluster"]), label: "the cluster Terraform runs in (inCluster)" };
  if (host !== undefined) return { key: JSON.stringify(["host", sameVaultKey(host)]), label: host };
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
function reviewerObjects(auth: AuthConfig, { roles, roleNames }: ClusterView): KubernetesObject[] {
  const { reviewer } = auth;
  const objects: KubernetesObject[] = [];
  if (reviewer.mode === "client-jwt") {
    roleNames.forEach((role, index) => {
      if (role === undefined) return;
      objects.push({
        kind: "ClusterRoleBinding",
        name: clientJwtBindingName(auth.path, role),
        field: ["roles", index, "name"],
        value: role,
        rename: "auth.path or the role's name",
      });
    });
    return objects;
  }
  const { serviceAccountName: account, namespace } = reviewer;
  const at = (field: string) => ["auth", "reviewer", field];
  if (reviewer.mode === "long-lived-token") {
    if (reviewer.createNamespace) {
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
    const secret = reviewer.secretName ?? defaultSecretName(account);
    objects.push({
      kind: "Secret",
      name: `${namespace}/${secret}`,
      field: at("secretName"),
      value: secret,
      rename: "reviewer secretName (or serviceAccountName)",
    });
  }
  if (reviewer.mode === "long-lived-token" || reviewer.createBinding) {
    const binding = reviewer.bindingName ?? defaultBindingName(namespace, account);
    objects.push({
      kind: "ClusterRoleBinding",
      name: binding,
      field: at("bindingName"),
      value: binding,
      rename: "reviewer bindingName",
    });
  }
  const selector = roles.findIndex((view) => view?.role.boundServiceAccountNamespaceSelector !== undefined);
  if (selector >= 0) {
    const reader = namespaceReaderName(namespace, account);
    const field = ["roles", selector, "boundServiceAccountNamespaceSelector"];
    const rename = "reviewer serviceAccountName or namespace";
    objects.push({ kind: "ClusterRole", name: reader, field, value: reader, rename });
    objects.push({ kind: "ClusterRoleBinding", name: reader, field, value: reader, rename });
  }
  return objects;
}

/**
 * One owner per Kubernetes object: the provider creates with a plain API Create and passes its
 * error on (terraform-provider-kubernetes v2.38.0 kubernetes/resource_kubernetes_service_account_v1.go:98-100,
 * resource_kubernetes_secret_v1.go:191-192, resource_kubernetes_cluster_role_binding_v1.go:67-69),
 * so the later of two stacks creating one object in one cluster fails part-way with "already
 * exists"; a destroy of either deletes by name the object the other's logins depend on.
 */
function sharedClusterObjects(clusters: readonly ClusterView[]): Problem[] {
  const owners = new Map<string, { index: number; field: PropertyKey[] }>();
  const problems: Problem[] = [];
  clusters.forEach((cluster, index) => {
    const kubernetes = kubernetesOf(cluster);
    if (kubernetes === undefined) return;
    // kubernetesOf gives a cluster only for an entry whose auth (method kubernetes) was accepted.
    for (const object of reviewerObjects(cluster.auth as AuthConfig, cluster)) {
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

/** Two stacks in one S3 state object would overwrite each other's state. */
function sharedStates(clusters: readonly ClusterView[]): Problem[] {
  const stateOf = ({ state, name }: ClusterView) => {
    const s3 = state?.s3;
    if (s3 === undefined || (s3.key === undefined && name === undefined)) return undefined;
    return { bucket: s3.bucket, key: s3.key ?? defaultStateKey(name as string) };
  };
  return repeats(clusters, (cluster) => {
    const state = stateOf(cluster);
    return state && JSON.stringify([state.bucket, state.key]);
  }).map(([index, earlier]) => {
    const state = stateOf(clusters[index]) as { bucket: string; key: string };
    return {
      path: ["clusters", index, "state", "s3", "key"],
      message: `${show(state.key)} in bucket ${show(state.bucket)} is already the state of clusters[${earlier}]; the two stacks would overwrite each other's state: give each cluster its own key (or leave key out: vault-k8s-auth/<name>.tfstate)`,
    };
  });
}
