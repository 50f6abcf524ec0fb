import { z } from "zod";
import { type BoundRule, boundEntryPattern, boundEntryProblem, emptyBoundList, mixedStar } from "../checks/fields";
import { DURATION_PATTERN, Duration, readVaultDuration, VAULT_MAX_DURATION_SECONDS } from "../domain/duration";
import { didYouMean, type RuleName, refusal, rules, show } from "../domain/validation";

/** The building blocks of the config schema (schema.ts): fields checked by the shared rules. */

/**
 * A strict object whose unknown-key error suggests the closest known key (typos): one message per
 * unknown key, one a line (show() escapes a newline in a key), which the loader reports at each key.
 */
export function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape, description?: string) {
  const known = Object.keys(shape);
  const schema = z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      return issue.keys
        .map((key) => `unknown key ${show(key)}${didYouMean(key, known)} (allowed: ${known.join(", ")})`)
        .join("\n");
    },
  });
  return description ? schema.describe(description) : schema;
}

/** A string checked by one of the shared rules; its pattern also goes into the JSON Schema for editors. */
export function ruled(rule: RuleName, what: string) {
  // Called only where the pattern failed (so refusal's own test fails too) or the refine saw a refusal.
  const error = (issue: { input?: unknown }) => refusal(rule, String(issue.input), what) as string;
  return z
    .string()
    .regex(rules[rule].pattern, { error, abort: true })
    .refine((value) => refusal(rule, value, what) === undefined, { error });
}

export const label = (what: string) => ruled("dns1123Label", what);

/**
 * Free text written as is into the Terraform JSON (a kubeconfig path or context, a state key):
 * any text, but whitespace at either end is a paste's or a `|` block's leftover that would make
 * the value name something else.
 */
export const exact = () =>
  z
    .string()
    .min(1)
    .refine((value) => value === value.trim(), {
      error: (issue) =>
        `${show(issue.input)} has a space, tab or newline at the start or end, which would be written as is; remove it`,
    });

export const duration = z
  .union(
    [
      // A fraction fails int() as a type, so the union reports it (its error below), not int().
      z
        .int()
        .min(0, { error: (issue) => `${show(issue.input)} is negative; use a duration such as 30m, 1800s or 1h` })
        .max(VAULT_MAX_DURATION_SECONDS, {
          error: (issue) =>
            `${show(issue.input)} is longer than Vault can hold; use at most ${VAULT_MAX_DURATION_SECONDS} seconds (about 292 years)`,
        }),
      z
        .string()
        .regex(DURATION_PATTERN, { error: (issue) => durationProblem(String(issue.input)), abort: true })
        .superRefine((value, context) => {
          const read = readVaultDuration(value);
          if ("problem" in read) context.addIssue({ code: "custom", message: durationProblem(value), input: value });
        }),
    ],
    {
      error: (issue) =>
        typeof issue.input === "number"
          ? `${show(issue.input)} is not a whole number of seconds; use e.g. 1800, 30m or 7d`
          : typeof issue.input === "string"
            ? durationProblem(issue.input)
            : `${show(issue.input)} is not a duration; use e.g. 1800, 30m, 1h30m, 1.5h or 7d`,
    },
  )
  // Checked above as Vault reads it, so parse always gives a Duration; it travels typed to the role construct.
  .transform((value) => Duration.parse(value) as Duration)
  .describe(
    "A duration as Vault reads it (go-secure-stdlib parseutil.ParseDurationSecond): whole seconds (1800), a whole number of days alone (7d), or a Go duration (30m, 1h30m, 1.5h); Vault keeps whole seconds",
  );

/**
 * `"1d12h" mixes days with ...`: the value and why Vault would not read it. Called only for a value
 * Vault does not read: DURATION_PATTERN admits every value it reads (test/domain/duration-vault.test.ts).
 */
function durationProblem(value: string): string {
  return `${show(value)} ${(readVaultDuration(value) as { problem: string }).problem}`;
}

/**
 * A bound list of names or namespaces as Vault matches them: each entry is a name or a pattern
 * where '*' matches any run of characters (go-glob; `"*"` alone is any), see formats/glob.ts.
 */
export const boundList = (rule: BoundRule) =>
  z
    .array(
      z
        .string()
        .regex(boundEntryPattern(rule), { error: (issue) => boundEntryProblem(String(issue.input), rule), abort: true })
        .refine((value) => boundEntryProblem(value, rule) === undefined, {
          error: (issue) => boundEntryProblem(String(issue.input), rule),
        }),
    )
    .min(1, { error: () => emptyBoundList(rule) })
    .refine((values) => !(values.includes("*") && values.length > 1), {
      error: (issue) => mixedStar(issue.input as string[]),
    });

/** One of a closed set of words, with the set in the message. */
export const oneOf = <const Values extends readonly [string, ...string[]]>(values: Values, what: string) =>
  z.enum(values, {
    error: (issue) =>
      `${show(issue.input)} is not ${what}; use one of ${values.join(", ")}${typeof issue.input === "string" ? didYouMean(issue.input, [...values]) : ""}`,
  });
