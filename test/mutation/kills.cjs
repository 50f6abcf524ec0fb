// Stryker only (stryker.config.mjs). Which test files killed the mutants of this run so far, kept
// on the test-runner process (the runner and the sequencer run in it, in band, for every mutant).
// Stryker tests a file's mutants in order, and the test file that kills one mostly kills its
// neighbours: loading a test file costs 0.5-3 s, so trying that file first saves the files before
// it (a mutant of the config checks, covered by 42 files, was killed by the 21st, cheapest first).
const KILLS = Symbol.for("vault-k8s-auth.mutation.kills");

function kills() {
  globalThis[KILLS] ??= { count: new Map(), last: undefined };
  return globalThis[KILLS];
}

exports.recordKill = (testPath) => {
  const record = kills();
  record.count.set(testPath, (record.count.get(testPath) ?? 0) + 1);
  record.last = testPath;
};

/** The last file that killed a mutant first, then the files that killed the most, then `cost` (cheapest first). */
exports.byKills = (cost) => {
  const record = kills();
  const rank = (path) => (path === record.last ? Number.POSITIVE_INFINITY : (record.count.get(path) ?? 0));
  return (a, b) => rank(b.path) - rank(a.path) || cost.get(a) - cost.get(b);
};
