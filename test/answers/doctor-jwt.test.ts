import { diagnoseLogin } from "../../src/answers/doctor/doctor";
import { decodeJwt } from "../../src/answers/jwt";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { parseConfig } from "../../src/config/load";
import type { ConfigInput } from "../../src/config/schema";
import { ISSUER } from "../fixture-values";
import { jwt, legacyToken, NOW, projectedToken } from "./tokens";

type ClusterInput = ConfigInput["clusters"][number];

/** The seed's cluster in jwt mode, its role bound to audience vault. */
function jwtConfig(changes: Partial<ClusterInput> = {}) {
  const seed = structuredClone(DEFAULT_CONFIG.clusters[0]);
  return parseConfig(
    {
      clusters: [
        {
          ...seed,
          kubernetes: {},
          auth: { method: "jwt", path: "atlantis-jwt", jwt: { issuer: ISSUER } },
          roles: [{ ...seed.roles[0], audience: "vault" }],
          ...changes,
        },
      ],
    },
    "test",
  );
}

function diagnose(token: string, config = jwtConfig()) {
  const diagnosis = diagnoseLogin({
    config,
    cluster: config.clusters[0],
    roleName: "atlantis",
    jwt: decodeJwt(token),
    now: NOW,
  });
  return { ...diagnosis, byName: Object.fromEntries(diagnosis.checks.map(({ name, ...result }) => [name, result])) };
}

const vaultToken = (options: Parameters<typeof projectedToken>[0] = {}) =>
  projectedToken({ aud: ["vault"], ...options });

