import { Testing } from "cdktf";
import { DEFAULT_CONFIG } from "../src/config/defaults";
import { parseConfig } from "../src/config/load";
import { awsClasses, KubernetesAuthBackendRole } from "../src/providers";
import { VaultK8sAuthStack } from "../src/stacks/vault-k8s-auth-stack";
import { addresses, only, seedCluster, stackFor, synthJson, TEST_CA, warningsOf } from "./helpers";

function defaultStack(): VaultK8sAuthStack {
  const cluster = parseConfig(DEFAULT_CONFIG, "built-in default").clusters[0];
  return new VaultK8sAuthStack(Testing.app(), cluster.name, { cluster });
}

describe("the default stack (the seed, fixed)", () => {
  test("matches the reviewed snapshot", () => {
    expect(Testing.synth(defaultStack())).toMatchSnapshot();
  });

  test("holds every resource of the seed, and no default_secret_name lookups", () => {
    expect(addresses(synthJson(defaultStack())).map((address) => address.replace(/\.[^.]+$/, ""))).toEqual([
      "data.aws_eks_cluster",
      "data.vault_policy_document",
      "kubernetes_cluster_role_binding_v1",
      "kubernetes_secret_v1",
      "kubernetes_service_account_v1",
      "vault_auth_backend",
      "vault_kubernetes_auth_backend_config",
      "vault_kubernetes_auth_backend_role",
      "vault_policy",
    ]);
  });

  test("creates the reviewer token Secret next to its ServiceAccount, in namespace vault", () => {
    const json = synthJson(defaultStack());
    expect(only(json, "kubernetes_service_account_v1")).toMatchObject({
      metadata: { name: "vault-reviewer", namespace: "vault" },
    });
    expect(only(json, "kubernetes_secret_v1")).toMatchObject({ metadata: { namespace: "vault" } });
    expect(only(json, "kubernetes_cluster_role_binding_v1")).toMatchObject({
      metadata: { name: "vault-auth-role-token-review-binding" },
    });
  });

  test("takes Vault's host and CA from the EKS cluster and configures every provider", () => {
    const stack = defaultStack();
    const synthesized = Testing.synth(stack);
    const { DataAwsEksCluster, DataAwsEksClusterAuth } = awsClasses();
    expect(synthesized).toHaveDataSourceWithProperties(DataAwsEksCluster, { name: "eks-test" });
    expect(synthesized).not.toHaveDataSource(DataAwsEksClusterAuth);
    const json = synthJson(stack);
    const eks = Object.keys(json.data?.aws_eks_cluster ?? {})[0];
    const ca = `\${base64decode(data.aws_eks_cluster.${eks}.certificate_authority[0].data)}`;
    expect(only(json, "vault_kubernetes_auth_backend_config")).toMatchObject({
      kubernetes_host: `\${data.aws_eks_cluster.${eks}.endpoint}`,
      kubernetes_ca_cert: ca,
      disable_iss_validation: true,
    });
    expect(json.provider.aws).toEqual([{ region: "ap-northeast-1" }]);
    expect(json.provider.kubernetes).toEqual([
      {
        host: `\${data.aws_eks_cluster.${eks}.endpoint}`,
        cluster_ca_certificate: ca,
        exec: [
          {
            api_version: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", "eks-test", "--region", "ap-northeast-1"],
          },
        ],
      },
    ]);
    expect(json.provider.vault).toEqual([{}]);
  });

  test("binds role atlantis to ServiceAccount atlantis/atlantis with policy admin and period 1800 s", () => {
    expect(Testing.synth(defaultStack())).toHaveResourceWithProperties(KubernetesAuthBackendRole, {
      role_name: "atlantis",
      bound_service_account_names: ["atlantis"],
      bound_service_account_namespaces: ["atlantis"],
      token_policies: [expect.stringMatching(/^\$\{vault_policy\.[^.]+\.name\}$/)],
      token_period: 1800,
    });
  });

  test("warns about the admin policy and the missing audience", () => {
    const warnings = warningsOf(defaultStack());
    expect(warnings).toHaveLength(2);
    expect(warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining("policy admin grants sudo"),
        expect.stringContaining("role atlantis: no audience"),
      ]),
    );
  });

  test("outputs the mount, the login path, the role names and login commands, but no secret", () => {
    const { output } = synthJson(defaultStack());
    expect(output.mount_path.value).toBe("atlantis");
    expect(output.login_path.value).toBe("auth/atlantis/login");
    expect(output.role_names.value).toEqual(["atlantis"]);
    const command = (output.login_commands.value as Record<string, string>).atlantis;
    expect(command).toContain('"$VAULT_ADDR/v1/auth/atlantis/login"');
    expect(command).toContain("$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)");
    expect(JSON.stringify(output)).not.toMatch(/token_reviewer_jwt|kubernetes_secret_v1|aws_eks_cluster_auth/);
  });

  test("keeps local state at a relative path outside cdktf.out", () => {
    expect(synthJson(defaultStack()).terraform.backend).toEqual({
      local: { path: "../../../terraform.eks-test.tfstate" },
    });
  });
});

