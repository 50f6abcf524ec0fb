import { Annotations, Fn } from "cdktf";
import type { Construct } from "constructs";
import { AwsProvider, DataAwsEksCluster, DataAwsEksClusterAuth, KubernetesProvider } from "../providers";
import { check } from "./check";

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
   * @default "~/.kube/config"
   */
  readonly kubeconfigPath?: string;
  /** @default - the kubeconfig's current context */
  readonly kubeconfigContext?: string;
}

/**
 * How Terraform reaches the cluster, and how Vault does: one source for both, so the host and
 * CA are never hard-coded beside a cluster lookup that says otherwise.
 */
export abstract class ClusterConnection {
  /**
   * An EKS cluster, looked up by name: its endpoint and CA configure both the kubernetes
   * provider (with a token from `aws_eks_cluster_auth`) and Vault's auth config.
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
    new AwsProvider(scope, "aws", { region: this.props.region });
    const cluster = new DataAwsEksCluster(scope, "EksCluster", { name: this.props.clusterName });
    const auth = new DataAwsEksClusterAuth(scope, "EksClusterAuth", { name: this.props.clusterName });
    const caCertificate = Fn.base64decode(cluster.certificateAuthority.get(0).data);
    new KubernetesProvider(scope, "kubernetes", {
      host: cluster.endpoint,
      clusterCaCertificate: caCertificate,
      token: auth.token,
    });
    return { host: cluster.endpoint, caCertificate };
  }
}

class ExplicitConnection extends ClusterConnection {
  constructor(private readonly props: ExplicitConnectionProps) {
    super();
    check("https", "kubernetes host", props.host);
    check("pemCertificate", "kubernetes caCertificate", props.caCertificate);
  }

  bind(scope: Construct): ClusterEndpoint {
    if (this.props.kubeconfigContext === undefined) {
      Annotations.of(scope).addWarning(
        `kubernetes: no kubeconfig context is set, so Terraform creates the reviewer objects in whatever cluster ` +
          `the current context points at, while Vault is configured for ${this.props.host}. Set kubeconfig.context.`,
      );
    }
    new KubernetesProvider(scope, "kubernetes", {
      configPath: this.props.kubeconfigPath ?? "~/.kube/config",
      configContext: this.props.kubeconfigContext,
    });
    return { host: this.props.host, caCertificate: this.props.caCertificate };
  }
}
