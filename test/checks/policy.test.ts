/**
 * src/checks/policy.ts: the policies a cluster entry (or a stack) manages and names, as a pure
 * function the config file and the constructs both run.
 */
import { policyNameProblems } from "../../src/checks/policy";

test("names the first listing of an external policy for every later repeat of it, not the one just before", () => {
  expect(policyNameProblems({ policies: [], externalPolicies: ["shared", "shared", "shared"], roles: [] })).toEqual([
    {
      path: ["externalPolicies", 1],
      message: '"shared" is already listed at externalPolicies[0]; list it once',
    },
    {
      path: ["externalPolicies", 2],
      message: '"shared" is already listed at externalPolicies[0]; list it once',
    },
  ]);
});

test("suggests Vault's default policy for a misspelling of it", () => {
  expect(policyNameProblems({ policies: ["admin"], roles: [{ tokenPolicies: ["defualt"] }] })).toEqual([
    {
      path: ["roles", 0, "tokenPolicies", 0],
      message: `policy "defualt" is not defined in this cluster's policies; did you mean "default"?`,
    },
  ]);
});
