import type { Problem } from "../checks/problem";
import { holdsPrivateKey } from "../formats/pem";

/** The refusal of a private key in a field with no rule of its own; starts as the per-field refusals do. */
export const PRIVATE_KEY_HELD =
  "holds a private key (-----BEGIN ... PRIVATE KEY-----; the value is not shown), which must never be written into " +
  "Terraform JSON, state or Vault; remove it, and treat that key as leaked if this file was shared";

/**
 * Every string of the raw file, keys included, checked for a PEM private key: free text such as a
 * description, a kubeconfig context or an issuer is written into the Terraform JSON as is, so the
 * fields with a PEM rule (caCertificate, publicKeys) are not the only way a key gets out.
 * Each value is visited once, so an alias repeated many times costs one visit. A key in a mapping
 * key is named by its path too: formatPath never prints it.
 */
export function privateKeyProblems(data: unknown): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown, path: PropertyKey[]): void => {
    if (typeof value === "string") {
      if (holdsPrivateKey(value)) problems.push({ path, message: PRIVATE_KEY_HELD });
      return;
    }
    if (value === null || typeof value !== "object" || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) visit(item, [...path, index]);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (holdsPrivateKey(key)) problems.push({ path: [...path, key], message: PRIVATE_KEY_HELD, atKey: true });
      visit(item, [...path, key]);
    }
  };
  visit(data, []);
  return problems;
}
