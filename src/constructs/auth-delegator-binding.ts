import { Construct } from "constructs";
import { ClusterRoleBindingV1 } from "../providers";
import { check, throwProblems } from "./check";

/** A ServiceAccount, always with its namespace. */
export interface ServiceAccountRef {
  readonly name: string;
  readonly namespace: string;
}

export interface AuthDelegatorBindingProps {
  /** Name of the ClusterRoleBinding (cluster-scoped, so unique in the cluster). */
  readonly name: string;
  /** ServiceAccounts allowed to call the TokenReview API. At least one. */
  readonly serviceAccounts: ServiceAccountRef[];
}

/**
 * Binds ServiceAccounts to the built-in ClusterRole `system:auth-delegator`, which allows
 * creating TokenReviews: what Vault does with the reviewer JWT to check a pod's JWT.
 * See https://kubernetes.io/docs/reference/access-authn-authz/rbac/#other-component-roles
 */
export class AuthDelegatorBinding extends Construct {
  readonly name: string;
  readonly resource: ClusterRoleBindingV1;

  constructor(scope: Construct, id: string, props: AuthDelegatorBindingProps) {
    super(scope, id);
    if (props.serviceAccounts.length === 0) {
      throwProblems(this, [{ path: ["serviceAccounts"], message: "is empty; name at least one ServiceAccount" }]);
    }
    check(this, ["name"], "rbacName", props.name, "a ClusterRoleBinding name");
    props.serviceAccounts.forEach((account, index) => {
      check(this, ["serviceAccounts", index, "name"], "dns1123Subdomain", account.name, "a ServiceAccount name");
      check(this, ["serviceAccounts", index, "namespace"], "dns1123Label", account.namespace, "a namespace");
    });
    this.name = props.name;

    this.resource = new ClusterRoleBindingV1(this, "Resource", {
      metadata: { name: props.name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
      subject: props.serviceAccounts.map((account) => ({
        kind: "ServiceAccount",
        name: account.name,
        namespace: account.namespace,
      })),
    });
  }
}
