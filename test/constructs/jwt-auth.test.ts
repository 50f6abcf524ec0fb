import { generateKeyPairSync, type KeyPairKeyObjectResult } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { AuthMethod, JwtAuthBackend, JwtIssuer } from "../../src/constructs";
import { JwtAuthBackend as JwtAuthBackendResource, JwtAuthBackendRole } from "../../src/providers";
import { serviceAccountSubjects } from "../../src/role-options";
import { goGlob } from "../../src/rules/glob";
import { newStack, synthJson, TEST_CA, validationMessage } from "../helpers";

const PUBLIC_KEY = readFileSync(join(__dirname, "..", "fixtures", "sa-signing-key.pub.pem"), "utf8");
const ISSUER = "https://kubernetes.default.svc.cluster.local";

function mount() {
  const stack = newStack();
  const auth = new JwtAuthBackend(stack, "Auth", {
    path: "k8s-jwt",
    issuer: JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [PUBLIC_KEY] }),
  });
  return { stack, auth };
}

const role = { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"], audience: "vault" };

describe("ryanuber/go-glob v1.0.0 Glob, as claims.go:157 uses it", () => {
  test.each([
    ["*", "anything", true],
    ["", "", true],
    ["", "x", false],
    ["exact", "exact", true],
    ["exact", "exactly", false],
    ["pre*", "prefix", true],
    ["*fix", "prefix", true],
    ["a*c*e", "abcde", true],
    ["a*c*e", "abde", false],
    ["system:serviceaccount:*:app", "system:serviceaccount:ns:app", true],
    ["system:serviceaccount:*:app", "system:serviceaccount:ns:myapp", false],
  ])("glob %j matches %j: %s", (pattern, subject, expected) => {
    expect(goGlob(pattern, subject)).toBe(expected);
  });
});

describe("JwtAuthRole admits exactly the ServiceAccounts a Kubernetes auth role would", () => {
  // Kubernetes method: vault-plugin-auth-kubernetes v0.23.1 path_login.go:388-417: "*" alone, or
  // each entry matched with go-glob (strutil.StrListContainsGlob), names and namespaces alike.
  const kubernetesAdmits = (names: string[], namespaces: string[], namespace: string, name: string) =>
    (names[0] === "*" || names.some((pattern) => goGlob(pattern, name))) &&
    (namespaces[0] === "*" || namespaces.some((pattern) => goGlob(pattern, namespace)));
  // JWT method: any bound sub matches (vault-plugin-auth-jwt v0.25.0 claims.go:144-169), with
  // go-glob once a name holds '*' (bound_claims_type glob); without '*' go-glob is plain equality.
  const jwtAdmits = (names: string[], namespaces: string[], namespace: string, name: string) =>
    serviceAccountSubjects(names, namespaces).some((pattern) =>
      goGlob(pattern, `system:serviceaccount:${namespace}:${name}`),
    );
  const lists = [["*"], ["app"], ["app", "app-2"], ["a.b"], ["app-*"], ["*-app", "a"], ["a*b"], ["n*", "app"]];
  const candidates = ["app", "app-2", "myapp", "app-", "a.b", "a", "b", "ns", "ns-app", "ab", "a-b", "app-app", "n"];

  test.each(lists.flatMap((names) => lists.map((namespaces) => [names, namespaces])))(
    "names %j in namespaces %j",
    (names, namespaces) => {
      for (const namespace of candidates) {
        for (const name of candidates) {
          expect([namespace, name, jwtAdmits(names, namespaces, namespace, name)]).toEqual([
            namespace,
            name,
            kubernetesAdmits(names, namespaces, namespace, name),
          ]);
        }
      }
    },
  );
});

describe("JwtAuthBackend", () => {
  test("keys each role's address by its name, under Roles", () => {
    const { stack, auth } = mount();
    auth.addRole("app", role);
    const [address] = Object.keys(synthJson(stack).resource.vault_jwt_auth_backend_role);
    expect(address).toMatch(/^Auth_Roles_app_[0-9A-F]{8}$/);
    expect(auth.loginPath).toBe("auth/k8s-jwt/login");
  });

  test("adopts an existing mount and roles with the provider's import ids", () => {
    const { auth } = mount();
    auth.addRole("app", role);
    expect(auth.adoptExisting().map((adopted) => adopted.importId)).toEqual(["k8s-jwt", "auth/k8s-jwt/role/app"]);
  });

  test("rejects a role without an audience (vault-plugin-auth-jwt v0.25.0 path_login.go:164-180)", () => {
    const { auth } = mount();
    expect(validationMessage(() => auth.addRole("app", { ...role, audience: undefined }))).toBe(
      'role app: audience is required with the JWT method: Vault refuses a token with an aud claim on a role without audiences, and Kubernetes tokens always carry one; set it (e.g. "vault") and mount a projected token with that audience',
    );
  });

  test("rejects a namespace selector, which no claim can express", () => {
    const { auth } = mount();
    expect(
      validationMessage(() =>
        auth.addRole("app", { ...role, boundServiceAccountNamespaceSelector: { matchLabels: { a: "b" } } }),
      ),
    ).toBe(
      "role app: boundServiceAccountNamespaceSelector cannot work with the JWT method: Vault matches only the token's claims, which carry no namespace labels; list boundServiceAccountNamespaces",
    );
  });

  test("rejects aliases per ServiceAccount UID: the alias is named after sub", () => {
    const { auth } = mount();
    expect(validationMessage(() => auth.addRole("app", { ...role, aliasNameSource: "serviceaccount_uid" }))).toBe(
      "role app: aliasNameSource serviceaccount_uid cannot be kept with the JWT method, which names the alias after sub (per name, like serviceaccount_name); remove it",
    );
  });

  test("rejects the same role name twice", () => {
    const { auth } = mount();
    auth.addRole("app", role);
    expect(validationMessage(() => auth.addRole("app", role))).toBe(
      "auth mount k8s-jwt: role app is defined twice; give each role its own name",
    );
  });
});

describe("JwtIssuer", () => {
  test("rejects a discovery URL that is not https", () => {
    expect(validationMessage(() => JwtIssuer.discovery({ issuer: "http://oidc.example.com" }))).toBe(
      'jwt issuer: "http://oidc.example.com" is not a URL Vault can discover keys at; use the issuer exactly as the cluster\'s tokens carry it in iss (kubectl get --raw /.well-known/openid-configuration shows it), an https:// URL; or give publicKeys when Vault cannot reach it',
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
      "jwt caCertificate: \"not a pem\" is not a PEM certificate; paste the cluster CA as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- (e.g. kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)",
    );
  });

  test("rejects an empty key list and a key Vault cannot read", () => {
    expect(validationMessage(() => JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [] }))).toBe(
      "jwt publicKeys is empty; list the PEM public keys, or use JwtIssuer.discovery",
    );
    const cut = PUBLIC_KEY.replace(/\n[A-Za-z0-9+/]{20}/, "\n");
    expect(validationMessage(() => JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [cut] }))).toMatch(
      /^jwt publicKeys\[0\]: "-----BEGIN PUBLIC KEY-----.*" has a PUBLIC KEY block that cannot be read/,
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
      "jwt publicKeys[1]: holds a private key, which must never be written into Terraform JSON, state or Vault; give the public half (openssl pkey -pubout), and treat that key as leaked if this file was shared",
    );
  });

  test("rejects two keys in one entry, as Vault refuses the trailing data", () => {
    expect(refusalOf(PUBLIC_KEY + PUBLIC_KEY)).toBe(
      `jwt publicKeys[1]: ${quoted(PUBLIC_KEY)} holds 2 PEM blocks; Vault reads one key per entry and refuses the rest ("unexpected trailing data after parsed PEM block"): give each key as its own list item`,
    );
  });

  test("rejects text after the key, as Vault refuses the trailing data", () => {
    expect(refusalOf(`${PUBLIC_KEY}kid: sa-key-1\n`)).toBe(
      `jwt publicKeys[1]: ${quoted(PUBLIC_KEY)} holds text after its PEM block; Vault reads one key per entry and refuses the rest ("unexpected trailing data after parsed PEM block"): give each key as its own list item`,
    );
  });

  test("rejects an RSA key in PKCS#1 form, naming the command that converts it", () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .publicKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    expect(refusalOf(key)).toBe(
      `jwt publicKeys[1]: ${quoted(key)} is a "RSA PUBLIC KEY" block; Vault takes a PKIX "PUBLIC KEY" (openssl pkey -pubin -in key.pem converts an RSA PUBLIC KEY) or a CERTIFICATE`,
    );
  });

  test("rejects a key of a type Vault cannot verify signatures with", () => {
    const key = spki(generateKeyPairSync("x25519"));
    expect(refusalOf(key)).toBe(
      `jwt publicKeys[1]: ${quoted(key)} is a key of type x25519; Vault verifies only RSA, ECDSA and Ed25519 keys`,
    );
  });

  test("rejects a BEGIN line without its END line", () => {
    const key = PUBLIC_KEY.replace("-----END PUBLIC KEY-----", "");
    expect(refusalOf(key)).toBe(
      `jwt publicKeys[1]: ${quoted(key)} has no -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY----- block`,
    );
  });

  test("rejects base64 without PEM lines, with the fix", () => {
    expect(refusalOf("MCowBQYDK2VuAyEA")).toBe(
      'jwt publicKeys[1]: "MCowBQYDK2VuAyEA" is not a PEM public key; paste the public key the cluster signs service-account tokens with, as PEM from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY----- (the API server\'s --service-account-key-file, or each key of kubectl get --raw /openid/v1/jwks converted to PEM)',
    );
  });
});

describe("AuthMethod", () => {
  test("binds the jwt method under construct id JwtAuth, beside the stack's providers", () => {
    const stack = newStack();
    const auth = AuthMethod.jwt({ issuer: JwtIssuer.discovery({ issuer: "https://oidc.example.com" }) }).bind(stack, {
      path: "jwt",
    });
    auth.addRole("app", role);
    const synthesized = Testing.synth(stack);
    expect(Object.keys(JSON.parse(synthesized).resource.vault_jwt_auth_backend)[0]).toMatch(/^JwtAuth_/);
    expect(synthesized).toHaveResourceWithProperties(JwtAuthBackendRole, { role_name: "app" });
  });
});
