import type { PolicyRule } from "../policy/capabilities";
import { PolicyPresets, PolicyRules } from "../policy/presets";
import type { PolicyConfig, RuleConfig } from "./schema";

/**
 * The rules a policy of the config file stands for: its preset and its shorthand rules
 * (kvRead, list, deny) written out as Vault `path` stanzas. The stack deploys exactly these and
 * `vault-k8s-auth can` evaluates exactly these, so the answer is about what is deployed.
 */
export function policyRules(policy: PolicyConfig): PolicyRule[] {
  if (policy.preset === "admin") return PolicyPresets.admin();
  const rules = (policy.rules ?? []).flatMap(ruleOf);
  return policy.preset === "terraform-vault-provider" ? PolicyPresets.terraformVaultProvider(rules) : rules;
}

export function ruleOf(rule: RuleConfig): PolicyRule[] {
  if (rule.kvRead) return PolicyPresets.kvReadOnly(rule.kvRead.mount, rule.kvRead.path, rule.kvRead.version);
  if (rule.list !== undefined) return PolicyRules.list(rule.list);
  if (rule.deny !== undefined) return PolicyRules.deny(rule.deny);
  // The schema refuses a path rule without capabilities ("path ... needs capabilities").
  return [
    {
      path: rule.path as string,
      capabilities: rule.capabilities as PolicyRule["capabilities"],
      description: rule.description,
    },
  ];
}
