import { readFileSync } from "node:fs";
import { join } from "node:path";
import { diagnoseEveryRole, diagnoseLogin } from "../../src/answers/doctor/doctor";
import { decodeJwt } from "../../src/answers/jwt";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { parseConfig } from "../../src/config/load";
import type { ClusterConfig, Config, ConfigInput } from "../../src/config/schema";
import { validationMessage } from "../helpers";
import { jwt, legacyToken, NOW, projectedToken } from "./tokens";

type ClusterInput = ConfigInput["clusters"][number];
const CA = readFileSync(join(__dirname, "..", "fixtures", "test-ca.pem"), "utf8");
const seed = DEFAULT_CONFIG.clusters[0];

/** A config of one cluster: the seed's, with `changes`. */
function configWith(changes: Partial<ClusterInput> = {}): Config {
  return parseConfig({ clusters: [{ ...structuredClone(seed), ...changes }] }, "test");
}

function explicit(mode: "client-jwt" | "vault-pod"): Partial<ClusterInput> {
  return {
    kubernetes: { host: "https://kubernetes.example.com:6443", caCertificate: CA },
    auth: { path: "atlantis", reviewer: { mode } },
  };
}

/** A time as doctor prints it: ISO 8601, whole seconds. */
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

/** The checks of one login, by name: [status, detail, fix]. */
function diagnose(
  token: string,
  options: { config?: Config; role?: string; reviewer?: string; cluster?: ClusterConfig } = {},
) {
  const config = options.config ?? configWith();
  const diagnosis = diagnoseLogin({
    config,
    cluster: options.cluster ?? config.clusters[0],
    roleName: options.role ?? "atlantis",
    jwt: decodeJwt(token),
    now: NOW,
    reviewerJwt: options.reviewer === undefined ? undefined : decodeJwt(options.reviewer),
  });
  const byName = Object.fromEntries(diagnosis.checks.map(({ name, ...result }) => [name, result]));
  return { ...diagnosis, byName };
}

