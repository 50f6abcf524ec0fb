import { readFileSync } from "node:fs";
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo, Socket } from "node:net";

/**
 * A stand-in for Vault's HTTP API on loopback, answering GET and LIST (GET ?list=true) from a
 * table of Vault paths, as Vault 1.21 shapes its answers ({"data": ...}, 404 {"errors": []}).
 * Every request is recorded (method, path, headers) so tests can pin what the client sends.
 */
export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
}

export interface FakeVaultState {
  /** sys/auth entries, by path without the trailing "/". */
  mounts?: Record<string, { type: string; description?: string }>;
  /** GET answers' data, by Vault path. */
  data?: Record<string, Record<string, unknown>>;
  /** LIST answers' keys, by Vault path. */
  keys?: Record<string, string[]>;
  /** Policy texts, by name (sys/policies/acl/NAME). */
  policies?: Record<string, string>;
  /** Raw answers that win over everything else: by "GET path" or "LIST path". */
  raw?: Record<string, { status: number; body: string }>;
  /** Paths (GET or LIST) answered 403, as a token without the capability gets. */
  forbidden?: string[];
  /** Answer every request with 503 "Vault is sealed". */
  sealed?: boolean;
  /** Hold each answer this long. */
  delayMs?: number;
}

export class FakeVault {
  readonly requests: Recorded[] = [];
  /** Requests being answered right now, and the most there ever were at once. */
  private inFlight = 0;
  mostInFlight = 0;
  /** TCP connections accepted so far, and those still open. */
  connections = 0;
  readonly openSockets = new Set<Socket>();
  private server?: Server;

  constructor(public state: FakeVaultState = {}) {}

  async start(tls?: { cert: string; key: string }): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = tls
      ? createHttps({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, handler)
      : createHttp(handler);
    this.server.on("connection", (socket: Socket) => {
      this.connections++;
      this.openSockets.add(socket);
      socket.on("close", () => this.openSockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    const url = new URL(req.url ?? "/", "http://vault");
    const path = decodeURIComponent(url.pathname.replace(/^\/v1\//, ""));
    const list = url.searchParams.get("list") === "true";
    const answer = this.answer(req.method ?? "", path, list);
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    const send = () => {
      this.inFlight--;
      res.writeHead(answer.status, { "Content-Type": "application/json" });
      res.end(answer.body);
    };
    if (this.state.delayMs) setTimeout(send, this.state.delayMs);
    else send();
  }

  private answer(method: string, path: string, list: boolean): { status: number; body: string } {
    const state = this.state;
    const key = `${list ? "LIST" : "GET"} ${path}`;
    if (state.raw?.[key]) return state.raw[key];
    if (state.sealed) return { status: 503, body: JSON.stringify({ errors: ["Vault is sealed"] }) };
    if (method !== "GET") return { status: 405, body: JSON.stringify({ errors: ["only GET here"] }) };
    if (state.forbidden?.includes(path))
      return { status: 403, body: JSON.stringify({ errors: ["permission denied"] }) };
    const ok = (data: unknown) => ({ status: 200, body: JSON.stringify({ request_id: "r", data }) });
    const missing = { status: 404, body: JSON.stringify({ errors: [] }) };
    if (list) {
      const keys = state.keys?.[path];
      return keys && keys.length > 0 ? ok({ keys }) : missing;
    }
    if (path === "sys/auth") {
      return ok(
        Object.fromEntries(
          Object.entries(state.mounts ?? {}).map(([mount, entry]) => [
            `${mount}/`,
            { type: entry.type, description: entry.description ?? "", accessor: `auth_${entry.type}_1` },
          ]),
        ),
      );
    }
    const policy = /^sys\/policies\/acl\/(.+)$/.exec(path)?.[1];
    if (policy !== undefined) {
      const text = state.policies?.[policy];
      return text === undefined ? missing : ok({ name: policy, policy: text });
    }
    const data = state.data?.[path];
    return data ? ok(data) : missing;
  }
}

// The live commands' tests import the in-process runner from here, beside the fake Vault.
export { type CliResult, liveCli } from "../cli/harness";
