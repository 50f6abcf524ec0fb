/**
 * The differential test of `vault-k8s-auth doctor` (issue 19): generated ServiceAccount JWTs, each
 * put to the local Vault's `auth/<mount>/login` and to doctor, offline, with the vault-k8s-auth
 * config that describes the same mounts and roles. The mounts and roles are written to Vault
 * through its HTTP API (faster than a deploy), from the Terraform JSON that `synth` makes of that
 * config, with the attributes the vault provider sends; so doctor, the constructs and Vault are all
 * held to the same file.
 *
 * For each method, at least 300 cases (E2E_DOCTOR_CASES), from a seed that is printed
 * (E2E_DOCTOR_SEED=<n> replays a run):
 * - jwt method: tokens signed with keys this test holds (RSA, P-256, P-384, Ed25519, and the
 *   cluster's own signing key) that the mount pins in jwt_validation_pubkeys, with another key,
 *   HS256, none or no signature; real TokenRequest tokens of the cluster; tampered ones.
 * - kubernetes method: real TokenRequest tokens of varied ServiceAccounts, namespaces, audiences
 *   and lifetimes, a Secret-based token, tampered and forged ones (Vault reads the claims without
 *   a key and leaves the signature to the TokenReview).
 * Claims vary around every check: iss, aud (list, string, wrong types), sub, exp/nbf/iat around
 * the leeways (60 s of skew, 150 s when a date is missing), 0 and fractional dates, the wrong JSON
 * types, claim names in other letter cases; role names in any letter case, unknown roles, glob
 * bindings.
 *
 * Pass: no accept/refuse disagreement, and for each refusal doctor's first failing check is the
 * one Vault's error names (CAUSES). A forged token that passes every offline check of the
 * Kubernetes method must be refused with "permission denied": the TokenReview, which doctor
 * skips, is what refuses it; a real one must be accepted. A case whose verdict changes between
 * just before and just after the login (a date within the request's latency of a limit) is
 * counted as undecided, not compared. A disagreement is shrunk to a minimal case and printed.
 */
import { spawnSync } from "node:child_process";
import { constants, createHmac, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Diagnosis, diagnoseLogin } from "../../src/answers/doctor/doctor";
import { decodeJwt } from "../../src/answers/jwt";
import { synthesize } from "../../src/app";
import { checkConfigBytes } from "../../src/config/load";
import type { Config } from "../../src/config/schema";
import { goGlob } from "../../src/formats/glob";
import { API_AUDIENCE, type ControlPlane } from "./control-plane";
import { Checks } from "./scenarios";

export interface DifferentialContext {
  readonly root: string;
  readonly work: string;
  readonly plane: ControlPlane;
  readonly progress: (line: string) => void;
}

type Method = "kubernetes" | "jwt";
const MOUNTS: Record<Method, string> = { kubernetes: "doctor-diff-k8s", jwt: "doctor-diff-jwt" };
const CLUSTERS: Record<Method, string> = { kubernetes: "diff-k8s", jwt: "diff-jwt" };
const NAMESPACES = ["atlantis", "team-a", "team-b", "ops"];
const ACCOUNTS = ["atlantis", "atlantis-x", "runner-x", "default", "ci"];
const REVIEWER = { namespace: "doctor-diff", name: "reviewer" };

/** The roles of both mounts: exact names, go-glob patterns (a leading '*' too), "*", every audience. */
const ROLES = [
  { name: "atlantis", names: ["atlantis"], namespaces: ["atlantis"], audience: "vault" },
  { name: "Glob_Team", names: ["atlantis-*"], namespaces: ["team-*"], audience: "vault" },
  { name: "_ci", names: ["*"], namespaces: ["ops", "team-a"], audience: API_AUDIENCE, alias: "serviceaccount_name" },
  { name: "runner.2", names: ["runner-*", "default"], namespaces: ["*"], alias: "serviceaccount_uid" },
  { name: "wide", names: ["*-x"], namespaces: ["*-b"], audience: "vault" },
];

// --- a seeded generator (mulberry32), so a seed replays a run

class Random {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One of `choices`, each with its weight. */
  weighted<T>(choices: readonly [number, T][]): T {
    const total = choices.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [weight, value] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices[choices.length - 1][1];
  }
}

// --- what a case is

/** A claim value; `{ at: n }` is a date n seconds from the moment the token is made (fractions kept). */
type Value = unknown;
const at = (offset: number) => ({ at: offset });
const isAt = (value: unknown): value is { at: number } =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).join() === "at";

type Signer = "rsa" | "p256" | "p384" | "ed25519" | "cluster" | "stranger" | "hmac" | "none" | "empty";

interface Case {
  readonly method: Method;
  /** own: signed here from `claims`; real: a TokenRequest token; tampered: a real one with `claims` and its old signature. */
  readonly kind: "own" | "real" | "tampered";
  readonly role: string;
  readonly alg: string;
  readonly signer: Signer;
  readonly claims: Record<string, Value>;
  /** For real and tampered cases: the token the cluster issued. */
  readonly token?: string;
  /** How a real token was asked for, to print. */
  readonly request?: string;
}

