/**
 * clusters[].externalPolicies on the real Vault: a policy written outside the stack (as
 * `vault policy write` does) is named by the role, reaches the token at login and grants what it
 * says, and the stack neither rewrites nor deletes it. `can` leaves it out and says so, which is
 * where its answer and Vault's sys/capabilities-self differ, and only there.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Checks, ScenarioContext } from "./scenarios";

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExternalPolicyTools {
  /** The long-lived-token config the scenarios deployed, as data: one cluster, role atlantis. */
  readonly entry: { clusters: Record<string, unknown>[] };
  /** `cdktf deploy` of a config file: a failure detail, or nothing. */
  readonly deploy: (configFile: string) => Promise<string | undefined>;
  /** vault-login.sh as role atlantis with a token Vault accepts. */
  readonly login: () => Ran;
  /** vault-read-secret.sh PATH access_key with a Vault token. */
  readonly readSecret: (token: string, path: string) => Ran;
}

const NAME = "team-read";
/** What the policy written outside the stack grants: the secret the stack's own policy does not. */
const HCL = 'path "secret/data/other" {\n  capabilities = ["read"]\n}\n';

export async function externalPolicies(ctx: ScenarioContext, checks: Checks, tools: ExternalPolicyTools) {
  const { plane } = ctx;
  const written = await plane.vault(`/v1/sys/policies/acl/${NAME}`, { body: { policy: HCL } });
  if (written.status !== 204 && written.status !== 200) {
    checks.skip("externalPolicies", `writing policy ${NAME} answered ${written.status}: ${written.body}`);
    return;
  }
  const [cluster] = tools.entry.clusters;
  const [role] = cluster.roles as Record<string, unknown>[];
  const config = {
    clusters: [
      {
        ...cluster,
        externalPolicies: [NAME],
        roles: [{ ...role, tokenPolicies: [...(role.tokenPolicies as string[]), NAME] }],
      },
    ],
  };
  const file = join(ctx.work, "external-policies.json");
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  if (
    !(await checks.run("externalPolicies: cdktf deploy names a policy written outside the stack", () =>
      tools.deploy(file),
    ))
  ) {
    return;
  }
  let token = "";
  await checks.run("externalPolicies: the token carries it next to the stack's own policy", async () => {
    const login = tools.login();
    token = login.stdout.trim();
    if (login.status !== 0 || !token) return `login exit ${login.status}: ${login.stderr}`;
    const self = (await plane.vault("/v1/auth/token/lookup-self", { token })).json<{ data: { policies: string[] } }>();
    const policies = [...self.data.policies].sort().join(",");
    return policies === `atlantis-read,default,${NAME}` ? undefined : `policies ${policies}`;
  });
  if (!token) return;
  await checks.run("externalPolicies: it grants what it says (secret/other, which the stack's policy does not)", () => {
    const read = tools.readSecret(token, "other");
    return read.status === 0 && read.stdout.trim() === "not-for-atlantis"
      ? undefined
      : `exit ${read.status}: ${read.stderr}${read.stdout}`;
  });
  await checks.run("externalPolicies: the stack left the policy as it was written", async () => {
    const policy = (await plane.vault(`/v1/sys/policies/acl/${NAME}`)).json<{ data: { policy: string } }>();
    return policy.data.policy === HCL ? undefined : `policy now reads ${JSON.stringify(policy.data.policy)}`;
  });
  await checks.run("externalPolicies: can names it as left out, and differs from Vault on its path only", async () => {
    const paths = ["secret/data/other", "secret/data/myscrt"];
    const vault = (await plane.vault("/v1/sys/capabilities-self", { token, body: { paths } })).json<
      Record<string, string[]>
    >();
    const answers = paths.map((path) => {
      const can = spawnSync(
        process.execPath,
        [join(ctx.root, "bin", "vault-k8s-auth.js"), "can", path, "--config", file, "--role", "atlantis", "--json"],
        { encoding: "utf8" },
      );
      return JSON.parse(can.stdout) as { capabilities: string[]; leftOut: string[] };
    });
    const [other, myscrt] = answers;
    if (other.leftOut.join() !== NAME) return `can's leftOut: ${JSON.stringify(other.leftOut)}`;
    if (other.capabilities.join() !== "deny" || vault["secret/data/other"]?.join() !== "read") {
      return `secret/data/other: can ${other.capabilities}, Vault ${vault["secret/data/other"]}`;
    }
    return myscrt.capabilities.join() === [...(vault["secret/data/myscrt"] ?? [])].sort().join()
      ? undefined
      : `secret/data/myscrt: can ${myscrt.capabilities}, Vault ${vault["secret/data/myscrt"]}`;
  });
}
