import { join, relative } from "node:path";
import type { Synthesized } from "../app";
import { underCdktfCli } from "../cdktf-cli";
import { synthMessage } from "../config/config-problems";
import { ValidationError } from "../domain/validation";
import { internalErrorText, withoutToken } from "./failure";
import { type Io, processIo } from "./io";

/**
 * What a synth prints, the same from `npm run synth` and `vault-k8s-auth synth`: each warning
 * once on stderr, then one ok line per stack on stdout; under the cdktf CLI nothing, as it
 * prints the warnings from the manifest and names the stacks itself. It logs an app's stderr at
 * error level (@cdktf/commons src/util.js:128-137), so warnings printed here as well would show
 * twice, the second time as "[ERROR] default - warning: ...".
 */
export function reportSynth({ stacks, warnings, outdir }: Synthesized, io: Io): void {
  if (underCdktfCli(io.env)) return;
  io.err(warnings.map((warning) => `warning: ${warning}\n`).join(""));
  const written = (stack: string) => relative(io.cwd, join(outdir, "stacks", stack, "cdk.tf.json"));
  io.out(stacks.map((stack) => `ok: ${stack}: ${written(stack)}\n`).join(""));
}

/**
 * cdktf captures a stack trace for every attribute reference; mapping each frame through source
 * maps (on under tsx) costs about a third of the synth, and messages do not need it. Left on with
 * VAULT_K8S_AUTH_DEBUG, whose stack traces do.
 */
export function sourceMapsOffForSynth(env: NodeJS.ProcessEnv): void {
  if (!env.VAULT_K8S_AUTH_DEBUG) process.setSourceMapsEnabled(false);
}

/**
 * Runs the synth entry point (main.ts): `npm run synth`, and the app `cdktf synth` runs. A
 * ValidationError is the user's to fix: its message alone goes to stderr, once, exit 2 (no
 * answer, as for `vault-k8s-auth synth`). Validation happens while the stacks are built, before
 * anything is written, so an earlier cdktf.out stays as it was.
 */
export function runCli(main: () => Synthesized, io: Io = processIo()): void {
  sourceMapsOffForSynth(io.env);
  try {
    reportSynth(main(), io);
  } catch (error) {
    const text =
      error instanceof ValidationError ? `vault-k8s-auth: ${synthMessage(error)}\n` : internalErrorText(error, io.env);
    io.err(withoutToken(text, io.env));
    process.exitCode = 2;
  }
}
