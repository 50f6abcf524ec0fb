import { diagnoseLogin } from "../../src/answers/doctor/doctor";
import { decodeJwt } from "../../src/answers/jwt";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { parseConfig } from "../../src/config/load";
import type { ConfigInput } from "../../src/config/schema";
import { jwt, legacyToken, NOW, projectedToken } from "./tokens";

const ISSUER = "https://kubernetes.default.svc.cluster.local";
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
    expect(diagnose(vaultToken(), config).byName.issuer).toMatchObject({
      status: "skip",
      verify: expect.stringContaining(
        "aws eks describe-cluster --name eks-test --region ap-northeast-1 --query cluster.identity.oidc.issuer",
      ),
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
