/**
 * src/checks/role.ts: the warnings a role's construct adds at synth and `validate` predicts from
 * the file, as a pure function: each is a warning (reported, never refused), placed at the field
 * that the file points at.
 */
import { roleWarnings } from "../../src/checks/role";

describe("roleWarnings", () => {
  test("warns of a client-jwt role without an audience, and of '*' for both names and namespaces, at the role's name", () => {
    const role = { boundServiceAccountNames: ["app", "*"], boundServiceAccountNamespaces: ["*"] };
    expect(roleWarnings("ci", role, "kubernetes", "client-jwt")).toEqual([
      {
        path: ["name"],
        message:
          'role ci: no audience is bound, so any token of a bound ServiceAccount that the API server accepts logs in, its default token included (Vault 1.20+ warns about this too). With the client-jwt reviewer the token must carry one of the API server\'s own audiences, so a Vault-only audience such as "vault" cannot be bound here: list the API server\'s audience in auth.reviewer.apiAudiences and set audience to it, or use the long-lived-token or vault-pod reviewer to bind "vault" (docs/pods.md: "Bind an audience").',
        warning: true,
      },
      {
        path: ["name"],
        message:
          'role ci: "*" for both ServiceAccount names and namespaces lets every ServiceAccount of the cluster log in; name the ServiceAccounts or the namespaces',
        warning: true,
      },
    ]);
  });

  test("warns of a broad pattern at its own entry of the list", () => {
    const role = {
      boundServiceAccountNames: ["app", "*-*"],
      boundServiceAccountNamespaces: ["team"],
      audience: "vault",
    };
    expect(roleWarnings("ci", role, "jwt", undefined)).toEqual([
      {
        path: ["boundServiceAccountNames", 1],
        message:
          'role ci: boundServiceAccountNames: "*-*" admits every ServiceAccount name with a "-" in it: Vault\'s \'*\' matches any run of characters (go-glob); name a prefix, e.g. atlantis-*',
        warning: true,
      },
    ]);
  });

  test("says nothing of a role with an audience and names given in full", () => {
    const role = { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["team"], audience: "vault" };
    expect(roleWarnings("ci", role, "kubernetes", "long-lived-token")).toEqual([]);
  });
});
