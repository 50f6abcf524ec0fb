import { ValidationError } from "./validation";

/**
 * The text form of a duration: whole seconds, or h/m/s parts in that order (at least one), each
 * bounded so the total stays a safe integer. Shared with the config schema and its JSON Schema.
 */
export const DURATION_PATTERN = /^(?:(\d{1,9})|(?=\d)(?:(\d{1,6})h)?(?:(\d{1,7})m)?(?:(\d{1,9})s)?)$/;

/**
 * A span of time for Vault token settings. Vault takes seconds; the config file and the props
 * take `Duration`s so that units are never guessed (`Duration.minutes(30)`, `"30m"`, `1800`).
 */
export class Duration {
  static seconds(amount: number): Duration {
    return new Duration(amount, "seconds");
  }

  static minutes(amount: number): Duration {
    return new Duration(amount * 60, "minutes");
  }

  static hours(amount: number): Duration {
    return new Duration(amount * 3600, "hours");
  }

  /**
   * Parses `1800`, `"1800"`, `"1800s"`, `"30m"`, `"1h"` or a combination such as `"1h30m"`.
   * Returns `undefined` for anything else, so callers can report the value in their own words.
   */
  static parse(value: string | number): Duration | undefined {
    if (typeof value === "number") {
      return Number.isSafeInteger(value) && value >= 0 ? Duration.seconds(value) : undefined;
    }
    const match = DURATION_PATTERN.exec(value.trim());
    if (!match) return undefined;
    const [plain, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
    return Duration.seconds(plain + hours * 3600 + minutes * 60 + seconds);
  }

  private constructor(
    private readonly totalSeconds: number,
    unit: string,
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
