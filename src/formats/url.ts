import { invisibleIn, type Rule } from "./rule";

/**
 * What the WHATWG URL parser would quietly change or drop, checked on the string as written,
 * because the string (not the parsed URL) is what goes into the Terraform JSON: tabs and
 * newlines are removed by the parser (https://url.spec.whatwg.org/#concept-basic-url-parser),
 * credentials in the userinfo would land in state, a query or fragment means nothing to a client.
 */
function urlProblem(value: string, allowPath: boolean, fix: string): string | undefined {
  const invisible = invisibleIn(value);
  if (invisible) return invisible;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Without a scheme the pattern's generic message says what a URL looks like; with one, the
    // pattern matched and only the parser knows what is wrong.
    return /^https?:\/\//i.test(value) ? `is not a valid URL (${parserRefusal(value)}); ${fix}` : undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  if (url.username || url.password) {
    return "carries a user name or password (user:pass@), which would be written into the Terraform JSON and state; remove it, credentials come from the environment";
  }
  // The text, not url.search and url.hash: an empty query or fragment parses to "" but is still written.
  if (value.includes("?") || value.includes("#")) {
    return "has a query (?...) or fragment (#...), which the address of an API cannot have; remove it";
  }
  if (!allowPath && url.pathname !== "/") {
    return url.pathname.replace(/\/+$/, "") === "/v1"
      ? `ends in /v1, which the vault provider and CLI add themselves (requests would go to /v1/v1/...); use ${url.origin}`
      : `has a path (${url.pathname}); the vault provider takes scheme, host and port only (its address argument); use ${url.origin}`;
  }
  return undefined;
}

/**
 * Why the WHATWG URL parser refuses a value that starts like a URL; Node's error says only
 * "Invalid URL". The port state fails on a non-digit (port-invalid) and on a port above 65535
 * (port-out-of-range): https://url.spec.whatwg.org/#port-state. No client can connect to either.
 */
export function parserRefusal(value: string): string {
  // Both callers pass a value that starts with http:// or https://, so the pattern matches.
  const authority = (/^[a-z]+:\/\/([^/?#]*)/i.exec(value) as RegExpExecArray)[1];
  const port = /:([^:\]]*)$/.exec(authority.slice(authority.lastIndexOf("@") + 1))?.[1];
  if (port !== undefined && port !== "") {
    if (!/^\d+$/.test(port)) return `the port ${JSON.stringify(port)} is not a number`;
    if (Number(port) > 65535) return `the port ${port} is out of range, 0 to 65535`;
  }
  return "the URL parser cannot read its host";
}

const VAULT_ADDRESS_FIX =
  "use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)";
const KUBERNETES_HOST_FIX =
  "use the API server's https:// URL: https://kubernetes.default.svc for Vault inside the cluster, else the server of `kubectl config view --minify`";

/**
 * The Vault address (provider `address`, VAULT_ADDR): "a URL with a scheme, a hostname and a
 * port but with no path" (https://registry.terraform.io/providers/hashicorp/vault/5.6.0/docs#address).
 */
export const vaultAddress: Rule = {
  // http:// too: the official Vault Helm chart serves plain http by default (global.tlsDisable);
  // the stack warns about it.
  pattern: /^https?:\/\/[^\s/?#@]+\/?$/,
  fix: VAULT_ADDRESS_FIX,
  reason: (value) => urlProblem(value, false, VAULT_ADDRESS_FIX),
};

/**
 * The Kubernetes API as Vault reaches it (`kubernetes_host`). A path is allowed: API servers behind
 * a proxy (Rancher, some gateways) are served under one, and Vault appends /apis/... to it.
 */
export const kubernetesHost: Rule = {
  pattern: /^https:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/,
  fix: KUBERNETES_HOST_FIX,
  reason: (value) => urlProblem(value, true, KUBERNETES_HOST_FIX),
};
