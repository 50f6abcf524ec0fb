import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PAGES } from "../scripts/write-docs";
import { renderJsonSchema } from "../src/config/json-schema";

const ROOT = join(__dirname, "..");

describe("the generated reference pages", () => {
  test.each(Object.keys(PAGES))("%s is what npm run docs writes (run it when this fails)", (page) => {
    expect(readFileSync(join(ROOT, page), "utf8")).toBe(PAGES[page]());
  });

  test("describe every field of the config: a field without .describe() in src/config/schema.ts fails here", () => {
    const undescribed: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      for (const [key, field] of Object.entries((node.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        if (!field.description) undescribed.push(`${path}${key}`);
        walk(field, `${path}${key}.`);
      }
      if (node.items) walk(node.items as Record<string, unknown>, path.replace(/\.$/, "[]."));
      for (const variant of (node.oneOf ?? node.anyOf ?? []) as Record<string, unknown>[]) walk(variant, path);
    };
    walk(JSON.parse(renderJsonSchema()), "");
    expect(undescribed).toEqual([]);
  });
});

/** Every Markdown file of the repository (git's list, so nothing under node_modules or ignored). */
const markdown = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.md"], {
  cwd: ROOT,
  encoding: "utf8",
})
  .split("\n")
  .filter((file) => file !== "" && existsSync(join(ROOT, file)));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, "")
    .replace(/[^\p{L}\p{N} -]/gu, "")
    .replace(/ /g, "-");
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchor(match[1])));
}

describe("relative links in the Markdown files", () => {
  test("there are pages to check", () => {
    expect(markdown).toEqual(expect.arrayContaining(["README.md", "docs/cli.md", "docs/configure.md"]));
  });

  test.each(markdown)("%s links only to files and headings that exist", (file) => {
    const text = readFileSync(join(ROOT, file), "utf8").replace(/```[\s\S]*?```/g, "");
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path, hash] = target.split("#");
      const resolved = path === "" ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), decodeURI(path));
      if (!existsSync(resolved)) {
        broken.push(`${target}: no such file`);
      } else if (hash !== undefined && statSync(resolved).isFile() && resolved.endsWith(".md")) {
        if (!anchorsOf(resolved).has(hash)) broken.push(`${target}: no heading #${hash}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
