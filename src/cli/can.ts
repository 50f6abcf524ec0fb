import { OPERATIONS, type Operation } from "../answers/acl/acl";
import { type CanAnswer, type CanQuestion, can as evaluate } from "../answers/acl/can";
import type { ClusterConfig } from "../config/schema";
import { asksElsewhere, CAN_ELSEWHERE_HELP, CAN_ELSEWHERE_OPTIONS, canElsewhere } from "./can-live";
import { COMMON_HELP, type Command, stringFlag } from "./command";
import type { Io } from "./io";
import { loadForCli, pickCluster } from "./load";
import { UsageError } from "./usage-error";

/** `vault-k8s-auth can`: what a role's token may do on a path, as Vault's ACL decides it. */
export const can: Command = {
  name: "can",
  summary: "evaluate a role's policies on a Vault path, as Vault's ACL does",
  help: `Usage: vault-k8s-auth can PATH --role ROLE [--operation OP] [--config FILE] [--cluster NAME] [--json]
       vault-k8s-auth can PATH --live (--policy NAME... | --mount PATH --role ROLE) [--operation OP] [--json]
       vault-k8s-auth can PATH --policy-file NAME=FILE... [--role ROLE] [--operation OP] [--json]

Evaluates the policies a token of the role carries (its tokenPolicies plus Vault's built-in
default policy, unless the role sets tokenNoDefaultPolicy) exactly as Vault's ACL does
(vault/acl.go), without a server or a token: exact
paths first, then the most specific of the longest "*" prefix and the "+" segment patterns
(earlier wildcard loses, then a trailing "*", then more "+" segments, then a shorter path),
capabilities of the same pattern united across policies, deny winning within that pattern,
and ["deny"] when nothing matches. Prints the capabilities sys/capabilities-self would
report for PATH (evaluated as LIST, so "secret/metadata/x/" also finds "secret/metadata/x"),
the pattern that decided, and each policy's rule on it. Since Vault 1.15.2 (hashicorp/vault#23874)
a LIST of "x/" also matches wildcard rules written without the trailing slash; this follows that.
On Vault's root-protected paths (sys/auth/*, sys/audit, sys/remount, sys/rotate, sys/leases/lookup/*,
auth/token/accessors/ ... as vault/logical_system.go and vault/token_store.go list them) a request
also needs sudo on the rule that decides; sys/capabilities-self does not show that, so a "sudo:"
line says which operations need it there. A create, update or patch of a path ending in "/" is
refused before any policy is read (vault/request_handling.go:707-722).
A path as "vault kv" takes it (secret/app) is not the API path of a KV version 2 mount: where a
kvRead rule of the role covers it under data/ or metadata/, a "hint:" line names that API path.

Flags:
  --role ROLE      the Vault role whose token is asked about
  --operation OP   read, list, create, update, patch, delete, or write: is that request allowed?
                   (list adds the trailing "/" Vault's HTTP layer adds to a LIST request;
                   write is what "vault write" and "vault kv put" send, a POST or PUT, which
                   Vault checks as create when nothing exists at the path yet and as update
                   when something does, so write is allowed only when both are)

${CAN_ELSEWHERE_HELP}

Example:
  npx vault-k8s-auth can secret/data/myscrt --role atlantis --operation read
  npx vault-k8s-auth can secret/data/myscrt --live --mount kubernetes --role atlantis

Follows Vault 1.21 (hashicorp/vault v1.21.2). Older servers differ: "+" segments need Vault
1.1+, "patch" 1.11+, "subscribe" 1.16+; and a Vault keeps the default policy it wrote when it
was initialised (this tool uses 1.21's; "vault policy read default" shows yours). Templated
paths ({{identity.entity.id}}) depend on the token's entity and are not evaluated. A role's externalPolicies (policies Vault
has from elsewhere) are not in the config: the answer leaves them out, names them, and holds for
the other policies.

${COMMON_HELP}

--json prints {"path": str, "capabilities": [str], "allowed": bool|null, "hints": [str],
"rule": {"pattern": str, "kind": "exact"|"prefix"|"segment", "capabilities": [str]}|null,
"policies": [{"name": str, "matched": str|null, "capabilities": [str], "shadowed": str|null}],
"sudo": {"operations": [str], "rootPaths": [str], "granted": bool, "source": str}|null,
"refusedBeforeAcl": str|null, "leftOut": [str]} (leftOut: the role's external policies, not evaluated).`,
  exit: {
    0: "allowed (without --operation: any capability but deny, unless every operation they grant needs the sudo the rule lacks)",
    1: "denied",
    2: "bad usage, bad config, a policy file Vault would refuse, or (--live) Vault could not be read",
  },
  options: {
    role: { type: "string" },
    operation: { type: "string" },
    ...CAN_ELSEWHERE_OPTIONS,
  },
  maxPositionals: 1,
  run(invocation, io) {
    const path = invocation.positionals[0];
    if (path === undefined) throw new UsageError("needs a PATH, e.g. can secret/data/myscrt --role atlantis");
    const roleName = stringFlag(invocation, "role");
    const operation = stringFlag(invocation, "operation");
    if (operation !== undefined && operation !== "write" && !(OPERATIONS as readonly string[]).includes(operation)) {
      throw new UsageError(
        `--operation ${JSON.stringify(operation)} is not one of ${[...OPERATIONS, "write"].join(", ")}`,
      );
    }
    if (asksElsewhere(invocation))
      return canElsewhere(invocation, io, path, operation as Operation | undefined, render);
    const { config } = loadForCli(stringFlag(invocation, "config"), io);
    const cluster = pickCluster(config, stringFlag(invocation, "cluster"));
    if (roleName === undefined) {
      throw new UsageError(`needs --role, one of ${cluster.roles.map((role) => role.name).join(", ")}`);
    }
    if (operation === "write") return write({ cluster, roleName, path }, invocation.values.json === true, io);
    const answer = evaluate({ cluster, roleName, path, operation: operation as Operation | undefined });
    const yes = answer.allowed ?? (!denies(answer.capabilities) && !sudoBlocksAll(answer));
    const hints = kvV2Hints(cluster, roleName, path, operation as Operation | undefined);
    io.out(
      invocation.values.json === true
        ? `${JSON.stringify({ ...answer, hints })}\n`
        : `${render(answer, operation)}${hints.map((hint) => `hint: ${hint}\n`).join("")}`,
    );
    return yes ? 0 : 1;
  },
};

