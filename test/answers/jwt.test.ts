/**
 * decodeJwt (src/answers/jwt.ts): a ServiceAccount token read as Vault reads it, for doctor's
 * checks. Its refusals are the CLI's exit-2 messages (they never echo the token); its problems are
 * the details of doctor's "claims" and "decode" checks, in the words of the Go libraries Vault 1.21.2
 * uses: go-jose v3.0.4 and encoding/json for the registered claims, mapstructure for the
 * ServiceAccount claims (vault-plugin-auth-kubernetes v0.23.1 path_login.go:380-386, 429-442).
 */
import { decodeJwt } from "../../src/answers/jwt";
import { validationMessage } from "../helpers";
import { jwt, legacyToken, projectedToken } from "./tokens";

const [header, claims, signature] = projectedToken().split(".");
const notThreeParts = (count: string) =>
  `the JWT is not three base64url parts joined by dots (it has ${count}); pass the token file itself, e.g. /var/run/secrets/kubernetes.io/serviceaccount/token`;

describe("decodeJwt: a text that is no compact JWS", () => {
  test("counts the parts it found, in the singular or the plural", () => {
    expect(validationMessage(() => decodeJwt("abc"))).toBe(notThreeParts("1 part"));
    expect(validationMessage(() => decodeJwt(`${header}.${claims}`))).toBe(notThreeParts("2 parts"));
  });

  test("refuses a part with a character base64url does not use (+, / or =), wherever it stands", () => {
    for (const text of [
      `${header}.${claims}+.${signature}`,
      `${header}.+${claims}.${signature}`,
      `${header}.${claims}.${signature}=`,
    ]) {
      expect(validationMessage(() => decodeJwt(text))).toBe(notThreeParts("3 parts"));
    }
  });

  test("names the claims part when it is not JSON, or not a JSON object", () => {
    expect(validationMessage(() => decodeJwt(`${header}.YWJj.${signature}`))).toBe(
      "the JWT's claims is not base64url-encoded JSON; is this a ServiceAccount token?",
    );
    expect(
      validationMessage(() => decodeJwt(`${header}.${Buffer.from("[1]").toString("base64url")}.${signature}`)),
    ).toBe("the JWT's claims is not a JSON object; is this a ServiceAccount token?");
    for (const value of ["null", "5", '"claims"']) {
      expect(
        validationMessage(() => decodeJwt(`${header}.${Buffer.from(value).toString("base64url")}.${signature}`)),
      ).toBe("the JWT's claims is not a JSON object; is this a ServiceAccount token?");
    }
  });
});

describe("decodeJwt: a time no clock reaches", () => {
  test("is refused as input, naming the claim", () => {
    expect(validationMessage(() => decodeJwt(jwt({ iat: 1e30 })))).toBe(
      "the JWT's iat claim 1e+30 is not a date (seconds since 1970, before the year 10000); is this a ServiceAccount token?",
    );
    expect(validationMessage(() => decodeJwt(jwt({ "kubernetes.io": { warnafter: 1e30 } })))).toBe(
      "the JWT's kubernetes.io.warnafter claim 1e+30 is not a date (seconds since 1970, before the year 10000); is this a ServiceAccount token?",
    );
  });

  test("takes up to 9999-12-31T23:59:59Z, the last second a date prints as one", () => {
    expect(decodeJwt(jwt({ exp: 253402300799 })).expiresAt).toBe(253402300799);
    expect(validationMessage(() => decodeJwt(jwt({ exp: 253402300800 })))).toBe(
      "the JWT's exp claim 253402300800 is not a date (seconds since 1970, before the year 10000); is this a ServiceAccount token?",
    );
  });

  test("reads warnafter, which only kubelet's default token carries", () => {
    expect(decodeJwt(projectedToken({ warnafter: 1_800_000_000 })).warnAfter).toBe(1_800_000_000);
    expect(decodeJwt(projectedToken()).warnAfter).toBeUndefined();
  });
});

describe("decodeJwt: which kind of token it is", () => {
  test("projected with kubernetes.io claims, legacy with a Secret's, other without either", () => {
    expect([projectedToken(), legacyToken(), jwt({ sub: "x" })].map((token) => decodeJwt(token).kind)).toEqual([
      "projected",
      "legacy",
      "other",
    ]);
  });
});

