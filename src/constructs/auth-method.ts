import type { Construct } from "constructs";
import type { AuthMethodName } from "../checks/role";
import type { AuthMount } from "./auth-mount";
import type { ClusterConnection } from "./cluster-connection";
import { JwtAuthBackend } from "./jwt-auth-backend";
import type { JwtIssuer } from "./jwt-issuer";
import { KubernetesAuthBackend } from "./kubernetes-auth-backend";
import type { Reviewer } from "./reviewer";

/** What every mount takes, whatever the method. */
export interface AuthMountProps {
  /** @default - the method's name: "kubernetes" or "jwt" */
  readonly path?: string;
  /** @default - no description */
  readonly description?: string;
  /** @default true */
  readonly preventDestroy?: boolean;
}

export type { AuthMethodName };

export interface KubernetesMethodProps {
  /** How Terraform and Vault reach the cluster's API. */
  readonly connection: ClusterConnection;
  /** @default Reviewer.longLivedToken() */
  readonly reviewer?: Reviewer;
  /** @default true */
  readonly disableIssValidation?: boolean;
}

export interface JwtMethodProps {
  /** The cluster's service-account issuer and how Vault gets its keys. */
  readonly issuer: JwtIssuer;
}

/**
 * How Vault checks a pod's ServiceAccount token. Both methods take the same roles and the same
 * login call; they differ in whom Vault trusts.
 *
 * - `kubernetes`: Vault asks the API server (TokenReview) about every login, so a deleted pod or
 *   ServiceAccount stops logging in at once; Vault needs a network path to the API server and a
 *   reviewer (see `Reviewer`).
 * - `jwt`: Vault checks the token's signature against the cluster's issuer keys and never calls
 *   the API server: no reviewer, no long-lived token, works with a private API endpoint. A token
 *   stays valid until it expires (kubelet's projected tokens: an hour by default).
 *
 * Switching a mount's method replaces it with a resource of another type, and `preventDestroy`
 * cannot stop that: it lives in the old resource block, which is gone, and Terraform destroys what
 * the configuration no longer holds. The JWT mount refuses a Kubernetes mount's path at plan
 * instead; docs/configure.md, "Switching the auth method", migrates through a second mount.
 * See https://developer.hashicorp.com/vault/docs/auth/kubernetes#how-to-work-with-short-lived-kubernetes-tokens
 */
export abstract class AuthMethod {
  static kubernetes(props: KubernetesMethodProps): AuthMethod {
    return new KubernetesMethod(props);
  }

  static jwt(props: JwtMethodProps): AuthMethod {
    return new JwtMethod(props);
  }

  abstract readonly name: AuthMethodName;

  /** Creates the mount (and what the method needs) under `scope`, with a stable construct id per method. */
  abstract bind(scope: Construct, props: AuthMountProps): AuthMount;
}

class KubernetesMethod extends AuthMethod {
  readonly name = "kubernetes";

  constructor(private readonly props: KubernetesMethodProps) {
    super();
  }

  bind(scope: Construct, mount: AuthMountProps): AuthMount {
    const endpoint = this.props.connection.bind(scope);
    return new KubernetesAuthBackend(scope, "KubernetesAuth", {
      ...mount,
      kubernetesHost: endpoint.host,
      kubernetesCaCert: endpoint.caCertificate,
      reviewer: this.props.reviewer,
      disableIssValidation: this.props.disableIssValidation,
    });
  }
}

class JwtMethod extends AuthMethod {
  readonly name = "jwt";

  constructor(private readonly props: JwtMethodProps) {
    super();
  }

  bind(scope: Construct, mount: AuthMountProps): AuthMount {
    return new JwtAuthBackend(scope, "JwtAuth", { ...mount, issuer: this.props.issuer });
  }
}
