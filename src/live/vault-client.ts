import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { VaultError } from "./vault-error";
import type { VaultTarget } from "./vault-target";

/** What a request needs of the token, for the message when Vault refuses it: "needs read on auth/k8s/role/*". */
export interface Need {
  readonly capability: "read" | "list";
  /** The path (or glob) a policy must grant it on, as examples/vault-live-read-policy.hcl does. */
  readonly on: string;
}

export interface VaultClientOptions {
  /** Per request, from sending it to the last byte of the answer. */
  readonly timeoutMs?: number;
  /** Requests in flight at once. */
  readonly concurrency?: number;
}

/** About 10 s, as the issue asks: long enough for a slow Vault, short enough to say "unreachable". */
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_CONCURRENCY = 16;

/** Node's TLS verification codes, in a person's words. */
const TLS_REASONS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its certificate is signed by a CA that is not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "its certificate is signed by a CA that is not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "its certificate chain ends in a self-signed CA that is not trusted",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its certificate is self-signed and not trusted",
  CERT_HAS_EXPIRED: "its certificate has expired",
  CERT_NOT_YET_VALID: "its certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "its certificate is not issued for this host name",
};

/**
 * Reads Vault's HTTP API as the vault CLI does, with GET only (a LIST is a GET with ?list=true,
 * api/logical.go:189-200 of hashicorp/vault api v1.22.0), at most `concurrency` requests at once.
 * Every failure is a VaultError whose message names the address, the path and the fix.
 */
export class VaultClient {
  private readonly agent: HttpAgent;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  /** Requests sent, for benchmarks and tests. */
  requests = 0;

  constructor(
    readonly target: VaultTarget,
    options: VaultClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    const agentOptions = { keepAlive: true, maxSockets: this.concurrency };
    this.agent = target.address.startsWith("https:")
      ? new HttpsAgent({ ...agentOptions, ...(target.ca !== undefined ? { ca: target.ca } : {}) })
      : new HttpAgent(agentOptions);
  }

  /** The `data` of a GET, or undefined when Vault answers 404 (no such object). */
  async read(path: string, need: Need): Promise<Record<string, unknown> | undefined> {
    const body = await this.get(path, false, need);
    if (body === undefined) return undefined;
    const data = body.data;
    return data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  }

  /** The keys of a LIST, or [] when Vault answers 404 (nothing there). */
  async list(path: string, need: Need): Promise<string[]> {
    const body = await this.get(path, true, need);
    const keys = (body?.data as { keys?: unknown } | undefined)?.keys;
    return Array.isArray(keys) ? keys.filter((key): key is string => typeof key === "string") : [];
  }

  /** Closes idle connections, so the process can exit at once. */
  close(): void {
    this.agent.destroy();
  }

