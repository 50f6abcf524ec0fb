import { generateConfig } from "../bench/generate-config";
import { parseConfig } from "../src/config/load";

describe("the benchmark's config generator", () => {
  // Parsed in each test that reads it, not while jest collects the tests (docs/development.md).
  const generated = () => parseConfig(generateConfig(20, 50, 10), "generated");

  test("produces a config that passes the project's validation", () => {
    expect(() => parseConfig(generateConfig(20, 50, 10), "generated")).not.toThrow();
  });

  test("produces 20 clusters with unique names", () => {
    const config = generated();
    const names = config.clusters.map((cluster) => cluster.name);
    expect(names).toHaveLength(20);
    expect(new Set(names).size).toBe(20);
  });

  test("gives every cluster 50 uniquely named roles and 10 uniquely named policies", () => {
    const config = generated();
    expect(config.clusters).toHaveLength(20);
    for (const cluster of config.clusters) {
      expect(cluster.roles).toHaveLength(50);
      expect(new Set(cluster.roles.map((role) => role.name)).size).toBe(50);
      expect(cluster.policies).toHaveLength(10);
      expect(new Set(cluster.policies.map((policy) => policy.name)).size).toBe(10);
    }
  });

  test("makes every role reference a few of its own cluster's policies", () => {
    const config = generated();
    expect(config.clusters.flatMap((cluster) => cluster.roles)).toHaveLength(1000);
    for (const cluster of config.clusters) {
      const policies = new Set(cluster.policies.map((policy) => policy.name));
      for (const role of cluster.roles) {
        expect(role.tokenPolicies.length).toBeGreaterThanOrEqual(2);
        expect(role.tokenPolicies.every((name) => policies.has(name))).toBe(true);
      }
    }
  });

  test("mixes EKS and explicit connections", () => {
    const config = generated();
    const kinds = new Set(config.clusters.map((cluster) => (cluster.kubernetes.eks ? "eks" : "explicit")));
    expect(kinds).toEqual(new Set(["eks", "explicit"]));
  });

  test("honours small counts too", () => {
    const small = parseConfig(generateConfig(1, 2, 1), "small");
    expect(small.clusters).toHaveLength(1);
    expect(small.clusters[0].roles).toHaveLength(2);
    expect(small.clusters[0].roles[0].tokenPolicies).toEqual([small.clusters[0].policies[0].name]);
  });
});
