/**
 * Where doctor used to disagree with Vault 1.21.2, pinned against the source of the versions its
 * go.mod pins: vault-plugin-auth-kubernetes v0.23.1, vault-plugin-auth-jwt v0.25.0,
 * hashicorp/cap v0.11.0, go-jose v3.0.4. Each class also has generated cases in the local e2e's
 * differential test (test/e2e-local/differential-doctor.ts), which asks the real Vault.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { can } from "../../src/answers/acl/can";
import { diagnoseLogin } from "../../src/answers/doctor/doctor";
import { verifiesWithAny } from "../../src/answers/doctor/signature";
import { decodeJwt } from "../../src/answers/jwt";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { parseConfig } from "../../src/config/load";
import type { Config, ConfigInput } from "../../src/config/schema";
import { ISSUER } from "../fixture-values";
import { jwt, NOW, projectedToken, signedJwt } from "./tokens";

type ClusterInput = ConfigInput["clusters"][number];
type RoleInput = ClusterInput["roles"][number];
const seed = DEFAULT_CONFIG.clusters[0];

const keys = {
  rsa: generateKeyPairSync("rsa", { modulusLength: 2048 }),
  p256: generateKeyPairSync("ec", { namedCurve: "P-256" }),
  p384: generateKeyPairSync("ec", { namedCurve: "P-384" }),
  ed25519: generateKeyPairSync("ed25519"),
  stranger: generateKeyPairSync("rsa", { modulusLength: 2048 }),
};
const pem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
const PINNED = [keys.rsa, keys.p256, keys.p384, keys.ed25519].map(({ publicKey }) => pem(publicKey));

function kubernetesConfig(role: Partial<RoleInput> = {}): Config {
  return parseConfig({ clusters: [{ ...structuredClone(seed), roles: [{ ...seed.roles[0], ...role }] }] }, "test");
}

function jwtConfig(role: Partial<RoleInput> = {}, publicKeys: string[] | null = PINNED): Config {
  return parseConfig(
    {
      clusters: [
        {
          ...structuredClone(seed),
          kubernetes: {},
          auth: { method: "jwt", path: "atlantis-jwt", jwt: { issuer: ISSUER, ...(publicKeys ? { publicKeys } : {}) } },
          roles: [{ ...seed.roles[0], audience: "vault", ...role }],
        },
      ],
    },
    "test",
  );
}

/** The first failing check and its detail, as the differential test compares them with Vault's error. */
function diagnose(token: string, config: Config, options: { role?: string; now?: number } = {}) {
  const diagnosis = diagnoseLogin({
    config,
    cluster: config.clusters[0],
    roleName: options.role ?? "atlantis",
    jwt: decodeJwt(token),
    now: options.now ?? NOW,
  });
  const failed = diagnosis.checks.find((check) => check.status === "fail");
  return { ok: diagnosis.ok, first: failed?.name, detail: failed?.detail ?? "", checks: diagnosis.checks };
}

/** Claims of a JWT-method token that passes every check at NOW, signed with the pinned RSA key unless said. */
const good = {
  iss: ISSUER,
  sub: "system:serviceaccount:atlantis:atlantis",
  aud: ["vault"],
  iat: NOW - 60,
  nbf: NOW - 60,
  exp: NOW + 3600,
};
const rs256 = (claims: object) => signedJwt(claims, "RS256", keys.rsa.privateKey);

