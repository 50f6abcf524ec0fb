import { Annotations, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { policyRules } from "../config/policy-rules";
import type { ClusterConfig } from "../config/schema";
import { AuthMethod, type AuthMount, ClusterConnection, JwtIssuer, Reviewer, VaultPolicy } from "../constructs";
import { Duration } from "../domain/duration";
import { shellWord } from "../domain/shell";
import { ValidationError } from "../domain/validation";
import { IMPORT_EXISTING_WARNING, plainHttpWarning } from "../domain/warnings";
import { VaultProvider } from "../providers";
import { requireTerraformForImports } from "./require-terraform";

export interface VaultK8sAuthStackProps {
  /** One validated cluster entry of the config file. */
  readonly cluster: ClusterConfig;
}

/** The Terraform versions the synthesized stacks run on. */
export const REQUIRED_TERRAFORM = ">= 1.11";

/** The token kubelet mounts by default: its audience is the API server, not Vault. */
const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";
/** Where the pod spec of docs/pods.md mounts a projected token for a role's audience. */
const PROJECTED_TOKEN = "/var/run/secrets/vault/token";

/**
 * Everything Vault's Kubernetes auth needs for one cluster: providers, the reviewer, the auth
 * mount and its config, policies and roles, and outputs that tell a workload how to log in.
 * Construct ids come from names, never list positions, so Terraform addresses survive edits.
 */
export class VaultK8sAuthStack extends TerraformStack {
  readonly authBackend: AuthMount;

  constructor(scope: Construct, id: string, props: VaultK8sAuthStackProps) {
    super(scope, id);
    const { cluster } = props;
    configureState(this, id, cluster);
    // S3-native locking (use_lockfile) is GA from Terraform 1.11 (hashicorp/terraform v1.11.0
    // CHANGELOG.md, #36338), and import blocks need 1.5. Atlantis reads required_version to pick
    // the Terraform it runs; its examples also name the version (examples/atlantis).
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM);

    if (cluster.importExisting) requireTerraformForImports();

    // The token is never set here: the provider reads VAULT_TOKEN from the deploy environment.
    new VaultProvider(this, "vault", { address: cluster.vault.address, namespace: cluster.vault.namespace });
    // Accepted because the official Vault Helm chart serves plain http unless told otherwise
    // (hashicorp/vault-helm v0.32.0 values.yaml:21, global.tlsDisable: true); never silently.
    if (cluster.vault.address?.startsWith("http://")) {
      Annotations.of(this).addWarning(plainHttpWarning(cluster.vault.address));
    }

    const policyScope = new Construct(this, "Policies");
    const policies = new Map<string, string>();
    for (const policy of cluster.policies) {
      const construct = new VaultPolicy(policyScope, policy.name, { name: policy.name, rules: policyRules(policy) });
      policies.set(policy.name, construct.policyName);
      if (cluster.importExisting) construct.adoptExisting();
    }

    const { auth } = cluster;
    this.authBackend = authMethodOf(cluster).bind(this, {
      path: auth.path,
      description: auth.description,
      preventDestroy: auth.preventDestroy,
    });

    for (const role of cluster.roles) {
      this.authBackend.addRole(role.name, {
        boundServiceAccountNames: role.boundServiceAccountNames,
        boundServiceAccountNamespaces: role.boundServiceAccountNamespaces,
        boundServiceAccountNamespaceSelector: role.boundServiceAccountNamespaceSelector,
        aliasNameSource: role.aliasNameSource,
        tokenPolicies: role.tokenPolicies.map((name) => policyReference(policies, cluster, role.name, name)),
        tokenPeriod: seconds(role.tokenPeriod),
        tokenTtl: seconds(role.tokenTtl),
        tokenMaxTtl: seconds(role.tokenMaxTtl),
        tokenExplicitMaxTtl: seconds(role.tokenExplicitMaxTtl),
        tokenNoDefaultPolicy: role.tokenNoDefaultPolicy,
        tokenBoundCidrs: role.tokenBoundCidrs,
        tokenType: role.tokenType,
        audience: role.audience,
      });
    }

    if (cluster.importExisting) {
      this.authBackend.adoptExisting();
      Annotations.of(this).addWarning(IMPORT_EXISTING_WARNING);
    }

    const loginPath = this.authBackend.loginPath;
    new TerraformOutput(this, "mount_path", {
      value: auth.path,
      description: `Vault path of the ${auth.method === "jwt" ? "JWT" : "Kubernetes"} auth mount`,
    });
    new TerraformOutput(this, "login_path", {
      value: loginPath,
      description: "Where a pod posts its ServiceAccount JWT",
    });
    new TerraformOutput(this, "role_names", {
      value: cluster.roles.map((role) => role.name),
      description: "Vault roles a pod can log in as on this mount",
    });
    new TerraformOutput(this, "login_commands", {
      description: "Per role: the command a pod runs to get a Vault token (needs VAULT_ADDR)",
      value: Object.fromEntries(
        cluster.roles.map((role) => [
          role.name,
          loginCommand(
            loginPath,
            role.name,
            role.audience ? PROJECTED_TOKEN : SERVICE_ACCOUNT_TOKEN,
            cluster.vault.namespace,
          ),
        ]),
      ),
    });
  }
}

