import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The folder of this package (its package.json and the files it ships), found by walking up from
 * this module: it runs from src/cli, dist/cli, dist/cli's bundle, or, in a checkout, a bundle in
 * node_modules/.cache (bin/run-source.js), which sit at different depths.
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "vault-k8s-auth"
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of vault-k8s-auth above ${from}`);
  }
}
