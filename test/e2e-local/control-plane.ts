import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { https } from "./http";
import { makePki } from "./pki";
import { freePort, type Supervisor, waitFor } from "./processes";
import { startServiceProxy } from "./service-proxy";

/** The API server's own audience: what a default (unprojected) ServiceAccount token carries. */
export const API_AUDIENCE = "https://kubernetes.default.svc.cluster.local";

export interface ControlPlane {
  readonly host: string;
  readonly caPem: string;
  readonly caFile: string;
  readonly adminToken: string;
  readonly kubeconfig: string;
  readonly context: string;
  readonly vaultAddr: string;
  readonly vaultCaFile: string;
  readonly vaultToken: string;
  /** The key the API server signs ServiceAccount tokens with (PEM): what the JWT method pins. */
  readonly serviceAccountPublicKey: string;
  /** Calls the Kubernetes API as the cluster admin. */
  kube(path: string, method?: string, body?: unknown): Promise<{ status: number; json: <T>() => T; body: string }>;
  /** Calls Vault's HTTP API with the root token, or with `token` when given. */
  vault(
    path: string,
    options?: { method?: string; body?: unknown; token?: string },
  ): Promise<{ status: number; json: <T>() => T; body: string }>;
}

/**
 * etcd, kube-apiserver, kube-controller-manager and an in-memory Vault server, each a loopback process on
 * a free port, with the flags hack/local-up-cluster.sh and controller-runtime's envtest use. The
 * controller manager runs only what this project relies on: the ServiceAccount and token
 * controllers (long-lived token Secrets get their token), the namespace controller and the
 * root-CA publisher (kube-root-ca.crt).
 */
export async function startControlPlane(
  bins: Record<string, string>,
  work: string,
  supervisor: Supervisor,
  log: (line: string) => void,
): Promise<ControlPlane> {
  const pkiDir = join(work, "pki");
  mkdirSync(pkiDir, { recursive: true });
  const pki = makePki(pkiDir);
  const caPem = readFileSync(pki.caCert, "utf8");

  const [etcdClient, etcdPeer, apiPort, vaultPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  log("starting etcd");
  supervisor.start("etcd", bins.etcd, [
    `--data-dir=${join(work, "etcd")}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
    "--name=e2e",
    "--unsafe-no-fsync",
    "--log-level=warn",
  ]);

  // A random static token for the admin (group system:masters), valid for this run only.
  const adminToken = randomToken();
  writeFileSync(join(work, "tokens.csv"), `${adminToken},e2e-admin,e2e-admin,"system:masters"\n`, { mode: 0o600 });
  const host = `https://127.0.0.1:${apiPort}`;
  log("starting kube-apiserver");
  supervisor.start("kube-apiserver", bins["kube-apiserver"], [
    `--etcd-servers=${etcdUrl}`,
    `--secure-port=${apiPort}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--tls-cert-file=${pki.servingCert}`,
    `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`,
    `--token-auth-file=${join(work, "tokens.csv")}`,
    `--service-account-issuer=${API_AUDIENCE}`,
    `--api-audiences=${API_AUDIENCE}`,
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    "--authorization-mode=RBAC",
    "--service-cluster-ip-range=10.0.0.0/24",
    // No kubelet and no pods here: the ServiceAccount admission plugin would wait for token
    // volumes that nothing mounts (envtest turns it off for the same reason).
    "--disable-admission-plugins=ServiceAccount",
    "--enable-priority-and-fairness=false",
    // The `kubernetes` Service's Endpoints may not point at loopback; nothing here uses them.
    "--endpoint-reconciler-type=none",
    `--cert-dir=${join(work, "apiserver-certs")}`,
  ]);

  const kube = async (path: string, method = "GET", body?: unknown) =>
    https(`${host}${path}`, { method, body, ca: caPem, headers: { Authorization: `Bearer ${adminToken}` } });
  await waitFor(
    "kube-apiserver /readyz",
    async () => (await kube("/readyz")).status === 200,
    180_000,
    () => !supervisor.exited("kube-apiserver") && !supervisor.exited("etcd"),
  );

  const kubeconfig = join(work, "kubeconfig");
  const context = "e2e";
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: context, cluster: { server: host, "certificate-authority": pki.caCert } }],
      users: [{ name: "e2e-admin", user: { token: adminToken } }],
      contexts: [{ name: context, context: { cluster: context, user: "e2e-admin" } }],
      "current-context": context,
    }),
    { mode: 0o600 },
  );

  log("starting kube-controller-manager");
  supervisor.start("kube-controller-manager", bins["kube-controller-manager"], [
    `--kubeconfig=${kubeconfig}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    "--leader-elect=false",
    "--use-service-account-credentials=false",
    // Names from cmd/kube-controller-manager/names/controller_names.go (v1.34).
    "--controllers=serviceaccount-controller,serviceaccount-token-controller,namespace-controller,root-ca-certificate-publisher-controller",
    "--secure-port=0",
  ]);
  await waitFor(
    "kube-controller-manager (ServiceAccount default in namespace default)",
    async () => (await kube("/api/v1/namespaces/default/serviceaccounts/default")).status === 200,
    120_000,
    () => !supervisor.exited("kube-controller-manager"),
  );

  log("starting Vault (in memory, TLS with the API server's serving certificate)");
  const tokenFile = join(work, "vault-root-token");
  // Vault reaches the API server at its in-cluster name, as a Vault pod would (service-proxy.ts).
  const serviceProxy = await startServiceProxy(supervisor, apiPort);
  supervisor.start(
    "vault",
    bins.vault,
    [
      `-listen=127.0.0.1:${vaultPort}`,
      `-tls-cert=${pki.servingCert}`,
      `-tls-key=${pki.servingKey}`,
      `-root-token-file=${tokenFile}`,
      "-log-level=debug",
    ],
    { ...process.env, HTTPS_PROXY: serviceProxy, https_proxy: serviceProxy, NO_PROXY: "", no_proxy: "" },
  );
  const vaultAddr = `https://127.0.0.1:${vaultPort}`;
  let vaultToken = "";
  const vault = async (path: string, options: { method?: string; body?: unknown; token?: string } = {}) =>
    https(`${vaultAddr}${path}`, {
      method: options.method,
      body: options.body,
      ca: caPem,
      headers: { "X-Vault-Token": options.token ?? vaultToken },
    });
  await waitFor(
    "Vault /v1/sys/health",
    async () => existsSync(tokenFile) && (await vault("/v1/sys/health")).status === 200,
    60_000,
    () => !supervisor.exited("vault"),
  );
  vaultToken = readFileSync(tokenFile, "utf8").trim();
  // What `vault server -dev` mounts: KV version 2 at secret/.
  const kv = await vault("/v1/sys/mounts/secret", { body: { type: "kv", options: { version: "2" } } });
  if (kv.status !== 204) throw new Error(`mounting KV v2 at secret/: ${kv.status} ${kv.body}`);

  return {
    host,
    caPem,
    caFile: pki.caCert,
    adminToken,
    kubeconfig,
    context,
    vaultAddr,
    vaultCaFile: pki.caCert,
    serviceAccountPublicKey: readFileSync(pki.serviceAccountPub, "utf8"),
    vaultToken,
    kube,
    vault,
  };
}

function randomToken(): string {
  return randomBytes(24).toString("hex");
}
