/**
 * `npm run bench:live` (and the last part of `npm run bench`): the live-Vault commands' costs.
 *
 * 1. Start-up before the network: `doctor --live` and `can --live`, as `npm run build` ships the
 *    CLI (the bundle), from spawn until their first request reaches a stand-in Vault on loopback,
 *    against `node -e 0`. Target: within 4× (wall, median). CPU time until the first connection
 *    is shown too: it hardly moves with the machine's load.
 * 2. `drift` over 20 clusters × 50 roles (and 10 policies each) against a real Vault: the local
 *    e2e's Vault 1.21.2 binary from its build cache (npm run test:e2e:local builds it once), started
 *    in memory on loopback and filled through its HTTP API, or a scratch Vault you name with
 *    BENCH_VAULT_ADDR, BENCH_VAULT_TOKEN and BENCH_VAULT_CACERT (it writes 20 mounts into it).
 *    Target: at most 10 s (wall, median). Skipped, and said so, when there is neither.
 *
 * A benchmark, not a test: exits 1 when a target is missed, 2 when a run breaks.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { bundleCli, CLI_BUNDLE } from "../scripts/bundle-cli";
import { desiredCluster, providerPolicyText } from "../src/answers/live/desired";
import { parseConfig } from "../src/config/load";
import type { ConfigInput } from "../src/config/schema";
import type { PolicyRule } from "../src/policy/capabilities";
import { COMPONENTS, cacheRoot, pinnedVersion } from "../test/e2e-local/build";
import { https } from "../test/e2e-local/http";
import { makePki } from "../test/e2e-local/pki";
import { freePort, Supervisor, waitFor } from "../test/e2e-local/processes";
import { median, runCount, writeKubeletToken } from "./common";
import { generateConfig } from "./generate-config";

const ROOT = resolve(__dirname, "..");
const STARTUP_TARGET = 4;
const DRIFT_TARGET_MS = 10_000;
const CLUSTERS = 20;
const ROLES = 50;
const POLICIES = 10;
const runs = runCount(3, 11);
const work = mkdtempSync(join(tmpdir(), "vault-k8s-auth-live-bench-"));
const supervisor = new Supervisor(work);
process.on("exit", () => supervisor.killAllNow());

/** The package as npm run build leaves it (bin/ beside dist/cli/bundle.js), in the scratch folder. */
function bundledBin(): string {
  const dir = join(work, "pkg");
  mkdirSync(join(dir, "bin"), { recursive: true });
  cpSync(join(ROOT, "bin", "vault-k8s-auth.js"), join(dir, "bin", "vault-k8s-auth.js"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  bundleCli(join(dir, CLI_BUNDLE));
  return join(dir, "bin", "vault-k8s-auth.js");
}

interface Run {
  readonly code: number;
  readonly stderr: string;
  /** ms from spawn to the first request at the stand-in Vault, or to exit when it made none. */
  readonly firstRequest: number;
  readonly exit: number;
}

/** Spawns node with `argv`; `arrived` resolves when the stand-in Vault sees the first request. */
function timed(argv: string[], env: NodeJS.ProcessEnv, arrived?: Promise<number>): Promise<Run> {
  return new Promise((done) => {
    const start = performance.now();
    const child = spawn(process.execPath, argv, { cwd: work, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let first = Number.NaN;
    void arrived?.then((at) => {
      first = at - start;
    });
    child.on("exit", (code) => {
      const exit = performance.now() - start;
      done({ code: code ?? -1, stderr, firstRequest: Number.isNaN(first) ? exit : first, exit });
    });
  });
}

async function startupBench(bin: string): Promise<boolean> {
  // A stand-in Vault: a role, a mount config and a policy, enough for both commands to answer.
  let notify: ((at: number) => void) | undefined;
  const server = createServer((req, res) => {
    notify?.(performance.now());
    notify = undefined;
    const path = new URL(req.url ?? "/", "http://v").pathname.replace(/^\/v1\//, "");
    const data: Record<string, unknown> =
      path === "sys/auth"
        ? { "kubernetes/": { type: "kubernetes" } }
        : path === "auth/kubernetes/role/atlantis"
          ? {
              bound_service_account_names: ["atlantis"],
              bound_service_account_namespaces: ["atlantis"],
              token_policies: ["app"],
            }
          : path === "auth/kubernetes/config"
            ? { disable_local_ca_jwt: true, disable_iss_validation: true }
            : { policy: 'path "secret/data/app" { capabilities = ["read"] }' };
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ data }));
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = writeKubeletToken(join(work, "token"));
  writeFileSync(join(work, "app.hcl"), 'path "secret/data/app" {\n  capabilities = ["read"]\n}\n');
  // network: timed to the first request; otherwise to exit. target: counted against the 4× target.
  const cases = [
    { name: "node -e 0", argv: ["-e", "0"], network: false, target: false },
    {
      name: "doctor --live",
      argv: [bin, "doctor", "--live", "--mount", "kubernetes", "--role", "atlantis", "--jwt", token],
      network: true,
      target: true,
    },
    {
      name: "can --live",
      argv: [bin, "can", "secret/data/app", "--live", "--policy", "app", "--no-default-policy"],
      network: true,
      target: true,
    },
    // For comparison, whole runs without a network: can on the config, and can parsing an HCL file.
    { name: "can --role", argv: [bin, "can", "secret/data/app", "--role", "atlantis"], network: false, target: false },
    {
      name: "can --policy-file",
      argv: [bin, "can", "secret/data/app", "--policy-file", "app=app.hcl"],
      network: false,
      target: false,
    },
  ].map((bench) => ({ ...bench, walls: [] as number[], cpus: [] as number[] }));
  const cpuFile = join(work, "cpu");
  const env = { ...process.env, VAULT_ADDR: address, VAULT_TOKEN: "bench", HOME: work };
  const once = async (bench: (typeof cases)[number]) => {
    const preload = ["--require", join(ROOT, "bench", bench.network ? "report-first-connect.cjs" : "report-cpu.cjs")];
    const arrived = bench.network ? new Promise<number>((at) => (notify = at)) : undefined;
    const run = await timed(
      [...preload, ...bench.argv],
      { ...env, BENCH_CPU_FILE: cpuFile, BENCH_CONNECT_FILE: cpuFile },
      arrived,
    );
    // can on the seed's admin role answers 0 as well; anything else means the run broke.
    if (run.code !== 0) throw new Error(`${bench.name}: exit ${run.code}\n${run.stderr}`);
    return { wall: run.firstRequest, cpu: Number(readFileSync(cpuFile, "utf8")) };
  };
  for (const bench of cases) await once(bench); // warm-up: file cache, not counted
  for (let round = 0; round < runs; round++) {
    for (const bench of cases) {
      const { wall, cpu } = await once(bench);
      bench.walls.push(wall);
      bench.cpus.push(cpu);
    }
    process.stderr.write(`\rstart-up round ${round + 1}/${runs}`);
  }
  process.stderr.write("\n");
  server.close();
  const base = median(cases[0].walls);
  const baseCpu = median(cases[0].cpus);
  console.log("start-up before the network (bundled CLI, stand-in Vault on loopback; * = whole run, no network)");
  console.log(
    `${"case".padEnd(18)}${"wall ms".padStart(10)}${"× node -e 0".padStart(14)}${"CPU ms".padStart(10)}${"× node -e 0".padStart(14)}`,
  );
  for (const bench of cases) {
    const wall = median(bench.walls);
    const cpu = median(bench.cpus);
    console.log(
      `${`${bench.name}${bench.network || bench.name === "node -e 0" ? "" : " *"}`.padEnd(20)}${wall.toFixed(0).padStart(8)}${(wall / base).toFixed(2).padStart(14)}${cpu.toFixed(0).padStart(10)}${(cpu / baseCpu).toFixed(2).padStart(14)}`,
    );
  }
  const worst = Math.max(...cases.filter((bench) => bench.target).map((bench) => median(bench.walls))) / base;
  const ok = worst <= STARTUP_TARGET;
  console.log(
    `  ${ok ? "PASS" : "FAIL"}  first request within ${STARTUP_TARGET}× of node -e 0 (worst ${worst.toFixed(2)}×)\n`,
  );
  return ok;
}

interface BenchVault {
  readonly address: string;
  readonly token: string;
  readonly caFile?: string;
}

/** The e2e's Vault binary from its build cache, started in memory; or the one BENCH_VAULT_* names. */
async function benchVault(): Promise<BenchVault | string> {
  if (process.env.BENCH_VAULT_ADDR) {
    return {
      address: process.env.BENCH_VAULT_ADDR,
      token: process.env.BENCH_VAULT_TOKEN ?? "",
      ...(process.env.BENCH_VAULT_CACERT ? { caFile: process.env.BENCH_VAULT_CACERT } : {}),
    };
  }
  const component = COMPONENTS.find((candidate) => candidate.name === "vault");
  const version = component ? pinnedVersion(component) : "";
  const dirs = existsSync(cacheRoot())
    ? require("node:fs")
        .readdirSync(cacheRoot())
        .filter((name: string) => name.startsWith(`vault-${version}-`))
    : [];
  const binary = dirs.map((name: string) => join(cacheRoot(), name, "vault")).find(existsSync);
  if (binary === undefined) {
    return `no Vault ${version} in the e2e build cache ${cacheRoot()} (npm run test:e2e:local builds it), and no BENCH_VAULT_ADDR`;
  }
  mkdirSync(join(work, "pki"), { recursive: true });
  const pki = makePki(join(work, "pki"));
  const port = await freePort();
  const tokenFile = join(work, "vault-root-token");
  supervisor.start("vault", binary, [
    `-listen=127.0.0.1:${port}`,
    `-tls-cert=${pki.servingCert}`,
    `-tls-key=${pki.servingKey}`,
    `-root-token-file=${tokenFile}`,
    "-log-level=warn",
  ]);
  const address = `https://127.0.0.1:${port}`;
  const ca = readFileSync(pki.caCert, "utf8");
  await waitFor(
    "Vault /v1/sys/health",
    async () => existsSync(tokenFile) && (await https(`${address}/v1/sys/health`, { ca })).status === 200,
    60_000,
    () => !supervisor.exited("vault"),
  );
  return { address, token: readFileSync(tokenFile, "utf8").trim(), caFile: pki.caCert };
}

/** 20 clusters × 50 roles on one Vault: mount paths and policy names of their own, no namespaces (OSS). */
function benchConfig(): ConfigInput {
  const config = generateConfig(CLUSTERS, ROLES, POLICIES);
  return {
    clusters: config.clusters.map((cluster) => {
      const rename = (name: string) => `${cluster.name}-${name}`;
      return {
        ...cluster,
        vault: {},
        policies: (cluster.policies ?? []).map((policy) => ({ ...policy, name: rename(policy.name) })),
        roles: cluster.roles.map((role) => ({ ...role, tokenPolicies: (role.tokenPolicies ?? []).map(rename) })),
      };
    }),
  };
}

/** The same grants in another layout than the provider's, as a policy rewritten by hand: drift must parse it. */
function handWritten(rules: readonly PolicyRule[]): string {
  return rules
    .map((rule) => `path ${JSON.stringify(rule.path)} {\n  capabilities = ${JSON.stringify(rule.capabilities)}\n}\n`)
    .join("\n");
}

/** Writes what the stacks would: mounts, configs, roles, policies (through Vault's HTTP API, 16 at a time). */
async function fill(vault: BenchVault, config: ConfigInput): Promise<void> {
  const ca = vault.caFile ? readFileSync(vault.caFile, "utf8") : undefined;
  const call = async (path: string, body: unknown, method = "POST") => {
    const url = `${vault.address}/v1/${path}`;
    const response = await https(url, { method, body, ca: ca ?? "", headers: { "X-Vault-Token": vault.token } });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.body.slice(0, 300)}`);
  };
  const writes: (() => Promise<void>)[] = [];
  for (const cluster of parseConfig(config, "bench config").clusters) {
    const desired = desiredCluster(cluster);
    await call(`sys/auth/${desired.mount}`, { type: desired.mountFields.type });
    const { token_reviewer_jwt_set: reviewer, pem_keys: _pem, issuer: _issuer, ...configFields } = desired.configFields;
    await call(`auth/${desired.mount}/config`, {
      // EKS clusters: host and CA are looked up at deploy (drift does not compare them); any will do.
      kubernetes_host: "https://eks.example.internal",
      kubernetes_ca_cert: readFileSync(join(ROOT, "test", "fixtures", "test-ca.pem"), "utf8"),
      ...configFields,
      ...(reviewer === true ? { token_reviewer_jwt: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln" } : {}),
    });
    for (const [role, fields] of desired.roles) writes.push(() => call(`auth/${desired.mount}/role/${role}`, fields));
    // One policy in ten rewritten by hand (same grants, other layout), so parsing is in the figure too.
    [...desired.policies].forEach(([name, rules], index) => {
      const policy = index % 10 === 0 ? handWritten(rules) : providerPolicyText(rules);
      writes.push(() => call(`sys/policies/acl/${name}`, { policy }, "PUT"));
    });
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < writes.length) await writes[next++]();
    }),
  );
}

/** What drift asks Vault: sys/auth, and per cluster its config, its role list, each role and each policy. */
function requestCount(config: ConfigInput): number {
  return (
    1 + config.clusters.reduce((sum, cluster) => sum + 2 + cluster.roles.length + (cluster.policies ?? []).length, 0)
  );
}

async function driftBench(bin: string): Promise<boolean | undefined> {
  const vault = await benchVault();
  if (typeof vault === "string") {
    console.log(`drift 20 × 50: skipped: ${vault}\n`);
    return undefined;
  }
  const config = benchConfig();
  const file = join(work, "bench-config.json");
  writeFileSync(file, JSON.stringify(config));
  const filled = performance.now();
  await fill(vault, config);
  process.stderr.write(`filled Vault in ${Math.round(performance.now() - filled)} ms\n`);
  const env = {
    ...process.env,
    VAULT_ADDR: vault.address,
    VAULT_TOKEN: vault.token,
    HOME: work,
    ...(vault.caFile ? { VAULT_CACERT: vault.caFile } : {}),
  };
  const walls: number[] = [];
  const cpuTimes: number[] = [];
  const cpuFile = join(work, "drift-cpu");
  for (let round = 0; round < Math.max(3, Math.ceil(runs / 2)); round++) {
    const preload = ["--require", join(ROOT, "bench", "report-cpu.cjs")];
    const run = await timed([...preload, bin, "drift", "--config", file, "--json"], {
      ...env,
      BENCH_CPU_FILE: cpuFile,
    });
    if (run.code !== 0) throw new Error(`drift: exit ${run.code}\n${run.stderr}`);
    walls.push(run.exit);
    cpuTimes.push(Number(readFileSync(cpuFile, "utf8")));
    process.stderr.write(`\rdrift round ${round + 1}`);
  }
  process.stderr.write("\n");
  const wall = median(walls);
  const ok = wall <= DRIFT_TARGET_MS;
  console.log(
    `drift over ${CLUSTERS} clusters × ${ROLES} roles (${POLICIES} policies each) against Vault ${vault.address}`,
  );
  console.log(
    `  wall ${wall.toFixed(0)} ms (median of ${walls.length}; runs: ${walls.map((w) => w.toFixed(0)).join(", ")}), ` +
      `CPU of the drift process ${median(cpuTimes).toFixed(0)} ms; ${requestCount(config)} requests, 16 at a time`,
  );
  console.log(`  ${ok ? "PASS" : "FAIL"}  within ${DRIFT_TARGET_MS / 1000} s, no drift found\n`);
  return ok;
}

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, node ${process.version}, ` +
      `load ${loadavg()[0].toFixed(2)} (other work on the machine skews the numbers)\n`,
  );
  const bin = bundledBin();
  const startup = await startupBench(bin);
  const drift = await driftBench(bin);
  process.exitCode = startup && drift !== false ? 0 : 1;
}

main()
  .catch((error) => {
    console.error((error as Error).message);
    process.exitCode = 2;
  })
  .finally(async () => {
    await supervisor.stopAll();
    rmSync(work, { recursive: true, force: true });
  });
