import { Annotations, App } from "cdktf";
import { runCli } from "./src/cli/run-synth";
import { loadConfig } from "./src/config/load";
import { VaultK8sAuthStack } from "./src/stacks/vault-k8s-auth-stack";

runCli(() => {
  const { config, warnings } = loadConfig();
  const app = new App();
  config.clusters.forEach((cluster, index) => {
    const stack = new VaultK8sAuthStack(app, cluster.name, { cluster });
    for (const warning of warnings.filter((found) => found.cluster === index)) {
      Annotations.of(stack).addWarning(warning.text);
    }
  });
  app.synth();
});
