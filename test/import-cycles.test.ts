import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = join(__dirname, "..", "src");
// Every import and re-export, `import type` included: a shared type lives in its own module.
const IMPORT = /^(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?["'](\.[^"']+)["']/gm;

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(folder, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(folder, entry.name)]
        : [],
  );
}

/** The relative imports of each file of src/, as files. */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const targets = [...readFileSync(file, "utf8").matchAll(IMPORT)].flatMap(([, specifier]) => {
      const base = resolve(dirname(file), specifier);
      return [`${base}.ts`, join(base, "index.ts")].filter(existsSync).slice(0, 1);
    });
    edges.set(file, targets);
  }
  return edges;
}

/** One cycle per strongly connected set of more than one file (or a file importing itself), as paths. */
function cycles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === "open") found.push(stack.slice(stack.indexOf(next)).map((f) => relative(SRC, f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of edges.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe("src/ has no import cycles", () => {
  test("no module imports, directly or through others, a module that imports it", () => {
    expect(cycles(graph())).toEqual([]);
  });

  test("the walk finds a cycle when there is one (the check is not empty)", () => {
    const a = join(SRC, "a.ts");
    const b = join(SRC, "b.ts");
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([["a.ts", "b.ts"]]);
    expect(graph().get(join(SRC, "config", "load.ts"))).toContain(join(SRC, "config", "semantic.ts"));
  });
});
