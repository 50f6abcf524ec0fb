import { Testing } from "cdktf";
import { ReviewerServiceAccount } from "../../src/constructs";
import { KubernetesAuthBackendConfig, SecretV1, ServiceAccountV1 } from "../../src/providers";
import { newStack, only, synthJson, validationMessage } from "../helpers";

const HOST = "https://kubernetes.example.com:6443";

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
      "test/Reviewer: namespace: \"Vault_NS\" is not a namespace; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    );
  });
});

describe("ReviewerServiceAccount refuses the names Kubernetes refuses, naming the field", () => {
  test("rejects a token Secret name Kubernetes refuses, naming the field", () => {
    expect(
      validationMessage(() => new ReviewerServiceAccount(newStack(), "Reviewer", { secretName: "Reviewer_Token" })),
    ).toBe(
      "test/Reviewer: secretName: \"Reviewer_Token\" is not a Secret name; use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit",
    );
  });

  test("rejects a ServiceAccount name Kubernetes refuses, naming the field", () => {
    expect(
      validationMessage(
        () => new ReviewerServiceAccount(newStack(), "Reviewer", { serviceAccountName: "Vault_Reviewer" }),
      ),
    ).toBe(
      "test/Reviewer: serviceAccountName: \"Vault_Reviewer\" is not a ServiceAccount name; use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit",
    );
  });
});
