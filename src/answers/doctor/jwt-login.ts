/**
 * The checks of Vault's JWT auth method at login (`auth.method: jwt`), in its order. Source:
 * hashicorp/vault-plugin-auth-jwt v0.25.0 `path_login.go`, which validates the token with
 * hashicorp/cap v0.11.0 `jwt/jwt.go` and go-jose v3.0.4 (the versions Vault 1.21.2's go.mod
 * pins) and matches bound claims in `claims.go`. Line numbers below are of those files at those
 * versions. The role lookup comes first (doctor.ts). Vault prefixes the validator's errors with
 * "error validating token: " (path_login.go:159-162).
 */

import { SUBJECT_PREFIX, serviceAccountSubjects } from "../../domain/role-options";
import { goGlob } from "../../formats/glob";
import { clusterField, fail, type LoginCheck, pass, roleField, skip } from "./login-check";
import { VERIFIABLE_ALGORITHMS, verifiesWithAny } from "./signature";
import { checkTimes } from "./times";

/** path_login.go:137-145: with no jwt_supported_algs (this project sets none), these. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"];

const list = (values: readonly string[]) => `[${values.join(", ")}]`;
const quote = (value: string) => JSON.stringify(value);

const boundCidrs: LoginCheck = {
  name: "cidr",
  check({ role }) {
    const cidrs = role.tokenBoundCidrs;
    if (cidrs === undefined) return pass("the role binds no address blocks, so any client address may log in");
    return skip(
      `not checkable offline: Vault refuses the login ("permission denied") unless the client's address is in ${list(cidrs)} (path_login.go:121-129)`,
      "the pod's IP (kubectl get pod -o wide), or the NAT or proxy address between the pod and Vault, is in that list",
    );
  },
};

const SIGNATURE_REFUSED =
  'Vault says "error verifying token signature: no known key successfully validated the token signature" (cap jwt.go:130-143, keyset.go:156-175)';

/**
 * cap verifies the signature before it reads anything else (jwt.go:130-143): with pinned keys
 * (jwt_validation_pubkeys) each key in turn (keyset.go:156-175), which this does offline; with
 * discovery, the issuer's JWKS, which only Vault fetches. No public key verifies HS256 or none.
 */
const signature: LoginCheck = {
  name: "signature",
  check(attempt) {
    const { jwt } = attempt;
    const alg = String(jwt.header.alg);
    const keys = attempt.cluster.auth.jwt?.publicKeys;
    const field = clusterField(attempt, "auth.jwt.publicKeys");
    if (!VERIFIABLE_ALGORITHMS.includes(alg) || jwt.signature.length === 0) {
      return fail(
        `${jwt.signature.length === 0 ? "the token has no signature" : `the token is signed with ${quote(alg)}, which no public key verifies`}; ${SIGNATURE_REFUSED}`,
        "use a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
      );
    }
    if (keys !== undefined) {
      const count = `${keys.length} key${keys.length === 1 ? "" : "s"}`;
      return verifiesWithAny(jwt, keys)
        ? pass(`the ${alg} signature verifies with one of the ${count} of ${field}`)
        : fail(
            `the ${alg} signature (kid ${quote(String(jwt.header.kid ?? ""))}) verifies with none of the ${count} of ${field}; ${SIGNATURE_REFUSED}`,
            `kubectl get --raw /openid/v1/jwks lists the cluster's current keys: put each in ${field} as PEM (the cluster may have rotated its key), or log in with a token of this cluster`,
          );
    }
    return skip(
      `not checked offline: Vault verifies the signature (kid ${quote(String(jwt.header.kid ?? ""))}) with the keys it discovers at the issuer, before any claim (cap jwt.go:130-143)`,
      "curl <issuer>/.well-known/openid-configuration from where Vault runs answers, and its jwks_uri lists this kid",
    );
  },
};

const algorithm: LoginCheck = {
  name: "algorithm",
  check({ jwt }) {
    const alg = String(jwt.header.alg);
    return ALGORITHMS.includes(alg)
      ? pass(`signed with ${alg}, one Vault accepts (path_login.go:137-145)`)
      : fail(
          `signed with ${quote(alg)}; Vault accepts only ${ALGORITHMS.join(", ")} ("invalid algorithm (alg) header parameter", cap jwt.go:145-148)`,
          "use a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
        );
  },
};

