import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Io } from "../../src/cli/io";
import { main } from "../../src/cli/main";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import type { ConfigInput } from "../../src/config/schema";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A scratch folder per test file, removed after it. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "vka-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `config` as YAML (or raw text) into `dir` and returns its file name there. */
export function writeConfig(dir: string, name: string, config: ConfigInput | string): string {
  writeFileSync(join(dir, name), typeof config === "string" ? config : stringify(config));
  return name;
}

/**
 * `two.yaml`: the seed and a second cluster "other" (mount k8s/other) that may stand beside it, with
 * its own Vault namespace and EKS cluster: two clusters may not own policy "admin" on one Vault,
 * nor the reviewer objects in one Kubernetes cluster. Returns the file name.
 */
export function writeTwoClusters(dir: string): string {
  const seed = DEFAULT_CONFIG.clusters[0];
  return writeConfig(dir, "two.yaml", {
    clusters: [
      seed,
      {
        ...seed,
        name: "other",
        kubernetes: { eks: { clusterName: "other", region: "ap-northeast-1" } },
        vault: { namespace: "other" },
        auth: { ...seed.auth, path: "k8s/other" },
      },
    ],
  });
}

interface CliOptions {
  readonly cwd: string;
  readonly stdin?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** An Io that collects what a command prints, and the result it makes with the exit status. */
export function capture(options: CliOptions): { io: Io; result: (code: number) => CliResult } {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    cwd: options.cwd,
    env: options.env ?? {},
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    readStdin: () => options.stdin ?? "",
  };
  return { io, result: (code) => ({ code, stdout, stderr }) };
}

/** Runs one command line in-process, in `cwd`, with `stdin` as standard input. */
export function cli(argv: string[], options: CliOptions): CliResult {
  const { io, result } = capture(options);
  // The commands under test here answer synchronously; liveCli awaits the others.
  return result(main(argv, io) as number);
}

/** Runs one command line in-process and awaits it (the live commands answer asynchronously). */
export async function liveCli(argv: string[], options: CliOptions): Promise<CliResult> {
  const { io, result } = capture(options);
  return result(await main(argv, io));
}
