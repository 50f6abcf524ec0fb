/**
 * clusters[].externalPolicies: Vault policies the config does not manage (written with
 * `vault policy write`, or by another stack). A role may name them; the stack passes them by
 * name and never writes them; `can` leaves them out and says so; a name in neither list is
 * still refused, typos included.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { stringify } from "yaml";
import { can } from "../../src/answers/acl/can";
import { parseConfig, parseConfigText } from "../../src/config/load";
import type { ClusterConfig } from "../../src/config/schema";
import { VaultK8sAuthStack } from "../../src/stacks/vault-k8s-auth-stack";
import { cli, scratchDir, writeConfig } from "../cli/harness";
import { fileWith, firstRole, problemsIn, seedCluster, synthJson, validationMessage } from "../helpers";

/** The seed with `external` declared and the role naming `tokenPolicies`. */
const withExternal = (external: unknown, tokenPolicies: string[]) =>
  fileWith((cluster) => {
    cluster.externalPolicies = external;
    firstRole(cluster).tokenPolicies = tokenPolicies;
  });

/** The one problem of a file (its headline dropped), or "" when it is valid. */
const problem = (text: string) =>
  problemsIn(text)
    .split("\n")
    .slice(1)
    .join("\n")
    .trim()
    .replace(/^bad\.yaml:\d+:\d+: /, "");

describe("externalPolicies in the config", () => {
  test("lets a role name a declared policy next to its cluster's own and default", () => {
    const config = parseConfigText(
      withExternal(["vault-k8s-auth-deploy"], ["admin", "vault-k8s-auth-deploy", "default"]),
      "ok.yaml",
    );
    expect(config.clusters[0].externalPolicies).toEqual(["vault-k8s-auth-deploy"]);
    expect(config.clusters[0].roles[0].tokenPolicies).toEqual(["admin", "vault-k8s-auth-deploy", "default"]);
  });

  test("still refuses a name in neither list, and says both places to add it", () => {
    expect(problem(withExternal(["vault-k8s-auth-deploy"], ["payments-read"]))).toBe(
      `clusters[0].roles[0].tokenPolicies[0]: policy "payments-read" is not defined in this cluster's policies nor listed in its externalPolicies; add it under policies, or under externalPolicies if Vault has it from elsewhere (vault policy write)`,
    );
  });

  test("refuses a typo of an external name with the name meant", () => {
    expect(problem(withExternal(["vault-k8s-auth-deploy"], ["vault-k8s-auth-deplyo"]))).toBe(
      `clusters[0].roles[0].tokenPolicies[0]: policy "vault-k8s-auth-deplyo" is not defined in this cluster's policies nor listed in its externalPolicies; did you mean "vault-k8s-auth-deploy"?`,
    );
  });

  test("does not let one cluster's external policy serve another cluster's role", () => {
    const text = stringify({
      clusters: [
        { ...seedCluster(), externalPolicies: ["shared-read"] },
        {
          ...seedCluster(),
          name: "other",
          kubernetes: { eks: { clusterName: "other", region: "ap-northeast-1" } },
          vault: { namespace: "other" },
          auth: { ...seedCluster().auth, path: "k8s/other" },
          roles: [{ ...seedCluster().roles[0], tokenPolicies: ["shared-read"] }],
        },
      ],
    });
    expect(problem(text)).toBe(
      `clusters[1].roles[0].tokenPolicies[0]: policy "shared-read" is not defined in this cluster's policies; add it under policies, or under externalPolicies if Vault has it from elsewhere (vault policy write)`,
    );
  });

  test.each<[string, unknown, string]>([
    [
      "Vault's default, which needs no declaring",
      ["default"],
      `clusters[0].externalPolicies[0]: "default" is Vault's built-in policy, which a role may always name without declaring it; drop it from externalPolicies`,
    ],
    [
      "root, which no login can carry",
      ["root"],
      `clusters[0].externalPolicies[0]: "root" cannot be granted through a role: Vault never issues a root token to an auth method login ("auth methods cannot create root tokens", vault/request_handling.go); drop it`,
    ],
    [
      "a policy the cluster also manages",
      ["admin"],
      `clusters[0].externalPolicies[0]: "admin" is also defined under policies, where this stack writes it; a policy is managed either here (policies) or elsewhere (externalPolicies): drop it from one of the two`,
    ],
    [
      "a name listed twice",
      ["deploy", "plan", "deploy"],
      `clusters[0].externalPolicies[2]: "deploy" is already listed at externalPolicies[0]; list it once`,
    ],
    [
      "a name Vault would lowercase",
      ["Deploy"],
      `clusters[0].externalPolicies[0]: "Deploy" is not a policy name; use lowercase letters, digits and '_', with '-' and '.' only between them (Vault lowercases policy names, so two spellings would be one policy)`,
    ],
    [
      "a single name instead of a list",
      "deploy",
      `clusters[0].externalPolicies: expected a list, got "deploy"; write [deploy]`,
    ],
  ])("refuses %s", (_what, external, message) => {
    expect(problem(withExternal(external, ["admin"]))).toBe(message);
  });
});

