/**
 * The JWT method with discovery against a cluster whose issuer is its own API server (issue 19),
 * as on kubeadm, kind or k3s: iss is https://kubernetes.default.svc.cluster.local, served with a
 * certificate of the cluster's CA. Vault reaches that name through service-proxy.ts, as a Vault
 * pod reaches its cluster's API server.
 *
 * What docs/jwt-method.md says, proven: Vault fetches the discovery document anonymously, so
 * the API server refuses it until system:service-account-issuer-discovery is bound to
 * system:unauthenticated; it trusts only its system store unless oidc_discovery_ca_pem is set,
 * which the stack writes from kubernetes.caCertificate; then the stack deploys, a pod logs in
 * by discovery (no pinned keys), and its token carries the ServiceAccount metadata the
 * Kubernetes method gives (claim_mappings).
 */
import { API_AUDIENCE } from "./control-plane";
import { type Checks, cdktf, podLogin, type ScenarioContext, writeConfig } from "./scenarios";

const PROBE = "dd-probe";
const MOUNT = "atlantis-jwt-discovery";
const BINDING = "vault-k8s-auth-e2e-issuer-discovery";

export async function jwtDiscovery(ctx: ScenarioContext, checks: Checks, vaultAudienceToken: string): Promise<void> {
  const { plane } = ctx;
  const probeConfig = (ca: boolean) =>
    plane.vault(`/v1/auth/${PROBE}/config`, {
      body: {
        bound_issuer: API_AUDIENCE,
        oidc_discovery_url: API_AUDIENCE,
        ...(ca ? { oidc_discovery_ca_pem: plane.caPem } : {}),
      },
    });
  const enabled = await plane.vault(`/v1/sys/auth/${PROBE}`, { body: { type: "jwt" } });
  if (enabled.status !== 204) throw new Error(`enabling ${PROBE}: ${enabled.status} ${enabled.body}`);

  await checks.run(
    "jwt discovery: Vault cannot read the API server's discovery document anonymously until system:unauthenticated may",
    async () => {
      const refused = await probeConfig(true);
      return refused.status === 400 && refused.body.includes("error checking oidc discovery URL")
        ? undefined
        : `Vault configured discovery without the binding: ${refused.status} ${refused.body}`;
    },
  );
  // docs/jwt-method.md: `kubectl create clusterrolebinding ... --clusterrole=system:service-account-issuer-discovery --group=system:unauthenticated`
  const binding = await plane.kube("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "POST", {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: BINDING },
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "system:service-account-issuer-discovery",
    },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:unauthenticated" }],
  });
  if (![201, 409].includes(binding.status)) throw new Error(`ClusterRoleBinding: ${binding.status} ${binding.body}`);

  await checks.run(
    "jwt discovery: with the binding, Vault still refuses the issuer without oidc_discovery_ca_pem (the cluster's CA is not in its system store)",
    async () => {
      // The authorizer's cache takes the binding within a second or two; wait until the CA is all that is missing.
      for (let attempt = 0; attempt < 20; attempt += 1) {
        if ((await probeConfig(true)).status === 204) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const withCa = await probeConfig(true);
      if (withCa.status !== 204) return `with the CA and the binding: ${withCa.status} ${withCa.body}`;
      const withoutCa = await probeConfig(false);
      return withoutCa.status === 400 && withoutCa.body.includes("error checking oidc discovery URL")
        ? undefined
        : `Vault configured discovery without the CA: ${withoutCa.status} ${withoutCa.body}`;
    },
  );
  await plane.vault(`/v1/sys/auth/${PROBE}`, { method: "DELETE" });

  const file = writeConfig(ctx, "jwt-discovery.json", {
    clusters: [
      {
        name: "jwt-discovery",
        kubernetes: { caCertificate: plane.caPem },
        vault: { address: plane.vaultAddr },
        auth: { method: "jwt", path: MOUNT, jwt: { issuer: API_AUDIENCE } },
        policies: [{ name: "jwt-discovery-read", rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] }],
        roles: [
          {
            name: "atlantis",
            boundServiceAccountNames: ["atlantis"],
            boundServiceAccountNamespaces: ["atlantis"],
            tokenPolicies: ["jwt-discovery-read"],
            audience: "vault",
          },
        ],
      },
    ],
  });
  const deployed = await checks.run(
    "jwt discovery: cdktf deploy configures the mount by discovery of the API server's issuer, trusting kubernetes.caCertificate",
    async () => {
      const failed = await cdktf(ctx, "deploy", file, "jwt-discovery");
      if (failed) return failed;
      const config = (await plane.vault(`/v1/auth/${MOUNT}/config`)).json<{
        data: { oidc_discovery_url: string; oidc_discovery_ca_pem: string; jwt_validation_pubkeys: string[] };
      }>().data;
      if (config.oidc_discovery_url !== API_AUDIENCE) return `oidc_discovery_url ${config.oidc_discovery_url}`;
      if (config.oidc_discovery_ca_pem.trim() !== plane.caPem.trim())
        return "oidc_discovery_ca_pem is not the cluster CA";
      return config.jwt_validation_pubkeys.length === 0 ? undefined : "keys are pinned";
    },
  );
  if (!deployed) return;
  let jwtMeta: Record<string, string> = {};
  await checks.run(
    "jwt discovery: a projected token with audience vault logs in, its keys found by discovery",
    async () => {
      const login = podLogin(ctx, vaultAudienceToken, MOUNT);
      if (login.status !== 0) return `exit ${login.status}: ${login.stderr}`;
      const self = (await plane.vault("/v1/auth/token/lookup-self", { token: login.stdout.trim() })).json<{
        data: { policies: string[]; meta: Record<string, string> };
      }>();
      jwtMeta = self.data.meta ?? {};
      const policies = [...self.data.policies].sort().join(",");
      return policies === "default,jwt-discovery-read" ? undefined : `policies ${policies}`;
    },
  );
  await checks.run(
    "jwt method: the token's metadata after a real login carries service_account_name, _namespace and _uid as the Kubernetes method's does",
    async () => {
      const uid = (await plane.kube("/api/v1/namespaces/atlantis/serviceaccounts/atlantis")).json<{
        metadata: { uid: string };
      }>().metadata.uid;
      const expected = {
        role: "atlantis",
        service_account_name: "atlantis",
        service_account_namespace: "atlantis",
        service_account_uid: uid,
      };
      if (JSON.stringify(sorted(jwtMeta)) !== JSON.stringify(sorted(expected))) {
        return `jwt-method metadata ${JSON.stringify(jwtMeta)}, expected ${JSON.stringify(expected)}`;
      }
      // The Kubernetes mount the earlier scenarios left deployed, for the same token: the same keys,
      // plus service_account_secret_name (empty for a projected token), which the JWT method leaves out.
      const login = podLogin(ctx, vaultAudienceToken);
      if (login.status !== 0) return `Kubernetes-method login: exit ${login.status}: ${login.stderr}`;
      const kube = (await plane.vault("/v1/auth/token/lookup-self", { token: login.stdout.trim() })).json<{
        data: { meta: Record<string, string> };
      }>().data.meta;
      const { service_account_secret_name: secretName, ...rest } = kube;
      return JSON.stringify(sorted(rest)) === JSON.stringify(sorted(expected)) && secretName === ""
        ? undefined
        : `Kubernetes-method metadata ${JSON.stringify(kube)} differs from ${JSON.stringify(expected)} + an empty service_account_secret_name`;
    },
  );
}

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