describe("doctor: Vault's Kubernetes login checks, replayed offline", () => {
  test("runs the checks in Vault's order (path_login.go: role, CIDRs, parse, claims, iss, aud, times, decoding, name, namespace, alias, TokenReview)", () => {
    expect(diagnose(projectedToken()).checks.map((check) => check.name)).toEqual([
      "role",
      "cidr",
      "algorithm",
      "signature",
      "claims",
      "issuer",
      "audience",
      "expiry",
      "decode",
      "serviceaccount",
      "namespace",
      "alias",
      "reviewer",
      "tokenreview",
    ]);
  });

  test("passes the seed's role with the pod's default token, leaving only what needs the cluster", () => {
    const result = diagnose(projectedToken());
    expect(result.ok).toBe(true);
    expect(result.checks.filter((check) => check.status === "skip").map((check) => check.name)).toEqual([
      "signature",
      "issuer",
      "tokenreview",
    ]);
  });

  describe("role (path_login.go:132-138)", () => {
    test("fails for a role the mount does not have, suggests the near miss and checks nothing else", () => {
      const result = diagnose(projectedToken(), { role: "atlantsi" });
      expect(result.ok).toBe(false);
      expect(result.checks).toEqual([
        {
          name: "role",
          status: "fail",
          detail:
            'no role "atlantsi" on auth/atlantis (Vault compares role names in lowercase), so Vault answers: invalid role name "atlantsi"; did you mean "atlantis"?',
          fix: "log in as one of atlantis, or add the role under clusters[0].roles",
        },
      ]);
    });

    test("lists every role of the cluster in the fix", () => {
      const config = configWith({ roles: [seed.roles[0], { ...seed.roles[0], name: "ci" }] });
      expect(diagnose(projectedToken(), { config, role: "deploy" }).checks).toEqual([
        {
          name: "role",
          status: "fail",
          detail:
            'no role "deploy" on auth/atlantis (Vault compares role names in lowercase), so Vault answers: invalid role name "deploy"',
          fix: "log in as one of atlantis, ci, or add the role under clusters[0].roles",
        },
      ]);
    });
  });

  describe("algorithm (path_login.go:43-53, 323)", () => {
    test.each(["RS256", "ES384", "PS512"])("passes a token signed with %s", (alg) => {
      expect(
        diagnose(jwt(JSON.parse(Buffer.from(projectedToken().split(".")[1], "base64url").toString()), { alg })).byName
          .algorithm.status,
      ).toBe("pass");
    });

    test.each(["HS256", "none"])("fails a token signed with %s, which Vault does not parse", (alg) => {
      const check = diagnose(jwt({ sub: "x" }, { alg })).byName.algorithm;
      expect(check).toMatchObject({ status: "fail", detail: expect.stringContaining('answers "permission denied"') });
    });

    test("says which algorithms Vault parses, and that a token made by hand is the cause", () => {
      expect(diagnose(projectedToken()).byName.algorithm).toEqual({
        status: "pass",
        detail: "signed with RS256, one Vault parses (path_login.go:40-53)",
      });
      expect(diagnose(jwt({ sub: "x" }, { alg: "HS256" })).byName.algorithm).toEqual({
        status: "fail",
        detail:
          'signed with "HS256"; Vault parses only RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512 and answers "permission denied" (path_login.go:165-170, 320-333)',
        fix: "use a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
      });
    });

    test("fails a token whose signature part is empty, in cap's words (jwt.go:145-148)", () => {
      const unsigned = `${projectedToken().split(".").slice(0, 2).join(".")}.`;
      expect(diagnose(unsigned).byName.algorithm).toEqual({
        status: "fail",
        detail:
          'the token\'s signature part is empty; Vault says "invalid algorithm (alg) header parameter: token must be signed" (cap jwt.go:145-148, 263-268)',
        fix: "use a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
      });
    });
  });

  describe("issuer (path_login.go:343-351)", () => {
    test("is skipped while disableIssValidation is true (the project's default)", () => {
      expect(diagnose(projectedToken()).byName.issuer).toMatchObject({
        status: "skip",
        detail: expect.stringContaining("clusters[0].auth.disableIssValidation: true"),
      });
    });

    test("passes any iss with validation on: no issuer is configured, so Vault compares none", () => {
      const config = configWith({ auth: { ...seed.auth, disableIssValidation: false } });
      const check = diagnose(jwt({ iss: "https://oidc.eks.example/id/ABC", sub: "x" }), { config }).byName.issuer;
      expect(check).toMatchObject({ status: "pass", detail: expect.stringContaining("compares none") });
    });

    test("names the field that turns validation off, and the token's iss (empty when it has none)", () => {
      expect(diagnose(projectedToken()).byName.issuer).toEqual({
        status: "skip",
        detail: "issuer validation is off (clusters[0].auth.disableIssValidation: true), so Vault ignores iss",
      });
      const config = configWith({ auth: { ...seed.auth, disableIssValidation: false } });
      expect(diagnose(jwt({ sub: "x" }), { config }).byName.issuer).toEqual({
        status: "pass",
        detail:
          'issuer validation is on, but the mount configures no issuer, so Vault compares none (path_login.go:343-351); the token\'s iss is ""',
      });
    });
  });

  describe("audience (path_login.go:353-356, cap jwt.go:170)", () => {
    // Made in each test, not while jest collects the tests (docs/development.md).
    const withAudience = () => configWith({ roles: [{ ...seed.roles[0], audience: "vault" }] });

    test("passes any aud when the role binds none", () => {
      expect(diagnose(projectedToken({ aud: ["anything"] })).byName.audience.status).toBe("pass");
    });

    test("passes a projected token that carries the role's audience among others", () => {
      expect(
        diagnose(projectedToken({ aud: ["other", "vault"] }), { config: withAudience() }).byName.audience.status,
      ).toBe("pass");
    });

    test("fails the pod's default token (API-server audience) and says to mount a projected token", () => {
      expect(diagnose(projectedToken(), { config: withAudience() }).byName.audience).toEqual({
        status: "fail",
        detail:
          'the role wants aud "vault", but this is the pod\'s default token, whose aud [https://kubernetes.default.svc.cluster.local] is the API server\'s (cap jwt.go:170-172: "invalid audience (aud) claim")',
        fix: 'mount a projected ServiceAccount token with audience: vault (docs/pods.md: "Bind an audience") and log in with that file, or remove clusters[0].roles[0].audience',
      });
    });

    test("fails a projected token meant for another audience and names the value that would work", () => {
      const check = diagnose(projectedToken({ aud: ["vault-prod"] }), { config: withAudience() }).byName.audience;
      expect(check.status).toBe("fail");
      expect(check.detail).toContain("a token with aud [vault-prod]");
      expect(check.fix).toBe(
        'give the pod a projected token with audience: vault, or, if "vault-prod" is meant for Vault, set clusters[0].roles[0].audience: vault-prod',
      );
    });

    test("fails a legacy Secret-based token, which has no aud", () => {
      const check = diagnose(legacyToken(), { config: withAudience() }).byName.audience;
      expect(check).toMatchObject({
        status: "fail",
        detail: expect.stringContaining("legacy Secret-based token (Secret atlantis-token)"),
      });
    });

    test("says what it compared when it passes", () => {
      expect(diagnose(projectedToken({ aud: ["a", "b"] })).byName.audience).toEqual({
        status: "pass",
        detail: "the role binds no audience, so any aud is accepted (path_login.go:353-356); the token's is [a, b]",
      });
      expect(diagnose(projectedToken({ aud: ["other", "vault"] }), { config: withAudience() }).byName.audience).toEqual(
        {
          status: "pass",
          detail: "the token's aud [other, vault] includes the role's audience \"vault\"",
        },
      );
    });

    test("tells a legacy token's user to mount a projected token, or to drop the audience", () => {
      expect(diagnose(legacyToken(), { config: withAudience() }).byName.audience).toEqual({
        status: "fail",
        detail:
          'the role wants aud "vault", but this is a legacy Secret-based token (Secret atlantis-token), which carries no aud (cap jwt.go:170-172: "invalid audience (aud) claim")',
        fix: 'mount a projected ServiceAccount token with audience: vault (docs/pods.md: "Bind an audience") and log in with that file, or remove clusters[0].roles[0].audience',
      });
    });

    test("offers another audience as the fix only for a pod's projected token that carries one", () => {
      const mount =
        'mount a projected ServiceAccount token with audience: vault (docs/pods.md: "Bind an audience") and log in with that file, or remove clusters[0].roles[0].audience';
      expect(diagnose(projectedToken({ aud: [] }), { config: withAudience() }).byName.audience).toEqual({
        status: "fail",
        detail:
          'the role wants aud "vault", but this is a token with aud [] (cap jwt.go:170-172: "invalid audience (aud) claim")',
        fix: mount,
      });
      // A token some other issuer made for "vault-prod" (no kubernetes.io claims): not the pod's to re-mount.
      const foreign = jwt({ sub: "x", aud: ["vault-prod"], iss: "https://idp.example" });
      expect(diagnose(foreign, { config: withAudience() }).byName.audience).toEqual({
        status: "fail",
        detail:
          'the role wants aud "vault", but this is a token with aud [vault-prod] (cap jwt.go:170-172: "invalid audience (aud) claim")',
        fix: mount,
      });
    });

    test("calls only a pod's projected token its default token, whatever the aud", () => {
      const foreign = jwt({
        sub: "x",
        aud: ["https://kubernetes.default.svc.cluster.local"],
        iss: "https://idp.example",
      });
      expect(diagnose(foreign, { config: withAudience() }).byName.audience.detail).toBe(
        'the role wants aud "vault", but this is a token with aud [https://kubernetes.default.svc.cluster.local] (cap jwt.go:170-172: "invalid audience (aud) claim")',
      );
    });

    test("never prints undefined for a legacy token that names no Secret", () => {
      const { "kubernetes.io/serviceaccount/secret.name": _, ...claims } = decodeJwt(legacyToken()).claims;
      expect(diagnose(jwt(claims), { config: withAudience() }).byName.audience.detail).toBe(
        'the role wants aud "vault", but this is a legacy Secret-based token (Secret ?), which carries no aud (cap jwt.go:170-172: "invalid audience (aud) claim")',
      );
    });
  });

  describe("expiry (cap jwt.go:185-245, one minute of clock skew)", () => {
    test("passes a current token and says until when, and for which pod", () => {
      const check = diagnose(projectedToken({ exp: NOW + 600 })).byName.expiry;
      expect(check).toMatchObject({
        status: "pass",
        detail: expect.stringMatching(/^valid until .*\(10 min from now, bound to pod atlantis-0\)$/),
      });
    });

    test("fails an expired token and says to read the file again", () => {
      const check = diagnose(projectedToken({ iat: NOW - 7200, exp: NOW - 120 })).byName.expiry;
      expect(check).toMatchObject({ status: "fail", detail: expect.stringContaining("token is expired") });
      expect(check.fix).toContain("kubelet rotates projected tokens");
    });

    test("passes a token expired by less than the minute of clock skew Vault allows", () => {
      expect(diagnose(projectedToken({ iat: NOW - 3600, exp: NOW - 30 })).byName.expiry.status).toBe("pass");
    });

    test("fails a token that is not valid yet (nbf beyond the skew)", () => {
      const check = diagnose(jwt({ nbf: NOW + 600, exp: NOW + 4000, sub: "x" })).byName.expiry;
      expect(check).toMatchObject({ status: "fail", detail: expect.stringContaining("not valid before") });
    });

    test("fails a token with only an old iat: Vault gives it 150 s (cap jwt.go:194-206)", () => {
      expect(diagnose(jwt({ iat: NOW - 600 })).byName.expiry.status).toBe("fail");
      expect(diagnose(jwt({ iat: NOW - 100 })).byName.expiry.status).toBe("pass");
    });

    test("passes a legacy token, which never expires, and says it is one", () => {
      expect(diagnose(legacyToken()).byName.expiry).toMatchObject({
        status: "pass",
        detail: expect.stringContaining("legacy Secret-based token (Secret atlantis-token): it never expires"),
      });
    });

    test("says until when a token is valid, and when an expired one expired, in Vault's words", () => {
      expect(diagnose(projectedToken({ exp: NOW + 600 })).byName.expiry).toEqual({
        status: "pass",
        detail: `valid until ${iso(NOW + 600)} (10 min from now, bound to pod atlantis-0)`,
      });
      expect(diagnose(projectedToken({ iat: NOW - 7200, exp: NOW - 120 })).byName.expiry).toEqual({
        status: "fail",
        detail: `expired at ${iso(NOW - 120)} (exp), more than 60 s before now (${iso(NOW)}); Vault says "invalid expiration time (exp) claim: token is expired" (cap jwt.go:192-206, 240-242)`,
        fix: "read the token file again right before logging in: kubelet rotates projected tokens, a copy goes stale",
      });
      expect(diagnose(jwt({ sub: "x", iat: NOW - 600 })).byName.expiry).toMatchObject({
        status: "fail",
        detail: `expired at ${iso(NOW - 450)} (the later of iat and nbf plus 150 s, as the token has no exp), more than 60 s before now (${iso(NOW)}); Vault says "invalid expiration time (exp) claim: token is expired" (cap jwt.go:192-206, 240-242)`,
      });
    });

    test("names the claim Vault took as nbf for a token not valid yet, and fixes the one made without iat", () => {
      const notYet = 'Vault says "invalid not before (nbf) claim: token not yet valid" (cap jwt.go:208-222, 237-239)';
      const clocks = "check the clocks of this machine, the cluster and Vault";
      expect(diagnose(jwt({ nbf: NOW + 600, exp: NOW + 4000, sub: "x" })).byName.expiry).toEqual({
        status: "fail",
        detail: `not valid before ${iso(NOW + 600)} (nbf), more than 60 s after now (${iso(NOW)}); ${notYet}`,
        fix: clocks,
      });
      expect(diagnose(jwt({ iat: NOW + 600, exp: NOW + 4000, sub: "x" })).byName.expiry).toEqual({
        status: "fail",
        detail: `not valid before ${iso(NOW + 600)} (iat, which Vault takes as nbf when the token has none), more than 60 s after now (${iso(NOW)}); ${notYet}`,
        fix: clocks,
      });
      expect(diagnose(jwt({ exp: NOW + 4000, sub: "x" })).byName.expiry).toEqual({
        status: "fail",
        detail: `not valid before ${iso(NOW + 3850)} (exp minus 150 s, which Vault takes as nbf when the token has neither nbf nor iat), more than 60 s after now (${iso(NOW)}); ${notYet}`,
        fix: "issue the token with iat (TokenRequest tokens carry iat and nbf), or with an exp at most 210 s ahead",
      });
    });

    test("fails a token issued in the future even when its nbf has passed (cap jwt.go:243-245)", () => {
      expect(diagnose(jwt({ nbf: NOW - 60, iat: NOW + 600, exp: NOW + 4000, sub: "x" })).byName.expiry).toEqual({
        status: "fail",
        detail: `issued at ${iso(NOW + 600)}, more than 60 s after now (${iso(NOW)}); Vault says "invalid issued at (iat) claim: token issued in the future" (cap jwt.go:243-245)`,
        fix: "check the clocks of this machine, the cluster and Vault",
      });
    });

    test("a token with only nbf is valid for 150 s from it, as cap gives a missing exp (cap jwt.go:192-206)", () => {
      expect(diagnose(jwt({ sub: "x", nbf: NOW - 600 })).byName.expiry).toEqual({
        status: "fail",
        detail: `expired at ${iso(NOW - 450)} (the later of iat and nbf plus 150 s, as the token has no exp), more than 60 s before now (${iso(NOW)}); Vault says "invalid expiration time (exp) claim: token is expired" (cap jwt.go:192-206, 240-242)`,
        fix: "read the token file again right before logging in: kubelet rotates projected tokens, a copy goes stale",
      });
    });

    test("a legacy token that names no Secret is still called one, with ? for the Secret", () => {
      const { "kubernetes.io/serviceaccount/secret.name": _, ...claims } = decodeJwt(legacyToken()).claims;
      expect(diagnose(jwt(claims)).byName.expiry).toEqual({
        status: "pass",
        detail:
          "a legacy Secret-based token (Secret ?): it never expires and lives as long as the Secret; Kubernetes no longer creates these for pods, prefer the pod's own token",
      });
    });

    test("passes a token without any time, which the Kubernetes method allows, and says so", () => {
      expect(diagnose(jwt({ sub: "x" })).byName.expiry).toEqual({
        status: "pass",
        detail: "the token has no exp, nbf or iat (or only 0), which the Kubernetes method allows (cap jwt.go:183-188)",
      });
      expect(diagnose(legacyToken()).byName.expiry).toEqual({
        status: "pass",
        detail:
          "a legacy Secret-based token (Secret atlantis-token): it never expires and lives as long as the Secret; Kubernetes no longer creates these for pods, prefer the pod's own token",
      });
    });
  });

  describe("decode (path_login.go:380-386, 429-442)", () => {
    test("passes a token whose ServiceAccount claims have the types Vault decodes", () => {
      expect(diagnose(projectedToken()).byName.decode).toEqual({
        status: "pass",
        detail: "the ServiceAccount claims have the types Vault decodes them into (path_login.go:380-386, 429-442)",
      });
    });

    test("fails one that does not, quoting mapstructure's errors on one line", () => {
      const token = jwt({ sub: "x", "kubernetes.io": { namespace: 1, serviceaccount: { name: ["a"] } } });
      expect(diagnose(token).byName.decode).toEqual({
        status: "fail",
        detail:
          "Vault fails the login decoding the ServiceAccount claims: \"2 error(s) decoding: * 'kubernetes.io.namespace' expected type 'string', got unconvertible type 'float64' * 'kubernetes.io.serviceaccount.name' expected type 'string', got unconvertible type '[]interface {}'\" (path_login.go:380-386, 429-442)",
        fix: "log in with a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
      });
    });
  });

  describe("ServiceAccount name and namespace (path_login.go:388-417)", () => {
    test("passes the bound name and namespace, from projected and from legacy claims alike", () => {
      for (const token of [projectedToken(), legacyToken()]) {
        const { byName } = diagnose(token);
        expect([byName.serviceaccount.status, byName.namespace.status]).toEqual(["pass", "pass"]);
      }
    });

    test('passes any name and namespace when the role binds "*"', () => {
      const config = configWith({
        roles: [{ ...seed.roles[0], boundServiceAccountNames: ["*"], boundServiceAccountNamespaces: ["*"] }],
      });
      const { byName } = diagnose(projectedToken({ name: "ci", namespace: "tools" }), { config });
      expect([byName.serviceaccount.status, byName.namespace.status]).toEqual(["pass", "pass"]);
    });

    test("fails another ServiceAccount with Vault's words and the field to extend", () => {
      expect(diagnose(projectedToken({ name: "default" })).byName.serviceaccount).toEqual({
        status: "fail",
        detail:
          'ServiceAccount "default" matches none of [atlantis]; Vault says "service account name not authorized" (path_login.go:388-394)',
        fix: "add default to clusters[0].roles[0].boundServiceAccountNames, or run the pod as atlantis",
      });
    });

    test("fails another namespace with Vault's words and the field to extend", () => {
      expect(diagnose(projectedToken({ namespace: "ci" })).byName.namespace).toEqual({
        status: "fail",
        detail:
          'namespace "ci" matches none of [atlantis]; Vault says "namespace not authorized" (path_login.go:396-417)',
        fix: "add ci to clusters[0].roles[0].boundServiceAccountNamespaces",
      });
    });

    test("fails a token that names no ServiceAccount", () => {
      expect(diagnose(jwt({ sub: "someone", exp: NOW + 60 })).byName.serviceaccount.status).toBe("fail");
    });

    test("says how a name and a namespace were admitted: by '*', by name, or by a glob", () => {
      const any = configWith({
        roles: [{ ...seed.roles[0], boundServiceAccountNames: ["*"], boundServiceAccountNamespaces: ["*"] }],
      });
      const anyone = diagnose(projectedToken({ name: "ci", namespace: "tools" }), { config: any }).byName;
      expect([anyone.serviceaccount, anyone.namespace]).toEqual([
        { status: "pass", detail: 'any ServiceAccount name is bound ("*"); this is "ci"' },
        { status: "pass", detail: 'any namespace is bound ("*"); this is "tools"' },
      ]);
      const named = diagnose(projectedToken()).byName;
      expect([named.serviceaccount, named.namespace]).toEqual([
        { status: "pass", detail: 'ServiceAccount "atlantis" is bound' },
        { status: "pass", detail: 'namespace "atlantis" is bound' },
      ]);
      const glob = configWith({
        roles: [
          { ...seed.roles[0], boundServiceAccountNames: ["atlantis-*"], boundServiceAccountNamespaces: ["team-*"] },
        ],
      });
      const globbed = diagnose(projectedToken({ name: "atlantis-1", namespace: "team-a" }), { config: glob }).byName;
      expect([globbed.serviceaccount, globbed.namespace]).toEqual([
        { status: "pass", detail: 'ServiceAccount "atlantis-1" matches "atlantis-*"' },
        { status: "pass", detail: 'namespace "team-a" matches "team-*"' },
      ]);
      expect(diagnose(projectedToken({ name: "runner" }), { config: glob }).byName.serviceaccount).toEqual({
        status: "fail",
        detail:
          'ServiceAccount "runner" matches none of [atlantis-*]; Vault says "service account name not authorized" (path_login.go:388-394)',
        fix: "add runner to clusters[0].roles[0].boundServiceAccountNames, or run the pod as a ServiceAccount that matches atlantis-*",
      });
    });

    test("fails a token that names no ServiceAccount and no namespace, in Vault's words", () => {
      const { byName } = diagnose(jwt({ sub: "someone", exp: NOW + 60 }));
      expect([byName.serviceaccount, byName.namespace]).toEqual([
        {
          status: "fail",
          detail: 'the token names no ServiceAccount; Vault says "service account name not authorized"',
          fix: "log in with a Kubernetes ServiceAccount token",
        },
        {
          status: "fail",
          detail:
            'namespace "" matches none of [atlantis]; Vault says "namespace not authorized" (path_login.go:396-417)',
          fix: "add the pod's namespace to clusters[0].roles[0].boundServiceAccountNamespaces",
        },
      ]);
    });

    test("a selector admits no token that names no namespace: there are no labels for Vault to read", () => {
      const selector = { matchLabels: { team: "a" } };
      const config = configWith({ roles: [{ ...seed.roles[0], boundServiceAccountNamespaceSelector: selector }] });
      expect(diagnose(jwt({ sub: "someone", exp: NOW + 60 }), { config }).byName.namespace).toEqual({
        status: "fail",
        detail:
          'namespace "" matches none of [atlantis]; Vault says "namespace not authorized" (path_login.go:396-417)',
        fix: "add the pod's namespace to clusters[0].roles[0].boundServiceAccountNamespaces",
      });
    });

    test("leaves a namespace outside the list to the selector's labels, which only the cluster knows", () => {
      const selector = { matchLabels: { team: "a", env: "prod" } };
      const both = configWith({ roles: [{ ...seed.roles[0], boundServiceAccountNamespaceSelector: selector }] });
      expect(diagnose(projectedToken({ namespace: "apps" }), { config: both }).byName.namespace).toEqual({
        status: "skip",
        detail:
          'namespace "apps" is not in [atlantis], so admitted only if its labels match team=a,env=prod, which Vault reads from the cluster with the reviewer\'s JWT (namespace_validator.go:41-58, 60-76)',
        verify: "kubectl get namespace apps -l team=a,env=prod finds it",
      });
      const only = configWith({
        roles: [
          {
            ...seed.roles[0],
            boundServiceAccountNamespaces: undefined,
            boundServiceAccountNamespaceSelector: selector,
          },
        ],
      });
      expect(diagnose(projectedToken({ namespace: "apps" }), { config: only }).byName.namespace).toEqual({
        status: "skip",
        detail:
          'namespace "apps" is admitted only if its labels match team=a,env=prod, which Vault reads from the cluster with the reviewer\'s JWT (namespace_validator.go:41-58, 60-76)',
        verify: "kubectl get namespace apps -l team=a,env=prod finds it",
      });
    });
  });

  describe("cidr (path_login.go:140-149)", () => {
    test("passes a role without tokenBoundCidrs", () => {
      expect(diagnose(projectedToken()).byName.cidr.status).toBe("pass");
    });

    test("says what it found, and what to verify for bound blocks", () => {
      expect(diagnose(projectedToken()).byName.cidr).toEqual({
        status: "pass",
        detail: "the role binds no address blocks (tokenBoundCidrs)",
      });
      const config = configWith({ roles: [{ ...seed.roles[0], tokenBoundCidrs: ["10.0.0.0/16", "192.168.0.1/32"] }] });
      expect(diagnose(projectedToken(), { config }).byName.cidr).toEqual({
        status: "skip",
        detail:
          'not checkable offline: Vault refuses the login ("permission denied") unless the address it sees for the client is in [10.0.0.0/16, 192.168.0.1/32] (clusters[0].roles[0].tokenBoundCidrs)',
        verify:
          "the pod's address (kubectl get pod -o wide), or the address of the NAT or proxy between it and Vault, is in one of those blocks",
      });
    });

    test("cannot check bound address blocks offline and says what to verify", () => {
      const config = configWith({ roles: [{ ...seed.roles[0], tokenBoundCidrs: ["10.0.0.0/16"] }] });
      expect(diagnose(projectedToken(), { config }).byName.cidr).toMatchObject({
        status: "skip",
        detail: expect.stringContaining("[10.0.0.0/16] (clusters[0].roles[0].tokenBoundCidrs)"),
        verify: expect.stringContaining("kubectl get pod -o wide"),
      });
    });
  });

  describe("alias (path_login.go:174-177, 242-259)", () => {
    test("passes a token with a ServiceAccount UID, the default alias", () => {
      expect(diagnose(projectedToken()).byName.alias).toMatchObject({
        status: "pass",
        detail: expect.stringContaining("UID"),
      });
    });

    // path_login.go:198-201 reads the UID for the token's metadata and 512-518 compares it with the
    // TokenReview's, whatever alias_name_source says: serviceaccount_name is no way around a missing UID.
    test("fails a token without a UID, and says the UID is needed whatever aliasNameSource says", () => {
      const token = jwt({ "kubernetes.io": { namespace: "atlantis", serviceaccount: { name: "atlantis" } } });
      expect(diagnose(token).byName.alias).toEqual({
        status: "fail",
        detail:
          'the token carries no ServiceAccount UID, so Vault fails with "could not parse UID from claims" (path_login.go:242-249, 447-457)',
        fix: "log in with a Kubernetes ServiceAccount token (every one carries its ServiceAccount's namespace, name and UID); Vault needs the UID whatever clusters[0].roles[0].aliasNameSource says (path_login.go:198-201, 512-518)",
      });
      const byName = configWith({ roles: [{ ...seed.roles[0], aliasNameSource: "serviceaccount_name" }] });
      expect(diagnose(token, { config: byName }).byName.alias).toEqual({
        status: "fail",
        detail:
          'the entity alias would be "atlantis/atlantis", but the token carries no ServiceAccount UID, which Vault compares with the TokenReview\'s answer whatever aliasNameSource says: "permission denied" (path_login.go:512-518)',
        fix: "log in with a Kubernetes ServiceAccount token (every one carries its ServiceAccount's namespace, name and UID)",
      });
    });

    test("names the namespace/name alias when the role asks for it", () => {
      const config = configWith({ roles: [{ ...seed.roles[0], aliasNameSource: "serviceaccount_name" }] });
      expect(diagnose(projectedToken(), { config }).byName.alias.detail).toContain('"atlantis/atlantis"');
    });

    test("says which alias Vault creates, by UID or by namespace/name", () => {
      expect(diagnose(projectedToken()).byName.alias).toEqual({
        status: "pass",
        detail: 'the entity alias is the ServiceAccount\'s UID "0b8a8c8e-2222-4a4a-9c9c-000000000002"',
      });
      const config = configWith({ roles: [{ ...seed.roles[0], aliasNameSource: "serviceaccount_name" }] });
      expect(diagnose(projectedToken(), { config }).byName.alias).toEqual({
        status: "pass",
        detail: 'the entity alias is "atlantis/atlantis" (aliasNameSource: serviceaccount_name)',
      });
    });

    test("fails a namespace/name alias for a token that lacks the name (path_login.go:250-255)", () => {
      const config = configWith({ roles: [{ ...seed.roles[0], aliasNameSource: "serviceaccount_name" }] });
      const token = jwt({ "kubernetes.io": { namespace: "atlantis", serviceaccount: { uid: "u" } } });
      expect(diagnose(token, { config }).byName.alias).toEqual({
        status: "fail",
        detail:
          'the token lacks its ServiceAccount\'s namespace or name, so Vault fails with "service account namespace and name must be set" (path_login.go:250-255)',
        fix: "log in with a Kubernetes ServiceAccount token (every one carries its ServiceAccount's namespace, name and UID)",
      });
    });
  });

  describe("reviewer (token_review.go:69-73, backend.go:347-353)", () => {
    test("long-lived-token: passes, naming the reviewer ServiceAccount whose token Vault holds", () => {
      expect(diagnose(projectedToken()).byName.reviewer).toMatchObject({
        status: "pass",
        detail: expect.stringContaining("ServiceAccount vault/vault-reviewer"),
      });
    });

    test("long-lived-token: fails a reviewer JWT that carries exp, since Vault never refreshes it", () => {
      const reviewer = projectedToken({ namespace: "vault", name: "vault-reviewer", exp: NOW + 3600 });
      expect(diagnose(projectedToken(), { reviewer }).byName.reviewer).toMatchObject({
        status: "fail",
        detail: expect.stringContaining("the reviewer JWT expires at"),
      });
    });

    test("long-lived-token: a reviewer JWT whose exp is 0 has no exp, as cap reads a date of 0 (jwt.go:174-190)", () => {
      const { exp: _, ...claims } = decodeJwt(legacyToken("vault", "vault-reviewer")).claims;
      expect(diagnose(projectedToken(), { reviewer: jwt({ ...claims, exp: 0 }) }).byName.reviewer).toEqual({
        status: "pass",
        detail: "the reviewer JWT of vault/vault-reviewer has no exp, so it keeps working",
      });
    });

    test("long-lived-token: fails a reviewer JWT of another ServiceAccount, and passes the Secret-based one", () => {
      expect(diagnose(projectedToken(), { reviewer: legacyToken("vault", "someone") }).byName.reviewer.status).toBe(
        "fail",
      );
      expect(
        diagnose(projectedToken(), { reviewer: legacyToken("vault", "vault-reviewer") }).byName.reviewer.status,
      ).toBe("pass");
    });

    test("vault-pod: passes, naming Vault's own ServiceAccount", () => {
      const config = configWith(explicit("vault-pod"));
      expect(diagnose(projectedToken(), { config }).byName.reviewer.detail).toContain("ServiceAccount vault/vault");
    });

    test("client-jwt: passes the pod's default token, which the API server accepts as the bearer", () => {
      const config = configWith(explicit("client-jwt"));
      expect(diagnose(projectedToken(), { config }).byName.reviewer.status).toBe("pass");
    });

    test("client-jwt: fails a token whose audience is not the API server's, as the bearer would be refused", () => {
      const config = configWith(explicit("client-jwt"));
      const check = diagnose(projectedToken({ aud: ["vault"] }), { config }).byName.reviewer;
      expect(check).toMatchObject({
        status: "fail",
        detail: expect.stringContaining('[vault] is not, so Vault answers "permission denied"'),
      });
      expect(check.fix).toBe(
        "log in with the pod's default token, or use clusters[0].auth.reviewer.mode: long-lived-token or vault-pod",
      );
    });

    test("client-jwt with declared apiAudiences: passes a token that carries one, fails one that does not", () => {
      const config = configWith({
        ...explicit("client-jwt"),
        auth: { path: "atlantis", reviewer: { mode: "client-jwt", apiAudiences: ["https://api.example", "vault"] } },
      });
      expect(diagnose(projectedToken({ aud: ["vault"] }), { config }).byName.reviewer).toMatchObject({
        status: "pass",
        detail: expect.stringContaining(
          'its aud "vault" is one of the API server\'s (clusters[0].auth.reviewer.apiAudiences)',
        ),
      });
      expect(diagnose(projectedToken(), { config }).byName.reviewer).toMatchObject({
        status: "fail",
        detail: expect.stringContaining("is none of the API server's [https://api.example, vault]"),
      });
    });

    test("client-jwt with a role audience: fails, and the fix drops the audience", () => {
      const config = configWith(explicit("client-jwt"));
      const cluster = { ...config.clusters[0], roles: [{ ...config.clusters[0].roles[0], audience: "vault" }] };
      const check = diagnose(projectedToken({ aud: ["vault"] }), { config: { clusters: [cluster] }, cluster }).byName
        .reviewer;
      expect(check.status).toBe("fail");
      expect(check.fix).toBe(
        "remove clusters[0].roles[0].audience and log in with the pod's default token, or use clusters[0].auth.reviewer.mode: long-lived-token or vault-pod",
      );
    });

    test("long-lived-token: says whose token Vault presents, and why a given reviewer JWT fails or passes", () => {
      expect(diagnose(projectedToken()).byName.reviewer).toEqual({
        status: "pass",
        detail:
          "long-lived-token: Vault presents the Secret-based token of ServiceAccount vault/vault-reviewer that the stack creates; it has no exp (pass --reviewer-jwt FILE to check the one Vault holds)",
      });
      expect(diagnose(projectedToken(), { reviewer: legacyToken("vault", "someone") }).byName.reviewer).toEqual({
        status: "fail",
        detail:
          "the reviewer JWT belongs to ServiceAccount vault/someone, not to the configured reviewer vault/vault-reviewer",
        fix: "set clusters[0].auth.reviewer serviceAccountName/namespace to the reviewer's, or give Vault that ServiceAccount's token",
      });
      const expiring = projectedToken({ namespace: "vault", name: "vault-reviewer", exp: NOW + 3600 });
      expect(diagnose(projectedToken(), { reviewer: expiring }).byName.reviewer).toEqual({
        status: "fail",
        detail: `the reviewer JWT expires at ${iso(NOW + 3600)}; Vault keeps presenting it, and every login fails from then on`,
        fix: "store the token of the reviewer's kubernetes.io/service-account-token Secret (no exp), as the stack does, or use the vault-pod reviewer",
      });
      expect(diagnose(projectedToken(), { reviewer: legacyToken("vault", "vault-reviewer") }).byName.reviewer).toEqual({
        status: "pass",
        detail: "the reviewer JWT of vault/vault-reviewer has no exp, so it keeps working",
      });
    });

    test("vault-pod: names the ServiceAccount whose token Vault re-reads", () => {
      expect(diagnose(projectedToken(), { config: configWith(explicit("vault-pod")) }).byName.reviewer).toEqual({
        status: "pass",
        detail:
          "vault-pod: Vault presents its own pod's token (ServiceAccount vault/vault), re-read as kubelet rotates it (backend.go:351-358)",
      });
    });

    test("client-jwt: passes a legacy token as its own bearer, and a token whose aud is the API server's", () => {
      const config = configWith(explicit("client-jwt"));
      expect(diagnose(legacyToken(), { config }).byName.reviewer).toEqual({
        status: "pass",
        detail:
          "client-jwt: this token is also the TokenReview's bearer; the API server accepts legacy tokens as bearers",
      });
      expect(diagnose(projectedToken(), { config }).byName.reviewer).toEqual({
        status: "pass",
        detail:
          "client-jwt: this token is also the TokenReview's bearer (token_review.go:69-74); its aud \"https://kubernetes.default.svc.cluster.local\" looks like the API server's, which accepts it",
      });
    });

    test("client-jwt: takes EKS's https://kubernetes.default.svc for the API server's audience, not a longer name or one that only ends in it", () => {
      const config = configWith(explicit("client-jwt"));
      const eks = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC";
      const withAud = (aud: string) => jwt({ ...decodeJwt(projectedToken()).claims, iss: eks, aud: [aud] });
      expect(diagnose(withAud("https://kubernetes.default.svc"), { config }).byName.reviewer.status).toBe("pass");
      expect(diagnose(withAud("https://kubernetes.default.svc.cluster.local"), { config }).byName.reviewer.status).toBe(
        "pass",
      );
      expect(diagnose(withAud("https://kubernetes.default.svcx"), { config }).byName.reviewer.status).toBe("fail");
      expect(diagnose(withAud("vault-https://kubernetes.default.svc"), { config }).byName.reviewer.status).toBe("fail");
    });

    test("client-jwt: a refused bearer's message says why, with ? for a token that names no issuer", () => {
      const config = configWith(explicit("client-jwt"));
      const token = jwt({
        sub: "x",
        aud: ["vault"],
        "kubernetes.io": { namespace: "atlantis", serviceaccount: { name: "atlantis", uid: "u" } },
      });
      expect(diagnose(token, { config }).byName.reviewer).toEqual({
        status: "fail",
        detail:
          'client-jwt: Vault sends this token as the bearer of the TokenReview call (token_review.go:69-74), and the API server authenticates a bearer only if its aud is one of the API server\'s (--api-audiences, by default its issuer "?"); [vault] is not, so Vault answers "permission denied"',
        fix: "log in with the pod's default token, or use clusters[0].auth.reviewer.mode: long-lived-token or vault-pod",
      });
    });

    test("client-jwt with declared apiAudiences: the verdicts in full", () => {
      const config = configWith({
        ...explicit("client-jwt"),
        auth: { path: "atlantis", reviewer: { mode: "client-jwt", apiAudiences: ["https://api.example", "vault"] } },
      });
      expect(diagnose(projectedToken({ aud: ["vault"] }), { config }).byName.reviewer).toEqual({
        status: "pass",
        detail:
          "client-jwt: this token is also the TokenReview's bearer (token_review.go:69-74); its aud \"vault\" is one of the API server's (clusters[0].auth.reviewer.apiAudiences)",
      });
      expect(diagnose(projectedToken(), { config }).byName.reviewer).toEqual({
        status: "fail",
        detail:
          'client-jwt: Vault sends this token as the bearer of the TokenReview call (token_review.go:69-74), and its aud [https://kubernetes.default.svc.cluster.local] is none of the API server\'s [https://api.example, vault], so the API server refuses it and Vault answers "permission denied"',
        fix: "log in with a token whose audience is one of [https://api.example, vault] (the pod's default token), or use clusters[0].auth.reviewer.mode: long-lived-token or vault-pod",
      });
    });
  });

  describe("tokenreview (path_login.go:491-523)", () => {
    test("is not checkable offline and says what to verify, as the reviewer", () => {
      expect(diagnose(projectedToken()).byName.tokenreview).toMatchObject({
        status: "skip",
        verify: expect.stringContaining("--as=system:serviceaccount:vault:vault-reviewer says yes"),
      });
    });

    test("asks for the role's audience, and in client-jwt mode names the pod's own ServiceAccount", () => {
      const config = configWith(explicit("client-jwt"));
      const check = diagnose(projectedToken(), { config }).byName.tokenreview;
      expect(check.detail).toContain("as system:serviceaccount:atlantis:atlantis");
      const withAudience = configWith({ roles: [{ ...seed.roles[0], audience: "vault" }] });
      expect(
        diagnose(projectedToken({ aud: ["vault"] }), { config: withAudience }).byName.tokenreview.detail,
      ).toContain("for aud [vault]");
    });

    test("says what to verify by hand, as whom, and leaves out the audience when there is none to ask for", () => {
      expect(diagnose(projectedToken()).byName.tokenreview).toEqual({
        status: "skip",
        detail:
          "not checkable offline: Vault asks the API server to review the token for aud [https://kubernetes.default.svc.cluster.local], as system:serviceaccount:vault:vault-reviewer, and compares name, uid and namespace (path_login.go:491-524)",
        verify:
          "kubectl auth can-i create tokenreviews.authentication.k8s.io --as=system:serviceaccount:vault:vault-reviewer says yes (the system:auth-delegator binding); the token's pod or Secret still exists; the mount's kubernetes host and CA are this cluster's",
      });
      const token = jwt({
        sub: "x",
        "kubernetes.io": { namespace: "atlantis", serviceaccount: { name: "atlantis", uid: "u" } },
      });
      expect(diagnose(token, { config: configWith(explicit("client-jwt")) }).byName.tokenreview.detail).toBe(
        "not checkable offline: Vault asks the API server to review the token, as system:serviceaccount:atlantis:atlantis, and compares name, uid and namespace (path_login.go:491-524)",
      );
    });
  });

  test("says, for a token and no role, which roles of the cluster would accept it", () => {
    const config = configWith({
      roles: [
        seed.roles[0],
        { ...seed.roles[0], name: "ci", boundServiceAccountNames: ["ci"] },
        { ...seed.roles[0], name: "any", boundServiceAccountNames: ["*"], boundServiceAccountNamespaces: ["*"] },
      ],
    });
    const verdicts = diagnoseEveryRole({
      config,
      cluster: config.clusters[0],
      jwt: decodeJwt(projectedToken()),
      now: NOW,
    });
    expect(verdicts.map(({ role, ok }) => [role, ok])).toEqual([
      ["atlantis", true],
      ["ci", false],
      ["any", true],
    ]);
  });
});

