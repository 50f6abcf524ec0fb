import { Annotations, LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { policyNameProblems } from "../checks/policy";
import { policyRules } from "../config/policy-rules";
import type { ClusterConfig } from "../config/schema";
import { AuthMethod, type AuthMount, ClusterConnection, JwtIssuer, Reviewer, VaultPolicy } from "../constructs";
import { throwProblems } from "../constructs/check";
import { shellWord } from "../domain/shell";
import { defaultStateKey } from "../domain/state-key";
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

    // The config file refuses these at their lines; a ClusterConfig built in code meets them here.
    throwProblems(
      this,
      policyNameProblems({
        policies: cluster.policies.map((policy) => policy.name),
        externalPolicies: cluster.externalPolicies,
        roles: cluster.roles,
      }),
    );
    const policyScope = new Construct(this, "Policies");
    const policies = new Map<string, VaultPolicy>();
    for (const policy of cluster.policies) {
      const construct = new VaultPolicy(policyScope, policy.name, { name: policy.name, rules: policyRules(policy) });
      policies.set(policy.name, construct);
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
        // A policy of the entry as the object (so Terraform writes it first), an external one or Vault's default by name.
        tokenPolicies: role.tokenPolicies.map((name) => policies.get(name) ?? name),
        tokenPeriod: role.tokenPeriod,
        tokenTtl: role.tokenTtl,
        tokenMaxTtl: role.tokenMaxTtl,
        tokenExplicitMaxTtl: role.tokenExplicitMaxTtl,
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

function configureState(stack: TerraformStack, id: string, cluster: ClusterConfig): void {
  const s3 = cluster.state?.s3;
  if (s3) {
    const backend = new S3Backend(stack, {
      bucket: s3.bucket,
      key: s3.key ?? defaultStateKey(id),
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
