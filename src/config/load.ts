import { relative, resolve } from "node:path";
import type { z } from "zod";
import { formatPath, type Problem, problemText } from "../checks/problem";
import { show, ValidationError } from "../domain/validation";
import { ConfigProblems } from "./config-problems";
import { DEFAULT_CONFIG } from "./defaults";
import { PRIVATE_KEY_HELD } from "./private-keys";
import { readUserFile } from "./read-file";
import { decodeConfigBytes, type Locator, readConfigDocument } from "./read-text";
import { type Config, configSchema } from "./schema";
import { semanticProblems } from "./semantic";
import { constructWarnings } from "./synth-warnings";

export const DEFAULT_CONFIG_FILE = "vault-k8s-auth.yaml";
export const CONFIG_ENV = "VAULT_K8S_AUTH_CONFIG";
/** What a config path must name, in messages about one that does not. */
export const CONFIG_FILE = "a YAML or JSON file";
/** Why a blank $VAULT_K8S_AUTH_CONFIG names no file. */
export const CONFIG_ENV_EMPTY = `${CONFIG_ENV} is set but empty; unset it or name ${CONFIG_FILE}`;

/**
 * What the file says that Vault or Kubernetes will accept but the reader should know (a cap, an
 * ignored field, an admin policy): every warning synth reports, in synth's order, so `validate`
 * and `synth` print the same list.
 */
export interface ConfigWarning {
  /** Index of the cluster it concerns (every warning concerns one), so synth can attach it to that stack. */
  readonly cluster: number;
  /** `file:line:col: field value why`, like a problem line. */
  readonly text: string;
  /** Added by a construct at synth (its annotation is the text after the field), not by the config check. */
  readonly construct?: string;
}

/** A valid config and the warnings about it. */
export interface CheckedConfig {
  readonly config: Config;
  readonly warnings: ConfigWarning[];
}

export interface LoadedConfig extends CheckedConfig {
  /** The file it came from, or "built-in default". */
  readonly source: string;
}

/**
 * Finds, parses and validates the config: `$VAULT_K8S_AUTH_CONFIG` if set (it must exist),
 * else `vault-k8s-auth.yaml` in `cwd` if present, else the built-in default (the seed).
 * Throws one ValidationError listing every problem, each with line, field, value and fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const chosen = env[CONFIG_ENV];
  if (chosen !== undefined && chosen.trim() === "") throw new ValidationError(CONFIG_ENV_EMPTY);
  const file = resolve(cwd, chosen ?? DEFAULT_CONFIG_FILE);
  const label = chosen === undefined ? DEFAULT_CONFIG_FILE : `${CONFIG_ENV}=${chosen}`;
  const bytes = readUserFile(file, CONFIG_FILE, (reason) => new ValidationError(`${label} ${reason}`));
  if (bytes === undefined) {
    if (chosen === undefined) return { ...checkConfig(DEFAULT_CONFIG, "built-in default"), source: "built-in default" };
    throw new ValidationError(`${CONFIG_ENV}=${chosen}: no such file (looked in ${cwd}); fix the path or unset it`);
  }
  const name = sourceName(cwd, file);
  return { ...checkConfigBytes(bytes, name), source: name };
}

/** How messages name a config file: relative to `cwd` when it lies below it, else its absolute path. */
export function sourceName(cwd: string, file: string): string {
  const inside = relative(cwd, file);
  return inside && !inside.startsWith("..") ? inside : file;
}

/** Checks a config file's bytes, labelled `name` in every message. */
export function checkConfigBytes(bytes: Uint8Array, name: string): CheckedConfig {
  return checkConfigText(decodeConfigBytes(bytes, name), name);
}

/** Parses YAML or JSON text (JSON is YAML) and validates it; `name` labels every message. */
export function parseConfigText(text: string, name: string): Config {
  return checkConfigText(text, name).config;
}

/** Validates already-parsed data. `where` turns a field path into a `:line:col` suffix. */
export function parseConfig(data: unknown, name: string, locator?: Locator): Config {
  return checkConfig(data, name, locator).config;
}

const NOWHERE: Locator = { where: () => "", source: () => undefined };

/** `parseConfigText`, with the warnings. */
export function checkConfigText(text: string, name: string): CheckedConfig {
  const { data, locator } = readConfigDocument(text, name);
  return checkConfig(data, name, locator);
}

