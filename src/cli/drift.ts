import { homedir } from "node:os";
import { type DesiredCluster, desiredCluster, vaultPaths } from "../answers/live/desired";
import { type ClusterDrift, compareCluster, type DriftObject, hasDrift } from "../answers/live/drift";
import type { ClusterConfig } from "../config/schema";
import { readAuthMounts, readCluster } from "../live/read-vault";
import { VaultClient } from "../live/vault-client";
import { vaultTarget } from "../live/vault-target";
import { COMMON_HELP, type Command, stringFlag } from "./command";
import type { Io } from "./io";
import { loadForCli, pickCluster } from "./load";

/** Auth methods this tool manages: other types of mount are none of its business. */
const MANAGED_TYPES = ["kubernetes", "jwt"];

/** `vault-k8s-auth drift`: what Vault holds that the config does not say, and what it says that Vault lacks. */
export const drift: Command = {
  name: "drift",
  summary: "compare Vault's mounts, roles and policies with the config (reads Vault)",
  help: `Usage: vault-k8s-auth drift [--config FILE] [--cluster NAME] [--json]

Reads Vault as the vault CLI does (VAULT_ADDR, VAULT_TOKEN or ~/.vault-token, VAULT_CACERT,
VAULT_NAMESPACE; a cluster's vault.address and vault.namespace win, as for deploy), with GET
and LIST only, and compares it with what each cluster of the config would write:
  unowned  roles on a mount the config owns that no role of the config names; and, as
           information that does not count as drift, kubernetes and jwt auth mounts that no
           cluster of the config owns
  changed  an owned mount, mount config, role or policy whose live value differs, per field,
           compared the way Vault returns values: durations in seconds, lists as sets, unset
           options at Vault's defaults, policies by the capabilities each path gets
  missing  owned objects that are not in Vault yet
The token needs the read-only policy examples/vault-live-read-policy.hcl (docs/live-vault.md).

Example:
  VAULT_ADDR=https://vault.example.com:8200 npx vault-k8s-auth drift --cluster prod

${COMMON_HELP}

--json prints {"ok": bool, "clusters": [{"name": str, "unowned": [{"kind", "path"}],
"changed": [{"kind", "path", "field", "want", "have"}], "missing": [{"kind", "path"}]}]}, kind one
of mount, role, policy, config and path Vault's API path (auth/k8s/role/app,
sys/policies/acl/app-read).`,
  exit: {
    0: "no drift",
    1: "drift",
    2: "could not tell (bad usage or config, Vault unreachable, TLS, a refused read, a sealed Vault)",
  },
  options: {},
  maxPositionals: 0,
  async run(invocation, io) {
    const { config } = loadForCli(stringFlag(invocation, "config"), io);
    const only = stringFlag(invocation, "cluster");
    const clusters = only === undefined ? config.clusters : [pickCluster(config, only)];
    const report = await readDrift(clusters, config.clusters, io);
    const ok = report.every(({ drift }) => !hasDrift(drift));
    if (invocation.values.json === true) {
      io.out(`${JSON.stringify({ ok, clusters: report.map(({ drift }) => drift) })}\n`);
    } else {
      io.out(render(report, ok));
    }
    return ok ? 0 : 1;
  },
};

interface Reported {
  readonly drift: ClusterDrift;
  readonly desired: DesiredCluster;
}

/** Every asked cluster, read from its Vault (one client per address and namespace, in parallel). */
async function readDrift(asked: readonly ClusterConfig[], all: readonly ClusterConfig[], io: Io): Promise<Reported[]> {
  const targetOf = (cluster: ClusterConfig) => {
    const env = { ...io.env };
    if (cluster.vault.address !== undefined) env.VAULT_ADDR = cluster.vault.address;
    if (cluster.vault.namespace !== undefined) env.VAULT_NAMESPACE = cluster.vault.namespace;
    return vaultTarget(env, io.cwd, io.env.HOME ?? homedir());
  };
  const key = (cluster: ClusterConfig) => {
    const target = targetOf(cluster);
    return `${target.address} ${target.namespace ?? ""}`;
  };
  const groups = new Map<string, ClusterConfig[]>();
  for (const cluster of asked) groups.set(key(cluster), [...(groups.get(key(cluster)) ?? []), cluster]);
  const results = await Promise.all(
    [...groups.values()].map(async (clusters) => {
      const client = new VaultClient(targetOf(clusters[0]));
      try {
        const mounts = await readAuthMounts(client);
        const reported = await Promise.all(
          clusters.map(async (cluster) => {
            const desired = desiredCluster(cluster);
            return { desired, drift: compareCluster(desired, await readCluster(client, desired, mounts)) };
          }),
        );
        // Mounts no cluster of the whole config owns on this Vault: information, on the group's first cluster.
        const owned = new Set(all.filter((cluster) => key(cluster) === key(clusters[0])).map((c) => c.auth.path));
        const strays: DriftObject[] = [...mounts]
          .filter(([path, mount]) => MANAGED_TYPES.includes(mount.type) && !owned.has(path))
          .map(([path]) => ({ kind: "mount", path: vaultPaths.mount(path) }));
        reported[0].drift.unowned.push(...strays.sort((a, b) => (a.path < b.path ? -1 : 1)));
        return reported;
      } finally {
        client.close();
      }
    }),
  );
  const byName = new Map(results.flat().map((item) => [item.desired.name, item]));
  return asked.map((cluster) => byName.get(cluster.name) as Reported);
}

function render(report: readonly Reported[], ok: boolean): string {
  const lines: string[] = [];
  const show = (value: unknown) => JSON.stringify(value);
  for (const { drift, desired } of report) {
    const prefix = (word: string, kind: string) => `${drift.name}  ${word.padEnd(8)} ${kind.padEnd(7)}`;
    for (const item of drift.unowned) {
      lines.push(
        item.kind === "mount"
          ? `${prefix("info", item.kind)}${item.path}: an auth mount of a kind this tool manages that no cluster of the config owns (not counted as drift)`
          : `${prefix("unowned", item.kind)}${item.path}`,
      );
    }
    for (const item of drift.changed) {
      lines.push(
        `${prefix("changed", item.kind)}${item.path}  ${item.field}: want ${show(item.want)}, have ${show(item.have)}`,
      );
    }
    for (const item of drift.missing) lines.push(`${prefix("missing", item.kind)}${item.path}`);
    for (const note of desired.notCompared) lines.push(`${prefix("note", "config")}not compared: ${note}`);
  }
  const drifting = report.filter(({ drift }) => hasDrift(drift));
  const count = (pick: (drift: ClusterDrift) => number) => report.reduce((sum, { drift }) => sum + pick(drift), 0);
  const unowned = count((drift) => drift.unowned.filter((item) => item.kind !== "mount").length);
  const changed = count((drift) => drift.changed.length);
  const missing = count((drift) => drift.missing.length);
  const clusters = `${report.length} cluster${report.length === 1 ? "" : "s"}`;
  lines.push(
    ok
      ? `ok: no drift in ${clusters}`
      : `FAIL: drift in ${drifting.map(({ drift }) => drift.name).join(", ")}: ${unowned} unowned, ${changed} changed, ${missing} missing`,
  );
  return `${lines.join("\n")}\n`;
}
