import { ValidationError } from "../src/domain/validation";
import { awsClasses } from "../src/providers";

describe("awsClasses, when loading the optional AWS provider fails", () => {
  const AWS_PROVIDER = "@cdktf/provider-aws/lib/provider";
  /**
   * What awsClasses throws when requiring the provider throws `failure`, and whether it is a
   * ValidationError. No module is loaded afresh (no isolateModules): awsClasses requires the
   * provider at call time, so the mock reaches it, and module-level code keeps its load-time
   * coverage, which StrykerJS would otherwise credit to this test alone.
   */
  const thrownFor = (failure: Error) => {
    jest.doMock(AWS_PROVIDER, () => {
      throw failure;
    });
    try {
      awsClasses();
    } catch (error) {
      return { error: error as Error, validation: error instanceof ValidationError };
    } finally {
      jest.dontMock(AWS_PROVIDER);
    }
    throw new Error("awsClasses threw nothing");
  };
  const notFound = (module: string) =>
    Object.assign(new Error(`Cannot find module '${module}'\nRequire stack:\n- src/providers.ts`), {
      code: "MODULE_NOT_FOUND",
    });

  test("says how to install it, or to connect without EKS, when the package is not installed", () => {
    const { error, validation } = thrownFor(notFound(AWS_PROVIDER));
    expect(validation).toBe(true);
    expect(error.message).toBe(
      "an EKS cluster needs the AWS provider, which is an optional peer dependency of vault-k8s-auth and is not " +
        'installed: run npm install @cdktf/provider-aws@"^21.22.1", or connect to the cluster with ' +
        "an explicit host and kubeconfig instead of eks",
    );
  });

  test("passes on a module missing inside an installed provider: a broken install, not a missing package", () => {
    const broken = notFound("constructs");
    expect(thrownFor(broken)).toEqual({ error: broken, validation: false });
  });

  test("passes on any other failure while loading the provider", () => {
    const failure = new SyntaxError("Unexpected token '<'");
    expect(thrownFor(failure)).toEqual({ error: failure, validation: false });
  });
});
