import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = join(__dirname, "..");
// Value imports and re-exports; `import type` is erased by the compiler and loads nothing.
const IMPORT = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\s+from\s+)?["']([^"']+)["']/gm;
const HEAVY = /^(?:cdktf|constructs|@cdktf\/)/;

/** Every module the entry point loads at start-up, following relative imports: [file, specifier][]. */
function importGraph(entry: string): [string, string][] {
  const seen = new Set<string>();
  const edges: [string, string][] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(IMPORT)) {
      edges.push([relative(ROOT, file), specifier]);
      if (!specifier.startsWith(".")) continue;
      const base = resolve(dirname(file), specifier);
      const target = [`${base}.ts`, join(base, "index.ts")].find(existsSync);
      if (target) visit(target);
    }
  };
  visit(join(ROOT, entry));
  return edges;
}

describe("the question-answering wing (src/answers) and the CLI (src/cli)", () => {
  test("follows the CLI's imports through src/answers and src/config (the graph is read, not empty)", () => {
    const files = new Set(importGraph("src/cli/main.ts").map(([file]) => file));
    expect(files).toContain("src/cli/validate.ts");
    expect(files).toContain("src/answers/doctor/kubernetes-login.ts");
    expect(files).toContain("src/answers/acl/acl.ts");
    expect(files).toContain("src/config/load.ts");
  });

  test("never load cdktf, constructs or a provider package, directly or through another module", () => {
    const heavy = importGraph("src/cli/main.ts").filter(([, specifier]) => HEAVY.test(specifier));
    expect(heavy).toEqual([]);
  });

  test("never reach into the Terraform-writing side (constructs, stacks, providers)", () => {
    const upward = importGraph("src/cli/main.ts").filter(([, specifier]) =>
      /\/(constructs|stacks|providers)(\/|$)/.test(specifier),
    );
    expect(upward).toEqual([]);
  });
});
