import { request } from "node:https";

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  json<T = unknown>(): T;
}

/** HTTPS with a pinned CA: Node's fetch cannot take a per-request CA without extra packages. */
export function https(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown; ca: string },
): Promise<HttpResponse> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? (body ? "POST" : "GET"),
        ca: options.ca,
        headers: { ...(body ? { "Content-Type": "application/json" } : {}), ...options.headers },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}
