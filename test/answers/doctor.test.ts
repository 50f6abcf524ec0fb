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
  });

  describe("audience (path_login.go:353-356, cap jwt.go:170)", () => {
    const withAudience = configWith({ roles: [{ ...seed.roles[0], audience: "vault" }] });

    test("passes any aud when the role binds none", () => {
      expect(diagnose(projectedToken({ aud: ["anything"] })).byName.audience.status).toBe("pass");
    });

    test("passes a projected token that carries the role's audience among others", () => {
      expect(
        diagnose(projectedToken({ aud: ["other", "vault"] }), { config: withAudience }).byName.audience.status,
      ).toBe("pass");
    });

    test("fails the pod's default token (API-server audience) and says to mount a projected token", () => {
      expect(diagnose(projectedToken(), { config: withAudience }).byName.audience).toEqual({
        status: "fail",
        detail:
          'the role wants aud "vault", but this is the pod\'s default token, whose aud [https://kubernetes.default.svc.cluster.local] is the API server\'s (cap jwt.go:170-172: "invalid audience (aud) claim")',
        fix: 'mount a projected ServiceAccount token with audience: vault (docs/pods.md: "Bind an audience") and log in with that file, or remove clusters[0].roles[0].audience',
      });
    });

    test("fails a projected token meant for another audience and names the value that would work", () => {
      const check = diagnose(projectedToken({ aud: ["vault-prod"] }), { config: withAudience }).byName.audience;
      expect(check.status).toBe("fail");
      expect(check.detail).toContain("a token with aud [vault-prod]");
      expect(check.fix).toBe(
        'give the pod a projected token with audience: vault, or, if "vault-prod" is meant for Vault, set clusters[0].roles[0].audience: vault-prod',
      );
    });

    test("fails a legacy Secret-based token, which has no aud", () => {
      const check = diagnose(legacyToken(), { config: withAudience }).byName.audience;
      expect(check).toMatchObject({
        status: "fail",
        detail: expect.stringContaining("legacy Secret-based token (Secret atlantis-token)"),
      });
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
  });

  describe("cidr (path_login.go:140-149)", () => {
    test("passes a role without tokenBoundCidrs", () => {
      expect(diagnose(projectedToken()).byName.cidr.status).toBe("pass");
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
      expect(check.fix).toMatch(/^remove clusters\[0\]\.roles\[0\]\.audience and log in with the pod's default token/);
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
