import { Duration, readVaultDuration } from "../../src/domain/duration";
import { validationMessage } from "../helpers";

// Vault reads a role's token durations with go-secure-stdlib parseutil v0.2.0 ParseDurationSecond
// (parseutil.go:105-160, the version Vault 1.21.2's go.mod pins) and keeps whole seconds
// (vault/sdk v0.20.0 framework/field_data.go:251-265).
describe("Duration", () => {
  test.each([
    ["1800", 1800],
    [1800, 1800],
    ["1800s", 1800],
    ["30m", 1800],
    ["2h", 7200],
    ["1h30m15s", 5415],
    ["7d", 604_800],
    ["30m1h", 5400],
    ["1h1h", 7200],
    ["1.5h", 5400],
    [".5m", 30],
    ["1.s", 1],
    ["1500ms", 1],
    ["999ms", 0],
    ["90000000ns", 0],
    ["1µs", 0],
    ["+5", 5],
    ["-0", 0],
    ["-0s", 0],
    ["-500ms", 0],
    ["0", 0],
  ])("parses %j as %d seconds, as Vault does", (text, seconds) => {
    expect(Duration.parse(text)?.toSeconds()).toBe(seconds);
  });

  test.each(["", " 45m ", "-10", "-1s", "30 minutes", "m", ".", "1d12h", "12h1d", "1.5d", "d", "1h30", 1.5, -1])(
    "rejects %j",
    (text) => {
      expect(Duration.parse(text)).toBeUndefined();
    },
  );

  test.each([
    ["1d12h", "; write 36h"],
    ["2d30m", "; write 48h30m"],
    ["1d1s", "; write 24h1s"],
  ])("refuses %j with the span in units Vault reads", (text, instead) => {
    expect(readVaultDuration(text)).toEqual({
      problem: `mixes days with other units or parts of a day, which Vault refuses: it reads "d" only after a whole number of days alone (7d), and Go's duration units (h, m, s, ms, us, ns) have no d${instead}`,
    });
  });

  test("refuses what Vault cannot hold: past int64 nanoseconds", () => {
    const tooLong = { problem: "is longer than Vault can hold (at most 9223372036 seconds, about 292 years)" };
    expect(readVaultDuration("9223372036")).toEqual({ seconds: 9_223_372_036 });
    expect(readVaultDuration("9223372037")).toEqual(tooLong);
    expect(readVaultDuration("106751d")).toEqual({ seconds: 106_751 * 86_400 });
    expect(readVaultDuration("106752d")).toEqual(tooLong);
    expect(readVaultDuration("2562047h47m16.854775807s")).toEqual({ seconds: 9_223_372_036 });
    expect(readVaultDuration("2562047h47m16.854775808s")).toEqual(tooLong);
  });

  test("converts units to seconds", () => {
    expect(Duration.minutes(30).toSeconds()).toBe(1800);
    expect(Duration.hours(1).toString()).toBe("3600s");
    expect(Duration.days(7).toSeconds()).toBe(604_800);
  });

  test("rejects a fraction of a second and a negative span as a ValidationError, like every other bad prop", () => {
    expect(validationMessage(() => Duration.seconds(0.5))).toBe(
      "Duration must be a whole, non-negative number of seconds; got 0.5 seconds",
    );
    expect(validationMessage(() => Duration.minutes(-1))).toBe(
      "Duration must be a whole, non-negative number of minutes; got -60 seconds",
    );
  });
});

