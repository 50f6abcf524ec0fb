/**
 * The live-Vault commands (drift, doctor --live, can --live) against the local control plane's
 * real Vault, after the deploy scenarios: a role made by hand and a token_period edited by hand
 * are found by drift, and a second deploy leaves only the unowned role; doctor --live predicts the
 * real login of roles made by hand (no config) for both auth methods; can --live answers what
 * sys/capabilities answers; and examples/vault-live-read-policy.hcl is exactly enough.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { providerPolicyText } from "../../src/answers/live/desired";
import { PolicyPresets } from "../../src/policy/presets";
import type { Checks, ScenarioContext } from "./scenarios";

export interface LiveContext {
  /** The deployed config of stack "local" (long-lived-token reviewer, mount atlantis, role atlantis). */
  readonly config: string;
  /** Deploys `config` again; a failure detail or nothing. */
  readonly deploy: () => Promise<string | undefined>;
  /** Token files: audience vault, the API server's audience, and another ServiceAccount's. */
  readonly tokens: Record<"vaultAudience" | "apiAudience" | "intruder", string>;
}

/** The jwt method scenario's mount (scenarios.ts, jwtMethod), when its stack was deployed. */
const JWT_MOUNT = "atlantis-jwt";

const MOUNT = "atlantis";
const READ_POLICY = "vault-k8s-auth-read";