describe("times, as cap v0.11.0 jwt/jwt.go:174-245 and go-jose v3.0.4 jwt/claims.go:64-82 read them", () => {
  // jwt.go:208-222: no nbf and no iat, so nbf = exp - 150 s; refused when now + 60 s < nbf (jwt.go:237-239).
  test("a token with exp but neither nbf nor iat is not valid yet while exp is more than 210 s ahead", () => {
    const { iat: _iat, nbf: _nbf, ...onlyExp } = good;
    const far = diagnose(rs256({ ...onlyExp, exp: NOW + 215 }), jwtConfig());
    expect(far).toMatchObject({ ok: false, first: "expiry" });
    expect(far.detail).toContain("exp minus 150 s, which Vault takes as nbf when the token has neither nbf nor iat");
    expect(far.detail).toContain('"invalid not before (nbf) claim: token not yet valid"');
    expect(diagnose(rs256({ ...onlyExp, exp: NOW + 205 }), jwtConfig()).ok).toBe(true);
    // The Kubernetes method validates the same way (ValidateAllowMissingIatNbfExp, path_login.go:375).
    const kube = projectedToken({ iat: NOW - 60, exp: NOW + 600 });
    const claims = decodeJwt(kube).claims;
    const { iat: _i, nbf: _n, ...noStart } = claims;
    expect(diagnose(jwt({ ...noStart, exp: NOW + 600 }), kubernetesConfig()).first).toBe("expiry");
  });

  // jwt.go:174-190: a missing date is a zero NumericDate, and 0 is tested as "absent".
  test("a time claim of 0 is no time: all three 0 is refused by the JWT method and allowed by the Kubernetes method", () => {
    const zero = { ...good, iat: 0, nbf: 0, exp: 0 };
    const refused = diagnose(rs256(zero), jwtConfig());
    expect(refused).toMatchObject({ ok: false, first: "expiry" });
    expect(refused.detail).toContain("no issued at (iat), not before (nbf), or expiration time (exp) claims in token");
    const kube = decodeJwt(projectedToken()).claims;
    expect(diagnose(jwt({ ...kube, iat: 0, nbf: 0, exp: 0 }), kubernetesConfig()).ok).toBe(true);
    // exp 0 with an iat: exp = iat + 150 s (jwt.go:192-206).
    expect(diagnose(rs256({ ...good, exp: 0, nbf: 0, iat: NOW - 100 }), jwtConfig()).ok).toBe(true);
    expect(diagnose(rs256({ ...good, exp: 0, nbf: 0, iat: NOW - 220 }), jwtConfig()).first).toBe("expiry");
  });

  // jwt.go:233-245: time.Now(), not a whole second.
  test("compares with the exact current time: half a second past exp + 60 s is expired", () => {
    const token = rs256({ ...good, exp: NOW - 60 });
    expect(diagnose(token, jwtConfig(), { now: NOW }).ok).toBe(true);
    expect(diagnose(token, jwtConfig(), { now: NOW + 0.5 })).toMatchObject({ ok: false, first: "expiry" });
  });

  // claims.go:64-74: NumericDate(f) converts the float to int64, which drops the fraction.
  test("cuts a fractional date toward zero, as go-jose does", () => {
    const token = rs256({ ...good, exp: NOW - 60 + 0.9 });
    expect(decodeJwt(token).expiresAt).toBe(NOW - 60);
    expect(diagnose(token, jwtConfig(), { now: NOW + 0.5 }).first).toBe("expiry");
    expect(decodeJwt(rs256({ ...good, nbf: -0.5 })).notBefore).toBe(0);
  });

  test("an iat in the future without nbf is refused as 'not yet valid', since iat stands in for nbf", () => {
    const { nbf: _nbf, ...noNbf } = good;
    const result = diagnose(rs256({ ...noNbf, iat: NOW + 120 }), jwtConfig());
    expect(result.first).toBe("expiry");
    expect(result.detail).toContain("iat, which Vault takes as nbf when the token has none");
  });

  // jwt.go:237-245: refused only when now + 60 s is strictly before nbf (or iat).
  test("allows a minute of clock skew to the second: an nbf or an iat 60 s ahead passes, 61 s ahead fails", () => {
    const at = (claims: object) => diagnose(rs256({ ...good, ...claims }), jwtConfig());
    expect(at({ nbf: NOW + 60 }).ok).toBe(true);
    expect(at({ nbf: NOW + 61 })).toMatchObject({ ok: false, first: "expiry" });
    // With nbf past, an iat ahead is its own check (jwt.go:243-245): within the skew it passes.
    expect(at({ nbf: NOW - 60, iat: NOW + 10 }).ok).toBe(true);
    expect(at({ nbf: NOW - 60, iat: NOW + 60 }).ok).toBe(true);
    expect(at({ nbf: NOW - 60, iat: NOW + 61 })).toMatchObject({ ok: false, first: "expiry" });
  });

  test("says until when a token not bound to a pod is valid, in whole minutes", () => {
    const expiry = diagnose(rs256(good), jwtConfig()).checks.find((check) => check.name === "expiry");
    expect(expiry).toEqual({
      name: "expiry",
      status: "pass",
      detail: `valid until ${new Date((NOW + 3600) * 1000).toISOString().replace(".000Z", "Z")} (60 min from now)`,
    });
  });
});

