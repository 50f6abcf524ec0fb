/**
 * What Terraform, the providers and Vault actually do with the synthesized stacks (issue 9).
 * Each test pins one fact read in the pinned sources; its name says the fact and where it is:
 * terraform-provider-vault v5.6.0 (bcb1be4), terraform-provider-kubernetes v2.38.0 (be88f44),
 * vault-plugin-auth-kubernetes v0.23.1 (the version Vault 1.21.2 pins).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { KubernetesAuthBackend, Reviewer } from "../src/constructs";
import { REQUIRED_TERRAFORM } from "../src/stacks/vault-k8s-auth-stack";
import {
  newStack,
  only,
  problemsIn as problemsInFile,
  seedCluster,
  stackFor,
  synthJson,
  TEST_CA,
  validationMessage,
  warningsOf,
} from "./helpers";

const ROOT = join(__dirname, "..");

/** The ValidationError message for a one-file config, or "" when it is accepted. */
const problemsIn = (clusters: unknown[]): string => problemsInFile(stringify({ clusters }), "vault-k8s-auth.yaml");

const explicit = { host: "https://kubernetes.example.com:6443", caCertificate: TEST_CA, kubeconfig: { context: "c" } };
const atlantisRole = {
  name: "atlantis",
  boundServiceAccountNames: ["atlantis"],
  boundServiceAccountNamespaces: ["atlantis"],
};

describe("1. client-jwt and a role audience", () => {
  test("rejects audience on a client-jwt role: the pod's own JWT is the TokenReview bearer (vault-plugin-auth-kubernetes token_review.go:69-74), which the API server refuses for an audience not its own", () => {
    const cluster = seedCluster({
      kubernetes: explicit,
      auth: { path: "k8s", reviewer: { mode: "client-jwt" } },
      policies: [],
      roles: [{ ...atlantisRole, audience: "vault" }],
    });
    const message = problemsIn([cluster]);
    expect(message).toMatch(
      /vault-k8s-auth\.yaml:\d+:\d+: clusters\[0\]\.roles\[0\]\.audience: "vault" cannot work with the client-jwt reviewer/,
    );
    expect(message).toContain('every login would get "permission denied"');
    expect(message).toContain("Drop audience, or use the long-lived-token or vault-pod reviewer");

    const backend = new KubernetesAuthBackend(newStack(), "Auth", {
      kubernetesHost: explicit.host,
      kubernetesCaCert: TEST_CA,
      reviewer: Reviewer.clientJwt(),
    });
    expect(validationMessage(() => backend.addRole("atlantis", { ...atlantisRole, audience: "vault" }))).toBe(
      `test/Auth/Roles/atlantis: audience: "vault" cannot work with the client-jwt reviewer: Vault presents the pod's own token to the TokenReview API as its credential, and the API server accepts only tokens for its own audiences (--api-audiences), so every login would get "permission denied". Drop audience, or use the long-lived-token or vault-pod reviewer; if it is the API server's own audience, list it in auth.reviewer.apiAudiences`,
    );
  });

  test("accepts audience on a client-jwt role when it is declared one of the API server's own audiences", () => {
    const audience = "https://kubernetes.default.svc.cluster.local";
    const cluster = seedCluster({
      kubernetes: explicit,
      auth: { path: "k8s", reviewer: { mode: "client-jwt", apiAudiences: [audience] } },
      policies: [],
      roles: [{ ...atlantisRole, audience }],
    });
    expect(problemsIn([cluster])).toBe("");
    expect(only(synthJson(stackFor(cluster)), "vault_kubernetes_auth_backend_role")).toMatchObject({ audience });
  });

  test("vault-login.sh names the client-jwt audience case in its permission denied hint", () => {
    const script = readFileSync(join(ROOT, "scripts/vault-login.sh"), "utf8");
    const hint = /\*"permission denied"\*\)\n\s*hint="([^"]+)"/.exec(script)?.[1] ?? "";
    expect(hint).toContain("client-jwt");
    expect(hint).toContain("audience");
  });
});

