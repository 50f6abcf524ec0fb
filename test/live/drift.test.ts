import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { FakeVault, type FakeVaultState, liveCli } from "./fake-vault";

const dir = mkdtempSync(join(tmpdir(), "vka-drift-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CA = readFileSync(join(__dirname, "..", "fixtures", "test-ca.pem"), "utf8").trim();

/** One cluster on an explicit Kubernetes API, long-lived-token reviewer, mount k8s, one role, one policy. */
writeFileSync(
  join(dir, "config.yaml"),
  stringify({
    clusters: [
      {
        name: "prod",
        kubernetes: { host: "https://k8s.example.com:6443", caCertificate: CA, inCluster: true },
        auth: { path: "k8s" },
        policies: [{ name: "app-read", rules: [{ kvRead: { mount: "secret", path: "app" } }] }],
        roles: [
          {
            name: "app",
            boundServiceAccountNames: ["app"],
            boundServiceAccountNamespaces: ["apps", "ci"],
            tokenPolicies: ["app-read"],
            tokenPeriod: "30m",
            audience: "vault",
          },
        ],
      },
    ],
  }),
);

/** The role as vault-plugin-auth-kubernetes v0.23.1 returns it after the stack wrote it (path_role.go:151-205). */
const ROLE = {
  alias_name_source: "serviceaccount_uid",
  audience: "vault",
  bound_service_account_names: ["app"],
  bound_service_account_namespace_selector: "",
  bound_service_account_namespaces: ["ci", "apps"],
  period: 1800,
  policies: ["app-read"],
  token_bound_cidrs: [],
  token_explicit_max_ttl: 0,
  token_max_ttl: 0,
  token_no_default_policy: false,
  token_num_uses: 0,
  token_period: 1800,
  token_policies: ["app-read"],
  token_ttl: 0,
  token_type: "default",
};

/** The provider's rendering of the policy (vault_policy_document), as Vault stores it. */
const POLICY = `path "secret/data/app" {
  capabilities = ["read"]
}

path "secret/metadata/app" {
  capabilities = ["read", "list"]
}
`;

function deployed(): FakeVaultState {
  return {
    mounts: { token: { type: "token" }, k8s: { type: "kubernetes" } },
    data: {
      "auth/k8s/config": {
        disable_iss_validation: true,
        disable_local_ca_jwt: false,
        issuer: "",
        kubernetes_ca_cert: CA,
        kubernetes_host: "https://k8s.example.com:6443",
        pem_keys: [],
        token_reviewer_jwt_set: true,
        use_annotations_as_alias_metadata: false,
      },
      "auth/k8s/role/app": { ...ROLE },
    },
    keys: { "auth/k8s/role": ["app"] },
    policies: { "app-read": POLICY, default: 'path "x" { capabilities = ["read"] }' },
  };
}

const vault = new FakeVault();
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  env = { VAULT_ADDR: await vault.start(), VAULT_TOKEN: "s.secret-token-value", HOME: dir };
});
afterAll(() => vault.stop());
beforeEach(() => {
  vault.state = deployed();
  vault.requests.length = 0;
});

const drift = (...args: string[]) => liveCli(["drift", "--config", "config.yaml", ...args], { cwd: dir, env });

/** The cluster of config.yaml, as a starting point for files of more clusters. */
const prod = () =>
  (parse(readFileSync(join(dir, "config.yaml"), "utf8")) as { clusters: Record<string, unknown>[] }).clusters[0];
/** Another cluster like prod, on a Kubernetes API of its own (so its reviewer objects are its own). */
const beside = (name: string, changes: Record<string, unknown>) => ({
  ...prod(),
  name,
  kubernetes: { host: `https://${name}.example.com:6443`, caCertificate: CA, kubeconfig: { context: name } },
  ...changes,
});

