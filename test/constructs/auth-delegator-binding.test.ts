import { Testing } from "cdktf";
import { AuthDelegatorBinding } from "../../src/constructs";
import { ClusterRoleBindingV1 } from "../../src/providers";
import { newStack, validationMessage } from "../helpers";

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
    ).toBe("test/Binding: serviceAccounts is empty; name at least one ServiceAccount");
  });
});

describe("AuthDelegatorBinding refuses the names Kubernetes refuses, naming the field", () => {
  const binding = (name: string, account: { name: string; namespace: string }) => () =>
    new AuthDelegatorBinding(newStack(), "Binding", {
      name,
      serviceAccounts: [{ name: "app", namespace: "app" }, account],
    });

  test("rejects a binding name Kubernetes refuses, naming the field", () => {
    expect(validationMessage(binding("review/app", { name: "app", namespace: "app" }))).toBe(
      "test/Binding: name: \"review/app\" is not a ClusterRoleBinding name; use a name without '/', '%' or spaces that is not '.' or '..' (e.g. vault:token-reviewer)",
    );
  });

  test("rejects a ServiceAccount name that is not a DNS subdomain, in any position of the list", () => {
    expect(validationMessage(binding("review", { name: "App", namespace: "app" }))).toBe(
      "test/Binding: serviceAccounts[1].name: \"App\" is not a ServiceAccount name; use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit",
    );
  });

  test("rejects a ServiceAccount namespace that is not a DNS label, in any position of the list", () => {
    expect(validationMessage(binding("review", { name: "app", namespace: "a.b" }))).toBe(
      "test/Binding: serviceAccounts[1].namespace: \"a.b\" has a '.', which a DNS-1123 label (a namespace, a cluster name) cannot have; use '-' instead",
    );
    expect(validationMessage(binding("review", { name: "app", namespace: "App" }))).toBe(
      "test/Binding: serviceAccounts[1].namespace: \"App\" is not a namespace; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    );
  });
});
