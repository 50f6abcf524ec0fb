import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Annotations, App } from "cdktf";
import { underCdktfCli } from "./cdktf-cli";
import type { CheckedConfig } from "./config/load";
import { validateTree } from "./constructs/validate";
import { awsClasses } from "./providers";
import { VaultK8sAuthStack } from "./stacks/vault-k8s-auth-stack";

export interface SynthOptions {
  /** @default - $CDKTF_OUTDIR (the cdktf CLI sets it), else "cdktf.out" */
  readonly outdir?: string;
  /** @default - every cluster */
  readonly cluster?: string;
  /**
   * The environment the synth runs in: under the cdktf CLI (which it marks there), the folders of
   * stacks no longer in the config are left for the CLI to remove.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

export interface Synthesized {
  /** The folder written: `<outdir>/stacks/<id>/cdk.tf.json` and `<outdir>/manifest.json`. */
  readonly outdir: string;
  /** Stack ids, one per cluster: `<outdir>/stacks/<id>/cdk.tf.json`. */
  readonly stacks: string[];
  /**
   * Every warning of the synthesized clusters, each once, in the order `validate` lists them:
   * the config's list (CheckedConfig.warnings), which predicts the constructs' own.
   */
  readonly warnings: string[];
}

/**
 * The whole app: one stack per cluster, with the config's warnings about a cluster attached to
 * its stack. main.ts runs it under `cdktf synth`, and the installed `vault-k8s-auth synth` runs it
 * without a main.ts of the user's own.
 */
export function synthesize({ config, warnings }: CheckedConfig, options: SynthOptions = {}): Synthesized {
  const chosen = config.clusters
    .map((cluster, index) => ({ cluster, index }))
    .filter(({ cluster }) => options.cluster === undefined || cluster.name === options.cluster);
  // A missing optional AWS provider fails here, before App creates the output folder.
  if (chosen.some(({ cluster }) => cluster.kubernetes.eks)) awsClasses();

  // Same as cdktf.json's context: no stack trace in the metadata of every synthesized block.
  const app = new App({ outdir: options.outdir, stackTraces: false });
  const stacks = chosen.map(({ cluster, index }) => {
    const stack = new VaultK8sAuthStack(app, cluster.name, { cluster });
    // The constructs add their own warnings; the config check's go on the stack.
    for (const warning of warnings.filter((found) => found.cluster === index && found.construct === undefined)) {
      Annotations.of(stack).addWarning(warning.text);
    }
    return stack;
  });
  // The constructs' own validations (a mount without roles, a policy without rules), before anything is written.
  for (const stack of stacks) validateTree(stack);
  app.synth();

  const ids = stacks.map((stack) => stack.node.id);
  // As cdktf synth does (cdktf-cli 0.21.0 @cdktf/cli-core src/lib/synth-stack.js:174-178): the folder of a
  // stack no longer in the config goes, so nothing plans it by mistake. Only when every cluster
  // was synthesized (--cluster leaves the others' folders alone), and not under the cdktf CLI,
  // which removes them itself after the app and fails on one already gone.
  if (options.cluster === undefined && !underCdktfCli(options.env ?? process.env)) {
    const folder = join(app.outdir, "stacks");
    // app.synth() has just written at least one stack there: the folder exists.
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory() && !ids.includes(entry.name)) rmSync(join(folder, entry.name), { recursive: true });
    }
  }
  const names = new Set(chosen.map(({ index }) => index));
  return {
    outdir: app.outdir,
    stacks: ids,
    warnings: warnings.filter((found) => names.has(found.cluster)).map((found) => found.text),
  };
}