describe("2. EKS credentials outlive a saved plan", () => {
  test("the kubernetes provider runs `aws eks get-token` at every plan and apply (exec, terraform-provider-kubernetes kubernetes/provider.go:609-627), with no 15-minute aws_eks_cluster_auth token frozen into the plan (terraform-provider-kubernetes#1131)", () => {
    const json = synthJson(stackFor(seedCluster()));
    expect(json.data).not.toHaveProperty("aws_eks_cluster_auth");
    const [kubernetes] = json.provider.kubernetes;
    expect(kubernetes).not.toHaveProperty("token");
    expect(kubernetes.exec).toEqual([
      {
        api_version: "client.authentication.k8s.io/v1beta1",
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", "eks-test", "--region", "ap-northeast-1"],
      },
    ]);
  });

  test("eks.staticToken opts in to the aws_eks_cluster_auth token, with a warning that states its 15-minute limit", () => {
    const stack = stackFor(
      seedCluster({ kubernetes: { eks: { clusterName: "eks-test", region: "ap-northeast-1", staticToken: true } } }),
    );
    const [kubernetes] = synthJson(stack).provider.kubernetes;
    expect(kubernetes).not.toHaveProperty("exec");
    expect(kubernetes.token).toMatch(/^\$\{data\.aws_eks_cluster_auth\.[^.]+\.token\}$/);
    expect(warningsOf(stack)).toContainEqual(expect.stringContaining("lasts 15 minutes and is saved in the plan"));
  });

  test("the deploy guide and the Atlantis example say that the AWS CLI must be installed where Terraform runs", () => {
    for (const file of ["docs/deploy.md", "examples/atlantis/helm-values.yaml", "examples/atlantis/README.md"]) {
      expect(readFileSync(join(ROOT, file), "utf8")).toMatch(
        /AWS CLI[\s\S]{0,200}aws eks get-token|aws eks get-token[\s\S]{0,200}AWS CLI/,
      );
    }
  });
});

describe("3. the Terraform the stack needs", () => {
  test("every stack requires Terraform >= 1.11 (S3 use_lockfile is GA there: hashicorp/terraform v1.11.0 CHANGELOG.md #36338; import blocks need 1.5)", () => {
    expect(REQUIRED_TERRAFORM).toBe(">= 1.11");
    for (const cluster of [seedCluster(), seedCluster({ kubernetes: explicit, importExisting: true })]) {
      expect(synthJson(stackFor(cluster)).terraform.required_version).toBe(">= 1.11");
    }
  });

  test("the Atlantis example pins a Terraform that satisfies it, so Atlantis downloads nothing newer on its own", () => {
    const atlantis = parse(readFileSync(join(ROOT, "examples/atlantis/atlantis.yaml"), "utf8"));
    const helm = parse(readFileSync(join(ROOT, "examples/atlantis/helm-values.yaml"), "utf8"));
    const [major, minor] = String(atlantis.projects[0].terraform_version).replace(/^v/, "").split(".").map(Number);
    expect(major === 1 && minor >= 11).toBe(true);
    // Without terraform_version, Atlantis v0.47.1 resolves required_version to the newest release
    // (server/events/project_command_context_builder.go:229-240, tfclient/terraform_client.go:322).
    expect(helm.environment.ATLANTIS_DEFAULT_TF_VERSION ?? atlantis.projects[0].terraform_version).toBe(
      atlantis.projects[0].terraform_version,
    );
  });
});

describe("4. a mount path rename never revokes tokens silently", () => {
  test("sets disable_remount, so a path change is a replacement that prevent_destroy refuses, not an in-place sys/remount that revokes every token (terraform-provider-vault vault/resource_auth_backend.go:208, vault/resource_aws_secret_backend.go:193-201)", () => {
    const mount = only(synthJson(stackFor(seedCluster())), "vault_auth_backend");
    expect(mount).toMatchObject({ path: "atlantis", disable_remount: true, lifecycle: { prevent_destroy: true } });
    const unprotected = seedCluster();
    Object.assign(unprotected.auth as object, { preventDestroy: false });
    expect(only(synthJson(stackFor(unprotected)), "vault_auth_backend")).toMatchObject({ disable_remount: true });
  });
});

describe("5. disable_local_ca_jwt is sent in every mode", () => {
  test.each([
    ["long-lived-token", false, { mode: "long-lived-token" }],
    ["vault-pod", false, { mode: "vault-pod" }],
    ["client-jwt", true, { mode: "client-jwt" }],
  ] as const)(
    "%s sends disable_local_ca_jwt = %s: the attribute is Optional+Computed (terraform-provider-vault vault/resource_kubernetes_auth_backend_config.go:81-86), so leaving it out would keep an earlier true",
    (_mode, expected, reviewer) => {
      const cluster = seedCluster({ kubernetes: explicit, auth: { path: "atlantis", reviewer: { ...reviewer } } });
      const config = only(synthJson(stackFor(cluster)), "vault_kubernetes_auth_backend_config");
      expect(config.disable_local_ca_jwt).toBe(expected);
    },
  );
});

