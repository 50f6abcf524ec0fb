import type { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import type { DataAwsEksClusterAuth } from "@cdktf/provider-aws/lib/data-aws-eks-cluster-auth";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ValidationError } from "./domain/validation";

/**
 * The one place that imports prebuilt provider classes.
 *
 * Each class comes from its own module, never from a package root: a root import loads every
 * resource of the provider (measured on the seed stack: 3.0 s / 762 MiB instead of
 * 0.21 s / 69 MiB). Keeping the imports here also makes a later move from the archived cdktf
 * packages to a fork a change of this file only.
 */
export { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
export { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
export { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
export { KubernetesProvider, type KubernetesProviderExec } from "@cdktf/provider-kubernetes/lib/provider";
export { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
export { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
export { AuthBackend } from "@cdktf/provider-vault/lib/auth-backend";
export { DataVaultAuthBackends } from "@cdktf/provider-vault/lib/data-vault-auth-backends";
export {
  DataVaultPolicyDocument,
  dataVaultPolicyDocumentRuleToTerraform,
} from "@cdktf/provider-vault/lib/data-vault-policy-document";
export { JwtAuthBackend } from "@cdktf/provider-vault/lib/jwt-auth-backend";
export { JwtAuthBackendRole } from "@cdktf/provider-vault/lib/jwt-auth-backend-role";
export { KubernetesAuthBackendConfig } from "@cdktf/provider-vault/lib/kubernetes-auth-backend-config";
export { KubernetesAuthBackendRole } from "@cdktf/provider-vault/lib/kubernetes-auth-backend-role";
export { Policy } from "@cdktf/provider-vault/lib/policy";
export { VaultProvider } from "@cdktf/provider-vault/lib/provider";

/**
 * The AWS provider classes an EKS connection uses.
 * @internal: stripped from the shipped .d.ts files, which must type-check without the AWS provider
 */
export interface AwsClasses {
  readonly AwsProvider: typeof AwsProvider;
  readonly DataAwsEksCluster: typeof DataAwsEksCluster;
  readonly DataAwsEksClusterAuth: typeof DataAwsEksClusterAuth;
}

/** The peer range in package.json; a test keeps the two equal. */
export const AWS_PROVIDER_RANGE = "^21.22.1";

/**
 * Loads the AWS provider classes when an EKS connection needs them, not before.
 * `@cdktf/provider-aws` (392 MB installed) is an optional peer dependency: a package user whose
 * clusters are not EKS never installs it, and importing this package must not require it.
 * @internal: stripped from the shipped .d.ts files, which must type-check without the AWS provider
 */
export function awsClasses(): AwsClasses {
  try {
    return {
      AwsProvider: require("@cdktf/provider-aws/lib/provider").AwsProvider,
      DataAwsEksCluster: require("@cdktf/provider-aws/lib/data-aws-eks-cluster").DataAwsEksCluster,
      DataAwsEksClusterAuth: require("@cdktf/provider-aws/lib/data-aws-eks-cluster-auth").DataAwsEksClusterAuth,
    };
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // Only the package itself missing is the user's to fix; a broken install inside it is not.
    if (code !== "MODULE_NOT_FOUND" || !message.startsWith("Cannot find module '@cdktf/provider-aws/")) throw error;
    throw new ValidationError(
      "an EKS cluster needs the AWS provider, which is an optional peer dependency of vault-k8s-auth and is not " +
        `installed: run npm install @cdktf/provider-aws@"${AWS_PROVIDER_RANGE}", or connect to the cluster with ` +
        "an explicit host and kubeconfig instead of eks",
    );
  }
}