/** Every refusal says why in Vault's terms, and where it can, what to write instead. */
describe("readVaultDuration's refusals", () => {
  const EXAMPLES = "e.g. 1800, 30m, 1h30m, 1.5h or 7d";
  const MIXES =
    'mixes days with other units or parts of a day, which Vault refuses: it reads "d" only after a whole number of days alone (7d), and Go\'s duration units (h, m, s, ms, us, ns) have no d';
  const WHOLE_SPAN = "; write the whole span in h, m and s (e.g. 36h), or a whole number of days alone (7d)";
  const TOO_LONG = "is longer than Vault can hold (at most 9223372036 seconds, about 292 years)";
  const NEGATIVE = `is negative, which Vault refuses ("cannot provide negative value"); use ${EXAMPLES}`;

  test.each([
    ["", `is empty; write a duration (${EXAMPLES}) or leave the key out`],
    // Without its own check, " 45m " would read as no number at all.
    [" 45m ", "has a space at the start or end, which Vault does not read as a duration; remove it"],
    [
      "30 minutes",
      `has the unit " minutes", which Vault does not know; use s, m or h (Go's ns, us and ms too), or a whole number of days alone (7d)`,
    ],
    ["1h30", `has a number without a unit, which Vault refuses; add s, m or h (${EXAMPLES})`],
    ["m", `is not a duration Vault reads; use ${EXAMPLES}`],
    ["-10", NEGATIVE],
    ["-1s", NEGATIVE],
    // Exactly int64's lowest nanoseconds: Go reads it, and Vault refuses it as negative, not as too long.
    ["-2562047h47m16.854775808s", NEGATIVE],
  ])("refuses %j: %s", (text, problem) => {
    expect(readVaultDuration(text)).toEqual({ problem });
  });

  // parseutil's overflow checks come before Vault's refusal of a negative value, both ways.
  test.each(["-9223372037", "-106752d", "2562048h", "-2562048h"])(
    "refuses %j as too long, whatever its sign",
    (text) => {
      expect(readVaultDuration(text)).toEqual({ problem: TOO_LONG });
    },
  );

  test.each([
    ["10d1h", "; write 241h"],
    ["1d0s", "; write 24h"],
    ["0d30m", "; write 30m"],
    ["0d0s", "; write 0s"],
    ["1d0", "; write 24h"],
    // No span to offer: a sign, a day count with a fraction, days after other units, a negative rest.
    ["-1d12h", WHOLE_SPAN],
    ["1.5d", WHOLE_SPAN],
    ["1.d3h", WHOLE_SPAN],
    ["12h1d", WHOLE_SPAN],
    ["1d-1h", WHOLE_SPAN],
  ])("refuses days beside other units, %j, with %j", (text, instead) => {
    expect(readVaultDuration(text)).toEqual({ problem: `${MIXES}${instead}` });
  });

  // Go's leadingFraction keeps the digits that fit an int64 and drops the rest, then multiplies
  // as float64 (src/time/format.go); both answers were checked against Go's time.ParseDuration.
  test.each([
    [".99999999999999999999m", 59],
    ["0.99999999999999999999s", 1],
  ])("reads a fraction longer than int64 as Go does: %j is %d seconds", (text, seconds) => {
    expect(readVaultDuration(text)).toEqual({ seconds });
  });
});

describe("Duration.written, the value as the user wrote it, which messages quote", () => {
  // Each duration is made inside its test, so a broken factory fails that test alone.
  test.each([
    ["Duration.seconds(90)", () => Duration.seconds(90), "90s"],
    ["Duration.minutes(30)", () => Duration.minutes(30), "30m"],
    ["Duration.hours(2)", () => Duration.hours(2), "2h"],
    ["Duration.days(7)", () => Duration.days(7), "7d"],
    ['Duration.parse("1h30m")', () => Duration.parse("1h30m"), "1h30m"],
    ["Duration.parse(1800)", () => Duration.parse(1800), 1800],
  ])("%s", (_call, make, written) => {
    expect(make()?.written).toBe(written);
  });

  test("refuses a fraction of an hour or a day in the unit it was given in", () => {
    expect(validationMessage(() => Duration.hours(0.5 / 3600))).toBe(
      "Duration must be a whole, non-negative number of hours; got 0.5 seconds",
    );
    expect(validationMessage(() => Duration.days(-1))).toBe(
      "Duration must be a whole, non-negative number of days; got -86400 seconds",
    );
  });
});
