import type { Command } from "./command";

/** The package's version: package.json sits two folders up from src/cli, dist/cli and the bundle's dist/cli. */
export function packageVersion(): string {
  return (require("../../package.json") as { version: string }).version;
}

/** `vault-k8s-auth version` (and `--version`): which release is this, as `terraform version` says it. */
export const version: Command = {
  name: "version",
  summary: "print the version of vault-k8s-auth (also --version)",
  help: `Usage: vault-k8s-auth version [--json]

Prints "vault-k8s-auth <version>", the version of the installed package (package.json), as
\`terraform version\` and \`vault version\` do; \`vault-k8s-auth --version\` prints the same.

Example:
  npx vault-k8s-auth version

--json prints {"version": str}.`,
  exit: { 0: "printed" },
  options: {},
  maxPositionals: 0,
  run(invocation, io) {
    const current = packageVersion();
    io.out(
      invocation.values.json === true ? `${JSON.stringify({ version: current })}\n` : `vault-k8s-auth ${current}\n`,
    );
    return 0;
  },
};
