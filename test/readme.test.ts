import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parseConfigText } from "../src/config/load";
import { VaultK8sAuthStack } from "../src/stacks/vault-k8s-auth-stack";

const ROOT = join(__dirname, "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const README = read("README.md");
const DOCS = readdirSync(join(ROOT, "docs")).filter((file) => file.endsWith(".md"));

describe("the README", () => {
  test("gives the two commands a newcomer needs", () => {
    expect(README).toContain("npm ci && npm run synth");
    expect(README).toMatch(/^npm test\b/m);
  });

  test("leads: at most 300 lines, and a link to every page of docs/", () => {
    expect(README.split("\n").length).toBeLessThanOrEqual(300);
    const linked = new Set([...README.matchAll(/\]\(docs\/([^)#]+)/g)].map((match) => match[1]));
    expect(DOCS.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe("the configuration guide (docs/configure.md)", () => {
  test("shows a multi-cluster config example that the validator accepts", () => {
    const example = /```yaml\n(# yaml-language-server[\s\S]*?)```/.exec(read("docs/configure.md"))?.[1] ?? "";
    expect(example).toMatch(/^# yaml-language-server: \$schema=\.\/vault-k8s-auth\.schema\.json\nclusters:\n/);
    const config = parseConfigText(example, "configure.md example");
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
});

describe("the deploy guide (docs/deploy.md)", () => {
  test("says that Terraform downloads the providers, how to mirror them, and migrates state with init -migrate-state", () => {
    const deploy = read("docs/deploy.md");
    expect(deploy).not.toMatch(/need no Terraform download/);
    expect(deploy).toContain("terraform providers mirror");
    expect(deploy).toContain("filesystem_mirror");
    expect(deploy).toMatch(/init -migrate-state/);
    expect(deploy).not.toMatch(/terraform state push/);
  });
});

test("the pod guide (docs/pods.md) shows how the pod's login response gives the Vault token", () => {
  expect(read("docs/pods.md")).toMatch(/jq -r \.auth\.client_token/);
});

test("the README and docs/ name only npm scripts that exist", () => {
  const scripts = Object.keys(JSON.parse(read("package.json")).scripts);
  // docs/adopt.md is about the repo `vault-k8s-auth init` writes, whose scripts are its own (npm run plan).
  const pages = DOCS.filter((page) => page !== "adopt.md");
  const text = [README, ...pages.map((page) => read(`docs/${page}`))].join("\n");
  const named = [...new Set([...text.matchAll(/npm run ([a-z0-9]+(?::[a-z0-9]+)*)/g)].map((match) => match[1]))];
  // The scripts a newcomer and a contributor are sent to: a pattern that stops matching fails here.
  expect(named).toEqual(
    expect.arrayContaining(["synth", "docs", "test:e2e", "test:e2e:local", "test:package", "schema"]),
  );
  expect(named.filter((script) => !scripts.includes(script))).toEqual([]);
});
