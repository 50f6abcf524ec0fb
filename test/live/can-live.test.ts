import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { FakeVault, liveCli } from "./fake-vault";

const dir = mkdtempSync(join(tmpdir(), "vka-can-live-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** examples/deploy-like policy managed elsewhere, and one in JSON. */
writeFileSync(
  join(dir, "deploy.hcl"),
  `# managed with vault policy write
path "secret/data/apps/*" {
  capabilities = ["read", "list"]
}
path "secret/data/apps/admin" { capabilities = ["deny"] }
path "sys/mounts" {
  capabilities = ["read"]
  allowed_parameters = { "type" = ["kv"] }
}
`,
);
writeFileSync(
  join(dir, "external.yaml"),
  stringify({
    clusters: [
      {
        ...DEFAULT_CONFIG.clusters[0],
        policies: [{ name: "atlantis-read", rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] }],
        externalPolicies: ["vault-deploy", "vault-plan"],
        roles: [
          { ...DEFAULT_CONFIG.clusters[0].roles[0], tokenPolicies: ["atlantis-read", "vault-deploy", "vault-plan"] },
        ],
      },
    ],
  }),
);
writeFileSync(join(dir, "ci.json"), JSON.stringify({ path: { "ci/+/logs": { capabilities: ["read"] } } }));
writeFileSync(join(dir, "broken.hcl"), 'path "x" { capabilities = ["read" }\n');
writeFileSync(join(dir, "reed.hcl"), 'path "x" { capabilities = ["reed"] }\n');
const seed = DEFAULT_CONFIG.clusters[0];
writeFileSync(
  join(dir, "config.yaml"),
  stringify({
    clusters: [
      {
        ...seed,
        policies: [{ name: "atlantis-read", rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] }],
        roles: [{ ...seed.roles[0], tokenPolicies: ["atlantis-read"] }],
      },
    ],
  }),
);

const can = (...args: string[]) => liveCli(["can", ...args], { cwd: dir, env });
let env: NodeJS.ProcessEnv = { HOME: dir };

