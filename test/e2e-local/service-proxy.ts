import { createServer, type Server } from "node:http";
import { connect } from "node:net";

/** The in-cluster name of the API server: what kubeadm, kind and k3s put in `iss`, and this control plane too. */
export const SERVICE_HOST = "kubernetes.default.svc.cluster.local";

/**
 * Plays the `kubernetes` Service for Vault: an HTTP CONNECT proxy that tunnels
 * `kubernetes.default.svc.cluster.local:443` to the API server on loopback and refuses anything
 * else. Vault runs with HTTPS_PROXY pointing here, so a JWT mount that discovers the issuer
 * https://kubernetes.default.svc.cluster.local reaches this API server the way a Vault pod reaches
 * its own cluster's; Go never proxies loopback addresses (golang.org/x/net/http/httpproxy), so
 * every other call Vault makes (TokenReview at https://127.0.0.1:port, the JWKS URI the API
 * server publishes on its loopback address) goes direct. TLS runs end to end through the tunnel:
 * Vault verifies the API server's certificate, which names the service (pki.ts).
 */
export function startServiceProxy(apiPort: number): Promise<{ url: string; close: () => void }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(405).end("CONNECT only\n");
  });
  server.on("connect", (req, client, head) => {
    if (req.url !== `${SERVICE_HOST}:443`) {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const upstream = connect(apiPort, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (typeof address !== "object" || address === null) return reject(new Error("service proxy: no port"));
      server.unref();
      resolve({ url: `http://127.0.0.1:${address.port}`, close: () => server.close() });
    });
  });
}