describe("6. explicit connections leave KUBE_CONFIG_PATH and in-cluster config working", () => {
  test("sets config_path only when kubeconfig.path is given: otherwise the provider reads KUBE_CONFIG_PATH (terraform-provider-kubernetes kubernetes/provider.go:97-101) or its pod's in-cluster config (docs/index.md:100-104)", () => {
    const withoutPath = synthJson(stackFor(seedCluster({ kubernetes: explicit })));
    expect(withoutPath.provider.kubernetes).toEqual([{ config_context: "c" }]);
    const withPath = synthJson(
      stackFor(seedCluster({ kubernetes: { ...explicit, kubeconfig: { path: "~/.kube/prod", context: "c" } } })),
    );
    expect(withPath.provider.kubernetes).toEqual([{ config_path: "~/.kube/prod", config_context: "c" }]);
  });

  test("inCluster leaves the kubernetes provider block empty, for Terraform running in the cluster, and refuses a kubeconfig beside it", () => {
    const { kubeconfig: _, ...vaultView } = explicit;
    const stack = stackFor(seedCluster({ kubernetes: { ...vaultView, inCluster: true } }));
    expect(synthJson(stack).provider.kubernetes).toEqual([{}]);
    expect(warningsOf(stack)).not.toContainEqual(expect.stringContaining("no kubeconfig context"));
    expect(problemsIn([seedCluster({ kubernetes: { ...explicit, inCluster: true } })])).toContain(
      "clusters[0].kubernetes.inCluster is true, so Terraform uses its pod's own ServiceAccount and reads no kubeconfig; drop kubeconfig or inCluster",
    );
  });
});

describe("7. vault-pod and the CA", () => {
  test("vault-pod keeps a CA it is given (Vault reads its pod's CA only when none is stored: vault-plugin-auth-kubernetes backend.go:362-368) and sends none when none is given", () => {
    const vaultPod = { path: "atlantis", reviewer: { mode: "vault-pod" as const } };
    const withCa = only(
      synthJson(stackFor(seedCluster({ kubernetes: explicit, auth: vaultPod }))),
      "vault_kubernetes_auth_backend_config",
    );
    expect(withCa.kubernetes_ca_cert).toBe(TEST_CA);
    const { caCertificate: _, ...withoutCa } = explicit;
    const config = only(
      synthJson(stackFor(seedCluster({ kubernetes: withoutCa, auth: vaultPod }))),
      "vault_kubernetes_auth_backend_config",
    );
    expect(config).not.toHaveProperty("kubernetes_ca_cert");
  });
});

describe("8. one owner per Vault object and per state", () => {
  const other = (overrides: object) =>
    seedCluster({
      name: "eks-prod",
      kubernetes: { eks: { clusterName: "prod", region: "eu-west-1" } },
      auth: { path: "k8s/prod" },
      ...overrides,
    });

  test("rejects two clusters that manage a policy of one name on the same Vault, naming both places: creating a policy overwrites one of that name (terraform-provider-vault vault/resource_policy.go:42-52)", () => {
    expect(problemsIn([seedCluster(), other({})])).toContain(
      "clusters[1].policies[0].name: policy \"admin\" is also managed by clusters[0] on the same Vault (VAULT_ADDR); each apply would overwrite the other's, and a destroy would delete it for both: give one of them another name, and use that name in its cluster's roles (each cluster's roles may only name policies of its own entry)",
    );
    const sameAddress = { address: "https://vault.example.com" };
    expect(problemsIn([seedCluster({ vault: sameAddress }), other({ vault: sameAddress })])).toContain(
      "on the same Vault (https://vault.example.com)",
    );
    expect(problemsIn([seedCluster(), other({ vault: { namespace: "prod" } })])).toBe("");
  });

  test("rejects two clusters whose state is one S3 bucket + key, naming both places", () => {
    const s3 = { bucket: "tf-state", region: "eu-west-1", key: "vault.tfstate" };
    const second = other({ vault: { namespace: "prod" }, state: { s3 } });
    expect(problemsIn([seedCluster({ state: { s3 } }), second])).toContain(
      'clusters[1].state.s3.key: "vault.tfstate" in bucket "tf-state" is already the state of clusters[0]; the two stacks would overwrite each other\'s state: give each cluster its own key (or leave key out: vault-k8s-auth/<name>.tfstate)',
    );
    const { key: _, ...defaultKeys } = s3;
    expect(
      problemsIn([
        seedCluster({ state: { s3: defaultKeys } }),
        other({ vault: { namespace: "prod" }, state: { s3: defaultKeys } }),
      ]),
    ).toBe("");
  });
});