interface Keys {
  readonly private: Record<"rsa" | "p256" | "p384" | "ed25519" | "cluster" | "stranger", KeyObject>;
  readonly pinned: string[];
}

function makeKeys(plane: ControlPlane, work: string): Keys {
  const pair = (type: "rsa" | "ec" | "ed25519", curve?: string) =>
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : type === "ec"
        ? generateKeyPairSync("ec", { namedCurve: curve as string })
        : generateKeyPairSync("ed25519");
  const rsa = pair("rsa");
  const p256 = pair("ec", "P-256");
  const p384 = pair("ec", "P-384");
  const ed25519 = pair("ed25519");
  const stranger = pair("rsa");
  const pem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }).toString();
  return {
    private: {
      rsa: rsa.privateKey,
      p256: p256.privateKey,
      p384: p384.privateKey,
      ed25519: ed25519.privateKey,
      stranger: stranger.privateKey,
      // The API server's own signing key (test/e2e-local/pki.ts), which the JWT mount pins too.
      cluster: createPrivateKey(readFileSync(join(work, "pki", "sa.key"))),
    },
    pinned: [plane.serviceAccountPublicKey, ...[rsa, p256, p384, ed25519].map(({ publicKey }) => pem(publicKey))],
  };
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const HASH: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/** The claims with their dates made absolute against `now`. */
function materialize(claims: Record<string, Value>, now: number): Record<string, unknown> {
  const resolve = (value: Value): unknown => {
    if (isAt(value)) return now + value.at;
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolve(inner)]));
    }
    return value;
  };
  return resolve(claims) as Record<string, unknown>;
}

/** The compact JWS of a case at `now`. */
function tokenOf(item: Case, keys: Keys, now: number): string {
  if (item.kind === "real") return item.token as string;
  const payload = encode(materialize(item.claims, now));
  if (item.kind === "tampered") {
    const [header, , signature] = (item.token as string).split(".");
    return `${header}.${payload}.${signature}`;
  }
  const input = `${encode({ alg: item.alg, kid: "doctor-diff", typ: "JWT" })}.${payload}`;
  if (item.signer === "none" || item.signer === "empty") return `${input}.`;
  if (item.signer === "hmac") {
    return `${input}.${createHmac("sha256", keys.pinned[1]).update(input).digest("base64url")}`;
  }
  const key = keys.private[item.signer];
  const family = item.alg.slice(0, 2);
  const signature =
    item.alg === "EdDSA"
      ? sign(null, Buffer.from(input), key)
      : sign(HASH[item.alg.slice(2)], Buffer.from(input), {
          key,
          ...(family === "PS" ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : {}),
          ...(family === "ES" ? { dsaEncoding: "ieee-p1363" as const } : {}),
        });
  return `${input}.${signature.toString("base64url")}`;
}

// --- generating cases

/**
 * Dates around what the checks compare them with: the 60 s of clock skew, the 150 s that stand in
 * for a missing date, 0, fractions (go-jose cuts them), the wrong JSON types, other letter cases.
 */
function dates(random: Random): Record<string, Value> {
  const near = (limit: number) => limit + random.pick([-3.5, -2, -1.5, -0.7, -0.3, 0.3, 0.7, 1.5, 2, 3.5, -10, 10]);
  return random.weighted<() => Record<string, Value>>([
    [14, () => ({ iat: at(-3600), nbf: at(-3600), exp: at(near(-60)) })],
    [10, () => ({ iat: at(near(60)), nbf: at(near(60)), exp: at(3600) })],
    [6, () => ({ iat: at(-30), nbf: at(near(60)), exp: at(3600) })],
    [8, () => ({ iat: at(near(60)), exp: at(3600) })],
    [10, () => ({ exp: at(random.pick([100, near(210), near(210), 300, 3600])) })],
    [6, () => ({ iat: at(random.pick([-100, near(-210), near(-210), -300])) })],
    [4, () => ({ nbf: at(random.pick([-100, near(-210)])), iat: at(random.pick([-80, near(-210)])) })],
    [6, () => ({ exp: 0, iat: at(random.pick([-100, near(-210)])), nbf: 0 })],
    [3, () => ({ exp: 0, iat: 0, nbf: 0 })],
    [3, () => ({})],
    [3, () => ({ exp: random.pick([-0.5, 0.4, -1]), iat: at(-30) })],
    [3, () => ({ iat: at(-30), exp: random.pick<Value>(["123", true, { n: 1 }, [1], null]) })],
    [2, () => ({ iat: random.pick<Value>(["x", false, null]), exp: at(120) })],
    [2, () => ({ iat: at(-30), nbf: random.pick<Value>(["0", {}, null]), exp: at(100) })],
    [3, () => ({ IAT: at(-30), EXP: at(random.pick([100, near(-60)])) })],
  ])();
}

