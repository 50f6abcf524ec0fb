import { Annotations, Fn } from "cdktf";
import type { Construct } from "constructs";
import { inClusterProblems } from "../checks/mount";
import { DEFAULTS } from "../domain/defaults";
import { noKubeconfigContextWarning, STATIC_TOKEN_WARNING } from "../domain/warnings";
import { awsClasses, KubernetesProvider, type KubernetesProviderExec } from "../providers";
import { check, throwProblems } from "./check";
import { lookUpEksCluster } from "./eks-cluster";

/** The Kubernetes API as Vault must reach it. */
export interface ClusterEndpoint {
  /** `kubernetes_host`. */
  readonly host: string;
  /** PEM CA certificate of that API (none when Vault reads its own pod's CA). */
  readonly caCertificate?: string;
}

export interface EksConnectionProps {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** AWS region of the cluster. Credentials come from the deploy environment (AWS_PROFILE, ...). */
  readonly region: string;
  /**
   * Authenticate the kubernetes provider with the token of `aws_eks_cluster_auth` instead of
   * running `aws eks get-token`. That token lasts 15 minutes and is frozen into a saved plan, so
   * an apply after review (Atlantis) fails with `Unauthorized`
   * (hashicorp/terraform-provider-kubernetes#1131). Only for deploy environments without the AWS CLI.
   * @default false - the provider's `exec` block runs `aws eks get-token` at every plan and apply
   */
  readonly staticToken?: boolean;
}

export interface ExplicitConnectionProps {
  /** Kubernetes API URL as Vault reaches it, e.g. `https://kubernetes.default.svc` for Vault in the cluster. */
  readonly host: string;
  /**
   * PEM CA certificate of that API.
   * @default - none: only the vault-pod reviewer, which reads Vault's own pod CA, works without
   */
  readonly caCertificate?: string;
  /**
   * Kubeconfig that Terraform's kubernetes provider uses to create the reviewer objects.
   * @default - none: the provider reads KUBE_CONFIG_PATH / KUBE_CONFIG_PATHS, or runs with its
   * pod's in-cluster config
   */
  readonly kubeconfigPath?: string;
  /** @default - the kubeconfig's current context */
  readonly kubeconfigContext?: string;
  /**
   * Terraform runs in this cluster (Atlantis) and creates the reviewer objects with its own
   * pod's ServiceAccount: the provider block stays empty. Excludes the kubeconfig props.
   * @default false
   */
  readonly inCluster?: boolean;
}

/**
 * How Terraform reaches the cluster, and how Vault does: one source for both, so the host and
 * CA are never hard-coded beside a cluster lookup that says otherwise.
 */
export abstract class ClusterConnection {
  /**
   * An EKS cluster, looked up by name: its endpoint and CA configure both the kubernetes
   * provider (authenticated by `aws eks get-token`, so the AWS CLI must be installed) and
   * Vault's auth config.
   */
  static eks(props: EksConnectionProps): ClusterConnection {
    return new EksConnection(props);
  }

  /** Any cluster: Vault's view given as host + CA, Terraform's as a kubeconfig. */
  static explicit(props: ExplicitConnectionProps): ClusterConnection {
    return new ExplicitConnection(props);
  }

  /** Configures the providers in `scope` and returns the endpoint Vault should use. */
  abstract bind(scope: Construct): ClusterEndpoint;
}

class EksConnection extends ClusterConnection {
  constructor(private readonly props: EksConnectionProps) {
    super();
  }

  bind(scope: Construct): ClusterEndpoint {
    const { clusterName, region } = this.props;
    const cluster = lookUpEksCluster(scope, clusterName, region);
    const caCertificate = Fn.base64decode(cluster.certificateAuthority.get(0).data);
    new KubernetesProvider(scope, "kubernetes", {
      host: cluster.endpoint,
      clusterCaCertificate: caCertificate,
      ...((this.props.staticToken ?? DEFAULTS.staticToken)
        ? { token: this.staticToken(scope) }
        : { exec: [EksConnection.getToken(clusterName, region)] }),
    });
    return { host: cluster.endpoint, caCertificate };
  }

  /**
   * A fresh token at every plan and apply: the provider hands `exec` to client-go as an exec
   * credential plugin (terraform-provider-kubernetes v2.38.0 kubernetes/provider.go:609-627),
   * the form its docs give for EKS (docs/index.md:108-124).
   */
  private static getToken(clusterName: string, region: string): KubernetesProviderExec {
    return {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region],
    };
  }

  private staticToken(scope: Construct): string {
    Annotations.of(scope).addWarning(STATIC_TOKEN_WARNING);
    const { DataAwsEksClusterAuth } = awsClasses();
    return new DataAwsEksClusterAuth(scope, "EksClusterAuth", { name: this.props.clusterName }).token;
  }
}

class ExplicitConnection extends ClusterConnection {
  constructor(private readonly props: ExplicitConnectionProps) {
    super();
    check("ClusterConnection.explicit", ["host"], "kubernetesHost", props.host, "an https URL");
    check("ClusterConnection.explicit", ["caCertificate"], "pemCertificate", props.caCertificate, "a PEM certificate");
  }

  bind(scope: Construct): ClusterEndpoint {
    const { inCluster = DEFAULTS.inCluster, kubeconfigPath, kubeconfigContext } = this.props;
    throwProblems(scope, inClusterProblems(inCluster, (kubeconfigPath ?? kubeconfigContext) !== undefined));
    if (!inCluster && kubeconfigContext === undefined) {
      Annotations.of(scope).addWarning(noKubeconfigContextWarning(this.props.host));
    }
    // config_path only when a kubeconfig is named: the provider otherwise falls back to
    // KUBE_CONFIG_PATH (terraform-provider-kubernetes v2.38.0 kubernetes/provider.go:97-101),
    // KUBE_CONFIG_PATHS (:513-517), and, with none of them, to the pod's in-cluster config
    // (docs/index.md:100-104); a config_path that does not exist in the pod would break that.
    new KubernetesProvider(
      scope,
      "kubernetes",
      inCluster ? {} : { configPath: kubeconfigPath, configContext: kubeconfigContext },
    );
    return { host: this.props.host, caCertificate: this.props.caCertificate };
  }
}
