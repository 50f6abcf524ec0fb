import { Construct } from "constructs";
import { ClusterRoleBindingV1, ClusterRoleV1 } from "../providers";
import type { ServiceAccountRef } from "./auth-delegator-binding";
import { check } from "./check";

export interface NamespaceReaderProps {
  /** Name of the ClusterRole and of its ClusterRoleBinding (cluster-scoped, so unique in the cluster). */
  readonly name: string;
  /** The ServiceAccount whose JWT Vault uses to read namespaces: the reviewer. */
  readonly serviceAccount: ServiceAccountRef;
}

/**
 * Lets the reviewer `get` namespaces, nothing more. A role with a namespace selector makes Vault
 * read the pod's namespace with the reviewer's JWT (vault-plugin-auth-kubernetes v0.23.1
 * namespace_validator.go:60-76, GET /api/v1/namespaces/<name>), which `system:auth-delegator`
 * does not allow; without this every such login fails with "namespace not authorized".
 */
export class NamespaceReader extends Construct {
  readonly name: string;
  readonly role: ClusterRoleV1;
  readonly binding: ClusterRoleBindingV1;

  constructor(scope: Construct, id: string, props: NamespaceReaderProps) {
    super(scope, id);
    check(this, ["name"], "rbacName", props.name, "a ClusterRole name");
    this.name = props.name;
    this.role = new ClusterRoleV1(this, "Role", {
      metadata: { name: props.name },
      rule: [{ apiGroups: [""], resources: ["namespaces"], verbs: ["get"] }],
    });
    this.binding = new ClusterRoleBindingV1(this, "Binding", {
      metadata: { name: props.name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: this.role.metadata.name },
      subject: [{ kind: "ServiceAccount", name: props.serviceAccount.name, namespace: props.serviceAccount.namespace }],
    });
  }
}
