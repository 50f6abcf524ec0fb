import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parseConfigText } from "../src/config/load";
import { VaultK8sAuthStack } from "../src/stacks/vault-k8s-auth-stack";

const README = readFileSync(join(__dirname, "..", "README.md"), "utf8");

describe("the README", () => {
  test("gives the two commands a newcomer needs", () => {
    expect(README).toContain("npm ci && npm run synth");
    expect(README).toMatch(/^npm test\b/m);
  });

  test("shows a multi-cluster config example that the validator accepts", () => {
    const example = /```yaml\n(# yaml-language-server[\s\S]*?)```/.exec(README)?.[1] ?? "";
    expect(example).toMatch(/^# yaml-language-server: \$schema=\.\/vault-k8s-auth\.schema\.json\nclusters:\n/);
    const config = parseConfigText(example, "README example");
    expect(config.clusters.map((cluster) => cluster.name)).toEqual(["prod-eu", "kind-dev"]);
    expect(config.clusters[0].roles.map((role) => role.name)).toEqual(["atlantis", "payments"]);
    const app = Testing.app();
    const stacks = config.clusters.map((cluster) => new VaultK8sAuthStack(app, cluster.name, { cluster }));
    const json = stacks.map((stack) => JSON.parse(Testing.synth(stack)));
    expect(Object.keys(json[0].resource.kubernetes_cluster_role_binding_v1)).toHaveLength(2);
    expect(Object.values(json[1].resource.vault_kubernetes_auth_backend_config)).toEqual([
      expect.not.objectContaining({ kubernetes_ca_cert: expect.anything() }),
    ]);
  });

  test("says that Terraform downloads the providers, how to mirror them, and migrates state with init -migrate-state", () => {
    expect(README).not.toMatch(/need no Terraform download/);
    expect(README).toContain("terraform providers mirror");
    expect(README).toContain("filesystem_mirror");
    expect(README).toMatch(/init -migrate-state/);
    expect(README).not.toMatch(/terraform state push/);
  });

  test("shows how the pod's login response gives the Vault token", () => {
    expect(README).toMatch(/jq -r \.auth\.client_token/);
  });

  test("names only npm scripts that exist", () => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")).scripts);
    const named = [...new Set([...README.matchAll(/npm run ([a-z0-9:]+)/g)].map((match) => match[1]))];
    // The scripts a newcomer and a contributor are sent to: a pattern that stops matching fails here.
    expect(named).toEqual(expect.arrayContaining(["synth", "test:e2e", "test:e2e:local", "test:package", "schema"]));
    expect(named.filter((script) => !scripts.includes(script))).toEqual([]);
  });
});
