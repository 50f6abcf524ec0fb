import { ValidationError } from "../domain/validation";

/** Who a ServiceAccount token says it is, read the way Vault reads it. */
export interface ServiceAccountClaims {
  readonly name?: string;
  readonly namespace?: string;
  readonly uid?: string;
}

/**
 * A decoded ServiceAccount JWT. Read leniently: a claim of the wrong JSON type is left out here
 * and reported by the doctor's claims checks, in the order Vault meets it. The signature is kept
 * for the JWT method's offline check against pinned keys (doctor/signature.ts); the Kubernetes
 * method never checks it itself (it asks the TokenReview API).
 */
export interface ServiceAccountJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  /** What the signature covers: the first two parts as sent (RFC 7515 §5.2). */
  readonly signingInput: string;
  /** The third part, decoded; empty for an unsigned token. */
  readonly signature: Buffer;
  /**
   * `projected`: a bound token from the TokenRequest API (kubelet's default volume or a
   * projected volume), with `kubernetes.io` claims. `legacy`: a token from a
   * `kubernetes.io/service-account-token` Secret, which never expires. `other`: neither.
   */
  readonly kind: "projected" | "legacy" | "other";
  readonly serviceAccount: ServiceAccountClaims;
  /**
   * Why the Kubernetes method's decoding of the ServiceAccount claims fails (mapstructure's error
   * text), or undefined; the JWT method does not read them.
   */
  readonly serviceAccountProblem?: string;
  /** `aud` as a list (a JWT may carry one string), read as Vault reads it (readRegisteredClaims). */
  readonly audiences: readonly string[];
  readonly issuer?: string;
  /** Why Vault's decoding of the registered claims refuses the token, or undefined. */
  readonly registeredProblem?: string;
  /**
   * Seconds since the epoch, as go-jose v3.0.4 reads a NumericDate: the number cut to a whole
   * second toward zero (jwt/claims.go:64-74, `NumericDate(f)`), so 0 (or -0.5) is no date at
   * all for Vault (hashicorp/cap v0.11.0 jwt/jwt.go:174-190). Undefined when absent or not a number.
   */
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
  const registered = readRegisteredClaims(claims);
  const account = readServiceAccount(claims);
  return {
    header,
    claims,
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2], "base64url"),
    kind: account.projected ? "projected" : account.legacy ? "legacy" : "other",
    serviceAccount: account.claims,
    serviceAccountProblem: account.problem,
    audiences: registered.audiences,
    issuer: registered.issuer,
    registeredProblem: registered.problem,
    expiresAt: seconds(registered.exp, "exp"),
    notBefore: seconds(registered.nbf, "nbf"),
    issuedAt: seconds(registered.iat, "iat"),
    pod: str(object(object(claims["kubernetes.io"]).pod).name),
    secretName: account.claims.secretName,
    warnAfter: seconds(object(claims["kubernetes.io"]).warnafter, "kubernetes.io.warnafter"),
  };
}

/**
 * Go's encoding/json matches a key to a struct field ignoring case, with Unicode's simple folding
 * (bytes.EqualFold); among the letters of the claim names only 's' has a fold outside ASCII.
 */
export function goFold(key: string): string {
  return key.replace(/[A-Z\u017F]/g, (c) => (c === "\u017F" ? "s" : c.toLowerCase()));
}

/** Go's name for the type of a value JSON decoded into interface{} (float64, []interface {}...); never null, which every caller leaves unset. */
function goType(value: unknown): string {
  if (Array.isArray(value)) return "[]interface {}";
  return { number: "float64", string: "string", boolean: "bool", object: "map[string]interface {}" }[
    typeof value as "number"
  ];
}

/** What JSON calls a value, as encoding/json names it in "cannot unmarshal X into". */
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  return typeof value === "boolean" ? "bool" : typeof value;
}

interface RegisteredClaims {
  issuer?: string;
  audiences: string[];
  exp?: unknown;
  nbf?: unknown;
  iat?: unknown;
  /** Why Vault's decoding refuses the token, in Go's words; undefined when it decodes. */
  problem?: string;
}

