// Mutation testing (`npm run test:mutation`): StrykerJS seeds small bugs into src/ and runs the
// jest suite against each; a mutant that survives marks behaviour no test pins. Not run by CI
// (tens of minutes on 2 cores). Incremental: results are reused from
// .stryker/incremental.json for mutants whose code and covering tests did not change.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "jest",
  jest: {
    configFile: "jest.config.js",
    config: {
      // findRelatedTests follows imports only through files under the roots.
      roots: ["<rootDir>/test", "<rootDir>/src"],
      // Load only the test files that hold a mutant's covering tests (test/mutation/sequencer.cjs).
      testSequencer: "<rootDir>/test/mutation/sequencer.cjs",
      // Skip a mutant's remaining tests once one has failed (test/mutation/bail-environment.cjs).
      testEnvironment: "./test/mutation/bail-environment.cjs",
      // ... and load no further test file after it (test/mutation/bail-runner.cjs).
      runner: "<rootDir>/test/mutation/bail-runner.cjs",
      setupFilesAfterEnv: ["<rootDir>/test/setup.ts", "<rootDir>/test/mutation/record-tests.cjs"],
      // Tests that only drive child processes (the CLI binary, cdktf synth, the bundle, shell
      // scripts, tsc) never reach the mutated code in this process: they can kill no mutant.
      testPathIgnorePatterns: [
        "/node_modules/",
        "/test/e2e/",
        "/test/package/",
        "/test/entry-point.test.ts",
        "/test/public-api.test.ts",
        "/test/pod-scripts.test.ts",
        "/test/cli/bin.test.ts",
        "/test/cli/bundle.test.ts",
        "/test/e2e-local-prerequisites.test.ts",
        "/test/e2e-prerequisites.test.ts",
        // Reads the Markdown files git lists; the sandbox is no git checkout, so it finds none.
        "/test/docs.test.ts",
      ],
    },
  },
  coverageAnalysis: "perTest",
  // Static mutants (module-level code: the zod schema, constant tables) are covered by no single
  // test, so each would run every test file: 40% of the mutants, 92% of the run time. Their
  // effect is pinned by targeted tests (test/config/wiring.test.ts, test/config/defaults.test.ts).
  ignoreStatic: true,
  // All of src/: the CLI's commands run in-process in test/cli (harness.ts), so their mutants are
  // killed there too. src/index.ts only re-exports (test/public-api.test.ts pins it).
  mutate: ["src/**/*.ts", "!src/index.ts"],
  ignorePatterns: ["test/e2e-local/components", "bench/out", "cdktf.out", "dist", "coverage", ".stryker"],
  incremental: true,
  incrementalFile: ".stryker/incremental.json",
  concurrency: 2,
  timeoutMS: 20000,
  plugins: ["@stryker-mutator/jest-runner", "./test/mutation/stream-reporter.mjs"],
  reporters: ["progress", "clear-text", "html", "json", "stream"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker/tmp",
  cleanTempDir: "always",
};
