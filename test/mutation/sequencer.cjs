// Stryker only (stryker.config.mjs). For each mutant, Stryker's jest runner passes the names of
// the tests that cover it as testNamePattern, but jest still loads every related test file to
// match names, and loading a file (cdktf, providers, zod) costs far more than its few covering
// tests. This sequencer drops the files that recorded no matching test in the dry run
// (record-tests.cjs) and runs the others cheapest first; the tests that run, and so each
// mutant's result, are the same.
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");
const Sequencer = require("@jest/test-sequencer").default;
const { FAILED } = require("./bail-environment.cjs");
const { byKills } = require("./kills.cjs");
const { RECORD_DIR } = require("./record-dir.cjs");

// The records are complete when the first mutant runs (the dry run wrote them) and never change
// after: read once per test-runner process, not once per mutant.
let recorded;

function recordedFiles() {
  if (recorded !== undefined) return recorded;
  let files;
  try {
    files = readdirSync(RECORD_DIR);
  } catch {
    return undefined;
  }
  const byPath = new Map();
  for (const file of files) {
    const record = JSON.parse(readFileSync(join(RECORD_DIR, file), "utf8"));
    byPath.set(record.testPath, record);
  }
  recorded = byPath;
  return byPath;
}

class CoveringFilesOnly extends Sequencer {
  constructor(options) {
    super(options);
    this.testNamePattern = options.globalConfig.testNamePattern;
  }

  async sort(tests) {
    // A new run (one mutant): forget the failure that ended the previous one.
    globalThis[FAILED] = undefined;
    const sorted = await super.sort(tests);
    if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) return sorted;
    const byPath = recordedFiles();
    if (!byPath) return sorted;
    // jest-circus matches testNamePattern case-insensitively against the test's full name. A
    // static mutant (no pattern) runs every test: every file stays, still cheapest first.
    const pattern = this.testNamePattern ? new RegExp(this.testNamePattern, "i") : undefined;
    const cost = new Map();
    const covering = sorted.filter((test) => {
      const record = byPath.get(test.path);
      if (record === undefined) {
        cost.set(test, Number.POSITIVE_INFINITY);
        return true;
      }
      let ms = record.overheadMs;
      let matches = false;
      for (const [name, testMs] of Object.entries(record.tests)) {
        if (pattern === undefined || pattern.test(name)) {
          matches = true;
          ms += testMs;
        }
      }
      cost.set(test, ms);
      return matches;
    });
    // The file that killed the previous mutant first, then the files that killed the most, then
    // cheapest first (kills.cjs): most mutants die at their first covering file (bail-runner.cjs).
    covering.sort(byKills(cost));
    return covering.length > 0 ? covering : sorted;
  }
}

module.exports = CoveringFilesOnly;
