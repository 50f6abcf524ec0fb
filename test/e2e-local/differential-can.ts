/**
 * `vault-k8s-auth can` against the real Vault, on generated cases (issue 19): random policy sets
 * (globs, `+` segments, deny, trailing slashes, a leading "/", sudo, root-protected system paths,
 * the default policy on or off, several policies on one pattern) and paths. For each case the
 * policies are written to the local Vault, a token of them is had by a real role login (a JWT
 * auth mount of this test's own, so the token carries its policies exactly as a role's token
 * does: tokenPolicies, plus default unless tokenNoDefaultPolicy), and then:
 *
 * - `can`'s capabilities must equal what `sys/capabilities` answers for that token;
 * - for requests that are safe to send to this Vault (reads, lists and writes of a KV v1 mount of
 *   this test's own, and system paths such as sys/auth/<x> that a body-less or nonexistent-target
 *   request leaves unchanged), `can --operation` must predict exactly which ones Vault refuses
 *   with 403: the request is sent with the token.
 *
 * `can` is evaluated in-process (src/answers/acl/can.ts, from a config parsed as a user's is);
 * a few cases also go through the real CLI. Seeded: the seed is printed, E2E_CAN_SEED replays it
 * and E2E_CAN_CASES sets the number of cases (300). A disagreement is shrunk against Vault to a
 * minimal case, which is printed.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import type { Operation } from "../../src/answers/acl/acl";
import { can } from "../../src/answers/acl/can";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { parseConfig } from "../../src/config/load";
import type { ConfigInput } from "../../src/config/schema";
import type { ControlPlane } from "./control-plane";
import { Checks } from "./scenarios";

export interface DifferentialContext {
  readonly root: string;
  readonly work: string;
  readonly plane: ControlPlane;
  readonly progress: (line: string) => void;
}

/** The KV v1 mount requests are performed on; version 1 has an existence check, so create and update differ. */
const KV = "dcan-kv";
/** The JWT mount whose role logins give this test its tokens. */
const JWT = "dcan-jwt";
const AUDIENCE = "dcan";
const CAPABILITIES = ["create", "read", "update", "patch", "delete", "list", "sudo", "subscribe"] as const;
type Capability = (typeof CAPABILITIES)[number] | "deny";

interface Rule {
  readonly path: string;
  readonly capabilities: readonly Capability[];
}
interface Policy {
  readonly rules: readonly Rule[];
}
interface Request {
  readonly path: string;
  readonly operation: Operation;
}
/** One policy set and the questions asked of a token of it. */
interface Case {
  readonly policies: readonly Policy[];
  readonly noDefault: boolean;
  /** "default" listed in tokenPolicies as well (it stays even with noDefault: policyutil.go:51-77). */
  readonly explicitDefault: boolean;
  readonly paths: readonly string[];
  readonly requests: readonly Request[];
  /** Set on a "minimal" case when the disagreement did not come back with the case run alone. */
  readonly unreproduced?: boolean;
}

// ---------------------------------------------------------------- generation

/** mulberry32: a small seeded PRNG, so a seed replays a run exactly. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(private readonly random: () => number) {}
  chance(p: number): boolean {
    return this.random() < p;
  }
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

const KV_SEGMENTS = ["a", "ab", "b", "e1", "n1"];
/** System and token-store paths: root-protected ones and their neighbours (router.go:868-903 decides). */
const SYSTEM_PATHS = [
  "sys/auth",
  "sys/auth/dt-a",
  "sys/auth/dt-b",
  "sys/auth/dt-a/tune",
  "sys/audit",
  "sys/audit/dt-a",
  "sys/auditing",
  "sys/remount",
  "sys/rotate",
  "sys/leases",
  "sys/leases/lookup",
  "sys/leases/lookup/dt-a",
  "sys/leases/revoke-prefix/dt-a",
  "sys/leases/revoke-force/dt-a",
  "sys/leases/renew",
  "sys/mounts/dt-a",
  "sys/config/cors",
  "sys/config/auditing/request-headers/dt-a",
  "sys/raw/dt-a",
  "sys/plugins/catalog/auth/dt-a",
  "sys/seal",
  "sys/step-down",
  "sys/policies/acl/dt-a",
  "sys/capabilities-self",
  "sys/tools/hash",
  "sys/internal/ui/resultant-acl",
  "auth/token/accessors",
  "auth/token/revoke-orphan",
  "auth/token/lookup-self",
  "auth/token/renew-self",
  "auth/token/create",
  "auth/token/roles/dt-a",
  "cubbyhole/a",
  "cubbyhole/a/b",
  "identity/oidc/provider/dt-a/authorize",
];