describe("decodeJwt", () => {
  test("reads the ServiceAccount from projected claims and from legacy claims", () => {
    expect(decodeJwt(projectedToken({ name: "a", namespace: "b" }))).toMatchObject({
      kind: "projected",
      serviceAccount: { name: "a", namespace: "b" },
      pod: "a-0",
    });
    expect(decodeJwt(legacyToken("b", "a"))).toMatchObject({
      kind: "legacy",
      serviceAccount: { name: "a", namespace: "b" },
      audiences: [],
    });
  });

  test.each([
    ["", "the JWT is empty; pass the ServiceAccount token (a file, or - for stdin)"],
    [
      "not-a-jwt",
      "the JWT is not three base64url parts joined by dots (it has 1 part); pass the token file itself, e.g. /var/run/secrets/kubernetes.io/serviceaccount/token",
    ],
    ["c2VjcmV0.c2VjcmV0.c2VjcmV0", "the JWT's header is not base64url-encoded JSON; is this a ServiceAccount token?"],
    [
      `${Buffer.from("[1]").toString("base64url")}.e30.x`,
      "the JWT's header is not a JSON object; is this a ServiceAccount token?",
    ],
  ])("rejects %j with a message that never echoes the token", (text, message) => {
    const said = validationMessage(() => decodeJwt(text));
    expect(said).toBe(message);
    for (const part of text.split(".").filter((part) => part.length >= 3)) expect(said).not.toContain(part);
  });
});

