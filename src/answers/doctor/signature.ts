import { constants, createPublicKey, type KeyObject, verify, X509Certificate } from "node:crypto";
import type { ServiceAccountJwt } from "../jwt";

/**
 * How go-jose v3.0.4 verifies each JWS algorithm with a public key, the verifier picked by the
 * key's type (signing.go:173-200): RS* is PKCS #1 v1.5 and PS* is PSS with the salt length read
 * from the signature (asymmetric.go:309-337, rsa.VerifyPSS with nil options), ES* wants r||s of
 * exactly twice the size given here (asymmetric.go:558-593), EdDSA is Ed25519 (asymmetric.go:489-498).
 */
const ALGORITHMS: Record<string, { type: string; hash: string | null; pss?: boolean; size?: number }> = {
  RS256: { type: "rsa", hash: "sha256" },
  RS384: { type: "rsa", hash: "sha384" },
  RS512: { type: "rsa", hash: "sha512" },
  PS256: { type: "rsa", hash: "sha256", pss: true },
  PS384: { type: "rsa", hash: "sha384", pss: true },
  PS512: { type: "rsa", hash: "sha512", pss: true },
  ES256: { type: "ec", hash: "sha256", size: 32 },
  ES384: { type: "ec", hash: "sha384", size: 48 },
  ES512: { type: "ec", hash: "sha512", size: 66 },
  EdDSA: { type: "ed25519", hash: null },
};

/** The algorithms a public key can verify at all: the asymmetric ones above. */
export const VERIFIABLE_ALGORITHMS = Object.keys(ALGORITHMS);

/** A PEM public key or certificate as Vault reads jwt_validation_pubkeys (formats/jwt.ts publicKeyProblem). */
function publicKey(pem: string): KeyObject | undefined {
  try {
    return pem.includes("CERTIFICATE") ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  } catch {
    return undefined;
  }
}

/**
 * Whether one of `pems` verifies the token's signature, as hashicorp/cap v0.11.0's static key set
 * does (jwt/keyset.go:156-175: each key in turn, the first that verifies wins), whatever the
 * token's kid. An algorithm no key type verifies (HS256, none) verifies with none of them.
 */
export function verifiesWithAny(jwt: ServiceAccountJwt, pems: readonly string[]): boolean {
  const algorithm = ALGORITHMS[String(jwt.header.alg)];
  if (algorithm === undefined || jwt.signature.length === 0) return false;
  const data = Buffer.from(jwt.signingInput, "ascii");
  return pems.some((pem) => {
    const key = publicKey(pem);
    if (key?.asymmetricKeyType !== algorithm.type) return false;
    // Go's crypto/rsa (1.24 and later, which Vault 1.21 builds with) refuses keys under 1024 bits.
    if (algorithm.type === "rsa" && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) return false;
    if (algorithm.size !== undefined && jwt.signature.length !== 2 * algorithm.size) return false;
    try {
      return verify(
        algorithm.hash,
        data,
        algorithm.type === "rsa"
          ? {
              key,
              padding: algorithm.pss ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING,
              saltLength: constants.RSA_PSS_SALTLEN_AUTO,
            }
          : { key, dsaEncoding: "ieee-p1363" },
        jwt.signature,
      );
    } catch {
      return false;
    }
  });
}
