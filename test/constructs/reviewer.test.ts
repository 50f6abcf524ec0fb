import { Testing } from "cdktf";
import { AuthDelegatorBinding, KubernetesAuthBackend, Reviewer, ReviewerServiceAccount } from "../../src/constructs";
import { ClusterRoleBindingV1, KubernetesAuthBackendConfig, SecretV1, ServiceAccountV1 } from "../../src/providers";
import { newStack, only, synthJson, TEST_CA, validationMessage } from "../helpers";

const HOST = "https://kubernetes.example.com:6443";

function backendWith(reviewer: Reviewer) {
  const stack = newStack();
  const backend = new KubernetesAuthBackend(stack, "Auth", {
    path: "atlantis",
    kubernetesHost: HOST,
    kubernetesCaCert: TEST_CA,
    reviewer,
  });
  return { stack, backend };
}

describe("ReviewerServiceAccount", () => {
  test("creates the token Secret in the ServiceAccount's own namespace and waits for the token", () => {
    const stack = newStack();
    new ReviewerServiceAccount(stack, "Reviewer", { serviceAccountName: "vault-reviewer", namespace: "vault" });
    const synthesized = Testing.synth(stack);
    expect(synthesized).toHaveResourceWithProperties(ServiceAccountV1, {
      metadata: { name: "vault-reviewer", namespace: "vault" },
    });
    expect(synthesized).toHaveResourceWithProperties(SecretV1, {
      metadata: {
        name: "vault-reviewer-token",
        namespace: "vault",
        annotations: {
          "kubernetes.io/service-account.name": expect.stringContaining("kubernetes_service_account_v1."),
        },
      },
      type: "kubernetes.io/service-account-token",
      wait_for_service_account_token: true,
    });
  });

  test("exposes the token as a sensitive reference without a default that would hide a missing token", () => {
    const stack = newStack();
    const account = new ReviewerServiceAccount(stack, "Reviewer");
    new KubernetesAuthBackendConfig(stack, "Config", { kubernetesHost: HOST, tokenReviewerJwt: account.token });
    const config = only(synthJson(stack), "vault_kubernetes_auth_backend_config");
    expect(config.token_reviewer_jwt).toMatch(/^\$\{sensitive\(kubernetes_secret_v1\.[^.]+\.data\.token\)\}$/);
  });

  test("rejects a namespace that is not a DNS-1123 label, naming the value and the fix", () => {
    expect(validationMessage(() => new ReviewerServiceAccount(newStack(), "Reviewer", { namespace: "Vault_NS" }))).toBe(
      "reviewer namespace: \"Vault_NS\" is not valid; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    );
  });
});

describe("AuthDelegatorBinding", () => {
  test("binds every ServiceAccount, with its namespace, to system:auth-delegator", () => {
    const stack = newStack();
    new AuthDelegatorBinding(stack, "Binding", {
      name: "review",
      serviceAccounts: [
        { name: "a", namespace: "x" },
        { name: "b", namespace: "y" },
      ],
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ClusterRoleBindingV1, {
      metadata: { name: "review" },
      role_ref: { api_group: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
      subject: [
        { kind: "ServiceAccount", name: "a", namespace: "x" },
        { kind: "ServiceAccount", name: "b", namespace: "y" },
      ],
    });
  });

  test("rejects an empty subject list", () => {
    expect(
      validationMessage(() => new AuthDelegatorBinding(newStack(), "Binding", { name: "review", serviceAccounts: [] })),
    ).toBe("auth-delegator binding review: serviceAccounts is empty; name at least one ServiceAccount");
  });
});

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
      'role any: a mount whose reviewer is client-jwt binds each ServiceAccount to system:auth-delegator, so boundServiceAccountNames and boundServiceAccountNamespaces must list concrete names, not "*"; list them, or use the long-lived-token or vault-pod reviewer',
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
      'auth mount atlantis: reviewer bindingName "vault-vault-namespace-reader" is also the name of the ClusterRoleBinding that lets the reviewer read namespaces for boundServiceAccountNamespaceSelector (<namespace>-<serviceAccountName>-namespace-reader), so this stack would create two bindings of one name and the apply fails with "already exists"; choose another bindingName',
    );
  });

  test("rejects a long-lived-token mount without the cluster CA", () => {
    const stack = newStack();
    expect(validationMessage(() => new KubernetesAuthBackend(stack, "Auth", { kubernetesHost: HOST }))).toBe(
      "auth mount kubernetes: the long-lived-token reviewer needs the cluster CA; set kubernetesCaCert",
    );
  });
});
