import { Annotations, Token } from "cdktf";
import { Construct } from "constructs";
import { ValidationError } from "../domain/validation";
import { policyPathProblem } from "../formats/vault";
import { CAPABILITIES, type PolicyRule } from "../policy/capabilities";
import { policyPathWarning, policyWarnings } from "../policy/warnings";
import { DataVaultPolicyDocument, Policy } from "../providers";
import { check } from "./check";

export interface VaultPolicyProps {
  /** Policy name, as roles list it in `tokenPolicies`. */
  readonly name: string;
  /** At least one rule. Build them by hand or with `PolicyRules`. */
  readonly rules: PolicyRule[];
}

/**
 * A named Vault ACL policy, rendered to HCL by the provider's `vault_policy_document`
 * data source (so Terraform, not string templates, writes the HCL).
 * Grants of `sudo`, or of anything on `*`, raise a synth warning: they must be seen.
 * See https://developer.hashicorp.com/vault/docs/concepts/policies
 */
export class VaultPolicy extends Construct {
  readonly name: string;
  readonly rules: PolicyRule[];
  /** The policy's name as a Terraform reference: roles that use it are created after it. */
  readonly policyName: string;
  private readonly resource: Policy;

  constructor(scope: Construct, id: string, props: VaultPolicyProps) {
    super(scope, id);
    check("vaultPolicyName", "policy name", props.name);
    if (["root", "default"].includes(props.name)) {
      throw new ValidationError(`policy name ${JSON.stringify(props.name)} is reserved by Vault; choose another name`);
    }
    if (props.rules.length === 0) {
      throw new ValidationError(`policy ${props.name}: rules is empty; give at least one rule`);
    }
    const globWarnings: string[] = [];
    for (const rule of props.rules) {
      const glob = Token.isUnresolved(rule.path) ? {} : policyPathProblem(rule.path);
      if (glob.refuse)
        throw new ValidationError(`policy ${props.name}: path ${JSON.stringify(rule.path)} ${glob.refuse}`);
      const warning = glob.warn && policyPathWarning(props.name, rule.path);
      if (warning) globWarnings.push(warning);
      const bad = rule.capabilities.filter((capability) => !CAPABILITIES.includes(capability));
      if (bad.length > 0 || rule.capabilities.length === 0) {
        throw new ValidationError(
          `policy ${props.name}: path ${rule.path}: capabilities ${JSON.stringify(rule.capabilities)} ` +
            `must be a non-empty list of ${CAPABILITIES.join(", ")}`,
        );
      }
    }
    this.name = props.name;
    this.rules = props.rules.map((rule) => ({ ...rule, capabilities: [...rule.capabilities] }));

    const document = new DataVaultPolicyDocument(this, "Document", {
      rule: this.rules.map((rule) => ({
        path: rule.path,
        capabilities: rule.capabilities,
        description: rule.description,
      })),
    });
    this.resource = new Policy(this, "Resource", { name: props.name, policy: document.hcl });
    this.policyName = this.resource.name;

    for (const warning of [...globWarnings, ...policyWarnings(this.name, this.rules)]) {
      Annotations.of(this).addWarning(warning);
    }
  }

  /** Emits an import block so a deploy adopts a policy of this name that already exists. */
  adoptExisting(): void {
    this.resource.importFrom(this.name);
  }
}

export { policyWarnings };
