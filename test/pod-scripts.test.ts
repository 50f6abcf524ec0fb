/**
 * Runs scripts/vault-login.sh and scripts/vault-read-secret.sh with /bin/sh against a
 * local HTTP server that answers like Vault's Kubernetes login and KV endpoints.
 * PATH holds only the tools the scripts may use: once without jq (sed/awk fallback),
 * once with jq and once with BusyBox sh/awk/sed (as in the Alpine Atlantis image). Without
 * jq or busybox that variant is skipped locally, but fails in CI (CI set; .ci/run installs both).
 */
import { execFile } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { DEFAULT_CONFIG } from "../src/config/defaults";
import { checkConfig } from "../src/config/load";

const LOGIN = join(__dirname, "..", "scripts", "vault-login.sh");
const READ = join(__dirname, "..", "scripts", "vault-read-secret.sh");
const TOOLS = ["sh", "curl", "awk", "sed", "tr", "cat"];
const JWT =
  "eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3QifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YXRsYW50aXM6YXRsYW50aXMifQ.c2lnbmF0dXJlLW5vdC1jaGVja2Vk";
const CLIENT_TOKEN = "hvs.CAESIFakeClientTokenForTests";
// Raw JSON, because Vault (Go) escapes & < > as \u00XX and the scripts must decode that.
const KV2_BODY =
  '{"request_id":"1","data":{"metadata":{"custom_metadata":{"access_key":"not-this-one"},"version":3},' +
  '"data":{"access_key":"AKIAEXAMPLE","password":"p\\u0026ss \\"q\\" \\\\ \\u00e9 \\ud83d\\ude00","port":5432}},"warnings":null}';
const KV1_BODY = '{"request_id":"2","data":{"access_key":"AKIAV1EXAMPLE"},"lease_duration":2764800}';

interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Reply {
  status: number;
  body: string;
}
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const errors = (status: number, ...messages: string[]): Reply => ({
  status,
  body: JSON.stringify({ errors: messages }),
});

/** A token no script may print: it comes in replies that are not a successful login. */
const LEAKED = "hvs.CAESILeakedTokenInARefusedReply";
const withToken = (status: number, ...messages: string[]): Reply => ({
  status,
  body: JSON.stringify({ errors: messages, auth: { client_token: LEAKED } }),
});
/** Login replies that carry a client_token (or echo a credential) but are no successful login, by role name. */
const LEAKY_LOGINS: Record<string, (jwt: string) => Reply> = {
  "leak-403": () => withToken(403, "permission denied"),
  "leak-500": () => withToken(500, `internal error; the token ${LEAKED} was revoked`),
  "leak-300": () => withToken(300, "multiple choices"),
  "leak-201": () => ({ status: 201, body: JSON.stringify({ auth: { client_token: LEAKED } }) }),
  "leak-502-html": () => ({ status: 502, body: `<html><pre>upstream said {"auth":{"client_token":"${LEAKED}"}</pre>` }),
  "echo-jwt": (jwt) => errors(400, `cannot parse {"jwt":"${jwt}"}`),
  "bad-client-token": () => ({
    status: 200,
    body: JSON.stringify({ auth: { client_token: `${LEAKED}\r\nX-Evil: 1` } }),
  }),
  "bad-client-token-no-space": () => ({
    status: 200,
    body: JSON.stringify({ auth: { client_token: `${LEAKED}\r\nX-Evil:1` } }),
  }),
};

/** What Vault answers; the scenario is chosen by the role name, the mount or the secret path. */
function vault(req: Received): Reply {
  const login = /^\/v1\/auth\/([^/]+)\/login$/.exec(req.url ?? "");
  if (login) {
    // Mounted where the scripts look without --mount: the config's default auth.path.
    if (login[1] !== "kubernetes") {
      return errors(404, `no handler for route "auth/${login[1]}/login". route entry not found.`);
    }
    const { role, jwt } = JSON.parse(req.body) as { role: string; jwt: string };
    if (role in LEAKY_LOGINS) return LEAKY_LOGINS[role](jwt);
    // Like the TokenReview: a JWT other than the pod's is not a valid ServiceAccount token.
    if (jwt !== JWT) return errors(403, "permission denied");
    switch (role) {
      case "atlantis":
        return {
          status: 200,
          body: JSON.stringify({ auth: { client_token: CLIENT_TOKEN, policies: ["default", "atlantis"] } }),
        };
      case "reviewer-broken":
        return errors(403, "permission denied");
      case "other-sa":
        return errors(403, "service account name not authorized");
      case "other-ns":
        return errors(403, "namespace not authorized");
      case "jwt-other-sa":
        return errors(400, 'error validating claims: claim "sub" does not match any associated bound claim values');
      case "jwt-other-cluster":
        return errors(400, "error validating token: invalid issuer (iss) claim");
      case "jwt-rotated-key":
        return errors(
          400,
          "error validating token: error verifying token signature: no known key successfully validated the token signature",
        );
      case "jwt-expired":
        return errors(400, "error validating token: invalid expiration time (exp) claim: token is expired");
      case "needs-aud":
        return errors(400, "invalid audience (aud) claim: audience claim does not match any expected audience");
      default:
        // vault-plugin-auth-jwt v0.25.0 path_login.go:89-91, with the role lowercased (line 30).
        if (role.startsWith("jwt-")) return errors(400, `role "${role.toLowerCase()}" could not be found`);
        return errors(400, `invalid role name "${role}"`);
    }
  }
  // A refusal that still carries the secret and echoes the caller's token.
  if (req.url === "/v1/secret/data/leaky") {
    return {
      status: 500,
      body: JSON.stringify({
        errors: [`internal error for token ${req.headers["x-vault-token"]}`],
        data: { data: { access_key: "AKIALEAKED" } },
      }),
    };
  }
  if (req.headers["x-vault-token"] !== CLIENT_TOKEN) return errors(403, "permission denied");
  switch (req.url) {
    case "/v1/secret/data/myscrt":
      return { status: 200, body: KV2_BODY };
    case "/v1/kv/myscrt":
      return { status: 200, body: KV1_BODY };
    case "/v1/secret/data/forbidden":
      return errors(403, "1 error occurred:\n\t* permission denied\n\n");
    default:
      return errors(404);
  }
}