describe("decodeJwt: registered claims of the wrong JSON type, in encoding/json's words", () => {
  const said = (type: string) => `("json: cannot unmarshal ${type} into Go struct field Claims.iss of type string")`;

  test("names the JSON type it found", () => {
    expect(decodeJwt(jwt({ iss: ["https://issuer"] })).registeredProblem).toBe(
      `iss is a list, not a string ${said("array")}`,
    );
    expect(decodeJwt(jwt({ iss: true })).registeredProblem).toBe(`iss is a boolean, not a string ${said("bool")}`);
    expect(decodeJwt(jwt({ iss: {} })).registeredProblem).toBe(`iss is an object, not a string ${said("object")}`);
    expect(decodeJwt(jwt({ iss: 5 })).registeredProblem).toBe(`iss is a number, not a string ${said("number")}`);
  });

  test("checks jti as it checks iss and sub, and takes null for no value", () => {
    expect(decodeJwt(jwt({ jti: 5 })).registeredProblem).toBe(
      'jti is a number, not a string ("json: cannot unmarshal number into Go struct field Claims.jti of type string")',
    );
    expect(decodeJwt(jwt({ iss: null, sub: null, jti: null })).registeredProblem).toBeUndefined();
  });

  test("names what an aud or a date holds when go-jose refuses it", () => {
    const audience =
      'not a string or a list of strings ("go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience", go-jose v3.0.4 jwt/claims.go:88-112, errors.go:23)';
    const cases: [unknown, string][] = [
      [null, "null"],
      [5, "a number"],
      [true, "a boolean"],
      [{}, "an object"],
      [["a", 1], "a list holding something other than strings"],
    ];
    for (const [aud, what] of cases) {
      expect(decodeJwt(jwt({ aud })).registeredProblem).toBe(`aud is ${what}, ${audience}`);
    }
    expect(decodeJwt(jwt({ exp: true })).registeredProblem).toBe(
      'exp is a boolean, not a number of seconds ("go-jose/go-jose/jwt: expected number value to unmarshal NumericDate", go-jose v3.0.4 jwt/claims.go:64-74, errors.go:26)',
    );
  });

  test("of two keys Go reads as one field, the later in encoding/json's sorted order wins: iss over ISS", () => {
    expect(decodeJwt(jwt({ iss: "https://lower", ISS: "https://upper" })).issuer).toBe("https://lower");
    expect(decodeJwt(jwt({ ISS: "https://upper", iss: "https://lower" })).issuer).toBe("https://lower");
  });

  test("reads a key as Go matches it to a field, ignoring case and folding ſ to s, and says so", () => {
    expect(decodeJwt(jwt({ ISS: 5 })).registeredProblem).toBe(
      `ISS (read as iss) is a number, not a string ${said("number")}`,
    );
    expect(decodeJwt(jwt({ iſs: 5 })).registeredProblem).toBe(
      `iſs (read as iss) is a number, not a string ${said("number")}`,
    );
  });
});