describe("doctor: which token audiences it takes for the API server's own (client-jwt reviewer)", () => {
  const GKE = "https://container.googleapis.com/v1/projects/p/locations/europe-west1/clusters/c";
  const clientJwt = () => configWith(explicit("client-jwt"));

  test("passes a default token whose aud is its own issuer, as on GKE", () => {
    const token = jwt({ ...decodeJwt(projectedToken()).claims, iss: GKE, aud: [GKE] });
    expect(diagnose(token, { config: clientJwt() }).byName.reviewer).toEqual({
      status: "pass",
      detail: `client-jwt: this token is also the TokenReview's bearer (token_review.go:69-74); its aud "${GKE}" looks like the API server's, which accepts it`,
    });
  });

  test("passes kubelet's default token by its warnafter claim, whatever its aud", () => {
    const token = projectedToken({ aud: ["api"], warnafter: NOW + 600 });
    expect(diagnose(token, { config: clientJwt() }).byName.reviewer).toEqual({
      status: "pass",
      detail:
        "client-jwt: this token is also the TokenReview's bearer (token_review.go:69-74); its aud \"api\" looks like the API server's, which accepts it",
    });
  });

  test("fails a token whose aud only starts like kubernetes.default.svc, is not its issuer, and has no warnafter", () => {
    const token = jwt({ ...decodeJwt(projectedToken()).claims, iss: GKE, aud: ["https://kubernetes.default.svcx"] });
    expect(diagnose(token, { config: clientJwt() }).byName.reviewer.status).toBe("fail");
  });
});

