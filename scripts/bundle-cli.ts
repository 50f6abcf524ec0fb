/**
 * `npm run build` ends here: the CLI and its pure dependencies (zod, yaml, jsonc-parser,
 * fastest-levenshtein) bundled into dist/cli/bundle.js, which bin/vault-k8s-auth.js prefers.
 * Loading some 200 modules one by one was most of the CLI's start-up (npm run bench:cli shows
 * both). cdktf, constructs and the providers stay outside the bundle: only `synth` loads them,
 * when it runs, from node_modules.
 */
import { join, relative } from "node:path";
import { buildSync, type Metafile } from "esbuild";

const ROOT = join(__dirname, "..");
export const CLI_BUNDLE = join("dist", "cli", "bundle.js");

/** Writes the bundle to `outfile`; returns the files that went into it. */
export function bundleCli(outfile: string): Metafile {
  const result = buildSync({
    entryPoints: [join(ROOT, "src", "cli", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // jsonc-parser's "main" is a UMD build whose dynamic requires a bundler cannot follow.
    mainFields: ["module", "main"],
    // js-hcl-parser (1.5 MB of GopherJS) is required only when a policy's HCL is parsed: kept
    // outside, so no other command reads it.
    external: ["cdktf", "constructs", "@cdktf/*", "js-hcl-parser"],
    metafile: true,
    logLevel: "warning",
  });
  return result.metafile;
}

if (require.main === module) {
  const outfile = join(ROOT, CLI_BUNDLE);
  const inputs = Object.keys(bundleCli(outfile).inputs).length;
  // stderr: `npm pack --json` runs this in prepack, and its stdout must stay JSON.
  process.stderr.write(`wrote ${relative(ROOT, outfile)} (${inputs} modules)\n`);
}
