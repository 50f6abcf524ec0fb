import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const ROOT = join(__dirname, "..", "..");

export interface Packed {
  readonly tarball: string;
  /** Bytes of the .tgz. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly integrity: string;
  readonly files: string[];
  /** package.json as packed. */
  readonly manifest: Manifest;
}

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

interface LockEntry extends Manifest {
  optionalDependencies?: Record<string, string>;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

/**
 * `npm pack` of this repo into `dir`; npm runs `prepack` first, which builds dist/. A dist/ that
 * was not there before is removed again: the bin prefers dist/ to the sources, and a checkout
 * must not keep running a build that later edits leave behind.
 */
export async function pack(dir: string): Promise<Packed> {
  const dist = join(ROOT, "dist");
  const built = existsSync(dist);
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT }).finally(() => {
    if (!built) rmSync(dist, { recursive: true, force: true });
  });
  const [result] = JSON.parse(stdout);
  const tarball = join(dir, result.filename);
  const { stdout: manifest } = await run("tar", ["-xzOf", tarball, "package/package.json"]);
  return {
    tarball,
    size: result.size,
    unpackedSize: result.unpackedSize,
    integrity: result.integrity,
    files: result.files.map((file: { path: string }) => file.path),
    manifest: JSON.parse(manifest),
  };
}

/**
 * A fresh project in `dir` that depends on the packed tarball and on `dependencies` (names from
 * this repo's package.json, at its pinned versions), installed with `npm ci --offline`.
 *
 * `npm ci` in this repo leaves every tarball in the npm cache but no registry metadata, and
 * without metadata npm cannot resolve a version range offline. So the project gets a lockfile
 * whose entries are those of this repo's package-lock.json, taken at the same paths: the
 * closure of the consumer's dependencies there. Optional peers (the AWS provider) stay out,
 * as they do for a user who does not ask for them.
 */
export async function installConsumer(dir: string, packed: Packed, dependencies: string[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const repo = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Manifest;
  const own = { ...repo.dependencies, ...repo.devDependencies };
  const direct: Record<string, string> = { [packed.manifest.name]: `file:${relative(dir, packed.tarball)}` };
  for (const name of dependencies) direct[name] = own[name];
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "consumer", version: "1.0.0", private: true, dependencies: direct }, null, 2),
  );
  await installOffline(dir, packed, { name: "consumer", version: "1.0.0", dependencies: direct });
}

/**
 * Installs the project `vault-k8s-auth init` wrote into `dir` as its README says to before the
 * package is published: its vault-k8s-auth dependency pointed at the tarball (what
 * `npm install ./vault-k8s-auth-<version>.tgz` does), every other pin as init wrote it. A pin that
 * is not the version this repo's lockfile holds fails here, naming it.
 */
export async function installScaffold(dir: string, packed: Packed): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest & Record<string, unknown>;
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const pinned = { ...manifest.dependencies, ...manifest.devDependencies };
  for (const [name, version] of Object.entries(pinned)) {
    if (name === packed.manifest.name) {
      expectEqual(`${name} pin`, version, packed.manifest.version);
      continue;
    }
    expectEqual(`${name} pin`, version, lock.packages[`node_modules/${name}`]?.version);
  }
  const dependencies = { ...manifest.dependencies, [packed.manifest.name]: `file:${relative(dir, packed.tarball)}` };
  const installed = { ...manifest, dependencies };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(installed, null, 2)}\n`);
  await installOffline(dir, packed, {
    name: String(manifest.name ?? "scaffold"),
    version: "1.0.0",
    dependencies,
    devDependencies: manifest.devDependencies,
  });
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`${what}: ${String(actual)}, but this repo builds with ${String(expected)}`);
}

/** Writes the lockfile for `root`'s dependencies (taken from this repo's) next to package.json, and runs npm ci --offline. */
async function installOffline(dir: string, packed: Packed, root: LockEntry): Promise<void> {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const spec = root.dependencies?.[packed.manifest.name] as string;
  const packages: Record<string, LockEntry> = {
    "": root,
    [`node_modules/${packed.manifest.name}`]: {
      ...packed.manifest,
      devDependencies: undefined,
      resolved: spec,
      integrity: packed.integrity,
    },
  };
  const registry = (await run("npm", ["config", "get", "registry"])).stdout.trim().replace(/\/?$/, "/");
  const known = { ...lock.packages, ...packages };
  const pending = Object.keys(packages);
  while (pending.length > 0) {
    const from = pending.pop() as string;
    const entry = packages[from];
    const devOfRoot = from === "" ? Object.keys(entry.devDependencies ?? {}) : [];
    for (const name of [
      ...requiredDependencies(entry),
      ...devOfRoot,
      ...Object.keys(entry.optionalDependencies ?? {}),
    ]) {
      const at = locate(known, from, name);
      if (at === undefined) {
        // npm records an optional dependency in the lock even where it does not install it.
        if (entry.optionalDependencies?.[name]) continue;
        throw new Error(`${name} (needed by ${from || "the consumer"}) is not in package-lock.json`);
      }
      if (packages[at]) continue;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...copied } = known[at];
      packages[at] = copied;
      // This machine's npm omits registry URLs from lockfiles; without one, npm asks the registry
      // for the package's metadata even when the tarball is in the cache.
      if (!copied.inBundle && !copied.resolved) copied.resolved = tarballUrl(registry, name, copied.version);
      pending.push(at);
    }
  }

  // What only the root's devDependencies need is "dev", as npm records it: npm ci --omit=dev leaves it out.
  const production = new Set<string>([""]);
  const walk = [""];
  while (walk.length > 0) {
    const from = walk.pop() as string;
    const entry = packages[from];
    for (const name of [...requiredDependencies(entry), ...Object.keys(entry.optionalDependencies ?? {})]) {
      const at = locate(packages, from, name);
      if (at === undefined || production.has(at)) continue;
      production.add(at);
      walk.push(at);
    }
  }
  for (const [at, entry] of Object.entries(packages)) if (!production.has(at)) entry.dev = true;
  writeFileSync(
    join(dir, "package-lock.json"),
    JSON.stringify({ name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  await run("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir }).catch(
    (error: { stderr: string }) => {
      throw new Error(`npm ci --offline in ${dir} failed:\n${error.stderr.slice(0, 2000)}`);
    },
  );
}

function tarballUrl(registry: string, name: string, version: string): string {
  return `${registry}${name}/-/${name.split("/").pop()}-${version}.tgz`;
}

/** Dependencies npm installs for an entry: regular and peer ones, not optional peers. */
function requiredDependencies(entry: LockEntry): string[] {
  const optionalPeers = Object.entries(entry.peerDependenciesMeta ?? {})
    .filter(([, meta]) => meta.optional)
    .map(([name]) => name);
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((name) => !optionalPeers.includes(name));
  return [...Object.keys(entry.dependencies ?? {}), ...peers];
}

/** Where Node finds `name` from the package at lock path `from`: its own node_modules, then each parent's. */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const parent = base.lastIndexOf("/node_modules/");
    base = parent === -1 ? "" : base.slice(0, parent);
  }
}