interface Cli {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function liveVault(ctx: ScenarioContext, checks: Checks, live: LiveContext): Promise<void> {
  const { plane } = ctx;
  const rootEnv = { VAULT_TOKEN: plane.vaultToken };
  const cli = (args: string[], env: Record<string, string> = rootEnv): Cli => {
    const result = spawnSync(process.execPath, [join(ctx.root, "bin", "vault-k8s-auth.js"), ...args], {
      cwd: ctx.work,
      encoding: "utf8",
      // HOME: no ~/.vault-token of the machine's user is read.
      env: {
        PATH: process.env.PATH,
        HOME: ctx.work,
        VAULT_ADDR: plane.vaultAddr,
        VAULT_CACERT: plane.vaultCaFile,
        ...env,
      },
      timeout: 120_000,
    });
    return { status: result.status ?? -1, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
  };
  const vault = async (path: string, body?: unknown, token?: string) => {
    const response = await plane.vault(`/v1/${path}`, {
      ...(body !== undefined ? { body } : {}),
      ...(token ? { token } : {}),
    });
    if (response.status >= 400) throw new Error(`${path}: ${response.status} ${response.body.slice(0, 300)}`);
    return response;
  };
  const drift = (env?: Record<string, string>) => cli(["drift", "--config", live.config, "--json"], env);
  const findings = (result: Cli) => {
    const report = JSON.parse(result.stdout) as {
      clusters: { unowned: unknown[]; changed: unknown[]; missing: unknown[] }[];
    };
    const { unowned, changed, missing } = report.clusters[0];
    return { unowned, changed, missing };
  };

  await checks.run(
    "live: Vault holds the deployed policy in the text drift predicts (compared without a parse)",
    async () => {
      const held = (await vault("sys/policies/acl/atlantis-read")).json<{ data: { policy: string } }>().data.policy;
      const predicted = providerPolicyText(PolicyPresets.kvReadOnly("secret", "myscrt"));
      return held === predicted
        ? undefined
        : `Vault holds ${JSON.stringify(held)}, predicted ${JSON.stringify(predicted)}`;
    },
  );
  const clean = await checks.run("live: drift finds no drift in the deployed stack (exit 0)", () => {
    const result = drift();
    return result.status === 0 ? undefined : `exit ${result.status}: ${result.stdout}${result.stderr}`;
  });
  if (!clean) return;

  // By hand, through Vault's HTTP API: a role no config names, and a period edited on an owned role.
  await vault(`auth/${MOUNT}/role/handmade`, {
    bound_service_account_names: ["atlantis"],
    bound_service_account_namespaces: ["atlantis"],
    audience: "vault",
    token_policies: ["atlantis-read"],
  });
  await vault(`auth/${MOUNT}/role/atlantis`, { token_period: 3600 });
  await checks.run("live: drift reports the hand-made role and the hand-edited token_period (exit 1)", () => {
    const result = drift();
    if (result.status !== 1) return `exit ${result.status}: ${result.stdout}${result.stderr}`;
    const found = findings(result);
    const want = {
      unowned: [{ kind: "role", path: `auth/${MOUNT}/role/handmade` }],
      changed: [{ kind: "role", path: `auth/${MOUNT}/role/atlantis`, field: "token_period", want: 1800, have: 3600 }],
      missing: [],
    };
    const roles = { ...found, unowned: found.unowned.filter((item) => (item as { kind: string }).kind === "role") };
    return JSON.stringify(roles) === JSON.stringify(want) ? undefined : `drift said ${JSON.stringify(found)}`;
  });
  const redeployed = await checks.run("live: cdktf deploy again puts token_period back", live.deploy);
  if (redeployed) {
    await checks.run("live: after the second deploy only the unowned role remains (exit 1)", () => {
      const result = drift();
      const found = findings(result);
      const roles = found.unowned.filter((item) => (item as { kind: string }).kind === "role");
      return result.status === 1 &&
        found.changed.length === 0 &&
        found.missing.length === 0 &&
        JSON.stringify(roles) === JSON.stringify([{ kind: "role", path: `auth/${MOUNT}/role/handmade` }])
        ? undefined
        : `exit ${result.status}: ${result.stdout}${result.stderr}`;
    });
  }

  // doctor --live on roles made by hand (no config): its verdict against Vault's own login.
  const predict = async (name: string, mount: string, role: string, tokenFile: string) =>
    checks.run(`live: doctor --live predicts Vault's login: ${name}`, async () => {
      const login = await plane.vault(`/v1/auth/${mount}/login`, {
        body: { role, jwt: readFileSync(tokenFile, "utf8").trim() },
        token: "",
      });
      const doctor = cli(["doctor", "--live", "--mount", mount, "--role", role, "--jwt", tokenFile]);
      if (doctor.status === 2) return `doctor exited 2: ${doctor.stderr}`;
      const vaultSays = login.status === 200 ? "accepts" : "refuses";
      const doctorSays = doctor.status === 0 ? "accepts" : "refuses";
      return vaultSays === doctorSays
        ? undefined
        : `Vault ${vaultSays} (${login.status} ${login.body.slice(0, 200)}), doctor ${doctorSays}: ${doctor.stdout}`;
    });
  await predict("kubernetes, audience vault, accepted", MOUNT, "handmade", live.tokens.vaultAudience);
  await predict("kubernetes, the API server's audience, refused", MOUNT, "handmade", live.tokens.apiAudience);
  await predict("kubernetes, another ServiceAccount, refused", MOUNT, "handmade", live.tokens.intruder);
  const mounts = (await vault("sys/auth")).json<{ data: Record<string, { type: string }> }>().data;
  if (mounts[`${JWT_MOUNT}/`]?.type === "jwt") {
    await checks.run("live: drift finds no drift in the deployed jwt stack (exit 0)", () => {
      const result = cli(["drift", "--config", join(ctx.work, "jwt.json"), "--json"]);
      return result.status === 0 ? undefined : `exit ${result.status}: ${result.stdout}${result.stderr}`;
    });
    await vault(`auth/${JWT_MOUNT}/role/handmade`, {
      role_type: "jwt",
      user_claim: "sub",
      bound_audiences: ["vault"],
      bound_claims: { sub: ["system:serviceaccount:atlantis:atlantis"] },
      token_policies: ["atlantis-read"],
    });
    await predict("jwt, audience vault, accepted", JWT_MOUNT, "handmade", live.tokens.vaultAudience);
    await predict("jwt, the API server's audience, refused", JWT_MOUNT, "handmade", live.tokens.apiAudience);
    await predict("jwt, another ServiceAccount (sub), refused", JWT_MOUNT, "handmade", live.tokens.intruder);
  } else {
    checks.skip("live: doctor --live on a jwt mount", "the jwt method's stack was not deployed");
  }

  // can --live against sys/capabilities for a token of those policies.
  const child = (await vault("auth/token/create", { policies: ["atlantis-read"] })).json<{
    auth: { client_token: string };
  }>().auth.client_token;
  const paths = [
    "secret/data/myscrt",
    "secret/metadata/myscrt",
    "secret/data/other",
    "auth/token/lookup-self",
    "sys/capabilities-self",
    "cubbyhole/anything",
    "sys/mounts",
  ];
  const capabilities = (await vault("sys/capabilities", { token: child, paths })).json<Record<string, string[]>>();
  for (const path of paths) {
    for (const how of [
      ["--policy", "atlantis-read"],
      ["--mount", MOUNT, "--role", "atlantis"],
    ]) {
      await checks.run(`live: can ${path} --live ${how.join(" ")} equals sys/capabilities`, () => {
        const can = cli(["can", path, "--live", ...how, "--json"]);
        if (can.status === 2) return `can exited 2: ${can.stderr}`;
        const ours = [...(JSON.parse(can.stdout) as { capabilities: string[] }).capabilities].sort().join(",");
        const theirs = [...(capabilities[path] ?? [])].sort().join(",");
        return ours === theirs ? undefined : `can says [${ours}], Vault says [${theirs}]`;
      });
    }
  }

  // examples/vault-live-read-policy.hcl is enough, alone (no default policy), and a capability
  // taken out of it is named with its path.
  const policyText = readFileSync(join(ctx.root, "examples", "vault-live-read-policy.hcl"), "utf8");
  await vault(`sys/policies/acl/${READ_POLICY}`, { policy: policyText });
  const reader = (await vault("auth/token/create", { policies: [READ_POLICY], no_default_policy: true })).json<{
    auth: { client_token: string };
  }>().auth.client_token;
  const asReader = { VAULT_TOKEN: reader };
  await checks.run(
    "live: with exactly the read-only example policy, drift, doctor --live and can --live answer",
    () => {
      const answers = [
        drift(asReader),
        cli(["doctor", "--live", "--mount", MOUNT, "--role", "handmade", "--jwt", live.tokens.vaultAudience], asReader),
        cli(["can", "secret/data/myscrt", "--live", "--mount", MOUNT, "--role", "atlantis"], asReader),
      ];
      const broken = answers.filter((answer) => answer.status === 2);
      return broken.length === 0 ? undefined : broken.map((answer) => answer.stderr).join(" | ");
    },
  );
  await vault(`sys/policies/acl/${READ_POLICY}-no-list`, {
    policy: policyText.replace(/path "auth\/\+\/role" \{\s*capabilities = \["list"\]\s*\}/, ""),
  });
  const noList = (
    await vault("auth/token/create", { policies: [`${READ_POLICY}-no-list`], no_default_policy: true })
  ).json<{
    auth: { client_token: string };
  }>().auth.client_token;
  await checks.run("live: without list on auth/+/role, drift exits 2 naming the capability and the path", () => {
    const result = drift({ VAULT_TOKEN: noList });
    const want = `needs list on auth/${MOUNT}/role;`;
    return result.status === 2 && result.stderr.includes(want) && !result.stderr.includes(noList)
      ? undefined
      : `exit ${result.status}: ${result.stderr}`;
  });

  await checks.run("live: a VAULT_CACERT that did not sign Vault's certificate: exit 2 naming it", () => {
    const wrong = join(ctx.root, "test", "fixtures", "test-ca.pem");
    const result = drift({ VAULT_TOKEN: plane.vaultToken, VAULT_CACERT: wrong });
    return result.status === 2 &&
      result.stderr.includes(`VAULT_CACERT=${wrong}`) &&
      !result.stderr.includes(plane.vaultToken)
      ? undefined
      : `exit ${result.status}: ${result.stderr}`;
  });
}