describe("decodeJwt: ServiceAccount claims mapstructure cannot decode (path_login.go:429-442)", () => {
  const problem = (line: string) => `1 error(s) decoding:\n\n* ${line}`;

  test("names a kubernetes.io that is no map, as a slice for a list", () => {
    expect(decodeJwt(jwt({ "kubernetes.io": "x" })).serviceAccountProblem).toBe(
      problem("'kubernetes.io' expected a map, got 'string'"),
    );
    expect(decodeJwt(jwt({ "kubernetes.io": ["x"] })).serviceAccountProblem).toBe(
      problem("'kubernetes.io' expected a map, got 'slice'"),
    );
  });

  test("matches keys ignoring case as mapstructure does, an exact key first", () => {
    const kube = decodeJwt(projectedToken()).claims["kubernetes.io"];
    const account = { name: "atlantis", namespace: "atlantis", uid: "0b8a8c8e-2222-4a4a-9c9c-000000000002" };
    expect(decodeJwt(jwt({ "Kubernetes.IO": kube })).serviceAccount).toEqual(account);
    expect(decodeJwt(jwt({ "KUBERNETES.IO": { namespace: "loud" }, "kubernetes.io": kube })).serviceAccount).toEqual(
      account,
    );
  });

  test("leaves a null claim unset, with no problem", () => {
    const token = decodeJwt(jwt({ "kubernetes.io": { namespace: null, serviceaccount: null }, exp: null, aud: null }));
    expect(token.serviceAccount).toEqual({});
    expect(token.serviceAccountProblem).toBeUndefined();
    const none = decodeJwt(jwt({ sub: "x", "kubernetes.io": null }));
    expect([none.kind, none.pod, none.serviceAccount, none.serviceAccountProblem]).toEqual([
      "other",
      undefined,
      {},
      undefined,
    ]);
  });

  test("names each legacy Secret claim that is no string by its full key", () => {
    const legacy = "kubernetes.io/serviceaccount/";
    expect(
      decodeJwt(
        jwt({
          [`${legacy}service-account.name`]: false,
          [`${legacy}service-account.uid`]: 1,
          [`${legacy}secret.name`]: true,
          [`${legacy}namespace`]: ["atlantis"],
        }),
      ).serviceAccountProblem,
    ).toBe(
      "4 error(s) decoding:\n\n" +
        `* '${legacy}namespace' expected type 'string', got unconvertible type '[]interface {}'\n` +
        `* '${legacy}secret.name' expected type 'string', got unconvertible type 'bool'\n` +
        `* '${legacy}service-account.name' expected type 'string', got unconvertible type 'bool'\n` +
        `* '${legacy}service-account.uid' expected type 'string', got unconvertible type 'float64'`,
    );
  });

  test("reads the pod's name and UID as it reads the ServiceAccount's, and takes neither for the ServiceAccount's", () => {
    const pod = decodeJwt(jwt({ "kubernetes.io": { namespace: "apps", pod: { name: "web-0", uid: "u-1" } } }));
    expect([pod.kind, pod.pod, pod.serviceAccount]).toEqual(["projected", "web-0", { namespace: "apps" }]);
    expect(decodeJwt(jwt({ "kubernetes.io": { pod: "web-0" } })).serviceAccountProblem).toBe(
      problem("'kubernetes.io.pod' expected a map, got 'string'"),
    );
    const wrong = decodeJwt(jwt({ "kubernetes.io": { pod: { name: 5, uid: false } } }));
    expect(wrong.pod).toBeUndefined();
    expect(wrong.serviceAccountProblem).toBe(
      "2 error(s) decoding:\n\n* 'kubernetes.io.pod.name' expected type 'string', got unconvertible type 'float64'\n* 'kubernetes.io.pod.uid' expected type 'string', got unconvertible type 'bool'",
    );
  });

  test("refuses an aud that is no list, naming its Go type (the Kubernetes method decodes aud as a slice)", () => {
    for (const [aud, type] of [
      ["vault", "string"],
      [5, "float64"],
      [{}, "map"],
    ] as const) {
      expect(decodeJwt(jwt({ aud })).serviceAccountProblem).toBe(
        problem(`'aud': source data must be an array or slice, got ${type}`),
      );
    }
  });

  test("names an exp or iat that is no number, which the Kubernetes method decodes as int64 (path_login.go:440-441)", () => {
    expect(decodeJwt(jwt({ exp: "soon", iat: true })).serviceAccountProblem).toBe(
      "2 error(s) decoding:\n\n* 'exp' expected type 'int64', got unconvertible type 'string'\n* 'iat' expected type 'int64', got unconvertible type 'bool'",
    );
    expect(decodeJwt(jwt({ exp: 1.5e9, iat: null })).serviceAccountProblem).toBeUndefined();
  });

  test("lists its errors sorted, as mapstructure's Error does", () => {
    expect(decodeJwt(jwt({ "kubernetes.io/serviceaccount/namespace": 1, aud: 5 })).serviceAccountProblem).toBe(
      "2 error(s) decoding:\n\n* 'aud': source data must be an array or slice, got float64\n* 'kubernetes.io/serviceaccount/namespace' expected type 'string', got unconvertible type 'float64'",
    );
  });

  test("names the Go type of a namespace that is no string", () => {
    expect(decodeJwt(jwt({ "kubernetes.io": { namespace: true } })).serviceAccountProblem).toBe(
      problem("'kubernetes.io.namespace' expected type 'string', got unconvertible type 'bool'"),
    );
    expect(decodeJwt(jwt({ "kubernetes.io": { namespace: {} } })).serviceAccountProblem).toBe(
      problem("'kubernetes.io.namespace' expected type 'string', got unconvertible type 'map[string]interface {}'"),
    );
  });
});
