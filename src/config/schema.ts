import { z } from "zod";
import { DURATION_PATTERN, Duration, readVaultDuration, VAULT_MAX_DURATION_SECONDS } from "../domain/duration";
import { ALIAS_NAME_SOURCES, TOKEN_TYPES } from "../domain/role-options";
import { didYouMean, type RuleName, refusal, rules, show } from "../domain/validation";
import { boundPatternProblem } from "../formats/glob";
import { invisibleIn } from "../formats/rule";
import { CAPABILITIES, UNRENDERABLE_CAPABILITIES } from "../policy/capabilities";

/**
 * The config file's schema, written once: it validates the file, gives the TypeScript types
 * (`Config`), and is exported as `vault-k8s-auth.schema.json` for editors.
 */

/** A strict object whose unknown-key error suggests the closest known key (typos). */
function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape, description?: string) {
  const known = Object.keys(shape);
  const schema = z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      return issue.keys
        .map((key) => `unknown key ${show(key)}${didYouMean(key, known)} (allowed: ${known.join(", ")})`)
        .join("; ");
    },
  });
  return description ? schema.describe(description) : schema;
}

/** A string checked by one of the shared rules; its pattern also goes into the JSON Schema for editors. */
function ruled(rule: RuleName, what: string) {
  const error = (issue: { input?: unknown }) =>
    refusal(rule, String(issue.input), what) ?? `${show(issue.input)} is not ${what}; ${rules[rule].fix}`;
  return z
    .string()
    .regex(rules[rule].pattern, { error, abort: true })
    .refine((value) => refusal(rule, value, what) === undefined, { error });
}

const label = (what: string) => ruled("dns1123Label", what);

/**
 * Free text written as is into the Terraform JSON (a kubeconfig path or context, a state key):
 * any text, but whitespace at either end is a paste's or a `|` block's leftover that would make
 * the value name something else.
 */
const exact = () =>
  z
    .string()
    .min(1)
    .refine((value) => value === value.trim(), {
      error: (issue) =>
        `${show(issue.input)} has a space, tab or newline at the start or end, which would be written as is; remove it`,
    });

const duration = z
  .union(
    [
      z
        .int({ error: (issue) => `${show(issue.input)} is not a whole number of seconds; use e.g. 1800, 30m or 7d` })
        .min(0, { error: (issue) => `${show(issue.input)} is negative; use a duration such as 30m, 1800s or 1h` })
        .max(VAULT_MAX_DURATION_SECONDS, {
          error: (issue) =>
            `${show(issue.input)} is longer than Vault can hold; use at most ${VAULT_MAX_DURATION_SECONDS} seconds (about 292 years)`,
        }),
      z
        .string()
        .regex(DURATION_PATTERN, { error: (issue) => durationProblem(String(issue.input)), abort: true })
        .superRefine((value, context) => {
          const read = readVaultDuration(value);
          if ("problem" in read) context.addIssue({ code: "custom", message: durationProblem(value), input: value });
        }),
    ],
    {
      error: (issue) =>
        typeof issue.input === "number"
          ? `${show(issue.input)} is not a whole number of seconds; use e.g. 1800, 30m or 7d`
          : typeof issue.input === "string"
            ? durationProblem(issue.input)
            : `${show(issue.input)} is not a duration; use e.g. 1800, 30m, 1h30m, 1.5h or 7d`,
    },
  )
  .transform((value) => Duration.parse(value)?.toSeconds() ?? 0)
  .describe(
    "A duration as Vault reads it (go-secure-stdlib parseutil.ParseDurationSecond): whole seconds (1800), a whole number of days alone (7d), or a Go duration (30m, 1h30m, 1.5h); Vault keeps whole seconds",
  );

/** `"1d12h" mixes days with ...`: the value and why Vault would not read it. */
function durationProblem(value: string): string {
  const read = readVaultDuration(value);
  return `${show(value)} ${"problem" in read ? read.problem : "is not a duration"}`;
}