/** `parseConfig`, with the warnings. */
export function checkConfig(data: unknown, name: string, locator: Locator = NOWHERE): CheckedConfig {
  const where = locator.where;
  const result = configSchema.safeParse(data, { reportInput: true });
  const problems: Problem[] = (result.error?.issues ?? []).flatMap((issue): Problem[] => {
    const message = describe(issue, locator);
    if (issue.code !== "unrecognized_keys") {
      return [{ path: issue.path, message, atKey: issue.code === "invalid_key" }];
    }
    // One line per unknown key, at that key (schema-fields.ts strictObject gives a message a line).
    const messages = message.split("\n");
    return issue.keys.map((key, index) => ({ path: [...issue.path, key], message: messages[index], atKey: true }));
  });
  const semantic = semanticProblems(data, result.data);
  // A field whose own rule (caCertificate, publicKeys) already refused the key is named once.
  const keyRefused = new Set(
    problems.filter((problem) => problem.message.startsWith("holds a private key")).map((p) => formatPath(p.path)),
  );
  problems.push(
    ...semantic.filter(
      (problem) =>
        !problem.warning && !(problem.message === PRIVATE_KEY_HELD && keyRefused.has(formatPath(problem.path))),
    ),
  );
  const line = (problem: Problem) => {
    const at = where(problem.path, problem.atKey === true);
    const text = problemText(problem, (other) => `${formatPath(other)} (${name}${where(other, false)})`);
    return { at, text: `${name}${at}: ${text}` };
  };
  if (result.success && problems.length === 0) {
    const located = (problem: Problem) => ({ problem, ...line(problem) });
    // No problem was kept, so every one the checks found is a warning.
    const checked = semantic.map(located);
    const byPosition = (a: { at: string }, b: { at: string }) => position(a.at) - position(b.at);
    // Every warning of the checks is about one cluster entry: its path starts clusters[index].
    const warnings: ConfigWarning[] = [];
    result.data.clusters.forEach((cluster, index) => {
      // The stack's own warnings, the config's about this cluster, then each policy's and role's:
      // the construct tree in order, as synth finds them.
      const fromConstructs = constructWarnings(cluster).map((warning) => ({
        ...warning,
        ...line({ path: ["clusters", index, ...warning.path], message: warning.message }),
      }));
      const fromConstruct = ({ text, message }: { text: string; message: string }) => ({
        cluster: index,
        text,
        construct: message,
      });
      warnings.push(...fromConstructs.filter((warning) => warning.onStack).map(fromConstruct));
      warnings.push(
        ...checked
          .filter(({ problem }) => problem.path[1] === index)
          .sort(byPosition)
          .map(({ text }) => ({ cluster: index, text })),
      );
      warnings.push(...fromConstructs.filter((warning) => !warning.onStack).map(fromConstruct));
    });
    return { config: result.data, warnings };
  }
  const lines = problems
    .map(line)
    .sort((a, b) => position(a.at) - position(b.at))
    .map(({ text }) => `  ${text}`);
  const count = lines.length === 1 ? "1 problem" : `${lines.length} problems`;
  throw new ConfigProblems(`${name} has ${count}`, lines);
}

/** A sortable number for `:line:col` (lines of up to a million columns). */
function position(at: string): number {
  const found = /^:(\d+):(\d+)/.exec(at);
  return found ? Number(found[1]) * 1e6 + Number(found[2]) : 0;
}

// Re-exported: the config's messages name fields with it.
export { formatPath };

/** zod's type names in the words of someone writing YAML. */
const YAML_WORDS: Record<string, string> = {
  array: "a list",
  object: "a mapping (key: value)",
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
};

/**
 * What to put in an empty field, by the field's name (and its parent's, for the two kinds of path).
 * Of kvRead's fields only path can be empty text (mount has a rule of its own, version is a number),
 * and tokenPolicies only has entries that can be.
 */
function emptyHint(path: PropertyKey[]): string {
  const [parent, key] = path.slice(-2).map(String);
  if (parent === "kvRead") return "write the secret's path inside the mount, e.g. atlantis/*";
  if (parent === "tokenPolicies") return "name a policy of this cluster or of its externalPolicies, or default";
  if (key === "path" && parent === "kubeconfig")
    return "write the kubeconfig's path, or leave the key out for ~/.kube/config";
  const hints: Record<string, string> = {
    path: "write a Vault API path, e.g. secret/data/app/*",
    list: "write the Vault API path to list, e.g. secret/metadata/app",
    deny: "write the Vault API path to deny, e.g. secret/data/admin/*",
    capabilities: "list at least one capability, e.g. [read]",
    context: "name a context of the kubeconfig (kubectl config get-contexts), or leave the key out for the current one",
    key: "write the state file's key in the bucket, or leave the key out for vault-k8s-auth/<cluster>.tfstate",
  };
  return hints[key] ?? "give a value, or leave the key out";
}

const TYPE_OF: Record<string, string> = { number: "the number", boolean: "the boolean", bigint: "the number" };

function describe(issue: z.core.$ZodIssue, locator: Locator): string {
  switch (issue.code) {
    case "invalid_type": {
      const expected = YAML_WORDS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `is required (${expected})`;
      const written = locator.source(issue.path);
      if (issue.expected === "string" && TYPE_OF[typeof issue.input] && written !== undefined) {
        // YAML read 0123, 1e3 or true as a number or boolean where text was meant.
        return `${written} was read as ${TYPE_OF[typeof issue.input]} ${String(issue.input)}; quote it to keep the text: "${written}"`;
      }
      if (
        issue.expected === "boolean" &&
        typeof issue.input === "string" &&
        /^(yes|no|on|off|y|n)$/i.test(issue.input)
      ) {
        return `expected true or false, got ${show(issue.input)}; write true or false (YAML 1.2 reads yes, no, on and off as text)`;
      }
      const hint = issue.expected === "array" && typeof issue.input === "string" ? `; write [${issue.input}]` : "";
      return `expected ${expected}, got ${show(issue.input)}${hint}`;
    }
    case "too_small": {
      if (!issue.message.startsWith("Too small")) return issue.message;
      // Every min() of the schema without words of its own is min(1), on text or a list: zod's
      // "Too small" is always about an empty value.
      return `is empty; ${emptyHint(issue.path)}`;
    }
    case "invalid_key":
      // A mapping key its rule refused (a label key): the rule's own message, not zod's "Invalid key in record".
      return issue.issues.map((inner) => describe(inner, locator)).join("; ");
    default:
      return issue.message;
  }
}
