import { holdsPrivateKey } from "../formats/pem";

/**
 * A mistake found by a check, relative to what was checked: the field (a path from the checked
 * object) and what is wrong, with the fix. The config file adds the entry's path and
 * `file:line:col`; a construct throws it as a ValidationError that carries its construct path.
 */
export interface Problem {
  readonly path: PropertyKey[];
  readonly message: string;
  /** Point at the key rather than its value (an unknown key). */
  readonly atKey?: boolean;
  /** The other entry's field, for a clash between two entries: the message says OTHER_PLACE where it goes. */
  readonly other?: PropertyKey[];
  /** The value can be right (e.g. Vault's max TTL was raised): reported, not refused. */
  readonly warning?: boolean;
}

/** Stands in a message for the other entry's field (and, in a file, its file:line:col). */
export const OTHER_PLACE = "\u0000other";

/** `clusters[0].roles[1].name`: the path as a person writes it. */
export function formatPath(path: PropertyKey[]): string {
  return (
    path
      .map((part, index) =>
        typeof part === "number"
          ? `[${part}]`
          : part === "" // a key left out (`: value`), which a dot would hide
            ? '[""]'
            : `${index === 0 ? "" : "."}${holdsPrivateKey(String(part)) ? "(a key holding a private key)" : String(part)}`,
      )
      .join("") || "(top level)"
  );
}

/**
 * `field message`, or `field: message` when the message does not go on from the field
 * (`tokenTtl is required`, `tokenTtl: "2h" (7200s) is greater ...`); `otherPlace` names the other
 * entry's field for a clash.
 */
export function problemText(problem: Problem, otherPlace: (other: PropertyKey[]) => string = formatPath): string {
  const { path, message: said, other } = problem;
  const message = other ? said.replace(OTHER_PLACE, otherPlace(other)) : said;
  const separator = /^(is|holds|says|has) /.test(message) ? " " : ": ";
  return `${formatPath(path)}${separator}${message}`;
}

/** `problems` with `prefix` put before each path (and each other place). */
export function under(prefix: PropertyKey[], problems: readonly Problem[]): Problem[] {
  return problems.map((problem) => ({
    ...problem,
    path: [...prefix, ...problem.path],
    ...(problem.other && { other: [...prefix, ...problem.other] }),
  }));
}

/** The refusals among `problems` (not the warnings). */
export const refusals = (problems: readonly Problem[]): Problem[] => problems.filter((problem) => !problem.warning);
