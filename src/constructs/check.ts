import { Token } from "cdktf";
import { type RuleName, rules, show, ValidationError } from "../validation";

/**
 * Throws a ValidationError naming `field`, the bad value and the fix, unless the value is an
 * unresolved token (a `${...}` reference is checked by Terraform, not by us).
 */
export function check(rule: RuleName, field: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!rules[rule].test(value)) {
    throw new ValidationError(`${field}: ${show(value)} is not valid; ${rules[rule].fix}`);
  }
}
