import { ValidationError } from "./validation";

/**
 * The most seconds Vault holds in a duration: it keeps them as Go `time.Duration`, an int64 of
 * nanoseconds, and refuses more (parseutil overflowMul, time.ParseDuration "invalid duration").
 */
export const VAULT_MAX_DURATION_SECONDS = 9_223_372_036;

/**
 * A hint for editors (the JSON Schema's pattern): the shapes Vault reads. The exact check,
 * with the reason for each refusal, is `readVaultDuration`.
 */
export const DURATION_PATTERN = /^[+-]?(?:\d+d?|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;

/** Go's duration units in nanoseconds (Go src/time/format.go, unitMap). */
const GO_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const INT64_MAX = 2n ** 63n - 1n;
const SECOND = 1_000_000_000n;
const EXAMPLES = "e.g. 1800, 30m, 1h30m, 1.5h or 7d";

/**
 * Reads a duration exactly as Vault reads a role's token_ttl, token_max_ttl, token_period or
 * token_explicit_max_ttl: go-secure-stdlib parseutil v0.2.0 (the version Vault 1.21.2's go.mod
 * pins) ParseDurationSecond, parseutil.go:105-160: a whole number is seconds (:120-122); a text
 * that ends in "d" is a whole number of days and nothing else (:124-130); anything else is a Go
 * duration (time.ParseDuration, :133: signed decimal numbers with optional fractions, each with
 * one of the units ns, us, µs, ms, s, m, h, in any order). Vault then keeps whole seconds,
 * dropping any fraction, and refuses a negative value (vault/sdk v0.20.0 framework/field_data.go:
 * 251-265). Returns the seconds, or why Vault would not read the text.
 */
export function readVaultDuration(text: string): { seconds: number } | { problem: string } {
  if (text === "") return { problem: `is empty; write a duration (${EXAMPLES}) or leave the key out` };
  if (text !== text.trim()) {
    return { problem: `has a space at the start or end, which Vault does not read as a duration; remove it` };
  }
  const nanoseconds = vaultNanoseconds(text);
  if (typeof nanoseconds === "string") return { problem: nanoseconds };
  // Whole seconds toward zero, as Go's int(d.Seconds()): a negative part of a second is 0.
  const seconds = nanoseconds / SECOND;
  if (seconds < 0n) {
    return { problem: `is negative, which Vault refuses ("cannot provide negative value"); use ${EXAMPLES}` };
  }
  return { seconds: Number(seconds) };
}

/** ParseDurationSecond's steps in its order: nanoseconds, or why not. */
function vaultNanoseconds(text: string): bigint | string {
  const tooLong = `is longer than Vault can hold (at most ${VAULT_MAX_DURATION_SECONDS} seconds, about 292 years)`;
  if (/^[+-]?\d+$/.test(text)) {
    const seconds = BigInt(text);
    // A number beyond int64 fails strconv.ParseInt and falls through to time.ParseDuration,
    // which finds no unit; either way Vault refuses it.
    return seconds * SECOND > INT64_MAX || -seconds * SECOND > INT64_MAX ? tooLong : seconds * SECOND;
  }
  if (text.endsWith("d")) {
    const days = text.slice(0, -1);
    if (/^[+-]?\d+$/.test(days)) {
      const nanoseconds = BigInt(days) * 86_400n * SECOND;
      return nanoseconds > INT64_MAX || -nanoseconds > INT64_MAX ? tooLong : nanoseconds;
    }
    return `${daysProblem(text)}`;
  }
  const go = goDuration(text);
  if (typeof go === "string") {
    return /\d+(?:\.\d*)?d/.test(text) ? daysProblem(text) : go === "too long" ? tooLong : go;
  }
  return go;
}

/** Vault reads "d" only as the one unit of a whole number of days; Go's units have none. */
function daysProblem(text: string): string {
  const head = /^(\d+)d(.+)$/.exec(text);
  const rest = head ? goDuration(head[2]) : undefined;
  const instead =
    head && typeof rest === "bigint" && rest >= 0n
      ? `; write ${goText(BigInt(head[1]) * 86_400n * SECOND + rest)}`
      : "; write the whole span in h, m and s (e.g. 36h), or a whole number of days alone (7d)";
  return (
    `mixes days with other units or parts of a day, which Vault refuses: it reads "d" only after a whole ` +
    `number of days alone (7d), and Go's duration units (h, m, s, ms, us, ns) have no d${instead}`
  );
}

/** `36h`, `1h30m`, `90s`: nanoseconds as the shortest Go duration text of whole h, m and s. */
function goText(nanoseconds: bigint): string {
  let seconds = nanoseconds / SECOND;
  const hours = seconds / 3600n;
  seconds -= hours * 3600n;
  const minutes = seconds / 60n;
  seconds -= minutes * 60n;
  const parts = [hours ? `${hours}h` : "", minutes ? `${minutes}m` : "", seconds ? `${seconds}s` : ""].join("");
  return parts || "0s";
}

/**
 * Go's time.ParseDuration (src/time/format.go, ParseDuration), with its float arithmetic for
 * fractions (a JavaScript number is the same IEEE double): nanoseconds, or why not.
 */
function goDuration(text: string): bigint | string {
  let rest = text;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest[0] === "-";
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  const notOne = `is not a duration Vault reads; use ${EXAMPLES}`;
  if (rest === "") return notOne;
  let total = 0n;
  while (rest !== "") {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest) as RegExpExecArray;
    const [whole, wholeDigits, fractionDigits] = number;
    if (!wholeDigits && !fractionDigits) return notOne;
    rest = rest.slice(whole.length);
    // Matches always (perhaps nothing): the unit runs up to the next digit or dot.
    const [unitText] = /^[^.0-9]*/.exec(rest) as RegExpExecArray;
    if (unitText === "") return `has a number without a unit, which Vault refuses; add s, m or h (${EXAMPLES})`;
    const unit = GO_UNITS[unitText];
    if (unit === undefined) {
      return `has the unit ${JSON.stringify(unitText)}, which Vault does not know; use s, m or h (Go's ns, us and ms too), or a whole number of days alone (7d)`;
    }
    rest = rest.slice(unitText.length);
    let value = BigInt(wholeDigits || "0") * unit;
    if (fractionDigits) {
      // Go keeps at most the fraction's digits that fit an int64, then multiplies as float64.
      let fraction = 0n;
      let scale = 1;
      for (const digit of fractionDigits) {
        const next = fraction * 10n + BigInt(digit);
        if (next > INT64_MAX) break;
        fraction = next;
        scale *= 10;
      }
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
    }
    total += value;
    if (total > INT64_MAX + 1n) return "too long";
  }
  if (!negative && total > INT64_MAX) return "too long";
  return negative ? -total : total;
}

