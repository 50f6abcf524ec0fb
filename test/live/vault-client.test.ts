import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { desiredCluster, providerPolicyText } from "../../src/answers/live/desired";
import { parseConfig } from "../../src/config/load";
import {
  listRoles,
  readAuthMounts,
  readCluster,
  readMountConfig,
  readPolicyText,
  readRole,
} from "../../src/live/read-vault";
import { VaultClient } from "../../src/live/vault-client";
import { VaultError } from "../../src/live/vault-error";
import { vaultTarget } from "../../src/live/vault-target";
import { makePki } from "../e2e-local/pki";
import { FakeVault, liveCli } from "./fake-vault";

const dir = mkdtempSync(join(tmpdir(), "vka-client-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const TOKEN = "hvs.the-token-that-must-never-show";
const need = { capability: "read", on: "sys/auth" } as const;

function pkiIn(name: string) {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  return makePki(folder);
}

/** The message a failing read throws. */
async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    expect((error as Error).message).not.toContain(TOKEN);
    return (error as Error).message;
  }
  throw new Error("the read succeeded");
}

describe("the Vault target, found as the vault CLI finds it", () => {
  test("VAULT_ADDR without its trailing slash, the token, VAULT_CACERT's PEM and the namespace", () => {
    const pki = pkiIn("pki0");
    expect(
      vaultTarget(
        {
          VAULT_ADDR: "https://vault.example.com:8200/",
          VAULT_TOKEN: TOKEN,
          VAULT_CACERT: pki.caCert,
          VAULT_NAMESPACE: "a/b/",
        },
        dir,
        dir,
      ),
    ).toEqual({
      address: "https://vault.example.com:8200",
      addressSource: "VAULT_ADDR",
      token: TOKEN,
      ca: readFileSync(pki.caCert, "utf8"),
      caFile: pki.caCert,
      namespace: "a/b",
    });
  });

  test("defaults to https://127.0.0.1:8200 and to the token in ~/.vault-token, as the vault CLI does", () => {
    const home = join(dir, "home");
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, ".vault-token"), `${TOKEN}\n`);
    // Strict: no ca, caFile or namespace key at all when they are not set.
    expect(vaultTarget({}, dir, home)).toStrictEqual({
      address: "https://127.0.0.1:8200",
      addressSource: "the vault CLI's default",
      token: TOKEN,
    });
  });

  test("refuses, naming the variable and the fix: no token, a bad address, an address with a path, a missing CA file", () => {
    const refuse = (env: NodeJS.ProcessEnv) => () => vaultTarget(env, dir, join(dir, "nohome"));
    expect(refuse({ VAULT_ADDR: "https://v:8200" })).toThrow(
      `no Vault token: VAULT_TOKEN is not set and ${join(dir, "nohome", ".vault-token")} does not exist; run vault login, or export VAULT_TOKEN (a token with the policy in examples/vault-live-read-policy.hcl is enough)`,
    );
    expect(refuse({ VAULT_ADDR: "vault:8200", VAULT_TOKEN: TOKEN })).toThrow(
      'VAULT_ADDR "vault:8200" is not an http(s) URL; set it as for the vault CLI, e.g. https://vault.example.com:8200',
    );
    expect(refuse({ VAULT_ADDR: "https://vault:8200/ui", VAULT_TOKEN: TOKEN })).toThrow(
      'VAULT_ADDR "https://vault:8200/ui" has a path; give the server\'s address alone (e.g. https://vault:8200), the API path /v1/ is added',
    );
    expect(refuse({ VAULT_TOKEN: TOKEN, VAULT_CACERT: "nope.pem" })).toThrow(
      "VAULT_CACERT=nope.pem does not exist; point it at the PEM file of the CA that signed Vault's certificate",
    );
  });
});

describe("the Vault target: the refusals a mistyped environment gets", () => {
  const refuse = (env: NodeJS.ProcessEnv) => () => vaultTarget({ VAULT_TOKEN: TOKEN, ...env }, dir, dir);

  test("an address that does not parse as a URL", () => {
    expect(refuse({ VAULT_ADDR: "https://[vault" })).toThrow(
      'VAULT_ADDR "https://[vault" is not an http(s) URL; set it as for the vault CLI, e.g. https://vault.example.com:8200',
    );
  });

  test("a token with a line break inside (two tokens pasted), which would add an HTTP header line", () => {
    expect(refuse({ VAULT_TOKEN: "hvs.one\nhvs.two" })).toThrow(
      "VAULT_TOKEN holds a line break; export the token alone",
    );
  });

  test("a VAULT_CACERT that cannot be read, or holds no PEM certificate", () => {
    const folder = join(dir, "ca-folder");
    mkdirSync(folder, { recursive: true });
    expect(refuse({ VAULT_CACERT: folder })).toThrow(
      `VAULT_CACERT=${folder} cannot be read (EISDIR); point it at the PEM file of the CA that signed Vault's certificate`,
    );
    const notPem = join(dir, "ca.txt");
    writeFileSync(notPem, "not a certificate\n");
    expect(refuse({ VAULT_CACERT: notPem })).toThrow(
      `VAULT_CACERT=${notPem} holds no PEM certificate (-----BEGIN CERTIFICATE-----); point it at the CA's PEM file`,
    );
  });
});