describe("can --policy-file NAME=FILE", () => {
  test("evaluates a file's HCL policy, with Vault's default policy, and notes what it does not evaluate", async () => {
    const result = await can("secret/data/apps/web", "--policy-file", "deploy=deploy.hcl");
    expect(result).toEqual({
      code: 0,
      stdout:
        "ok: list, read on secret/data/apps/web (as sys/capabilities-self reports it)\n" +
        'rule: "secret/data/apps/*" (prefix) decides: list, read, merged from every policy that has it\n' +
        "  default  no rule matches\n" +
        '  deploy   "secret/data/apps/*": list, read\n',
      stderr:
        'note: policy deploy: path "sys/mounts": allowed_parameters restrict requests beyond capabilities; not evaluated\n',
    });
    expect((await can("secret/data/apps/admin", "--policy-file", "deploy=deploy.hcl")).stdout).toMatch(/^FAIL: deny/);
  });

  test("reads a JSON policy as Vault does, and leaves default out with --no-default-policy", async () => {
    const result = await can("ci/main/logs", "--policy-file", "ci=ci.json", "--no-default-policy", "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      path: "ci/main/logs",
      capabilities: ["read"],
      allowed: null,
      rule: { pattern: "ci/+/logs", kind: "segment", capabilities: ["read"] },
      policies: [{ name: "ci", matched: "ci/+/logs", capabilities: ["read"], shadowed: null }],
      sudo: null,
      refusedBeforeAcl: null,
      leftOut: [],
    });
  });

  test("with --role, stands for a policy of the role the config does not define (here the Vault's own default)", async () => {
    const result = await can(
      "secret/data/apps/web",
      "--role",
      "atlantis",
      "--config",
      "config.yaml",
      "--policy-file",
      "default=deploy.hcl",
    );
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").slice(2)).toEqual([
      "  atlantis-read  no rule matches",
      '  default        "secret/data/apps/*": list, read',
      "",
    ]);
    // The file's one limit is the only note: a role's policies from the config add none.
    expect(result.stderr).toBe(
      'note: policy default: path "sys/mounts": allowed_parameters restrict requests beyond capabilities; not evaluated\n',
    );
  });

  test("with --role, takes the role from the cluster --cluster names", async () => {
    const [cluster] = (parse(readFileSync(join(dir, "config.yaml"), "utf8")) as { clusters: Record<string, unknown>[] })
      .clusters;
    const other = {
      ...cluster,
      name: "other",
      vault: { namespace: "other" },
      auth: { path: "k8s/other" },
      kubernetes: { eks: { clusterName: "other", region: "ap-northeast-1" } },
      roles: [{ ...(cluster.roles as object[])[0], name: "builder" }],
    };
    writeFileSync(join(dir, "two.yaml"), stringify({ clusters: [cluster, other] }));
    const args = ["secret/data/apps/web", "--config", "two.yaml", "--policy-file", "default=deploy.hcl"];
    expect((await can(...args, "--cluster", "other", "--role", "builder")).code).toBe(0);
    expect((await can(...args, "--role", "builder")).stderr).toBe(
      "vault-k8s-auth can: the config has 2 clusters; pass --cluster with one of eks-test, other\n",
    );
  });

  test("with --role, supplies the role's externalPolicies; those without a file stay left out and named", async () => {
    const result = await can(
      "secret/data/apps/web",
      "--role",
      "atlantis",
      "--config",
      "external.yaml",
      "--policy-file",
      "vault-deploy=deploy.hcl",
      "--json",
    );
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as {
      capabilities: string[];
      policies: { name: string }[];
      leftOut: string[];
    };
    expect(answer.capabilities).toEqual(["list", "read"]);
    expect(answer.policies.map((policy) => policy.name)).toEqual(["atlantis-read", "default", "vault-deploy"]);
    expect(answer.leftOut).toEqual(["vault-plan"]);
    const none = await can("secret/data/apps/web", "--role", "atlantis", "--config", "external.yaml", "--json");
    expect(none.code).toBe(1);
    expect((JSON.parse(none.stdout) as { leftOut: string[] }).leftOut).toEqual(["vault-deploy", "vault-plan"]);
  });

  test("lists the policies by name, whatever order the flags gave them in", async () => {
    const result = await can("x", "--policy-file", "zeta=ci.json", "--policy-file", "beta=deploy.hcl", "--json");
    expect(JSON.parse(result.stdout).policies.map((policy: { name: string }) => policy.name)).toEqual([
      "beta",
      "default",
      "zeta",
    ]);
  });

  test("takes a file named default for Vault's default policy, instead of adding the built-in one", async () => {
    const result = await can("secret/data/apps/web", "--policy-file", "default=deploy.hcl", "--json");
    expect(JSON.parse(result.stdout).policies.map((policy: { name: string }) => policy.name)).toEqual(["default"]);
    expect(result.code).toBe(0);
  });

  test("refuses a pair without a name or without a file", async () => {
    for (const pair of ["=deploy.hcl", "deploy="]) {
      expect((await can("x", "--policy-file", pair)).stderr).toBe(
        `vault-k8s-auth can: --policy-file ${JSON.stringify(pair)} is not NAME=FILE, e.g. --policy-file vault-deploy=vault-deploy-policy.hcl\n`,
      );
    }
  });

  test("refuses a policy named twice, and a file that is a folder, exit 2", async () => {
    expect(await can("x", "--policy-file", "d=deploy.hcl", "--policy-file", "d=ci.json")).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth can: --policy-file names policy d twice; give each policy one file\n",
    });
    mkdirSync(join(dir, "policies"), { recursive: true });
    expect((await can("x", "--policy-file", "d=policies")).stderr).toBe(
      "vault-k8s-auth can: --policy-file d=policies: policies is a directory; name a policy file\n",
    );
  });

  test("refuses what Vault would refuse, and what is not NAME=FILE, exit 2", async () => {
    expect(await can("x", "--policy-file", "b=broken.hcl")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        // hashicorp/hcl v1's own words: what vault policy write answers for this file.
        "vault-k8s-auth can: policy b (broken.hcl) is not valid HCL: broken.hcl:2:1: object expected closing RBRACE got: EOF\n",
    });
    expect((await can("x", "--policy-file", "r=reed.hcl")).stderr).toBe(
      'vault-k8s-auth can: policy r (reed.hcl): path "x": invalid capability "reed"\n',
    );
    expect((await can("x", "--policy-file", "deploy.hcl")).stderr).toBe(
      'vault-k8s-auth can: --policy-file "deploy.hcl" is not NAME=FILE, e.g. --policy-file vault-deploy=vault-deploy-policy.hcl\n',
    );
    expect((await can("x", "--policy-file", "d=nope.hcl")).stderr).toBe(
      `vault-k8s-auth can: --policy-file d=nope.hcl: nope.hcl: no such file (looked in ${dir})\n`,
    );
    const defined = await can(
      "x",
      "--role",
      "atlantis",
      "--config",
      "config.yaml",
      "--policy-file",
      "atlantis-read=deploy.hcl",
    );
    expect(defined.stderr).toBe(
      "vault-k8s-auth can: --policy-file atlantis-read=...: policy atlantis-read is defined in the config (cluster eks-test); --policy-file stands for policies managed elsewhere\n",
    );
    writeFileSync(
      join(dir, "order.yaml"),
      stringify({
        clusters: [
          {
            ...seed,
            policies: ["b-read", "a-read"].map((name) => ({
              name,
              rules: [{ kvRead: { mount: "secret", path: name } }],
            })),
            roles: [{ ...seed.roles[0], tokenPolicies: ["b-read", "a-read"] }],
          },
        ],
      }),
    );
    expect((await can("x", "--role", "atlantis", "--config", "order.yaml", "--policy-file", "ci=ci.json")).stderr).toBe(
      "vault-k8s-auth can: --policy-file ci=...: role atlantis does not carry policy ci (its policies: a-read, b-read, default)\n",
    );
    const notCarried = await can("x", "--role", "atlantis", "--config", "config.yaml", "--policy-file", "ci=ci.json");
    expect(notCarried.stderr).toBe(
      "vault-k8s-auth can: --policy-file ci=...: role atlantis does not carry policy ci (its policies: atlantis-read, default)\n",
    );
  });
});

