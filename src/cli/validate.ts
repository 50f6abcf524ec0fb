import { ValidationError } from "../domain/validation";
import { COMMON_HELP, type Command, stringFlag } from "./command";
import { loadForCli } from "./load";

/**
 * `vault-k8s-auth validate`: the loader's verdict on the file, without building anything.
 * The problems are the answer here, so they go to stdout, one `FAIL` line each.
 */
export const validate: Command = {
  name: "validate",
  summary: "check the config file without synthesizing (for editors and pre-commit hooks)",
  help: `Usage: vault-k8s-auth validate [--config FILE] [--strict] [--json]

Checks the config file as synth does, without building or writing anything, and prints
"ok: N clusters, M roles" or one FAIL line per problem (file:line:col, field, value, fix).
Warnings come first, one "warn" line each: every warning synth reports (values Vault accepts
but ignores or caps, an admin policy, a role without an audience, plain http), with the same
text, in the same order, at file:line:col. They do not change the exit status unless --strict.

Flags:
  --strict         any warning is a problem: exit 1 (a gate for CI)

Example:
  npx vault-k8s-auth validate --config clusters/prod.yaml --strict

${COMMON_HELP}
  (--cluster is accepted and ignored: every cluster is checked)

--json prints {"ok": bool, "source": str, "clusters": int, "roles": int, "problems": [], "warnings": [str]}
(ok is false with --strict and warnings) or {"ok": false, "problems": [str]}.`,
  exit: {
    0: "the file is valid (warnings or not, unless --strict)",
    1: "it has problems, or warnings with --strict",
    2: "bad usage, or --config names no file that can be read",
  },
  options: { strict: { type: "boolean", default: false } },
  maxPositionals: 0,
  run(invocation, io) {
    const { values } = invocation;
    try {
      const { config, source, warnings } = loadForCli(stringFlag(invocation, "config"), io);
      const clusters = config.clusters.length;
      const roles = config.clusters.reduce((sum, cluster) => sum + cluster.roles.length, 0);
      const texts = warnings.map((warning) => warning.text);
      const ok = !(values.strict && texts.length > 0);
      if (values.json) {
        io.out(`${JSON.stringify({ ok, source, clusters, roles, problems: [], warnings: texts })}\n`);
      } else {
        io.out(texts.map((text) => `warn ${text}\n`).join(""));
        io.out(
          ok
            ? `ok: ${source}: ${plural(clusters, "cluster")}, ${plural(roles, "role")}\n`
            : `FAIL: ${source}: ${plural(texts.length, "warning")}, which --strict counts as problems\n`,
        );
      }
      return ok ? 0 : 1;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const problems = problemsOf(error.message);
      if (values.json) {
        io.out(`${JSON.stringify({ ok: false, problems })}\n`);
      } else {
        io.out(problems.map((problem) => `FAIL ${problem}\n`).join(""));
      }
      return 1;
    }
  },
};

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/**
 * The loader's message is a headline and, for a file with problems, one indented line each
 * (`  file:line:col: field: ...`); a message without them is one problem by itself.
 */
function problemsOf(message: string): string[] {
  const lines = message.split("\n");
  const listed = lines.filter((line) => line.startsWith("  ")).map((line) => line.trim());
  return listed.length > 0 ? listed : [lines.join(" ")];
}
