import { didYouMean, show } from "../domain/validation";
import { policyPathProblem } from "../formats/vault";
import type { Problem } from "./problem";

/**
 * Checks of Vault policies and of the policies roles name, run by the config file and by the
 * constructs (VaultPolicy, the stack), in the same words.
 */

/** Vault's own two policies: `default` exists already and `root` is never a policy to write. */
export function reservedPolicyName(name: string): string | undefined {
  return ["root", "default"].includes(name) ? `${show(name)} is reserved by Vault; choose another name` : undefined;
}

export const POLICY_WITHOUT_RULES =
  "a policy needs at least one rule (or preset: admin); e.g. - kvRead: { mount: secret, path: myscrt }";

/** A policy path Vault refuses (a warned one is the policy construct's warning), as `<path> <why>`. */
export function policyPathRefusal(path: string): string | undefined {
  const { refuse } = policyPathProblem(path);
  return refuse === undefined ? undefined : `${show(path)} ${refuse}`;
}

const ROOT_THROUGH_ROLE =
  '"root" cannot be granted through a role: Vault never issues a root token to an auth method login ' +
  '("auth methods cannot create root tokens", vault/request_handling.go)';

/** What a cluster entry, or a stack built from one, says about policies and the roles naming them. */
export interface PolicyNames {
  /** The policies the entry manages (undefined: an entry the schema refused). */
  readonly policies: readonly (string | undefined)[];
  readonly externalPolicies?: readonly string[] | undefined;
  readonly roles: readonly ({ readonly tokenPolicies?: readonly string[] | undefined } | undefined)[];
}

/**
 * Each policy a role names is managed by the entry, listed in its externalPolicies, or Vault's
 * default; root never. externalPolicies names policies Vault has from elsewhere: never Vault's own
 * two, never one the entry also manages, each once. Paths are relative to the entry.
 */
export function policyNameProblems({ policies, externalPolicies = [], roles }: PolicyNames): Problem[] {
  const problems: Problem[] = [];
  const defined = new Set(policies.filter((name) => name !== undefined));
  const first = new Map<string, number>();
  externalPolicies.forEach((name, index) => {
    const path = ["externalPolicies", index];
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, index);
    if (name === "default") {
      problems.push({
        path,
        message:
          '"default" is Vault\'s built-in policy, which a role may always name without declaring it; drop it from externalPolicies',
      });
    } else if (name === "root") {
      problems.push({ path, message: `${ROOT_THROUGH_ROLE}; drop it` });
    } else if (defined.has(name)) {
      problems.push({
        path,
        message: `${show(name)} is also defined under policies, where this stack writes it; a policy is managed either here (policies) or elsewhere (externalPolicies): drop it from one of the two`,
      });
    } else if (earlier !== undefined) {
      problems.push({ path, message: `${show(name)} is already listed at externalPolicies[${earlier}]; list it once` });
    }
  });
  const external = new Set(externalPolicies);
  const known = [...defined, ...external, "default"];
  const where =
    external.size > 0 ? "this cluster's policies nor listed in its externalPolicies" : "this cluster's policies";
  roles.forEach((role, index) => {
    role?.tokenPolicies?.forEach((name, position) => {
      const path = ["roles", index, "tokenPolicies", position];
      if (name === "root") {
        problems.push({ path, message: `${ROOT_THROUGH_ROLE}; grant the paths needed in a policy of this cluster` });
      } else if (!defined.has(name) && !external.has(name) && name !== "default") {
        problems.push({
          path,
          message: `policy ${show(name)} is not defined in ${where}${didYouMean(name, known) || "; add it under policies, or under externalPolicies if Vault has it from elsewhere (vault policy write)"}`,
        });
      }
    });
  });
  return problems;
}
