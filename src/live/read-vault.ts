import type { NamedPolicy } from "../answers/acl/acl";
import { parsePolicyText } from "../answers/acl/policy-text";
import { type DesiredCluster, type Fields, providerPolicyText, vaultPaths } from "../answers/live/desired";
import type { LiveCluster } from "../answers/live/drift";
import type { VaultClient } from "./vault-client";

export interface AuthMount {
  readonly type: string;
  readonly description: string;
}

/**
 * Vault's auth mounts by path (without the trailing "/"), from GET sys/auth, which needs read on
 * sys/auth and no sudo (vault/logical_system.go:113-147 lists only "auth/*" as root-protected).
 */
export async function readAuthMounts(client: VaultClient): Promise<Map<string, AuthMount>> {
  const data = (await client.read("sys/auth", { capability: "read", on: "sys/auth" })) ?? {};
  const mounts = new Map<string, AuthMount>();
  for (const [path, entry] of Object.entries(data)) {
    if (!path.endsWith("/") || entry === null || typeof entry !== "object") continue;
    const { type, description } = entry as { type?: unknown; description?: unknown };
    mounts.set(path.slice(0, -1), { type: String(type ?? ""), description: String(description ?? "") });
  }
  return mounts;
}

export function readRole(client: VaultClient, mount: string, role: string): Promise<Fields | undefined> {
  return client.read(vaultPaths.role(mount, role), { capability: "read", on: `${vaultPaths.roles(mount)}/*` });
}

export function readMountConfig(client: VaultClient, mount: string): Promise<Fields | undefined> {
  const path = vaultPaths.config(mount);
  return client.read(path, { capability: "read", on: path });
}

export function listRoles(client: VaultClient, mount: string): Promise<string[]> {
  const path = vaultPaths.roles(mount);
  return client.list(path, { capability: "list", on: path });
}

/** A policy's text (sys/policies/acl/NAME), or undefined when Vault has none of that name. */
export async function readPolicyText(client: VaultClient, name: string): Promise<string | undefined> {
  const data = await client.read(vaultPaths.policy(name), { capability: "read", on: "sys/policies/acl/*" });
  return data === undefined ? undefined : String(data.policy ?? "");
}

/** A policy read from Vault and parsed as Vault parses it; undefined when Vault has none of that name. */
export async function readPolicy(client: VaultClient, name: string): Promise<NamedPolicy | undefined> {
  const text = await readPolicyText(client, name);
  return text === undefined ? undefined : parsePolicyText(name, vaultPaths.policy(name), text);
}

/** Everything drift compares for one cluster, read with bounded concurrency (the client's). */
export async function readCluster(
  client: VaultClient,
  desired: DesiredCluster,
  mounts: ReadonlyMap<string, AuthMount>,
): Promise<LiveCluster> {
  const mount = mounts.get(desired.mount);
  const sameType = mount !== undefined && mount.type === desired.mountFields.type;
  const roleNames = [...desired.roles.keys()];
  const policies = [...desired.policies];
  const [config, listed, roles, livePolicies] = await Promise.all([
    sameType ? readMountConfig(client, desired.mount) : undefined,
    sameType ? listRoles(client, desired.mount) : [],
    Promise.all(roleNames.map((role) => (sameType ? readRole(client, desired.mount, role) : undefined))),
    Promise.all(
      policies.map(async ([name, desiredRules]) => {
        const text = await readPolicyText(client, name);
        if (text === undefined) return undefined;
        // As the stack wrote it: the desired rules themselves, without paying for a parse.
        if (text === providerPolicyText(desiredRules)) return desiredRules;
        return (await parsePolicyText(name, vaultPaths.policy(name), text)).rules;
      }),
    ),
  ]);
  return {
    ...(mount !== undefined ? { mount } : {}),
    ...(config !== undefined ? { config } : {}),
    roleNames: listed,
    roles: new Map(roleNames.map((role, index) => [role, roles[index]])),
    policies: new Map(policies.map(([name], index) => [name, livePolicies[index]])),
  };
}
