import type { Construct } from "constructs";
import { EMPTY_PUBLIC_KEYS } from "../checks/mount";
import { check, throwProblems } from "./check";
import { lookUpEksCluster } from "./eks-cluster";

/** How a JWT auth mount's config learns the cluster's issuer and keys. */
export interface JwtIssuerConfig {
  /** `bound_issuer`: the `iss` every accepted token must carry. */
  readonly boundIssuer: string;
  /** `oidc_discovery_url`, when Vault fetches the keys itself. */
  readonly oidcDiscoveryUrl?: string;
  /** `oidc_discovery_ca_pem`: the CA Vault trusts for the discovery document and the JWKS. */
  readonly oidcDiscoveryCaPem?: string;
  /** `jwt_validation_pubkeys`, when the keys are given. */
  readonly jwtValidationPubkeys?: string[];
}

export interface EksIssuerProps {
  readonly clusterName: string;
  /** Credentials come from the deploy environment (AWS_PROFILE, ...). */
  readonly region: string;
}

export interface DiscoveryIssuerProps {
  /** The cluster's service-account issuer (`--service-account-issuer`, the `iss` of its tokens). */
  readonly issuer: string;
  /**
   * PEM CA certificate(s) Vault trusts, instead of its system trust store, when it fetches the
   * issuer's discovery document and JWKS (`oidc_discovery_ca_pem`; cap v0.11.0
   * jwt/keyset.go:206-227 puts only these in the pool). Needed when the issuer is the cluster's
   * own API server (kubeadm, kind, k3s): its certificate is signed by the cluster's CA. Leave it
   * out for an issuer with a publicly trusted certificate (EKS, or discovery published on S3),
   * which this CA would not verify.
   * @default - Vault's system trust store
   */
  readonly caCertificate?: string;
}

export interface PublicKeysIssuerProps {
  /** The cluster's service-account issuer (`--service-account-issuer`, the `iss` of its tokens). */
  readonly issuer: string;
  /** PEM public keys the cluster signs service-account tokens with (`--service-account-key-file`). */
  readonly publicKeys: string[];
}

/**
 * Where Vault's JWT auth method gets the keys that sign the cluster's ServiceAccount tokens, and
 * which `iss` it accepts. The mount's `bound_issuer` is always set: Vault checks it on every
 * login (vault-plugin-auth-jwt v0.25.0 path_login.go:147-156).
 * See https://developer.hashicorp.com/vault/docs/auth/jwt/oidc-providers/kubernetes
 *
 * - `eks`: the EKS cluster's OIDC issuer, looked up by name; always public, keys discovered.
 * - `discovery`: any issuer Vault can reach; Vault fetches its keys, following rotations. It
 *   fetches them anonymously (cap v0.11.0 jwt/keyset.go:66-72 sends no credentials), so an API
 *   server that is its own issuer must let `system:unauthenticated` read them (docs/jwt-method.md).
 * - `publicKeys`: an issuer Vault cannot reach (a private API server); the keys are pinned and
 *   must be updated when the cluster rotates its signing key.
 */
export abstract class JwtIssuer {
  static eks(props: EksIssuerProps): JwtIssuer {
    return new EksIssuer(props);
  }

  static discovery(props: DiscoveryIssuerProps): JwtIssuer {
    return new DiscoveryIssuer(props);
  }

  static publicKeys(props: PublicKeysIssuerProps): JwtIssuer {
    return new PublicKeysIssuer(props);
  }

  /** Creates what the issuer needs under `scope` and says how to configure the mount. */
  abstract bind(scope: Construct): JwtIssuerConfig;
}

class EksIssuer extends JwtIssuer {
  constructor(private readonly props: EksIssuerProps) {
    super();
  }

  bind(scope: Construct): JwtIssuerConfig {
    const cluster = lookUpEksCluster(scope, this.props.clusterName, this.props.region);
    const issuer = cluster.identity.get(0).oidc.get(0).issuer;
    return { boundIssuer: issuer, oidcDiscoveryUrl: issuer };
  }
}

class DiscoveryIssuer extends JwtIssuer {
  constructor(private readonly props: DiscoveryIssuerProps) {
    super();
    check("JwtIssuer.discovery", ["issuer"], "oidcIssuer", props.issuer, "a URL Vault can discover keys at");
    check("JwtIssuer.discovery", ["caCertificate"], "pemCertificate", props.caCertificate, "a PEM certificate");
  }

  bind(): JwtIssuerConfig {
    return {
      boundIssuer: this.props.issuer,
      oidcDiscoveryUrl: this.props.issuer,
      oidcDiscoveryCaPem: this.props.caCertificate,
    };
  }
}

class PublicKeysIssuer extends JwtIssuer {
  constructor(private readonly props: PublicKeysIssuerProps) {
    super();
    if (props.publicKeys.length === 0) {
      throwProblems("JwtIssuer.publicKeys", [{ path: ["publicKeys"], message: EMPTY_PUBLIC_KEYS }]);
    }
    for (const [index, key] of props.publicKeys.entries()) {
      check("JwtIssuer.publicKeys", ["publicKeys", index], "pemPublicKey", key, "a PEM public key");
    }
  }

  bind(): JwtIssuerConfig {
    return { boundIssuer: this.props.issuer, jwtValidationPubkeys: this.props.publicKeys };
  }
}