describe("doctor: the audience fix for a token that is not a pod's projected token with an audience", () => {
  const withAudience = () => configWith({ roles: [{ ...structuredClone(seed.roles[0]), audience: "vault" }] });
  /** A JWT of another kind (no kubernetes.io claims), such as a CI system's OIDC token. */
  const other = (aud: string[]) =>
    jwt({
      iss: "https://token.actions.githubusercontent.com",
      sub: "repo:org/app:ref:refs/heads/main",
      aud,
      iat: NOW,
      exp: NOW + 300,
    });

  test("says to mount a projected token, not to bind the audience, for a token of another kind", () => {
    expect(diagnose(other(["sts.amazonaws.com"]), { config: withAudience() }).byName.audience).toEqual({
      status: "fail",
      detail:
        'the role wants aud "vault", but this is a token with aud [sts.amazonaws.com] (cap jwt.go:170-172: "invalid audience (aud) claim")',
      fix: 'mount a projected ServiceAccount token with audience: vault (docs/pods.md: "Bind an audience") and log in with that file, or remove clusters[0].roles[0].audience',
    });
  });

  test("does not call a token of another kind the pod's default token, whatever its aud", () => {
    const { detail } = diagnose(other(["https://kubernetes.default.svc"]), { config: withAudience() }).byName.audience;
    expect(detail).toBe(
      'the role wants aud "vault", but this is a token with aud [https://kubernetes.default.svc] (cap jwt.go:170-172: "invalid audience (aud) claim")',
    );
  });

  test("says to mount a projected token for a projected token without aud, never to bind an audience it lacks", () => {
    expect(diagnose(projectedToken({ aud: [] }), { config: withAudience() }).byName.audience.fix).toBe(
      'mount a projected ServiceAccount token with audience: vault (docs/pods.md: "Bind an audience") and log in with that file, or remove clusters[0].roles[0].audience',
    );
  });
});
