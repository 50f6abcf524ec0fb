import { setTimeout as sleep } from "node:timers/promises";
import { API_AUDIENCE, type ControlPlane } from "./control-plane";
import { Checks } from "./scenarios";

/**
 * What can be proven without Terraform: the control plane built from the pins serves what the
 * deploy scenarios rely on. Runs where the providers (or terraform) are missing.
 */
export async function runSmoke(
  plane: ControlPlane,
  progress: (line: string) => void,
): Promise<{ passed: number; failed: number }> {
  const checks = new Checks();
  progress("control-plane checks only (no deploy)");
  await checks.run("kube-apiserver publishes the ServiceAccount issuer the JWT method trusts", async () => {
    const discovery = (await plane.kube("/.well-known/openid-configuration")).json<{ issuer: string }>();
    return discovery.issuer === API_AUDIENCE ? undefined : `issuer ${discovery.issuer}`;
  });
  await checks.run("kube-controller-manager publishes kube-root-ca.crt", async () => {
    const status = (await plane.kube("/api/v1/namespaces/kube-system/configmaps/kube-root-ca.crt")).status;
    return status === 200 ? undefined : `status ${status}`;
  });
  await checks.run("the token controller fills a long-lived ServiceAccount token Secret", async () => {
    await plane.kube("/api/v1/namespaces/default/serviceaccounts", "POST", { metadata: { name: "smoke" } });
    await plane.kube("/api/v1/namespaces/default/secrets", "POST", {
      metadata: { name: "smoke-token", annotations: { "kubernetes.io/service-account.name": "smoke" } },
      type: "kubernetes.io/service-account-token",
    });
    for (let attempt = 0; attempt < 60; attempt += 1) {
      const secret = (await plane.kube("/api/v1/namespaces/default/secrets/smoke-token")).json<{
        data?: { token?: string };
      }>();
      if (secret.data?.token) return undefined;
      await sleep(500);
    }
    return "no token after 30 s";
  });
  for (const type of ["kubernetes", "jwt"]) {
    await checks.run(`Vault enables the ${type} auth method`, async () => {
      const enabled = await plane.vault(`/v1/sys/auth/smoke-${type}`, { body: { type } });
      return enabled.status === 204 ? undefined : `status ${enabled.status}: ${enabled.body}`;
    });
  }
  return { passed: checks.passed, failed: checks.failed };
}
