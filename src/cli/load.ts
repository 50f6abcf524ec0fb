import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { type LoadedConfig, loadConfig, readConfigFile } from "../config/load";
import type { ClusterConfig, Config } from "../config/schema";
import { didYouMean, show } from "../validation";
import type { Io } from "./io";
import { UsageError } from "./usage-error";

/**
 * The config, found as synth finds it, or the file `--config` names. Problems in it throw the
 * loader's ValidationError, so every command reports them in the loader's words.
 */
export function loadForCli(configFile: string | undefined, io: Io): LoadedConfig {
  if (configFile === undefined) return loadConfig(io.env, io.cwd);
  const file = resolve(io.cwd, configFile);
  if (!existsSync(file)) throw new UsageError(`--config ${configFile}: no such file (looked in ${io.cwd})`);
  const inside = relative(io.cwd, file);
  const name = inside && !inside.startsWith("..") ? inside : file;
  return { ...readConfigFile(file, name), source: name };
}

/** The cluster `--cluster` names, or the only one. */
export function pickCluster(config: Config, name: string | undefined): ClusterConfig {
  const names = config.clusters.map((cluster) => cluster.name);
  if (name === undefined) {
    if (config.clusters.length === 1) return config.clusters[0];
    throw new UsageError(`the config has ${names.length} clusters; pass --cluster with one of ${names.join(", ")}`);
  }
  const cluster = config.clusters.find((candidate) => candidate.name === name);
  if (!cluster) {
    throw new UsageError(
      `--cluster ${show(name)} is not a cluster of the config${didYouMean(name, names)} (clusters: ${names.join(", ")})`,
    );
  }
  return cluster;
}