describe("vault-k8s-auth drift", () => {
  test("a Vault as the stack left it has no drift (lists as sets, omitted fields at their defaults), exit 0", async () => {
    expect(await drift()).toEqual({ code: 0, stderr: "", stdout: "ok: no drift in 1 cluster\n" });
    expect(await drift("--cluster", "prod")).toEqual({ code: 0, stderr: "", stdout: "ok: no drift in 1 cluster\n" });
    expect(JSON.parse((await drift("--json")).stdout)).toEqual({
      ok: true,
      clusters: [{ name: "prod", unowned: [], changed: [], missing: [] }],
    });
  });

  test("reports a hand-made role, an edited token_period and a policy grant per field, exit 1", async () => {
    vault.state.keys = { "auth/k8s/role": ["app", "handmade"] };
    vault.state.data = { ...vault.state.data, "auth/k8s/role/app": { ...ROLE, token_period: 3600 } };
    vault.state.policies = { "app-read": `${POLICY}\npath "secret/data/other" { capabilities = ["read"] }\n` };
    const json = await drift("--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      clusters: [
        {
          name: "prod",
          unowned: [{ kind: "role", path: "auth/k8s/role/handmade" }],
          changed: [
            { kind: "role", path: "auth/k8s/role/app", field: "token_period", want: 1800, have: 3600 },
            {
              kind: "policy",
              path: "sys/policies/acl/app-read",
              field: 'path "secret/data/other"',
              want: null,
              have: ["read"],
            },
          ],
          missing: [],
        },
      ],
    });
    const text = await drift();
    expect(text).toEqual({
      code: 1,
      stderr: "",
      stdout:
        "prod  unowned  role   auth/k8s/role/handmade\n" +
        "prod  changed  role   auth/k8s/role/app  token_period: want 1800, have 3600\n" +
        'prod  changed  policy sys/policies/acl/app-read  path "secret/data/other": want null, have ["read"]\n' +
        "FAIL: drift in prod: 1 unowned, 2 changed, 0 missing\n",
    });
  });

  test("a policy written another way that grants the same is no drift (JSON, order, old policy words)", async () => {
    vault.state.policies = {
      "app-read": JSON.stringify({
        path: {
          "secret/metadata/app": { capabilities: ["list", "read"] },
          "/secret/data/app": { capabilities: ["read"] },
        },
      }),
    };
    expect((await drift()).code).toBe(0);
    vault.state.policies = {
      "app-read": 'path "secret/data/app" { capabilities = ["read"] }\npath "secret/metadata/app" { policy = "read" }',
    };
    expect((await drift()).code).toBe(0);
  });

  test("reports what is not in Vault yet as missing: the mount, its config, its roles, the policy", async () => {
    vault.state = { mounts: {}, policies: {} };
    const result = JSON.parse((await drift("--json")).stdout);
    expect(result.clusters[0].missing).toEqual([
      { kind: "mount", path: "auth/k8s" },
      { kind: "config", path: "auth/k8s/config" },
      { kind: "role", path: "auth/k8s/role/app" },
      { kind: "policy", path: "sys/policies/acl/app-read" },
    ]);
  });

  test("names a kubernetes or jwt mount no cluster owns as information, which is not drift", async () => {
    vault.state.mounts = { ...vault.state.mounts, other: { type: "jwt" }, approle: { type: "approle" } };
    const result = await drift("--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).clusters[0].unowned).toEqual([{ kind: "mount", path: "auth/other" }]);
    expect((await drift()).stdout).toBe(
      "prod  info     mount  auth/other: an auth mount of a kind this tool manages that no cluster of the config owns (not counted as drift)\n" +
        "ok: no drift in 1 cluster\n",
    );
  });

  test("two clusters on one Vault: mounts either owns are no stray, the one drifting is named, missing lines listed", async () => {
    const one = prod();
    const staging = beside("staging", {
      auth: { path: "k8s-staging" },
      policies: [],
      roles: [{ ...(one.roles as object[])[0], tokenPolicies: [] }],
    });
    writeFileSync(join(dir, "two.yaml"), stringify({ clusters: [one, staging] }));
    const result = await liveCli(["drift", "--config", "two.yaml"], { cwd: dir, env });
    expect(result).toEqual({
      code: 1,
      stderr: "",
      stdout:
        "staging  missing  mount  auth/k8s-staging\n" +
        "staging  missing  config auth/k8s-staging/config\n" +
        "staging  missing  role   auth/k8s-staging/role/app\n" +
        "FAIL: drift in staging: 0 unowned, 0 changed, 3 missing\n",
    });
    vault.state.mounts = { ...vault.state.mounts, "k8s-staging": { type: "kubernetes" } };
    const asJson = JSON.parse((await liveCli(["drift", "--config", "two.yaml", "--json"], { cwd: dir, env })).stdout);
    expect(asJson.clusters.map((cluster: { unowned: unknown[] }) => cluster.unowned)).toEqual([[], []]);
    // Both as their stacks left them: no drift in either.
    const config = vault.state.data?.["auth/k8s/config"] ?? {};
    vault.state.data = {
      ...vault.state.data,
      "auth/k8s-staging/config": { ...config, kubernetes_host: "https://staging.example.com:6443" },
      "auth/k8s-staging/role/app": { ...ROLE, policies: [], token_policies: [] },
    };
    vault.state.keys = { ...vault.state.keys, "auth/k8s-staging/role": ["app"] };
    const twice = () => liveCli(["drift", "--config", "two.yaml"], { cwd: dir, env });
    expect(await twice()).toEqual({ code: 0, stderr: "", stdout: "ok: no drift in 2 clusters\n" });
    // Both drifting, each with a stray role: named together, each stray role counted; a stray
    // mount is information, not counted.
    vault.state.keys = { "auth/k8s/role": ["app", "extra"], "auth/k8s-staging/role": ["app", "extra"] };
    vault.state.mounts = { ...vault.state.mounts, zz: { type: "jwt" } };
    expect((await twice()).stdout.split("\n").slice(-2)).toEqual([
      "FAIL: drift in prod, staging: 2 unowned, 0 changed, 0 missing",
      "",
    ]);
  });

  test("reads each cluster from its own Vault, one client per address", async () => {
    const second = new FakeVault(deployed());
    const address = await second.start();
    try {
      // The second Vault holds what prod's stack wrote, whose mount config names prod's API host.
      const away = beside("away", {
        vault: { address },
        kubernetes: { host: "https://k8s.example.com:6443", caCertificate: CA, kubeconfig: { context: "away" } },
      });
      writeFileSync(join(dir, "two-vaults.yaml"), stringify({ clusters: [prod(), away] }));
      vault.requests.length = 0;
      const result = await liveCli(["drift", "--config", "two-vaults.yaml"], { cwd: dir, env });
      expect(result.stdout.split("\n").slice(-2)).toEqual(["ok: no drift in 2 clusters", ""]);
      expect(second.requests.map((request) => request.url)).toContain("/v1/auth/k8s/role/app");
      expect(vault.requests.map((request) => request.url)).toContain("/v1/auth/k8s/role/app");
    } finally {
      await second.stop();
    }
  });

  test("counts a mount as owned only by the clusters on the same Vault", async () => {
    const elsewhere = beside("elsewhere", {
      vault: { address: "https://vault.elsewhere.example.com:8200" },
      auth: { path: "k8s-elsewhere" },
    });
    writeFileSync(join(dir, "elsewhere.yaml"), stringify({ clusters: [prod(), elsewhere] }));
    vault.state.mounts = { ...vault.state.mounts, "k8s-elsewhere": { type: "kubernetes" } };
    const result = await liveCli(["drift", "--config", "elsewhere.yaml", "--cluster", "prod", "--json"], {
      cwd: dir,
      env,
    });
    expect(JSON.parse(result.stdout).clusters[0].unowned).toEqual([{ kind: "mount", path: "auth/k8s-elsewhere" }]);
  });

  test("says what an EKS cluster leaves uncompared: the host and CA, looked up only at deploy", async () => {
    writeFileSync(
      join(dir, "eks.yaml"),
      stringify({
        clusters: [
          {
            ...prod(),
            kubernetes: { eks: { clusterName: "prod", region: "eu-west-1" } },
          },
        ],
      }),
    );
    const result = await liveCli(["drift", "--config", "eks.yaml"], { cwd: dir, env });
    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "prod  note     config not compared: kubernetes_host and kubernetes_ca_cert (EKS: looked up at deploy)\n" +
        "ok: no drift in 1 cluster\n",
    });
  });

  test("lists the mounts no cluster owns by path, on the first cluster", async () => {
    vault.state.mounts = {
      ...vault.state.mounts,
      zeta: { type: "jwt" },
      alpha: { type: "kubernetes" },
      mid: { type: "jwt" },
    };
    const result = await drift("--json");
    expect(JSON.parse(result.stdout).clusters[0].unowned).toEqual([
      { kind: "mount", path: "auth/alpha" },
      { kind: "mount", path: "auth/mid" },
      { kind: "mount", path: "auth/zeta" },
    ]);
  });

  test("a mount of another type at the path is a changed type, and its roles are not compared", async () => {
    vault.state.mounts = { k8s: { type: "jwt" } };
    const result = JSON.parse((await drift("--json")).stdout);
    expect(result.clusters[0].changed).toEqual([
      { kind: "mount", path: "auth/k8s", field: "type", want: "kubernetes", have: "jwt" },
    ]);
    expect(vault.requests.map((request) => request.url)).not.toContain("/v1/auth/k8s/role/app");
  });

  test("reads with GET only, LIST as ?list=true, with the token and X-Vault-Request headers", async () => {
    await drift();
    expect(new Set(vault.requests.map((request) => request.method))).toEqual(new Set(["GET"]));
    expect(vault.requests.map((request) => request.url).sort()).toEqual([
      "/v1/auth/k8s/config",
      "/v1/auth/k8s/role/app",
      "/v1/auth/k8s/role?list=true",
      "/v1/sys/auth",
      "/v1/sys/policies/acl/app-read",
    ]);
    expect(vault.requests[0].headers["x-vault-token"]).toBe("s.secret-token-value");
    expect(vault.requests[0].headers["x-vault-request"]).toBe("true");
    expect(vault.requests[0].headers["x-vault-namespace"]).toBeUndefined();
  });

  test("sends VAULT_NAMESPACE as X-Vault-Namespace, and a cluster's vault.namespace wins", async () => {
    const first = await liveCli(["drift", "--config", "config.yaml"], {
      cwd: dir,
      env: { ...env, VAULT_NAMESPACE: "/team-a/" },
    });
    // Every request sent, and each with the header (an empty list would pass the map below).
    expect(first).toEqual({ code: 0, stderr: "", stdout: "ok: no drift in 1 cluster\n" });
    expect(vault.requests).toHaveLength(5);
    expect(vault.requests.map((request) => request.headers["x-vault-namespace"])).toEqual(
      vault.requests.map(() => "team-a"),
    );
    vault.requests.length = 0;
    const config = readFileSync(join(dir, "config.yaml"), "utf8").replace(
      "    auth:",
      "    vault:\n      namespace: team-b\n    auth:",
    );
    writeFileSync(join(dir, "namespaced.yaml"), config);
    await liveCli(["drift", "--config", "namespaced.yaml"], { cwd: dir, env: { ...env, VAULT_NAMESPACE: "team-a" } });
    expect(vault.requests).toHaveLength(5);
    expect(vault.requests.map((request) => request.headers["x-vault-namespace"])).toEqual(
      vault.requests.map(() => "team-b"),
    );
  });

  test("a refused read names the capability and the path, exit 2, without the token", async () => {
    vault.state.forbidden = ["auth/k8s/role/app"];
    const result = await drift();
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth drift: Vault at ${env.VAULT_ADDR} refused GET auth/k8s/role/app (403 permission denied): the token needs read on auth/k8s/role/*; examples/vault-live-read-policy.hcl grants everything these commands read\n`,
    });
  });

  test("a sealed Vault is said so, exit 2", async () => {
    vault.state.sealed = true;
    expect(await drift()).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth drift: Vault at ${env.VAULT_ADDR} is sealed; unseal it (vault operator unseal) and run this again\n`,
    });
  });

  test("a jwt cluster as the stack left it has no drift; an edited bound claim is named", async () => {
    const key = readFileSync(join(__dirname, "..", "fixtures", "sa-signing-key.pub.pem"), "utf8");
    writeFileSync(
      join(dir, "jwt.yaml"),
      stringify({
        clusters: [
          {
            name: "jwt",
            kubernetes: { host: "https://k8s.example.com:6443", caCertificate: CA, inCluster: true },
            auth: { method: "jwt", path: "jwt", jwt: { issuer: "https://oidc.example.com", publicKeys: [key] } },
            roles: [
              {
                name: "app",
                boundServiceAccountNames: ["app", "web"],
                boundServiceAccountNamespaces: ["apps"],
                audience: "vault",
                tokenTtl: "15m",
              },
            ],
          },
        ],
      }),
    );
    // vault-plugin-auth-jwt v0.25.0 path_config.go:200-220 and path_role.go:305-360, as the provider wrote them.
    const role = {
      role_type: "jwt",
      expiration_leeway: 0,
      not_before_leeway: 0,
      clock_skew_leeway: 0,
      bound_audiences: ["vault"],
      bound_subject: "",
      bound_claims_type: "string",
      bound_claims: { sub: ["system:serviceaccount:apps:web", "system:serviceaccount:apps:app"] },
      claim_mappings: null,
      user_claim: "sub",
      user_claim_json_pointer: false,
      groups_claim: "",
      allowed_redirect_uris: [],
      oidc_scopes: [],
      verbose_oidc_logging: false,
      max_age: 0,
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 0,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: [],
      token_ttl: 900,
      token_type: "default",
      ttl: 900,
    };
    vault.state = {
      mounts: { jwt: { type: "jwt" } },
      data: {
        "auth/jwt/config": {
          bound_issuer: "https://oidc.example.com",
          oidc_discovery_url: "",
          jwt_validation_pubkeys: [key],
          jwks_url: "",
          default_role: "",
        },
        "auth/jwt/role/app": role,
      },
      keys: { "auth/jwt/role": ["app"] },
    };
    const run = (...args: string[]) => liveCli(["drift", "--config", "jwt.yaml", ...args], { cwd: dir, env });
    expect(await run()).toEqual({ code: 0, stderr: "", stdout: "ok: no drift in 1 cluster\n" });
    vault.state.data = {
      ...vault.state.data,
      "auth/jwt/role/app": { ...role, bound_claims: { sub: ["system:serviceaccount:apps:app"] } },
    };
    expect(JSON.parse((await run("--json")).stdout).clusters[0].changed).toEqual([
      {
        kind: "role",
        path: "auth/jwt/role/app",
        field: "bound_claims",
        want: { sub: ["system:serviceaccount:apps:app", "system:serviceaccount:apps:web"] },
        have: { sub: ["system:serviceaccount:apps:app"] },
      },
    ]);
  });
});
