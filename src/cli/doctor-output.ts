import { resolve } from "node:path";
import type { Diagnosis, NamedResult } from "../answers/doctor/doctor";
import { decodeJwt, type ServiceAccountJwt } from "../answers/jwt";
import { readUserFile } from "../config/read-file";
import type { ClusterConfig } from "../config/schema";
import type { Io } from "./io";
import { UsageError } from "./usage-error";

/** What doctor and doctor --live share: reading the token, and printing a login's verdict. */

const VERDICT = { pass: "ok", fail: "FAIL", skip: "skip" } as const;

/**
 * One login's verdict, as doctor and doctor --live print it: the JSON diagnosis, or each check's
 * line and a closing line that names the first failing check. `ending` says what an ok rests on.
 */
export function printDiagnosis(io: Io, diagnosis: Diagnosis, roleName: string, ending: string, json: boolean): void {
  if (json) {
    io.out(`${JSON.stringify(diagnosis)}\n`);
    return;
  }
  io.out(render(diagnosis.checks));
  const failed = diagnosis.checks.filter((check) => check.status === "fail");
  io.out(
    failed.length === 0
      ? `ok: Vault would accept this token for role ${roleName}${ending} (see the skip lines)\n`
      : `FAIL: Vault refuses this login at "${failed[0].name}"${failed.length > 1 ? ` (${failed.length} checks fail; fix them all)` : ""}\n`,
  );
}

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

/** The JWT from a file, or from stdin for "-"; `flag` names the option in a refusal. */
export function readJwt(source: string, flag: string, io: Io): ServiceAccountJwt {
  if (source === "-") return decodeJwt(io.readStdin());
  const file = resolve(io.cwd, source);
  const bytes = readUserFile(file, "the token file", (reason) => new UsageError(`${flag} ${source} ${reason}`));
  if (bytes === undefined) throw new UsageError(`${flag} ${source}: no such file (looked in ${io.cwd})`);
  return decodeJwt(bytes.toString("utf8"));
}
