import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..");
const PROVIDER = /(?:from\s+|require\(\s*|import\(\s*)["'](@cdktf\/provider-[a-z0-9-]+)(\/[^"']*)?["']/g;

function sourceFiles(): string[] {
  const files = ["main.ts"];
  for (const folder of ["src", "test", "bench", "scripts"]) {
    for (const entry of readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && /\.(ts|js|cjs|mjs)$/.test(entry.name)) {
        files.push(relative(ROOT, join(entry.parentPath, entry.name)));
      }
    }
  }
  return files;
}

function providerImports(): { file: string; specifier: string; module?: string }[] {
  return sourceFiles().flatMap((file) =>
    [...readFileSync(join(ROOT, file), "utf8").matchAll(PROVIDER)].map((match) => ({
      file,
      specifier: match[1] + (match[2] ?? ""),
      module: match[2],
    })),
  );
}

describe("provider imports", () => {
  test("never load a provider package from its root (a root import loads every resource)", () => {
    const imports = providerImports();
    // src/providers.ts imports two dozen classes: a pattern that finds none cannot pass as "no root import".
    expect(imports.length).toBeGreaterThanOrEqual(20);
    expect(imports.filter((found) => found.module === undefined)).toEqual([]);
  });

  test("import each class from its own module under lib/", () => {
    const imports = providerImports();
    expect(imports.length).toBeGreaterThanOrEqual(20);
    expect(imports.filter((found) => !/^@cdktf\/provider-[a-z]+\/lib\/[a-z0-9-]+$/.test(found.specifier))).toEqual([]);
  });

  test("live in src/providers.ts only, so a move to another provider build is one file", () => {
    expect([...new Set(providerImports().map((found) => found.file))]).toEqual(["src/providers.ts"]);
  });
});
