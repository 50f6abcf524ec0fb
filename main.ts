import { synthesize } from "./src/app";
import { runCli } from "./src/cli/run-synth";
import { loadConfig } from "./src/config/load";

runCli(() => synthesize(loadConfig()));
