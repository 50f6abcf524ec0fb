/**
 * A rule of the system that will consume a value (Kubernetes, Vault, AWS, a TLS client): the
 * shape it accepts, written as a pattern for editors (the JSON Schema), the fix in that system's
 * terms, and, where "is not X" would not say enough, the specific reason a value is refused.
 */
export interface Rule {
  readonly pattern: RegExp;
  readonly fix: string;
  /**
   * Why `value` is refused, as a sentence that follows the value; undefined when fine or when "is
   * not X" says it. Every rule has one: at least `invisibleIn`, so a stray space or newline is named.
   */
  readonly reason: (value: string) => string | undefined;
}

/** Whitespace or a control character: never part of a name, a path or a URL as written. */
export const INVISIBLE = /[\s\p{Cc}]/u;

/** "holds a newline", "holds a space", ... for the first invisible character of `value`, else undefined. */
export function invisibleIn(value: string): string | undefined {
  const found = INVISIBLE.exec(value)?.[0];
  if (found === undefined) return undefined;
  const names: Record<string, string> = { "\n": "a newline", "\r": "a carriage return", "\t": "a tab", " ": "a space" };
  const what =
    names[found] ?? `the invisible character U+${found.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}`;
  const where =
    value.indexOf(found) === value.length - 1 ? " at the end" : value.indexOf(found) === 0 ? " at the start" : "";
  const hint =
    found === "\n" && where === " at the end"
      ? " (a `|` or `>` block keeps the last line's newline: write the value on the key's line, or use `|-`)"
      : "";
  return `holds ${what}${where}, which would be written as is${hint}; remove it`;
}