/**
 * A bound list of names or namespaces as Vault matches them: each entry is a name or a pattern
 * where '*' matches any run of characters (go-glob; `"*"` alone is any), see formats/glob.ts.
 */
const boundList = (what: string, rule: "dns1123Label" | "dns1123Subdomain") =>
  z
    .array(
      z
        .string()
        .regex(new RegExp(`^\\*$|${rules[rule].pattern.source}|^(?=.*\\*)[-a-z0-9.*]+$`), {
          error: (issue) =>
            `${refusal(rule, String(issue.input), `a valid ${what}`) ?? `${show(issue.input)} is not a valid ${what}; ${rules[rule].fix}`}, or a pattern with "*" (e.g. atlantis-*)`,
          abort: true,
        })
        .refine((value) => boundPatternProblem(value, rule, what) === undefined, {
          error: (issue) => boundPatternProblem(String(issue.input), rule, what),
        }),
      {
        error: () => `expected a list of ${what}s, or ["*"] for any`,
      },
    )
    .min(1, { error: () => `is empty; list at least one ${what}, or "*" for any` })
    .refine((values) => !(values.includes("*") && values.length > 1), {
      error: (issue) => `${show(issue.input)} mixes "*" with names, which Vault rejects; use ["*"] alone or only names`,
    });

const eksSchema = strictObject(
  {
    clusterName: ruled("eksClusterName", "an EKS cluster name").describe(
      "EKS cluster name, as in `aws eks describe-cluster --name`",
    ),
    region: ruled("awsRegion", "an AWS region").describe("AWS region of the cluster, e.g. eu-west-1"),
    staticToken: z
      .boolean()
      .default(false)
      .describe(
        "Authenticate with a 15-minute token from aws_eks_cluster_auth instead of running `aws eks get-token`; a saved plan applied later than that fails with Unauthorized",
      ),
  },
  "An EKS cluster, looked up by name with the deploy environment's AWS credentials",
);

const kubernetesSchema = strictObject(
  {
    eks: eksSchema.optional(),
    host: ruled("kubernetesHost", "an https URL").optional().describe("Kubernetes API URL as Vault reaches it"),
    caCertificate: ruled("pemCertificate", "a PEM certificate").optional().describe("PEM CA of that API"),
    kubeconfig: strictObject({
      path: exact()
        .optional()
        .describe("Default: none; the kubernetes provider reads KUBE_CONFIG_PATH (e.g. ~/.kube/config)"),
      context: exact().optional().describe("Default: the kubeconfig's current context"),
    })
      .optional()
      .describe("How Terraform reaches the cluster when it is not EKS"),
    inCluster: z
      .boolean()
      .default(false)
      .describe("Terraform runs in this cluster (e.g. Atlantis) and uses its pod's ServiceAccount; no kubeconfig"),
  },
  "Either eks, or host + caCertificate (+ kubeconfig or inCluster)",
);

