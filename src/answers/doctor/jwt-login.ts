/**
 * The checks of Vault's JWT auth method at login (`auth.method: jwt`), in its order. Source:
 * hashicorp/vault-plugin-auth-jwt v0.26.3 `path_login.go`, which validates the token with
 * hashicorp/cap v0.13.0 `jwt/jwt.go` (its go.mod pin) and matches bound claims in `claims.go`.
 * Line numbers below are of those files at those versions. The role lookup comes first (doctor.ts).
 */
import { SUBJECT_PREFIX, serviceAccountSubjects } from "../../role-options";
import { lifetime } from "./kubernetes-login";
import { clusterField, fail, type LoginCheck, pass, roleField, skip } from "./login-check";

/** path_login.go:139-145: with no jwt_supported_algs (this project sets none), these. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"];

const list = (values: readonly string[]) => `[${values.join(", ")}]`;
const quote = (value: string) => JSON.stringify(value);

/** ryanuber/go-glob v1.0.0 Glob, which claims.go:157 calls: only '*' is special, and it matches any run. */
export function goGlob(pattern: string, subject: string): boolean {
  if (pattern === "") return subject === "";
  if (pattern === "*") return true;
  const parts = pattern.split("*");
  if (parts.length === 1) return subject === pattern;
  let rest = subject;
  for (let i = 0; i < parts.length - 1; i++) {
    const index = rest.indexOf(parts[i]);
    if (i === 0 ? !pattern.startsWith("*") && index !== 0 : index < 0) return false;
    rest = rest.slice(index + parts[i].length);
  }
  return pattern.endsWith("*") || rest.endsWith(parts[parts.length - 1]);
}

const boundCidrs: LoginCheck = {
  name: "cidr",
  check({ role }) {
    const cidrs = role.tokenBoundCidrs;
    if (cidrs === undefined) return pass("the role binds no address blocks, so any client address may log in");
    // path_login.go:120-129
    return skip(
      `not checkable offline: Vault refuses the login ("permission denied") unless the client's address is in ${list(cidrs)} (path_login.go:120-129)`,
      "the pod's IP (kubectl get pod -o wide), or the NAT or proxy address between the pod and Vault, is in that list",
    );
  },
};

const signature: LoginCheck = {
  name: "signature",
  check(attempt) {
    const { jwt } = attempt;
    const keys = attempt.cluster.auth.jwt?.publicKeys;
    const source =
      keys !== undefined
        ? `the ${keys.length} key${keys.length === 1 ? "" : "s"} of ${clusterField(attempt, "auth.jwt.publicKeys")}`
        : "the keys Vault discovers at the issuer";
    return skip(
      `not checked offline: Vault verifies the signature (kid ${quote(String(jwt.header.kid ?? ""))}) with ${source} before any claim (cap jwt.go:170-204)`,
      keys !== undefined
        ? "kubectl get --raw /openid/v1/jwks lists the cluster's current keys; each must be in publicKeys as PEM (the cluster may have rotated its key)"
        : "curl <issuer>/.well-known/openid-configuration from where Vault runs answers, and its jwks_uri lists this kid",
    );
  },
};

const algorithm: LoginCheck = {
  name: "algorithm",
  check({ jwt }) {
    const alg = String(jwt.header.alg);
    return ALGORITHMS.includes(alg)
      ? pass(`signed with ${alg}, one Vault accepts (path_login.go:139-145)`)
      : fail(
          `signed with ${quote(alg)}; Vault accepts only ${ALGORITHMS.join(", ")} ("invalid algorithm (alg) header parameter", cap jwt.go:207-209)`,
          "use a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
        );
  },
};

const issuer: LoginCheck = {
  name: "issuer",
  check(attempt) {
    const { cluster, jwt } = attempt;
    const expected = cluster.auth.jwt?.issuer;
    const actual = jwt.issuer ?? "";
    if (expected === undefined && attempt.live) {
      // path_login.go:149 expects config.BoundIssuer; an empty one is not compared (cap jwt.go:222-224).
      return pass(
        `the mount binds no issuer (bound_issuer is empty), so any iss is accepted; the token's is ${quote(actual)}`,
      );
    }
    if (expected === undefined) {
      const eks = cluster.kubernetes.eks;
      return skip(
        `the mount's bound_issuer is the EKS cluster's OIDC issuer, known only to AWS; the token's iss is ${quote(actual)} (cap jwt.go:222-224 compares them exactly)`,
        eks
          ? `aws eks describe-cluster --name ${eks.clusterName} --region ${eks.region} --query cluster.identity.oidc.issuer --output text prints ${quote(actual)}`
          : undefined,
      );
    }
    if (actual === expected) return pass(`iss ${quote(actual)} is the mount's bound_issuer`);
    return fail(
      `iss ${quote(actual)} is not the mount's bound_issuer ${quote(expected)}; Vault says "invalid issuer (iss) claim" (cap jwt.go:222-224)${jwt.kind === "legacy" ? ": a legacy Secret-based token is never issued by the cluster's OIDC issuer" : ""}`,
      jwt.kind === "legacy"
        ? "log in with a projected token (the README's pod spec), not a Secret-based one"
        : `set ${clusterField(attempt, "auth.jwt.issuer")} to ${quote(actual)} if this token comes from the right cluster`,
    );
  },
};

