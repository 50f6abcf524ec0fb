/**
 * ServiceAccount JWTs shaped like the ones Kubernetes issues (claims as in
 * k8s.io/kubernetes pkg/serviceaccount/claims.go and legacy.go), with a fake signature:
 * nothing here verifies signatures, as Vault does not without pem_keys.
 */

import { constants, createHmac, type KeyObject, sign } from "node:crypto";
import { ISSUER } from "../fixture-values";

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

export const NOW = Math.floor(Date.now() / 1000);

export function jwt(claims: object, header: object = { alg: "RS256", kid: "test-key" }): string {
  return `${encode(header)}.${encode(claims)}.${Buffer.from("signature-not-checked").toString("base64url")}`;
}

interface Projected {
  readonly namespace?: string;
  readonly name?: string;
  readonly aud?: string[];
  readonly iat?: number;
  readonly exp?: number;
  /** kubelet's default token carries warnafter when the API server extends its life. */
  readonly warnafter?: number;
  readonly pod?: string;
}

/** A bound token (TokenRequest API): kubelet's default volume, or a projected one with an audience. */
export function projectedToken(options: Projected = {}): string {
  const { namespace = "atlantis", name = "atlantis", aud = [ISSUER], iat = NOW - 60, exp = NOW + 3600 } = options;
  return jwt({
    aud,
    exp,
    iat,
    iss: ISSUER,
    nbf: iat,
    sub: `system:serviceaccount:${namespace}:${name}`,
    "kubernetes.io": {
      namespace,
      pod: { name: options.pod ?? `${name}-0`, uid: "0b8a8c8e-1111-4a4a-9c9c-000000000001" },
      serviceaccount: { name, uid: "0b8a8c8e-2222-4a4a-9c9c-000000000002" },
      ...(options.warnafter === undefined ? {} : { warnafter: options.warnafter }),
    },
  });
}

/** A token of a `kubernetes.io/service-account-token` Secret: no aud, no exp. */
export function legacyToken(namespace = "atlantis", name = "atlantis"): string {
  return jwt({
    iss: "kubernetes/serviceaccount",
    "kubernetes.io/serviceaccount/namespace": namespace,
    "kubernetes.io/serviceaccount/secret.name": `${name}-token`,
    "kubernetes.io/serviceaccount/service-account.name": name,
    "kubernetes.io/serviceaccount/service-account.uid": "0b8a8c8e-3333-4a4a-9c9c-000000000003",
    sub: `system:serviceaccount:${namespace}:${name}`,
  });
}

/** What signs each JWS algorithm with node:crypto (RFC 7518 §3): the hash and the key's padding or encoding. */
const SIGNING: Record<string, { hash: string | null; pss?: boolean; ieee?: boolean }> = {
  RS256: { hash: "sha256" },
  RS384: { hash: "sha384" },
  RS512: { hash: "sha512" },
  PS256: { hash: "sha256", pss: true },
  PS384: { hash: "sha384", pss: true },
  PS512: { hash: "sha512", pss: true },
  ES256: { hash: "sha256", ieee: true },
  ES384: { hash: "sha384", ieee: true },
  ES512: { hash: "sha512", ieee: true },
  EdDSA: { hash: null },
};

/** A JWT really signed with `key` (a private KeyObject), or with HMAC for HS256, or unsigned for none. */
export function signedJwt(
  claims: object,
  alg: string,
  key: KeyObject | Buffer,
  header: object = { kid: "test-key" },
): string {
  const input = `${encode({ alg, ...header })}.${encode(claims)}`;
  if (alg === "none") return `${input}.`;
  if (alg.startsWith("HS")) {
    return `${input}.${createHmac(`sha${alg.slice(2)}`, key as Buffer)
      .update(input)
      .digest("base64url")}`;
  }
  const how = SIGNING[alg];
  const signature = sign(how.hash, Buffer.from(input), {
    key: key as KeyObject,
    ...(how.pss ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {}),
    ...(how.ieee ? { dsaEncoding: "ieee-p1363" as const } : {}),
  });
  return `${input}.${signature.toString("base64url")}`;
}
