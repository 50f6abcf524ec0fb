import { Annotations, Lazy, Token } from "cdktf";
import { Construct } from "constructs";
import { POLICY_WITHOUT_RULES, policyPathRefusal, reservedPolicyName } from "../checks/policy";
import { CAPABILITIES, type PolicyRule } from "../policy/capabilities";
import { policyPathWarning, policyWarnings } from "../policy/warnings";
import { DataVaultPolicyDocument, dataVaultPolicyDocumentRuleToTerraform, Policy } from "../providers";
import type { IVaultPolicy } from "./auth-role-options";
import { check, throwProblems } from "./check";

export interface VaultPolicyProps {
  /** Policy name, as roles list it in `tokenPolicies`. */
  readonly name: string;
  /**
   * The policy's rules. Build them by hand or with `PolicyRules`; `addRule` adds more.
   * @default - none yet: a policy still without rules at synth is refused
   */
  readonly rules?: PolicyRule[];
}

/**
 * A named Vault ACL policy, rendered to HCL by the provider's `vault_policy_document`
 * data source (so Terraform, not string templates, writes the HCL). Rules added after it is
 * created (`addRule`) are rendered too: the document is produced at synth.
 * Grants of `sudo`, or of anything on `*`, raise a synth warning: they must be seen.
 * See https://developer.hashicorp.com/vault/docs/concepts/policies
 */
export class VaultPolicy extends Construct implements IVaultPolicy {
  readonly name: string;
  /** The policy's name as a Terraform reference: roles that use it are created after it. */
  readonly policyName: string;
  private readonly resource: Policy;
  private readonly ruleList: PolicyRule[] = [];

  constructor(scope: Construct, id: string, props: VaultPolicyProps) {
    super(scope, id);
    check(this, ["name"], "vaultPolicyName", props.name, "a policy name");
    const reserved = reservedPolicyName(props.name);
    if (reserved !== undefined) throwProblems(this, [{ path: ["name"], message: reserved }]);
    this.name = props.name;
    this.node.addValidation({
      validate: () => (this.ruleList.length === 0 ? [`rules: ${POLICY_WITHOUT_RULES}`] : []),
    });
    this.addRules(props.rules ?? []);

    const document = new DataVaultPolicyDocument(this, "Document", {
      rule: Lazy.anyValue({
        produce: () =>
          this.ruleList.map((rule) =>
            dataVaultPolicyDocumentRuleToTerraform({
              path: rule.path,
              capabilities: rule.capabilities,
              description: rule.description,
            }),
          ),
      }),
    });
    this.resource = new Policy(this, "Resource", { name: props.name, policy: document.hcl });
    this.policyName = this.resource.name;
  }

  /** The rules so far (copies). */
  get rules(): PolicyRule[] {
    return this.ruleList.map((rule) => ({ ...rule, capabilities: [...rule.capabilities] }));
  }

  /** Adds rules, each checked as Vault will read it; their warnings are added to this policy. */
  addRule(...rules: PolicyRule[]): void {
    this.addRules(rules);
  }

  private addRules(rules: readonly PolicyRule[]): void {
    const added = rules.map((rule, index) => {
      const path = ["rules", this.ruleList.length + index];
      const refusal = Token.isUnresolved(rule.path) ? undefined : policyPathRefusal(rule.path);
      if (refusal !== undefined) throwProblems(this, [{ path: [...path, "path"], message: refusal }]);
      const bad = rule.capabilities.filter((capability) => !CAPABILITIES.includes(capability));
      if (bad.length > 0 || rule.capabilities.length === 0) {
        throwProblems(this, [
          {
            path: [...path, "capabilities"],
            message: `${JSON.stringify(rule.capabilities)} must be a non-empty list of ${CAPABILITIES.join(", ")}`,
          },
        ]);
      }
      return { ...rule, capabilities: [...rule.capabilities] };
    });
    this.ruleList.push(...added);
    // In the order config/synth-warnings.ts predicts for validate: every path's, then every grant's.
    for (const rule of added) {
      const warning = Token.isUnresolved(rule.path) ? undefined : policyPathWarning(this.name, rule.path);
      if (warning) Annotations.of(this).addWarning(warning);
    }
    for (const warning of policyWarnings(this.name, added)) Annotations.of(this).addWarning(warning);
  }

  /** Emits an import block so a deploy adopts a policy of this name that already exists. */
  adoptExisting(): void {
    this.resource.importFrom(this.name);
  }
}

export { policyWarnings };
