import { homedir } from "node:os";
import { resolve } from "node:path";
import type { NamedPolicy, Operation } from "../answers/acl/acl";
import { type CanAnswer, canWith, rolePolicies } from "../answers/acl/can";
import { DEFAULT_POLICY } from "../answers/acl/default-policy";
import type { ParsedPolicy } from "../answers/acl/policy-document";
import { parsePolicyText } from "../answers/acl/policy-text";
import { vaultPaths } from "../answers/live/desired";
import { readUserFile } from "../config/read-file";
import { readPolicy, readRole } from "../live/read-vault";
import { VaultClient } from "../live/vault-client";
import { vaultTarget } from "../live/vault-target";
import type { Invocation } from "./command";
import type { Io } from "./io";
import { loadForCli, pickCluster } from "./load";
import { UsageError } from "./usage-error";

/** The flags `can` takes for policies that are not (only) in the config: files, and Vault itself. */
export const CAN_ELSEWHERE_OPTIONS = {
  live: { type: "boolean", default: false },
  policy: { type: "string", multiple: true },
  mount: { type: "string" },
  "policy-file": { type: "string", multiple: true },
  "no-default-policy": { type: "boolean", default: false },
} as const;

export const CAN_ELSEWHERE_HELP = `Policies managed elsewhere, and Vault itself (docs/live-vault.md):
  --policy-file NAME=FILE  read policy NAME from a file of HCL (or JSON), as vault policy write
                   takes it; with --role it stands for the role's policy of that name (one the
                   config does not define, such as an external policy); without --role, the
                   token carries the files' policies (and default). Repeatable
  --live           read the policies from Vault (sys/policies/acl/NAME) instead of the config,
                   as the vault CLI reads Vault (VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT, VAULT_NAMESPACE):
    --policy NAME    a policy the token carries (repeatable), or
    --mount PATH --role ROLE   the policies of a role on that auth mount, read from Vault
  --no-default-policy  leave Vault's default policy off (--live --policy, and files without --role)`;

interface Evaluated {
  readonly policies: NamedPolicy[];
  readonly notes: string[];
  /** The role's external policies no --policy-file supplied: named in the answer, not evaluated. */
  readonly leftOut?: readonly string[];
}

/** Whether this `can` line asks about policies outside the config (then `canElsewhere` answers). */
export function asksElsewhere(invocation: Invocation): boolean {
  const { values } = invocation;
  return values.live === true || values["policy-file"] !== undefined;
}

/**
 * `can` with --live or --policy-file: the same evaluator (canWith), fed with policies read from
 * Vault or from files and parsed as Vault parses them. Notes (what is not evaluated, policies Vault
 * does not have) go to stderr, so stdout stays the answer `can` always prints.
 */
export async function canElsewhere(
  invocation: Invocation,
  io: Io,
  path: string,
  operation: Operation | undefined,
  render: (answer: CanAnswer, operation: string | undefined) => string,
): Promise<number> {
  const { values } = invocation;
  const files = await readPolicyFiles(list(values["policy-file"]), io);
  const evaluated = values.live === true ? await fromVault(invocation, io, files) : fromFiles(invocation, io, files);
  const notes = [
    ...evaluated.notes,
    ...evaluated.policies.flatMap((policy) =>
      ((policy as Partial<ParsedPolicy>).notEvaluated ?? []).map(
        (limit) => `policy ${policy.name}: ${limit} restrict requests beyond capabilities; not evaluated`,
      ),
    ),
  ];
  const answer = canWith(evaluated.policies, path, operation, evaluated.leftOut ?? []);
  const yes = answer.allowed ?? !(answer.capabilities.length === 1 && answer.capabilities[0] === "deny");
  io.out(values.json === true ? `${JSON.stringify(answer)}\n` : render(answer, operation));
  for (const note of notes) io.err(`note: ${note}\n`);
  return yes ? 0 : 1;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** `NAME=FILE` pairs, each file read and parsed. */
async function readPolicyFiles(pairs: readonly string[], io: Io): Promise<Map<string, ParsedPolicy>> {
  const files = new Map<string, ParsedPolicy>();
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const name = pair.slice(0, at);
    const file = pair.slice(at + 1);
    if (at <= 0 || file === "") {
      throw new UsageError(
        `--policy-file ${JSON.stringify(pair)} is not NAME=FILE, e.g. --policy-file vault-deploy=vault-deploy-policy.hcl`,
      );
    }
    if (files.has(name)) throw new UsageError(`--policy-file names policy ${name} twice; give each policy one file`);
    const bytes = readUserFile(
      resolve(io.cwd, file),
      "a policy file",
      (reason) => new UsageError(`--policy-file ${pair}: ${file} ${reason}`),
    );
    if (bytes === undefined) throw new UsageError(`--policy-file ${pair}: ${file}: no such file (looked in ${io.cwd})`);
    files.set(name, await parsePolicyText(name, file, bytes.toString("utf8")));
  }
  return files;
}

