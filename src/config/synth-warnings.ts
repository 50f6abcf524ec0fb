import { roleWarnings } from "../checks/role";
import {
  IMPORT_EXISTING_WARNING,
  noKubeconfigContextWarning,
  plainHttpWarning,
  STATIC_TOKEN_WARNING,
} from "../domain/warnings";
import { PolicyPresets } from "../policy/presets";
import { policyPathWarning, policyWarnings } from "../policy/warnings";
import { ruleOf } from "./policy-rules";
import type { ClusterConfig, RuleConfig } from "./schema";

/** A warning a construct adds at synth, with the field of the cluster's entry it is about. */
export interface ConstructWarning {
  /** Where in the cluster's entry, for file:line (the entry's own path when the field is absent). */
  readonly path: PropertyKey[];
  /** The construct's words, as `cdktf synth` prints them after the construct path. */
  readonly message: string;
  /** Whether it is added to the stack itself, before any construct in it; else to a policy or role. */
  readonly onStack: boolean;
}

/**
 * Every warning the constructs of a cluster's stack add at synth, in the order synth reports them
 * (the construct tree in order: the stack's own, then each policy, then each role), predicted from
 * the checked config without cdktf: the texts come from src/domain/warnings.ts and src/policy/warnings.ts,
 * which the constructs use. test/config/synth-warnings.test.ts holds this list against a real synth.
 */
export function constructWarnings(cluster: ClusterConfig): ConstructWarning[] {
  const found: ConstructWarning[] = [];
  const stack = (path: PropertyKey[], message: string) => found.push({ path, message, onStack: true });
  const child = (path: PropertyKey[], message: string) => found.push({ path, message, onStack: false });
  const { kubernetes, vault, auth } = cluster;

  if (vault.address?.startsWith("http://")) stack(["vault", "address"], plainHttpWarning(vault.address));
  if (auth.method === "kubernetes") {
    if (kubernetes.eks?.staticToken) stack(["kubernetes", "eks", "staticToken"], STATIC_TOKEN_WARNING);
    if (!kubernetes.eks && !kubernetes.inCluster && kubernetes.kubeconfig?.context === undefined) {
      const at = kubernetes.kubeconfig ? ["kubernetes", "kubeconfig"] : ["kubernetes"];
      stack(at, noKubeconfigContextWarning(kubernetes.host as string));
    }
  }
  if (cluster.importExisting) stack(["importExisting"], IMPORT_EXISTING_WARNING);

  cluster.policies.forEach((policy, index) => {
    const at = ["policies", index];
    // The rules the construct gets, in its order, each with the field it comes from.
    const rules = [
      ...(policy.preset === "admin" ? PolicyPresets.admin().map((rule) => ({ rule, field: ["preset"] })) : []),
      ...(policy.preset === "terraform-vault-provider"
        ? PolicyPresets.terraformVaultProvider().map((rule) => ({ rule, field: ["preset"] }))
        : []),
      // The schema refuses a policy without rules unless its preset is admin.
      ...(policy.preset === "admin" ? [] : (policy.rules as RuleConfig[])).flatMap((source, position) =>
        ruleOf(source).map((rule) => ({
          rule,
          field: ["rules", position, ...fieldOf(source)],
        })),
      ),
    ];
    for (const { rule, field } of rules) {
      const warning = policyPathWarning(policy.name, rule.path);
      if (warning) child([...at, ...field], warning);
    }
    rules.forEach(({ rule, field }) => {
      for (const warning of policyWarnings(policy.name, [rule])) child([...at, ...field], warning);
    });
  });

  cluster.roles.forEach((role, index) => {
    const reviewerMode = auth.method === "kubernetes" ? auth.reviewer.mode : undefined;
    for (const { path, message } of roleWarnings(role.name, role, auth.method, reviewerMode)) {
      child(["roles", index, ...path], message);
    }
  });
  return found;
}

/** The field of a rule that holds its path. */
function fieldOf(rule: RuleConfig): string[] {
  if (rule.kvRead) return ["kvRead", "path"];
  return [rule.list !== undefined ? "list" : rule.deny !== undefined ? "deny" : "path"];
}