describe("VaultK8sAuthStack options", () => {
  test("connects to any cluster with an explicit host, CA and kubeconfig, without the aws provider", () => {
    const json = synthJson(
      stackFor(
        seedCluster({
          kubernetes: {
            host: "https://kubernetes.default.svc",
            caCertificate: TEST_CA,
            kubeconfig: { context: "kind-dev" },
          },
        }),
      ),
    );
    expect(json.provider).not.toHaveProperty("aws");
    expect(json.data ?? {}).not.toHaveProperty("aws_eks_cluster");
    expect(json.provider.kubernetes).toEqual([{ config_context: "kind-dev" }]);
    const noContext = seedCluster({ kubernetes: { host: "https://k.example.com", caCertificate: TEST_CA } });
    expect(warningsOf(stackFor(noContext))).toContainEqual(expect.stringContaining("no kubeconfig context is set"));
    expect(only(json, "vault_kubernetes_auth_backend_config")).toMatchObject({
      kubernetes_host: "https://kubernetes.default.svc",
      kubernetes_ca_cert: TEST_CA,
    });
  });

  test("sets Vault's address and Enterprise namespace when given, never a token", () => {
    const json = synthJson(
      stackFor(seedCluster({ vault: { address: "https://vault.example.com", namespace: "ops" } })),
    );
    expect(json.provider.vault).toEqual([{ address: "https://vault.example.com", namespace: "ops" }]);
    expect((json.output.login_commands.value as Record<string, string>).atlantis).toContain(
      `--header 'X-Vault-Namespace: ops' --data @- "$VAULT_ADDR/v1/auth/atlantis/login"`,
    );
  });

  test("stores state in S3 with encryption and S3-native locking when asked", () => {
    const json = synthJson(stackFor(seedCluster({ state: { s3: { bucket: "tf-state", region: "eu-west-1" } } })));
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: "tf-state",
        key: "vault-k8s-auth/eks-test.tfstate",
        region: "eu-west-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  test("points the login command of a role with an audience at the projected token", () => {
    const cluster = seedCluster();
    cluster.roles = [{ ...cluster.roles[0], audience: "vault" }];
    const { output } = synthJson(stackFor(cluster));
    expect((output.login_commands.value as Record<string, string>).atlantis).toContain(
      "$(cat /var/run/secrets/vault/token)",
    );
  });

  test("expands policy rule helpers and presets from the config", () => {
    const stack = stackFor(
      seedCluster({
        policies: [
          {
            name: "tf",
            preset: "terraform-vault-provider",
            rules: [{ kvRead: { mount: "secret", path: "atlantis/*" } }, { deny: "secret/data/atlantis/root" }],
          },
        ],
        roles: [
          {
            name: "atlantis",
            boundServiceAccountNames: ["atlantis"],
            boundServiceAccountNamespaces: ["atlantis"],
            tokenPolicies: ["tf"],
            audience: "vault",
          },
        ],
      }),
    );
    const document = Object.values(synthJson(stack).data?.vault_policy_document ?? {})[0];
    expect(document.rule).toEqual([
      { path: "auth/token/create", capabilities: ["update"], description: "the vault provider's child token" },
      { path: "secret/data/atlantis/*", capabilities: ["read"] },
      { path: "secret/metadata/atlantis/*", capabilities: ["read", "list"] },
      { path: "secret/data/atlantis/root", capabilities: ["deny"] },
    ]);
    expect(warningsOf(stack)).toEqual([]);
  });
});
