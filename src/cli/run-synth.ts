import { synthMessage } from "../config/config-problems";
import { ValidationError } from "../validation";

/**
 * Runs the synth entry point. A ValidationError is the user's to fix: its message alone goes to
 * stderr, with exit code 1. Validation happens while the stacks are built, before anything is
 * written, so an earlier cdktf.out stays as it was.
 */
export function runCli(main: () => void): void {
  // cdktf captures a stack trace for every attribute reference; with the source maps tsx turns
  // on, each frame is mapped back, which costs about a third of the synth. Messages don't need it.
  if (!process.env.VAULT_K8S_AUTH_DEBUG) process.setSourceMapsEnabled(false);
  try {
    main();
  } catch (error) {
    if (error instanceof ValidationError) {
      process.stderr.write(`vault-k8s-auth: ${synthMessage(error)}\n`);
    } else if (process.env.VAULT_K8S_AUTH_DEBUG) {
      process.stderr.write(`vault-k8s-auth: internal error\n${(error as Error).stack}\n`);
    } else {
      process.stderr.write(
        `vault-k8s-auth: internal error: ${(error as Error).message}\n` +
          "Set VAULT_K8S_AUTH_DEBUG=1 for the stack trace and report it as a bug.\n",
      );
    }
    process.exitCode = 1;
  }
}