describe("can --live", () => {
  const vault = new FakeVault();
  beforeAll(async () => {
    env = { VAULT_ADDR: await vault.start(), VAULT_TOKEN: "t", HOME: dir };
  });
  afterAll(() => vault.stop());
  beforeEach(() => {
    vault.state = {
      mounts: { k8s: { type: "kubernetes" } },
      data: {
        "auth/k8s/role/app": { token_policies: ["app-read", "gone"], token_no_default_policy: false },
        "auth/k8s/role/bare": { token_policies: ["app-read"], token_no_default_policy: true },
      },
      policies: {
        "app-read": 'path "secret/data/app" { capabilities = ["read"] }',
        default: 'path "auth/token/lookup-self" { capabilities = ["read"] }',
      },
    };
    vault.requests.length = 0;
  });

  test("--policy reads the named policies and Vault's own default from sys/policies/acl", async () => {
    const result = await can("auth/token/lookup-self", "--live", "--policy", "app-read");
    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "ok: read on auth/token/lookup-self (as sys/capabilities-self reports it)\n" +
        'rule: "auth/token/lookup-self" (exact) decides: read, merged from every policy that has it\n' +
        "  app-read  no rule matches\n" +
        '  default   "auth/token/lookup-self": read\n',
    });
    expect(vault.requests.map((request) => request.url).sort()).toEqual([
      "/v1/sys/policies/acl/app-read",
      "/v1/sys/policies/acl/default",
    ]);
  });

  test("--mount --role takes the role's token_policies, plus default unless token_no_default_policy", async () => {
    const result = await can("secret/data/app", "--live", "--mount", "k8s", "--role", "app", "--operation", "read");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe("ok: read secret/data/app is allowed (capabilities: read)");
    // vault/policy_store.go:933-937: a policy Vault lacks grants nothing.
    expect(result.stderr).toBe(
      "note: policy gone does not exist in Vault (sys/policies/acl/gone answered 404): it grants nothing\n",
    );
    vault.requests.length = 0;
    const bare = await can("auth/token/lookup-self", "--live", "--mount", "k8s", "--role", "bare");
    expect(bare.code).toBe(1);
    expect(vault.requests.map((request) => request.url)).not.toContain("/v1/sys/policies/acl/default");
  });

  test("asks for what it needs: --policy, or --mount with --role; a missing role is said", async () => {
    expect((await can("x", "--live")).stderr).toBe(
      "vault-k8s-auth can: --live needs --policy NAME (the token's policies) or --mount PATH --role ROLE (a role's), e.g. can secret/data/app --live --mount kubernetes --role app\n",
    );
    expect((await can("x", "--live", "--mount", "k8s", "--role", "nobody")).stderr).toBe(
      "vault-k8s-auth can: Vault has no role nobody on auth/k8s (auth/k8s/role/nobody answered 404)\n",
    );
  });

  test("takes --policy or --mount with --role, not both; and no question of the root policy", async () => {
    expect(await can("x", "--live", "--policy", "app-read", "--mount", "k8s", "--role", "app")).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "vault-k8s-auth can: --live takes either --policy NAME (repeatable) or --mount PATH --role ROLE, not both\n",
    });
    for (const half of [
      ["--mount", "k8s"],
      ["--role", "app"],
    ]) {
      expect((await can("x", "--live", "--policy", "app-read", ...half)).stderr).toBe(
        "vault-k8s-auth can: --live takes either --policy NAME (repeatable) or --mount PATH --role ROLE, not both\n",
      );
    }
    expect((await can("x", "--live", "--policy", "root")).stderr).toBe(
      "vault-k8s-auth can: policy root is Vault's own all-powerful policy: a token with it may do everything\n",
    );
    expect(vault.requests).toEqual([]);
  });

  test("needs --role with --mount; --no-default-policy leaves default unread; a role's login adds default", async () => {
    expect((await can("x", "--live", "--mount", "k8s")).stderr).toBe(
      "vault-k8s-auth can: --live needs --policy NAME (the token's policies) or --mount PATH --role ROLE (a role's), e.g. can secret/data/app --live --mount kubernetes --role app\n",
    );
    expect((await can("x", "--live", "--role", "app")).code).toBe(2);
    vault.requests.length = 0;
    await can("secret/data/app", "--live", "--policy", "app-read", "--no-default-policy");
    expect(vault.requests.map((request) => request.url)).toEqual(["/v1/sys/policies/acl/app-read"]);
    vault.requests.length = 0;
    await can("secret/data/app", "--live", "--mount", "k8s", "--role", "app");
    expect(vault.requests.map((request) => request.url).sort()).toEqual([
      "/v1/auth/k8s/role/app",
      "/v1/sys/policies/acl/app-read",
      "/v1/sys/policies/acl/default",
      "/v1/sys/policies/acl/gone",
    ]);
  });

  test("takes a --policy-file in place of the Vault policy of that name", async () => {
    vault.requests.length = 0;
    const result = await can("ci/main/logs", "--live", "--policy", "app-read", "--policy-file", "app-read=ci.json");
    expect(result.stdout.split("\n")[0]).toBe("ok: read on ci/main/logs (as sys/capabilities-self reports it)");
    expect(vault.requests.map((request) => request.url)).toEqual(["/v1/sys/policies/acl/default"]);
  });

  test("a role without token_policies carries only default", async () => {
    // On a nested mount, written with slashes around it: they go, the one inside stays.
    vault.state.data = { ...vault.state.data, "auth/team/k8s/role/plain": { token_no_default_policy: false } };
    const result = await can("auth/token/lookup-self", "--live", "--mount", "//team/k8s//", "--role", "plain");
    expect(result.code).toBe(0);
    expect(vault.requests.map((request) => request.url)).toEqual([
      "/v1/auth/team/k8s/role/plain",
      "/v1/sys/policies/acl/default",
    ]);
  });

  test("a policy read from Vault that Vault's parser would refuse is reported, exit 2", async () => {
    vault.state.policies = { "app-read": "path {" };
    const result = await can("x", "--live", "--policy", "app-read", "--no-default-policy");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^vault-k8s-auth can: policy app-read \(sys\/policies\/acl\/app-read\) is not valid HCL: /,
    );
  });
});
