import { Token } from "cdktf";
import type { IConstruct } from "constructs";
import { type Problem, problemText, refusals, under } from "../checks/problem";
import { type RuleName, refusal, ValidationError } from "../domain/validation";

/**
 * Who refuses: a construct, whose path the error carries, or a factory that is not one yet
 * (`ClusterConnection.explicit`), named by its call.
 */
export type Refuser = IConstruct | string;

/**
 * Throws the first refusal of `problems` (warnings are not refusals) as a ValidationError naming
 * the construct, the field, the bad value and the fix, in the words the config file uses.
 */
export function throwProblems(by: Refuser, problems: readonly Problem[], prefix: PropertyKey[] = []): void {
  const [first] = refusals(under(prefix, problems));
  if (first === undefined) return;
  if (typeof by === "string") throw new ValidationError(`${by}: ${problemText(first)}`);
  throw new ValidationError(problemText(first), by);
}

/**
 * Refuses `value` at `path` unless it follows `rule` (the value format the config schema checks
 * too, with the same `what`), or is an unresolved token: a `${...}` reference is checked by
 * Terraform, not by us.
 */
export function check(by: Refuser, path: PropertyKey[], rule: RuleName, value: string | undefined, what: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const problem = refusal(rule, value, what);
  if (problem !== undefined) throwProblems(by, [{ path, message: problem }]);
}
