import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { VaultError } from "./vault-error";

/**
 * Which Vault to read and how, found as the `vault` CLI finds it (hashicorp/vault api v1.22.0,
 * the version Vault 1.21.2 pins: client.go:37-48 names the variables, :91 the default address,
 * :669 the namespace; api/tokenhelper/helper_internal.go:38 the token file).
 */
export interface VaultTarget {
  /** `VAULT_ADDR` without a trailing "/", or the CLI's default https://127.0.0.1:8200. */
  readonly address: string;
  /** Where the address came from, for messages. */
  readonly addressSource: "VAULT_ADDR" | "the vault CLI's default";
  /** Never printed. */
  readonly token: string;
  /** The CA bundle (PEM) of `VAULT_CACERT`, when set. */
  readonly ca?: string;
  readonly caFile?: string;
  /** `VAULT_NAMESPACE`, sent as X-Vault-Namespace. */
  readonly namespace?: string;
}

export const DEFAULT_VAULT_ADDR = "https://127.0.0.1:8200";

/**
 * The target from the environment. Every problem is a VaultError naming the variable and the fix;
 * the token's value is never part of one.
 */
export function vaultTarget(env: NodeJS.ProcessEnv, cwd: string, home: string = homedir()): VaultTarget {
  const raw = env.VAULT_ADDR?.trim();
  const address = (raw || DEFAULT_VAULT_ADDR).replace(/\/+$/, "");
  let url: URL | undefined;
  try {
    url = new URL(address);
  } catch {
    // Not a URL at all: refused below with the same words as another scheme.
  }
  // The WHATWG parser refuses an http(s) URL without a host, so an accepted one always has one.
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new VaultError(
      `VAULT_ADDR ${JSON.stringify(address)} is not an http(s) URL; set it as for the vault CLI, e.g. https://vault.example.com:8200`,
    );
  }
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    throw new VaultError(
      `VAULT_ADDR ${JSON.stringify(address)} has a path; give the server's address alone (e.g. ${url.origin}), the API path /v1/ is added`,
    );
  }
  const token = env.VAULT_TOKEN?.trim() || readTokenFile(home);
  if (!token) {
    throw new VaultError(
      `no Vault token: VAULT_TOKEN is not set and ${join(home, ".vault-token")} does not exist; run vault login, or export VAULT_TOKEN (a token with the policy in examples/vault-live-read-policy.hcl is enough)`,
    );
  }
  if (/[\r\n]/.test(token)) {
    throw new VaultError("VAULT_TOKEN holds a line break; export the token alone");
  }
  const caFile = env.VAULT_CACERT?.trim() || undefined;
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(resolve(cwd, caFile), "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new VaultError(
        `VAULT_CACERT=${caFile} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? "unknown error"})`}; point it at the PEM file of the CA that signed Vault's certificate`,
      );
    }
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) {
      throw new VaultError(
        `VAULT_CACERT=${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----); point it at the CA's PEM file`,
      );
    }
  }
  const namespace = env.VAULT_NAMESPACE?.trim().replace(/^\/+|\/+$/g, "") || undefined;
  return {
    address: url.origin,
    addressSource: raw ? "VAULT_ADDR" : "the vault CLI's default",
    token,
    ...(ca !== undefined ? { ca, caFile } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
  };
}

/** The vault CLI's token helper file, ~/.vault-token (what `vault login` writes). */
function readTokenFile(home: string): string | undefined {
  try {
    return readFileSync(join(home, ".vault-token"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
