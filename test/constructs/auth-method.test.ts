import { Testing } from "cdktf";
import { AuthMethod, ClusterConnection, JwtIssuer } from "../../src/constructs";
import { JwtAuthBackendRole } from "../../src/providers";
import { ISSUER, newStack, TEST_CA } from "../helpers";

const role = { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"], audience: "vault" };

describe("AuthMethod", () => {
  test("binds the jwt method under construct id JwtAuth, beside the stack's providers", () => {
    const stack = newStack();
    const auth = AuthMethod.jwt({ issuer: JwtIssuer.discovery({ issuer: "https://oidc.example.com" }) }).bind(stack, {
      path: "jwt",
    });
    auth.addRole("app", role);
    const synthesized = Testing.synth(stack);
    expect(Object.keys(JSON.parse(synthesized).resource.vault_jwt_auth_backend)[0]).toMatch(/^JwtAuth_/);
    expect(synthesized).toHaveResourceWithProperties(JwtAuthBackendRole, { role_name: "app" });
  });
});

describe("AuthMethod.method", () => {
  test("names its method: kubernetes or jwt", () => {
    const connection = ClusterConnection.explicit({ host: "https://kubernetes.example.com", caCertificate: TEST_CA });
    expect(AuthMethod.kubernetes({ connection }).name).toBe("kubernetes");
    expect(AuthMethod.jwt({ issuer: JwtIssuer.discovery({ issuer: ISSUER }) }).name).toBe("jwt");
  });
});