describe("the Vault target: what the vault CLI would also take", () => {
  const target = (env: NodeJS.ProcessEnv) => vaultTarget({ VAULT_TOKEN: TOKEN, ...env }, dir, dir);

  test("values pasted with spaces or a newline, an address with several trailing slashes, a namespace with slashes around it", () => {
    const pki = pkiIn("pki-trim");
    expect(
      target({
        VAULT_ADDR: " https://vault.example.com:8200/// ",
        VAULT_TOKEN: ` ${TOKEN}\n`,
        VAULT_CACERT: ` ${pki.caCert} `,
        VAULT_NAMESPACE: "//team/a//",
      }),
    ).toEqual({
      address: "https://vault.example.com:8200",
      addressSource: "VAULT_ADDR",
      token: TOKEN,
      ca: readFileSync(pki.caCert, "utf8"),
      caFile: pki.caCert,
      namespace: "team/a",
    });
  });

  test("refuses another scheme, and a query or a fragment as it refuses a path", () => {
    expect(() => target({ VAULT_ADDR: "ftp://vault.example.com" })).toThrow(
      'VAULT_ADDR "ftp://vault.example.com" is not an http(s) URL; set it as for the vault CLI, e.g. https://vault.example.com:8200',
    );
    for (const address of ["https://vault:8200?ns=a", "https://vault:8200#ui"]) {
      expect(() => target({ VAULT_ADDR: address })).toThrow(
        `VAULT_ADDR ${JSON.stringify(address)} has a path; give the server's address alone (e.g. https://vault:8200), the API path /v1/ is added`,
      );
    }
  });
});

