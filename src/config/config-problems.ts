import { ValidationError } from "../domain/validation";

/**
 * A config file's problems: a headline and one line each. Only synth, which then writes nothing,
 * says so; validate, can and doctor build nothing, so their message does not claim it.
 */
export class ConfigProblems extends ValidationError {
  constructor(
    readonly headline: string,
    readonly lines: readonly string[],
  ) {
    super(`${headline}:\n${lines.join("\n")}`);
  }

  /** The message as synth reports it. */
  get unsynthesized(): string {
    return `${this.headline}; nothing was synthesized:\n${this.lines.join("\n")}`;
  }
}

/** The message of `error`, in synth's words when it is a config's problems. */
export function synthMessage(error: ValidationError): string {
  return error instanceof ConfigProblems ? error.unsynthesized : error.message;
}