describe("doctor: Vault's JWT login checks for auth.method: jwt (vault-plugin-auth-jwt v0.25.0 path_login.go)", () => {
  test("runs the JWT method's checks in its order, with no reviewer and no TokenReview", () => {
    expect(diagnose(vaultToken()).checks.map((check) => check.name)).toEqual([
      "role",
      "cidr",
      "signature",
      "algorithm",
      "claims",
      "issuer",
      "audience",
      "expiry",
      "subject",
    ]);
  });

  test("accepts a projected token with the role's audience from the bound ServiceAccount", () => {
    const diagnosis = diagnose(vaultToken());
    expect(diagnosis.ok).toBe(true);
    expect(diagnosis.byName.subject).toEqual({
      status: "pass",
      detail:
        'sub "system:serviceaccount:atlantis:atlantis" matches the bound "system:serviceaccount:atlantis:atlantis" (claims.go:144-169)',
    });
  });

  test("fails the pod's default token, whose aud is the API server's", () => {
    const { byName } = diagnose(projectedToken());
    expect(byName.audience.status).toBe("fail");
    expect(byName.audience.detail).toContain('the role binds audience "vault"');
    expect(byName.audience.fix).toContain("mount a projected ServiceAccount token with audience: vault");
  });

  test("fails a token of another cluster's issuer, naming the field", () => {
    const token = jwt({ ...decodeJwt(vaultToken()).claims, iss: "https://other.example.com" });
    expect(diagnose(token).byName.issuer).toEqual({
      status: "fail",
      detail: `iss "https://other.example.com" is not the mount's bound_issuer "${ISSUER}"; Vault says "invalid issuer (iss) claim" (cap jwt.go:161-163)`,
      fix: 'set clusters[0].auth.jwt.issuer to "https://other.example.com" if this token comes from the right cluster',
    });
  });

  test("fails a legacy Secret-based token on issuer, audience and times", () => {
    const { byName } = diagnose(legacyToken());
    expect([byName.issuer.status, byName.audience.status, byName.expiry.status]).toEqual(["fail", "fail", "fail"]);
    expect(byName.expiry.detail).toContain("no issued at (iat), not before (nbf), or expiration time (exp)");
  });

  test("fails another ServiceAccount with Vault's bound-claim words", () => {
    const { byName } = diagnose(vaultToken({ namespace: "ci", name: "runner" }));
    expect(byName.subject).toEqual({
      status: "fail",
      detail:
        'sub "system:serviceaccount:ci:runner" matches none of [system:serviceaccount:atlantis:atlantis]; Vault says "claim \\"sub\\" does not match any associated bound claim values" (claims.go:137-139)',
      fix: "add runner to clusters[0].roles[0].boundServiceAccountNames and ci to clusters[0].roles[0].boundServiceAccountNamespaces, or run the pod as a bound ServiceAccount",
    });
  });

  test('passes any ServiceAccount of a namespace bound with "*", as the glob does', () => {
    const seed = DEFAULT_CONFIG.clusters[0].roles[0];
    const config = jwtConfig({ roles: [{ ...seed, boundServiceAccountNames: ["*"], audience: "vault" }] });
    expect(diagnose(vaultToken({ name: "anyone" }), config).byName.subject.status).toBe("pass");
    expect(diagnose(vaultToken({ namespace: "other" }), config).byName.subject.status).toBe("fail");
  });

  test("leaves the EKS issuer to AWS, saying how to read it", () => {
    const seed = structuredClone(DEFAULT_CONFIG.clusters[0]);
    const config = jwtConfig({ kubernetes: seed.kubernetes, auth: { method: "jwt" } });
    expect(diagnose(vaultToken(), config).byName.issuer).toEqual({
      status: "skip",
      detail: `the mount's bound_issuer is the EKS cluster's OIDC issuer, known only to AWS; the token's iss is "${ISSUER}" (cap jwt.go:161-163 compares them exactly)`,
      verify: `aws eks describe-cluster --name eks-test --region ap-northeast-1 --query cluster.identity.oidc.issuer --output text prints "${ISSUER}"`,
    });
  });

  test("says what it found for bound CIDRs, and what to verify", () => {
    expect(diagnose(vaultToken()).byName.cidr).toEqual({
      status: "pass",
      detail: "the role binds no address blocks, so any client address may log in",
    });
    const seed = DEFAULT_CONFIG.clusters[0].roles[0];
    const config = jwtConfig({ roles: [{ ...seed, audience: "vault", tokenBoundCidrs: ["10.0.0.0/8", "fd00::/8"] }] });
    expect(diagnose(vaultToken(), config).byName.cidr).toEqual({
      status: "skip",
      detail:
        'not checkable offline: Vault refuses the login ("permission denied") unless the client\'s address is in [10.0.0.0/8, fd00::/8] (path_login.go:121-129)',
      verify:
        "the pod's IP (kubectl get pod -o wide), or the NAT or proxy address between the pod and Vault, is in that list",
    });
  });

  test("fails a token no public key can verify, unsigned or HMAC-signed, before anything else (cap jwt.go:130-143)", () => {
    const refused =
      'Vault says "error verifying token signature: no known key successfully validated the token signature" (cap jwt.go:130-143, keyset.go:156-175)';
    const handMade = "use a token issued by the cluster (kubelet or kubectl create token), not a hand-made one";
    expect(diagnose(`${vaultToken().split(".").slice(0, 2).join(".")}.`).byName.signature).toEqual({
      status: "fail",
      detail: `the token has no signature; ${refused}`,
      fix: handMade,
    });
    expect(diagnose(jwt(decodeJwt(vaultToken()).claims, { alg: "HS256", kid: "k" })).byName.signature).toEqual({
      status: "fail",
      detail: `the token is signed with "HS256", which no public key verifies; ${refused}`,
      fix: handMade,
    });
  });

  test("leaves the signature to Vault when it discovers the keys, naming the kid to look for", () => {
    const verify =
      "curl <issuer>/.well-known/openid-configuration from where Vault runs answers, and its jwks_uri lists this kid";
    expect(diagnose(vaultToken()).byName.signature).toEqual({
      status: "skip",
      detail:
        'not checked offline: Vault verifies the signature (kid "test-key") with the keys it discovers at the issuer, before any claim (cap jwt.go:130-143)',
      verify,
    });
    expect(diagnose(jwt(decodeJwt(vaultToken()).claims, { alg: "RS256" })).byName.signature).toEqual({
      status: "skip",
      detail:
        'not checked offline: Vault verifies the signature (kid "") with the keys it discovers at the issuer, before any claim (cap jwt.go:130-143)',
      verify,
    });
  });

  test("names the algorithms Vault accepts when none is configured (path_login.go:137-145)", () => {
    expect(diagnose(vaultToken()).byName.algorithm).toEqual({
      status: "pass",
      detail: "signed with RS256, one Vault accepts (path_login.go:137-145)",
    });
    expect(diagnose(jwt(decodeJwt(vaultToken()).claims, { alg: "HS256" })).byName.algorithm).toEqual({
      status: "fail",
      detail:
        'signed with "HS256"; Vault accepts only RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA ("invalid algorithm (alg) header parameter", cap jwt.go:145-148)',
      fix: "use a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
    });
  });

  test("fails a token whose registered claims Vault cannot decode, with go-jose's words", () => {
    expect(diagnose(jwt({ ...decodeJwt(vaultToken()).claims, exp: "soon" })).byName.claims).toEqual({
      status: "fail",
      detail:
        'exp is a string, not a number of seconds ("go-jose/go-jose/jwt: expected number value to unmarshal NumericDate", go-jose v3.0.4 jwt/claims.go:64-74, errors.go:26): Vault cannot decode the token\'s registered claims and refuses it before comparing any (cap jwt.go:150-158)',
      fix: "use a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
    });
  });

  test("fails a token without iss, reading its iss as empty", () => {
    const { iss: _, ...claims } = decodeJwt(vaultToken()).claims;
    expect(diagnose(jwt(claims)).byName.issuer).toEqual({
      status: "fail",
      detail: `iss "" is not the mount's bound_issuer "${ISSUER}"; Vault says "invalid issuer (iss) claim" (cap jwt.go:161-163)`,
      fix: 'set clusters[0].auth.jwt.issuer to "" if this token comes from the right cluster',
    });
  });

  test("passes the bound issuer and audience, saying what it compared", () => {
    const { byName } = diagnose(vaultToken());
    expect([byName.issuer, byName.audience]).toEqual([
      { status: "pass", detail: `iss "${ISSUER}" is the mount's bound_issuer` },
      { status: "pass", detail: "the token's aud [vault] includes the role's bound audience \"vault\"" },
    ]);
  });

  test("tells a legacy token's user why it can never pass: no OIDC issuer, no times", () => {
    const { byName } = diagnose(legacyToken());
    expect([byName.issuer, byName.expiry]).toEqual([
      {
        status: "fail",
        detail: `iss "kubernetes/serviceaccount" is not the mount's bound_issuer "${ISSUER}"; Vault says "invalid issuer (iss) claim" (cap jwt.go:161-163): a legacy Secret-based token is never issued by the cluster's OIDC issuer`,
        fix: "log in with a projected token (the pod spec in docs/pods.md), not a Secret-based one",
      },
      {
        status: "fail",
        detail:
          'the token has no exp, nbf or iat (a date of 0 is none); the JWT method refuses it: "no issued at (iat), not before (nbf), or expiration time (exp) claims in token" (cap jwt.go:183-190)',
        fix: "log in with a projected token (the pod spec in docs/pods.md); Secret-based tokens carry none of these",
      },
    ]);
  });

  test("fails a token with another audience, and says to mount one with the role's", () => {
    expect(diagnose(projectedToken()).byName.audience).toEqual({
      status: "fail",
      detail: `the role binds audience "vault", but the token's aud is [${ISSUER}]; Vault says "invalid audience (aud) claim" (cap jwt.go:170-172)`,
      fix: 'mount a projected ServiceAccount token with audience: vault (docs/pods.md: "Bind an audience") and log in with that file',
    });
  });

  test("fails a token without a sub, or with one that is no string, in Vault's words (path_login.go:244-251)", () => {
    const claims = decodeJwt(vaultToken()).claims;
    const missing = {
      status: "fail",
      detail:
        'the token has no sub, which the role names the alias after (user_claim) and binds; Vault says "claim \\"sub\\" not found in token" (path_login.go:244-246)',
      fix: "log in with a Kubernetes ServiceAccount token",
    };
    expect(diagnose(jwt({ ...claims, sub: undefined })).byName.subject).toEqual(missing);
    expect(diagnose(jwt({ ...claims, sub: null })).byName.subject).toEqual(missing);
    expect(diagnose(jwt({ ...claims, sub: 5 })).byName.subject).toEqual({
      status: "fail",
      detail:
        'the token\'s sub is not a string; Vault says "claim \\"sub\\" could not be converted to string" (path_login.go:248-251)',
      fix: "log in with a Kubernetes ServiceAccount token",
    });
  });

  test("fails a sub that is no ServiceAccount's without naming fields to change", () => {
    expect(diagnose(jwt({ ...decodeJwt(vaultToken()).claims, sub: "user@example.com" })).byName.subject).toEqual({
      status: "fail",
      detail:
        'sub "user@example.com" matches none of [system:serviceaccount:atlantis:atlantis]; Vault says "claim \\"sub\\" does not match any associated bound claim values" (claims.go:137-139)',
      fix: "log in with a token of a bound ServiceAccount",
    });
  });

  test("leaves bound CIDRs to the cluster's network", () => {
    const seed = DEFAULT_CONFIG.clusters[0].roles[0];
    const config = jwtConfig({ roles: [{ ...seed, audience: "vault", tokenBoundCidrs: ["10.0.0.0/8"] }] });
    expect(diagnose(vaultToken(), config).byName.cidr.status).toBe("skip");
  });
});

