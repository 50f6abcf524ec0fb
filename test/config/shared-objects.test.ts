/**
 * src/config/shared-objects.ts: the checks across cluster entries. Two entries whose stacks would
 * create one Kubernetes object in one cluster are refused at the later entry, naming the object,
 * the cluster, the earlier entry's field and what to rename.
 */
import { stringify } from "yaml";
import { type ClusterInput, explicitConnection, problemsIn, seedCluster } from "../helpers";

/** A second entry for the seed's cluster: its own stack name, and another Vault namespace, so only the Kubernetes objects can clash. */
const another = (name: string, change: (cluster: ClusterInput) => void): ClusterInput => {
  const cluster = seedCluster({ name, vault: { namespace: name } });
  change(cluster);
  return cluster;
};

/** The problem lines of a refused file, each without the file name and position. */
const problems = (clusters: ClusterInput[]) =>
  problemsIn(stringify({ clusters }))
    .split("\n")
    .slice(1)
    .map((line) => line.trim());

test("refuses two long-lived-token reviewers creating one namespace in one cluster, at the later createNamespace", () => {
  const reviewer = (serviceAccountName: string) => ({
    mode: "long-lived-token" as const,
    serviceAccountName,
    createNamespace: true,
  });
  expect(
    problems([
      another("one", (c) => Object.assign(c.auth as object, { reviewer: reviewer("reviewer-one") })),
      another("two", (c) => Object.assign(c.auth as object, { reviewer: reviewer("reviewer-two") })),
    ]),
  ).toEqual([
    `bad.yaml:37:26: clusters[1].auth.reviewer.createNamespace: "true" makes this stack create Namespace "vault" in EKS cluster eks-test in ap-northeast-1, which clusters[0].auth.reviewer.createNamespace (bad.yaml:12:26) creates too; the later apply fails with "already exists", and a destroy of either deletes it for both: give one of the two entries another reviewer namespace (or set createNamespace to false in one), or manage this cluster's reviewer from one entry only`,
  ]);
});

test("refuses two mounts of one in-cluster Vault whose roles select namespaces by label: both would create the reader's ClusterRole and binding", () => {
  const selecting = (name: string) =>
    another(name, (c) => {
      explicitConnection(c as unknown as Record<string, unknown>);
      c.auth = { path: `k8s-${name}`, reviewer: { mode: "vault-pod", createBinding: false } };
      c.roles[0].boundServiceAccountNamespaceSelector = { matchLabels: { team: "a" } };
      delete c.roles[0].boundServiceAccountNamespaces;
    });
  const clash = (kind: string) =>
    `bad.yaml:72:11: clusters[1].roles[0].boundServiceAccountNamespaceSelector: "vault-vault-namespace-reader" makes this stack create ${kind} "vault-vault-namespace-reader" in https://k8s.example.com, which clusters[0].roles[0].boundServiceAccountNamespaceSelector (bad.yaml:35:11) creates too; the later apply fails with "already exists", and a destroy of either deletes it for both: give one of the two entries another reviewer serviceAccountName or namespace, or manage this cluster's reviewer from one entry only`;
  expect(problems([selecting("one"), selecting("two")])).toEqual([clash("ClusterRole"), clash("ClusterRoleBinding")]);
});

test("names no policy clash for two refused policy names on one Vault: each refusal is the one line about its name", () => {
  const entry = (name: string) => {
    const cluster = another(name, (c) => {
      (c.auth as Record<string, unknown>).path = `k8s/${name}`;
    });
    cluster.vault = { address: "https://vault.example.com" };
    cluster.kubernetes = { eks: { clusterName: name, region: "eu-west-1" } };
    cluster.policies = [{ name: "Bad Name", rules: [{ path: "secret/x", capabilities: ["read"] }] }];
    cluster.roles = (cluster.roles ?? []).map((role) => ({ ...role, tokenPolicies: [] }));
    return cluster;
  };
  expect(problems([entry("one"), entry("two")]).map((line) => line.replace(/^bad\.yaml:\d+:\d+: /, ""))).toEqual([
    'clusters[0].policies[0].name: "Bad Name" holds a space, which would be written as is; remove it',
    'clusters[1].policies[0].name: "Bad Name" holds a space, which would be written as is; remove it',
  ]);
});

test("names no binding clash for two refused role names of client-jwt mounts of one path on one cluster (two Vault namespaces): each refusal is the one line about its name", () => {
  const entry = (name: string) =>
    another(name, (c) => {
      explicitConnection(c);
      c.auth = { path: "k8s", reviewer: { mode: "client-jwt" } };
      c.roles = (c.roles ?? []).map((role) => ({ ...role, name: "Bad Name", audience: undefined }));
    });
  expect(problems([entry("one"), entry("two")]).map((line) => line.replace(/^bad\.yaml:\d+:\d+: /, ""))).toEqual([
    'clusters[0].roles[0].name: "Bad Name" holds a space, which would be written as is; remove it',
    'clusters[1].roles[0].name: "Bad Name" holds a space, which would be written as is; remove it',
  ]);
});