/**
 * A span of time for Vault token settings. Vault takes seconds; the config file and the props
 * take `Duration`s so that units are never guessed (`Duration.minutes(30)`, `"30m"`, `1800`). A
 * duration keeps how it was written, so a message quotes the value as the user wrote it; only the
 * construct that writes a role turns it into seconds.
 */
export class Duration {
  static seconds(amount: number): Duration {
    return new Duration(amount, "seconds", `${amount}s`);
  }

  static minutes(amount: number): Duration {
    return new Duration(amount * 60, "minutes", `${amount}m`);
  }

  static hours(amount: number): Duration {
    return new Duration(amount * 3600, "hours", `${amount}h`);
  }

  static days(amount: number): Duration {
    return new Duration(amount * 86_400, "days", `${amount}d`);
  }

  /**
   * A whole, non-negative number of seconds, or a text as Vault reads it (`"1800"`, `"30m"`,
   * `"1h30m"`, `"1.5h"`, `"7d"`; see `readVaultDuration`). Returns `undefined` for anything
   * else, so callers can report the value in their own words.
   */
  static parse(value: string | number): Duration | undefined {
    if (typeof value === "number") {
      return Number.isSafeInteger(value) && value >= 0 ? new Duration(value, "seconds", value) : undefined;
    }
    const read = readVaultDuration(value);
    return "seconds" in read ? new Duration(read.seconds, "seconds", value) : undefined;
  }

  private constructor(
    private readonly totalSeconds: number,
    unit: string,
    /** The value as written: the config file's number or text, or `2h` for `Duration.hours(2)`. */
    readonly written: string | number,
  ) {
    if (!Number.isSafeInteger(totalSeconds) || totalSeconds < 0) {
      throw new ValidationError(
        `Duration must be a whole, non-negative number of ${unit}; got ${totalSeconds} seconds`,
      );
    }
  }

  toSeconds(): number {
    return this.totalSeconds;
  }

  toString(): string {
    return `${this.totalSeconds}s`;
  }
}