const reviewerSchema = z
  .discriminatedUnion(
    "mode",
    [
      strictObject({
        mode: z.literal("long-lived-token").describe("A reviewer ServiceAccount whose non-expiring token Vault stores"),
        serviceAccountName: ruled("dns1123Subdomain", "a ServiceAccount name")
          .default("vault-reviewer")
          .describe("The reviewer ServiceAccount the stack creates"),
        namespace: label("a namespace").default("vault").describe("Its namespace, which holds its token Secret too"),
        secretName: ruled("dns1123Subdomain", "a Secret name")
          .optional()
          .describe("The token Secret's name. Default: <serviceAccountName>-token"),
        bindingName: ruled("rbacName", "a ClusterRoleBinding name")
          .optional()
          .describe("The binding to system:auth-delegator. Default: <namespace>-<serviceAccountName>-token-review"),
        createNamespace: z
          .boolean()
          .default(false)
          .describe(
            "Create the namespace too (off: a namespace shared with Vault must not be owned, and destroyed, by this stack)",
          ),
      }),
      strictObject({
        mode: z.literal("vault-pod").describe("Vault runs in this cluster and presents its own pod's token"),
        serviceAccountName: ruled("dns1123Subdomain", "a ServiceAccount name")
          .default("vault")
          .describe("Vault's own ServiceAccount"),
        namespace: label("a namespace").default("vault").describe("Vault's namespace"),
        bindingName: ruled("rbacName", "a ClusterRoleBinding name")
          .optional()
          .describe("The binding to system:auth-delegator. Default: <namespace>-<serviceAccountName>-token-review"),
        createBinding: z
          .boolean()
          .default(true)
          .describe(
            "Bind Vault's ServiceAccount to system:auth-delegator; false when the Helm chart's server.authDelegator already does (<release>-server-binding)",
          ),
      }),
      strictObject({
        mode: z.literal("client-jwt").describe("Vault outside the cluster: each pod's own token is the credential"),
        apiAudiences: z
          .array(z.string().min(1))
          .optional()
          .describe(
            "The API server's own audiences (--api-audiences); a role of this mount may bind only one of these as audience",
          ),
      }),
    ],
    {
      error: (issue) =>
        issue.code === "invalid_union"
          ? (issue.input as { mode?: unknown } | undefined)?.mode === undefined
            ? "is required: one of long-lived-token, vault-pod, client-jwt"
            : `reviewer mode ${show((issue.input as { mode?: unknown }).mode)} is not one of long-lived-token, vault-pod, client-jwt`
          : undefined,
    },
  )
  .describe("Who presents a JWT to the TokenReview API (docs/configure.md: Reviewer modes)");

const jwtSchema = strictObject(
  {
    issuer: z
      .string()
      .min(1)
      .refine((value) => invisibleIn(value) === undefined, {
        error: (issue) => `${show(issue.input)} ${invisibleIn(String(issue.input))}`,
      })
      .optional()
      .describe(
        "The cluster's service-account issuer (the iss of its tokens); required unless kubernetes.eks gives it. Vault discovers its keys at <issuer>/.well-known/openid-configuration unless publicKeys are given",
      ),
    publicKeys: z
      .array(ruled("pemPublicKey", "a PEM public key"))
      .min(1, { error: () => "is empty; list the PEM public keys, or leave publicKeys out to use discovery" })
      .optional()
      .describe(
        "PEM public keys the cluster signs tokens with, for an issuer Vault cannot reach; they must be updated when the cluster rotates its key",
      ),
  },
  "The JWT method's trust in the cluster (auth.method: jwt)",
);

const authSchema = strictObject({
  method: z
    .enum(["kubernetes", "jwt"], {
      error: (issue) => `${show(issue.input)} is not an auth method; use kubernetes or jwt`,
    })
    .default("kubernetes")
    .describe(
      "kubernetes: Vault asks the API server (TokenReview) about each login. jwt: Vault checks the token's signature against the cluster's issuer keys, with no reviewer and no path to the API server; a token stays valid until it expires",
    ),
  jwt: jwtSchema.optional(),
  path: ruled("vaultMountPath", "a Vault mount path")
    .default("kubernetes")
    .describe("Mount path: pods log in at auth/<path>/login"),
  description: z.string().optional().describe("The mount's description in Vault"),
  // prefault: the default goes through the schema, so the mode's own defaults fill it in.
  reviewer: reviewerSchema.prefault({ mode: "long-lived-token" }),
  preventDestroy: z
    .boolean()
    .default(true)
    .describe("Terraform refuses to destroy the mount (which would revoke its tokens)"),
  disableIssValidation: z
    .boolean()
    .default(true)
    .describe("Vault ignores the token's iss (Kubernetes method), as Vault recommends since 1.9"),
});

