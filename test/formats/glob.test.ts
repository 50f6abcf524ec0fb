/**
 * Patterns in boundServiceAccountNames and boundServiceAccountNamespaces, as Vault matches them:
 * ryanuber/go-glob v1.0.0 glob.go:11-55 ('*' matches any run of characters, nothing else is
 * special), through go-secure-stdlib/strutil v0.1.2 StrListContainsGlob in
 * vault-plugin-auth-kubernetes v0.23.1 path_login.go:388-401, and through the JWT role's glob
 * bound claims in vault-plugin-auth-jwt v0.25.0 claims.go:144-169 (path_role.go:473-499 takes the
 * glob type).
 */

import { stringify } from "yaml";
import { JwtAuthBackend, JwtIssuer, KubernetesAuthBackend } from "../../src/constructs";
import { goGlob } from "../../src/formats/glob";
import { newStack, only, problemsIn, seedCluster, stackFor, synthJson, TEST_CA, warningsOf } from "../helpers";

const kubernetesRole = (names: string[], namespaces: string[]) => {
  const cluster = seedCluster();
  cluster.roles = [{ ...cluster.roles[0], boundServiceAccountNames: names, boundServiceAccountNamespaces: namespaces }];
  return cluster;
};
const jwtRole = (names: string[], namespaces: string[]) => {
  const cluster = kubernetesRole(names, namespaces);
  cluster.kubernetes = {};
  cluster.auth = { method: "jwt", path: "atlantis-jwt", jwt: { issuer: "https://k8s.example.com" } };
  cluster.roles[0].audience = "vault";
  return cluster;
};

describe("goGlob is go-glob v1.0.0", () => {
  test.each([
    ["atlantis-*", "atlantis-x", true],
    ["atlantis-*", "atlantis-", true],
    ["atlantis-*", "runner-x", false],
    ["*-runner", "ci-runner", true],
    ["a*b*c", "axxbyyc", true],
    ["a*b*c", "acb", false],
    ["a*a", "a", false],
    ["*", "", true],
    ["", "", true],
    ["x", "x", true],
    ["system:serviceaccount:team-*:atlantis-*", "system:serviceaccount:team-a:atlantis-x", true],
    ["system:serviceaccount:team-*:atlantis-*", "system:serviceaccount:ops:atlantis-x", false],
  ])("Glob(%j, %j) is %s", (pattern, subject, expected) => {
    expect(goGlob(pattern, subject)).toBe(expected);
  });
});

describe("the config and the constructs accept patterns, with the same meaning in both methods", () => {
  test("a Kubernetes role writes the patterns as they are", () => {
    expect(problemsIn(stringify({ clusters: [kubernetesRole(["atlantis-*"], ["team-*"])] }))).toBe("");
    const json = synthJson(stackFor(kubernetesRole(["atlantis-*", "ci"], ["team-*"])));
    expect(only(json, "vault_kubernetes_auth_backend_role")).toMatchObject({
      bound_service_account_names: ["atlantis-*", "ci"],
      bound_service_account_namespaces: ["team-*"],
    });
  });

  test("a JWT role binds sub with bound_claims_type glob when a name holds '*', and string when none does", () => {
    const json = synthJson(stackFor(jwtRole(["atlantis-*", "ci"], ["team-*"])));
    expect(only(json, "vault_jwt_auth_backend_role")).toMatchObject({
      bound_claims: { sub: "system:serviceaccount:team-*:atlantis-*,system:serviceaccount:team-*:ci" },
      bound_claims_type: "glob",
    });
    const exact = synthJson(stackFor(jwtRole(["atlantis"], ["atlantis"])));
    expect(only(exact, "vault_jwt_auth_backend_role")).toMatchObject({
      bound_claims: { sub: "system:serviceaccount:atlantis:atlantis" },
      bound_claims_type: "string",
    });
  });

  test.each([
    ["boundServiceAccountNames", "-*", "ServiceAccount name"],
    ["boundServiceAccountNames", "*-", "ServiceAccount name"],
    ["boundServiceAccountNamespaces", "team.*", "namespace"],
    ["boundServiceAccountNamespaces", "*..*", "namespace"],
  ])("refuses %s %j, which can match no valid %s", (field, value, what) => {
    const cluster = kubernetesRole(["atlantis"], ["atlantis"]);
    Object.assign(cluster.roles[0], { [field]: [value] });
    expect(problemsIn(stringify({ clusters: [cluster] }))).toContain(
      `clusters[0].roles[0].${field}[0]: ${JSON.stringify(value)} can match no valid ${what}: with each '*' standing for any run of characters, what is left must be part of a ${what}`,
    );
  });

  test("a pattern of 63 letters and a '*' is a namespace pattern: '*' may stand for nothing", () => {
    expect(problemsIn(stringify({ clusters: [kubernetesRole(["atlantis"], [`${"a".repeat(63)}*`])] }))).toBe("");
  });
});

describe("patterns that admit far more than they look are warned about at synth", () => {
  test.each([
    [
      "*-*",
      '"*-*" admits every ServiceAccount name with a "-" in it: Vault\'s \'*\' matches any run of characters (go-glob); name a prefix, e.g. atlantis-*',
    ],
    [
      "*-runner",
      '"*-runner" starts with \'*\', which matches any run of characters (go-glob), so every ServiceAccount name that ends in "-runner" is admitted, whoever creates it; prefer a prefix pattern such as atlantis-*',
    ],
    [
      "*runner*",
      '"*runner*" starts with \'*\', which matches any run of characters (go-glob), so every ServiceAccount name with "runner" in it is admitted, whoever creates it; prefer a prefix pattern such as atlantis-*',
    ],
    [
      "**",
      '"**" admits every ServiceAccount name, as "*" does: Vault\'s \'*\' matches any run of characters (go-glob); write "*" if that is meant, or name a prefix, e.g. atlantis-*',
    ],
  ])("warns about %j in both methods, naming the role and field", (pattern, warning) => {
    const role = { boundServiceAccountNames: [pattern], boundServiceAccountNamespaces: ["atlantis"] };
    const kube = new KubernetesAuthBackend(newStack(), "Auth", {
      path: "atlantis",
      kubernetesHost: "https://k8s.example.com",
      kubernetesCaCert: TEST_CA,
    });
    kube.addRole("atlantis", { ...role, audience: "vault" });
    expect(warningsOf(kube)).toEqual([`role atlantis: boundServiceAccountNames: ${warning}`]);
    const jwt = new JwtAuthBackend(newStack(), "Auth", {
      issuer: JwtIssuer.discovery({ issuer: "https://k8s.example.com" }),
    });
    jwt.addRole("atlantis", { ...role, audience: "vault" });
    expect(warningsOf(jwt)).toEqual([`role atlantis: boundServiceAccountNames: ${warning}`]);
  });

  test('says nothing about a prefix pattern or "*" alone', () => {
    const stack = newStack();
    const kube = new KubernetesAuthBackend(stack, "Auth", {
      path: "atlantis",
      kubernetesHost: "https://k8s.example.com",
      kubernetesCaCert: TEST_CA,
    });
    kube.addRole("atlantis", {
      boundServiceAccountNames: ["atlantis-*"],
      boundServiceAccountNamespaces: ["*"],
      audience: "vault",
    });
    expect(warningsOf(kube)).toEqual([]);
  });
});