describe("doctor (jwt method): the sub glob is anchored at both ends, as go-glob v1.0.0 glob.go:29-55 is", () => {
  const anyName = () => {
    const seed = DEFAULT_CONFIG.clusters[0].roles[0];
    return jwtConfig({ roles: [{ ...seed, boundServiceAccountNames: ["*"], audience: "vault" }] });
  };
  const withSub = (sub: string) => jwt({ ...decodeJwt(vaultToken()).claims, sub });

  test("fails a sub that holds the bound pattern only after other text", () => {
    expect(diagnose(withSub("x-system:serviceaccount:atlantis:runner"), anyName()).byName.subject).toEqual({
      status: "fail",
      detail:
        'sub "x-system:serviceaccount:atlantis:runner" matches none of [system:serviceaccount:atlantis:*]; Vault says "claim \\"sub\\" does not match any associated bound claim values" (claims.go:137-139)',
      fix: "log in with a token of a bound ServiceAccount",
    });
  });

  test("fails a sub that holds the bound pattern followed by more text", () => {
    const seed = DEFAULT_CONFIG.clusters[0].roles[0];
    const anyNamespace = jwtConfig({ roles: [{ ...seed, boundServiceAccountNamespaces: ["*"], audience: "vault" }] });
    expect(diagnose(withSub("system:serviceaccount:ci:atlantis"), anyNamespace).byName.subject.status).toBe("pass");
    expect(diagnose(withSub("system:serviceaccount:ci:atlantis-admin"), anyNamespace).byName.subject).toEqual({
      status: "fail",
      detail:
        'sub "system:serviceaccount:ci:atlantis-admin" matches none of [system:serviceaccount:*:atlantis]; Vault says "claim \\"sub\\" does not match any associated bound claim values" (claims.go:137-139)',
      fix: "add atlantis-admin to clusters[0].roles[0].boundServiceAccountNames and ci to clusters[0].roles[0].boundServiceAccountNamespaces, or run the pod as a bound ServiceAccount",
    });
  });
});

