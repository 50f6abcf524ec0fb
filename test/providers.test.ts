import { AWS_PROVIDER, notFound, thrownWhenAwsFails as thrownFor } from "./aws-provider-missing";

describe("awsClasses, when loading the optional AWS provider fails", () => {
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

  test("passes on an error that only reads like a missing package: Node marks one with the code MODULE_NOT_FOUND", () => {
    const esm = Object.assign(new Error(`Cannot find module '${AWS_PROVIDER}'`), { code: "ERR_MODULE_NOT_FOUND" });
    expect(thrownFor(esm)).toEqual({ error: esm, validation: false });
  });

  test("passes on any other failure while loading the provider", () => {
    const failure = new SyntaxError("Unexpected token '<'");
    expect(thrownFor(failure)).toEqual({ error: failure, validation: false });
  });
});
