import type { IConstruct } from "constructs";
import { ValidationError } from "../domain/validation";

/**
 * Runs the validations the constructs under `scope` added (`node.addValidation`: a mount without
 * roles, a policy without rules) and throws one ValidationError naming each construct, before
 * anything is written; cdktf runs them only while it writes each stack, with a plain Error.
 */
export function validateTree(scope: IConstruct): void {
  const problems = scope.node
    .findAll()
    .flatMap((construct) => construct.node.validate().map((why) => `${construct.node.path}: ${why}`));
  if (problems.length > 0) throw new ValidationError(problems.join("\n"));
}