function denies(capabilities: readonly string[]): boolean {
  return capabilities.length === 1 && capabilities[0] === "deny";
}

/** Without sudo on a root path, every operation the capabilities grant is refused (acl.go:804). */
function sudoBlocksAll(answer: CanAnswer): boolean {
  const { sudo } = answer;
  if (sudo === null || sudo.granted) return false;
  const granted = OPERATIONS.filter((operation) => answer.capabilities.includes(operation));
  return granted.length > 0 && granted.every((operation) => sudo.operations.includes(operation));
}

function sudoLine(answer: CanAnswer, operation: string | undefined): string | undefined {
  const { sudo } = answer;
  if (sudo === null) return undefined;
  const paths = sudo.rootPaths.map((path) => JSON.stringify(path)).join(" and ");
  const where = `${paths} ${sudo.rootPaths.length === 1 ? "is a root-protected path" : "are root-protected paths"}`;
  const rule = sudo.granted ? "which the rule grants" : "which the rule lacks";
  if (operation !== undefined) {
    if (!sudo.operations.includes(operation as Operation)) return undefined;
    return `sudo: ${where} (${sudo.source}): Vault also requires sudo for ${operation}, ${rule}`;
  }
  const spared = OPERATIONS.filter((candidate) => !sudo.operations.includes(candidate));
  if (spared.length === 0) {
    return `sudo: ${where} (${sudo.source}): every operation there also needs sudo, ${rule}`;
  }
  return (
    `sudo: ${where} (${sudo.source}): ${sudo.operations.join(", ")} there also ` +
    `${sudo.operations.length === 1 ? "needs" : "need"} sudo, ${rule} (not ${spared.join(", ")}: a LIST's path ` +
    `gains a trailing "/", and a root path without "*" protects only itself)`
  );
}

