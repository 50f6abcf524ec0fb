import { parseArgs } from "node:util";
import { ValidationError } from "../domain/validation";
import { VaultError } from "../live/vault-error";
import { can } from "./can";
import { COMMON_OPTIONS, type Command, EXIT_CONVENTION, helpOf } from "./command";
import { doctor } from "./doctor";
import { drift } from "./drift";
import { internalErrorText, withoutToken } from "./failure";
import { init } from "./init";
import { type Io, processIo } from "./io";
import { synth } from "./synth";
import { UsageError } from "./usage-error";
import { validate } from "./validate";
import { packageVersion, version } from "./version";

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [can, doctor, drift, init, synth, validate, version];

export const TOP_HELP = `Usage: vault-k8s-auth <command> [args] [--flags]

Answers questions about a vault-k8s-auth config without Terraform or a Vault server, and
synthesizes it (synth, the one command that loads cdktf). drift, and doctor and can with
--live, read a Vault server instead (GET and LIST only; docs/live-vault.md).

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`).join("\n")}

Run vault-k8s-auth <command> --help for its flags and an example; --version prints the version.
Answers go to stdout (--json: one JSON document), errors to stderr.

${EXIT_CONVENTION}`;

/**
 * Runs one command line and returns its exit code. Problems the user can fix (usage, config,
 * input) print their message alone, exit 2; anything else is a bug and says so.
 */
export function main(argv: readonly string[], io: Io): number | Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" && rest.length === 0) {
    io.out(`vault-k8s-auth ${packageVersion()}\n`);
    return 0;
  }
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    (name === undefined ? io.err : io.out)(`${TOP_HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  try {
    if (!command) {
      throw new UsageError(
        `unknown command ${JSON.stringify(name)}; use one of ${COMMANDS.map((known) => known.name).join(", ")} (see --help)`,
      );
    }
    const invocation = parse(command, rest);
    if (invocation.values.help) {
      io.out(`${helpOf(command)}\n`);
      return 0;
    }
    const code = command.run(invocation, io);
    // The commands that read Vault answer later; their failures are reported the same way.
    return typeof code === "number" ? code : code.catch((error: unknown) => report(error, command, io));
  } catch (error) {
    return report(error, command, io);
  }
}

/**
 * Exit 2 for any failure: the message alone for what the user can fix, else an internal error.
 * Whatever the failure, VAULT_TOKEN's value never reaches the output.
 */
function report(error: unknown, command: Command | undefined, io: Io): number {
  const err = (text: string) => io.err(withoutToken(text, io.env));
  if (error instanceof UsageError || error instanceof ValidationError || error instanceof VaultError) {
    err(`vault-k8s-auth${command ? ` ${command.name}` : ""}: ${error.message}\n`);
    if (error instanceof UsageError && command?.usage) io.err(`${command.usage}\n`);
  } else {
    err(internalErrorText(error, io.env));
  }
  return 2;
}

function parse(command: Command, args: string[]) {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // node's own words ("Unknown option '--rol'"), minus its advice about "--" for positionals.
    throw new UsageError(
      `${(error as Error).message.split(". To specify")[0]} (see vault-k8s-auth ${command.name} --help)`,
    );
  }
  if (parsed.positionals.length > command.maxPositionals) {
    const extra = parsed.positionals.slice(command.maxPositionals).join(" ");
    throw new UsageError(`unexpected argument ${JSON.stringify(extra)} (see vault-k8s-auth ${command.name} --help)`);
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** The bin's entry: the process's arguments and streams, and its exit code. */
export function run(): void {
  const code = main(process.argv.slice(2), processIo());
  if (typeof code === "number") process.exitCode = code;
  else void code.then((settled) => (process.exitCode = settled));
}
