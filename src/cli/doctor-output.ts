import { resolve } from "node:path";
import type { NamedResult } from "../answers/doctor/doctor";
import { decodeJwt, type ServiceAccountJwt } from "../answers/jwt";
import { readUserFile } from "../config/read-file";
import type { ClusterConfig } from "../config/schema";
import type { Io } from "./io";
import { UsageError } from "./usage-error";

/** What `doctor` and `doctor --live` share: reading the tokens, and printing the checks. */

const VERDICT = { pass: "ok", fail: "FAIL", skip: "skip" } as const;

/**
 * The condition an offline ok still rests on: the Kubernetes method's TokenReview, or, with the
 * jwt method and discovered keys, the signature Vault verifies with the issuer's keys. With
 * pinned publicKeys doctor verified the signature itself, so nothing is left.
 */
export function unchecked(cluster: ClusterConfig): string {
  if (cluster.auth.method !== "jwt") return ", if the TokenReview passes";
  return cluster.auth.jwt?.publicKeys === undefined ? ", if its signature verifies against the issuer's keys" : "";
}

/** One line per check: verdict, name, detail; a failure's fix on the next line. */
export function render(checks: readonly NamedResult[]): string {
  const width = Math.max(...checks.map((check) => check.name.length));
  return checks
    .map((check) => {
      const line = `${VERDICT[check.status].padEnd(5)} ${check.name.padEnd(width)}  ${check.detail}\n`;
      const indent = " ".repeat(width + 8);
      if (check.fix) return `${line}${indent}fix: ${check.fix}\n`;
      return check.verify ? `${line}${indent}verify: ${check.verify}\n` : line;
    })
    .join("");
}

export function readJwt(source: string, flag: string, io: Io): ServiceAccountJwt {
  if (source === "-") return decodeJwt(io.readStdin());
  const file = resolve(io.cwd, source);
  const bytes = readUserFile(file, "the token file", (reason) => new UsageError(`${flag} ${source} ${reason}`));
  if (bytes === undefined) throw new UsageError(`${flag} ${source}: no such file (looked in ${io.cwd})`);
  return decodeJwt(bytes.toString("utf8"));
}