describe("claims of the wrong JSON type are refused by decoding, before any check (cap jwt.go:150-158)", () => {
  test.each([
    ["aud with a number", { aud: ["vault", 7] }, "expected string or array value to unmarshal to Audience"],
    ["aud null", { aud: null }, "expected string or array value to unmarshal to Audience"],
    ["exp as a string", { exp: "123" }, "expected number value to unmarshal NumericDate"],
    ["a numeric iss", { iss: 5 }, "cannot unmarshal number into Go struct field Claims.iss of type string"],
    ["a numeric sub", { sub: 5 }, "cannot unmarshal number into Go struct field Claims.sub of type string"],
  ])("%s, in both methods", (_, change, said) => {
    // A wrong issuer and audience too: the decoding comes first and is what Vault reports.
    const claims = { ...good, iss: "https://elsewhere", aud: ["other"], ...change };
    const refused = diagnose(rs256(claims), jwtConfig());
    expect(refused).toMatchObject({ ok: false, first: "claims" });
    expect(refused.detail).toContain(said);
    expect(diagnose(jwt(claims), kubernetesConfig({ audience: "vault" })).first).toBe("claims");
  });

  test("an error of aud, exp, nbf or iat ends the decoding; a wrong iss is reported only if none comes", () => {
    // encoding/json visits the keys sorted: iss before nbf, but NumericDate's error wins (decode.go d.savedError).
    expect(diagnose(rs256({ ...good, iss: 5, nbf: "x" }), jwtConfig()).detail).toMatch(/^nbf is a string/);
  });

  test("null leaves a date out and a string alone, and a key is matched ignoring case, as encoding/json does", () => {
    // With neither nbf nor iat left, an exp within 210 s is needed (see the times above).
    expect(diagnose(rs256({ ...good, nbf: null, iat: null, exp: NOW + 100 }), jwtConfig()).ok).toBe(true);
    // "ISS" sorts before "iss": Issuer is set from it, and the later null leaves it so.
    expect(decodeJwt(rs256({ ...good, ISS: ISSUER, iss: null })).issuer).toBe(ISSUER);
    const { exp: _exp, ...noExp } = good;
    // "EXP" is exp to encoding/json: this token expired in 1970.
    expect(decodeJwt(rs256({ ...noExp, EXP: 1 })).expiresAt).toBe(1);
    expect(diagnose(rs256({ ...noExp, EXP: 1 }), jwtConfig()).first).toBe("expiry");
  });

  // path_login.go:380-386: mapstructure.Decode into the serviceAccount record (429-442) after the time checks.
  test("the Kubernetes method also decodes the ServiceAccount claims: aud as a plain string fails there", () => {
    const claims = decodeJwt(projectedToken({ aud: ["vault"] })).claims;
    const result = diagnose(jwt({ ...claims, aud: "vault" }), kubernetesConfig({ audience: "vault" }));
    expect(result.first).toBe("decode");
    expect(result.detail).toContain("1 error(s) decoding: * 'aud': source data must be an array or slice, got string");
    // ...and after the times: an expired one says so first, as Vault does.
    expect(diagnose(jwt({ ...claims, aud: "vault", exp: NOW - 600 }), kubernetesConfig()).first).toBe("expiry");
    const named = diagnose(
      jwt({ ...claims, "kubernetes.io": { ...(claims["kubernetes.io"] as object), namespace: 7 } }),
      kubernetesConfig(),
    );
    expect(named.detail).toContain(
      "'kubernetes.io.namespace' expected type 'string', got unconvertible type 'float64'",
    );
  });

  // path_login.go:459-476: without kubernetes.io.serviceaccount the name falls back to the legacy claim.
  test("the ServiceAccount name comes from the legacy claim when kubernetes.io has no serviceaccount", () => {
    const token = jwt({
      exp: NOW + 600,
      "kubernetes.io": { namespace: "atlantis" },
      "kubernetes.io/serviceaccount/service-account.name": "atlantis",
    });
    expect(decodeJwt(token).serviceAccount).toEqual({ name: "atlantis", namespace: "atlantis", uid: undefined });
  });
});

