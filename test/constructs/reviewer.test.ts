import { KubernetesAuthBackend, Reviewer } from "../../src/constructs";
import { kubernetesMount, newStack, only, synthJson, TEST_CA, validationMessage } from "../helpers";

const HOST = "https://kubernetes.example.com:6443";

function backendWith(reviewer: Reviewer) {
  const { stack, auth } = kubernetesMount({ path: "atlantis", kubernetesHost: HOST, reviewer });
  return { stack, backend: auth };
}

describe("Reviewer modes", () => {
  test("long-lived-token stores the reviewer Secret's token and the CA, and binds the reviewer", () => {
    const { stack } = backendWith(Reviewer.longLivedToken());
    const json = synthJson(stack);
    expect(Object.keys(json.resource).sort()).toEqual([
      "kubernetes_cluster_role_binding_v1",
      "kubernetes_secret_v1",
      "kubernetes_service_account_v1",
      "vault_auth_backend",
      "vault_kubernetes_auth_backend_config",
    ]);
    const config = only(json, "vault_kubernetes_auth_backend_config");
    expect(config.token_reviewer_jwt).toMatch(/^\$\{sensitive\(kubernetes_secret_v1\.[^.]+\.data\.token\)\}$/);
    expect(config.kubernetes_ca_cert).toBe(TEST_CA);
    expect(config.disable_local_ca_jwt).toBe(false);
    expect(only(json, "kubernetes_cluster_role_binding_v1")).toMatchObject({
      metadata: { name: "vault-vault-reviewer-auth-delegator" },
      subject: [{ name: "vault-reviewer", namespace: "vault" }],
    });
  });

  test("vault-pod stores no token, keeps the CA it is given, and binds Vault's own ServiceAccount", () => {
    const { stack } = backendWith(Reviewer.vaultPod({ serviceAccountName: "vault", namespace: "vault-system" }));
    const json = synthJson(stack);
    expect(Object.keys(json.resource).sort()).toEqual([
      "kubernetes_cluster_role_binding_v1",
      "vault_auth_backend",
      "vault_kubernetes_auth_backend_config",
    ]);
    const config = only(json, "vault_kubernetes_auth_backend_config");
    expect(config).not.toHaveProperty("token_reviewer_jwt");
    expect(config.kubernetes_ca_cert).toBe(TEST_CA);
    expect(only(json, "kubernetes_cluster_role_binding_v1")).toMatchObject({
      subject: [{ kind: "ServiceAccount", name: "vault", namespace: "vault-system" }],
    });
  });

  test("vault-pod with no props binds ServiceAccount vault in namespace vault, as a Helm release named vault in namespace vault has it", () => {
    const json = synthJson(backendWith(Reviewer.vaultPod()).stack);
    expect(only(json, "kubernetes_cluster_role_binding_v1")).toMatchObject({
      metadata: { name: "vault-vault-auth-delegator" },
      subject: [{ kind: "ServiceAccount", name: "vault", namespace: "vault" }],
    });
  });

  test("client-jwt stores no token, disables the local CA JWT, and binds each role's ServiceAccounts", () => {
    const { stack, backend } = backendWith(Reviewer.clientJwt());
    backend.addRole("atlantis", {
      boundServiceAccountNames: ["atlantis", "atlantis-worker"],
      boundServiceAccountNamespaces: ["atlantis"],
    });
    const json = synthJson(stack);
    expect(Object.keys(json.resource).sort()).toEqual([
      "kubernetes_cluster_role_binding_v1",
      "vault_auth_backend",
      "vault_kubernetes_auth_backend_config",
      "vault_kubernetes_auth_backend_role",
    ]);
    const config = only(json, "vault_kubernetes_auth_backend_config");
    expect(config).not.toHaveProperty("token_reviewer_jwt");
    expect(config).toMatchObject({ disable_local_ca_jwt: true, kubernetes_ca_cert: TEST_CA });
    expect(only(json, "kubernetes_cluster_role_binding_v1")).toMatchObject({
      metadata: { name: expect.stringMatching(/^vault-client-jwt-atlantis-atlantis-[0-9a-f]{8}$/) },
      subject: [
        { name: "atlantis", namespace: "atlantis" },
        { name: "atlantis-worker", namespace: "atlantis" },
      ],
    });
  });

  test("gives roles whose names sanitize alike their own client-jwt bindings", () => {
    const { stack, backend } = backendWith(Reviewer.clientJwt());
    for (const role of ["app_1", "app.1"]) {
      backend.addRole(role, {
        boundServiceAccountNames: ["app"],
        boundServiceAccountNamespaces: ["ns"],
      });
    }
    const bindings = Object.values(synthJson(stack).resource.kubernetes_cluster_role_binding_v1) as {
      metadata: { name: string };
    }[];
    const names = bindings.map((binding) => binding.metadata.name);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name).toMatch(/^vault-client-jwt-atlantis-app-1-[0-9a-f]{8}$/);
  });

  test("rejects a wildcard ServiceAccount on a client-jwt mount", () => {
    const { backend } = backendWith(Reviewer.clientJwt());
    expect(
      validationMessage(() =>
        backend.addRole("any", { boundServiceAccountNames: ["*"], boundServiceAccountNamespaces: ["atlantis"] }),
      ),
    ).toBe(
      'test/Auth/Roles/any: boundServiceAccountNames holds "*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator; list concrete names, or use the long-lived-token or vault-pod reviewer',
    );
  });

  test("client-jwt refuses a namespace read asked of it directly, as it refuses a selector on its roles", () => {
    // grantNamespaceRead is public: a mount of the user's own asks it without a role check first.
    const stack = newStack();
    expect(validationMessage(() => Reviewer.clientJwt().grantNamespaceRead(stack, "k8s"))).toBe(
      'test: boundServiceAccountNamespaceSelector: needs a reviewer JWT, which the client-jwt reviewer does not store: Vault reads the namespace\'s labels with it (namespace_validator.go:67-70) and answers "namespace not authorized" without; list boundServiceAccountNamespaces, or use the long-lived-token or vault-pod reviewer',
    );
  });

  test("rejects a vault-pod bindingName that the namespace reader's binding also takes", () => {
    const { backend } = backendWith(Reviewer.vaultPod({ bindingName: "vault-vault-namespace-reader" }));
    expect(
      validationMessage(() =>
        backend.addRole("app", {
          boundServiceAccountNames: ["app"],
          boundServiceAccountNamespaceSelector: { matchLabels: { team: "a" } },
        }),
      ),
    ).toBe(
      'test/Auth: reviewer.bindingName: "vault-vault-namespace-reader" is also the name of the ClusterRoleBinding that lets the reviewer read namespaces for boundServiceAccountNamespaceSelector (<namespace>-<serviceAccountName>-namespace-reader), so this stack would create two bindings of one name and the apply fails with "already exists"; choose another bindingName',
    );
  });

  test("rejects a long-lived-token mount without the cluster CA", () => {
    const stack = newStack();
    expect(validationMessage(() => new KubernetesAuthBackend(stack, "Auth", { kubernetesHost: HOST }))).toBe(
      "test/Auth: kubernetesCaCert is required with the long-lived-token reviewer (only vault-pod reads Vault's own CA); paste the cluster CA PEM",
    );
  });
});

describe("a client-jwt role's auth-delegator binding name", () => {
  const bindingNameFor = (roleName: string) => {
    const { stack, auth } = kubernetesMount({ reviewer: Reviewer.clientJwt() });
    auth.addRole(roleName, { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"] });
    return (only(synthJson(stack), "kubernetes_cluster_role_binding_v1").metadata as { name: string }).name;
  };

  test("joins mount and role, turning each run of other characters into one '-', with a hash of the exact pair", () => {
    expect(bindingNameFor("app_.1")).toBe("vault-client-jwt-kubernetes-app-1-ddad4583");
  });

  test("keeps the readable part to 200 characters, so a long role name still gives a short Kubernetes name", () => {
    expect(bindingNameFor("a".repeat(250))).toBe(`vault-client-jwt-kubernetes-${"a".repeat(189)}-b7d0a3a3`);
  });
});
