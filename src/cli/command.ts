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

/**
 * What an exit code means, the same for every command (the top `--help` and docs/cli.md say it
 * once): 0 and 1 are the two answers to the command's question, so a script can branch on them;
 * 2 is no answer at all, never to be read as "no". A `can` whose config has problems has not
 * evaluated anything, so it must not exit 1 ("denied"); `validate` is the one command whose
 * question is the config's problems, so for it they are the answer 1.
 */
export const EXIT_CONVENTION = `Exit status, the same for every command:
  0  yes: the answer is yes, or the job is done
  1  no: the answer is no (denied, a check fails, the file has problems)
  2  no answer: bad usage, a file that cannot be read, a config with problems (for every
     command but validate, whose answer they are), or an internal error (a bug: report it)`;

/** One `vault-k8s-auth <name>` command: its help, its flags, and what it does with them. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The `--help` text: usage, flags, an example; the exit status line is added from `exit`. */
  readonly help: string;
  /**
   * What 0 and 1 mean for this command (1 left out when it has no "no"), and 2 when it differs
   * from EXIT_CONVENTION's. Rendered once, the same way for every command, by `helpOf`.
   */
  readonly exit: { readonly 0: string; readonly 1?: string; readonly 2?: string };
  /** The usage line(s), printed after the message of a usage error when given. */
  readonly usage?: string;
  /** Its own flags, besides COMMON_OPTIONS. */
  readonly options: Options;
  /** How many positional arguments it takes at most. */
  readonly maxPositionals: number;
  /**
   * Returns the exit code: 0 yes, 1 no; throws UsageError or ValidationError for 2 (EXIT_CONVENTION). Commands that
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

/** What 2 means unless a command says otherwise. */
const NO_ANSWER = "bad usage, a file that cannot be read or a config with problems";

/** A command's whole `--help`: its text, then its exit status line in the convention's words. */
export function helpOf(command: Command): string {
  const { exit } = command;
  const codes = [`0 ${exit[0]}`, ...(exit[1] === undefined ? [] : [`1 ${exit[1]}`]), `2 ${exit[2] ?? NO_ANSWER}`];
  return `${command.help}\n\nExit status: ${codes.join("; ")} (see vault-k8s-auth --help).`;
}
