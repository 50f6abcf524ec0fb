import { createPublicKey, X509Certificate } from "node:crypto";
import { invisibleIn, type Rule } from "./rule";
import { parserRefusal } from "./url";

/**
 * A cluster's service-account issuer, used as an OIDC discovery URL: Vault fetches
 * `<issuer>/.well-known/openid-configuration` when the mount is configured and refuses the
 * config when it cannot (vault-plugin-auth-jwt v0.25.0 path_config.go:286-296), and the
 * document's `issuer` must equal this string exactly.
 */
const OIDC_ISSUER_FIX =
  "use the issuer exactly as the cluster's tokens carry it in iss (kubectl get --raw /.well-known/openid-configuration shows it), an https:// URL; or give publicKeys when Vault cannot reach it";

export const oidcIssuer: Rule = {
  pattern: /^https:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/,
  fix: OIDC_ISSUER_FIX,
  reason: (value) =>
    invisibleIn(value) ??
    (/^https:\/\//i.test(value) && !URL.canParse(value)
      ? `is not a valid URL (${parserRefusal(value)}); ${OIDC_ISSUER_FIX}`
      : undefined),
};

/** One encapsulation boundary pair of RFC 7468 §2. */
const BLOCK = /-----BEGIN ([^-\r\n]*)-----[\s\S]*?-----END \1-----/g;

/** Key types Vault accepts from a PEM (vault/sdk v0.20.0 helper/certutil/helpers.go:526-533). */
const ACCEPTED = ["rsa", "ec", "ed25519"];

/**
 * Why `text` is not one public key Vault can verify signatures with, read the way Vault reads
 * `jwt_validation_pubkeys` entries (vault-plugin-auth-jwt v0.25.0 path_config.go:322-327, through
 * certutil.ParsePublicKeyPEM, vault/sdk v0.20.0 helpers.go:510-536): one PEM block and nothing
 * after it, a PKIX public key or a certificate, of type RSA, ECDSA or Ed25519. A private key is
 * refused without quoting it: the text goes into the Terraform JSON, the state and Vault.
 */
export function publicKeyProblem(text: string): string | undefined {
  if (/PRIVATE KEY-----/.test(text)) {
    return (
      "holds a private key, which must never be written into Terraform JSON, state or Vault; give the public half " +
      "(openssl pkey -pubout), and treat that key as leaked if this file was shared"
    );
  }
  const blocks = [...text.matchAll(BLOCK)];
  if (blocks.length === 0) return "has no -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY----- block";
  if (blocks.length > 1 || text.slice((blocks[0].index ?? 0) + blocks[0][0].length).trim() !== "") {
    return `holds ${blocks.length > 1 ? `${blocks.length} PEM blocks` : "text after its PEM block"}; Vault reads one key per entry and refuses the rest ("unexpected trailing data after parsed PEM block"): give each key as its own list item`;
  }
  const label = blocks[0][1];
  if (label !== "PUBLIC KEY" && label !== "CERTIFICATE") {
    return `is a ${JSON.stringify(label)} block; Vault takes a PKIX "PUBLIC KEY" (openssl pkey -pubin -in key.pem converts an RSA PUBLIC KEY) or a CERTIFICATE`;
  }
  let type: string | undefined;
  try {
    const key = label === "CERTIFICATE" ? new X509Certificate(blocks[0][0]).publicKey : createPublicKey(blocks[0][0]);
    type = key.asymmetricKeyType;
  } catch {
    return `has a ${label} block that cannot be read (cut short or altered?)`;
  }
  if (type === undefined || !ACCEPTED.includes(type)) {
    return `is a key of type ${type ?? "unknown"}; Vault verifies only RSA, ECDSA and Ed25519 keys`;
  }
  return undefined;
}

export const pemPublicKey: Rule = {
  pattern: /-----BEGIN [A-Z ]+-----/,
  fix: "paste the public key the cluster signs service-account tokens with, as PEM from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY----- (the API server's --service-account-key-file, or each key of kubectl get --raw /openid/v1/jwks converted to PEM)",
  reason: (value) => (value.includes("-----BEGIN") ? publicKeyProblem(value) : undefined),
};
