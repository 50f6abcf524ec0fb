import type { Problem } from "../checks/problem";
import { refusal } from "../domain/validation";
import { record } from "./raw";
import type { ClusterView } from "./typed-view";

/**
 * The cross-field rules of `auth.method: jwt` (Vault's JWT auth method against the cluster's
 * service-account issuer, vault-plugin-auth-jwt v0.25.0, which Vault 1.21.2 pins) at the cluster
 * level; a role's are src/checks/role.ts. Which fields the entry writes that the method does not
 * use is read from the file as written (the schema fills in defaults, such as the reviewer); the
 * issuer's values come typed. `auth.jwt` with the kubernetes method is reported too.
 */
export function authMethodProblems({ auth, raw }: ClusterView): Problem[] {
  if (auth === undefined) return [];
  const written = record(raw.auth);
  if (auth.method !== "jwt") {
    return auth.jwt === undefined
      ? []
      : [{ path: ["auth", "jwt"], message: "applies to auth.method: jwt; set method: jwt, or remove auth.jwt" }];
  }
  const problems: Problem[] = [];
  const kubernetes = record(raw.kubernetes);
  const { jwt } = auth;
  for (const field of ["reviewer", "disableIssValidation"]) {
    if (written[field] !== undefined) {
      problems.push({
        path: ["auth", field],
        message:
          field === "reviewer"
            ? "applies to the kubernetes method; the jwt method has no reviewer (Vault never calls the API server): remove it"
            : "applies to the kubernetes method; the jwt method always checks iss against the issuer (bound_issuer): remove it",
      });
    }
  }

  if (kubernetes.eks !== undefined) {
    if (jwt?.issuer !== undefined) {
      problems.push({
        path: ["auth", "jwt", "issuer"],
        message:
          "comes from kubernetes.eks (the cluster's OIDC issuer), so it is never written twice; remove it, or remove eks to trust an issuer of your own",
      });
    }
    if (jwt?.publicKeys !== undefined) {
      problems.push({
        path: ["auth", "jwt", "publicKeys"],
        message:
          "would pin keys that EKS rotates (its issuer publishes the current ones), so logins would stop when it does; remove publicKeys: Vault discovers the keys from the EKS issuer, which is public",
      });
    }
  } else {
    if (jwt?.issuer === undefined) {
      problems.push({
        path: jwt === undefined ? ["auth"] : ["auth", "jwt", "issuer"],
        message:
          "needs the cluster's service-account issuer with auth.method: jwt when kubernetes.eks is not given: " +
          "set auth.jwt.issuer to the iss of the cluster's tokens (kubectl get --raw /.well-known/openid-configuration shows it)",
      });
    } else if (jwt.publicKeys === undefined) {
      const problem = refusal("oidcIssuer", jwt.issuer, "a URL Vault can discover keys at");
      if (problem !== undefined) problems.push({ path: ["auth", "jwt", "issuer"], message: problem });
    }
  }
  // Warned, not refused: an entry switched between methods may keep its connection for the way back.
  // With discovery, caCertificate is the CA Vault trusts for the issuer (oidc_discovery_ca_pem):
  // an issuer that is the cluster's own API server serves a certificate the cluster's CA signed.
  const discoveryCa = kubernetes.eks === undefined && jwt?.publicKeys === undefined;
  for (const field of ["host", "caCertificate", "kubeconfig", "inCluster"]) {
    if (kubernetes[field] === undefined || (field === "caCertificate" && discoveryCa)) continue;
    problems.push({
      path: ["kubernetes", field],
      message:
        field === "caCertificate"
          ? `is not used with auth.method: jwt ${kubernetes.eks === undefined ? "and pinned publicKeys: Vault fetches nothing from the issuer" : "on EKS: the cluster's OIDC issuer has a publicly trusted certificate"}; it is the CA Vault trusts for the issuer's discovery document only when Vault discovers the keys`
          : "is not used with auth.method: jwt: Vault never calls the API server and the stack creates no Kubernetes objects",
      warning: true,
    });
  }
  if (record(kubernetes.eks).staticToken !== undefined) {
    problems.push({
      path: ["kubernetes", "eks", "staticToken"],
      message:
        "is not used with auth.method: jwt: the stack only reads the EKS cluster's issuer, with AWS credentials, and needs no Kubernetes token",
      warning: true,
    });
  }

  return problems;
}
