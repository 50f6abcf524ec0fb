import { z } from "zod";
import { POLICY_WITHOUT_RULES, reservedPolicyName } from "../checks/policy";
import { DEFAULTS } from "../domain/defaults";
import { didYouMean, show } from "../domain/validation";
import { CAPABILITIES, UNRENDERABLE_CAPABILITIES } from "../policy/capabilities";
import { ruled, strictObject } from "./schema-fields";

/** The config schema's Vault policies (schema.ts). */

const capability = z.enum(CAPABILITIES, {
  error: (issue) =>
    // Own keys only: "constructor" or "toString" is no capability, whatever Object.prototype holds.
    typeof issue.input === "string" && Object.hasOwn(UNRENDERABLE_CAPABILITIES, issue.input)
      ? `${show(issue.input)} ${UNRENDERABLE_CAPABILITIES[issue.input]}`
      : `${show(issue.input)} is not a capability; use one of ${CAPABILITIES.join(", ")}${typeof issue.input === "string" ? didYouMean(issue.input, [...CAPABILITIES]) : ""}`,
});

/**
 * What a shorthand rule grants on its own, and the Vault path it writes (the first, for kvRead);
 * `path` is called only on a rule of that form, so its field is there.
 */
const SHORTHANDS = {
  kvRead: {
    grants: "grants read itself",
    path: ({ kvRead }: { kvRead?: { mount: string; path: string; version: 1 | 2 } }) => {
      const { mount, path, version } = kvRead as { mount: string; path: string; version: 1 | 2 };
      return `${mount}/${version === 2 ? "data/" : ""}${path}`;
    },
  },
  list: { grants: "grants list itself", path: ({ list }: { list?: string }) => list as string },
  deny: { grants: "denies everything itself", path: ({ deny }: { deny?: string }) => deny as string },
};

export const ruleSchema = strictObject(
  {
    path: z.string().min(1).optional().describe("Vault API path; needs capabilities"),
    capabilities: z.array(capability).min(1).optional().describe("What the rule allows on path, e.g. [read, list]"),
    description: z.string().optional().describe("A comment written into the policy's HCL"),
    kvRead: strictObject({
      mount: ruled("secretMountPath", "a KV mount path").describe("The KV secrets engine's mount, e.g. secret"),
      path: z
        .string()
        .min(1)
        .describe("The secret's path inside the mount, as vault kv get takes it; * at the end for a subtree"),
      version: z
        .union([z.literal(1), z.literal(2)], {
          error: (issue) => `${show(issue.input)} is not a KV version; use 1 or 2`,
        })
        .default(DEFAULTS.kvVersion)
        .describe("KV engine version: 2 reads <mount>/data/<path> and <mount>/metadata/<path>, 1 <mount>/<path>"),
    })
      .optional()
      .describe("Read one KV secret (v2: the data/ and metadata/ paths)"),
    list: z.string().min(1).optional().describe("Allow list on this path"),
    deny: z.string().min(1).optional().describe("Deny everything on this path"),
  },
  "One rule: path + capabilities, or one of kvRead, list, deny",
).superRefine((rule, context) => {
  // Each form is written out on its own (policyRules): a second form or a path's fields on a
  // shorthand would be dropped, so they are refused at the field that would be lost.
  const forms = (["path", "kvRead", "list", "deny"] as const).filter((form) => rule[form] !== undefined);
  const [form, ...others] = forms;
  if (form === undefined) {
    context.addIssue({
      code: "custom",
      message: "a rule needs one of path (with capabilities), kvRead, list or deny",
    });
  } else if (others.length > 0) {
    for (const other of others) {
      context.addIssue({
        code: "custom",
        path: [other],
        message: `${show(rule[other])} is a second form next to ${form} ${show(rule[form])}; a rule takes one of path, kvRead, list, deny: split it into ${forms.length} rules`,
      });
    }
  } else if (rule.path !== undefined && rule.capabilities === undefined) {
    context.addIssue({ code: "custom", path: ["capabilities"], message: `path ${show(rule.path)} needs capabilities` });
  } else if (form !== "path") {
    const shorthand = SHORTHANDS[form];
    for (const field of ["capabilities", "description"] as const) {
      if (rule[field] === undefined) continue;
      context.addIssue({
        code: "custom",
        path: [field],
        message: `${show(rule[field])} goes with path, but this is a ${form} rule, which ${shorthand.grants} and takes no ${field}; remove ${field}, or write it as - path: ${show(shorthand.path(rule))} with capabilities${field === "description" ? " and description" : ""}`,
      });
    }
  }
});

export const policySchema = strictObject({
  name: ruled("vaultPolicyName", "a policy name")
    .refine((name) => reservedPolicyName(name) === undefined, {
      error: (issue) => reservedPolicyName(String(issue.input)),
    })
    .describe("The policy's name in Vault, as roles name it in tokenPolicies"),
  preset: z
    .enum(["admin", "terraform-vault-provider"], {
      error: (issue) => `${show(issue.input)} is not a preset; use admin or terraform-vault-provider`,
    })
    .optional()
    .describe("admin: every capability on every path (warned). terraform-vault-provider: child tokens + rules"),
  rules: z
    .array(ruleSchema)
    .optional()
    .describe("The policy's rules; with preset terraform-vault-provider, added to it"),
}).superRefine((policy, context) => {
  // policyRules renders admin alone: rules next to it would be dropped, a deny rule included.
  if (policy.preset === "admin" && policy.rules !== undefined) {
    const count = policy.rules.length === 1 ? "1 rule" : `${policy.rules.length} rules`;
    context.addIssue({
      code: "custom",
      path: ["rules"],
      message: `holds ${count} next to preset "admin", which stands alone (every capability on every path) and takes no rules; drop rules, or drop preset: admin and write the grants as rules (- path: "*" with capabilities, and deny rules to take paths away)`,
    });
  }
  if (policy.preset !== "admin" && (policy.rules === undefined || policy.rules.length === 0)) {
    context.addIssue({
      code: "custom",
      path: ["rules"],
      message: POLICY_WITHOUT_RULES,
    });
  }
});