/**
 * The registered claims as hashicorp/cap v0.11.0 reads them for both methods (jwt/jwt.go:150-158):
 * the verified claims map marshalled again by encoding/json (keys sorted) and unmarshalled into
 * go-jose v3.0.4's jwt.Claims (jwt/claims.go:28-36). Keys match fields ignoring case, a later key
 * overwriting an earlier; `aud`, `exp`, `nbf`, `iat` decode through their own UnmarshalJSON
 * (claims.go:64-74, 88-112), whose error ends the decoding at once; a non-string `iss`, `sub` or
 * `jti` is an error that encoding/json keeps while it decodes the rest, and returns if nothing
 * worse comes. A JSON null leaves a string or a date alone but is no Audience.
 */
function readRegisteredClaims(claims: Record<string, unknown>): RegisteredClaims {
  const found: RegisteredClaims = { audiences: [] };
  let kept: string | undefined;
  // Go sorts map keys by their UTF-8 bytes; for these keys UTF-16 order is the same.
  for (const key of Object.keys(claims).sort()) {
    const field = goFold(key);
    const value = claims[key];
    if (field === "aud") {
      const ok = typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"));
      if (!ok) {
        found.problem = `${show(key)} is ${describe(value)}, not a string or a list of strings ("go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience", go-jose v3.0.4 jwt/claims.go:88-112, errors.go:23)`;
        return found;
      }
      found.audiences = typeof value === "string" ? [value] : (value as string[]);
    } else if (field === "exp" || field === "nbf" || field === "iat") {
      if (value !== null && typeof value !== "number") {
        found.problem = `${show(key)} is ${describe(value)}, not a number of seconds ("go-jose/go-jose/jwt: expected number value to unmarshal NumericDate", go-jose v3.0.4 jwt/claims.go:64-74, errors.go:26)`;
        return found;
      }
      found[field] = value ?? undefined;
    } else if (field === "iss" || field === "sub" || field === "jti") {
      if (value === null) continue;
      if (typeof value !== "string") {
        // Any list is wrong here, a list of strings too: "a list", not describe()'s words for aud.
        const what = Array.isArray(value) ? "a list" : describe(value);
        kept ??= `${show(key)} is ${what}, not a string ("json: cannot unmarshal ${jsonKind(value)} into Go struct field Claims.${field} of type string")`;
        continue;
      }
      if (field === "iss") found.issuer = value;
    }
  }
  found.problem = kept;
  return found;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list holding something other than strings";
  return { number: "a number", string: "a string", boolean: "a boolean", object: "an object" }[
    typeof value as "number"
  ];
}

function show(key: string): string {
  return key === goFold(key) ? key : `${key} (read as ${goFold(key)})`;
}

/**
 * mitchellh/mapstructure at the commit Vault 1.21.2 pins (v1.5.1-0.20231216201459-8508981c8b6c)
 * finds a field's key exactly, else by strings.EqualFold (mapstructure.go, decodeStructFromMap),
 * and a null value leaves the field unset.
 */
function field(map: Record<string, unknown>, key: string): unknown {
  if (key in map) return map[key];
  const folded = goFold(key);
  const match = Object.keys(map).find((candidate) => goFold(candidate) === folded);
  return match === undefined ? undefined : map[match];
}

interface ServiceAccountRead {
  claims: ServiceAccountClaims & { secretName?: string };
  projected: boolean;
  legacy: boolean;
  problem?: string;
}

/**
 * The ServiceAccount as the Kubernetes method reads it after the time checks:
 * mapstructure.Decode of the claims into its serviceAccount record (vault-plugin-auth-kubernetes
 * v0.23.1 path_login.go:380-386, 429-442), where a claim of another type fails the login. The
 * projected claims win when present: name and UID when kubernetes.io holds a serviceaccount, the
 * namespace when there is a kubernetes.io at all; otherwise the legacy Secret-based claims
 * (path_login.go:444-476).
 */
