// Stryker only (stryker.config.mjs): during the dry run, records which tests each test file ran
// and how long each took, so that sequencer.cjs can load only the files that hold a mutant's
// covering tests, cheapest first.
const { createHash } = require("node:crypto");
const { mkdirSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { RECORD_DIR } = require("./record-dir.cjs");

const loaded = performance.now();
const tests = {};
let started = 0;
beforeEach(() => {
  started = performance.now();
});
afterEach(() => {
  const name = expect.getState().currentTestName;
  tests[name] = (tests[name] ?? 0) + performance.now() - started;
});
afterAll(() => {
  // Mutant runs set this variable; only the dry run (every file, every test) is recorded.
  if (process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined) return;
  const { testPath } = expect.getState();
  const testsMs = Object.values(tests).reduce((sum, ms) => sum + ms, 0);
  // What the file costs besides its tests: loading it (its imports) and its hooks.
  const overheadMs = Math.max(0, performance.now() - loaded - testsMs);
  mkdirSync(RECORD_DIR, { recursive: true });
  const file = `${createHash("sha256").update(testPath).digest("hex").slice(0, 16)}.json`;
  writeFileSync(join(RECORD_DIR, file), JSON.stringify({ testPath, overheadMs, tests }));
});
