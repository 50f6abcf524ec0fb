import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { API_AUDIENCE, type ControlPlane } from "./control-plane";
import { externalPolicies } from "./external-policies";
import { globRoles } from "./glob-roles";
import { jwtDiscovery } from "./jwt-discovery";
import { liveVault } from "./live";
import { cliConfig, mirrorView } from "./providers";
import { adoptingConfig, SEED_RESOURCES, seedForThisCluster, terraform } from "./seed-import";

export interface ScenarioContext {
  readonly root: string;
  readonly work: string;
  readonly plane: ControlPlane;
  readonly mirror: string;
  readonly progress: (line: string) => void;
  /** The Terraform CLI cdktf runs (TERRAFORM_BINARY_NAME), named in every check line; default: terraform on PATH. */
  readonly cli?: { readonly label: string; readonly binary: string };
  /** false: only what depends on the Terraform CLI (no doctor/can comparisons, which another pass makes). */
  readonly full?: boolean;
}

const STACK = "local";
const MOUNT = "atlantis";

/** Prints one verdict line per check and counts them. A check returns a failure detail or nothing. */
export class Checks {
  passed = 0;
  failed = 0;

  /** `label` (e.g. the Terraform CLI and its version) goes in front of every check name. */
  constructor(private readonly label?: string) {}

  async run(name: string, check: () => Promise<string | undefined> | string | undefined): Promise<boolean> {
    if (this.label) name = `[${this.label}] ${name}`;
    let detail: string | undefined;
    try {
      detail = await check();
    } catch (error) {
      detail = (error as Error).message;
    }
    if (detail === undefined) {
      this.passed += 1;
      process.stdout.write(`ok   ${name}\n`);
      return true;
    }
    this.failed += 1;
    process.stdout.write(`FAIL ${name}: ${detail.replace(/\s+/g, " ").slice(0, 600)}\n`);
    return false;
  }

  skip(name: string, reason: string): void {
    if (this.label) name = `[${this.label}] ${name}`;
    process.stdout.write(`skip ${name}: ${reason}\n`);
  }
}

/** How a cluster entry reaches this control plane and this Vault (the connection fields). */
export function connection(plane: ControlPlane) {
  return {
    kubernetes: {
      host: plane.host,
      caCertificate: plane.caPem,
      kubeconfig: { path: plane.kubeconfig, context: plane.context },
    },
    vault: { address: plane.vaultAddr },
  };
}

/**
 * One cluster entry as a user would write it: role atlantis for ServiceAccount atlantis/atlantis
 * with a policy that reads secret/myscrt, on the mount `auth` describes.
 */
function config(
  ctx: ScenarioContext,
  options: { name?: string; policy?: string; auth: Record<string, unknown>; audience?: string },
) {
  const policy = options.policy ?? "atlantis-read";
  return {
    clusters: [
      {
        name: options.name ?? STACK,
        ...connection(ctx.plane),
        auth: options.auth,
        policies: [{ name: policy, rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] }],
        roles: [
          {
            name: "atlantis",
            boundServiceAccountNames: ["atlantis"],
            boundServiceAccountNamespaces: ["atlantis"],
            tokenPolicies: [policy],
            tokenPeriod: "1800s",
            ...(options.audience ? { audience: options.audience } : {}),
          },
        ],
      },
    ],
  };
}

const LONG_LIVED = {
  path: MOUNT,
  reviewer: { mode: "long-lived-token", serviceAccountName: "vault-reviewer", namespace: "vault" },
};
const CLIENT_JWT = { path: MOUNT, reviewer: { mode: "client-jwt" } };
/** The JWT method, trusting this API server's ServiceAccount signing key (its issuer is not public). */
const jwtAuth = (plane: ControlPlane, path: string) => ({
  method: "jwt",
  path,
  jwt: { issuer: API_AUDIENCE, publicKeys: [plane.serviceAccountPublicKey] },
});

