import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import * as library from "../src/index";
import { AWS_PROVIDER_RANGE } from "../src/providers";

const run = promisify(execFile);
const ROOT = join(__dirname, "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** Node loads src/index (through tsx), runs `script`, and prints which provider-aws modules it loaded. */
async function awsModulesLoadedBy(script: string): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "-e",
      `const lib = require("./src/index"); const { App, TerraformStack } = require("cdktf");
       ${script}
       console.log(JSON.stringify(Object.keys(require.cache).filter((path) => path.includes("provider-aws"))));`,
    ],
    { cwd: ROOT },
  );
  return JSON.parse(stdout);
}

describe("the public API", () => {
  test("is exactly these names from the index, so adding or dropping one is a deliberate change", () => {
    expect(Object.keys(library).sort()).toEqual([
      "AuthDelegatorBinding",
      "AuthMethod",
      "ClusterConnection",
      "Duration",
      "JwtAuthBackend",
      "JwtAuthRole",
      "JwtIssuer",
      "KubernetesAuthBackend",
      "KubernetesAuthRole",
      "NamespaceReader",
      "PolicyPresets",
      "PolicyRules",
      "Reviewer",
      "ReviewerServiceAccount",
      "ValidationError",
      "VaultK8sAuthStack",
      "VaultPolicy",
      "checkConfigText",
      "loadConfig",
      "parseConfigText",
    ]);
  });

  test("covers every name the README imports from the package", () => {
    const imported = [...README.matchAll(/import \{([^}]*)\} from "vault-k8s-auth"/g)].flatMap((match) =>
      match[1]
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    );
    expect(imported.length).toBeGreaterThan(5);
    for (const name of imported) expect(Object.keys(library)).toContain(name);
  });

  test("names in the missing-AWS-provider message the same range as package.json's optional peer", () => {
    expect(PACKAGE.peerDependencies["@cdktf/provider-aws"]).toBe(AWS_PROVIDER_RANGE);
    expect(PACKAGE.peerDependenciesMeta["@cdktf/provider-aws"]).toEqual({ optional: true });
  });

  test("loads no module of @cdktf/provider-aws for an explicit connection, and loads it for EKS", async () => {
    const stack = "const stack = new TerraformStack(new App(), 'x');";
    const [explicit, eks] = await Promise.all([
      awsModulesLoadedBy(`${stack} lib.ClusterConnection.explicit({ host: "https://k8s.example.com" }).bind(stack);`),
      awsModulesLoadedBy(`${stack} lib.ClusterConnection.eks({ clusterName: "c", region: "eu-west-1" }).bind(stack);`),
    ]);
    expect(explicit).toEqual([]);
    expect(eks).toEqual(expect.arrayContaining([expect.stringContaining("provider-aws/lib/data-aws-eks-cluster/")]));
  }, 30_000);
});
