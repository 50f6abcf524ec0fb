import { invisibleIn, type Rule } from "./rule";

/*
 * Kubernetes object names, from k8s.io/apimachinery v0.36.0:
 * - pkg/util/validation/validation.go:155-204: IsDNS1123Label (at most 63 of [a-z0-9-], alphanumeric
 *   at both ends) and IsDNS1123Subdomain (labels joined by '.', at most 253 characters).
 * - pkg/api/validation/generic.go:66-74: ValidateNamespaceName = NameIsDNSLabel,
 *   ValidateServiceAccountName = NameIsDNSSubdomain; a Secret name is a subdomain too
 *   (kubernetes pkg/apis/core/validation: ValidateSecretName = NameIsDNSSubdomain).
 * - pkg/api/validate/content/path.go: IsPathSegmentName (not "." or "..", no '/' or '%'), which RBAC
 *   names use (kubernetes pkg/apis/rbac/validation: ValidateRBACName = path.IsValidPathSegmentName;
 *   the kubernetes provider v2.38.0 checks the same, kubernetes/schema_rbac.go:33).
 */
const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

export const dns1123Label: Rule = {
  pattern: new RegExp(`^(?=.{1,63}$)${LABEL}$`),
  fix: "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
  reason: (value) =>
    invisibleIn(value) ??
    (/^[a-z0-9.-]+$/.test(value) && value.includes(".") && value.length <= 63
      ? "has a '.', which a DNS-1123 label (a namespace, a cluster name) cannot have; use '-' instead"
      : undefined),
};

export const dns1123Subdomain: Rule = {
  pattern: new RegExp(`^(?=.{1,253}$)${LABEL}(\\.${LABEL})*$`),
  fix: "use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit",
  reason: invisibleIn,
};

export const rbacName: Rule = {
  pattern: /^(?!\.\.?$)[^/%]+$/,
  fix: "use a name without '/', '%' or spaces that is not '.' or '..' (e.g. vault:token-reviewer)",
  reason: invisibleIn,
};

/*
 * Label keys and values, as a namespace selector's matchLabels holds them (k8s.io/apimachinery
 * v0.36.0 pkg/api/validate/content/kube.go:24-30 and 43-72, IsLabelKey: an optional DNS subdomain
 * prefix and '/', then at most 63 of [-A-Za-z0-9_.], alphanumeric at both ends; :74-92,
 * IsLabelValue: the same as the name part, or empty).
 */
const LABEL_NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";

export const labelKey: Rule = {
  pattern: new RegExp(`^((?=[^/]{1,253}/)${LABEL}(\\.${LABEL})*/)?${LABEL_NAME}$`),
  fix: "use a label key such as team or example.com/team: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/'",
  reason: invisibleIn,
};

export const labelValue: Rule = {
  pattern: new RegExp(`^(${LABEL_NAME})?$`),
  fix: "use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or an empty value)",
  reason: invisibleIn,
};
