import { ValidationError } from "../src/domain/validation";
import { awsClasses } from "../src/providers";

export const AWS_PROVIDER = "@cdktf/provider-aws/lib/provider";

/** The error Node throws for a module that is not installed, naming it. */
export const notFound = (module: string) =>
  Object.assign(new Error(`Cannot find module '${module}'\nRequire stack:\n- src/providers.ts`), {
    code: "MODULE_NOT_FOUND",
  });

/**
 * Runs `run` while requiring the AWS provider throws `failure`. No module is loaded afresh (no
 * isolateModules): awsClasses requires the provider at call time, so the mock reaches it, and
 * module-level code keeps its load-time coverage, which StrykerJS would otherwise credit to the
 * calling test alone (false survivors).
 */
export function whileAwsFails<T>(failure: Error, run: () => T): T {
  jest.doMock(AWS_PROVIDER, () => {
    throw failure;
  });
  try {
    return run();
  } finally {
    jest.dontMock(AWS_PROVIDER);
  }
}

/** What awsClasses throws when requiring the provider throws `failure`, and whether it is a ValidationError. */
export function thrownWhenAwsFails(failure: Error): { error: Error; validation: boolean } {
  try {
    whileAwsFails(failure, awsClasses);
  } catch (error) {
    return { error: error as Error, validation: error instanceof ValidationError };
  }
  throw new Error("awsClasses threw nothing");
}
