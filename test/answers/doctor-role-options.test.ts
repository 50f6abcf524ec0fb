import { diagnoseLogin } from "../../src/answers/doctor/doctor";
import { decodeJwt } from "../../src/answers/jwt";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { parseConfig } from "../../src/config/load";
import { NOW, projectedToken } from "./tokens";

const seedRole = DEFAULT_CONFIG.clusters[0].roles[0];

function namespaceCheck(namespace: string, role: Record<string, unknown>) {
  const config = parseConfig({ clusters: [{ ...structuredClone(DEFAULT_CONFIG.clusters[0]), roles: [role] }] }, "test");
  const diagnosis = diagnoseLogin({
    config,
    cluster: config.clusters[0],
    roleName: "atlantis",
    jwt: decodeJwt(projectedToken({ namespace })),
    now: NOW,
  });
  return diagnosis.checks.find((check) => check.name === "namespace");
}

describe("doctor: a role with a namespace selector (path_login.go:396-417, ORed with the list)", () => {
  const selector = { matchLabels: { "vault.example.com/atlantis": "allowed" } };

  test("passes a listed namespace without asking the cluster", () => {
    const role = { ...seedRole, boundServiceAccountNamespaceSelector: selector };
    expect(namespaceCheck("atlantis", role)?.status).toBe("pass");
  });

  test("leaves an unlisted namespace to the cluster's labels, saying how to check them", () => {
    const { boundServiceAccountNamespaces: _listed, ...role } = {
      ...seedRole,
      boundServiceAccountNamespaceSelector: selector,
    };
    expect(namespaceCheck("ci", role)).toEqual({
      name: "namespace",
      status: "skip",
      detail:
        'namespace "ci" is admitted only if its labels match vault.example.com/atlantis=allowed, which Vault reads from the cluster with the reviewer\'s JWT (namespace_validator.go:41-58, 60-76)',
      verify: "kubectl get namespace ci -l vault.example.com/atlantis=allowed finds it",
    });
  });
});
