import { readFileSync } from "node:fs";

/**
 * What a command may touch of the outside world. The real one wraps the process; tests pass
 * their own, so every command runs in-process, in milliseconds.
 */
export interface Io {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Answers: what `--json | jq` reads. */
  out(text: string): void;
  /** Errors and hints. */
  err(text: string): void;
  /** All of standard input, for `--jwt -`. */
  readStdin(): string;
}

export function processIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readStdin: () => readFileSync(0, "utf8"),
  };
}
