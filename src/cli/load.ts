import { statSync } from "node:fs";
import { resolve } from "node:path";
import {
  CONFIG_ENV,
  CONFIG_ENV_EMPTY,
  CONFIG_FILE,
  checkConfigBytes,
  type LoadedConfig,
  loadConfig,
  sourceName,
} from "../config/load";
import { readUserFile } from "../config/read-file";
import type { ClusterConfig, Config } from "../config/schema";
import { didYouMean, show } from "../domain/validation";
import type { Io } from "./io";
import { UsageError } from "./usage-error";

/**
 * The config, found as synth finds it, or the file `--config` names. Problems in it throw the
 * loader's ValidationError, so every command reports them in the loader's words; a `--config` or
 * `$VAULT_K8S_AUTH_CONFIG` that names no regular file is a usage error (exit 2), as validate --help says.
 */
export function loadForCli(configFile: string | undefined, io: Io): LoadedConfig {
  // $VAULT_K8S_AUTH_CONFIG names a file just as --config does, so a path that is no file, or a
  // blank value, is the same usage error (exit 2) whichever way it was given. The value is the
  // path as written, spaces and all, as the library's loader reads it.
  const fromEnv = configFile === undefined ? io.env[CONFIG_ENV] : undefined;
  if (fromEnv?.trim() === "") throw new UsageError(CONFIG_ENV_EMPTY);
  const named = configFile ?? fromEnv;
  if (named === undefined) return loadConfig(io.env, io.cwd);
  const label = configFile !== undefined ? `--config ${configFile}` : `${CONFIG_ENV}=${fromEnv}`;
  const file = resolve(io.cwd, named);
  const refuse = (reason: string) => new UsageError(`${label} ${reason}`);
  // A FIFO or device would block the read or never end; a directory gets its own reason below.
  const kind = statSync(file, { throwIfNoEntry: false });
  if (kind && !kind.isFile() && !kind.isDirectory()) throw refuse(`is not a regular file; name ${CONFIG_FILE}`);
  const bytes = readUserFile(file, CONFIG_FILE, refuse);
  if (bytes === undefined) throw new UsageError(`${label}: no such file (looked in ${io.cwd})`);
  const name = sourceName(io.cwd, file);
  return { ...checkConfigBytes(bytes, name), source: name };
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
