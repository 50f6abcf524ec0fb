import { z } from "zod";
import { authSchema, kubernetesSchema, stateSchema, vaultSchema } from "./schema-connection";
import { label, ruled, strictObject } from "./schema-fields";
import { policySchema, type ruleSchema } from "./schema-policy";
import { roleSchema } from "./schema-role";

/**
 * The config file's schema, written once: it validates the file, gives the TypeScript types
 * (`Config`), and is exported as `vault-k8s-auth.schema.json` for editors.
 */

export const clusterSchema = strictObject({
  name: label("a cluster name").describe("Stack id: cdktf.out/stacks/<name>, and its own state"),
  kubernetes: kubernetesSchema,
  vault: vaultSchema.default({}).describe("The Vault this cluster's stack writes to"),
  auth: authSchema.prefault({}).describe("The auth mount pods log in at, and how Vault checks their tokens"),
  policies: z.array(policySchema).default([]).describe("Vault ACL policies this stack owns"),
  externalPolicies: z
    .array(ruled("vaultPolicyName", "a policy name"))
    .optional()
    .describe(
      "Vault policies this config does not manage (written with `vault policy write`, or by another stack): roles may name them in tokenPolicies, the stack never creates, changes or deletes them, and `can` leaves them out of its answer",
    ),
  roles: z
    .array(roleSchema)
    .min(1, { error: () => "is empty; define at least one role" })
    .describe("Vault roles of the mount: who logs in, with which policies and token lifetimes"),
  state: stateSchema.optional(),
  importExisting: z
    .boolean()
    .default(false)
    .describe(
      "Emit Terraform import blocks so the next deploy adopts an existing mount, config, roles, policies, reviewer ServiceAccount and binding (migration from the seed)",
    ),
});

export const configSchema = strictObject({
  $schema: z.string().optional().describe("The JSON Schema, for editors (optional)"),
  clusters: z
    .array(clusterSchema)
    .min(1, { error: () => "is empty; define at least one cluster" })
    .describe("One entry per Kubernetes cluster: each its own stack and state"),
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ClusterConfig = z.output<typeof clusterSchema>;
export type RoleConfig = z.output<typeof roleSchema>;
export type PolicyConfig = z.output<typeof policySchema>;
export type RuleConfig = z.output<typeof ruleSchema>;
export type KubernetesConfig = ClusterConfig["kubernetes"];
export type AuthConfig = ClusterConfig["auth"];
export type ReviewerConfigEntry = AuthConfig["reviewer"];
