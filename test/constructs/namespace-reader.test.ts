import { NamespaceReader } from "../../src/constructs";
import { newStack, only, synthJson, validationMessage } from "../helpers";

describe("NamespaceReader", () => {
  test("binds the reviewer to its own ClusterRole, which allows get on namespaces only", () => {
    const stack = newStack();
    new NamespaceReader(stack, "Reader", {
      name: "vault-vault-reviewer-namespace-reader",
      serviceAccount: { name: "vault-reviewer", namespace: "vault" },
    });
    const json = synthJson(stack);
    const [roleAddress] = Object.keys(json.resource.kubernetes_cluster_role_v1);
    expect(only(json, "kubernetes_cluster_role_v1")).toEqual({
      metadata: { name: "vault-vault-reviewer-namespace-reader" },
      rule: [{ api_groups: [""], resources: ["namespaces"], verbs: ["get"] }],
    });
    expect(only(json, "kubernetes_cluster_role_binding_v1")).toEqual({
      metadata: { name: "vault-vault-reviewer-namespace-reader" },
      role_ref: {
        api_group: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: `\${kubernetes_cluster_role_v1.${roleAddress}.metadata[0].name}`,
      },
      subject: [{ kind: "ServiceAccount", name: "vault-reviewer", namespace: "vault" }],
    });
  });

  test("rejects a name Kubernetes refuses, naming the field", () => {
    expect(
      validationMessage(
        () =>
          new NamespaceReader(newStack(), "Reader", {
            name: "vault/reader",
            serviceAccount: { name: "vault-reviewer", namespace: "vault" },
          }),
      ),
    ).toBe(
      "test/Reader: name: \"vault/reader\" is not a ClusterRole name; use a name without '/', '%' or spaces that is not '.' or '..' (e.g. vault:token-reviewer)",
    );
  });
});
