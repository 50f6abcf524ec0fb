/** Transpile-only (swc): type-checking happens once, in `tsc --noEmit`, not per test file. */
module.exports = {
  testEnvironment: "node",
  // Jest's default is one worker fewer than the cores, keeping one for its parent process, which
  // only collects results; on a 2-core machine that runs every test file one after another.
  // `npm test` with one worker per core: about 44 s instead of 68 s on 2 idle cores (docs/development.md).
  maxWorkers: "100%",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/test/e2e/", "/test/package/"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  reporters: ["default", "<rootDir>/test/summary-reporter.cjs"],
};
