/**
 * src/checks/mount.ts: the checks of a mount's connection and reviewer that need more than one
 * field, as pure functions (the config file and the constructs run them in the same words).
 */
import { defaultSecretNameProblem } from "../../src/checks/mount";

describe("the token Secret's default name, <serviceAccountName>-token, fits the 253 characters Kubernetes allows", () => {
  test("refuses a 253-character ServiceAccount name, the longest valid one, when secretName is not set", () => {
    expect(defaultSecretNameProblem("a".repeat(253), undefined)).toEqual([
      {
        path: ["serviceAccountName"],
        message:
          "is 253 characters long, so the token Secret's default name (259 characters, <serviceAccountName>-token) is longer than the 253 Kubernetes allows; set secretName, or shorten serviceAccountName",
      },
    ]);
  });

  test("accepts a 247-character name, whose Secret name is exactly 253", () => {
    expect(defaultSecretNameProblem("a".repeat(247), undefined)).toEqual([]);
  });

  test("says nothing when secretName names the Secret", () => {
    expect(defaultSecretNameProblem("a".repeat(253), "reviewer-token")).toEqual([]);
  });

  test("says nothing of a name over 253 characters, which its own rule refuses as a ServiceAccount name", () => {
    expect(defaultSecretNameProblem("a".repeat(254), undefined)).toEqual([]);
  });
});