describe("signatures with auth.jwt.publicKeys pinned, verified offline as cap's static key set does (keyset.go:156-175)", () => {
  test.each([
    ["RS256", keys.rsa],
    ["PS384", keys.rsa],
    ["RS512", keys.rsa],
    ["ES256", keys.p256],
    ["ES384", keys.p384],
    ["EdDSA", keys.ed25519],
  ])("passes %s signed with a pinned key", (alg, pair) => {
    const result = diagnose(signedJwt(good, alg, pair.privateKey), jwtConfig());
    expect(result.checks.find((check) => check.name === "signature")?.status).toBe("pass");
    expect(result.ok).toBe(true);
  });

  test("fails a token signed with another key, whatever its claims", () => {
    const result = diagnose(signedJwt({ ...good, iss: "x" }, "RS256", keys.stranger.privateKey), jwtConfig());
    expect(result).toMatchObject({ ok: false, first: "signature" });
    expect(result.detail).toContain(
      '"error verifying token signature: no known key successfully validated the token signature"',
    );
  });

  test("fails ES384 claimed for a P-256 signature and a tampered payload", () => {
    const es = signedJwt(good, "ES256", keys.p256.privateKey).split(".");
    const relabelled = `${Buffer.from(JSON.stringify({ alg: "ES384", kid: "test-key" })).toString("base64url")}.${es[1]}.${es[2]}`;
    expect(diagnose(relabelled, jwtConfig()).first).toBe("signature");
    const tampered = `${es[0]}.${Buffer.from(JSON.stringify({ ...good, sub: "system:serviceaccount:x:y" })).toString("base64url")}.${es[2]}`;
    expect(diagnose(tampered, jwtConfig()).first).toBe("signature");
  });

  // The signature is checked first (jwt.go:130-143): HS256 and none fail there, not at the algorithm.
  test.each(["HS256", "none"])(
    "fails %s at the signature, as Vault does, with pinned keys and with discovery",
    (alg) => {
      const token = signedJwt(good, alg, Buffer.from(pem(keys.rsa.publicKey)));
      expect(diagnose(token, jwtConfig()).first).toBe("signature");
      expect(diagnose(token, jwtConfig({}, null)).first).toBe("signature");
    },
  );

  test("leaves an asymmetric signature to Vault when the keys are discovered", () => {
    const result = diagnose(rs256(good), jwtConfig({}, null));
    expect(result.checks.find((check) => check.name === "signature")?.status).toBe("skip");
  });

  test("says which key list it verified against and how many keys it holds, and the kid of a token none verifies", () => {
    const signature = (token: string, config: Config) =>
      diagnose(token, config).checks.find((check) => check.name === "signature");
    const one = jwtConfig({}, [pem(keys.rsa.publicKey)]);
    expect(signature(rs256(good), one)).toEqual({
      name: "signature",
      status: "pass",
      detail: "the RS256 signature verifies with one of the 1 key of clusters[0].auth.jwt.publicKeys",
    });
    expect(signature(rs256(good), jwtConfig())).toMatchObject({
      detail: "the RS256 signature verifies with one of the 4 keys of clusters[0].auth.jwt.publicKeys",
    });
    const stranger = signedJwt(good, "RS256", keys.stranger.privateKey, {});
    expect(signature(stranger, one)).toEqual({
      name: "signature",
      status: "fail",
      detail:
        'the RS256 signature (kid "") verifies with none of the 1 key of clusters[0].auth.jwt.publicKeys; Vault says "error verifying token signature: no known key successfully validated the token signature" (cap jwt.go:130-143, keyset.go:156-175)',
      fix: "kubectl get --raw /openid/v1/jwks lists the cluster's current keys: put each in clusters[0].auth.jwt.publicKeys as PEM (the cluster may have rotated its key), or log in with a token of this cluster",
    });
  });
});

describe("verifiesWithAny: a token's signature against PEM keys, as go-jose v3.0.4 verifies one (signing.go:173-200)", () => {
  const decoded = (alg: string, key: KeyObject, header: object = {}) => decodeJwt(signedJwt(good, alg, key, header));
  const rsaPem = pem(keys.rsa.publicKey);

  test("verifies nothing for an algorithm no public key verifies, or a token without a signature", () => {
    expect(verifiesWithAny(decodeJwt(signedJwt(good, "HS256", Buffer.from(rsaPem))), [rsaPem])).toBe(false);
    const unsigned = signedJwt(good, "RS256", keys.rsa.privateKey).split(".").slice(0, 2).join(".");
    expect(verifiesWithAny(decodeJwt(`${unsigned}.`), [rsaPem])).toBe(false);
  });

  test("uses a key only for the algorithms of its type: an RS256 signature relabelled EdDSA verifies with no RSA key", () => {
    const [, payload, sig] = signedJwt(good, "RS256", keys.rsa.privateKey).split(".");
    const header = Buffer.from(JSON.stringify({ alg: "EdDSA" })).toString("base64url");
    expect(verifiesWithAny(decodeJwt(`${header}.${payload}.${sig}`), [rsaPem])).toBe(false);
  });

  test("wants an ES384 signature of P-384's size: P-256 over SHA-384 is refused (asymmetric.go:558-593)", () => {
    const p256 = pem(keys.p256.publicKey);
    expect(verifiesWithAny(decoded("ES384", keys.p256.privateKey), [p256])).toBe(false);
    expect(verifiesWithAny(decoded("ES256", keys.p256.privateKey), [p256])).toBe(true);
  });

  test("refuses an RSA key under 1024 bits, as Go's crypto/rsa does, and takes one of 1024", () => {
    for (const [bits, verifies] of [
      [512, false],
      [1024, true],
    ] as const) {
      const pair = generateKeyPairSync("rsa", { modulusLength: bits });
      expect(verifiesWithAny(decoded("RS256", pair.privateKey), [pem(pair.publicKey)])).toBe(verifies);
    }
  });

  test("skips a key it cannot read and tries the next", () => {
    const token = decoded("RS256", keys.rsa.privateKey);
    expect(
      verifiesWithAny(token, ["-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----", "junk", rsaPem]),
    ).toBe(true);
    expect(verifiesWithAny(token, ["junk"])).toBe(false);
  });
});

