import { Token } from "cdktf";
import { type RuleName, refusal, ValidationError } from "../domain/validation";

/**
 * Throws a ValidationError naming `field`, the bad value and the fix, unless the value is an
 * unresolved token (a `${...}` reference is checked by Terraform, not by us).
 */
export function check(rule: RuleName, field: string, value: string | undefined, what = "valid"): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const problem = refusal(rule, value, what);
  if (problem !== undefined) throw new ValidationError(`${field}: ${problem}`);
}
