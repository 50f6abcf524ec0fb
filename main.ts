import { App } from "cdktf";
import { runCli } from "./src/cli/run-synth";
import { loadConfig } from "./src/config/load";
import { VaultK8sAuthStack } from "./src/stacks/vault-k8s-auth-stack";

runCli(() => {
  const { config } = loadConfig();
  const app = new App();
  for (const cluster of config.clusters) {
    new VaultK8sAuthStack(app, cluster.name, { cluster });
  }
  app.synth();
});