const audience: LoginCheck = {
  name: "audience",
  check(attempt) {
    const { role, jwt } = attempt;
    // The schema makes audience required in jwt mode; a role without one refuses every token with aud.
    if (role.audience === undefined) {
      return fail(
        'the role binds no audience, and Vault refuses every token with an aud claim ("audience claim found in JWT but no audiences bound to the role", path_login.go:164-179)',
        `set ${roleField(attempt, "audience")}`,
      );
    }
    if (jwt.audiences.includes(role.audience)) {
      return pass(`the token's aud ${list(jwt.audiences)} includes the role's bound audience ${quote(role.audience)}`);
    }
    return fail(
      `the role binds audience ${quote(role.audience)}, but the token's aud is ${list(jwt.audiences)}; Vault says "invalid audience (aud) claim" (cap jwt.go:231-233)`,
      `mount a projected ServiceAccount token with audience: ${role.audience} (README: "Bind an audience") and log in with that file`,
    );
  },
};

const expiry: LoginCheck = {
  name: "expiry",
  check(attempt) {
    const { jwt } = attempt;
    // Validate, not ValidateAllowMissingIatNbfExp: a token with none of them is refused (cap jwt.go:246-251).
    if (jwt.expiresAt === undefined && jwt.notBefore === undefined && jwt.issuedAt === undefined) {
      return fail(
        'the token has no exp, nbf or iat; the JWT method refuses it ("no issued at (iat), not before (nbf), or expiration time (exp) claims in token", cap jwt.go:246-251)',
        "log in with a projected token (the README's pod spec); Secret-based tokens carry none of these",
      );
    }
    return lifetime.check(attempt);
  },
};

const subject: LoginCheck = {
  name: "subject",
  check(attempt) {
    const { role, jwt } = attempt;
    const sub = typeof jwt.claims.sub === "string" ? jwt.claims.sub : undefined;
    if (sub === undefined) {
      return fail(
        'the token has no sub, which the role names the alias after (user_claim) and binds; Vault says "claim \\"sub\\" not found in token" (path_login.go:244-246)',
        "log in with a Kubernetes ServiceAccount token",
      );
    }
    // doctor --live: the bound sub values as Vault holds them; a "string" type matches exactly (claims.go:144-169).
    const bound =
      attempt.live?.boundSubjects ??
      serviceAccountSubjects(role.boundServiceAccountNames, role.boundServiceAccountNamespaces ?? []);
    const exact = attempt.live?.boundClaimsType === "string";
    const match = bound.find((pattern) => (exact ? pattern === sub : goGlob(pattern, sub)));
    if (match !== undefined) return pass(`sub ${quote(sub)} matches the bound ${quote(match)} (claims.go:144-169)`);
    const [namespace, name] = sub.startsWith(SUBJECT_PREFIX) ? sub.slice(SUBJECT_PREFIX.length).split(":") : [];
    return fail(
      `sub ${quote(sub)} matches none of ${list(bound)}; Vault says "claim \\"sub\\" does not match any associated bound claim values" (claims.go:137-139)`,
      name === undefined
        ? "log in with a token of a bound ServiceAccount"
        : `add ${name} to ${roleField(attempt, "boundServiceAccountNames")} and ${namespace} to ${roleField(attempt, "boundServiceAccountNamespaces")}, or run the pod as a bound ServiceAccount`,
    );
  },
};

/**
 * Vault's order after the role lookup: bound CIDRs, then the validator (signature, alg, iss, aud,
 * times), then the alias from sub and the bound claims. No TokenReview: the trade-off of this method.
 */
export const JWT_LOGIN_CHECKS: readonly LoginCheck[] = [
  boundCidrs,
  signature,
  algorithm,
  issuer,
  audience,
  expiry,
  subject,
];