function audience(random: Random): Value {
  return random.weighted<Value>([
    [10, "vault"],
    [10, [API_AUDIENCE]],
    [8, ["other", "vault"]],
    [8, ["other"]],
    [4, []],
    [4, undefined],
    [4, ["vault", 7]],
    [3, null],
    [3, ""],
    [2, { v: 1 }],
  ]);
}

type Role = (typeof ROLES)[number];

/** A role name as a pod might send it: as configured, in another letter case, or no role at all. */
function spelling(random: Random, role: Role): string {
  return random.weighted<string>([
    [55, role.name],
    [15, role.name.toUpperCase()],
    [15, role.name.toLowerCase()],
    [15, [...role.name].map((c) => (random.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join("")],
  ]);
}

/** A ServiceAccount the role binds (go-glob, as Vault matches), when there is one, else any. */
function identity(random: Random, role: Role, bound: boolean): { namespace: string; name: string } {
  const all = NAMESPACES.flatMap((namespace) => ACCOUNTS.map((name) => ({ namespace, name })));
  const matching = all.filter(
    ({ namespace, name }) =>
      role.names.some((pattern) => goGlob(pattern, name)) &&
      role.namespaces.some((pattern) => goGlob(pattern, namespace)),
  );
  return bound && matching.length > 0 ? random.pick(matching) : random.pick(all);
}

/** The audience a role takes: its own; the JWT method's roles always bind one. */
const roleAudience = (role: Role, method: Method) => role.audience ?? (method === "jwt" ? "vault" : API_AUDIENCE);

const SIGNERS: [number, [string, Signer]][] = [
  [4, ["RS384", "rsa"]],
  [4, ["RS512", "rsa"]],
  [4, ["PS256", "rsa"]],
  [3, ["PS384", "rsa"]],
  [3, ["PS512", "rsa"]],
  [6, ["ES256", "p256"]],
  [4, ["ES384", "p384"]],
  [5, ["EdDSA", "ed25519"]],
  [8, ["RS256", "cluster"]],
  [8, ["RS256", "stranger"]],
  [4, ["HS256", "hmac"]],
  [4, ["none", "none"]],
  [3, ["RS256", "empty"]],
  [3, ["ES384", "p256"]],
];

/**
 * A token this test signs: one the role accepts, then 0 to 3 changes, each around one check (so
 * that about a third is accepted and most refusals are near misses).
 */
function ownCase(random: Random, method: Method): Case {
  const role = random.pick(ROLES);
  const who = identity(random, role, true);
  const claims: Record<string, Value> = {
    iss: API_AUDIENCE,
    sub: `system:serviceaccount:${who.namespace}:${who.name}`,
    aud: [roleAudience(role, method)],
    iat: at(-30),
    nbf: at(-30),
    exp: at(3600),
  };
  if (method === "kubernetes") {
    claims["kubernetes.io"] = {
      namespace: who.namespace,
      pod: { name: `${who.name}-0`, uid: "0b8a8c8e-1111-4a4a-9c9c-000000000001" },
      serviceaccount: { name: who.name, uid: "0b8a8c8e-2222-4a4a-9c9c-000000000002" },
    };
  }
  let alg = "RS256";
  let signer: Signer = "rsa";
  let name = spelling(random, role);
  const changes = random.weighted<number>([
    [30, 0],
    [45, 1],
    [20, 2],
    [5, 3],
  ]);
  const changing: (() => void)[] = [
    () => {
      const other = identity(random, role, false);
      claims.sub = `system:serviceaccount:${other.namespace}:${other.name}`;
      const kube = claims["kubernetes.io"] as Record<string, Value> | undefined;
      if (method === "kubernetes" && kube !== undefined && typeof kube.serviceaccount === "object") {
        claims["kubernetes.io"] = {
          ...kube,
          namespace: other.namespace,
          serviceaccount: { ...(kube.serviceaccount as object), name: other.name },
        };
      }
    },
    () => {
      claims.aud = audience(random);
    },
    () => {
      for (const key of ["iat", "nbf", "exp"]) delete claims[key];
      Object.assign(claims, dates(random));
    },
    () => {
      [alg, signer] = random.weighted(SIGNERS);
    },
    () => {
      claims.iss = random.pick<Value>(["https://other.example.com", undefined, 5, null]);
      if (random.chance(0.3)) claims.ISS = API_AUDIENCE;
    },
    () => {
      claims.sub = random.pick<Value>([
        undefined,
        null,
        5,
        true,
        "someone",
        "system:serviceaccount:team-b:x:atlantis-x",
      ]);
    },
    () => {
      name = random.pick(["nosuch", "Atlantis-2", "glob_teams"]);
    },
    () => {
      const kube = claims["kubernetes.io"] as Record<string, Value> | undefined;
      const account = kube?.serviceaccount as Record<string, Value> | undefined;
      // The Kubernetes method's ServiceAccount claims, reshaped once (a second change finds them reshaped).
      if (method !== "kubernetes" || kube === undefined || typeof account !== "object" || account === null) return;
      const shape = random.pick(["legacy", "no-serviceaccount", "no-uid", "wrong-types", "none", "not-an-object"]);
      delete claims["kubernetes.io"];
      if (shape === "legacy" || shape === "no-serviceaccount") {
        Object.assign(claims, {
          "kubernetes.io/serviceaccount/service-account.name": account.name,
          ...(shape === "legacy"
            ? {
                "kubernetes.io/serviceaccount/namespace": kube.namespace,
                "kubernetes.io/serviceaccount/secret.name": `${account.name}-token`,
                "kubernetes.io/serviceaccount/service-account.uid": account.uid,
              }
            : { "kubernetes.io": { namespace: kube.namespace } }),
        });
      } else if (shape === "no-uid") {
        claims["kubernetes.io"] = { ...kube, serviceaccount: { name: account.name } };
      } else if (shape === "wrong-types") {
        claims["kubernetes.io"] = random.pick<Value>([
          { ...kube, namespace: 7 },
          { ...kube, serviceaccount: { ...account, name: true } },
          { ...kube, serviceaccount: "x" },
          { ...kube, pod: [1] },
        ]);
      } else if (shape === "not-an-object") {
        claims["kubernetes.io"] = random.pick<Value>(["x", 5, ["a"]]);
      }
    },
  ];
  for (let index = 0; index < changes; index += 1) random.pick(changing)();
  return { method, kind: "own", role: name, alg, signer, claims: withoutUndefined(claims) };
}

function withoutUndefined(claims: Record<string, Value>): Record<string, Value> {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

/**
 * A token from the cluster's TokenRequest API, as kubelet or `kubectl create token` gets one: most
 * of a ServiceAccount and an audience the role binds; some tampered with under the cluster's
 * signature.
 */
async function realCase(random: Random, method: Method, plane: ControlPlane): Promise<Case> {
  const role = random.pick(ROLES);
  const { namespace, name } = identity(random, role, random.chance(0.7));
  const audiences = random.chance(0.6)
    ? role.audience === API_AUDIENCE
      ? undefined
      : [roleAudience(role, method)]
    : random.pick([["vault"], undefined, ["vault", "other"], ["other"], [API_AUDIENCE, "vault"]]);
  const expirationSeconds = random.pick([600, 3600, 7200]);
  const response = await plane.kube(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, "POST", {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { expirationSeconds, ...(audiences ? { audiences } : {}) },
  });
  if (response.status !== 201)
    throw new Error(`TokenRequest ${namespace}/${name}: ${response.status} ${response.body}`);
  const token = response.json<{ status: { token: string } }>().status.token;
  const request = `TokenRequest ${namespace}/${name} audiences ${JSON.stringify(audiences ?? "(the API server's)")} for ${expirationSeconds} s`;
  const spelled = random.chance(0.9) ? spelling(random, role) : "nosuch";
  if (!random.chance(0.15)) {
    return { method, kind: "real", role: spelled, alg: "RS256", signer: "cluster", claims: {}, token, request };
  }
  // Tampered: another namespace, name or audience in the claims, under the cluster's signature.
  const claims = decodeJwt(token).claims as Record<string, Value>;
  const change = random.pick(["namespace", "aud", "sub"]);
  const changed =
    change === "aud"
      ? { ...claims, aud: [roleAudience(role, method)] }
      : change === "sub"
        ? { ...claims, sub: "system:serviceaccount:team-a:atlantis-x" }
        : {
            ...claims,
            "kubernetes.io": { ...(claims["kubernetes.io"] as object), namespace: "team-a" },
            sub: `system:serviceaccount:team-a:${name}`,
          };
  return { method, kind: "tampered", role: spelled, alg: "RS256", signer: "cluster", claims: changed, token, request };
}

// --- Vault's answer, doctor's answer, and what must hold between them

interface Outcome {
  readonly accepted: boolean;
  /** Vault's error text, or "" when it accepted. */
  readonly said: string;
  readonly status: number;
  /** Doctor's first failing check, or undefined when none fails. */
  readonly doctor?: string;
  readonly detail?: string;
  /** Doctor's verdict changed between just before and just after the login. */
  readonly undecided: boolean;
  /** The token is the cluster's as it issued it (a tampered one whose claims came out the same is). */
  readonly genuine: boolean;
}

/**
 * Vault's error texts, mapped to the doctor check that names the same cause. Sources: the JWT
 * method's path_login.go (v0.25.0) and cap v0.11.0 jwt/jwt.go, go-jose v3.0.4; the Kubernetes
 * method's path_login.go (v0.23.1) and mapstructure.
 */
const CAUSES: Record<Method, [RegExp, string[]][]> = {
  jwt: [
    [/^role ".*" could not be found$/, ["role"]],
    [/error verifying token signature/, ["signature"]],
    [/invalid algorithm \(alg\)/, ["algorithm"]],
    [/cannot unmarshal|unmarshal NumericDate|unmarshal to Audience/, ["claims"]],
    [/invalid issuer \(iss\)/, ["issuer"]],
    [/invalid audience \(aud\)|audience claim found in JWT but no audiences bound/, ["audience"]],
    [/token not yet valid|token is expired|issued in the future|no issued at \(iat\)/, ["expiry"]],
    [/claim "sub" (not found|could not be converted|does not match|is missing)/, ["subject"]],
  ],
  kubernetes: [
    [/^invalid role name /, ["role"]],
    [/invalid algorithm \(alg\)/, ["algorithm"]],
    [/cannot unmarshal|unmarshal NumericDate|unmarshal to Audience/, ["claims"]],
    [/invalid issuer \(iss\)/, ["issuer"]],
    [/invalid audience \(aud\)/, ["audience"]],
    [/token not yet valid|token is expired|issued in the future/, ["expiry"]],
    [/error\(s\) decoding/, ["decode"]],
    [/service account name not authorized/, ["serviceaccount"]],
    [/namespace not authorized/, ["namespace"]],
    [/could not parse UID from claims|service account namespace and name must be set/, ["alias"]],
    // go-jose refusing the algorithm, a UID missing at the TokenReview's comparison, or the
    // TokenReview itself (which doctor skips: see the forged-token rule in compare()).
    [/^permission denied$/, ["algorithm", "alias", "tokenreview"]],
  ],
};

function firstFailing(diagnosis: Diagnosis): { name?: string; detail?: string } {
  const failed = diagnosis.checks.find((check) => check.status === "fail");
  return { name: failed?.name, detail: failed?.detail };
}

interface Harness {
  readonly plane: ControlPlane;
  readonly config: Config;
  readonly keys: Keys;
}

async function evaluate(item: Case, harness: Harness): Promise<Outcome> {
  const { plane, config, keys } = harness;
  const made = Date.now() / 1000;
  const jwt = tokenOf(item, keys, made);
  const cluster = config.clusters.find((entry) => entry.name === CLUSTERS[item.method]);
  if (cluster === undefined) throw new Error(`no cluster ${CLUSTERS[item.method]} in the config`);
  const decoded = decodeJwt(jwt);
  const ask = (now: number) => diagnoseLogin({ config, cluster, roleName: item.role, jwt: decoded, now });
  const before = firstFailing(ask(Date.now() / 1000));
  const response = await plane.vault(`/v1/auth/${MOUNTS[item.method]}/login`, {
    body: { role: item.role, jwt },
    token: "",
  });
  const after = firstFailing(ask(Date.now() / 1000));
  let said = "";
  let accepted = false;
  try {
    const body = response.json<{ errors?: string[]; auth?: { client_token?: string } }>();
    accepted = response.status === 200 && typeof body.auth?.client_token === "string";
    said = (body.errors ?? []).join("; ");
  } catch {
    said = response.body;
  }
  return {
    accepted,
    said,
    status: response.status,
    doctor: before.name,
    detail: before.detail,
    undecided: before.name !== after.name,
    genuine: jwt === item.token,
  };
}

/** Why Vault and doctor disagree on a case, or undefined when they agree. */
function compare(item: Case, outcome: Outcome): string | undefined {
  const { accepted, said, doctor } = outcome;
  if (doctor === undefined) {
    // Doctor passes every offline check. The JWT method has nothing left; the Kubernetes method
    // still asks the TokenReview, which accepts the cluster's own tokens and refuses the rest.
    if (item.method === "kubernetes" && !outcome.genuine) {
      return !accepted && said === "permission denied"
        ? undefined
        : `doctor passes every offline check of a token the cluster did not issue, so the TokenReview must refuse it ("permission denied"), but Vault ${accepted ? "accepted it" : `said ${JSON.stringify(said)}`}`;
    }
    return accepted
      ? undefined
      : `doctor says Vault accepts, Vault refused: ${JSON.stringify(said)} (HTTP ${outcome.status})`;
  }
  if (accepted) return `doctor says Vault refuses at "${doctor}", Vault accepted`;
  const cause = CAUSES[item.method].find(([pattern]) => pattern.test(said));
  if (cause === undefined) return `Vault's error names no cause this test knows: ${JSON.stringify(said)}`;
  return cause[1].includes(doctor)
    ? undefined
    : `Vault refused with ${JSON.stringify(said)} (${cause[1].join(" or ")}), doctor's first failing check is "${doctor}"`;
}

// --- shrinking a disagreement to a minimal case

/** Smaller cases than `item`: a claim left out, a value made plainer, the plainest signer, the role as configured. */
function* smaller(item: Case): Generator<Case> {
  const role = ROLES.find((candidate) => candidate.name.toLowerCase() === item.role.toLowerCase());
  if (role && role.name !== item.role) yield { ...item, role: role.name };
  if (item.kind === "real") return;
  if (item.kind === "own" && !(item.alg === "RS256" && item.signer === "rsa")) {
    yield { ...item, alg: "RS256", signer: "rsa" };
  }
  for (const key of Object.keys(item.claims)) {
    const { [key]: _dropped, ...rest } = item.claims;
    yield { ...item, claims: rest };
  }
  for (const [key, value] of Object.entries(item.claims)) {
    const plainer: Value[] = [];
    if (isAt(value) && !Number.isInteger(value.at)) plainer.push(at(Math.round(value.at)));
    if (Array.isArray(value) && value.length > 1) plainer.push([value[0]]);
    if (typeof value === "object" && value !== null && !Array.isArray(value) && !isAt(value)) {
      for (const inner of Object.keys(value)) {
        const { [inner]: _gone, ...fewer } = value as Record<string, Value>;
        plainer.push(fewer);
      }
    }
    for (const simpler of plainer) yield { ...item, claims: { ...item.claims, [key]: simpler } };
  }
}

/** Whether Vault and doctor disagree on the verdict, or only on the cause. */
const kindOf = (outcome: Outcome) => (outcome.accepted === (outcome.doctor === undefined) ? "cause" : "verdict");

/** The smallest case found that disagrees the same way (verdict or cause) as `item`. */
async function shrink(item: Case, harness: Harness, budget = 80): Promise<{ item: Case; outcome: Outcome }> {
  let current = item;
  let outcome = await evaluate(item, harness);
  const kind = kindOf(outcome);
  let progress = true;
  while (progress && budget > 0) {
    progress = false;
    for (const candidate of smaller(current)) {
      if (--budget < 0) break;
      const tried = await evaluate(candidate, harness);
      if (!tried.undecided && compare(candidate, tried) !== undefined && kindOf(tried) === kind) {
        current = candidate;
        outcome = tried;
        progress = true;
        break;
      }
    }
  }
  return { item: current, outcome };
}

/** A case as a reader replays it: dates as now±n, the signer, Vault's and doctor's answers. */
function describe(item: Case, outcome: Outcome): string {
  const dates = JSON.stringify(item.claims, (_key, value) =>
    isAt(value) ? `now${value.at >= 0 ? "+" : ""}${value.at}` : value,
  );
  return [
    `method ${item.method}, mount auth/${MOUNTS[item.method]}, role ${JSON.stringify(item.role)}`,
    item.kind === "own"
      ? `token: alg ${item.alg} signed by ${item.signer}, claims ${dates}`
      : `token: ${item.request}${item.kind === "tampered" ? `, claims replaced by ${dates} under the cluster's signature` : ""}`,
    `Vault: ${outcome.accepted ? "accepted" : `HTTP ${outcome.status} ${JSON.stringify(outcome.said)}`}`,
    `doctor: ${outcome.doctor === undefined ? "every offline check passes" : `FAIL ${outcome.doctor}: ${outcome.detail}`}`,
  ].join("\n       ");
}

// --- setting up the mounts from the config's synthesized Terraform JSON

function configFor(plane: ControlPlane, keys: Keys) {
  const role = (entry: (typeof ROLES)[number], method: Method) => ({
    name: entry.name,
    boundServiceAccountNames: entry.names,
    boundServiceAccountNamespaces: entry.namespaces,
    ...(entry.audience || method === "jwt" ? { audience: entry.audience ?? "vault" } : {}),
    ...(entry.alias && method === "kubernetes" ? { aliasNameSource: entry.alias } : {}),
  });
  return {
    clusters: [
      {
        name: CLUSTERS.kubernetes,
        kubernetes: { host: plane.host, caCertificate: plane.caPem, kubeconfig: { path: plane.kubeconfig } },
        vault: { address: plane.vaultAddr },
        auth: {
          path: MOUNTS.kubernetes,
          reviewer: { mode: "long-lived-token", serviceAccountName: REVIEWER.name, namespace: REVIEWER.namespace },
        },
        roles: ROLES.map((entry) => role(entry, "kubernetes")),
      },
      {
        name: CLUSTERS.jwt,
        kubernetes: {},
        vault: { address: plane.vaultAddr },
        auth: { method: "jwt", path: MOUNTS.jwt, jwt: { issuer: API_AUDIENCE, publicKeys: keys.pinned } },
        roles: ROLES.map((entry) => role(entry, "jwt")),
      },
    ],
  };
}

/**
 * What the vault provider (v5.6.0) sends for the synthesized resources: the attributes as API
 * fields, a JWT role's bound_claims split at commas (resource_jwt_auth_backend_role.go:427-446)
 * and its leeways as 0 (:456-458), the Kubernetes config's reviewer JWT read from the Secret.
 */
async function applySynthesized(ctx: DifferentialContext, file: string, reviewerJwt: string): Promise<void> {
  const { plane } = ctx;
  const outdir = join(ctx.work, "doctor-diff.out");
  const synthesized = synthesize(checkConfigBytes(readFileSync(file), file), { outdir });
  const write = async (path: string, body: Record<string, unknown>) => {
    const response = await plane.vault(`/v1/${path}`, { body });
    if (response.status >= 300) throw new Error(`writing ${path}: ${response.status} ${response.body}`);
  };
  const plain = (resource: Record<string, unknown>, skip: string[]) =>
    Object.fromEntries(
      Object.entries(resource).filter(
        ([key, value]) =>
          !skip.includes(key) && !(typeof value === "string" && value.includes("${")) && !key.startsWith("//"),
      ),
    );
  for (const stack of synthesized.stacks) {
    const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
    };
    const all = (type: string) => Object.values(json.resource[type] ?? {});
    for (const mount of [...all("vault_auth_backend"), ...all("vault_jwt_auth_backend")]) {
      const type = mount.type ?? "jwt";
      await write(`sys/auth/${mount.path}`, { type });
      if (type === "jwt") {
        await write(`auth/${mount.path}/config`, plain(mount, ["path", "type", "disable_remount", "lifecycle"]));
      }
    }
    for (const config of all("vault_kubernetes_auth_backend_config")) {
      await write(`auth/${MOUNTS.kubernetes}/config`, {
        ...plain(config, ["backend"]),
        token_reviewer_jwt: reviewerJwt,
      });
    }
    for (const role of all("vault_kubernetes_auth_backend_role")) {
      await write(`auth/${MOUNTS.kubernetes}/role/${role.role_name}`, plain(role, ["backend", "role_name"]));
    }
    for (const role of all("vault_jwt_auth_backend_role")) {
      const boundClaims = Object.fromEntries(
        Object.entries((role.bound_claims ?? {}) as Record<string, string>).map(([claim, values]) => [
          claim,
          values.split(",").map((value) => value.trim()),
        ]),
      );
      await write(`auth/${MOUNTS.jwt}/role/${role.role_name}`, {
        ...plain(role, ["backend", "role_name", "bound_claims"]),
        bound_claims: boundClaims,
        clock_skew_leeway: 0,
        expiration_leeway: 0,
        not_before_leeway: 0,
      });
    }
  }
}

/** Namespaces, ServiceAccounts, and a reviewer allowed to create TokenReviews. */
async function prepareCluster(plane: ControlPlane): Promise<string> {
  const create = async (path: string, body: unknown) => {
    const response = await plane.kube(path, "POST", body);
    if (response.status !== 201 && response.status !== 409) {
      throw new Error(`creating ${path}: ${response.status} ${response.body}`);
    }
  };
  for (const namespace of [...NAMESPACES, REVIEWER.namespace]) {
    await create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  }
  for (const namespace of NAMESPACES) {
    for (const name of ACCOUNTS) {
      await create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { metadata: { name } });
    }
  }
  await create(`/api/v1/namespaces/${REVIEWER.namespace}/serviceaccounts`, { metadata: { name: REVIEWER.name } });
  await create("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
    metadata: { name: "doctor-diff-reviewer" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
    subjects: [{ kind: "ServiceAccount", name: REVIEWER.name, namespace: REVIEWER.namespace }],
  });
  const token = await plane.kube(
    `/api/v1/namespaces/${REVIEWER.namespace}/serviceaccounts/${REVIEWER.name}/token`,
    "POST",
    {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 86400 },
    },
  );
  if (token.status !== 201) throw new Error(`reviewer token: ${token.status} ${token.body}`);
  return token.json<{ status: { token: string } }>().status.token;
}

