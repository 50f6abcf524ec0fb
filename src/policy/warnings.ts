import { policyPathProblem } from "../formats/vault";
import type { PolicyRule } from "./capabilities";

/** What a reviewer must see about a policy: `sudo` anywhere, or any grant on every path. */
export function policyWarnings(name: string, rules: PolicyRule[]): string[] {
  const warnings: string[] = [];
  for (const rule of rules) {
    const grants = rule.capabilities.filter((capability) => capability !== "deny");
    if (rule.path === "*" && grants.length > 0) {
      warnings.push(
        `policy ${name} grants ${grants.join(", ")} on every path ("*"): full control of Vault. ` +
          `Grant only the paths the workload reads (e.g. a kvRead rule) unless admin is intended.`,
      );
    } else if (grants.includes("sudo")) {
      warnings.push(`policy ${name} grants sudo on ${rule.path}: root-protected endpoints become reachable.`);
    }
  }
  return warnings;
}

/** A rule's path that Vault accepts but reads otherwise than it looks (a "+" inside a segment). */
export function policyPathWarning(name: string, path: string): string | undefined {
  const { warn } = policyPathProblem(path);
  return warn === undefined ? undefined : `policy ${name}: path ${JSON.stringify(path)} ${warn}`;
}