describe("9. the reviewer's namespace", () => {
  test("long-lived-token creates its namespace only with createNamespace, before the ServiceAccount, and never adopts it", () => {
    expect(synthJson(stackFor(seedCluster())).resource).not.toHaveProperty("kubernetes_namespace_v1");
    const cluster = seedCluster();
    Object.assign((cluster.auth as { reviewer: object }).reviewer, { createNamespace: true });
    const json = synthJson(stackFor(cluster));
    const namespaceAddress = Object.keys(json.resource.kubernetes_namespace_v1)[0];
    expect(only(json, "kubernetes_namespace_v1")).toMatchObject({ metadata: { name: "vault" } });
    const namespaceRef = `\${kubernetes_namespace_v1.${namespaceAddress}.metadata[0].name}`;
    expect(only(json, "kubernetes_service_account_v1")).toMatchObject({ metadata: { namespace: namespaceRef } });
    expect(only(json, "kubernetes_secret_v1")).toMatchObject({ metadata: { namespace: namespaceRef } });
    Object.assign(cluster, { importExisting: true });
    expect(problemsIn([cluster])).toContain(
      'clusters[0].auth.reviewer.createNamespace is true while importExisting adopts objects in namespace "vault", which therefore exists already; set createNamespace to false',
    );
  });
});

describe("10. http Vault addresses", () => {
  test("accepts an http:// Vault address, as the Vault Helm chart serves by default (hashicorp/vault-helm v0.32.0 values.yaml:21), with a warning that tokens cross the network in clear", () => {
    const stack = stackFor(seedCluster({ vault: { address: "http://vault.vault.svc:8200" } }));
    expect(synthJson(stack).provider.vault).toEqual([{ address: "http://vault.vault.svc:8200" }]);
    expect(warningsOf(stack)).toContainEqual(expect.stringContaining("is plain http"));
    expect(warningsOf(stackFor(seedCluster({ vault: { address: "https://vault.example.com" } })))).not.toContainEqual(
      expect.stringContaining("plain http"),
    );
  });

  test("the Atlantis example reaches Vault the way the chart serves it by default: http inside the cluster", () => {
    const helm = parse(readFileSync(join(ROOT, "examples/atlantis/helm-values.yaml"), "utf8"));
    expect(helm.environment.VAULT_ADDR).toBe("http://vault.vault.svc:8200");
  });
});

describe("11. importExisting adopts only what exists", () => {
  const vaultPod = (reviewer: { mode: "vault-pod"; bindingName?: string; createBinding?: boolean }) =>
    seedCluster({ kubernetes: explicit, importExisting: true, auth: { path: "atlantis", reviewer } });
  const importedTypes = (cluster: object) =>
    ((synthJson(stackFor(cluster as never)) as { import?: { to: string }[] }).import ?? []).map(
      (block) => block.to.split(".")[0],
    );

  test("vault-pod adopts no binding nobody created: only one the config names (the chart's own is <release>-server-binding, hashicorp/vault-helm v0.32.0 templates/server-clusterrolebinding.yaml:15)", () => {
    expect(importedTypes(vaultPod({ mode: "vault-pod" }))).not.toContain("kubernetes_cluster_role_binding_v1");
    expect(importedTypes(vaultPod({ mode: "vault-pod", bindingName: "vault-server-binding" }))).toContain(
      "kubernetes_cluster_role_binding_v1",
    );
  });

  test("vault-pod with createBinding: false leaves the binding to the Helm chart", () => {
    const json = synthJson(stackFor(vaultPod({ mode: "vault-pod", createBinding: false })));
    expect(json.resource).not.toHaveProperty("kubernetes_cluster_role_binding_v1");
  });

  test("fails with a message, not an internal error, when Terraform is not on PATH for cdktf's import check (cdktf lib/terraform-resource.js:246)", () => {
    const path = process.env.PATH;
    process.env.PATH = join(ROOT, "no-such-dir");
    try {
      expect(validationMessage(() => stackFor(seedCluster({ importExisting: true })))).toBe(
        "importExisting is true, and cdktf checks import blocks by running `terraform version` while it synthesizes, " +
          "but terraform is not on PATH. Install Terraform >= 1.11 on PATH (or name it in TERRAFORM_BINARY_NAME), " +
          "or set importExisting back to false.",
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
