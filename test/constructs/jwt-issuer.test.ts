import { generateKeyPairSync, type KeyPairKeyObjectResult } from "node:crypto";
import { Testing } from "cdktf";
import { AuthMethod, JwtIssuer } from "../../src/constructs";
import { JwtAuthBackend as JwtAuthBackendResource } from "../../src/providers";
import { ISSUER, newStack, PUBLIC_KEY, TEST_CA, validationMessage } from "../helpers";

describe("JwtIssuer", () => {
  test("rejects a discovery URL that is not https", () => {
    expect(validationMessage(() => JwtIssuer.discovery({ issuer: "http://oidc.example.com" }))).toBe(
      'JwtIssuer.discovery: issuer: "http://oidc.example.com" is not a URL Vault can discover keys at; use the issuer exactly as the cluster\'s tokens carry it in iss (kubectl get --raw /.well-known/openid-configuration shows it), an https:// URL; or give publicKeys when Vault cannot reach it',
    );
  });

  test("discovery with a caCertificate writes it as oidc_discovery_ca_pem, and refuses one that is not PEM", () => {
    const stack = newStack();
    const issuer = JwtIssuer.discovery({ issuer: ISSUER, caCertificate: TEST_CA });
    AuthMethod.jwt({ issuer }).bind(stack, { path: "jwt" });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(JwtAuthBackendResource, {
      oidc_discovery_url: ISSUER,
      oidc_discovery_ca_pem: TEST_CA,
    });
    expect(validationMessage(() => JwtIssuer.discovery({ issuer: ISSUER, caCertificate: "not a pem" }))).toBe(
      "JwtIssuer.discovery: caCertificate: \"not a pem\" is not a PEM certificate; paste the cluster CA as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- (e.g. kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)",
    );
  });

  test("rejects an empty key list and a key Vault cannot read", () => {
    expect(validationMessage(() => JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [] }))).toBe(
      "JwtIssuer.publicKeys: publicKeys is empty; list the PEM public keys, or leave publicKeys out to use discovery",
    );
    const cut = PUBLIC_KEY.replace(/\n[A-Za-z0-9+/]{20}/, "\n");
    expect(validationMessage(() => JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [cut] }))).toMatch(
      /^JwtIssuer\.publicKeys: publicKeys\[0\]: "-----BEGIN PUBLIC KEY-----.*" has a PUBLIC KEY block that cannot be read/,
    );
  });
});

describe("JwtIssuer.publicKeys", () => {
  test("rejects a key that is not PEM, naming its index", () => {
    expect(
      validationMessage(() => JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [PUBLIC_KEY, "not a key"] })),
    ).toBe(
      'JwtIssuer.publicKeys: publicKeys[1]: "not a key" is not a PEM public key; paste the public key the cluster signs service-account tokens with, as PEM from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY----- (the API server\'s --service-account-key-file, or each key of kubectl get --raw /openid/v1/jwks converted to PEM)',
    );
  });
});

describe("JwtIssuer.publicKeys takes one PEM key per entry that Vault can verify with (sdk certutil.ParsePublicKeyPEM)", () => {
  const spki = (pair: KeyPairKeyObjectResult) => pair.publicKey.export({ type: "spki", format: "pem" }).toString();
  const refusalOf = (key: string) =>
    validationMessage(() => JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [PUBLIC_KEY, key] }));
  /** How a refusal quotes a key: the first 77 characters, as JSON. */
  const quoted = (key: string) => JSON.stringify(`${key.slice(0, 77)}...`);

  test.each([
    ["an RSA key", () => spki(generateKeyPairSync("rsa", { modulusLength: 1024 }))],
    ["an ECDSA P-256 key", () => spki(generateKeyPairSync("ec", { namedCurve: "P-256" }))],
    ["an Ed25519 key", () => spki(generateKeyPairSync("ed25519"))],
    ["a certificate, whose key Vault takes", () => TEST_CA],
    // Go's pem.Decode skips text before the block; only text after it is refused (certutil helpers.go:513-515).
    ["a key after a line of text", () => `kid sa-key-1\n${PUBLIC_KEY}`],
  ])("accepts %s", (_what, key) => {
    const pem = key();
    expect(JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [pem] }).bind(newStack())).toEqual({
      boundIssuer: ISSUER,
      jwtValidationPubkeys: [pem],
    });
  });

  test("rejects a private key in its own words, without quoting it", () => {
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    expect(refusalOf(key)).toBe(
      "JwtIssuer.publicKeys: publicKeys[1] holds a private key, which must never be written into Terraform JSON, state or Vault; give the public half (openssl pkey -pubout), and treat that key as leaked if this file was shared",
    );
  });

  test("rejects two keys in one entry, as Vault refuses the trailing data", () => {
    expect(refusalOf(PUBLIC_KEY + PUBLIC_KEY)).toBe(
      `JwtIssuer.publicKeys: publicKeys[1]: ${quoted(PUBLIC_KEY)} holds 2 PEM blocks; Vault reads one key per entry and refuses the rest ("unexpected trailing data after parsed PEM block"): give each key as its own list item`,
    );
  });

  test("rejects text after the key, as Vault refuses the trailing data", () => {
    expect(refusalOf(`${PUBLIC_KEY}kid: sa-key-1\n`)).toBe(
      `JwtIssuer.publicKeys: publicKeys[1]: ${quoted(PUBLIC_KEY)} holds text after its PEM block; Vault reads one key per entry and refuses the rest ("unexpected trailing data after parsed PEM block"): give each key as its own list item`,
    );
  });

  test("rejects an RSA key in PKCS#1 form, naming the command that converts it", () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .publicKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    expect(refusalOf(key)).toBe(
      `JwtIssuer.publicKeys: publicKeys[1]: ${quoted(key)} is a "RSA PUBLIC KEY" block; Vault takes a PKIX "PUBLIC KEY" (openssl pkey -pubin -in key.pem converts an RSA PUBLIC KEY) or a CERTIFICATE`,
    );
  });

  test("rejects a key of a type Vault cannot verify signatures with", () => {
    const key = spki(generateKeyPairSync("x25519"));
    expect(refusalOf(key)).toBe(
      `JwtIssuer.publicKeys: publicKeys[1]: ${quoted(key)} is a key of type x25519; Vault verifies only RSA, ECDSA and Ed25519 keys`,
    );
  });

  test("rejects a BEGIN line without its END line", () => {
    const key = PUBLIC_KEY.replace("-----END PUBLIC KEY-----", "");
    expect(refusalOf(key)).toBe(
      `JwtIssuer.publicKeys: publicKeys[1]: ${quoted(key)} has no -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY----- block`,
    );
  });

  test("rejects base64 without PEM lines, with the fix", () => {
    expect(refusalOf("MCowBQYDK2VuAyEA")).toBe(
      'JwtIssuer.publicKeys: publicKeys[1]: "MCowBQYDK2VuAyEA" is not a PEM public key; paste the public key the cluster signs service-account tokens with, as PEM from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY----- (the API server\'s --service-account-key-file, or each key of kubectl get --raw /openid/v1/jwks converted to PEM)',
    );
  });
});
