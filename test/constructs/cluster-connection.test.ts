import { ClusterConnection } from "../../src/constructs";
import { newStack, TEST_CA, validationMessage, warningsOf } from "../helpers";

describe("ClusterConnection.explicit", () => {
  const HOST = "https://kubernetes.example.com";
  const warningsBinding = (props: Omit<Parameters<typeof ClusterConnection.explicit>[0], "host">) => {
    const stack = newStack();
    ClusterConnection.explicit({ host: HOST, caCertificate: TEST_CA, ...props }).bind(stack);
    return warningsOf(stack);
  };

  test("warns, naming the host Vault is configured for, when Terraform's kubeconfig context is left to chance", () => {
    expect(warningsBinding({ kubeconfigPath: "/home/atlantis/.kube/config" })).toEqual([
      "kubernetes: no kubeconfig context is set, so Terraform creates the reviewer objects in whatever cluster " +
        `the current context points at, while Vault is configured for ${HOST}. Set kubeconfig.context.`,
    ]);
  });

  test("does not warn with a kubeconfig context set, or in the cluster itself", () => {
    expect(warningsBinding({ kubeconfigContext: "prod" })).toEqual([]);
    expect(warningsBinding({ inCluster: true })).toEqual([]);
  });

  test("rejects a CA that is not PEM, naming the field", () => {
    expect(
      validationMessage(() => ClusterConnection.explicit({ host: HOST, caCertificate: "not a certificate" })),
    ).toBe(
      "ClusterConnection.explicit: caCertificate: \"not a certificate\" is not a PEM certificate; paste the cluster CA as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- (e.g. kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)",
    );
  });
});
