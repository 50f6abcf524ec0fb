#!/usr/bin/env node
// Runs a TypeScript entry of this checkout (main.ts, src/cli/main.ts) at the speed of compiled
// JavaScript, with no build step to remember: esbuild bundles the entry and the project's own
// files (cdktf, constructs and the providers stay in node_modules) into node_modules/.cache/
// vault-k8s-auth/, and the bundle is used for as long as none of the files that went into it has
// changed; an edit, a git pull or an npm ci makes the next run bundle again (about 0.1 s of CPU).
// Loading TypeScript through tsx's loader hooks instead costs several times a bare cdktf app
// (npm run bench). Where the cache cannot be written, or esbuild is missing, tsx runs the source.
//
//   node bin/run-source.js main.ts           cdktf.json's app
//   require("./run-source").load(file)       the bin, in a checkout

const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require("node:fs");
const { basename, dirname, join, relative, resolve } = require("node:path");

const ROOT = resolve(__dirname, "..");
/** Where bundles go; VAULT_K8S_AUTH_CACHE moves it (the tests give each copy of the project its own). */
const CACHE = process.env.VAULT_K8S_AUTH_CACHE || join(ROOT, "node_modules", ".cache", "vault-k8s-auth");
/** Part of the bundle's name: a change of the bundling below makes every cached bundle stale. */
const FORMAT = 1;

/** The bundle of `entry` (a path from the project root) and the files it was made from. */
function paths(entry) {
  // The checkout's path in the name too: worktrees may share one node_modules.
  const checkout = createHash("sha256").update(ROOT).digest("hex").slice(0, 12);
  const name = `${relative(ROOT, resolve(ROOT, entry)).replace(/[^A-Za-z0-9]+/g, "-")}.${checkout}.v${FORMAT}`;
  return { bundle: join(CACHE, `${name}.js`), inputs: join(CACHE, `${name}.inputs.json`) };
}

/** Whether the bundle exists and no file that went into it changed or went away since. */
function fresh({ bundle, inputs }) {
  try {
    const built = statSync(bundle).mtimeMs;
    const files = JSON.parse(readFileSync(inputs, "utf8"));
    return files.every((file) => statSync(join(ROOT, file)).mtimeMs <= built);
  } catch {
    return false;
  }
}

/** Bundles `entry` into the cache; written under a temporary name and renamed, so a run never reads half a file. */
function bundle(entry, target) {
  const esbuild = require("esbuild");
  const temporary = `${target.bundle}.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: [resolve(ROOT, entry)],
    outfile: temporary,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // jsonc-parser's "main" is a UMD build whose dynamic requires a bundler cannot follow.
    mainFields: ["module", "main"],
    external: ["cdktf", "constructs", "@cdktf/*", "esbuild", "tsx", "typescript"],
    metafile: true,
    logLevel: "error",
  });
  const files = Object.keys(result.metafile.inputs).map((file) => file.replace(/^\.\//, ""));
  // The list first: a bundle whose list is missing or older counts as stale, never as fresh.
  writeFileSync(target.inputs, JSON.stringify(files));
  renameSync(temporary, target.bundle);
}

/** The entry's exports, from a fresh bundle (made now if needed), else from the source through tsx. */
function load(entry) {
  const target = paths(entry);
  const source = () => require("tsx/cjs/api").require(resolve(ROOT, entry), __filename);
  // Stack traces that name the source's files and lines, for a bug report.
  if (process.env.VAULT_K8S_AUTH_DEBUG) return source();
  if (!fresh(target)) {
    try {
      mkdirSync(dirname(target.bundle), { recursive: true });
      bundle(entry, target);
    } catch (error) {
      // A syntax error is the user's to see; a cache that cannot be written or a missing esbuild is not.
      if (error && Array.isArray(error.errors) && error.errors.length > 0) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      return source();
    }
  }
  return require(target.bundle);
}

module.exports = { load };

if (require.main === module) {
  const entry = process.argv[2];
  if (!entry) {
    process.stderr.write(`usage: node bin/${basename(__filename)} <entry.ts>\n`);
    process.exit(2);
  }
  process.argv.splice(2, 1);
  load(entry);
}