export async function runScenarios(ctx: ScenarioContext): Promise<{ passed: number; failed: number }> {
  const checks = new Checks(ctx.cli?.label);
  const { plane } = ctx;
  writeFileSync(join(ctx.work, "terraformrc"), cliConfig(mirrorView(ctx.mirror, join(ctx.work, "providers"))));

  ctx.progress("creating namespaces atlantis and vault, ServiceAccounts atlantis and intruder, KV secrets");
  for (const ns of ["atlantis", "vault"]) {
    await expectStatus(
      plane.kube("/api/v1/namespaces", "POST", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }),
      [201, 409],
    );
  }
  for (const sa of ["atlantis", "intruder"]) {
    await expectStatus(
      plane.kube("/api/v1/namespaces/atlantis/serviceaccounts", "POST", {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: sa },
      }),
      [201, 409],
    );
  }
  const accessKey = `e2e-${Date.now().toString(36)}`;
  await expectStatus(plane.vault("/v1/secret/data/myscrt", { body: { data: { access_key: accessKey } } }), [200]);
  await expectStatus(
    plane.vault("/v1/secret/data/other", { body: { data: { access_key: "not-for-atlantis" } } }),
    [200],
  );

  const tokens = {
    vaultAudience: await serviceAccountToken(ctx, "atlantis", ["vault"], "atlantis-aud-vault.jwt"),
    apiAudience: await serviceAccountToken(ctx, "atlantis", undefined, "atlantis-aud-api.jwt"),
    intruder: await serviceAccountToken(ctx, "intruder", ["vault"], "intruder-aud-vault.jwt"),
  };

  // --- long-lived-token reviewer, role bound to an audience
  const longLived = writeConfig(ctx, "long-lived.json", config(ctx, { auth: LONG_LIVED, audience: "vault" }));
  const deployed = await checks.run("long-lived-token: cdktf deploy applies the stack", () =>
    cdktf(ctx, "deploy", longLived),
  );
  if (deployed) {
    let token = "";
    await checks.run("long-lived-token: the reviewer's token Secret is populated by the token controller", async () => {
      const secrets = (await plane.kube("/api/v1/namespaces/vault/secrets")).json<{
        items: { type: string; data?: { token?: string } }[];
      }>();
      const reviewer = secrets.items.find((s) => s.type === "kubernetes.io/service-account-token");
      return reviewer?.data?.token ? undefined : "no service-account-token Secret with a token in namespace vault";
    });
    await checks.run(
      "long-lived-token: a projected token with audience vault logs in through scripts/vault-login.sh",
      () => {
        const login = podLogin(ctx, tokens.vaultAudience);
        token = login.stdout.trim();
        return login.status === 0 && token ? undefined : `exit ${login.status}: ${login.stderr}`;
      },
    );
    if (token) {
      await checks.run(
        "long-lived-token: the Vault token carries the role's policies and its 1800 s period",
        async () => {
          const self = (await plane.vault("/v1/auth/token/lookup-self", { token })).json<{
            data: { policies: string[]; period: number };
          }>();
          const policies = [...self.data.policies].sort().join(",");
          if (policies !== "atlantis-read,default") return `policies ${policies}`;
          return self.data.period === 1800 ? undefined : `period ${self.data.period}`;
        },
      );
      await checks.run("long-lived-token: the token reads secret/myscrt with scripts/vault-read-secret.sh", () => {
        const read = readSecret(ctx, token, "myscrt");
        return read.status === 0 && read.stdout.trim() === accessKey
          ? undefined
          : `exit ${read.status}: ${read.stderr}${read.stdout}`;
      });
      await checks.run("long-lived-token: the token is refused secret/other", () => {
        const read = readSecret(ctx, token, "other");
        return read.status !== 0 && /permission denied|403/i.test(read.stderr)
          ? undefined
          : `exit ${read.status}: ${read.stderr}`;
      });
      if (ctx.full !== false) await compareCan(ctx, checks, longLived, token);
    }
    await refusedLogin(
      ctx,
      checks,
      longLived,
      "long-lived-token: another ServiceAccount (atlantis/intruder) is refused",
      tokens.intruder,
    );
    await refusedLogin(
      ctx,
      checks,
      longLived,
      "long-lived-token: a token without audience vault (the API server's) is refused",
      tokens.apiAudience,
    );
    if (ctx.full !== false)
      await externalPolicies(ctx, checks, {
        entry: config(ctx, { auth: LONG_LIVED, audience: "vault" }),
        deploy: (file) => cdktf(ctx, "deploy", file),
        login: () => podLogin(ctx, tokens.vaultAudience),
        readSecret: (token, path) => readSecret(ctx, token, path),
      });

    // --- a renamed mount: disable_remount turns the in-place remount into a replacement, and
    // prevent_destroy refuses that at plan time, so no token issued by the mount is revoked.
    const renamed = writeConfig(
      ctx,
      "renamed.json",
      config(ctx, { auth: { ...LONG_LIVED, path: "atlantis-renamed" }, audience: "vault" }),
    );
    await checks.run("a renamed auth.path is refused at plan by prevent_destroy, and the mount stays", async () => {
      const refused = await refusedAtPlan(ctx, renamed, /prevent_destroy/, "the rename would be applied");
      if (refused) return refused;
      const mounts = (await plane.vault("/v1/sys/auth")).json<Record<string, unknown>>();
      return `${MOUNT}/` in mounts ? undefined : "the mount is gone";
    });

    // --- a method switch on a deployed mount: the old block goes, and prevent_destroy with it, so
    // the JWT mount's precondition is what keeps the Kubernetes mount (and its tokens) alive.
    const methodSwitch = writeConfig(
      ctx,
      "method-switch.json",
      config(ctx, { auth: jwtAuth(plane, MOUNT), audience: "vault" }),
    );
    await checks.run(
      "auth.method kubernetes -> jwt on the same path is refused at plan, and the mount stays",
      async () => {
        const refused = await refusedAtPlan(
          ctx,
          methodSwitch,
          /Kubernetes auth mount at auth\/atlantis/,
          "the switch would destroy the Kubernetes mount",
        );
        if (refused) return refused;
        const mounts = (await plane.vault("/v1/sys/auth")).json<Record<string, { type?: string }>>();
        return mounts[`${MOUNT}/`]?.type === "kubernetes" ? undefined : "the Kubernetes mount is gone";
      },
    );
  }

  // --- client-jwt: Vault keeps no reviewer token; each pod's own JWT must pass the TokenReview,
  // so it has to carry the API server's audience.
  const clientJwt = writeConfig(ctx, "client-jwt.json", config(ctx, { auth: CLIENT_JWT }));
  if (await checks.run("client-jwt: switching the reviewer applies in place", () => cdktf(ctx, "deploy", clientJwt))) {
    await checks.run("client-jwt: a token with the API server's audience logs in", () =>
      loginFails(ctx, tokens.apiAudience),
    );
    await refusedLogin(
      ctx,
      checks,
      clientJwt,
      "client-jwt: a token with audience vault is refused by the TokenReview",
      tokens.vaultAudience,
    );
  }

  // --- back to long-lived-token: disable_local_ca_jwt must be sent as false, or Vault keeps the
  // client-jwt period's true (the field is Optional+Computed in the provider).
  if (
    await checks.run("client-jwt -> long-lived-token: the switch back applies", () => cdktf(ctx, "deploy", longLived))
  ) {
    await checks.run(
      "client-jwt -> long-lived-token: Vault's mount config has disable_local_ca_jwt false again",
      async () => {
        const cfg = (await plane.vault(`/v1/auth/${MOUNT}/config`)).json<{ data: { disable_local_ca_jwt: boolean } }>();
        return cfg.data.disable_local_ca_jwt === false
          ? undefined
          : `disable_local_ca_jwt is ${cfg.data.disable_local_ca_jwt}`;
      },
    );
    await checks.run("client-jwt -> long-lived-token: the audience-vault token logs in again", () =>
      loginFails(ctx, tokens.vaultAudience),
    );
  }
  await jwtMethod(ctx, checks, tokens);
  if (ctx.full !== false) {
    // Vault's and the API server's behaviour, not the CLI's: once, with the terraform on PATH.
    await jwtDiscovery(ctx, checks, tokens.vaultAudience);
    await globRoles(ctx, checks);
  }
  await seedImport(ctx, checks, tokens.apiAudience);
  if (ctx.full !== false && deployed)
    await liveVault(ctx, checks, { config: longLived, deploy: () => cdktf(ctx, "deploy", longLived), tokens });
  if (ctx.full !== false)
    checks.skip(
      "vault-pod reviewer",
      "needs Vault inside a pod of the cluster; this control plane runs no kubelet (covered by the kind e2e)",
    );
  return { passed: checks.passed, failed: checks.failed };
}