function readServiceAccount(claims: Record<string, unknown>): ServiceAccountRead {
  const problems: string[] = [];
  const text = (map: Record<string, unknown>, key: string, path: string): string | undefined => {
    const value = field(map, key);
    if (value === undefined || value === null || typeof value === "string") return value ?? undefined;
    problems.push(`'${path}' expected type 'string', got unconvertible type '${goType(value)}'`);
    return undefined;
  };
  const struct = (map: Record<string, unknown>, key: string, path: string): Record<string, unknown> | undefined => {
    const value = field(map, key);
    if (value === undefined || value === null) return undefined;
    if (isObject(value)) return value;
    problems.push(`'${path}' expected a map, got '${Array.isArray(value) ? "slice" : goType(value)}'`);
    return undefined;
  };
  const legacyName = text(claims, `${LEGACY}service-account.name`, `${LEGACY}service-account.name`);
  const legacyUid = text(claims, `${LEGACY}service-account.uid`, `${LEGACY}service-account.uid`);
  const secretName = text(claims, `${LEGACY}secret.name`, `${LEGACY}secret.name`);
  const legacyNamespace = text(claims, `${LEGACY}namespace`, `${LEGACY}namespace`);
  const aud = field(claims, "aud");
  if (aud !== undefined && aud !== null && !Array.isArray(aud)) {
    problems.push(
      `'aud': source data must be an array or slice, got ${goType(aud).replace("map[string]interface {}", "map")}`,
    );
  }
  const kube = struct(claims, "kubernetes.io", "kubernetes.io");
  let namespace: string | undefined;
  let account: Record<string, unknown> | undefined;
  if (kube !== undefined) {
    namespace = text(kube, "namespace", "kubernetes.io.namespace");
    for (const ref of ["pod", "serviceaccount"]) {
      const object = struct(kube, ref, `kubernetes.io.${ref}`);
      if (object === undefined) continue;
      const name = text(object, "name", `kubernetes.io.${ref}.name`);
      const uid = text(object, "uid", `kubernetes.io.${ref}.uid`);
      if (ref === "serviceaccount") account = { name, uid };
    }
  }
  for (const key of ["exp", "iat"]) {
    const value = field(claims, key);
    if (value !== undefined && value !== null && typeof value !== "number") {
      problems.push(`'${key}' expected type 'int64', got unconvertible type '${goType(value)}'`);
    }
  }
  return {
    claims: {
      name: account !== undefined ? (account.name as string | undefined) : legacyName,
      namespace: kube !== undefined ? namespace : legacyNamespace,
      uid: account !== undefined ? (account.uid as string | undefined) : legacyUid,
      secretName,
    },
    projected: kube !== undefined,
    // Only when not projected (decodeJwt asks projected first): the Secret's claims alone.
    legacy: legacyName !== undefined,
    problem:
      problems.length === 0
        ? undefined
        : `${problems.length} error(s) decoding:\n\n${problems
            .sort()
            .map((problem) => `* ${problem}`)
            .join("\n")}`,
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

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function object(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** 9999-12-31T23:59:59Z: the last second a date prints as YYYY-MM-DD, far inside what Date can hold. */
const LAST_NUMERIC_DATE = 253402300799;

/**
 * A time claim (RFC 7519 NumericDate: seconds since 1970) cut to a whole second toward zero, as
 * go-jose does (see ServiceAccountJwt.expiresAt). A number no clock can reach (1e30, or 1e400,
 * which JSON reads as Infinity) is no date: refused as input rather than compared.
 */
function seconds(value: unknown, claim: string): number | undefined {
  if (typeof value !== "number") return undefined;
  if (!Number.isFinite(value) || Math.abs(value) > LAST_NUMERIC_DATE) {
    throw new ValidationError(
      `the JWT's ${claim} claim ${value} is not a date (seconds since 1970, before the year 10000); is this a ServiceAccount token?`,
    );
  }
  // Math.trunc(-0.5) is -0; + 0 makes it 0, so it prints and compares as the 0 it is.
  return Math.trunc(value) + 0;
}