  private async get(path: string, list: boolean, need: Need): Promise<Record<string, unknown> | undefined> {
    await this.slot();
    try {
      this.requests++;
      return await this.send(path, list, need);
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  private slot(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.inFlight++;
        resolve();
      }),
    );
  }

  private send(path: string, list: boolean, need: Need): Promise<Record<string, unknown> | undefined> {
    const { address, token, namespace } = this.target;
    const what = `${list ? "LIST" : "GET"} ${path}`;
    const url = `${address}/v1/${path.split("/").map(encodeURIComponent).join("/")}${list ? "?list=true" : ""}`;
    const headers: Record<string, string> = { "X-Vault-Token": token, "X-Vault-Request": "true" };
    if (namespace !== undefined) headers["X-Vault-Namespace"] = namespace;
    const request = address.startsWith("https:") ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const fail = (message: string) => reject(new VaultError(this.scrub(message)));
      const req = request(url, { method: "GET", headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => fail(`${this.at()}: reading the answer to ${what} failed: ${error.message}`));
        res.on("end", () => {
          clearTimeout(timer);
          try {
            resolve(this.answer(res, Buffer.concat(chunks).toString("utf8"), what, need));
          } catch (error) {
            reject(error instanceof VaultError ? new VaultError(this.scrub(error.message)) : error);
          }
        });
      });
      const timer = setTimeout(() => {
        req.destroy();
        fail(
          `Vault at ${address} (${this.target.addressSource}) did not answer ${what} within ${Math.round(this.timeoutMs / 1000)} s; check the address and that this machine reaches it`,
        );
      }, this.timeoutMs);
      req.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(this.networkProblem(error, what));
      });
      req.end();
    });
  }

  private answer(res: IncomingMessage, text: string, what: string, need: Need): Record<string, unknown> | undefined {
    const status = res.statusCode ?? 0;
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = text === "" ? {} : JSON.parse(text);
      body =
        parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : undefined;
    } catch {
      // Not JSON: body stays undefined.
    }
    const listed = body?.errors;
    const errors = Array.isArray(listed) ? listed.map(String).filter(Boolean) : [];
    if (status === 200 || status === 204) {
      if (body === undefined) {
        throw new VaultError(
          `${this.at()} answered ${what} with something that is not Vault's JSON (${status}); is ${this.target.address} Vault's API address?`,
        );
      }
      return body;
    }
    if (status === 404) {
      // A 404 with an error other than the empty list is a path no mount serves, e.g. a wrong namespace.
      return undefined;
    }
    if (status === 403) {
      const namespace = this.target.namespace ? ` in namespace ${this.target.namespace} (VAULT_NAMESPACE)` : "";
      throw new VaultError(
        `${this.at()} refused ${what}${namespace} (403 ${errors.join("; ") || "permission denied"}): the token needs ${need.capability} on ${need.on}; examples/vault-live-read-policy.hcl grants everything these commands read`,
      );
    }
    if (status === 503 && errors.some((error) => /sealed/i.test(error))) {
      throw new VaultError(
        `Vault at ${this.target.address} is sealed; unseal it (vault operator unseal) and run this again`,
      );
    }
    const said = errors.length > 0 ? errors.join("; ") : text.trim().slice(0, 200) || "no message";
    throw new VaultError(`${this.at()} answered ${what} with ${status}: ${said}`);
  }

  private networkProblem(error: NodeJS.ErrnoException, what: string): string {
    const { address, caFile } = this.target;
    const code = error.code ?? "";
    const tls = TLS_REASONS[code];
    // An https:// address where the server answers in plain HTTP: OpenSSL reads the HTTP reply as a
    // TLS record and fails with "wrong version number" (EPROTO on Node 20). No CA would help.
    if (/wrong version number/i.test(error.message)) {
      return `TLS to Vault at ${address} failed: the server there does not answer in TLS (${code || "TLS"}: wrong version number); if Vault listens without TLS, set VAULT_ADDR=${address.replace("https:", "http:")}, else check the port`;
    }
    if (tls !== undefined || /certificate|SSL|TLS/i.test(error.message) || code.startsWith("ERR_SSL")) {
      const reason = tls ?? error.message;
      return caFile !== undefined
        ? `TLS to Vault at ${address} failed: ${reason} (${code || "TLS"}), checked against VAULT_CACERT=${caFile}; point VAULT_CACERT at the CA that signed Vault's certificate`
        : `TLS to Vault at ${address} failed: ${reason} (${code || "TLS"}); set VAULT_CACERT to the PEM file of the CA that signed Vault's certificate`;
    }
    const source = this.target.addressSource;
    return `could not reach Vault at ${address} (${source}) for ${what}: ${error.message}; check the address and that Vault is listening`;
  }

  private at(): string {
    return `Vault at ${this.target.address}`;
  }

  /**
   * Belt and braces: no message leaves with the token in it, whatever produced the text. A token
   * shorter than 8 characters ("root" on a dev server) is left alone, or every word holding it
   * would be garbled; real tokens are far longer.
   */
  private scrub(message: string): string {
    const { token } = this.target;
    return token.length >= 8 ? message.split(token).join("<VAULT_TOKEN>") : message;
  }
}
