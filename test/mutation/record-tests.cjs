// Stryker only (stryker.config.mjs): during the dry run, records which tests each test file ran,
// so that sequencer.cjs can load only the files that hold a mutant's covering tests.
const { createHash } = require("node:crypto");
const { mkdirSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const { RECORD_DIR } = require("./record-dir.cjs");

const names = new Set();
afterEach(() => {
  names.add(expect.getState().currentTestName);
});
afterAll(() => {
  // Mutant runs set this variable; only the dry run (every file, every test) is recorded.
  if (process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined) return;
  const { testPath } = expect.getState();
  mkdirSync(RECORD_DIR, { recursive: true });
  const file = `${createHash("sha256").update(testPath).digest("hex").slice(0, 16)}.json`;
  writeFileSync(join(RECORD_DIR, file), JSON.stringify({ testPath, names: [...names] }));
});
