import { dns1123Label, dns1123Subdomain } from "./kubernetes";

/**
 * ryanuber/go-glob v1.0.0 `Glob` (glob.go:11-55), with which Vault matches bound ServiceAccount
 * names and namespaces (vault-plugin-auth-kubernetes v0.23.1 path_login.go:389-401, through
 * go-secure-stdlib/strutil v0.1.2 StrListContainsGlob) and a JWT role's glob bound claims
 * (vault-plugin-auth-jwt v0.25.0 claims.go:157): only '*' is special, and it matches any run of
 * characters, '.', '-' and ':' included, or none.
 */
export function goGlob(pattern: string, subject: string): boolean {
  if (pattern === "") return subject === "";
  if (pattern === "*") return true;
  const parts = pattern.split("*");
  if (parts.length === 1) return subject === pattern;
  let rest = subject;
  for (let i = 0; i < parts.length - 1; i++) {
    const index = rest.indexOf(parts[i]);
    if (i === 0 ? !pattern.startsWith("*") && index !== 0 : index < 0) return false;
    rest = rest.slice(index + parts[i].length);
  }
  return pattern.endsWith("*") || rest.endsWith(parts[parts.length - 1]);
}

/** Whether a bound name is a pattern (holds '*') rather than a name. */
export const isGlob = (value: string): boolean => value.includes("*");

const NAME_RULES = { dns1123Label, dns1123Subdomain } as const;

/**
 * Why a bound name or namespace pattern can match no valid name (a namespace is a DNS-1123 label,
 * a ServiceAccount name a DNS-1123 subdomain), or undefined when it can. A pattern matches some
 * valid name when its '*'s can stand for nothing or for one letter and give one: "atlantis-*"
 * (atlantis-a), "*-runner"; never "-*" or "team.*" for a namespace. `"*"` alone is any name.
 */
export function boundPatternProblem(value: string, rule: keyof typeof NAME_RULES, what: string): string | undefined {
  // A space or control character never gets here: the rule's own check refuses it first (checks/fields.ts).
  if (value === "*" || !isGlob(value)) return undefined;
  const { pattern } = NAME_RULES[rule];
  if (pattern.test(value.replaceAll("*", "")) || pattern.test(value.replaceAll("*", "a"))) return undefined;
  return (
    `${JSON.stringify(value)} can match no valid ${what}: with each '*' standing for any run of characters, ` +
    `what is left must be part of a ${what} (${NAME_RULES[rule].fix}); e.g. atlantis-* or team-*`
  );
}

/**
 * Why a bound pattern admits far more than it looks, or undefined: a leading '*' matches any
 * prefix, so "*-runner" admits every name that ends in "-runner"; a pattern whose letters and
 * digits are all inside '*'s ("*-*") admits every name with that '-' or '.'.
 */
export function broadPatternWarning(value: string, what: string): string | undefined {
  if (value === "*" || !isGlob(value)) return undefined;
  const rest = value.replaceAll("*", "");
  if (rest === "") {
    return `${JSON.stringify(value)} admits every ${what}, as "*" does: Vault's '*' matches any run of characters (go-glob); write "*" if that is meant, or name a prefix, e.g. atlantis-*`;
  }
  if (!/[a-z0-9]/.test(value)) {
    return (
      `${JSON.stringify(value)} admits every ${what} with a ${JSON.stringify(rest)} in it: ` +
      `Vault's '*' matches any run of characters (go-glob); name a prefix, e.g. atlantis-*`
    );
  }
  if (value.startsWith("*")) {
    const rest = value.slice(1);
    const piece = JSON.stringify(rest.split("*")[0]);
    return (
      `${JSON.stringify(value)} starts with '*', which matches any run of characters (go-glob), so every ${what} ` +
      `${rest.includes("*") ? `with ${piece} in it` : `that ends in ${piece}`} is admitted, whoever creates it; ` +
      "prefer a prefix pattern such as atlantis-*"
    );
  }
  return undefined;
}
