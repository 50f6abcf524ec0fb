/**
 * examples/vault-live-read-policy.hcl grants every request the live commands make, and nothing
 * more than reading: checked with the project's own evaluator (the one `can` uses, which agrees
 * with Vault), on the requests the commands actually send to a stand-in Vault. The local e2e
 * proves the same with a real token of exactly this policy (test/e2e-local/live.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Operation } from "../../src/answers/acl/acl";
import { canWith } from "../../src/answers/acl/can";
import { parsePolicyText } from "../../src/answers/acl/policy-text";
import { projectedToken } from "../answers/tokens";
import { FakeVault, liveCli } from "./fake-vault";

const FILE = join(__dirname, "..", "..", "examples", "vault-live-read-policy.hcl");
const dir = mkdtempSync(join(tmpdir(), "vka-read-policy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CA = readFileSync(join(__dirname, "..", "fixtures", "test-ca.pem"), "utf8");
const role = (name: string, policy: string) => ({
  name,
  boundServiceAccountNames: ["atlantis"],
  boundServiceAccountNamespaces: ["atlantis"],
  tokenPolicies: [policy],
  audience: "vault",
});
writeFileSync(
  join(dir, "config.yaml"),
  stringify({
    clusters: [
      {
        name: "local",
        kubernetes: { host: "https://k8s:6443", caCertificate: CA, inCluster: true },
        auth: { path: "atlantis" },
        policies: [{ name: "atlantis-read", rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] }],
        roles: [role("atlantis", "atlantis-read")],
      },
      {
        name: "jwt",
        kubernetes: { host: "https://k8s:6443", caCertificate: CA, inCluster: true },
        auth: { method: "jwt", path: "atlantis-jwt", jwt: { issuer: "https://kubernetes.default.svc" } },
        policies: [{ name: "jwt-read", rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] }],
        roles: [role("atlantis", "jwt-read")],
      },
    ],
  }),
);
writeFileSync(join(dir, "token.jwt"), projectedToken({ aud: ["vault"] }));

/** Every request (operation and path, as Vault's ACL sees it) the three commands send. */
async function requestsOfTheCommands(): Promise<{ operation: Operation; path: string }[]> {
  const vault = new FakeVault({
    mounts: { atlantis: { type: "kubernetes" }, "atlantis-jwt": { type: "jwt" } },
    data: {
      "auth/atlantis/config": { disable_local_ca_jwt: false },
      "auth/atlantis/role/atlantis": { token_policies: ["atlantis-read"] },
      "auth/atlantis-jwt/config": { bound_issuer: "x" },
      "auth/atlantis-jwt/role/atlantis": { token_policies: ["atlantis-read"] },
    },
    keys: { "auth/atlantis/role": ["atlantis"], "auth/atlantis-jwt/role": ["atlantis"] },
    policies: { "atlantis-read": 'path "secret/data/myscrt" { capabilities = ["read"] }', default: "" },
  });
  const env = { VAULT_ADDR: await vault.start(), VAULT_TOKEN: "t", HOME: dir };
  try {
    const lines = [
      ["drift", "--config", "config.yaml"],
      ["doctor", "--live", "--mount", "atlantis", "--role", "atlantis", "--jwt", "token.jwt"],
      ["doctor", "--live", "--mount", "atlantis-jwt", "--role", "atlantis", "--jwt", "token.jwt"],
      ["doctor", "--live", "--mount", "atlantis", "--role", "nobody", "--jwt", "token.jwt"],
      ["can", "secret/data/myscrt", "--live", "--mount", "atlantis", "--role", "atlantis"],
      ["can", "secret/data/myscrt", "--live", "--policy", "atlantis-read"],
    ];
    for (const argv of lines) {
      const result = await liveCli(argv, { cwd: dir, env });
      if (result.code === 2) throw new Error(`${argv.join(" ")}: ${result.stderr}`);
    }
    return vault.requests.map((request) => {
      const url = new URL(request.url, "http://vault");
      const path = url.pathname.replace(/^\/v1\//, "");
      // A LIST reaches the ACL with a trailing "/" (http/logical.go:188-192).
      return url.searchParams.get("list") === "true"
        ? { operation: "list", path: `${path}/` }
        : { operation: "read", path };
    });
  } finally {
    await vault.stop();
  }
}

describe("examples/vault-live-read-policy.hcl", () => {
  test("grants every request drift, doctor --live and can --live make, on kubernetes and jwt mounts", async () => {
    const policy = await parsePolicyText("read", FILE, readFileSync(FILE, "utf8"));
    const requests = await requestsOfTheCommands();
    const paths = new Set(requests.map((request) => `${request.operation} ${request.path}`));
    // The table is read, not empty: each kind of request is in it.
    expect([...paths].sort()).toEqual([
      "list auth/atlantis-jwt/role/",
      "list auth/atlantis/role/",
      "read auth/atlantis-jwt/config",
      "read auth/atlantis-jwt/role/atlantis",
      "read auth/atlantis/config",
      "read auth/atlantis/role/atlantis",
      "read auth/atlantis/role/nobody",
      "read sys/auth",
      "read sys/policies/acl/atlantis-read",
      "read sys/policies/acl/default",
      "read sys/policies/acl/jwt-read",
    ]);
    const refused = requests.filter(({ operation, path }) => canWith([policy], path, operation).allowed !== true);
    expect(refused).toEqual([]);
  });

  test("grants nothing but read and list, and not below a role, nor secrets, nor sys/auth/<path>", async () => {
    const policy = await parsePolicyText("read", FILE, readFileSync(FILE, "utf8"));
    const everything = new Set(policy.rules.flatMap((rule) => rule.capabilities));
    expect([...everything].sort()).toEqual(["list", "read"]);
    for (const path of [
      "auth/approle/role/ci/role-id",
      "secret/data/myscrt",
      "sys/auth/atlantis",
      "auth/token/lookup",
    ]) {
      expect(canWith([policy], path).capabilities).toEqual(["deny"]);
    }
  });
});
