import { type Problem, under } from "../checks/problem";
import { clusterProblems } from "./cluster-checks";
import { authMethodProblems } from "./jwt-method";
import { privateKeyProblems } from "./private-keys";
import type { Config } from "./schema";
import { sharedProblems } from "./shared-objects";
import { clusterViews } from "./typed-view";

/**
 * The checks that need more than one field, run on the schema's typed output (typed-view.ts):
 * within each cluster entry (cluster-checks.ts, jwt-method.ts, and the role checks the constructs
 * share, src/checks/) and across entries (shared-objects.ts). They report beside the schema's own
 * refusals: a part the schema refused is left out, not guessed at. The private-key scan reads the
 * file as written, keys included. `parsed` is the schema's output when it accepted the whole file.
 */
export function semanticProblems(data: unknown, parsed?: Config): Problem[] {
  const clusters = clusterViews(data, parsed);
  return [
    ...privateKeyProblems(data),
    ...sharedProblems(clusters),
    ...clusters.flatMap((cluster, index) =>
      under(["clusters", index], [...authMethodProblems(cluster), ...clusterProblems(cluster)]),
    ),
  ];
}
