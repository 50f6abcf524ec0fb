import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { DEFAULT_CONFIG } from "../src/config/defaults";
import { parseConfig } from "../src/config/load";
import { VaultK8sAuthStack } from "../src/stacks/vault-k8s-auth-stack";
import { addresses, type TerraformJson, warningsOf } from "./helpers";

const ROOT = join(__dirname, "..");

/** The address map of docs/migration-from-seed.md: seed address → [our address, import id]. */
function documentedMap(): Map<string, { address: string; importId?: string }> {
  const doc = readFileSync(join(ROOT, "docs/migration-from-seed.md"), "utf8");
  const rows = [...doc.matchAll(/^\|\s*`([^`]+)`\s*\|\s*`([^`]+)`\s*\|\s*(?:`([^`]+)`|—)\s*\|/gm)];
  return new Map(rows.map(([, seed, address, importId]) => [seed, { address, importId }]));
}

function synthDefault(importExisting: boolean): TerraformJson & { import?: { to: string; id: string }[] } {
  const input = structuredClone(DEFAULT_CONFIG);
  Object.assign(input.clusters[0], { importExisting });
  const cluster = parseConfig(input, "test").clusters[0];
  return JSON.parse(Testing.synth(new VaultK8sAuthStack(Testing.app(), cluster.name, { cluster })));
}

describe("migration from the seed", () => {
  test("the guide maps every resource of seed.tf", () => {
    const seed = readFileSync(join(__dirname, "fixtures/seed.tf"), "utf8");
    const seedResources = [...seed.matchAll(/^resource "([^"]+)" "([^"]+)"/gm)].map(
      ([, type, name]) => `${type}.${name}`,
    );
    expect(seedResources).toHaveLength(7);
    expect([...documentedMap().keys()].sort()).toEqual(seedResources.sort());
  });

  test("every address in the guide exists in the synthesized default stack", () => {
    const documented = [...documentedMap().values()].map((entry) => entry.address);
    // One row per resource of seed.tf: a table that stops parsing fails here, not passes an empty loop.
    expect(documented).toHaveLength(7);
    expect(addresses(synthDefault(false))).toEqual(expect.arrayContaining(documented));
  });

  test("importExisting writes exactly the guide's import blocks", () => {
    const documented = [...documentedMap().values()]
      .filter((entry) => entry.importId !== undefined)
      .map((entry) => ({ to: entry.address, id: entry.importId }));
    // Every row but the replaced token Secret has an import id.
    expect(documented).toHaveLength(6);
    expect(synthDefault(true).import).toEqual(expect.arrayContaining(documented));
    expect(synthDefault(true).import).toHaveLength(documented.length);
  });

  test("warns while importExisting is on, saying to switch it off after the first deploy", () => {
    const input = structuredClone(DEFAULT_CONFIG);
    Object.assign(input.clusters[0], { importExisting: true });
    const cluster = parseConfig(input, "test").clusters[0];
    const stack = new VaultK8sAuthStack(Testing.app(), cluster.name, { cluster });
    expect(warningsOf(stack)).toContainEqual(expect.stringContaining("importExisting is on"));
  });

  test("without importExisting no import block is written", () => {
    expect(synthDefault(false)).not.toHaveProperty("import");
  });
});
