/**
 * Whether the cdktf CLI runs this process as its app: its SynthStack sets this for every app it
 * runs (cdktf-cli 0.21.0, @cdktf/cli-core src/lib/synth-stack.js:113). It then prints the
 * manifest's annotations itself (src/lib/synth.js:34-64) and its own line about the stacks, and
 * removes the folders of stacks the app no longer writes (synth-stack.js:174-178, with an rmSync
 * that fails on a folder already gone).
 */
export function underCdktfCli(env: NodeJS.ProcessEnv): boolean {
  return env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS === "true";
}