/**
 * auth.method: jwt with the issuer's keys pinned (this API server's issuer is not reachable over
 * https, as for a private cluster): Vault checks the signature, iss, aud and sub itself.
 */
async function jwtMethod(
  ctx: ScenarioContext,
  checks: Checks,
  tokens: Record<"vaultAudience" | "apiAudience" | "intruder", string>,
) {
  const { plane } = ctx;
  const mount = "atlantis-jwt";
  const file = writeConfig(
    ctx,
    "jwt.json",
    config(ctx, { name: "jwt", policy: "jwt-read", auth: jwtAuth(plane, mount), audience: "vault" }),
  );
  const deployed = await checks.run("jwt method: cdktf deploy mounts JWT auth with the issuer's public key", () =>
    cdktf(ctx, "deploy", file, "jwt"),
  );
  if (!deployed) return;
  await checks.run(
    "jwt method: a projected token with audience vault logs in through scripts/vault-login.sh",
    async () => {
      const login = podLogin(ctx, tokens.vaultAudience, mount);
      if (login.status !== 0) return `exit ${login.status}: ${login.stderr}`;
      const self = (await plane.vault("/v1/auth/token/lookup-self", { token: login.stdout.trim() })).json<{
        data: { policies: string[] };
      }>();
      const policies = [...self.data.policies].sort().join(",");
      return policies === "default,jwt-read" ? undefined : `policies ${policies}`;
    },
  );
  await refusedLogin(ctx, checks, file, "jwt method: another ServiceAccount (sub) is refused", tokens.intruder, mount);
  await refusedLogin(
    ctx,
    checks,
    file,
    "jwt method: a token with the API server's audience is refused",
    tokens.apiAudience,
    mount,
  );
}

