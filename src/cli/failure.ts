/**
 * How a failure that is no one's mistake but ours reads on stderr, the same from every command and
 * from the synth entry point: its message and where to report it, or its stack trace with
 * VAULT_K8S_AUTH_DEBUG set.
 */
export function internalErrorText(error: unknown, env: NodeJS.ProcessEnv): string {
  if (env.VAULT_K8S_AUTH_DEBUG) return `vault-k8s-auth: internal error\n${(error as Error).stack}\n`;
  return (
    `vault-k8s-auth: internal error: ${(error as Error).message}\n` +
    "Set VAULT_K8S_AUTH_DEBUG=1 for the stack trace and report it as a bug.\n"
  );
}

/**
 * `text` with VAULT_TOKEN's value replaced, so no failure prints it. Real tokens are long (hvs.
 * and 90 more characters); a short one ("root" on a dev server) would turn every word holding it
 * into noise, and is no secret worth that.
 */
export function withoutToken(text: string, env: NodeJS.ProcessEnv): string {
  const token = env.VAULT_TOKEN?.trim() ?? "";
  return token.length >= 8 ? text.split(token).join("<VAULT_TOKEN>") : text;
}