/** cap jwt.go:150-158: the registered claims decoded into go-jose's jwt.Claims, before any is compared. */
export const registeredClaims: LoginCheck = {
  name: "claims",
  check({ jwt }) {
    return jwt.registeredProblem === undefined
      ? pass("iss, sub, aud, exp, nbf, iat and jti have the JSON types Vault decodes them into (cap jwt.go:150-158)")
      : fail(
          `${jwt.registeredProblem}: Vault cannot decode the token's registered claims and refuses it before comparing any (cap jwt.go:150-158)`,
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
        `the mount's bound_issuer is the EKS cluster's OIDC issuer, known only to AWS; the token's iss is ${quote(actual)} (cap jwt.go:161-163 compares them exactly)`,
        eks
          ? `aws eks describe-cluster --name ${eks.clusterName} --region ${eks.region} --query cluster.identity.oidc.issuer --output text prints ${quote(actual)}`
          : undefined,
      );
    }
    if (actual === expected) return pass(`iss ${quote(actual)} is the mount's bound_issuer`);
    return fail(
      `iss ${quote(actual)} is not the mount's bound_issuer ${quote(expected)}; Vault says "invalid issuer (iss) claim" (cap jwt.go:161-163)${jwt.kind === "legacy" ? ": a legacy Secret-based token is never issued by the cluster's OIDC issuer" : ""}`,
      jwt.kind === "legacy"
        ? "log in with a projected token (the pod spec in docs/pods.md), not a Secret-based one"
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
      // path_login.go:168-180 reads aud itself: a non-empty list or a non-empty string is refused.
      const aud = jwt.claims.aud;
      return (Array.isArray(aud) && aud.length > 0) || (typeof aud === "string" && aud !== "")
        ? fail(
            'the role binds no audience, and Vault refuses every token with an aud claim ("audience claim found in JWT but no audiences bound to the role", path_login.go:164-180)',
            `set ${roleField(attempt, "audience")}`,
          )
        : pass("the role binds no audience, and the token has none (path_login.go:164-180)");
    }
    if (jwt.audiences.includes(role.audience)) {
      return pass(`the token's aud ${list(jwt.audiences)} includes the role's bound audience ${quote(role.audience)}`);
    }
    return fail(
      `the role binds audience ${quote(role.audience)}, but the token's aud is ${list(jwt.audiences)}; Vault says "invalid audience (aud) claim" (cap jwt.go:170-172)`,
      `mount a projected ServiceAccount token with audience: ${role.audience} (docs/pods.md: "Bind an audience") and log in with that file`,
    );
  },
};

/** Validate, not ValidateAllowMissingIatNbfExp (path_login.go:159): a token with no time at all is refused. */
const expiry: LoginCheck = {
  name: "expiry",
  check: ({ jwt, now }) => checkTimes(jwt, now, false),
};

/**
 * The alias is named after sub (createIdentity, path_login.go:182-185 and 237-251), then sub must
 * match a bound claim (path_login.go:187-189, claims.go:114-169): exactly, or with go-glob when
 * the role's bound_claims_type is glob (JwtAuthRole sets it when a bound name holds '*').
 */
const subject: LoginCheck = {
  name: "subject",
  check(attempt) {
    const { role, jwt } = attempt;
    const raw = jwt.claims.sub;
    if (raw === undefined || raw === null) {
      return fail(
        'the token has no sub, which the role names the alias after (user_claim) and binds; Vault says "claim \\"sub\\" not found in token" (path_login.go:244-246)',
        "log in with a Kubernetes ServiceAccount token",
      );
    }
    if (typeof raw !== "string") {
      return fail(
        'the token\'s sub is not a string; Vault says "claim \\"sub\\" could not be converted to string" (path_login.go:248-251)',
        "log in with a Kubernetes ServiceAccount token",
      );
    }
    // doctor --live: the bound sub values as Vault holds them; a "string" type matches exactly (claims.go:144-169).
    const bound =
      attempt.live?.boundSubjects ??
      serviceAccountSubjects(role.boundServiceAccountNames, role.boundServiceAccountNamespaces ?? []);
    const exact = attempt.live?.boundClaimsType === "string";
    const match = bound.find((pattern) => (exact ? pattern === raw : goGlob(pattern, raw)));
    if (match !== undefined) return pass(`sub ${quote(raw)} matches the bound ${quote(match)} (claims.go:144-169)`);
    const [namespace, name] = raw.startsWith(SUBJECT_PREFIX) ? raw.slice(SUBJECT_PREFIX.length).split(":") : [];
    return fail(
      `sub ${quote(raw)} matches none of ${list(bound)}; Vault says "claim \\"sub\\" does not match any associated bound claim values" (claims.go:137-139)`,
      // doctor --live: a JWT role binds sub itself (bound_claims), it has no ServiceAccount fields.
      attempt.live
        ? `add ${quote(raw)} to the sub list of bound_claims of ${attempt.live.rolePath}, or log in with a token of a bound ServiceAccount`
        : name === undefined
          ? "log in with a token of a bound ServiceAccount"
          : `add ${name} to ${roleField(attempt, "boundServiceAccountNames")} and ${namespace} to ${roleField(attempt, "boundServiceAccountNamespaces")}, or run the pod as a bound ServiceAccount`,
    );
  },
};

/**
 * Vault's order after the role lookup: bound CIDRs, then the validator (signature, alg, the
 * claims' decoding, iss, aud, times), then the alias from sub and the bound claims. No
 * TokenReview: the trade-off of this method.
 */
export const JWT_LOGIN_CHECKS: readonly LoginCheck[] = [
  boundCidrs,
  signature,
  algorithm,
  registeredClaims,
  issuer,
  audience,
  expiry,
  subject,
];