describe("externalPolicies in the stack", () => {
  const cluster = (external: string[] | undefined, tokenPolicies: string[]): ClusterConfig => {
    const [parsed] = parseConfig({ clusters: [seedCluster()] }, "test").clusters;
    return {
      ...parsed,
      ...(external ? { externalPolicies: external } : {}),
      roles: [{ ...parsed.roles[0], tokenPolicies }],
    };
  };
  const synth = (entry: ClusterConfig) =>
    synthJson(new VaultK8sAuthStack(Testing.app(), entry.name, { cluster: entry }));

  test("passes an external policy by name and writes no policy of that name", () => {
    const json = synth(cluster(["vault-k8s-auth-deploy"], ["vault-k8s-auth-deploy", "admin"]));
    const [role] = Object.values(json.resource.vault_kubernetes_auth_backend_role);
    const [policyId] = Object.keys(json.resource.vault_policy);
    expect(role.token_policies).toEqual(["vault-k8s-auth-deploy", `\${vault_policy.${policyId}.name}`]);
    expect(Object.values(json.resource.vault_policy).map((policy) => policy.name)).toEqual(["admin"]);
  });

  test("refuses, in a ClusterConfig built in code, a role naming a policy in neither list", () => {
    expect(validationMessage(() => synth(cluster(undefined, ["vault-k8s-auth-deploy"])))).toBe(
      'eks-test: roles[0].tokenPolicies[0]: policy "vault-k8s-auth-deploy" is not defined in this cluster\'s policies; add it under policies, or under externalPolicies if Vault has it from elsewhere (vault policy write)',
    );
  });
});