/** A concrete request path: under the KV mount, or a system path; sometimes with a trailing "/". */
function concretePath(g: Gen): string {
  let path: string;
  if (g.chance(0.5)) {
    const depth = 1 + g.int(3);
    path = [KV, ...Array.from({ length: depth }, () => g.pick(KV_SEGMENTS))].join("/");
  } else {
    path = g.pick(SYSTEM_PATHS);
  }
  return g.chance(0.15) ? `${path}/` : path;
}

/**
 * A policy path near a concrete one (often one the case asks about, so rules and questions
 * meet): a segment made "+", a glob cut anywhere, "/" at either end.
 */
function policyPath(g: Gen, near: readonly string[]): string {
  if (g.chance(0.04)) return g.pick(["*", "+/*", "sys/*", `${KV}/*`, "+/+", "auth/+/accessors"]);
  const base = near.length > 0 && g.chance(0.6) ? g.pick(near).replace(/^\//, "") : concretePath(g);
  const segments = base.replace(/\/$/, "").split("/");
  if (g.chance(0.3)) segments[g.int(segments.length)] = "+";
  let path = segments.join("/");
  if (g.chance(0.35)) {
    // A glob after any character but a "+" (Vault refuses "+*", policy.go:423-425).
    let cut = 1 + g.int(path.length);
    while (cut > 0 && path[cut - 1] === "+") cut -= 1;
    path = cut === 0 ? "*" : `${path.slice(0, cut)}*`;
  } else if (g.chance(0.15)) {
    path = `${path}/`;
  }
  if (g.chance(0.08)) path = `/${path}`;
  return path;
}

/** Random capabilities; often the operations the case performs, and sudo often, so root paths are granted it as often as not. */
function capabilities(g: Gen, operations: readonly Operation[]): Capability[] {
  if (g.chance(0.12)) return ["deny"];
  const chosen = new Set<Capability>();
  const count = 1 + g.int(3);
  while (chosen.size < count) {
    chosen.add(g.pick(CAPABILITIES.filter((c) => c !== "subscribe" || g.chance(0.2))));
  }
  for (const operation of operations) if (g.chance(0.4)) chosen.add(operation);
  if (g.chance(0.4)) chosen.add("sudo");
  if (g.chance(0.03)) chosen.add("deny");
  return [...chosen];
}

function generateCase(g: Gen): Case {
  const paths = new Set<string>();
  while (paths.size < 12) {
    const path = concretePath(g);
    paths.add(g.chance(0.05) ? `/${path}` : path);
  }
  const requests: Request[] = [];
  for (let attempt = 0; requests.length < 4 && attempt < 40; attempt += 1) {
    const request = { path: concretePath(g), operation: g.pick(OPERATION_LIST) };
    if (performable(request)) requests.push(request);
  }
  const near = [...paths, ...requests.map((request) => request.path)];
  const operations = [...new Set(requests.map((request) => request.operation))];
  const policies: Policy[] = [];
  const count = 1 + g.int(3);
  for (let index = 0; index < count; index += 1) {
    const rules: Rule[] = [];
    const size = 1 + g.int(5);
    for (let r = 0; r < size; r += 1) {
      // Several policies on one pattern: reuse a path another policy (or this one) wrote.
      const known = policies.flatMap((policy) => policy.rules.map((rule) => rule.path));
      const path = known.length > 0 && g.chance(0.3) ? g.pick(known) : policyPath(g, near);
      if (rules.some((rule) => rule.path === path)) continue;
      rules.push({ path, capabilities: capabilities(g, operations) });
    }
    policies.push({ rules });
  }
  return { policies, noDefault: g.chance(0.2), explicitDefault: g.chance(0.1), paths: [...paths], requests };
}

const OPERATION_LIST: readonly Operation[] = ["read", "list", "create", "update", "patch", "delete"];

/**
 * Requests that leave this Vault as it was whether they pass the ACL or not: the KV mount's own
 * keys (the test sets each key's existence first), lookups and lists, and system writes that
 * carry no body or name nothing that exists (sys/auth/dt-a is never mounted). Never sys/seal,
 * sys/step-down, sys/rotate, token revocation or creation. Without an existence check Vault
 * treats every write as update (request_handling.go:385-399), so create is sent only to the KV mount.
 */
function performable({ path, operation }: Request): boolean {
  // A write to a KV path ending in "/" is refused before the ACL (request_handling.go:707-722): safe.
  if (path.startsWith(`${KV}/`)) return true;
  const bare = path.replace(/\/$/, "");
  const allowed: Record<string, readonly Operation[]> = {
    "sys/auth": ["read", "list"],
    "sys/auth/dt-a": ["read", "list", "update", "delete"],
    "sys/auth/dt-b": ["read", "update", "delete"],
    "sys/auth/dt-a/tune": ["read", "update"],
    "sys/audit": ["read", "list"],
    "sys/audit/dt-a": ["read", "list", "update", "delete"],
    "sys/auditing": ["read"],
    "sys/remount": ["read", "update"],
    "sys/leases": ["read", "list", "update"],
    "sys/leases/lookup": ["read", "list", "update"],
    "sys/leases/lookup/dt-a": ["read", "list"],
    "sys/leases/revoke-prefix/dt-a": ["update"],
    "sys/leases/revoke-force/dt-a": ["update"],
    "sys/mounts/dt-a": ["read", "update", "delete"],
    "sys/config/cors": ["read"],
    "sys/config/auditing/request-headers/dt-a": ["read", "list"],
    "sys/raw/dt-a": ["read", "list"],
    "sys/plugins/catalog/auth/dt-a": ["read"],
    "sys/policies/acl/dt-a": ["read", "list"],
    "sys/capabilities-self": ["update"],
    "sys/tools/hash": ["update"],
    "auth/token/accessors": ["read", "list"],
    "auth/token/revoke-orphan": ["update"],
    "auth/token/lookup-self": ["read"],
    "auth/token/roles/dt-a": ["read", "list"],
    "cubbyhole/a": ["read", "list", "delete"],
    "identity/oidc/provider/dt-a/authorize": ["read"],
  };
  return allowed[bare]?.includes(operation) ?? false;
}

// ---------------------------------------------------------------- Vault

interface Answer {
  readonly status: number;
  readonly body: string;
}

class VaultClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });
  constructor(
    private readonly plane: ControlPlane,
    private readonly rootToken: string,
  ) {}

  call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; contentType?: string } = {},
  ): Promise<Answer> {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.plane.vaultAddr}/v1/${path}`,
        {
          method,
          agent: this.agent,
          ca: this.plane.caPem,
          headers: {
            "X-Vault-Token": options.token ?? this.rootToken,
            ...(body === undefined ? {} : { "Content-Type": options.contentType ?? "application/json" }),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        },
      );
      req.on("timeout", () => req.destroy(new Error(`timeout: ${method} ${path}`)));
      req.on("error", reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  async expect(method: string, path: string, ok: number[], body?: unknown): Promise<Answer> {
    const answer = await this.call(method, path, { body });
    if (!ok.includes(answer.status)) {
      throw new Error(`${method} ${path} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    }
    return answer;
  }

  close(): void {
    this.agent.destroy();
  }
}

