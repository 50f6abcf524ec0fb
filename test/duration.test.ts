import { Duration } from "../src/duration";
import { validationMessage } from "./helpers";

describe("Duration", () => {
  test.each([
    ["1800", 1800],
    [1800, 1800],
    ["1800s", 1800],
    ["30m", 1800],
    ["2h", 7200],
    ["1h30m15s", 5415],
    [" 45m ", 2700],
  ])("parses %j as %d seconds", (text, seconds) => {
    expect(Duration.parse(text)?.toSeconds()).toBe(seconds);
  });

  test.each(["", "1.5h", "-10", "30 minutes", "m", "1d", "30m1h", 1.5, -1])("rejects %j", (text) => {
    expect(Duration.parse(text)).toBeUndefined();
  });

  test("converts units to seconds", () => {
    expect(Duration.minutes(30).toSeconds()).toBe(1800);
    expect(Duration.hours(1).toString()).toBe("3600s");
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