describe("what each live read needs of the token, named when Vault refuses it", () => {
  test("sys/auth, a mount's config, its role list, one role and a policy: the capability and the path a policy must grant", async () => {
    const vault = new FakeVault({
      forbidden: ["sys/auth", "auth/k8s/config", "auth/k8s/role", "auth/k8s/role/app", "sys/policies/acl/app-read"],
    });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    const refused = (what: string, need: string) =>
      `Vault at ${address} refused ${what} (403 permission denied): the token needs ${need}; examples/vault-live-read-policy.hcl grants everything these commands read`;
    try {
      expect(await failure(readAuthMounts(client))).toBe(refused("GET sys/auth", "read on sys/auth"));
      expect(await failure(readMountConfig(client, "k8s"))).toBe(
        refused("GET auth/k8s/config", "read on auth/k8s/config"),
      );
      expect(await failure(listRoles(client, "k8s"))).toBe(refused("LIST auth/k8s/role", "list on auth/k8s/role"));
      expect(await failure(readRole(client, "k8s", "app"))).toBe(
        refused("GET auth/k8s/role/app", "read on auth/k8s/role/*"),
      );
      expect(await failure(readPolicyText(client, "app-read"))).toBe(
        refused("GET sys/policies/acl/app-read", "read on sys/policies/acl/*"),
      );
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("a refusal in a namespace names it; a 403 without Vault's errors says permission denied", async () => {
    const vault = new FakeVault({
      raw: {
        "GET sys/auth": { status: 403, body: JSON.stringify({ errors: [] }) },
        "GET auth/k8s/config": {
          status: 403,
          body: JSON.stringify({ errors: ["permission denied", "token expired"] }),
        },
      },
    });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN, namespace: "team-a" });
    try {
      expect(await failure(readAuthMounts(client))).toBe(
        `Vault at ${address} refused GET sys/auth in namespace team-a (VAULT_NAMESPACE) (403 permission denied): the token needs read on sys/auth; examples/vault-live-read-policy.hcl grants everything these commands read`,
      );
      expect(await failure(readMountConfig(client, "k8s"))).toBe(
        `Vault at ${address} refused GET auth/k8s/config in namespace team-a (VAULT_NAMESPACE) (403 permission denied; token expired): the token needs read on auth/k8s/config; examples/vault-live-read-policy.hcl grants everything these commands read`,
      );
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("sys/auth's mounts by path without the slash, with their type and description", async () => {
    const vault = new FakeVault({
      mounts: { k8s: { type: "kubernetes", description: "hand-made" }, "team/jwt": { type: "jwt" } },
    });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    try {
      expect(await readAuthMounts(client)).toEqual(
        new Map([
          ["k8s", { type: "kubernetes", description: "hand-made" }],
          ["team/jwt", { type: "jwt", description: "" }],
        ]),
      );
    } finally {
      client.close();
      await vault.stop();
    }
  });
});

describe("readCluster: what drift reads for one cluster", () => {
  // Made in each test, not while jest collects the tests (docs/development.md).
  const desired = () =>
    desiredCluster(
      parseConfig(
        {
          clusters: [
            {
              name: "prod",
              kubernetes: { host: "https://k8s.example.com:6443", inCluster: true },
              auth: { path: "k8s", reviewer: { mode: "vault-pod" } },
              policies: [{ name: "app-read", rules: [{ kvRead: { mount: "secret", path: "app" } }] }],
              roles: [{ name: "app", boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["apps"] }],
            },
          ],
        },
        "test",
      ).clusters[0],
    );

  test("no mount: only the policies are read, and the answer holds no mount or config at all", async () => {
    const vault = new FakeVault({});
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    try {
      expect(await readCluster(client, desired(), new Map())).toStrictEqual({
        roleNames: [],
        roles: new Map([["app", undefined]]),
        policies: new Map([["app-read", undefined]]),
      });
      expect(vault.requests.map((request) => request.url)).toEqual(["/v1/sys/policies/acl/app-read"]);
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("a mount of another type: its roles are neither listed nor read", async () => {
    const vault = new FakeVault({ keys: { "auth/k8s/role": ["x"] } });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    try {
      const live = await readCluster(client, desired(), new Map([["k8s", { type: "jwt", description: "" }]]));
      expect([live.mount, live.roleNames, live.roles]).toEqual([
        { type: "jwt", description: "" },
        [],
        new Map([["app", undefined]]),
      ]);
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("a policy whose text is the stack's own rendering is taken as the desired rules, without parsing it", async () => {
    const cluster = desired();
    const rules = cluster.policies.get("app-read") ?? [];
    const vault = new FakeVault({ policies: { "app-read": providerPolicyText(rules) } });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    try {
      const live = await readCluster(client, cluster, new Map());
      expect(live.policies.get("app-read")).toBe(rules);
    } finally {
      client.close();
      await vault.stop();
    }
  });
});

describe("the Vault client's answers", () => {
  test("a LIST Vault answers 404 (a mount with no roles yet) is an empty list; a GET with data null is an empty object", async () => {
    const vault = new FakeVault({
      raw: { "GET auth/k8s/config": { status: 200, body: JSON.stringify({ request_id: "r", data: null }) } },
    });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    try {
      expect(await listRoles(client, "k8s")).toEqual([]);
      expect(await readMountConfig(client, "k8s")).toEqual({});
      expect(await readRole(client, "k8s", "app")).toBeUndefined();
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("an error page from a proxy in front of Vault is quoted, trimmed and cut to 200 characters; an empty one says so", async () => {
    const page = `  <html><body>${"Bad gateway. ".repeat(30)}</body></html>\n`;
    const vault = new FakeVault({
      raw: {
        "GET sys/auth": { status: 502, body: page },
        "GET auth/k8s/config": { status: 504, body: "   " },
      },
    });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    try {
      expect(await failure(readAuthMounts(client))).toBe(
        `Vault at ${address} answered GET sys/auth with 502: ${page.trim().slice(0, 200)}`,
      );
      expect(await failure(readMountConfig(client, "k8s"))).toBe(
        `Vault at ${address} answered GET auth/k8s/config with 504: no message`,
      );
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("a JSON answer that is no object (a list, null) is not Vault's JSON; several errors are joined; a 503 that is not sealed is quoted", async () => {
    const vault = new FakeVault({
      raw: {
        "GET sys/auth": { status: 200, body: "[]" },
        "GET auth/k8s/config": { status: 200, body: "null" },
        "GET auth/k8s/role/a": { status: 500, body: JSON.stringify({ errors: ["1 error occurred", "storage down"] }) },
        "GET auth/k8s/role/b": { status: 503, body: JSON.stringify({ errors: ["Vault is in standby"] }) },
        "GET auth/k8s/role/c": { status: 200, body: "5" },
      },
    });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    const notVault = (what: string) =>
      `Vault at ${address} answered ${what} with something that is not Vault's JSON (200); is ${address} Vault's API address?`;
    try {
      expect(await failure(readAuthMounts(client))).toBe(notVault("GET sys/auth"));
      expect(await failure(readMountConfig(client, "k8s"))).toBe(notVault("GET auth/k8s/config"));
      expect(await failure(readRole(client, "k8s", "a"))).toBe(
        `Vault at ${address} answered GET auth/k8s/role/a with 500: 1 error occurred; storage down`,
      );
      expect(await failure(readRole(client, "k8s", "b"))).toBe(
        `Vault at ${address} answered GET auth/k8s/role/b with 503: Vault is in standby`,
      );
      expect(await failure(readRole(client, "k8s", "c"))).toBe(notVault("GET auth/k8s/role/c"));
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("an https:// address where Vault answers in plain HTTP says so, not to set a CA", async () => {
    const vault = new FakeVault({ mounts: {} });
    const address = (await vault.start()).replace("http:", "https:");
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    try {
      expect(await failure(readAuthMounts(client))).toBe(
        `TLS to Vault at ${address} failed: the server there does not answer in TLS (EPROTO: wrong version number); if Vault listens without TLS, set VAULT_ADDR=${address.replace("https:", "http:")}, else check the port`,
      );
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("the timeout runs from sending a request, not while it waits for one of its concurrency's slots", async () => {
    const vault = new FakeVault({ delayMs: 600, data: {} });
    const address = await vault.start();
    const client = new VaultClient(
      { address, addressSource: "VAULT_ADDR", token: TOKEN },
      { concurrency: 1, timeoutMs: 1000 },
    );
    try {
      const reads = ["a", "b", "c"].map((role) => readRole(client, "k8s", role));
      expect(await Promise.all(reads)).toEqual([undefined, undefined, undefined]);
      expect(vault.mostInFlight).toBe(1);
      // A request made while another waits for the slot waits its turn too.
      const first = readRole(client, "k8s", "d");
      const waiting = readRole(client, "k8s", "e");
      await first;
      expect(await Promise.all([waiting, readRole(client, "k8s", "f")])).toEqual([undefined, undefined]);
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("scrubs a token of 8 characters or more from a message; a shorter one (a dev server's root) is left alone", async () => {
    const vault = new FakeVault({
      raw: { "GET sys/auth": { status: 400, body: JSON.stringify({ errors: ["bad token 12345678 or 1234567"] }) } },
    });
    const address = await vault.start();
    const said = async (token: string) => {
      const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token });
      try {
        return await failure(readAuthMounts(client));
      } finally {
        client.close();
      }
    };
    try {
      expect(await said("12345678")).toBe(
        `Vault at ${address} answered GET sys/auth with 400: bad token <VAULT_TOKEN> or 1234567`,
      );
      expect(await said("1234567")).toBe(
        `Vault at ${address} answered GET sys/auth with 400: bad token 12345678 or 1234567`,
      );
    } finally {
      await vault.stop();
    }
  });

  test("keeps its connections open for the next request, counts its requests, and closes them all on close()", async () => {
    const vault = new FakeVault({ delayMs: 10, data: {} });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN }, { concurrency: 2 });
    try {
      for (let round = 0; round < 3; round++) {
        await Promise.all([client.read("auth/k8s/role/a", need), client.read("auth/k8s/role/b", need)]);
      }
      expect([client.requests, vault.connections]).toEqual([6, 2]);
      client.close();
      for (let waited = 0; vault.openSockets.size > 0 && waited < 2000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(vault.openSockets.size).toBe(0);
    } finally {
      await vault.stop();
    }
  });
});

describe("the Vault client's failures: exit 2 material, naming the address, never the token", () => {
  test("an address where nothing listens: could not reach, with the address and where it came from", async () => {
    const client = new VaultClient({ address: "http://127.0.0.1:9", addressSource: "VAULT_ADDR", token: TOKEN });
    expect(await failure(client.read("sys/auth", need))).toMatch(
      /^could not reach Vault at http:\/\/127\.0\.0\.1:9 \(VAULT_ADDR\) for GET sys\/auth: connect ECONNREFUSED 127\.0\.0\.1:9; check the address and that Vault is listening$/,
    );
  });

  test("a server that never answers: the timeout names the address and the request", async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const client = new VaultClient(
      { address: `http://127.0.0.1:${port}`, addressSource: "VAULT_ADDR", token: TOKEN },
      { timeoutMs: 1000 },
    );
    try {
      expect(await failure(client.list("auth/k8s/role", { capability: "list", on: "auth/k8s/role" }))).toBe(
        `Vault at http://127.0.0.1:${port} (VAULT_ADDR) did not answer LIST auth/k8s/role within 1 s; check the address and that this machine reaches it`,
      );
    } finally {
      client.close();
      silent.close();
    }
  });

  test("TLS: a CA that did not sign Vault's certificate names VAULT_CACERT; none set says to set it", async () => {
    const served = pkiIn("pki1");
    const other = pkiIn("pki2");
    const vault = new FakeVault({ mounts: { k8s: { type: "kubernetes" } } });
    const address = await vault.start({ cert: served.servingCert, key: served.servingKey });
    try {
      const wrong = new VaultClient(
        vaultTarget({ VAULT_ADDR: address, VAULT_TOKEN: TOKEN, VAULT_CACERT: other.caCert }, dir),
      );
      expect(await failure(wrong.read("sys/auth", need))).toBe(
        `TLS to Vault at ${address} failed: its certificate is signed by a CA that is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE), checked against VAULT_CACERT=${other.caCert}; point VAULT_CACERT at the CA that signed Vault's certificate`,
      );
      wrong.close();
      const none = new VaultClient(vaultTarget({ VAULT_ADDR: address, VAULT_TOKEN: TOKEN }, dir));
      expect(await failure(none.read("sys/auth", need))).toMatch(
        /^TLS to Vault at https:\/\/127\.0\.0\.1:\d+ failed: .* \(\w+\); set VAULT_CACERT to the PEM file of the CA that signed Vault's certificate$/,
      );
      none.close();
      const right = new VaultClient(
        vaultTarget({ VAULT_ADDR: address, VAULT_TOKEN: TOKEN, VAULT_CACERT: served.caCert }, dir),
      );
      expect(Object.keys((await right.read("sys/auth", need)) ?? {})).toEqual(["k8s/"]);
      right.close();
    } finally {
      await vault.stop();
    }
  });

  test("an answer that is not Vault's JSON, and a 500 with Vault's errors", async () => {
    const vault = new FakeVault({
      raw: {
        "GET sys/auth": { status: 200, body: "<html>login</html>" },
        "GET auth/k8s/config": { status: 500, body: JSON.stringify({ errors: ["internal error"] }) },
      },
    });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    try {
      expect(await failure(client.read("sys/auth", need))).toBe(
        `Vault at ${address} answered GET sys/auth with something that is not Vault's JSON (200); is ${address} Vault's API address?`,
      );
      expect(await failure(client.read("auth/k8s/config", need))).toBe(
        `Vault at ${address} answered GET auth/k8s/config with 500: internal error`,
      );
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("a Vault error that echoes the token is scrubbed", async () => {
    const vault = new FakeVault({
      raw: { "GET sys/auth": { status: 400, body: JSON.stringify({ errors: [`bad token ${TOKEN}`] }) } },
    });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN });
    try {
      expect(await failure(client.read("sys/auth", need))).toBe(
        `Vault at ${address} answered GET sys/auth with 400: bad token <VAULT_TOKEN>`,
      );
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("never has more requests in flight than its concurrency, and uses them all", async () => {
    const vault = new FakeVault({ delayMs: 30, data: {} });
    const address = await vault.start();
    const client = new VaultClient({ address, addressSource: "VAULT_ADDR", token: TOKEN }, { concurrency: 3 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, index) => client.read(`auth/k8s/role/r${index}`, need)),
      );
      expect(answers).toEqual(Array.from({ length: 20 }, () => undefined));
      expect(vault.requests).toHaveLength(20);
      expect(vault.mostInFlight).toBe(3);
    } finally {
      client.close();
      await vault.stop();
    }
  });

  test("through the CLI: exit 2, the message alone on stderr, no stack trace", async () => {
    const result = await liveCli(["drift"], {
      cwd: dir,
      env: { VAULT_ADDR: "http://127.0.0.1:9", VAULT_TOKEN: TOKEN, HOME: dir },
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^vault-k8s-auth drift: could not reach Vault at http:\/\/127\.0\.0\.1:9 \(VAULT_ADDR\) for GET sys\/auth: connect ECONNREFUSED/,
    );
    expect(result.stderr.split("\n")).toHaveLength(2);
    expect(result.stderr).not.toContain(TOKEN);
  });

  test("whatever the message, VAULT_TOKEN's value never reaches stderr", async () => {
    const result = await liveCli(["drift", "--config", `${TOKEN}.yaml`], {
      cwd: dir,
      env: { VAULT_ADDR: "http://127.0.0.1:9", VAULT_TOKEN: TOKEN, HOME: dir },
    });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth drift: --config <VAULT_TOKEN>.yaml: no such file (looked in ${dir})\n`,
    });
  });
});
