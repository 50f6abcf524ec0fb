// Stryker only (stryker.config.mjs): writes each mutant's result as it is tested, one JSON line
// each, to reports/mutation/results.jsonl, so a run cut short (a session's time, a laptop lid)
// still tells which mutants survived so far.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { declareClassPlugin, PluginKind } from "@stryker-mutator/api/plugin";

const FILE = "reports/mutation/results.jsonl";

class StreamReporter {
  onMutationTestingPlanReady() {
    mkdirSync("reports/mutation", { recursive: true });
    writeFileSync(FILE, "");
  }

  onMutantTested({ id, fileName, mutatorName, replacement, location, status, statusReason, static: isStatic }) {
    const line = { id, fileName, line: location.start.line, column: location.start.column, mutatorName };
    appendFileSync(FILE, `${JSON.stringify({ ...line, replacement, status, statusReason, static: isStatic })}\n`);
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, "stream", StreamReporter)];
