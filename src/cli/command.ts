import type { parseArgs } from "node:util";
import type { Io } from "./io";

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/** The flags every command takes. */
export const COMMON_OPTIONS = {
  config: { type: "string" },
  cluster: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies Options;

/** What the dispatcher hands a command: its flags (by name) and its positional arguments. */
export interface Invocation {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

/** A string flag's value (undefined when not given). */
export function stringFlag(invocation: Invocation, name: string): string | undefined {
  const value = invocation.values[name];
  return typeof value === "string" ? value : undefined;
}

/** One `vault-k8s-auth <name>` command: its help, its flags, and what it does with them. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The whole `--help` text: usage, flags, an example, exit codes. */
  readonly help: string;
  /** The usage line(s), printed after the message of a usage error when given. */
  readonly usage?: string;
  /** Its own flags, besides COMMON_OPTIONS. */
  readonly options: Options;
  /** How many positional arguments it takes at most. */
  readonly maxPositionals: number;
  /**
   * Returns the exit code: 0 yes, 1 no; throws UsageError or ValidationError for 2. Commands that
   * read Vault return it as a promise (and reject with VaultError for 2).
   */
  run(invocation: Invocation, io: Io): number | Promise<number>;
}

/** The lines every help text ends with. */
export const COMMON_HELP = `Common flags:
  --config FILE    the config file (default: $VAULT_K8S_AUTH_CONFIG, else ./vault-k8s-auth.yaml,
                   else the built-in default, as for synth)
  --cluster NAME   which cluster of the file (may be left out when the file has one)
  --json           machine-readable output on stdout
  -h, --help       this help`;