/** A Secret-based (legacy) token of atlantis/default, once the token controller fills it. */
async function legacyToken(plane: ControlPlane): Promise<string | undefined> {
  await plane.kube("/api/v1/namespaces/atlantis/secrets", "POST", {
    metadata: { name: "doctor-diff-legacy", annotations: { "kubernetes.io/service-account.name": "default" } },
    type: "kubernetes.io/service-account-token",
  });
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const secret = (await plane.kube("/api/v1/namespaces/atlantis/secrets/doctor-diff-legacy")).json<{
      data?: { token?: string };
    }>();
    if (secret.data?.token) return Buffer.from(secret.data.token, "base64").toString("utf8");
    await sleep(250);
  }
  return undefined;
}

// --- the run

export async function runDifferentialDoctor(ctx: DifferentialContext): Promise<{ passed: number; failed: number }> {
  const checks = new Checks();
  const { plane, progress } = ctx;
  const seed = Number(process.env.E2E_DOCTOR_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const perMethod = Math.max(1, Number(process.env.E2E_DOCTOR_CASES ?? 320));
  const random = new Random(seed);
  progress(`doctor differential: seed ${seed} (E2E_DOCTOR_SEED=${seed} replays it), ${perMethod} JWTs per method`);
  const started = Date.now();

  const keys = makeKeys(plane, ctx.work);
  const reviewerJwt = await prepareCluster(plane);
  const file = join(ctx.work, "doctor-diff.json");
  writeFileSync(file, `${JSON.stringify(configFor(plane, keys), null, 2)}\n`);
  const ready = await checks.run(
    "doctor differential: Vault takes the mounts and roles synthesized from the config doctor reads",
    async () => {
      await applySynthesized(ctx, file, reviewerJwt);
      return undefined;
    },
  );
  if (!ready) return { passed: checks.passed, failed: checks.failed };
  const harness: Harness = { plane, keys, config: checkConfigBytes(readFileSync(file), file).config };
  const legacy = await legacyToken(plane);

  for (const method of ["jwt", "kubernetes"] as const) {
    const realShare = method === "kubernetes" ? 0.4 : 0.15;
    const counts = new Map<string, number>();
    const disagreements: { item: Case; outcome: Outcome; why: string }[] = [];
    let undecided = 0;
    let accepted = 0;
    let total = 0;
    const cases: Case[] = [];
    for (let index = 0; index < perMethod; index += 1) {
      cases.push(random.chance(realShare) ? await realCase(random, method, plane) : ownCase(random, method));
    }
    if (legacy) {
      for (const role of ["runner.2", "atlantis"]) {
        cases.push({
          method,
          kind: "real",
          role,
          alg: "RS256",
          signer: "cluster",
          claims: {},
          token: legacy,
          request: "the Secret-based token of atlantis/default",
        });
      }
    }
    for (const item of cases) {
      const outcome = await evaluate(item, harness);
      total += 1;
      if (outcome.undecided) {
        undecided += 1;
        continue;
      }
      if (outcome.accepted) accepted += 1;
      const cause =
        outcome.doctor ??
        (outcome.accepted ? "accepted" : method === "kubernetes" ? "tokenreview" : "no check of doctor");
      counts.set(cause, (counts.get(cause) ?? 0) + 1);
      const why = compare(item, outcome);
      if (why !== undefined) disagreements.push({ item, outcome, why });
    }
    const refusals = [...counts.entries()].filter(([cause]) => cause !== "accepted");
    const breakdown = refusals.map(([cause, count]) => `${cause} ${count}`).join(", ");
    const name = `doctor agrees with Vault on ${total} JWTs of the ${method} method at auth/${MOUNTS[method]} (seed ${seed}): ${accepted} accepted; refused at ${breakdown}${undecided ? `; ${undecided} undecided (a date within the request's latency of a limit)` : ""}`;
    let minimal: { item: Case; outcome: Outcome } | undefined;
    if (disagreements.length > 0) {
      progress(
        `doctor differential: ${disagreements.length} disagreements on the ${method} method; shrinking the first`,
      );
      minimal = await shrink(disagreements[0].item, harness);
    }
    await checks.run(name, () => {
      if (disagreements.length === 0) return undefined;
      const verdicts = disagreements.filter((found) => kindOf(found.outcome) === "verdict").length;
      return `${disagreements.length} disagreements (${verdicts} accept/refuse, ${disagreements.length - verdicts} on the cause); first: ${disagreements[0].why}`;
    });
    if (minimal) {
      process.stdout.write(
        `     minimal case (E2E_DOCTOR_SEED=${seed}): ${compare(minimal.item, minimal.outcome) ?? "(agrees once shrunk?)"}\n`,
      );
      process.stdout.write(`       ${describe(minimal.item, minimal.outcome)}\n`);
    }
  }

  // The CLI reads the same file and gives the same first failing check as the function above.
  await checks.run("doctor differential: the CLI's verdicts are the in-process ones", () => {
    const samples: Case[] = [
      ownCase(new Random(seed + 1), "jwt"),
      {
        method: "kubernetes",
        kind: "own",
        role: "GLOB_TEAM",
        alg: "RS256",
        signer: "rsa",
        claims: { sub: "x", aud: "vault", exp: at(120) },
      },
    ];
    for (const item of samples) {
      const jwt = tokenOf(item, keys, Date.now() / 1000);
      const tokenFile = join(ctx.work, "doctor-diff-sample.jwt");
      writeFileSync(tokenFile, jwt, { mode: 0o600 });
      const run = spawnSync(
        process.execPath,
        [
          join(ctx.root, "bin", "vault-k8s-auth.js"),
          "doctor",
          "--config",
          file,
          "--cluster",
          CLUSTERS[item.method],
          "--role",
          item.role,
          "--jwt",
          tokenFile,
          "--json",
        ],
        { encoding: "utf8" },
      );
      const cli = firstFailing(JSON.parse(run.stdout) as Diagnosis).name;
      const cluster = harness.config.clusters.find((entry) => entry.name === CLUSTERS[item.method]);
      if (cluster === undefined) return "no cluster";
      const own = firstFailing(
        diagnoseLogin({
          config: harness.config,
          cluster,
          roleName: item.role,
          jwt: decodeJwt(jwt),
          now: Date.now() / 1000,
        }),
      ).name;
      if (cli !== own) return `CLI: ${cli}, in process: ${own}`;
    }
    return undefined;
  });
  progress(`doctor differential: done in ${Math.round((Date.now() - started) / 1000)} s`);
  return { passed: checks.passed, failed: checks.failed };
}