function render(answer: CanAnswer, operation: string | undefined): string {
  const capabilities = answer.capabilities.join(", ");
  const blocked = operation === undefined && !denies(answer.capabilities) && sudoBlocksAll(answer);
  const lines = [
    operation === undefined
      ? `${denies(answer.capabilities) ? "FAIL: deny" : `${blocked ? "FAIL" : "ok"}: ${capabilities}`} on ${answer.path} (as sys/capabilities-self reports it${blocked ? "; without sudo Vault refuses them all here" : ""})`
      : `${answer.allowed ? "ok" : "FAIL"}: ${operation} ${answer.path} is ${answer.allowed ? "allowed" : "denied"} (capabilities: ${capabilities})`,
    answer.refusedBeforeAcl === null ? undefined : `refused: ${answer.refusedBeforeAcl}`,
    sudoLine(answer, operation),
    answer.rule
      ? `rule: ${JSON.stringify(answer.rule.pattern)} (${answer.rule.kind}) decides: ${answer.rule.capabilities.join(", ")}, merged from every policy that has it`
      : "rule: none of the role's policies has a rule that matches",
  ];
  const width = Math.max(...answer.policies.map((policy) => policy.name.length));
  for (const policy of answer.policies) {
    const name = policy.name.padEnd(width);
    if (policy.matched !== null) {
      lines.push(`  ${name}  ${JSON.stringify(policy.matched)}: ${policy.capabilities.join(", ")}`);
    } else if (policy.shadowed !== null) {
      lines.push(`  ${name}  its ${JSON.stringify(policy.shadowed)} matches too, but the more specific rule wins`);
    } else {
      lines.push(`  ${name}  no rule matches`);
    }
  }
  if (answer.leftOut.length > 0) {
    lines.push(
      `left out: ${answer.leftOut.join(", ")} (externalPolicies: managed outside this config, so their rules are ` +
        "unknown here; they may grant more, or deny some of the above)",
    );
  }
  return `${lines.filter((line) => line !== undefined).join("\n")}\n`;
}

/**
 * `--operation write`: Vault takes a POST or PUT as an update (Vault 1.21.2 http/logical.go:101-105),
 * then asks the backend's existence check and makes it a create when nothing is at the path
 * (vault/request_handling.go:486-494) before the ACL sees it. Offline, whether something is there
 * is unknown, so write is allowed only when both create and update are.
 */
function write(question: Omit<CanQuestion, "operation">, json: boolean, io: Io): number {
  const create = evaluate({ ...question, operation: "create" });
  const update = evaluate({ ...question, operation: "update" });
  const allowed = create.allowed === true && update.allowed === true;
  if (json) {
    io.out(`${JSON.stringify({ ...update, allowed, create: create.allowed, update: update.allowed })}\n`);
    return allowed ? 0 : 1;
  }
  const capabilities = update.capabilities.join(", ");
  const verdict = allowed
    ? `ok: write ${question.path} is allowed: create (nothing there yet) and update (something there) (capabilities: ${capabilities})`
    : create.allowed || update.allowed
      ? `FAIL: write ${question.path} is allowed only as ${create.allowed ? "create: a new" : "update: an existing"} object can be written, ${create.allowed ? "an existing one not (update denied)" : "a new one not (create denied)"} (capabilities: ${capabilities})`
      : `FAIL: write ${question.path} is denied: neither create nor update (capabilities: ${capabilities})`;
  // The rule lines of the operation that is denied, else update's.
  const [shown, named] = create.allowed ? [update, "update"] : [create, "create"];
  const rules = render(shown, named).split("\n").slice(1).join("\n");
  io.out(`${verdict}\n${rules}`);
  return allowed ? 0 : 1;
}

/**
 * `vault kv get secret/app` asks KV version 2 for secret/data/app (and `vault kv metadata`,
 * `vault kv list` for secret/metadata/...), so a user who asks about secret/app means one of
 * those. When a kvRead rule (version 2) of the role's policies has the path's mount, say which
 * API paths that rule covers and what the role may do there. The answer itself stays the one for
 * the path as given: that is what Vault's ACL sees.
 */
function kvV2Hints(cluster: ClusterConfig, roleName: string, path: string, operation: Operation | undefined): string[] {
  const role = cluster.roles.find((candidate) => candidate.name === roleName);
  const mounts = new Set(
    cluster.policies
      .filter((policy) => role?.tokenPolicies.includes(policy.name))
      .flatMap((policy) => policy.rules ?? [])
      .filter((rule) => rule.kvRead && rule.kvRead.version !== 1)
      .map((rule) => rule.kvRead?.mount.replace(/^\/+|\/+$/g, "") as string),
  );
  const mount = [...mounts].find((name) => path.startsWith(`${name}/`));
  if (mount === undefined) return [];
  const inside = path.slice(mount.length + 1);
  if (/^(data|metadata)(\/|$)/.test(inside)) return [];
  return (["data", "metadata"] as const).flatMap((kind) => {
    const api = `${mount}/${kind}/${inside}`;
    const there = evaluate({ cluster, roleName, path: api, operation });
    const granted = there.allowed ?? !(there.capabilities.length === 1 && there.capabilities[0] === "deny");
    if (!granted) return [];
    const cli =
      kind === "data" ? `"vault kv get ${path}" reads there` : `"vault kv metadata get" and "vault kv list" read there`;
    return [`KV v2 API path: ${api} (${there.capabilities.join(", ")}, from a kvRead rule on mount ${mount}): ${cli}`];
  });
}
