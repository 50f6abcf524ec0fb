import { resolve } from "node:path";
import { synthMessage } from "../config/config-problems";
import type { LoadedConfig } from "../config/load";
import { ValidationError } from "../domain/validation";
import { COMMON_HELP, type Command, stringFlag } from "./command";
import type { Io } from "./io";
import { loadForCli, pickCluster } from "./load";
import { reportSynth, sourceMapsOffForSynth } from "./run-synth";

/**
 * `vault-k8s-auth synth`: the project's main.ts, for a user who installed the package and has
 * only a config file. The one command that builds Terraform, so the one that loads cdktf and
 * the providers, and only when it runs.
 */
export const synth: Command = {
  name: "synth",
  summary: "write Terraform JSON for the config's clusters into cdktf.out (loads cdktf)",
  help: `Usage: vault-k8s-auth synth [--config FILE] [--cluster NAME] [--output DIR] [--json]

Synthesizes one stack per cluster of the config file, as \`cdktf synth\` does with this
project's main.ts: DIR/stacks/<cluster>/cdk.tf.json, ready for terraform init/plan/apply in that
folder, or for \`cdktf deploy\` with "app": "npx vault-k8s-auth synth" in your cdktf.json.
Warnings (an admin policy, a role without an audience) go to stderr, each once, as validate
lists them; run as cdktf's app, it prints nothing and cdktf prints them. A file with problems
writes nothing: an earlier DIR stays as it was. Without --cluster, stack folders in DIR/stacks
of clusters no longer in the file are removed, as cdktf synth removes them.

Flags:
  --output DIR     where to write (default: $CDKTF_OUTDIR, which cdktf sets, else cdktf.out);
                   local state is terraform.<cluster>.tfstate in DIR's parent folder (the
                   stacks point at ../../../ so that the output is the same on every machine),
                   so keep DIR one level below the project, or use state.s3

Example:
  npx vault-k8s-auth synth --config clusters/prod.yaml --cluster prod-eu
  cd cdktf.out/stacks/prod-eu && terraform init && terraform plan

${COMMON_HELP}
  (without --cluster, every cluster of the file is synthesized)

--json prints {"outdir": str, "stacks": [str], "warnings": [str]}.`,
  exit: { 0: "written", 2: "bad usage, a file that cannot be read or a config with problems (nothing written)" },
  options: { output: { type: "string" } },
  maxPositionals: 0,
  run(invocation, io) {
    const loaded = loadSaying(stringFlag(invocation, "config"), io);
    const cluster = stringFlag(invocation, "cluster");
    // Refuses an unknown name before anything is written.
    if (cluster !== undefined) pickCluster(loaded.config, cluster);
    const outdir = resolve(io.cwd, stringFlag(invocation, "output") ?? io.env.CDKTF_OUTDIR ?? "cdktf.out");
    sourceMapsOffForSynth(io.env);
    // Loaded here, not at the top: every other command answers without cdktf or a provider.
    const { synthesize } = require("../app") as typeof import("../app");
    const synthesized = synthesize(loaded, { outdir, cluster, env: io.env });
    if (invocation.values.json) {
      io.out(`${JSON.stringify({ outdir, stacks: synthesized.stacks, warnings: synthesized.warnings })}\n`);
    } else {
      reportSynth(synthesized, io);
    }
    return 0;
  },
};

/** The config, its problems in synth's words: nothing was synthesized. */
function loadSaying(configFile: string | undefined, io: Io): LoadedConfig {
  try {
    return loadForCli(configFile, io);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(synthMessage(error));
    throw error;
  }
}
