// Stryker only (stryker.config.mjs). With bail-environment.cjs, the tests after a mutant's first
// failure are skipped, but the files after it would still be loaded; this runner (jest's own,
// one file at a time, in band as Stryker runs jest) loads no further file once the active
// mutant has failed a test.
const TestRunner = require("jest-runner").default;
const { FAILED } = require("./bail-environment.cjs");
const { recordKill } = require("./kills.cjs");

class BailAfterFirstFailedFile extends TestRunner {
  async runTests(tests, watcher, options) {
    const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
    if (mutant === undefined || !options.serial) return super.runTests(tests, watcher, options);
    for (const test of tests) {
      if (globalThis[FAILED] === mutant) return;
      await super.runTests([test], watcher, options);
      if (globalThis[FAILED] === mutant) recordKill(test.path);
    }
  }
}

module.exports = BailAfterFirstFailedFile;