describe("doctor (jwt method): iss is compared with the bound issuer exactly (cap v0.11.0 jwt.go:161-163)", () => {
  test("fails a token whose iss lacks the trailing '/' the configured issuer has", () => {
    const config = jwtConfig({ auth: { method: "jwt", path: "atlantis-jwt", jwt: { issuer: `${ISSUER}/` } } });
    expect(diagnose(vaultToken(), config).byName.issuer).toEqual({
      status: "fail",
      detail: `iss "${ISSUER}" is not the mount's bound_issuer "${ISSUER}/"; Vault says "invalid issuer (iss) claim" (cap jwt.go:161-163)`,
      fix: `set clusters[0].auth.jwt.issuer to "${ISSUER}" if this token comes from the right cluster`,
    });
  });

  test("fails a token whose iss has a trailing '/' the configured issuer lacks", () => {
    const token = jwt({ ...decodeJwt(vaultToken()).claims, iss: `${ISSUER}/` });
    expect(diagnose(token).byName.issuer).toEqual({
      status: "fail",
      detail: `iss "${ISSUER}/" is not the mount's bound_issuer "${ISSUER}"; Vault says "invalid issuer (iss) claim" (cap jwt.go:161-163)`,
      fix: `set clusters[0].auth.jwt.issuer to "${ISSUER}/" if this token comes from the right cluster`,
    });
  });
});

describe("doctor (jwt method): an aud claim written as one string", () => {
  // go-jose v3.0.5 jwt/claims.go:88-112 (Audience.UnmarshalJSON) reads a string as a list of one.
  test("passes the audience check when the string is the role's audience", () => {
    const token = jwt({ ...decodeJwt(vaultToken()).claims, aud: "vault" });
    expect(decodeJwt(token).audiences).toEqual(["vault"]);
    expect(diagnose(token).byName.audience).toEqual({
      status: "pass",
      detail: "the token's aud [vault] includes the role's bound audience \"vault\"",
    });
  });

  test("fails the audience check when the string is another audience", () => {
    const token = jwt({ ...decodeJwt(vaultToken()).claims, aud: "sts.amazonaws.com" });
    expect(diagnose(token).byName.audience).toMatchObject({
      status: "fail",
      detail:
        'the role binds audience "vault", but the token\'s aud is [sts.amazonaws.com]; Vault says "invalid audience (aud) claim" (cap jwt.go:170-172)',
    });
  });
});
