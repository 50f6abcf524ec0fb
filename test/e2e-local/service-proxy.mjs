// The `kubernetes` Service for Vault (see service-proxy.ts): an HTTP CONNECT proxy on
// 127.0.0.1:<listen port> that tunnels kubernetes.default.svc.cluster.local:443 to the API server
// on 127.0.0.1:<API port> and refuses anything else. A process of its own: the e2e blocks its
// event loop in spawnSync while cdktf deploys, and Vault discovers the issuer during the deploy.
// Usage: node service-proxy.mjs <listen port> <API port>
import { createServer } from "node:http";
import { connect } from "node:net";

const [listenPort, apiPort] = process.argv.slice(2).map(Number);
const SERVICE = "kubernetes.default.svc.cluster.local:443";

const server = createServer((_req, res) => res.writeHead(405).end("CONNECT only\n"));
server.on("connect", (req, client, head) => {
  if (req.url !== SERVICE) {
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
server.listen(listenPort, "127.0.0.1", () => process.stdout.write(`service proxy on 127.0.0.1:${listenPort}\n`));