describe("role names, matched in lowercase as Vault does", () => {
  // vault-plugin-auth-kubernetes v0.23.1 backend.go:375-376; vault-plugin-auth-jwt v0.25.0 path_login.go:28-31.
  test("--role ATLANTIS is role atlantis for both methods", () => {
    const kube = diagnose(projectedToken(), kubernetesConfig(), { role: "ATLANTIS" });
    expect(kube.ok).toBe(true);
    expect(kube.checks[0].detail).toBe(
      'role "ATLANTIS" is role "atlantis" of auth/atlantis: Vault compares role names in lowercase',
    );
    expect(diagnose(rs256(good), jwtConfig(), { role: "Atlantis" }).ok).toBe(true);
  });

  test("a role configured with capitals is found by its lowercase name", () => {
    expect(diagnose(projectedToken(), kubernetesConfig({ name: "Atlantis" }), { role: "atlantis" }).ok).toBe(true);
  });

  test("an unknown role gets each method's own words: the JWT method's lowercased", () => {
    expect(diagnose(rs256(good), jwtConfig(), { role: "Nope" }).detail).toContain(
      'Vault answers: role "nope" could not be found',
    );
    expect(diagnose(projectedToken(), kubernetesConfig(), { role: "Nope" }).detail).toContain(
      'Vault answers: invalid role name "Nope"',
    );
  });

  test("can --role finds the role as Vault does", () => {
    const cluster = kubernetesConfig().clusters[0];
    expect(can({ cluster, roleName: "ATLANTIS", path: "auth/token/lookup-self" }).capabilities).toEqual(["read"]);
  });
});

describe("globs in bound names and namespaces, matched with go-glob (path_login.go:388-417, claims.go:144-169)", () => {
  const glob = { boundServiceAccountNames: ["atlantis-*"], boundServiceAccountNamespaces: ["team-*"] };

  test("the Kubernetes method admits atlantis-x in team-a and refuses runner-x and other namespaces", () => {
    expect(diagnose(projectedToken({ name: "atlantis-x", namespace: "team-a" }), kubernetesConfig(glob)).ok).toBe(true);
    const runner = diagnose(projectedToken({ name: "runner-x", namespace: "team-a" }), kubernetesConfig(glob));
    expect(runner).toMatchObject({ first: "serviceaccount" });
    expect(runner.detail).toBe(
      'ServiceAccount "runner-x" matches none of [atlantis-*]; Vault says "service account name not authorized" (path_login.go:388-394)',
    );
    expect(runner.checks.find((check) => check.name === "serviceaccount")?.fix).toBe(
      "add runner-x to clusters[0].roles[0].boundServiceAccountNames, or run the pod as a ServiceAccount that matches atlantis-*",
    );
    expect(diagnose(projectedToken({ name: "atlantis-x", namespace: "ops" }), kubernetesConfig(glob)).first).toBe(
      "namespace",
    );
  });

  test("the JWT method admits the same, matching sub against system:serviceaccount:team-*:atlantis-*", () => {
    const sub = (namespace: string, name: string) =>
      rs256({ ...good, sub: `system:serviceaccount:${namespace}:${name}` });
    expect(diagnose(sub("team-a", "atlantis-x"), jwtConfig(glob)).ok).toBe(true);
    expect(diagnose(sub("team-a", "runner-x"), jwtConfig(glob)).first).toBe("subject");
    expect(diagnose(sub("ops", "atlantis-x"), jwtConfig(glob)).first).toBe("subject");
  });
});
