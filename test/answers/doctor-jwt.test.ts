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
