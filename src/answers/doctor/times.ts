import type { ServiceAccountJwt } from "../jwt";
import { type CheckResult, fail, pass } from "./login-check";

/**
 * The leeways hashicorp/cap v0.11.0 applies when none is configured (jwt/jwt.go:19,
 * DefaultLeewaySeconds; go-jose v3.0.4 jwt/validation.go:24, DefaultLeeway): the Kubernetes method
 * configures none (vault-plugin-auth-kubernetes v0.23.1 path_login.go:339-356), and this project's
 * JWT roles send 0, which cap reads the same way (jwt.go:199-204, 214-219, 226-230).
 */
export const DEFAULT_LEEWAY_SECONDS = 150;
export const CLOCK_SKEW_SECONDS = 60;

/** An ISO date, with milliseconds only when the time has them (Vault compares with the exact time). */
export const date = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/**
 * When the token is valid, as cap decides it (jwt/jwt.go:174-245): a date of 0 is no date; a
 * missing exp is the later of iat and nbf plus 150 s; a missing nbf is iat, or, without iat too,
 * exp minus 150 s. Then, with a minute of clock skew, against the exact current time: not before
 * nbf, not after exp, not issued in the future. The Kubernetes method lets a token without any of
 * the three through (ValidateAllowMissingIatNbfExp, path_login.go:375); the JWT method does not
 * (Validate, vault-plugin-auth-jwt v0.25.0 path_login.go:159).
 */
export function checkTimes(jwt: ServiceAccountJwt, now: number, allowMissing: boolean): CheckResult {
  const iat = jwt.issuedAt ?? 0;
  const givenExp = jwt.expiresAt ?? 0;
  const givenNbf = jwt.notBefore ?? 0;
  if (iat === 0 && givenExp === 0 && givenNbf === 0) {
    if (allowMissing) {
      return pass(
        jwt.kind === "legacy"
          ? `a legacy Secret-based token (Secret ${jwt.secretName ?? "?"}): it never expires and lives as long as the Secret; Kubernetes no longer creates these for pods, prefer the pod's own token`
          : "the token has no exp, nbf or iat (or only 0), which the Kubernetes method allows (cap jwt.go:183-188)",
      );
    }
    return fail(
      'the token has no exp, nbf or iat (a date of 0 is none); the JWT method refuses it: "no issued at (iat), not before (nbf), or expiration time (exp) claims in token" (cap jwt.go:183-190)',
      "log in with a projected token (the pod spec in docs/pods.md); Secret-based tokens carry none of these",
    );
  }
  const exp = givenExp !== 0 ? givenExp : Math.max(iat, givenNbf) + DEFAULT_LEEWAY_SECONDS;
  const nbf = givenNbf !== 0 ? givenNbf : iat !== 0 ? iat : exp - DEFAULT_LEEWAY_SECONDS;
  if (now + CLOCK_SKEW_SECONDS < nbf) {
    const from =
      givenNbf !== 0
        ? "nbf"
        : iat !== 0
          ? "iat, which Vault takes as nbf when the token has none"
          : `exp minus ${DEFAULT_LEEWAY_SECONDS} s, which Vault takes as nbf when the token has neither nbf nor iat`;
    return fail(
      `not valid before ${date(nbf)} (${from}), more than ${CLOCK_SKEW_SECONDS} s after now (${date(now)}); Vault says "invalid not before (nbf) claim: token not yet valid" (cap jwt.go:208-222, 237-239)`,
      givenNbf === 0 && iat === 0
        ? `issue the token with iat (TokenRequest tokens carry iat and nbf), or with an exp at most ${DEFAULT_LEEWAY_SECONDS + CLOCK_SKEW_SECONDS} s ahead`
        : "check the clocks of this machine, the cluster and Vault",
    );
  }
  if (now - CLOCK_SKEW_SECONDS > exp) {
    const from =
      givenExp !== 0 ? "exp" : `the later of iat and nbf plus ${DEFAULT_LEEWAY_SECONDS} s, as the token has no exp`;
    return fail(
      `expired at ${date(exp)} (${from}), more than ${CLOCK_SKEW_SECONDS} s before now (${date(now)}); Vault says "invalid expiration time (exp) claim: token is expired" (cap jwt.go:192-206, 240-242)`,
      "read the token file again right before logging in: kubelet rotates projected tokens, a copy goes stale",
    );
  }
  if (now + CLOCK_SKEW_SECONDS < iat) {
    return fail(
      `issued at ${date(iat)}, more than ${CLOCK_SKEW_SECONDS} s after now (${date(now)}); Vault says "invalid issued at (iat) claim: token issued in the future" (cap jwt.go:243-245)`,
      "check the clocks of this machine, the cluster and Vault",
    );
  }
  const left = Math.round((exp - now) / 60);
  const pod = jwt.pod ? `, bound to pod ${jwt.pod}` : "";
  return pass(`valid until ${date(exp)} (${left} min from now${pod})`);
}
