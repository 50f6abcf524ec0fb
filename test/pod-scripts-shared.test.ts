import { readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * The two pod scripts are each copied into an image alone (docs/pods.md), so neither sources the
 * other and the helpers they share are written in both. This keeps the copies equal: a fix to
 * one's die, json_get, oneline or scrub that misses the other fails here.
 */

const SCRIPTS = ["scripts/vault-login.sh", "scripts/vault-read-secret.sh"];
const read = (script: string) => readFileSync(join(__dirname, "..", script), "utf8");

/** Each shell function of `text` with the comment lines just above it, by name. */
function functions(text: string): Map<string, string> {
  const lines = text.split("\n");
  const found = new Map<string, string>();
  lines.forEach((line, index) => {
    const name = /^([a-z_]+)\(\) *\{/.exec(line)?.[1];
    if (name === undefined) return;
    let start = index;
    while (start > 0 && lines[start - 1].startsWith("#")) start--;
    let end = index;
    if (!/\}\s*$/.test(line) || /\{\s*(#.*)?$/.test(line)) {
      while (end < lines.length - 1 && lines[end] !== "}") end++;
    }
    found.set(name, lines.slice(start, end + 1).join("\n"));
  });
  return found;
}

const [login, readSecret] = SCRIPTS.map((script) => functions(read(script)));
const shared = [...login.keys()].filter((name) => readSecret.has(name) && name !== "usage");

describe("the helpers both pod scripts carry", () => {
  test("are found: die, json_get, oneline and scrub, at least", () => {
    expect(shared).toEqual(expect.arrayContaining(["die", "json_get", "oneline", "scrub"]));
  });

  test.each(shared)("%s is the same, comment included, in both scripts", (name) => {
    expect(readSecret.get(name)).toBe(login.get(name));
  });

  test.each(SCRIPTS)("%s stays copyable alone: it sources no other file", (script) => {
    expect(read(script)).not.toMatch(/^\s*(\.|source)\s+\S/m);
  });
});

describe("the function reader the test above relies on", () => {
  test("reads a multi-line function with its comment, and a one-line one", () => {
    const text = ["x=1", "# says hi", "hi() {", "\techo hi", "}", "one() { echo one; }", "y=2"].join("\n");
    expect(functions(text)).toEqual(
      new Map([
        ["hi", "# says hi\nhi() {\n\techo hi\n}"],
        ["one", "one() { echo one; }"],
      ]),
    );
  });
});
