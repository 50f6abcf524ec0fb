import { z } from "zod";
import { EMPTY_CIDRS, EMPTY_SELECTOR } from "../checks/fields";
import { ALIAS_NAME_SOURCES, TOKEN_TYPES } from "../domain/role-options";
import { show } from "../domain/validation";
import { invisibleIn } from "../formats/rule";
import { boundList, duration, oneOf, ruled, strictObject } from "./schema-fields";

/** The config schema's Vault roles (schema.ts). */

export const namespaceSelectorSchema = strictObject(
  {
    matchLabels: z
      .record(ruled("labelKey", "a label key"), ruled("labelValue", "a label value"))
      .refine((labels) => Object.keys(labels).length > 0, { error: () => EMPTY_SELECTOR })
      .describe("Labels the pod's namespace must carry, all of them"),
    matchExpressions: z
      .unknown()
      .optional()
      .describe("Refused: Vault supports matchLabels only")
      .refine((value) => value === undefined, {
        error: () =>
          'is refused by Vault ("label selector match expressions are not supported", vault-plugin-auth-kubernetes v0.23.1 namespace_validator.go:121-123); express it with matchLabels',
      }),
  },
  "Namespaces admitted by their labels (Kubernetes method); ORed with boundServiceAccountNamespaces. Vault's reviewer reads the namespace to check it",
);

export const roleSchema = strictObject({
  name: ruled("vaultRoleName", "a role name").describe("What the pod names when it logs in"),
  boundServiceAccountNames: boundList("dns1123Subdomain").describe(
    'ServiceAccount names, "*" alone for any, or patterns in which * matches any run of characters (atlantis-*), as Vault matches them',
  ),
  boundServiceAccountNamespaces: boundList("dns1123Label")
    .optional()
    .describe(
      'Namespaces, "*" alone for any, or patterns such as team-*; required unless boundServiceAccountNamespaceSelector is given',
    ),
  tokenPolicies: z
    .array(z.string().min(1))
    .default([])
    .describe("Names of policies of this cluster, of its externalPolicies, or default"),
  tokenPeriod: duration.optional(),
  tokenTtl: duration.optional(),
  tokenMaxTtl: duration.optional(),
  // Vault compares the aud claim with the role's audience as exact strings (vault-plugin-auth-kubernetes
  // path_login.go: the JWT's audience must contain role.Audience), so surrounding whitespace never matches.
  audience: z
    .string()
    .min(1, { error: () => 'is empty; write the aud claim the pod\'s token carries, e.g. "vault"' })
    .refine((value) => value === value.trim(), {
      error: (issue) =>
        // Every character trim() removes is one invisibleIn names (formats/rule.ts INVISIBLE holds \s).
        `${show(issue.input)} ${invisibleIn(String(issue.input)) as string}; Vault compares the audience with the token's aud claim exactly`,
    })
    .optional()
    .describe("The aud claim the pod's (projected) token must carry"),
  boundServiceAccountNamespaceSelector: namespaceSelectorSchema.optional(),
  aliasNameSource: oneOf(ALIAS_NAME_SOURCES, "an alias name source")
    .optional()
    .describe(
      "Entity alias per ServiceAccount UID (Vault's default) or per namespace/name, which survives re-creating the ServiceAccount. Removing it keeps what the deployed role has; write serviceaccount_uid to go back",
    ),
  tokenExplicitMaxTtl: duration.optional().describe("Hard limit on a token's life, renewals and periods included"),
  tokenNoDefaultPolicy: z.boolean().optional().describe("Leave Vault's default policy off the tokens"),
  tokenBoundCidrs: z
    .array(ruled("cidr", "an address block"))
    .min(1, { error: () => EMPTY_CIDRS })
    .optional()
    .describe("Address blocks that may log in and use the tokens (as Vault sees the client's address)"),
  tokenType: oneOf(TOKEN_TYPES, "a token type").optional().describe("default (the mount decides), service or batch"),
});
