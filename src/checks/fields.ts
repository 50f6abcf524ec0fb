import { refusal, rules, show } from "../domain/validation";
import { boundPatternProblem } from "../formats/glob";
import type { Problem } from "./problem";

/**
 * Checks of one field that both the config schema and the constructs run, with their words:
 * a bound list of names, a role's address blocks, a namespace selector. The schema attaches them
 * to its own fields (keeping the patterns editors read from the JSON Schema); the constructs
 * report them relative to their props.
 */

export type BoundRule = "dns1123Label" | "dns1123Subdomain";

/** What a bound list holds, in messages: a namespace or a ServiceAccount name. */
export const boundWhat = (rule: BoundRule): string => (rule === "dns1123Label" ? "namespace" : "ServiceAccount name");

const BOUND_ENTRY: Record<BoundRule, RegExp> = {
  dns1123Label: new RegExp(`^\\*$|${rules.dns1123Label.pattern.source}|^(?=.*\\*)[-a-z0-9.*]+$`),
  dns1123Subdomain: new RegExp(`^\\*$|${rules.dns1123Subdomain.pattern.source}|^(?=.*\\*)[-a-z0-9.*]+$`),
};

/** A bound entry's shape: `"*"`, a name valid for `rule`, or a pattern with `*` (for editors too). */
export const boundEntryPattern = (rule: BoundRule): RegExp => BOUND_ENTRY[rule];

/**
 * Why a bound name or namespace is refused: not a name valid for `rule` nor a pattern, or a
 * pattern that can match no valid name (formats/glob.ts); undefined when accepted.
 */
export function boundEntryProblem(value: string, rule: BoundRule): string | undefined {
  const what = boundWhat(rule);
  if (!boundEntryPattern(rule).test(value)) {
    // The entry pattern admits every value the rule does, so the rule refuses this one too.
    return `${refusal(rule, value, `a valid ${what}`) as string}, or a pattern with "*" (e.g. atlantis-*)`;
  }
  return boundPatternProblem(value, rule, what);
}

export const emptyBoundList = (rule: BoundRule): string =>
  `is empty; list at least one ${boundWhat(rule)}, or "*" for any`;

export const mixedStar = (values: readonly string[]): string =>
  `${show(values)} mixes "*" with names, which Vault rejects; use ["*"] alone or only names`;

/** A bound list's problems, relative to the list: empty, `"*"` beside names, then each entry. */
export function boundListProblems(values: readonly string[], rule: BoundRule): Problem[] {
  if (values.length === 0) return [{ path: [], message: emptyBoundList(rule) }];
  const problems: Problem[] = [];
  values.forEach((value, index) => {
    const problem = boundEntryProblem(value, rule);
    if (problem !== undefined) problems.push({ path: [index], message: problem });
  });
  if (values.includes("*") && values.length > 1) problems.push({ path: [], message: mixedStar(values) });
  return problems;
}

export const EMPTY_CIDRS = "is empty; list address blocks such as 10.0.0.0/16, or leave tokenBoundCidrs out";

export const EMPTY_SELECTOR =
  'is empty, and an empty selector admits every namespace; name labels, or use boundServiceAccountNamespaces: ["*"] if every namespace is meant';

/** A role's address blocks, relative to the list. */
export function cidrProblems(blocks: readonly string[]): Problem[] {
  if (blocks.length === 0) return [{ path: [], message: EMPTY_CIDRS }];
  return blocks.flatMap((block, index) => {
    const problem = refusal("cidr", block, "an address block");
    return problem === undefined ? [] : [{ path: [index], message: problem }];
  });
}

/** A namespace selector's labels, relative to the selector. */
export function selectorProblems(matchLabels: Readonly<Record<string, string>>): Problem[] {
  const entries = Object.entries(matchLabels ?? {});
  if (entries.length === 0) return [{ path: ["matchLabels"], message: EMPTY_SELECTOR }];
  return entries.flatMap(([key, value]) => {
    const problem = refusal("labelKey", key, "a label key") ?? refusal("labelValue", value, "a label value");
    return problem === undefined ? [] : [{ path: ["matchLabels", key], message: problem }];
  });
}