const capability = z.enum(CAPABILITIES, {
  error: (issue) =>
    typeof issue.input === "string" && UNRENDERABLE_CAPABILITIES[issue.input]
      ? `${show(issue.input)} ${UNRENDERABLE_CAPABILITIES[issue.input]}`
      : `${show(issue.input)} is not a capability; use one of ${CAPABILITIES.join(", ")}${typeof issue.input === "string" ? didYouMean(issue.input, [...CAPABILITIES]) : ""}`,
});

/** What a shorthand rule grants on its own, and the Vault path it writes (the first, for kvRead). */
const SHORTHANDS = {
  kvRead: {
    grants: "grants read itself",
    path: ({ kvRead }: { kvRead?: { mount: string; path: string; version: 1 | 2 } }) =>
      kvRead ? `${kvRead.mount}/${kvRead.version === 2 ? "data/" : ""}${kvRead.path}` : "",
  },
  list: { grants: "grants list itself", path: ({ list }: { list?: string }) => list ?? "" },
  deny: { grants: "denies everything itself", path: ({ deny }: { deny?: string }) => deny ?? "" },
};

const ruleSchema = strictObject(
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
        .default(2)
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

const policySchema = strictObject({
  name: ruled("vaultPolicyName", "a policy name")
    .refine((name) => !["root", "default"].includes(name), {
      error: (issue) => `${show(issue.input)} is reserved by Vault; choose another name`,
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
      message: "a policy needs at least one rule (or preset: admin); e.g. - kvRead: { mount: secret, path: myscrt }",
    });
  }
});

/** One of a closed set of words, with the set in the message. */
const oneOf = <const Values extends readonly [string, ...string[]]>(values: Values, what: string) =>
  z.enum(values, {
    error: (issue) =>
      `${show(issue.input)} is not ${what}; use one of ${values.join(", ")}${typeof issue.input === "string" ? didYouMean(issue.input, [...values]) : ""}`,
  });

const namespaceSelectorSchema = strictObject(
  {
    matchLabels: z
      .record(ruled("labelKey", "a label key"), ruled("labelValue", "a label value"))
      .refine((labels) => Object.keys(labels).length > 0, {
        error: () =>
          'is empty, and an empty selector admits every namespace; name labels, or use boundServiceAccountNamespaces: ["*"] if every namespace is meant',
      })
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

const roleSchema = strictObject({
  name: ruled("vaultRoleName", "a role name").describe("What the pod names when it logs in"),
  boundServiceAccountNames: boundList("ServiceAccount name", "dns1123Subdomain").describe(
    'ServiceAccount names, "*" alone for any, or patterns in which * matches any run of characters (atlantis-*), as Vault matches them',
  ),
  boundServiceAccountNamespaces: boundList("namespace", "dns1123Label")
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
        `${show(issue.input)} ${invisibleIn(String(issue.input)) ?? "has surrounding whitespace; remove it"}; Vault compares the audience with the token's aud claim exactly`,
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
    .min(1, { error: () => "is empty; list address blocks such as 10.0.0.0/16, or leave tokenBoundCidrs out" })
    .optional()
    .describe("Address blocks that may log in and use the tokens (as Vault sees the client's address)"),
  tokenType: oneOf(TOKEN_TYPES, "a token type").optional().describe("default (the mount decides), service or batch"),
});

const vaultSchema = strictObject({
  address: ruled("vaultAddress", "an http(s) URL")
    .optional()
    .describe("Default: VAULT_ADDR of the deploy environment. http:// is accepted, with a warning"),
  namespace: ruled("vaultNamespace", "a Vault namespace").optional().describe("Vault Enterprise / HCP namespace"),
});

const stateSchema = strictObject({
  s3: strictObject({
    bucket: ruled("s3BucketName", "an S3 bucket name").describe("The state bucket"),
    key: exact().optional().describe("Default: vault-k8s-auth/<cluster name>.tfstate"),
    region: ruled("awsRegion", "an AWS region").describe("The bucket's region"),
  }).describe("S3 backend with encryption and S3-native locking (use_lockfile)"),
}).describe("Where Terraform keeps this cluster's state. Default: local file terraform.<cluster>.tfstate");

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