function hcl(policy: Policy): string {
  return policy.rules
    .map((rule) => `path ${JSON.stringify(rule.path)} {\n  capabilities = ${JSON.stringify(rule.capabilities)}\n}\n`)
    .join("");
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString("base64url");
}

/** Writes the case's policies and a role of them, logs in, and returns the token. */
async function tokenFor(vault: VaultClient, key: KeyObject, name: string, testCase: Case): Promise<string> {
  const names = testCase.policies.map((_, index) => `${name}-${index}`);
  await Promise.all(
    testCase.policies.map(async (policy, index) => {
      const answer = await vault.call("PUT", `sys/policies/acl/${names[index]}`, { body: { policy: hcl(policy) } });
      if (answer.status !== 204) throw new Refused(`Vault refused policy ${hcl(policy)}: ${answer.body}`);
    }),
  );
  await vault.expect("POST", `auth/${JWT}/role/${name}`, [200, 204], {
    role_type: "jwt",
    user_claim: "sub",
    bound_audiences: [AUDIENCE],
    token_policies: [...names, ...(testCase.explicitDefault ? ["default"] : [])],
    token_no_default_policy: testCase.noDefault,
    token_ttl: "15m",
  });
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${base64url(
    JSON.stringify({ iss: AUDIENCE, sub: "dcan", aud: AUDIENCE, iat: now, nbf: now - 5, exp: now + 900 }),
  )}`;
  const jwt = `${unsigned}.${base64url(sign("sha256", Buffer.from(unsigned), key))}`;
  const login = await vault.call("POST", `auth/${JWT}/login`, { body: { role: name, jwt }, token: "" });
  if (login.status !== 200) throw new Error(`login as ${name}: ${login.status} ${login.body.slice(0, 300)}`);
  return (JSON.parse(login.body) as { auth: { client_token: string } }).auth.client_token;
}

class Refused extends Error {}

/** Sends a request with the token; the KV key's existence is set first so create and update mean what they say. */
async function perform(vault: VaultClient, token: string, request: Request): Promise<Answer> {
  // Cases run side by side: another case's create (which deletes the key first) or delete must
  // not fall between this one's setting of a key's existence and its request.
  const key = request.path.replace(/\/$/, "");
  const before = keyLocks.get(key) ?? Promise.resolve();
  const done = before.then(() => send(vault, token, request));
  keyLocks.set(
    key,
    done.then(
      () => undefined,
      () => undefined,
    ),
  );
  return done;
}

const keyLocks = new Map<string, Promise<void>>();

async function send(vault: VaultClient, token: string, { path, operation }: Request): Promise<Answer> {
  const kv = path.startsWith(`${KV}/`) && !path.endsWith("/");
  if (kv && operation === "create") await vault.expect("DELETE", path, [204]);
  if (kv && operation === "update") await vault.expect("POST", path, [200, 204], { v: "seed" });
  switch (operation) {
    case "read":
      return vault.call("GET", path, { token });
    case "list":
      return vault.call("LIST", path, { token });
    case "delete":
      return vault.call("DELETE", path, { token });
    case "patch":
      return vault.call("PATCH", path, { token, body: { v: "patched" }, contentType: "application/merge-patch+json" });
    default:
      return vault.call("POST", path, { token, body: kv ? { v: "written" } : {} });
  }
}

// ---------------------------------------------------------------- comparison

const SEED_CLUSTER = DEFAULT_CONFIG.clusters[0];

/** The case as a user's config: one policy per set, one role "r" with them; parsed as the CLI parses it. */
function configOf(testCase: Case): ConfigInput {
  return {
    clusters: [
      {
        ...SEED_CLUSTER,
        policies: testCase.policies.map((policy, index) => ({
          name: `p${index}`,
          rules: policy.rules.map((rule) => ({ path: rule.path, capabilities: [...rule.capabilities] })),
        })),
        roles: [
          {
            ...SEED_CLUSTER.roles[0],
            name: "r",
            tokenPolicies: [
              ...testCase.policies.map((_, index) => `p${index}`),
              ...(testCase.explicitDefault ? ["default"] : []),
            ],
            tokenNoDefaultPolicy: testCase.noDefault,
          },
        ],
      },
    ],
  };
}

/** What became of a request: refused by the ACL (403), refused before it (400 for a write to "x/"), or past the ACL. */
type Outcome = "acl-denied" | "refused-before-acl" | "passed";

function outcomeOf(answer: Answer): Outcome {
  if (answer.status === 403) return "acl-denied";
  if (answer.status === 400 && answer.body.includes("cannot write to a path ending in '/'"))
    return "refused-before-acl";
  return "passed";
}

interface Ours {
  capabilities(path: string): string[];
  outcome(request: Request): Outcome;
}

function evaluate(testCase: Case): Ours {
  const cluster = parseConfig(configOf(testCase), "differential").clusters[0];
  return {
    capabilities: (path) => [...can({ cluster, roleName: "r", path }).capabilities].sort(),
    outcome: (request) => {
      const answer = can({ cluster, roleName: "r", ...request });
      if (answer.refusedBeforeAcl !== null) return "refused-before-acl";
      return answer.allowed ? "passed" : "acl-denied";
    },
  };
}

interface Disagreement {
  readonly kind: "capabilities" | "operation" | "policy";
  readonly question: string;
  readonly vault: string;
  readonly ours: string;
}

/** Every disagreement of one case, or only those about `only` (a path, or a request) when shrinking. */
async function compare(
  vault: VaultClient,
  key: KeyObject,
  name: string,
  testCase: Case,
  only?: { path?: string; request?: Request },
  stats?: Record<Outcome, number>,
): Promise<Disagreement[]> {
  let token: string;
  try {
    token = await tokenFor(vault, key, name, testCase);
  } catch (error) {
    if (error instanceof Refused)
      return [{ kind: "policy", question: "write", vault: error.message, ours: "accepted" }];
    throw error;
  }
  let ours: Ours;
  try {
    ours = evaluate(testCase);
  } catch (error) {
    return [{ kind: "policy", question: "config", vault: "accepted", ours: (error as Error).message }];
  }
  const found: Disagreement[] = [];
  const paths = only ? (only.path ? [only.path] : []) : testCase.paths;
  if (paths.length > 0) {
    const answer = await vault.call("POST", "sys/capabilities", { body: { token, paths } });
    if (answer.status !== 200) throw new Error(`sys/capabilities: ${answer.status} ${answer.body.slice(0, 300)}`);
    const data = (JSON.parse(answer.body) as { data: Record<string, string[]> }).data;
    for (const path of paths) {
      const theirs = [...(data[path] ?? [])].sort().join(",");
      const mine = ours.capabilities(path).join(",");
      if (theirs !== mine) found.push({ kind: "capabilities", question: path, vault: theirs, ours: mine });
    }
  }
  const requests = only ? (only.request ? [only.request] : []) : testCase.requests;
  for (const request of requests) {
    const answer = await perform(vault, token, request);
    const outcome = outcomeOf(answer);
    if (stats) stats[outcome] += 1;
    const predicted = ours.outcome(request);
    if (outcome !== predicted) {
      found.push({
        kind: "operation",
        question: `${request.operation} ${request.path}`,
        vault: `${answer.status} ${answer.body.trim().slice(0, 120)}`,
        ours: predicted,
      });
    }
  }
  return found;
}

/** Smaller versions of a case: a policy, rule or capability less, a path's "/" or "*" dropped, the default policy off. */
function* smaller(testCase: Case): Generator<Case> {
  const { policies } = testCase;
  const withPolicies = (next: Policy[]): Case => ({ ...testCase, policies: next });
  if (!testCase.noDefault) yield { ...testCase, noDefault: true, explicitDefault: false };
  if (testCase.explicitDefault) yield { ...testCase, explicitDefault: false };
  for (let p = 0; p < policies.length; p += 1) {
    if (policies.length > 1) yield withPolicies(policies.filter((_, index) => index !== p));
    const rules = policies[p].rules;
    const replaceRules = (next: Rule[]) =>
      withPolicies(policies.map((policy, index) => (index === p ? { rules: next } : policy)));
    for (let r = 0; r < rules.length; r += 1) {
      if (rules.length > 1) yield replaceRules(rules.filter((_, index) => index !== r));
      const rule = rules[r];
      const replaceRule = (next: Rule) => replaceRules(rules.map((old, index) => (index === r ? next : old)));
      if (rule.capabilities.length > 1) {
        for (const capability of rule.capabilities) {
          yield replaceRule({ ...rule, capabilities: rule.capabilities.filter((c) => c !== capability) });
        }
      }
      if (rule.path.startsWith("/")) yield replaceRule({ ...rule, path: rule.path.slice(1) });
    }
  }
}

/** Greedy shrinking against Vault: keep any smaller case that still disagrees on the same question. */
async function shrink(
  vault: VaultClient,
  key: KeyObject,
  testCase: Case,
  disagreement: Disagreement,
  budget: { left: number },
): Promise<Case> {
  const only =
    disagreement.kind === "capabilities"
      ? { path: disagreement.question }
      : disagreement.kind === "operation"
        ? { request: testCase.requests.find((r) => `${r.operation} ${r.path}` === disagreement.question) }
        : {};
  // A disagreement that does not come back when the case runs alone is reported as such.
  if (!(await compare(vault, key, "dcan-replay", testCase, only)).some((d) => d.kind === disagreement.kind)) {
    return { ...testCase, paths: [], requests: [], unreproduced: true };
  }
  let current = testCase;
  let improved = true;
  while (improved && budget.left > 0) {
    improved = false;
    for (const candidate of smaller(current)) {
      if (budget.left <= 0) break;
      budget.left -= 1;
      const found = await compare(vault, key, `dcan-s${budget.left}`, candidate, only);
      if (found.some((d) => d.kind === disagreement.kind)) {
        current = candidate;
        improved = true;
        break;
      }
    }
  }
  const question = only.path ? [only.path] : [];
  const request = only.request ? [only.request] : [];
  return { ...current, paths: question, requests: request };
}

function describe(testCase: Case): string {
  const policies = testCase.policies
    .map(
      (policy, index) =>
        `p${index}: ${policy.rules.map((r) => `${JSON.stringify(r.path)} [${r.capabilities}]`).join("; ")}`,
    )
    .join(" | ");
  const defaults = testCase.noDefault
    ? testCase.explicitDefault
      ? "default listed, noDefault"
      : "no default"
    : "default";
  return `${policies} | ${defaults}`;
}

// ---------------------------------------------------------------- the checks

async function pool<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        await work(items[index], index);
      }
    }),
  );
}

export async function runCanDifferential(ctx: DifferentialContext): Promise<{ passed: number; failed: number }> {
  const checks = new Checks();
  const seed = process.env.E2E_CAN_SEED ? Number(process.env.E2E_CAN_SEED) : Math.floor(Math.random() * 2 ** 31);
  const count = Number(process.env.E2E_CAN_CASES ?? 300);
  const tag = `seed ${seed}, E2E_CAN_SEED replays it`;
  ctx.progress(`can differential: ${count} cases, ${tag}`);
  const vault = new VaultClient(ctx.plane, ctx.plane.vaultToken);
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  try {
    await vault.expect("POST", `sys/mounts/${KV}`, [204], { type: "kv", options: { version: "1" } });
    await vault.expect("POST", `sys/auth/${JWT}`, [204], { type: "jwt" });
    await vault.expect("POST", `auth/${JWT}/config`, [204], {
      bound_issuer: AUDIENCE,
      jwt_validation_pubkeys: [publicKey.export({ type: "spki", format: "pem" })],
    });

    await rootPathExample(ctx, checks, vault, privateKey);

    const g = new Gen(prng(seed));
    const cases = Array.from({ length: count }, () => generateCase(g));
    const failures: { index: number; found: Disagreement[] }[] = [];
    const started = Date.now();
    let questions = 0;
    let requests = 0;
    const stats: Record<Outcome, number> = { "acl-denied": 0, "refused-before-acl": 0, passed: 0 };
    await pool(cases, 6, async (testCase, index) => {
      const found = await compare(vault, privateKey, `dcan-${index}`, testCase, undefined, stats);
      questions += testCase.paths.length;
      requests += testCase.requests.length;
      if (found.length > 0) failures.push({ index, found });
    });
    // How many performed requests Vault refused: a differential where every request passes proves little.
    ctx.progress(
      `can differential: ${count} policy sets, ${questions} capability questions, ${requests} requests performed ` +
        `(${stats.passed} passed the ACL, ${stats["acl-denied"]} refused by it, ${stats["refused-before-acl"]} before it) in ${Math.round((Date.now() - started) / 1000)} s`,
    );

    const report = async (kind: Disagreement["kind"][]): Promise<string | undefined> => {
      const relevant = failures
        .map(({ index, found }) => ({ index, found: found.filter((d) => kind.includes(d.kind)) }))
        .filter(({ found }) => found.length > 0);
      if (relevant.length === 0) return undefined;
      const total = relevant.reduce((sum, { found }) => sum + found.length, 0);
      const first = relevant[0];
      const minimal = await shrink(vault, privateKey, cases[first.index], first.found[0], { left: 150 });
      const again = minimal.unreproduced ? [] : await compare(vault, privateKey, "dcan-min", minimal);
      const shown = again[0] ?? first.found[0];
      const text =
        `${total} disagreements in ${relevant.length} of ${count} cases (${tag}); ` +
        `${minimal.unreproduced ? "NOT reproduced when the case ran alone (a race in this test?); case" : "minimal case"}: ` +
        `${describe(minimal.unreproduced ? cases[first.index] : minimal)}; ` +
        `${shown.kind} ${shown.question}: Vault ${shown.vault}, can ${shown.ours}`;
      ctx.progress(`can differential: ${text}`);
      return text;
    };
    await checks.run(`can differential (${tag}): ${count} policy sets, capabilities equal sys/capabilities`, () =>
      report(["capabilities", "policy"]),
    );
    await checks.run(
      `can differential (${tag}): --operation predicts which of ${requests} requests performed with the token Vault refuses`,
      () => report(["operation"]),
    );
    await throughCli(ctx, checks, vault, privateKey, cases.slice(0, 4), tag);
  } finally {
    vault.close();
  }
  return { passed: checks.passed, failed: checks.failed };
}

/**
 * The case issue 19 names: [create, read, update, delete] on sys/auth/* and no sudo. Vault
 * refuses an update of sys/auth/<x> with 403 (the root path wants sudo), and `can` says so; with
 * sudo the same request passes the ACL (and fails on its empty body).
 */
async function rootPathExample(ctx: DifferentialContext, checks: Checks, vault: VaultClient, key: KeyObject) {
  const withoutSudo: Case = {
    policies: [{ rules: [{ path: "sys/auth/*", capabilities: ["create", "read", "update", "delete"] }] }],
    noDefault: false,
    explicitDefault: false,
    paths: [],
    requests: [],
  };
  const withSudo: Case = {
    ...withoutSudo,
    policies: [{ rules: [{ path: "sys/auth/*", capabilities: ["create", "read", "update", "delete", "sudo"] }] }],
  };
  await checks.run(
    "a request on a root path without sudo (update sys/auth/dt-a with [create, read, update, delete]) is refused by Vault, and can predicted it",
    async () => {
      const token = await tokenFor(vault, key, "dcan-root", withoutSudo);
      const refused = await vault.call("POST", "sys/auth/dt-a", { token, body: {} });
      if (refused.status !== 403) return `Vault answered ${refused.status}, not 403: ${refused.body}`;
      const file = writeCase(ctx, "root-path.json", withoutSudo);
      const cli = runCli(ctx, file, "sys/auth/dt-a", "update");
      if (cli.status !== 1 || !cli.stdout.includes("Vault also requires sudo for update, which the rule lacks")) {
        return `can exited ${cli.status}: ${cli.stdout}${cli.stderr}`;
      }
      const sudoToken = await tokenFor(vault, key, "dcan-root-sudo", withSudo);
      const passed = await vault.call("POST", "sys/auth/dt-a", { token: sudoToken, body: {} });
      if (passed.status === 403) return `with sudo Vault still answered 403: ${passed.body}`;
      const allowed = runCli(ctx, writeCase(ctx, "root-path-sudo.json", withSudo), "sys/auth/dt-a", "update");
      return allowed.status === 0 ? undefined : `with sudo can exited ${allowed.status}: ${allowed.stdout}`;
    },
  );
}

function writeCase(ctx: DifferentialContext, name: string, testCase: Case): string {
  const file = join(ctx.work, name);
  writeFileSync(file, `${JSON.stringify(configOf(testCase), null, 2)}\n`);
  return file;
}

function runCli(ctx: DifferentialContext, file: string, path: string, operation?: Operation, json = false) {
  return spawnSync(
    process.execPath,
    [
      join(ctx.root, "bin", "vault-k8s-auth.js"),
      "can",
      path,
      "--config",
      file,
      "--role",
      "r",
      ...(operation ? ["--operation", operation] : []),
      ...(json ? ["--json"] : []),
    ],
    { encoding: "utf8" },
  );
}

/** A few cases through the real CLI: its --json answer must equal the in-process one, and Vault's. */
async function throughCli(
  ctx: DifferentialContext,
  checks: Checks,
  vault: VaultClient,
  key: KeyObject,
  cases: readonly Case[],
  tag: string,
) {
  const asked = cases.reduce((sum, c) => sum + Math.min(2, c.paths.length) + Math.min(2, c.requests.length), 0);
  await checks.run(
    `can differential (${tag}): the CLI agrees with Vault on ${asked} questions of ${cases.length} cases`,
    async () => {
      for (const [index, testCase] of cases.entries()) {
        const file = writeCase(ctx, `differential-${index}.json`, testCase);
        const token = await tokenFor(vault, key, `dcan-cli-${index}`, testCase);
        const paths = testCase.paths.slice(0, 2);
        const answer = await vault.call("POST", "sys/capabilities", { body: { token, paths } });
        const data = (JSON.parse(answer.body) as { data: Record<string, string[]> }).data;
        for (const path of paths) {
          const cli = runCli(ctx, file, path, undefined, true);
          if (cli.status === 2) return `can ${path} exited 2: ${cli.stderr}`;
          const theirs = [...(data[path] ?? [])].sort().join(",");
          const mine = [...(JSON.parse(cli.stdout) as { capabilities: string[] }).capabilities].sort().join(",");
          if (theirs !== mine) return `case ${describe(testCase)}: can ${path} says [${mine}], Vault [${theirs}]`;
        }
        for (const request of testCase.requests.slice(0, 2)) {
          const cli = runCli(ctx, file, request.path, request.operation, true);
          const performed = outcomeOf(await perform(vault, token, request));
          const said = JSON.parse(cli.stdout) as { allowed: boolean; refusedBeforeAcl: string | null };
          const predicted =
            said.refusedBeforeAcl !== null ? "refused-before-acl" : said.allowed ? "passed" : "acl-denied";
          if (predicted !== performed) {
            return `case ${describe(testCase)}: can ${request.path} --operation ${request.operation} says ${predicted}, Vault: ${performed}`;
          }
        }
      }
      return undefined;
    },
  );
}
