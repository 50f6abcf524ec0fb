import { ValidationError } from "../validation";

/** Who a ServiceAccount token says it is, read the way Vault reads it. */
export interface ServiceAccountClaims {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
}

/**
 * A decoded ServiceAccount JWT. The signature is NOT checked: offline there is no key, and
 * Vault itself checks it only through the TokenReview (or with pem_keys, which this project
 * never sets).
 */
export interface ServiceAccountJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  /**
   * `projected`: a bound token from the TokenRequest API (kubelet's default volume or a
   * projected volume), with `kubernetes.io` claims. `legacy`: a token from a
   * `kubernetes.io/service-account-token` Secret, which never expires. `other`: neither.
   */
  readonly kind: "projected" | "legacy" | "other";
  readonly serviceAccount: ServiceAccountClaims;
  /** `aud` as a list (a JWT may carry one string). */
  readonly audiences: readonly string[];
  readonly issuer?: string;
  /** Seconds since the epoch. */
  readonly expiresAt?: number;
  readonly notBefore?: number;
  readonly issuedAt?: number;
  /** The Pod a projected token is bound to. */
  readonly pod?: string;
  /** The Secret a legacy token came from. */
  readonly secretName?: string;
  /** Set on kubelet's default token when the API server extends its life (`warnafter`). */
  readonly warnAfter?: number;
}

const LEGACY = "kubernetes.io/serviceaccount/";

/**
 * Decodes a compact JWS. Throws a ValidationError (the CLI's exit 2) that says what is wrong
 * with the text, never echoing it: it is a credential.
 */
export function decodeJwt(text: string): ServiceAccountJwt {
  const token = text.trim();
  if (token === "")
    throw new ValidationError("the JWT is empty; pass the ServiceAccount token (a file, or - for stdin)");
  const parts = token.split(".");
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) {
    throw new ValidationError(
      `the JWT is not three base64url parts joined by dots (it has ${parts.length} part${parts.length === 1 ? "" : "s"}); ` +
        "pass the token file itself, e.g. /var/run/secrets/kubernetes.io/serviceaccount/token",
    );
  }
  const header = json(parts[0], "header");
  const claims = json(parts[1], "claims");
  const kube = object(claims["kubernetes.io"]);
  const projected = claims["kubernetes.io"] !== undefined;
  const legacy = !projected && typeof claims[`${LEGACY}service-account.name`] === "string";
  // path_login.go:459-476 (serviceAccount.name/namespace/uid): the projected claims win when present.
  const serviceAccount: ServiceAccountClaims = projected
    ? {
        name: str(object(kube.serviceaccount).name),
        namespace: str(kube.namespace),
        uid: str(object(kube.serviceaccount).uid),
      }
    : {
        name: str(claims[`${LEGACY}service-account.name`]),
        namespace: str(claims[`${LEGACY}namespace`]),
        uid: str(claims[`${LEGACY}service-account.uid`]),
      };
  const aud = claims.aud;
  return {
    header,
    claims,
    kind: projected ? "projected" : legacy ? "legacy" : "other",
    serviceAccount,
    audiences:
      typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((item) => typeof item === "string") : [],
    issuer: str(claims.iss),
    expiresAt: seconds(claims.exp, "exp"),
    notBefore: seconds(claims.nbf, "nbf"),
    issuedAt: seconds(claims.iat, "iat"),
    pod: str(object(kube.pod).name),
    secretName: str(claims[`${LEGACY}secret.name`]),
    warnAfter: seconds(kube.warnafter, "kubernetes.io.warnafter"),
  };
}

function json(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw new ValidationError(`the JWT's ${what} is not base64url-encoded JSON; is this a ServiceAccount token?`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ValidationError(`the JWT's ${what} is not a JSON object; is this a ServiceAccount token?`);
  }
  return value as Record<string, unknown>;
}

function object(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** 9999-12-31T23:59:59Z: the last second a date prints as YYYY-MM-DD, far inside what Date can hold. */
const LAST_NUMERIC_DATE = 253402300799;

/**
 * A time claim (RFC 7519 NumericDate: seconds since 1970). A number no clock can reach (1e30,
 * or 1e400, which JSON reads as Infinity) is no date: refused as input rather than compared.
 */
function seconds(value: unknown, claim: string): number | undefined {
  if (typeof value !== "number") return undefined;
  if (!Number.isFinite(value) || Math.abs(value) > LAST_NUMERIC_DATE) {
    throw new ValidationError(
      `the JWT's ${claim} claim ${value} is not a date (seconds since 1970, before the year 10000); is this a ServiceAccount token?`,
    );
  }
  return value;
}