let server: Server;
let addr: string;
let received: Received[] = [];
let work: string;
let tokenFile: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pod-scripts-"));
  tokenFile = join(work, "token");
  // Kubelet writes the token without a newline; a trailing one must not break the login.
  writeFileSync(tokenFile, `${JWT}\n`);
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const r: Received = { method: req.method, url: req.url, headers: req.headers, body };
      received.push(r);
      const reply = vault(r);
      res.writeHead(reply.status, { "Content-Type": "application/json" }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  addr = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  received = [];
});

function which(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return join(dir, tool);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A directory holding links to exactly these tools, to be used as the whole PATH. */
function binDir(tools: string[], busybox?: string): string {
  const dir = mkdtempSync(join(work, "bin-"));
  for (const tool of tools) {
    const found = busybox && tool !== "curl" && tool !== "jq" ? busybox : which(tool);
    if (!found) throw new Error(`${tool} is needed to run the pod scripts but is not installed`);
    symlinkSync(found, join(dir, tool));
  }
  return dir;
}

/** Runs `sh ...argv` with PATH limited to `path` (and that directory's sh). */
function run(path: string, argv: string[], env: Record<string, string | undefined>): Promise<Run> {
  const base: Record<string, string | undefined> = {
    PATH: path,
    VAULT_ADDR: addr,
    VAULT_SA_TOKEN_FILE: tokenFile,
  };
  // Only what the test sets: no VAULT_* of the machine running the tests leaks in.
  const full = Object.fromEntries(
    Object.entries({ ...base, ...env }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return new Promise((resolve) => {
    execFile(join(path, "sh"), argv, { env: full, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const jq = which("jq");
const busybox = which("busybox");
const variants: { name: string; tools: string[]; busybox?: string }[] = [
  { name: "with the system sh, without jq", tools: TOOLS },
  ...(jq ? [{ name: "with the system sh and jq", tools: [...TOOLS, "jq"] }] : []),
  ...(busybox ? [{ name: "with BusyBox sh/awk/sed, without jq", tools: TOOLS, busybox }] : []),
];

const inCi = !["", "0", "false"].includes(process.env.CI ?? "");
for (const [tool, found, variant] of [
  ["jq", jq, "with jq as well"],
  ["busybox", busybox, "with BusyBox sh/awk/sed as well, as Alpine-based Atlantis images do"],
] as const) {
  if (found) continue;
  if (inCi) {
    test(`runs the scripts ${variant} (fails: ${tool} is not installed and CI is set)`, () => {
      throw new Error(
        `${tool} is not on PATH, so a variant CI must run was left out; .ci/run installs it with apt-get`,
      );
    });
  } else {
    test.skip(`runs the scripts ${variant} (skipped: ${tool} is not installed)`, () => {});
  }
}

/**
 * Control characters with no space beside them: the space that ": 1" of a header line brings is
 * refused by its own check, so only these show that the control-character check itself decides.
 */
const CONTROL_WITHOUT_SPACE = [
  ["a CR and LF, then a header line with no space", "\r\nX-Injected:1"],
  ["a newline, then a header line with no space", "\nX-Injected:1"],
  ["a CR at the end", "\r"],
  ["an escape character (a control character that is not whitespace)", "\u001b[0m"],
];

describe.each(variants)("pod scripts $name", ({ tools, busybox }) => {
  let path: string;
  const login = (args: string[], env: Record<string, string | undefined> = {}) => run(path, [LOGIN, ...args], env);
  const read = (args: string[], env: Record<string, string | undefined> = {}) =>
    run(path, [READ, ...args], { VAULT_TOKEN: CLIENT_TOKEN, ...env });

  beforeAll(() => {
    path = binDir(tools, busybox);
  });

  describe("vault-login.sh", () => {
    test("prints only the Vault client token after posting the role and the ServiceAccount JWT", async () => {
      const r = await login(["--role", "atlantis"]);
      expect(r).toEqual({ code: 0, stdout: `${CLIENT_TOKEN}\n`, stderr: "" });
      expect(received).toHaveLength(1);
      const [req] = received;
      expect(req.method).toBe("POST");
      expect(req.url).toBe("/v1/auth/kubernetes/login");
      expect(req.headers["content-type"]).toBe("application/json");
      expect(req.headers["x-vault-namespace"]).toBeUndefined();
      expect(JSON.parse(req.body)).toEqual({ role: "atlantis", jwt: JWT });
    });

    test("takes the role, mount and token file from VAULT_ROLE, VAULT_AUTH_MOUNT and VAULT_SA_TOKEN_FILE", async () => {
      const r = await login([], { VAULT_ROLE: "atlantis", VAULT_AUTH_MOUNT: "/kubernetes/", VAULT_ADDR: `${addr}/` });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${CLIENT_TOKEN}\n`);
      expect(received.map((q) => q.url)).toEqual(["/v1/auth/kubernetes/login"]);
    });

    test("reads a projected token given by --token-file and sends VAULT_NAMESPACE as X-Vault-Namespace", async () => {
      const projected = join(work, "projected-vault-token");
      writeFileSync(projected, JWT);
      const r = await login(["--role=atlantis", "--token-file", projected], {
        VAULT_SA_TOKEN_FILE: join(work, "does-not-exist"),
        VAULT_NAMESPACE: "team-a",
      });
      expect(r.stdout).toBe(`${CLIENT_TOKEN}\n`);
      expect(received[0].headers["x-vault-namespace"]).toBe("team-a");
      expect(JSON.parse(received[0].body).jwt).toBe(JWT);
    });

    test.each(["a", "Z", "_", "a.b-c_d", "atlantis-2.prod_", "Atlantis"])(
      "sends role name %j, which Vault's role name pattern allows, as it is",
      async (role) => {
        const r = await login(["--role", role]);
        expect(received).toHaveLength(1);
        expect(JSON.parse(received[0].body)).toEqual({ role, jwt: JWT });
        expect(r.stderr).toContain(`(HTTP 400): invalid role name "${role}"`);
      },
    );

    // vault sdk/framework/path.go GenericNameRegex: \w(([\w-.]+)?\w)?, the pattern of role/<name> in
    // vault-plugin-auth-kubernetes v0.23.1 path_role.go:37 and vault-plugin-auth-jwt v0.25.0 path_role.go:52.
    test.each([
      ["a quote (JSON injection)", 'atlantis","jwt":"x'],
      ["a quote", 'we"ird'],
      ["a backslash", "back\\slash"],
      ["'?'", "atlantis?x=1"],
      ["'#'", "atlantis#x"],
      ["'%'", "atlantis%0a"],
      ["a space", "atl antis"],
      ["'/' and '..'", "../atlantis"],
      ["a leading '-'", "-atlantis"],
      ["a leading '.'", ".atlantis"],
      ["a trailing '-'", "atlantis-"],
      ["a trailing '.'", "atlantis."],
      ["a non-ASCII letter (Go's \\w is ASCII)", "r\u00f4le"],
    ])("rejects a role name with %s before any request, naming --role and the allowed pattern", async (_, role) => {
      const r = await login(["--role", role]);
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr:
          `vault-login.sh: invalid --role '${role}': a Vault role name is letters, digits and '_', with '-' and '.' ` +
          "only between them (Vault's GenericNameRegex); use one of clusters[].roles[].name in vault-k8s-auth.yaml\n",
      });
      expect(received).toHaveLength(0);
    });

    test.each([
      ["a newline", "atlantis\nX-Injected: 1"],
      ["a CR", "atlantis\r"],
      ["a tab", "atl\tantis"],
    ])("rejects a role with %s before any request, without echoing it", async (_, role) => {
      for (const [args, env, named] of [
        [["--role", role], {}, "--role"],
        [[], { VAULT_ROLE: role }, "VAULT_ROLE"],
      ] as const) {
        const r = await login([...args], env);
        expect(r).toEqual({
          code: 2,
          stdout: "",
          stderr: `vault-login.sh: ${named} contains a newline or another control character; give the role name alone (one of clusters[].roles[].name in vault-k8s-auth.yaml)\n`,
        });
      }
      expect(received).toHaveLength(0);
    });

    test("names VAULT_ROLE when the bad role name comes from the environment", async () => {
      const r = await login([], { VAULT_ROLE: 'a"b' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("invalid VAULT_ROLE 'a\"b'");
      expect(received).toHaveLength(0);
    });

    test.each([
      {
        scenario: "permission denied to the TokenReview reviewer and token checks",
        args: ["--role", "reviewer-broken"],
        vaultSays: "(HTTP 403): permission denied",
        fields: ["clusters[].auth.reviewer", "system:auth-delegator", "current ServiceAccount token", "CA"],
      },
      {
        scenario: "a foreign ServiceAccount to boundServiceAccountNames",
        args: ["--role", "other-sa"],
        vaultSays: "service account name not authorized",
        fields: ["clusters[].roles[].boundServiceAccountNames"],
      },
      {
        scenario: "a foreign namespace to boundServiceAccountNamespaces",
        args: ["--role", "other-ns"],
        vaultSays: "namespace not authorized",
        fields: ["clusters[].roles[].boundServiceAccountNamespaces"],
      },
      {
        scenario: "a wrong audience to the role's audience and the projected token",
        args: ["--role", "needs-aud"],
        vaultSays: "invalid audience (aud) claim: audience claim does not match any expected audience",
        fields: ["clusters[].roles[].audience", "serviceAccountToken.audience", "--token-file"],
      },
      {
        scenario:
          "a JWT mount's unbound sub to the role's ServiceAccounts (vault-plugin-auth-jwt v0.25.0 claims.go:137-139)",
        args: ["--role", "jwt-other-sa"],
        vaultSays: 'claim "sub" does not match any associated bound claim values',
        fields: ["clusters[].roles[].boundServiceAccountNames", "boundServiceAccountNamespaces"],
      },
      {
        scenario: "a JWT mount's foreign issuer to auth.jwt.issuer (cap v0.11.0 jwt.go:161-163)",
        args: ["--role", "jwt-other-cluster"],
        vaultSays: "invalid issuer (iss) claim",
        fields: ["clusters[].auth.jwt.issuer", "projected token"],
      },
      {
        scenario: "a JWT mount's unknown signing key to auth.jwt.publicKeys (cap v0.11.0 keyset.go:171)",
        args: ["--role", "jwt-rotated-key"],
        vaultSays: "no known key successfully validated the token signature",
        fields: ["clusters[].auth.jwt.publicKeys", "/openid/v1/jwks"],
      },
      {
        scenario: "an expired token to reading the token file again (cap v0.11.0 jwt.go:240-242)",
        args: ["--role", "jwt-expired"],
        vaultSays: "token is expired",
        fields: ["read the file again"],
      },
      {
        scenario: "an unknown role to the role names of the mount",
        args: ["--role", "nosuchrole"],
        vaultSays: '(HTTP 400): invalid role name "nosuchrole"',
        fields: ["clusters[].roles[].name", "clusters[].auth.path is 'kubernetes'"],
      },
      {
        scenario: "an unknown role of a JWT mount, in its own words, to the role names of the mount",
        args: ["--role", "jwt-NoSuchRole"],
        vaultSays: '(HTTP 400): role "jwt-nosuchrole" could not be found',
        fields: [
          "clusters[].roles[].name",
          "(Vault compares role names in lowercase)",
          "clusters[].auth.path is 'kubernetes'",
        ],
      },
      {
        scenario: "a missing mount (404) to the auth path",
        args: ["--role", "atlantis", "--mount", "atlantis"],
        vaultSays: '(HTTP 404): no handler for route "auth/atlantis/login"',
        fields: ["--mount", "clusters[].auth.path"],
      },
    ])("maps $scenario", async ({ args, vaultSays, fields }) => {
      const r = await login(args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(vaultSays);
      const hint = r.stderr.split("\n").find((line) => line.includes("hint:"));
      for (const field of fields) expect(hint).toContain(field);
      expect(r.stderr).not.toContain(JWT);
    });

    test.each(["reviewer-broken", "other-sa", "needs-aud", "nosuchrole"])(
      "points the refused login of role %s at vault-k8s-auth doctor, with the role and the token file",
      async (role) => {
        const r = await login(["--role", role]);
        const diagnose = r.stderr.split("\n").find((line) => line.includes("diagnose:"));
        expect(diagnose).toContain(`cat ${tokenFile} | npx vault-k8s-auth doctor --role ${role} --jwt -`);
      },
    );

    test("maps a rejected (not current) token file to the TokenReview hint without printing the token", async () => {
      const stale = join(work, "stale-token");
      writeFileSync(stale, "eyJvbGQiOjF9.eyJzdWIiOiJvbGQifQ.b2xk");
      const r = await login(["--role", "atlantis", "--token-file", stale]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("permission denied");
      expect(r.stderr).toContain(stale);
      expect(r.stderr).not.toContain("eyJvbGQiOjF9");
    });

    test("fails with a clear error when VAULT_ADDR is not set", async () => {
      const r = await login(["--role", "atlantis"], { VAULT_ADDR: undefined });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/VAULT_ADDR is not set/);
      expect(received).toHaveLength(0);
    });

    test.each([
      ["--role without its value", ["--role"], "--role needs a value (see --help)"],
      ["an unknown argument", ["--role", "atlantis", "atlantis"], "unknown argument: atlantis (see --help)"],
    ])("rejects %s before any request", async (_, args, message) => {
      expect(await login(args)).toEqual({ code: 2, stdout: "", stderr: `vault-login.sh: ${message}\n` });
      expect(received).toHaveLength(0);
    });

    test("fails with a clear error when no role is given", async () => {
      const r = await login([]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--role");
      expect(r.stderr).toContain("VAULT_ROLE");
      expect(received).toHaveLength(0);
    });

    test("fails with a clear error when the token file is missing", async () => {
      const missing = join(work, "no-token-here");
      const r = await login(["--role", "atlantis", "--token-file", missing]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`cannot read the ServiceAccount token file ${missing}`);
      expect(received).toHaveLength(0);
    });

    test("rejects a token file that does not hold a JWT without echoing its content", async () => {
      const bogus = join(work, "bogus-token");
      writeFileSync(bogus, 'secret"stuff');
      const r = await login(["--role", "atlantis", "--token-file", bogus]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("does not hold a JWT");
      expect(r.stderr).not.toContain("stuff");
      expect(received).toHaveLength(0);
    });

    test("fails with a VAULT_ADDR / network / VAULT_CACERT hint when Vault cannot be reached", async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const r = await login(["--role", "atlantis"], { VAULT_ADDR: `http://127.0.0.1:${port}` });
      expect(r.code).toBe(3);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/could not reach Vault at http:\/\/127\.0\.0\.1:\d+ \(curl exit code 7\)/);
      expect(r.stderr).toContain("VAULT_CACERT");
    });

    test("rejects a VAULT_CACERT that is not a readable file", async () => {
      const r = await login(["--role", "atlantis"], { VAULT_CACERT: join(work, "no-ca.pem") });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("VAULT_CACERT");
      expect(received).toHaveLength(0);
    });

    test("fails with a clear error when curl is not installed", async () => {
      const r = await run(
        binDir(
          tools.filter((t) => t !== "curl"),
          busybox,
        ),
        [LOGIN, "--role", "atlantis"],
        {},
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("curl is required");
    });

    test.each(["k8s/prod-eu.1_x", "k8s/..prod", "a/.b/c.", "..."])(
      "sends mount %j, whose segments are neither '.' nor '..', to auth/<mount>/login as it is",
      async (mount) => {
        await login(["--role", "atlantis", "--mount", mount]);
        expect(received.map((q) => q.url)).toEqual([`/v1/auth/${mount}/login`]);
      },
    );

    test.each([
      ["a '..' segment", "atlantis/../../sys"],
      ["only '..'", ".."],
      ["a '.' segment", "a/./b"],
      ["only '.'", "."],
      ["an empty segment", "a//b"],
      ["'?'", "atlantis?x=1"],
      ["'#'", "atlantis#x"],
      ["'%'", "atlantis%2F..%2Fsys"],
      ["a space", "atl antis"],
      ["a quote", 'atl"antis'],
      ["a non-ASCII letter", "k\u00fcbernetes"],
    ])("rejects a mount with %s before any request, naming the option", async (_, mount) => {
      for (const [args, env, named] of [
        [["--mount", mount], {}, "--mount"],
        [[], { VAULT_AUTH_MOUNT: mount }, "VAULT_AUTH_MOUNT"],
      ] as const) {
        const r = await login(["--role", "atlantis", ...args], env);
        expect(r).toEqual({
          code: 2,
          stdout: "",
          stderr:
            `vault-login.sh: invalid ${named} '${mount}': an auth mount path is segments of letters, digits, '_', '-' and '.' ` +
            "joined by '/', with no empty, '.' or '..' segment (e.g. atlantis or k8s/prod); it is clusters[].auth.path in vault-k8s-auth.yaml\n",
        });
      }
      expect(received).toHaveLength(0);
    });

    test.each([
      ["a newline", "atlantis\nX-Injected: 1"],
      ["a CR", "atlantis\r"],
    ])("rejects a mount with %s before any request, without echoing it", async (_, mount) => {
      const r = await login(["--role", "atlantis", "--mount", mount]);
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr:
          "vault-login.sh: --mount contains a newline or another control character; give the auth mount path alone (clusters[].auth.path in vault-k8s-auth.yaml)\n",
      });
      expect(received).toHaveLength(0);
    });

    test.each([
      ["a newline", "team-a\nX-Injected: 1"],
      ["a CR and LF", "team-a\r\nX-Injected: 1"],
      ["a space", "team a"],
      ...CONTROL_WITHOUT_SPACE.map(([what, tail]) => [what, `team-a${tail}`]),
    ])(
      "rejects a VAULT_NAMESPACE with %s before any request, as it would break its header or add one",
      async (_, namespace) => {
        const r = await login(["--role", "atlantis"], { VAULT_NAMESPACE: namespace });
        expect(r).toEqual({
          code: 2,
          stdout: "",
          stderr:
            "vault-login.sh: VAULT_NAMESPACE contains a space, a newline or another control character, which would break or add to its X-Vault-Namespace header; set it to the namespace path, e.g. admin/team-a\n",
        });
        expect(received).toHaveLength(0);
      },
    );

    test.each([
      ["'?'", "?x=1"],
      ["'#'", "#frag"],
      ["a space", " x"],
      ["a newline", "\nX-Injected: 1"],
      ...CONTROL_WITHOUT_SPACE,
    ])("rejects a VAULT_ADDR with %s before any request", async (_, tail) => {
      const r = await login(["--role", "atlantis"], { VAULT_ADDR: `${addr}${tail}` });
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr:
          "vault-login.sh: VAULT_ADDR must be scheme://host[:port] with no space, '?', '#' or control character (e.g. https://vault.vault.svc:8200)\n",
      });
      expect(received).toHaveLength(0);
    });

    test.each([
      ["two trailing newlines", `${JWT}\n\n`],
      ["a CRLF ending", `${JWT}\r\n`],
      ["a space inside", JWT.replace(".", " .")],
      ["a newline inside", JWT.replace(".", "\n.")],
      ["a NUL byte", `${JWT}\0`],
      ["two segments", JWT.slice(0, JWT.lastIndexOf("."))],
      ["four segments", `${JWT}.c2lnbmF0dXJl`],
      ["an empty segment", JWT.replace(".", "..")],
      ["a leading dot", `.${JWT}`],
      ["a trailing dot (no signature)", `${JWT.slice(0, JWT.lastIndexOf("."))}.`],
      ["base64 '+', '/' and '='", JWT.replace("c2ln", "c2+/").concat("==")],
      ["a quote (JSON injection)", `${JWT}","role":"admin`],
    ])("rejects a token file with %s without echoing its content", async (_, content) => {
      const bogus = join(work, "bogus-jwt");
      writeFileSync(bogus, content);
      const r = await login(["--role", "atlantis", "--token-file", bogus]);
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr: `vault-login.sh: the token file ${bogus} does not hold a JWT (three base64url segments joined by '.', as kubelet writes it); its content is not shown\n`,
      });
      expect(received).toHaveLength(0);
    });

    test.each([
      [
        "403 that carries a client_token",
        "leak-403",
        "(HTTP 403): permission denied",
        "the JWT was rejected by the Kubernetes TokenReview",
      ],
      [
        "500 whose error names a token",
        "leak-500",
        "(HTTP 500): internal error; the token [redacted] was revoked",
        "see Vault's server log for details",
      ],
      ["300 that carries a client_token", "leak-300", "(HTTP 300): multiple choices", "see Vault's server log"],
      [
        "201 that carries a client_token",
        "leak-201",
        "(HTTP 201): no error message",
        "Vault answers a login with HTTP 200 and .auth.client_token, and this reply is not that; is VAULT_ADDR really a Vault server?",
      ],
      [
        "502 whose body is not JSON but holds a client_token",
        "leak-502-html",
        "(HTTP 502): no error message",
        "see Vault's",
      ],
      ["400 whose error echoes the JWT", "echo-jwt", '(HTTP 400): cannot parse {"jwt":"[redacted]"}', "see Vault's"],
    ])("prints no token from a %s, only Vault's errors and a hint", async (_, role, vaultSays, hint) => {
      const r = await login(["--role", role]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(`vault-login.sh: Vault refused the login ${vaultSays}\nvault-login.sh: hint: ${hint}`);
      expect(r.stderr).not.toContain(LEAKED);
      expect(r.stderr).not.toContain(JWT);
      expect(r.stderr).not.toContain("CAESILeaked");
    });

    test("redacts the token file's JWT from Vault's error text even when it does not start like one", async () => {
      const odd = join(work, "odd-jwt");
      writeFileSync(odd, "QUJD.REVG.R0hJ");
      const r = await login(["--role", "echo-jwt", "--token-file", odd]);
      expect(r.stderr).toContain('(HTTP 400): cannot parse {"jwt":"[redacted]"}\n');
      expect(r.stderr).not.toContain("QUJD");
    });

    test.each([
      ["and a space", "bad-client-token"],
      ["and no space", "bad-client-token-no-space"],
    ])("fails without printing a client_token that holds a CR and LF %s", async (_, role) => {
      const r = await login(["--role", role]);
      expect(r).toEqual({
        code: 1,
        stdout: "",
        stderr:
          "vault-login.sh: Vault's reply has a .auth.client_token with a space or control character, which is no Vault token; not printing it (is VAULT_ADDR really a Vault server?)\n",
      });
    });

    test("prints its usage with --help", async () => {
      const r = await login(["--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Usage: vault-login.sh --role ROLE");
      expect(r.stdout).toContain("VAULT_SA_TOKEN_FILE");
    });
  });

  describe("vault-read-secret.sh", () => {
    test("prints a KV v2 field read with X-Vault-Token and X-Vault-Namespace", async () => {
      const r = await read(["myscrt", "access_key"], { VAULT_NAMESPACE: "team-a" });
      expect(r).toEqual({ code: 0, stdout: "AKIAEXAMPLE\n", stderr: "" });
      expect(received).toHaveLength(1);
      expect(received[0].method).toBe("GET");
      expect(received[0].url).toBe("/v1/secret/data/myscrt");
      expect(received[0].headers["x-vault-token"]).toBe(CLIENT_TOKEN);
      expect(received[0].headers["x-vault-namespace"]).toBe("team-a");
    });

    test("decodes JSON escapes in the value and prints non-strings as JSON", async () => {
      expect((await read(["myscrt", "password"])).stdout).toBe('p&ss "q" \\ é 😀\n');
      expect((await read(["myscrt", "port"])).stdout).toBe("5432\n");
    });

    test("reads a KV v1 field from /v1/<mount>/<path>", async () => {
      const r = await read(["--mount", "kv", "--kv-version", "1", "myscrt", "access_key"]);
      expect(r).toEqual({ code: 0, stdout: "AKIAV1EXAMPLE\n", stderr: "" });
      expect(received[0].url).toBe("/v1/kv/myscrt");
    });

    test("reads a secret with the token printed by vault-login.sh, as the Atlantis env step does", async () => {
      const r = await run(
        path,
        ["-c", 'VAULT_TOKEN="$(sh "$0" --role atlantis)" sh "$1" myscrt access_key', LOGIN, READ],
        {},
      );
      expect(r).toEqual({ code: 0, stdout: "AKIAEXAMPLE\n", stderr: "" });
      expect(received.map((q) => q.url)).toEqual(["/v1/auth/kubernetes/login", "/v1/secret/data/myscrt"]);
    });

    test("fails naming the path and field when the secret has no such field", async () => {
      const r = await read(["myscrt", "secret_key"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("secret secret/myscrt has no field 'secret_key'");
    });

    test("fails naming the path and field when the secret does not exist (404)", async () => {
      const r = await read(["nothere", "access_key"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("HTTP 404");
      expect(r.stderr).toContain("no secret at secret/nothere");
      expect(r.stderr).toContain("field 'access_key'");
    });

    test("maps permission denied to the read rule the role's policies need", async () => {
      const r = await read(["forbidden", "access_key"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("(HTTP 403): 1 error occurred: * permission denied");
      expect(r.stderr).toContain("tokenPolicies");
      expect(r.stderr).toContain('read on path "secret/data/forbidden"');
      expect(r.stderr).toContain(
        "clusters[].policies[].rules in vault-k8s-auth.yaml needs e.g. - kvRead: { mount: secret, path: forbidden, version: 2 }",
      );
      expect(r.stderr).not.toContain(CLIENT_TOKEN);
      expect(r.stderr).toContain(
        "diagnose: npx vault-k8s-auth can secret/data/forbidden --role ROLE --operation read  (in the vault-k8s-auth project",
      );
    });

    test("maps a token Vault does not accept to the same hint without echoing it", async () => {
      const r = await read(["myscrt", "access_key"], { VAULT_TOKEN: "hvs.expired" });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("permission denied");
      expect(r.stderr).toContain("log in again with vault-login.sh");
      expect(r.stderr).not.toContain("hvs.expired");
    });

    test("fails with a clear error when VAULT_TOKEN is not set", async () => {
      const r = await read(["myscrt", "access_key"], { VAULT_TOKEN: undefined });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("VAULT_TOKEN is not set");
      expect(received).toHaveLength(0);
    });

    test.each([
      ["a newline", `${CLIENT_TOKEN}\nX-Injected: 1`],
      ["a CR and LF", `${CLIENT_TOKEN}\r\nX-Injected: 1`],
      ["a trailing newline", `${CLIENT_TOKEN}\n`],
    ])("rejects a VAULT_TOKEN with %s before any request, without echoing it", async (_, token) => {
      const r = await read(["myscrt", "access_key"], { VAULT_TOKEN: token });
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr:
          "vault-read-secret.sh: VAULT_TOKEN contains a newline or another control character, which would add a line to its X-Vault-Token header; set it to the token alone (VAULT_TOKEN=$(vault-login.sh ...) drops the newline)\n",
      });
      expect(received).toHaveLength(0);
    });

    test.each([
      ["a newline", "team-a\nX-Injected: 1"],
      ["a space", "team a"],
      ...CONTROL_WITHOUT_SPACE.map(([what, tail]) => [what, `team-a${tail}`]),
    ])("rejects a VAULT_NAMESPACE with %s before any request", async (_, namespace) => {
      const r = await read(["myscrt", "access_key"], { VAULT_NAMESPACE: namespace });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        "vault-read-secret.sh: VAULT_NAMESPACE contains a space, a newline or another control character, which would break or add to its X-Vault-Namespace header; set it to the namespace path, e.g. admin/team-a\n",
      );
      expect(received).toHaveLength(0);
    });

    test.each([
      ["'?'", "?x=1"],
      ["'#'", "#frag"],
      ["a space", " x"],
      ["a newline", "\nX-Injected: 1"],
      ...CONTROL_WITHOUT_SPACE,
    ])("rejects a VAULT_ADDR with %s before any request", async (_, tail) => {
      const r = await read(["myscrt", "access_key"], { VAULT_ADDR: `${addr}${tail}` });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        "vault-read-secret.sh: VAULT_ADDR must be scheme://host[:port] with no space, '?', '#' or control character (e.g. https://vault.vault.svc:8200)\n",
      );
      expect(received).toHaveLength(0);
    });

    test.each(["team/my..scrt", "a/.b/c.", "...", "a~b@c+d=e,f:g"])(
      "reads PATH %j, whose segments are neither '.' nor '..', at /v1/secret/data/<PATH>",
      async (path) => {
        await read([path, "access_key"]);
        expect(received.map((q) => q.url)).toEqual([`/v1/secret/data/${path}`]);
      },
    );

    const badPaths = [
      ["a '..' segment", "myscrt/../forbidden"],
      ["only '..'", ".."],
      ["a '.' segment", "a/./myscrt"],
      ["an empty segment", "a//myscrt"],
      ["'?'", "myscrt?version=1"],
      ["'#'", "myscrt#x"],
      ["'%'", "my%2Fscrt"],
      ["a space", "my scrt"],
      ["a quote", 'my"scrt'],
    ];
    test.each(badPaths)("rejects a secret PATH with %s before any request, naming PATH", async (_, path) => {
      const r = await read([path, "access_key"]);
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr:
          `vault-read-secret.sh: invalid secret PATH '${path}': segments of letters, digits and ._~@+=,:- joined by '/', ` +
          "with no empty, '.' or '..' segment (curl would resolve it to another path), e.g. myscrt or team/app\n",
      });
      expect(received).toHaveLength(0);
    });

    test.each(badPaths)("rejects a --mount with %s before any request, naming --mount", async (_, mount) => {
      const r = await read(["--mount", mount, "myscrt", "access_key"]);
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr:
          `vault-read-secret.sh: invalid --mount '${mount}': segments of letters, digits and ._~@+=,:- joined by '/', ` +
          "with no empty, '.' or '..' segment (curl would resolve it to another path), e.g. secret or kv/apps\n",
      });
      expect(received).toHaveLength(0);
    });

    test.each([
      ["PATH", ["my\nscrt", "access_key"]],
      ["PATH", ["myscrt\r", "access_key"]],
      ["--mount", ["--mount", "kv\nX-Injected: 1", "myscrt", "access_key"]],
    ])("rejects a newline or CR in %s before any request, without echoing it", async (named, args) => {
      const r = await read(args);
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr: `vault-read-secret.sh: ${named === "PATH" ? "secret PATH" : named} contains a newline or another control character; give the path alone\n`,
      });
      expect(received).toHaveLength(0);
    });

    // A legacy service token (s.<24 characters>) has no hv prefix: only its own value can redact it.
    test.each([CLIENT_TOKEN, "s.LegacyServiceToken012345"])(
      "prints neither the secret nor token %s from a refused read that carries both",
      async (token) => {
        const r = await read(["leaky", "access_key"], { VAULT_TOKEN: token });
        expect(r).toEqual({
          code: 1,
          stdout: "",
          stderr: expect.stringContaining(
            "vault-read-secret.sh: Vault refused to read field access_key of secret/leaky (HTTP 500): internal error for token [redacted]\n",
          ),
        });
        expect(r.stderr).not.toContain("AKIALEAKED");
        expect(r.stderr).not.toContain(token);
      },
    );

    test.each([
      ["an empty FIELD", ["myscrt", ""], "FIELD must not be empty"],
      ["--mount without its value", ["--mount"], "--mount needs a value (see --help)"],
      ["an unknown option", ["--version=2", "myscrt", "access_key"], "unknown option: --version (see --help)"],
    ])("rejects %s before any request", async (_, args, message) => {
      expect(await read(args)).toEqual({ code: 2, stdout: "", stderr: `vault-read-secret.sh: ${message}\n` });
      expect(received).toHaveLength(0);
    });

    test("rejects a call without PATH and FIELD and an unknown KV version", async () => {
      const missing = await read(["myscrt"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("expected PATH and FIELD");
      const version = await read(["--kv-version", "3", "myscrt", "access_key"]);
      expect(version.code).toBe(2);
      expect(version.stderr).toContain("--kv-version must be 1 or 2");
      expect(received).toHaveLength(0);
    });
  });
});

test("vault-login.sh logs in at the config's default mount when given no --mount (auth.path's default)", () => {
  const script = readFileSync(join(__dirname, "..", "scripts", "vault-login.sh"), "utf8");
  const [, fallback] = /^mount=\$\{VAULT_AUTH_MOUNT:-([^}]+)\}/m.exec(script) ?? [];
  const cluster = { ...DEFAULT_CONFIG.clusters[0], auth: { reviewer: DEFAULT_CONFIG.clusters[0].auth?.reviewer } };
  const { config } = checkConfig({ clusters: [cluster] }, "default.yaml");
  expect(fallback).toBe(config.clusters[0].auth.path);
  expect(script).toContain(`(default: ${fallback}, the`);
});
