// Stryker only (stryker.config.mjs). One failed test kills a mutant, but jest cannot bail when
// run programmatically, so each mutant ran every covering test. In a mutant run (Stryker sets
// __STRYKER_ACTIVE_MUTANT__), this environment skips every test that starts after a failure;
// the mutant's status (killed) is the same. The flag lives on the runner process's global,
// shared by all test files of a run and reset by sequencer.cjs at the start of each run.
const { TestEnvironment } = require("jest-environment-node");

const FAILED = Symbol.for("vault-k8s-auth.mutation.failed");

class BailAfterFirstFailure extends TestEnvironment {
  async handleTestEvent(event) {
    const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
    if (mutant === undefined) return;
    if (event.name === "test_done" && event.test.errors.length > 0) {
      globalThis[FAILED] = mutant;
    } else if (event.name === "test_start" && globalThis[FAILED] === mutant) {
      // jest-circus checks test.mode right after dispatching test_start (_runTest).
      event.test.mode = "skip";
    }
  }
}

BailAfterFirstFailure.FAILED = FAILED;
module.exports = BailAfterFirstFailure;