/**
 * A role's policy as its token_policies hold it: a policy of the entry by reference (so Terraform
 * writes the policy before the role), an external one or Vault's default by name. The config
 * checks refuse any other name at its line; a ClusterConfig built in code meets the same refusal here.
 */
function policyReference(managed: Map<string, string>, cluster: ClusterConfig, role: string, name: string): string {
  const reference = managed.get(name);
  if (reference !== undefined) return reference;
  if (name === "default" || cluster.externalPolicies?.includes(name)) return name;
  throw new ValidationError(
    `cluster ${cluster.name}, role ${role}: tokenPolicies names ${JSON.stringify(name)}, which is neither one of the cluster's policies nor in its externalPolicies; add it to one of the two, or drop it from the role`,
  );
}

function configureState(stack: TerraformStack, id: string, cluster: ClusterConfig): void {
  const s3 = cluster.state?.s3;
  if (s3) {
    const backend = new S3Backend(stack, {
      bucket: s3.bucket,
      key: s3.key ?? `vault-k8s-auth/${id}.tfstate`,
      region: s3.region,
      encrypt: true,
    });
    // S3-native locking (Terraform >= 1.10) postdates cdktf 0.21's typed backend config.
    backend.addOverride("use_lockfile", true);
  } else {
    // Relative to cdktf.out/stacks/<id>, where Terraform runs: the project root. cdktf's default
    // is an absolute path (different on every machine), and anything inside cdktf.out is
    // deleted by the next synth.
    new LocalBackend(stack, { path: `../../../terraform.${id}.tfstate` });
  }
}

/** The cluster's auth method: the config's words turned into the constructs' factories. */
function authMethodOf(cluster: ClusterConfig): AuthMethod {
  const { auth, kubernetes } = cluster;
  const { eks } = kubernetes;
  if (auth.method === "jwt") {
    // The schema's checks guarantee an issuer whenever eks is absent.
    const issuer = auth.jwt?.issuer as string;
    const publicKeys = auth.jwt?.publicKeys;
    return AuthMethod.jwt({
      issuer: eks
        ? JwtIssuer.eks({ clusterName: eks.clusterName, region: eks.region })
        : publicKeys
          ? JwtIssuer.publicKeys({ issuer, publicKeys })
          : // The cluster's CA: an issuer that is the API server itself serves a certificate it signed.
            JwtIssuer.discovery({ issuer, caCertificate: kubernetes.caCertificate }),
    });
  }
  const { host, caCertificate, kubeconfig, inCluster } = kubernetes;
  const connection = eks
    ? ClusterConnection.eks({ clusterName: eks.clusterName, region: eks.region, staticToken: eks.staticToken })
    : ClusterConnection.explicit({
        // The schema's checks guarantee a host whenever eks is absent.
        host: host as string,
        caCertificate,
        kubeconfigPath: kubeconfig?.path,
        kubeconfigContext: kubeconfig?.context,
        inCluster,
      });
  return AuthMethod.kubernetes({
    connection,
    reviewer: reviewerOf(auth.reviewer),
    disableIssValidation: auth.disableIssValidation,
  });
}

function reviewerOf(reviewer: ClusterConfig["auth"]["reviewer"]): Reviewer {
  switch (reviewer.mode) {
    case "long-lived-token":
      return Reviewer.longLivedToken(reviewer);
    case "vault-pod":
      return Reviewer.vaultPod(reviewer);
    case "client-jwt":
      return Reviewer.clientJwt({ apiAudiences: reviewer.apiAudiences });
  }
}

function seconds(value: number | undefined): Duration | undefined {
  return value === undefined ? undefined : Duration.seconds(value);
}

/**
 * The JWT goes through stdin (printf is a shell builtin), so it never shows in `ps`. Every value
 * from the config is one shell word, so none can end the command early; the login path stays in
 * the double quotes with $VAULT_ADDR, as mount paths hold none of the characters special there.
 */
function loginCommand(loginPath: string, role: string, tokenFile: string, namespace?: string): string {
  const header = namespace ? `--header ${shellWord(`X-Vault-Namespace: ${namespace}`)} ` : "";
  return (
    `printf '{"role": "%s", "jwt": "%s"}' ${shellWord(role)} "$(cat ${shellWord(tokenFile)})" | ` +
    `curl --silent --fail-with-body --request POST ${header}--data @- "$VAULT_ADDR/v1/${loginPath}"`
  );
}
