import { connect } from "node:net";
import { join } from "node:path";
import { freePort, type Supervisor, waitFor } from "./processes";

/** The in-cluster name of the API server: what kubeadm, kind and k3s put in `iss`, and this control plane too. */
export const SERVICE_HOST = "kubernetes.default.svc.cluster.local";

/**
 * Plays the `kubernetes` Service for Vault: an HTTP CONNECT proxy (service-proxy.mjs, a process of
 * its own) that tunnels `kubernetes.default.svc.cluster.local:443` to the API server on loopback
 * and refuses anything else. Vault runs with HTTPS_PROXY pointing here, so a JWT mount that
 * discovers the issuer https://kubernetes.default.svc.cluster.local reaches this API server the
 * way a Vault pod reaches its own cluster's. Go never proxies loopback addresses
 * (golang.org/x/net/http/httpproxy), so every other call Vault makes (TokenReview at
 * https://127.0.0.1:port, the JWKS URI the API server publishes on its loopback address) goes
 * direct. TLS runs end to end through the tunnel: Vault verifies the API server's certificate,
 * which names the service (pki.ts).
 */
export async function startServiceProxy(supervisor: Supervisor, apiPort: number): Promise<string> {
  const port = await freePort();
  supervisor.start("service-proxy", process.execPath, [join(__dirname, "service-proxy.mjs"), `${port}`, `${apiPort}`]);
  await waitFor(
    "service proxy",
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, "127.0.0.1", () => {
          socket.end();
          resolve(true);
        });
        socket.on("error", () => resolve(false));
      }),
    20_000,
    () => !supervisor.exited("service-proxy"),
  );
  return `http://127.0.0.1:${port}`;
}