describe("externalPolicies in can", () => {
  const dir = scratchDir();
  const file = writeConfig(dir, "external.yaml", {
    clusters: [
      {
        ...seedCluster(),
        policies: [{ name: "atlantis-read", rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] }],
        externalPolicies: ["vault-k8s-auth-plan", "vault-k8s-auth-deploy"],
        roles: [
          {
            ...seedCluster().roles[0],
            tokenPolicies: ["vault-k8s-auth-plan", "atlantis-read", "vault-k8s-auth-deploy"],
          },
        ],
      },
    ],
  });

  test("evaluates the config's policies and names the external ones it leaves out", () => {
    expect(cli(["can", "secret/data/myscrt", "--role", "atlantis", "--config", file], { cwd: dir })).toEqual({
      code: 0,
      stderr: "",
      stdout:
        "ok: read on secret/data/myscrt (as sys/capabilities-self reports it)\n" +
        'rule: "secret/data/myscrt" (exact) decides: read, merged from every policy that has it\n' +
        '  atlantis-read  "secret/data/myscrt": read\n' +
        "  default        no rule matches\n" +
        "left out: vault-k8s-auth-deploy, vault-k8s-auth-plan (externalPolicies: managed outside this config, so their " +
        "rules are unknown here; they may grant more, or deny some of the above)\n",
    });
  });

  test("lists them under leftOut with --json, and never evaluates them as Vault's default policy", () => {
    const result = cli(["can", "cubbyhole/notes", "--role", "atlantis", "--config", file, "--json"], { cwd: dir });
    const answer = JSON.parse(result.stdout);
    expect(answer.leftOut).toEqual(["vault-k8s-auth-deploy", "vault-k8s-auth-plan"]);
    expect(answer.policies.map((policy: { name: string }) => policy.name)).toEqual(["atlantis-read", "default"]);
  });

  test("answers for a role whose every policy is external with an empty evaluation, and says so", () => {
    const [parsed] = parseConfig({ clusters: [{ ...seedCluster(), externalPolicies: ["deploy"] }] }, "t").clusters;
    const entry = { ...parsed, roles: [{ ...parsed.roles[0], tokenPolicies: ["deploy"], tokenNoDefaultPolicy: true }] };
    const answer = can({ cluster: entry, roleName: "atlantis", path: "sys/auth/atlantis" });
    expect(answer).toMatchObject({ capabilities: ["deny"], rule: null, policies: [], leftOut: ["deploy"] });
  });
});

describe("the deploy and plan policies of docs/deploy.md and docs/adopt.md, written with vault policy write and named by Atlantis's roles", () => {
  const root = join(__dirname, "..", "..");
  const readme = readFileSync(join(root, "docs", "deploy.md"), "utf8");
  const adopt = readFileSync(join(root, "docs", "adopt.md"), "utf8");
  /** `vault policy write NAME examples/deploy/FILE` in a page: FILE → NAME. */
  const written = (page: string) =>
    Object.fromEntries(
      [...page.matchAll(/vault policy write (\S+) examples\/deploy\/(vault-(?:deploy|plan)-policy\.hcl)/g)].map(
        ([, name, file]) => [file, name],
      ),
    );
  const example = /<!-- test:external-policies -->\n```yaml\n([\s\S]*?)```/.exec(adopt)?.[1] ?? "";

  test("the pages write both example policies under one name each, the deploy guide's deploy name included", () => {
    expect(written(readme)).toEqual({ "vault-deploy-policy.hcl": "vault-k8s-auth-deploy" });
    expect(written(adopt)).toEqual({
      "vault-deploy-policy.hcl": "vault-k8s-auth-deploy",
      "vault-plan-policy.hcl": "vault-k8s-auth-plan",
    });
    for (const file of Object.keys(written(adopt)))
      expect(existsSync(join(root, "examples", "deploy", file))).toBe(true);
  });

  test("docs/adopt.md's config declares exactly those policies, and its roles name them: it validates and synthesizes", () => {
    const [cluster] = parseConfigText(example, "docs/adopt.md").clusters;
    expect(cluster.externalPolicies).toEqual(Object.values(written(adopt)));
    const json = synthJson(new VaultK8sAuthStack(Testing.app(), cluster.name, { cluster }));
    const roles = Object.values(json.resource.vault_kubernetes_auth_backend_role);
    expect(Object.fromEntries(roles.map((role) => [role.role_name, role.token_policies]))).toEqual({
      atlantis: ["vault-k8s-auth-deploy"],
      "atlantis-plan": ["vault-k8s-auth-plan"],
    });
    expect(json.resource.vault_policy).toBeUndefined();
  });

  test("can answers for the apply role and names the deploy policy it left out", () => {
    const [cluster] = parseConfigText(example, "docs/adopt.md").clusters;
    expect(can({ cluster, roleName: "atlantis", path: "sys/auth/atlantis" }).leftOut).toEqual([
      "vault-k8s-auth-deploy",
    ]);
  });
});