/** docs/migration-from-seed.md for real: the seed applied, forgotten, then adopted by importExisting. */
async function seedImport(ctx: ScenarioContext, checks: Checks, tokenFile: string): Promise<void> {
  const { plane } = ctx;
  const dir = join(ctx.work, "seed");
  mkdirSync(dir, { recursive: true });
  const fixture = join(ctx.root, "test", "fixtures", "seed.tf");
  writeFileSync(
    join(dir, "main.tf"),
    seedForThisCluster(fixture, plane.host, plane.kubeconfig, plane.context, plane.vaultAddr),
  );
  const env = deployEnv(ctx, "");
  const applied = await checks.run("importExisting: the seed's HCL applies with the same providers", () => {
    for (const args of [
      ["init", "-input=false", "-no-color"],
      ["apply", "-auto-approve", "-input=false", "-no-color"],
    ]) {
      const result = terraform(dir, env, args);
      if (result.status !== 0) return `terraform ${args[0]} exited ${result.status}: ${tail(result.output)}`;
    }
    return undefined;
  });
  if (!applied) return;
  const accessor = async () =>
    (await plane.vault("/v1/sys/auth")).json<Record<string, { accessor?: string }>>()["seed-atlantis/"]?.accessor;
  const before = await accessor();
  const forgotten = await checks.run(
    "importExisting: terraform state rm forgets the seed's objects, which keep running",
    () => {
      const result = terraform(dir, env, ["state", "rm", ...SEED_RESOURCES]);
      return result.status === 0 ? undefined : `terraform state rm exited ${result.status}: ${tail(result.output)}`;
    },
  );
  if (!forgotten) return;
  const adopting = writeConfig(ctx, "seed-adopt.json", adoptingConfig(connection(plane)));
  const adopted = await checks.run(
    "importExisting: cdktf deploy adopts the seed's mount, whose accessor stays the same",
    async () => {
      const failed = await cdktf(ctx, "deploy", adopting, "seed");
      if (failed) return failed;
      const after = await accessor();
      return before && after === before
        ? undefined
        : `mount accessor ${before} became ${after}: the mount was recreated`;
    },
  );
  if (adopted) {
    await checks.run("importExisting: the adopted role logs in, now that the reviewer JWT is not empty", () =>
      loginFails(ctx, tokenFile, "seed-atlantis"),
    );
  }
}

export async function expectStatus(response: Promise<{ status: number; body: string }>, ok: number[]): Promise<void> {
  const { status, body } = await response;
  if (!ok.includes(status)) throw new Error(`setup call answered ${status}: ${body.slice(0, 300)}`);
}

/** `kubectl create token` through the TokenRequest API; without audiences: the API server's. */
export async function serviceAccountToken(
  ctx: ScenarioContext,
  name: string,
  audiences: string[] | undefined,
  file: string,
): Promise<string> {
  const response = await ctx.plane.kube(`/api/v1/namespaces/atlantis/serviceaccounts/${name}/token`, "POST", {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { expirationSeconds: 3600, ...(audiences ? { audiences } : {}) },
  });
  if (response.status !== 201)
    throw new Error(`TokenRequest for atlantis/${name}: ${response.status} ${response.body}`);
  const path = join(ctx.work, file);
  writeFileSync(path, response.json<{ status: { token: string } }>().status.token, { mode: 0o600 });
  return path;
}

