import type { Construct } from "constructs";
import { type AwsClasses, awsClasses } from "../providers";

/**
 * Configures the AWS provider for `region` and looks the EKS cluster up by name, under the ids
 * every stack has used ("aws", "EksCluster"): one lookup for both auth methods, so a cluster's
 * addresses do not depend on the method.
 */
export function lookUpEksCluster(
  scope: Construct,
  clusterName: string,
  region: string,
): InstanceType<AwsClasses["DataAwsEksCluster"]> {
  const { AwsProvider, DataAwsEksCluster } = awsClasses();
  new AwsProvider(scope, "aws", { region });
  return new DataAwsEksCluster(scope, "EksCluster", { name: clusterName });
}
