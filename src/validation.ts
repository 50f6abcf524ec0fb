import { X509Certificate } from "node:crypto";
import { closest, distance } from "fastest-levenshtein";

/**
 * An error in what the user asked for (props or the config file). The entry point prints its
 * message alone, without a stack trace: the message is the whole report.
 */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
}

const DNS1123_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const VAULT_MOUNT_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
// Vault lowercases role and policy names, and its path patterns want a word character last.
const VAULT_NAME = /^[a-z0-9]([a-z0-9_.-]*[a-z0-9_])?$/;

/** Rules shared by the constructs and the config schema, so both say the same thing. */
export const rules = {
  dns1123Label: {
    pattern: DNS1123_LABEL,
    test: (value: string) => DNS1123_LABEL.test(value),
    fix: "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
  },
  vaultMountPath: {
    pattern: VAULT_MOUNT_PATH,
    test: (value: string) => VAULT_MOUNT_PATH.test(value),
    fix: "use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)",
  },
  vaultName: {
    pattern: VAULT_NAME,
    test: (value: string) => VAULT_NAME.test(value),
    fix: "use lowercase letters, digits, '_', '-' and '.', starting with a letter or digit and ending with a letter, digit or '_' (Vault lowercases these names, so two spellings would be one object)",
  },
  https: {
    pattern: /^https:\/\//,
    test: (value: string) => {
      try {
        const url = new URL(value);
        return url.protocol === "https:" && url.hostname !== "";
      } catch {
        return false;
      }
    },
    fix: "use an https:// URL such as https://vault.example.com:8200",
  },
  pemCertificate: {
    pattern: /-----BEGIN CERTIFICATE-----/,
    test: (value: string) => {
      if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(value)) return false;
      try {
        new X509Certificate(value);
        return true;
      } catch {
        return false;
      }
    },
    fix: "paste the cluster CA as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- (e.g. kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)",
  },
} as const satisfies Record<string, { pattern: RegExp; test: (value: string) => boolean; fix: string }>;

export type RuleName = keyof typeof rules;

/** Shows a value the way it was written, for error messages. */
export function show(value: unknown): string {
  if (typeof value === "string" && value.length > 80) return JSON.stringify(`${value.slice(0, 77)}...`);
  return JSON.stringify(value) ?? String(value);
}

/** `; did you mean "x"?` when one of `known` is close enough to be a typo of `value`, else "". */
export function didYouMean(value: string, known: string[]): string {
  if (known.length === 0) return "";
  const guess = closest(value, known);
  const near = distance(value.toLowerCase(), guess.toLowerCase()) <= Math.max(2, Math.floor(guess.length / 3));
  return near ? `; did you mean ${show(guess)}?` : "";
}

/**
 * Why a role of a client-jwt mount cannot bind `audience`. With no reviewer JWT stored, Vault
 * sends the pod's own JWT as the bearer of the TokenReview call (vault-plugin-auth-kubernetes
 * v0.24.1 token_review.go:69-75); the API server authenticates a bearer only for its own
 * `--api-audiences`, so a token with `aud: vault` gets 401, which Vault turns into
 * `permission denied` (path_login.go:180-184).
 */
export function clientJwtAudienceProblem(audience: string): string {
  return (
    `${show(audience)} cannot work with the client-jwt reviewer: Vault presents the pod's own token ` +
    `to the TokenReview API as its credential, and the API server accepts only tokens for its own audiences ` +
    `(--api-audiences), so every login would get "permission denied". Drop audience, or use the long-lived-token ` +
    `or vault-pod reviewer; if it is the API server's own audience, list it in auth.reviewer.apiAudiences`
  );
}