export function writeConfig(ctx: ScenarioContext, name: string, value: unknown): string {
  const path = join(ctx.work, name);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}

function deployEnv(ctx: ScenarioContext, configFile: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_CLI_CONFIG_FILE: join(ctx.work, "terraformrc"),
    TF_PLUGIN_CACHE_DIR: "",
    VAULT_K8S_AUTH_CONFIG: configFile,
    ...(ctx.cli ? { TERRAFORM_BINARY_NAME: ctx.cli.binary } : {}),
    VAULT_ADDR: ctx.plane.vaultAddr,
    VAULT_TOKEN: ctx.plane.vaultToken,
    VAULT_CACERT: ctx.plane.vaultCaFile,
    KUBE_CONFIG_PATH: "",
  };
}

async function cdktfResult(ctx: ScenarioContext, command: "deploy" | "diff", configFile: string, stack = STACK) {
  ctx.progress(`cdktf ${command} ${stack} with ${configFile}`);
  const args = [
    command,
    stack,
    "--output",
    join(ctx.work, "cdktf.out"),
    // Otherwise cdktf runs `terraform providers lock`, which asks the registry even with a mirror.
    "--skip-provider-lock",
    ...(command === "deploy" ? ["--auto-approve"] : []),
  ];
  const result = spawnSync(join(ctx.root, "node_modules", ".bin", "cdktf"), args, {
    cwd: ctx.root,
    env: deployEnv(ctx, configFile),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15 * 60_000,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  appendFileSync(join(ctx.work, "cdktf.log"), `\n===== cdktf ${args.join(" ")} (${configFile})\n${output}`);
  return { status: result.status ?? 1, output };
}

/** Runs cdktf; a failure detail, or nothing when it succeeded. */
export async function cdktf(
  ctx: ScenarioContext,
  command: "deploy" | "diff",
  configFile: string,
  stack = STACK,
): Promise<string | undefined> {
  const result = await cdktfResult(ctx, command, configFile, stack);
  return result.status === 0 ? undefined : `cdktf ${command} exited ${result.status}: ${tail(result.output)}`;
}

/** The plan must fail, and for the reason `because` matches; otherwise a failure detail. */
async function refusedAtPlan(
  ctx: ScenarioContext,
  configFile: string,
  because: RegExp,
  otherwise: string,
): Promise<string | undefined> {
  const plan = await cdktfResult(ctx, "diff", configFile);
  if (plan.status === 0) return `cdktf diff succeeded: ${otherwise}`;
  return because.test(plan.output) ? undefined : `plan failed for another reason: ${tail(plan.output)}`;
}

function tail(output: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the CLI's colour codes
  const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
  const errors = plain.split("\n").filter((line) => /Error|error|prevent_destroy/.test(line));
  return (errors.length > 0 ? errors : plain.split("\n")).slice(-8).join(" | ");
}

function podEnv(ctx: ScenarioContext, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, VAULT_ADDR: ctx.plane.vaultAddr, VAULT_CACERT: ctx.plane.vaultCaFile, ...extra };
}

export function podLogin(ctx: ScenarioContext, tokenFile: string, mount = MOUNT) {
  return spawnSync(
    "sh",
    [join(ctx.root, "scripts", "vault-login.sh"), "--role", "atlantis", "--mount", mount, "--token-file", tokenFile],
    {
      env: podEnv(ctx),
      encoding: "utf8",
    },
  );
}

/** A login that must succeed: a failure detail, or nothing when Vault answered with a token. */
function loginFails(ctx: ScenarioContext, tokenFile: string, mount = MOUNT): string | undefined {
  const login = podLogin(ctx, tokenFile, mount);
  return login.status === 0 ? undefined : `exit ${login.status}: ${login.stderr}`;
}

function readSecret(ctx: ScenarioContext, token: string, path: string) {
  return spawnSync("sh", [join(ctx.root, "scripts", "vault-read-secret.sh"), path, "access_key"], {
    env: podEnv(ctx, { VAULT_TOKEN: token }),
    encoding: "utf8",
  });
}

const CLI = (root: string) => join(root, "bin", "vault-k8s-auth.js");

const cliCommands = new Map<string, boolean>();

/** Whether the CLI has `command`; asked once per command, not once per check. */
function cliHas(ctx: ScenarioContext, command: string): boolean {
  let has = cliCommands.get(command);
  if (has === undefined) {
    has =
      existsSync(CLI(ctx.root)) &&
      spawnSync(process.execPath, [CLI(ctx.root), command, "--help"], { encoding: "utf8" }).status === 0;
    cliCommands.set(command, has);
  }
  return has;
}

/** Vault's reply to a refused login (what vault-login.sh prints) and the doctor check that must fail for it. */
const CAUSES = [
  { vault: /service account name not authorized/i, doctor: /service ?account|name/i },
  { vault: /namespace not authorized/i, doctor: /namespace/i },
  // The JWT method binds ServiceAccounts as the sub claim (vault-plugin-auth-jwt's bound_claims).
  { vault: /"?sub"?.*bound claim|bound claim.*"?sub"?/i, doctor: /\bsub\b|service ?account/i },
  { vault: /\baud/i, doctor: /audience/i },
  // A TokenReview that the API server refuses comes back as a bare "permission denied".
  { vault: /permission denied/i, doctor: /audience|token ?review|reviewer/i },
];

/** A refused login, and, where `doctor` exists, its offline verdict on the same token. */
async function refusedLogin(
  ctx: ScenarioContext,
  checks: Checks,
  configFile: string,
  name: string,
  tokenFile: string,
  mount = MOUNT,
): Promise<void> {
  let vaultSaid = "";
  await checks.run(name, () => {
    const login = podLogin(ctx, tokenFile, mount);
    vaultSaid = login.stderr;
    return login.status === 1 ? undefined : `exit ${login.status} (expected 1, refused): ${login.stderr}`;
  });
  if (ctx.full === false) return;
  if (!cliHas(ctx, "doctor"))
    return checks.skip(`${name}: doctor predicts it`, "vault-k8s-auth doctor does not exist yet");
  await checks.run(`${name}: doctor predicts it offline`, () => {
    const doctor = spawnSync(
      process.execPath,
      [CLI(ctx.root), "doctor", "--config", configFile, "--role", "atlantis", "--jwt", tokenFile, "--json"],
      { encoding: "utf8" },
    );
    if (doctor.status !== 1) return `doctor exited ${doctor.status} (expected 1): ${doctor.stdout}${doctor.stderr}`;
    const report = JSON.parse(doctor.stdout) as {
      ok: boolean;
      checks: { name: string; status: string; detail: string }[];
    };
    const failedChecks = report.checks.filter((c) => c.status === "fail");
    if (report.ok || failedChecks.length === 0) return "doctor found no failing check";
    const cause = CAUSES.find((c) => c.vault.test(vaultSaid));
    if (!cause) return `Vault's message names no cause this check knows: ${vaultSaid}`;
    const named = failedChecks.some((c) => cause.doctor.test(`${c.name} ${c.detail}`));
    return named
      ? undefined
      : `Vault said "${vaultSaid.trim()}", doctor failed ${failedChecks.map((c) => c.name).join(", ")}`;
  });
}

/** For the logged-in token: `vault-k8s-auth can` must answer what Vault's sys/capabilities-self does. */
async function compareCan(ctx: ScenarioContext, checks: Checks, configFile: string, token: string): Promise<void> {
  if (!cliHas(ctx, "can"))
    return checks.skip("can equals sys/capabilities-self", "vault-k8s-auth can does not exist yet");
  const paths = [
    "secret/data/myscrt",
    "secret/metadata/myscrt",
    "secret/data/other",
    "secret/data/myscrt/child",
    "auth/token/lookup-self",
    "auth/token/renew-self",
    "auth/token/create",
    "sys/capabilities-self",
    "sys/mounts",
    "cubbyhole/anything",
    "identity/entity/id",
  ];
  const answer = (await ctx.plane.vault("/v1/sys/capabilities-self", { token, body: { paths } })).json<
    Record<string, string[]>
  >();
  for (const path of paths) {
    await checks.run(`can ${path} equals Vault's sys/capabilities-self`, () => {
      const can = spawnSync(
        process.execPath,
        [CLI(ctx.root), "can", path, "--config", configFile, "--role", "atlantis", "--json"],
        {
          encoding: "utf8",
        },
      );
      if (can.status === 2) return `can exited 2: ${can.stderr}`;
      const ours = [...(JSON.parse(can.stdout) as { capabilities: string[] }).capabilities].sort().join(",");
      const vault = [...(answer[path] ?? [])].sort().join(",");
      return ours === vault ? undefined : `can says [${ours}], Vault says [${vault}]`;
    });
  }
}
