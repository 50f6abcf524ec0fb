import type { ConfigInput } from "../src/config/schema";

/**
 * A synthetic but realistic config for the benchmark: `clusters` clusters (alternately EKS and
 * explicit host + CA, cycling through the three reviewer modes), each with `policies` policies
 * and `roles` roles; every role references up to three of its cluster's policies.
 */
export function generateConfig(clusters: number, roles: number, policies: number): ConfigInput {
  return { clusters: Array.from({ length: clusters }, (_, index) => cluster(index, roles, policies)) };
}

const ENVIRONMENTS = ["prod", "staging", "dev", "qa", "sandbox"];
const REGIONS = ["ap-northeast-1", "us-east-1", "eu-west-1", "eu-central-1", "us-west-2"];
const SERVICES = ["payments", "checkout", "catalog", "search", "billing", "orders", "inventory", "shipping"];
const WORKLOADS = ["atlantis", "api", "worker", "cron", "migrator", "ingest", "exporter", "frontend", "backup"];
const REVIEWERS = ["long-lived-token", "vault-pod", "client-jwt"] as const;

/** A self-signed test CA certificate (its private key was never kept); any valid PEM will do. */
const TEST_CA = `-----BEGIN CERTIFICATE-----
MIIBmTCCAT+gAwIBAgIUSU9IYoK19gDKWtQgOdlQBELLlWcwCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWdmF1bHQtazhzLWF1dGgtdGVzdC1jYTAgFw0yNjExMjgyMDAx
MzBaGA8yMTI2MTEwNDIwMDEzMFowITEfMB0GA1UEAwwWdmF1bHQtazhzLWF1dGgt
dGVzdC1jYTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABI/q9WKxcExARxxFw6cH
Vz5OsSqzp4BBty6DP3JLxqKd+PzhyLlGsq1QHECDwFJDsPpwD7DyMq7EsZFrEhxl
mhOjUzBRMB0GA1UdDgQWBBTkm4dTViqJMWw7Wy9liWQw5ATNejAfBgNVHSMEGDAW
gBTkm4dTViqJMWw7Wy9liWQw5ATNejAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49
BAMCA0gAMEUCIHE4t7yywzz8qZpkadsawd/n0Rn+kYBl0QLkACYDbVR+AiEAnKwV
nAMyLQW9TbYYH7wbOCj4SkhwLMNVidQEtuRwW7w=
-----END CERTIFICATE-----
`;

/** The index-th word of a list, numbered once the list wraps, so names stay unique. */
function nth(words: string[], index: number): string {
  const round = Math.floor(index / words.length);
  return round === 0 ? words[index] : `${words[index % words.length]}-${round + 1}`;
}

function cluster(index: number, roleCount: number, policyCount: number): ConfigInput["clusters"][number] {
  const name = `${nth(ENVIRONMENTS, index)}-k8s`;
  const region = REGIONS[index % REGIONS.length];
  const kubernetes =
    index % 2 === 0
      ? { eks: { clusterName: name, region } }
      : {
          host: `https://${name}.k8s.example.internal:6443`,
          caCertificate: TEST_CA,
          kubeconfig: { path: "~/.kube/config", context: name },
        };
  const mode = REVIEWERS[index % REVIEWERS.length];
  const policyNames = Array.from({ length: policyCount }, (_, p) => `${nth(SERVICES, p)}-read`);
  return {
    name,
    kubernetes,
    // A Vault namespace per cluster: one Vault may not hold two clusters' policies of one name.
    vault: { address: "https://vault.example.com:8200", namespace: name },
    auth: { path: `k8s/${name}`, reviewer: mode === "client-jwt" ? { mode } : { mode, namespace: "vault" } },
    policies: policyNames.map((policyName, p) => ({
      name: policyName,
      rules: [
        { kvRead: { mount: "secret", path: `${name}/${nth(SERVICES, p)}` } },
        { list: `secret/metadata/${name}/${nth(SERVICES, p)}` },
        { path: `database/creds/${nth(SERVICES, p)}-ro`, capabilities: ["read" as const] },
      ],
    })),
    roles: Array.from({ length: roleCount }, (_, r) => {
      const workload = nth(WORKLOADS, r);
      const namespace = SERVICES[r % SERVICES.length];
      return {
        name: `${namespace}-${workload}`,
        boundServiceAccountNames: [workload],
        boundServiceAccountNamespaces: [namespace],
        tokenPolicies: Array.from({ length: Math.min(3, policyCount) }, (_, k) => policyNames[(r + k) % policyCount]),
        ...(r % 2 === 0 ? { tokenPeriod: "30m" } : { tokenTtl: "15m", tokenMaxTtl: "1h" }),
        // client-jwt mounts refuse an audience (the pod's token is the TokenReview credential).
        ...(r % 3 === 0 && mode !== "client-jwt" ? { audience: "vault" } : {}),
      };
    }),
  };
}