/** Files alone (a token of those policies), or the config's role with its policies of those names taken from the files. */
function fromFiles(invocation: Invocation, io: Io, files: Map<string, ParsedPolicy>): Evaluated {
  const { values } = invocation;
  const roleName = typeof values.role === "string" ? values.role : undefined;
  if (roleName === undefined) {
    const policies: NamedPolicy[] = [...files.values()];
    if (values["no-default-policy"] !== true && !files.has("default")) {
      policies.push({ name: "default", rules: DEFAULT_POLICY });
    }
    return { policies: policies.sort(byName), notes: [] };
  }
  const { config } = loadForCli(typeof values.config === "string" ? values.config : undefined, io);
  const cluster = pickCluster(config, typeof values.cluster === "string" ? values.cluster : undefined);
  const carried = rolePolicies(cluster, roleName);
  const names = [...carried.policies.map((policy) => policy.name), ...carried.leftOut].sort();
  const defined = new Set(cluster.policies.map((policy) => policy.name));
  for (const name of files.keys()) {
    if (defined.has(name)) {
      throw new UsageError(
        `--policy-file ${name}=...: policy ${name} is defined in the config (cluster ${cluster.name}); --policy-file stands for policies managed elsewhere`,
      );
    }
    if (!names.includes(name)) {
      throw new UsageError(
        `--policy-file ${name}=...: role ${roleName} does not carry policy ${name} (its policies: ${names.join(", ")})`,
      );
    }
  }
  return {
    policies: [
      ...carried.policies.map((policy) => files.get(policy.name) ?? policy),
      ...carried.leftOut.flatMap((name) => files.get(name) ?? []),
    ].sort(byName),
    leftOut: carried.leftOut.filter((name) => !files.has(name)),
    notes: [],
  };
}

/** Policies read from Vault: named by --policy, or by a role of an auth mount. Files given too win over Vault's. */
async function fromVault(invocation: Invocation, io: Io, files: Map<string, ParsedPolicy>): Promise<Evaluated> {
  const { values } = invocation;
  const named = list(values.policy);
  const mount = typeof values.mount === "string" ? values.mount.replace(/^\/+|\/+$/g, "") : undefined;
  const roleName = typeof values.role === "string" ? values.role : undefined;
  if (named.length > 0 && (mount !== undefined || roleName !== undefined)) {
    throw new UsageError("--live takes either --policy NAME (repeatable) or --mount PATH --role ROLE, not both");
  }
  if (named.length === 0 && (mount === undefined || roleName === undefined)) {
    throw new UsageError(
      "--live needs --policy NAME (the token's policies) or --mount PATH --role ROLE (a role's), e.g. can secret/data/app --live --mount kubernetes --role app",
    );
  }
  const client = new VaultClient(vaultTarget(io.env, io.cwd, io.env.HOME ?? homedir()));
  try {
    let names: string[];
    const notes: string[] = [];
    if (mount !== undefined && roleName !== undefined) {
      const role = await readRole(client, mount, roleName);
      if (role === undefined) {
        throw new UsageError(
          `Vault has no role ${roleName} on auth/${mount} (${vaultPaths.role(mount, roleName)} answered 404)`,
        );
      }
      const policies = Array.isArray(role.token_policies) ? role.token_policies.map(String) : [];
      // request_handling.go:2163 and sdk helper/policyutil: the login adds default unless the role says not to.
      names = withDefault(policies, role.token_no_default_policy === true);
    } else {
      names = withDefault(named, values["no-default-policy"] === true);
    }
    if (names.includes("root")) {
      throw new UsageError("policy root is Vault's own all-powerful policy: a token with it may do everything");
    }
    const policies = await Promise.all(
      names.map(async (name): Promise<NamedPolicy> => {
        const file = files.get(name);
        if (file !== undefined) return file;
        const policy = await readPolicy(client, name);
        if (policy !== undefined) return policy;
        // vault/policy_store.go:933-937: a policy the token names but Vault lacks is skipped.
        notes.push(`policy ${name} does not exist in Vault (sys/policies/acl/${name} answered 404): it grants nothing`);
        return { name, rules: [] };
      }),
    );
    return { policies, notes };
  } finally {
    client.close();
  }
}

/** The policies a token carries, sorted without repeats, with default unless left out (policyutil.SanitizePolicies). */
function withDefault(names: readonly string[], noDefault: boolean): string[] {
  return [...new Set([...names, ...(noDefault ? [] : ["default"])])].sort();
}

function byName(a: NamedPolicy, b: NamedPolicy): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
