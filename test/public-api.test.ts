import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import * as ts from "typescript";
import * as library from "../src/index";
import { AWS_PROVIDER_RANGE } from "../src/providers";

const run = promisify(execFile);
const ROOT = join(__dirname, "..");
const README = readFileSync(join(ROOT, "docs", "library.md"), "utf8");
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

/**
 * Types declared in src/ that a user meets through the index's exports (props, public members,
 * parameters, return values): every named one the walk reached, and those the package does not export.
 */
function publicTypes(): { reached: string[]; unnamed: string[] } {
  const program = ts.createProgram([join(ROOT, "src/index.ts")], {
    strict: true,
    skipLibCheck: true,
    types: ["node"],
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const index = checker.getSymbolAtLocation(program.getSourceFile(join(ROOT, "src/index.ts")) as ts.SourceFile);
  const exports = checker.getExportsOfModule(index as ts.Symbol);
  const exported = new Set(exports.map((symbol) => symbol.name));
  const ours = (declaration: ts.Declaration) => declaration.getSourceFile().fileName.startsWith(join(ROOT, "src"));
  const missing = new Set<string>();
  const reached = new Set<string>();
  const seen = new Set<ts.Type>();

  const visit = (type: ts.Type): void => {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) type.types.forEach(visit);
    if (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
      checker.getTypeArguments(type as ts.TypeReference).forEach(visit);
    }
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (!symbol?.declarations?.some(ours)) return;
    const [declaration] = symbol.declarations;
    const named =
      ts.isInterfaceDeclaration(declaration) ||
      ts.isTypeAliasDeclaration(declaration) ||
      ts.isClassDeclaration(declaration);
    if (named) reached.add(symbol.name);
    if (named && !exported.has(symbol.name)) missing.add(symbol.name);
    for (const property of checker.getPropertiesOfType(type)) {
      const at = property.valueDeclaration ?? property.declarations?.[0];
      if (!at || ts.getCombinedModifierFlags(at) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
      visit(checker.getTypeOfSymbolAtLocation(property, at));
    }
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      for (const parameter of signature.getParameters()) {
        visit(checker.getTypeOfSymbolAtLocation(parameter, parameter.valueDeclaration as ts.Declaration));
      }
      visit(signature.getReturnType());
    }
  };

  for (const symbol of exports) {
    const target = checker.getAliasedSymbol(symbol);
    const [declaration] = target.declarations ?? [];
    visit(checker.getTypeOfSymbolAtLocation(target, declaration));
    if (target.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class)) {
      visit(checker.getDeclaredTypeOfSymbol(target));
    }
  }
  return { reached: [...reached].sort(), unnamed: [...missing].sort() };
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
      "validateTree",
    ]);
  });

  test("covers every name the README imports from the package", () => {
    const imported = [...README.matchAll(/import \{([^}]*)\} from "vault-k8s-auth"/g)].flatMap((match) =>
      match[1]
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean),
    );
    // The config example and the constructs example: a pattern that stops matching fails here.
    expect(imported).toEqual(
      expect.arrayContaining(["loadConfig", "VaultK8sAuthStack", "KubernetesAuthBackend", "Reviewer", "VaultPolicy"]),
    );
    expect(imported.filter((name) => !Object.keys(library).includes(name))).toEqual([]);
  });

  test("exports every type a user meets through it, so props and results can be named in user code", () => {
    const { reached, unnamed } = publicTypes();
    // Types the walk finds only through parameters, props and their members: an empty walk cannot pass as "none missing".
    expect(reached).toEqual(
      expect.arrayContaining([
        "KubernetesAuthBackendProps",
        "AuthRoleOptions",
        "NamespaceSelector",
        "ServiceAccountRef",
        "PolicyRule",
        "ReviewerConfig",
      ]),
    );
    expect(unnamed).toEqual([]);
  }, 60_000);

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
