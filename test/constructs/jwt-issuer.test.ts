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
