import { existsSync, readFileSync } from "node:fs";
import { extname, relative, resolve } from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { z } from "zod";
import { show, ValidationError } from "../validation";
import { DEFAULT_CONFIG } from "./defaults";
import { type Config, configSchema } from "./schema";
import { type Problem, semanticProblems } from "./semantic";

export const DEFAULT_CONFIG_FILE = "vault-k8s-auth.yaml";
export const CONFIG_ENV = "VAULT_K8S_AUTH_CONFIG";

/** What the file says that Vault or Kubernetes will accept but the reader should know (a cap, an ignored field). */
export interface ConfigWarning {
  /** Index of the cluster it concerns, so synth can attach it to that stack. */
  readonly cluster?: number;
  /** `file:line:col: field value why`, like a problem line. */
  readonly text: string;
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
  if (chosen !== undefined && chosen.trim() === "") {
    throw new ValidationError(`${CONFIG_ENV} is set but empty; unset it or name a YAML or JSON file`);
  }
  const file = resolve(cwd, chosen ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (chosen === undefined) return { ...checkConfig(DEFAULT_CONFIG, "built-in default"), source: "built-in default" };
    throw new ValidationError(`${CONFIG_ENV}=${chosen}: no such file (looked in ${cwd}); fix the path or unset it`);
  }
  const inside = relative(cwd, file);
  const name = inside && !inside.startsWith("..") ? inside : file;
  return { ...checkConfigText(readFileSync(file, "utf8"), name), source: name };
}

/** Parses YAML or JSON text (JSON is YAML) and validates it; `name` labels every message. */
export function parseConfigText(text: string, name: string): Config {
  return checkConfigText(text, name).config;
}

/** Validates already-parsed data. `where` turns a field path into a `:line:col` suffix. */
export function parseConfig(data: unknown, name: string, where?: Where): Config {
  return checkConfig(data, name, where).config;
}

type Where = (path: PropertyKey[], atKey: boolean) => string;

/** `parseConfigText`, with the warnings. */
export function checkConfigText(text: string, name: string): CheckedConfig {
  if (text.trim() === "") {
    throw new ValidationError(
      `${name} is empty; it needs a mapping with a clusters list (see the README's Configure section)`,
    );
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const kind = extname(name) === ".json" ? "JSON" : "YAML";
  if (document.errors.length > 0) {
    const lines = document.errors.map((error) => {
      const at = lineCounter.linePos(error.pos[0]);
      return `  ${name}:${at.line}:${at.col}: ${error.message.split("\n")[0]}`;
    });
    throw new ValidationError(`${name} is not valid ${kind}:\n${lines.join("\n")}`);
  }
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    // e.g. "Excessive alias count": a file built to expand without bound.
    throw new ValidationError(`${name} cannot be read as ${kind}: ${(error as Error).message}`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ValidationError(
      `${name} must be a mapping with a clusters list at the top, but holds ${Array.isArray(data) ? "a list" : show(data)}`,
    );
  }
  return checkConfig(data, name, (path, atKey) => {
    const node = locate(document.contents, path, atKey);
    if (!node?.range) return "";
    const at = lineCounter.linePos(node.range[0]);
    return `:${at.line}:${at.col}`;
  });
}

/** `parseConfig`, with the warnings. */
export function checkConfig(data: unknown, name: string, where: Where = () => ""): CheckedConfig {
  const result = configSchema.safeParse(data, { reportInput: true });
  const problems: Problem[] = (result.error?.issues ?? []).map((issue) =>
    issue.code === "unrecognized_keys"
      ? { path: [...issue.path, issue.keys[0]], message: describe(issue), atKey: true }
      : { path: issue.path, message: describe(issue) },
  );
  const semantic = semanticProblems(data);
  problems.push(...semantic.filter((problem) => !problem.warning));
  const line = ({ path, message, atKey }: Problem) => {
    const separator = /^(is|holds|says|has) /.test(message) ? " " : ": ";
    const at = where(path, atKey === true);
    return { at, text: `${name}${at}: ${formatPath(path)}${separator}${message}` };
  };
  if (result.success && problems.length === 0) {
    const warnings = semantic
      .filter((problem) => problem.warning)
      .map((problem) => ({ problem, ...line(problem) }))
      .sort((a, b) => position(a.at) - position(b.at))
      .map(({ problem, text }) => ({
        cluster: problem.path[0] === "clusters" && typeof problem.path[1] === "number" ? problem.path[1] : undefined,
        text,
      }));
    return { config: result.data, warnings };
  }
  const lines = problems
    .map(line)
    .sort((a, b) => position(a.at) - position(b.at))
    .map(({ text }) => `  ${text}`);
  const count = lines.length === 1 ? "1 problem" : `${lines.length} problems`;
  throw new ValidationError(`${name} has ${count}; nothing was synthesized:\n${lines.join("\n")}`);
}

/** A sortable number for `:line:col` (lines of up to a million columns). */
function position(at: string): number {
  const [, line = "0", col = "0"] = /^:(\d+):(\d+)/.exec(at) ?? [];
  return Number(line) * 1e6 + Number(col);
}

/** `clusters[0].roles[1].name`: the path as a person writes it. */
export function formatPath(path: PropertyKey[]): string {
  return (
    path
      .map((part, index) => (typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`))
      .join("") || "(top level)"
  );
}

/** zod's type names in the words of someone writing YAML. */
const YAML_WORDS: Record<string, string> = {
  array: "a list",
  object: "a mapping (key: value)",
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
};

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type": {
      const expected = YAML_WORDS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `is required (${expected})`;
      const hint = issue.expected === "array" && typeof issue.input === "string" ? `; write [${issue.input}]` : "";
      return `expected ${expected}, got ${show(issue.input)}${hint}`;
    }
    case "too_small":
      return issue.message.startsWith("Too small") ? `${show(issue.input)} is too short or too small` : issue.message;
    default:
      return issue.message;
  }
}

/** The YAML node at `path` (or, with `atKey`, the key that names it), for line numbers. */
function locate(root: unknown, path: PropertyKey[], atKey: boolean): Node | undefined {
  let node = root as Node | undefined;
  let last = node;
  for (const [index, part] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === part);
      if (!pair) return last;
      last = (pair.key as Node) ?? last;
      if (atKey && index === path.length - 1) return last;
      node = (pair.value as Node | null) ?? undefined;
      if (node) last = node;
    } else if (isSeq(node) && typeof part === "number") {
      node = node.items[part] as Node | undefined;
      if (node) last = node;
    } else {
      return last;
    }
  }
  return last;
}
