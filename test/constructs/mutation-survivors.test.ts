import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuthDelegatorBinding,
  AuthMethod,
  ClusterConnection,
  JwtAuthBackend,
  JwtIssuer,
  KubernetesAuthBackend,
  NamespaceReader,
  policyWarnings,
  Reviewer,
  ReviewerServiceAccount,
  VaultPolicy,
} from "../../src/constructs";
import { tokenFields } from "../../src/constructs/auth-role-options";
import { awsClasses } from "../../src/providers";
import { requireTerraformForImports } from "../../src/stacks/require-terraform";
import { ValidationError } from "../../src/validation";
import { newStack, only, synthJson, TEST_CA, validationMessage, warningsOf } from "../helpers";

// Behaviour of the constructs' own defaults and checks that a library user meets directly (the
// config file always passes an explicit value, so the stack tests never reach these).

const PUBLIC_KEY = readFileSync(join(__dirname, "..", "fixtures", "sa-signing-key.pub.pem"), "utf8");
const ISSUER = "https://kubernetes.default.svc.cluster.local";
const jwtRole = { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"], audience: "vault" };

function jwtMount(props: { path?: string; preventDestroy?: boolean } = {}) {
  const stack = newStack();
  const auth = new JwtAuthBackend(stack, "Auth", {
    ...props,
    issuer: JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [PUBLIC_KEY] }),
  });
  return { stack, auth };
}

function kubernetesMount(reviewer = Reviewer.longLivedToken()) {
  const stack = newStack();
  const auth = new KubernetesAuthBackend(stack, "Auth", {
    kubernetesHost: "https://kubernetes.example.com",
    kubernetesCaCert: TEST_CA,
    reviewer,
  });
  return { stack, auth };
}

describe("AuthMethod", () => {
  test("names its method: kubernetes or jwt", () => {
    const connection = ClusterConnection.explicit({ host: "https://kubernetes.example.com", caCertificate: TEST_CA });
    expect(AuthMethod.kubernetes({ connection }).name).toBe("kubernetes");
    expect(AuthMethod.jwt({ issuer: JwtIssuer.discovery({ issuer: ISSUER }) }).name).toBe("jwt");
  });
});

describe("ClusterConnection.explicit", () => {
  const HOST = "https://kubernetes.example.com";
  const warningsBinding = (props: Omit<Parameters<typeof ClusterConnection.explicit>[0], "host">) => {
    const stack = newStack();
    ClusterConnection.explicit({ host: HOST, caCertificate: TEST_CA, ...props }).bind(stack);
    return warningsOf(stack);
  };

  test("warns, naming the host Vault is configured for, when Terraform's kubeconfig context is left to chance", () => {
    expect(warningsBinding({ kubeconfigPath: "/home/atlantis/.kube/config" })).toEqual([
      "kubernetes: no kubeconfig context is set, so Terraform creates the reviewer objects in whatever cluster " +
        `the current context points at, while Vault is configured for ${HOST}. Set kubeconfig.context.`,
    ]);
  });

  test("does not warn with a kubeconfig context set, or in the cluster itself", () => {
    expect(warningsBinding({ kubeconfigContext: "prod" })).toEqual([]);
    expect(warningsBinding({ inCluster: true })).toEqual([]);
  });

  test("rejects a CA that is not PEM, naming the field", () => {
    expect(
      validationMessage(() => ClusterConnection.explicit({ host: HOST, caCertificate: "not a certificate" })),
    ).toBe(
      'kubernetes caCertificate: "not a certificate" is not valid; paste the cluster CA as PEM text, from -----BEGIN CERTIFICATE----- ' +
        "to -----END CERTIFICATE----- (e.g. kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)",
    );
  });
});

describe("JwtAuthBackend without optional props", () => {
  test("mounts at jwt, so pods log in at auth/jwt/login", () => {
    const { stack, auth } = jwtMount();
    expect(auth.path).toBe("jwt");
    expect(auth.loginPath).toBe("auth/jwt/login");
    expect(only(synthJson(stack), "vault_jwt_auth_backend").path).toBe("jwt");
  });

  test("refuses to be destroyed, as destroying the mount revokes every token it issued", () => {
    const { stack } = jwtMount();
    expect(only(synthJson(stack), "vault_jwt_auth_backend").lifecycle).toMatchObject({ prevent_destroy: true });
  });

  test("can be destroyed when preventDestroy is false", () => {
    const { stack } = jwtMount({ preventDestroy: false });
    expect(only(synthJson(stack), "vault_jwt_auth_backend").lifecycle).toMatchObject({ prevent_destroy: false });
  });
});

describe("JwtAuthBackend path", () => {
  test("rejects a mount path Vault refuses, naming the field", () => {
    expect(validationMessage(() => jwtMount({ path: "jwt/" }))).toBe(
      "auth mount path: \"jwt/\" is not valid; use letters, digits, '_', '-', '.' and '/' between segments, " +
        "with no leading or trailing '/' (e.g. atlantis or k8s/prod)",
    );
  });
});

describe("JwtAuthBackend over a Kubernetes mount", () => {
  test("makes the plan fail, before anything is destroyed, where Vault has a Kubernetes mount at its path, saying how to move", () => {
    const { stack } = jwtMount();
    const json = synthJson(stack);
    const [lookup] = Object.keys(json.data?.vault_auth_backends ?? {});
    expect(json.data?.vault_auth_backends[lookup]).toEqual({ type: "kubernetes" });
    expect(only(json, "vault_jwt_auth_backend").lifecycle).toEqual({
      prevent_destroy: true,
      precondition: [
        {
          condition: `\${!contains(data.vault_auth_backends.${lookup}.paths, "jwt")}`,
          error_message:
            "Vault has a Kubernetes auth mount at auth/jwt: replacing it with a JWT mount would destroy it and revoke every token it issued. " +
            'Give the JWT mount its own auth.path and move the pods over (docs/configure.md: "Switching the auth method without downtime").',
        },
      ],
    });
  });
});

describe("JwtAuthBackend roles", () => {
  test("takes roles with different names, and lists them in the order they were added", () => {
    const { stack, auth } = jwtMount();
    auth.addRole("app", jwtRole);
    auth.addRole("app-2", jwtRole);
    expect(auth.roles.map((role) => role.roleName)).toEqual(["app", "app-2"]);
    const roles = Object.values(synthJson(stack).resource.vault_jwt_auth_backend_role);
    expect(roles.map((role) => role.role_name).sort()).toEqual(["app", "app-2"]);
  });

  test.each([
    [
      "a ServiceAccount name that is not a DNS subdomain",
      { boundServiceAccountNames: ["App"] },
      'role app: boundServiceAccountNames: "App" is not valid; ' +
        "use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit",
    ],
    [
      "a namespace that is not a DNS label",
      { boundServiceAccountNamespaces: ["a.b"] },
      "role app: boundServiceAccountNamespaces: \"a.b\" has a '.', which a DNS-1123 label (a namespace, a cluster name) cannot have; use '-' instead",
    ],
    [
      "a role without namespaces",
      { boundServiceAccountNamespaces: undefined },
      'role app: boundServiceAccountNamespaces is required; list namespaces, or ["*"] for any',
    ],
  ])("rejects %s, naming the role's field", (_case, change, message) => {
    const { auth } = jwtMount();
    expect(validationMessage(() => auth.addRole("app", { ...jwtRole, ...change }))).toBe(message);
  });

  test("rejects a role name Vault refuses, naming the field", () => {
    const { auth } = jwtMount();
    expect(validationMessage(() => auth.addRole("app/ci", jwtRole))).toBe(
      "role name: \"app/ci\" is not valid; use letters, digits and '_', with '-' and '.' only between them (Vault's role name pattern, GenericNameRegex)",
    );
  });

  test("hands out a copy of its role list, which a caller cannot change", () => {
    const { auth } = jwtMount();
    const first = auth.addRole("app", jwtRole);
    auth.roles.pop();
    expect(auth.roles).toEqual([first]);
  });
});

describe("KubernetesAuthBackend roles", () => {
  test("lists the roles added, in order, as a copy a caller cannot change", () => {
    const { auth } = kubernetesMount();
    const first = auth.addRole("app", jwtRole);
    const second = auth.addRole("app-2", jwtRole);
    auth.roles.pop();
    expect(auth.roles).toEqual([first, second]);
  });

  test.each([
    [
      ["a.b"],
      "role app: boundServiceAccountNamespaces: \"a.b\" has a '.', which a DNS-1123 label (a namespace, a cluster name) cannot have; use '-' instead",
    ],
    [[], 'role app: boundServiceAccountNamespaces is empty; list at least one name, or "*" for any'],
    [
      ["*", "app"],
      'role app: boundServiceAccountNamespaces mixes "*" with names (["*","app"]), which Vault rejects; use ["*"] alone or only names',
    ],
  ])("rejects boundServiceAccountNamespaces %j, naming the role's field", (namespaces, message) => {
    const { auth } = kubernetesMount();
    expect(
      validationMessage(() => auth.addRole("app", { ...jwtRole, boundServiceAccountNamespaces: namespaces })),
    ).toBe(message);
  });

  test('takes "*" for ServiceAccount names with namespaces chosen by label alone, without the any-ServiceAccount warning', () => {
    const { stack, auth } = kubernetesMount();
    const role = auth.addRole("labeled", {
      boundServiceAccountNames: ["*"],
      boundServiceAccountNamespaceSelector: { matchLabels: { team: "a" } },
      audience: "vault",
    });
    expect(warningsOf(role)).toEqual([]);
    const resource = only(synthJson(stack), "vault_kubernetes_auth_backend_role");
    expect(resource.bound_service_account_names).toEqual(["*"]);
    expect(resource.bound_service_account_namespace_selector).toBe('{"matchLabels":{"team":"a"}}');
    expect(resource).not.toHaveProperty("bound_service_account_namespaces");
  });

  test.each([
    ["longLivedToken", Reviewer.longLivedToken(), "long-lived-token"],
    ["vaultPod", Reviewer.vaultPod(), "vault-pod"],
    ["clientJwt", Reviewer.clientJwt(), "client-jwt"],
  ])("reports the mode of a Reviewer.%s reviewer", (_factory, reviewer, mode) => {
    expect(reviewer.mode).toBe(mode);
    expect(kubernetesMount(reviewer).auth.reviewerMode).toBe(mode);
  });
});

describe("a client-jwt mount's adoptExisting", () => {
  test("imports the mount, its config and its roles, and nothing of the reviewer, which owns nothing that exists before", () => {
    const { auth } = kubernetesMount(Reviewer.clientJwt());
    auth.addRole("app", { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"] });
    expect(auth.adoptExisting().map((adopted) => adopted.importId)).toEqual([
      "kubernetes",
      "auth/kubernetes/config",
      "auth/kubernetes/role/app",
    ]);
  });
});

describe("a client-jwt role's auth-delegator binding name", () => {
  const bindingNameFor = (roleName: string) => {
    const { stack, auth } = kubernetesMount(Reviewer.clientJwt());
    auth.addRole(roleName, { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"] });
    return (only(synthJson(stack), "kubernetes_cluster_role_binding_v1").metadata as { name: string }).name;
  };

  test("joins mount and role, turning each run of other characters into one '-', with a hash of the exact pair", () => {
    expect(bindingNameFor("app_.1")).toBe("vault-client-jwt-kubernetes-app-1-ddad4583");
  });

  test("keeps the readable part to 200 characters, so a long role name still gives a short Kubernetes name", () => {
    expect(bindingNameFor("a".repeat(250))).toBe(`vault-client-jwt-kubernetes-${"a".repeat(189)}-b7d0a3a3`);
  });
});

describe("ReviewerServiceAccount", () => {
  test("rejects a ServiceAccount name Kubernetes refuses, naming the field", () => {
    expect(
      validationMessage(
        () => new ReviewerServiceAccount(newStack(), "Reviewer", { serviceAccountName: "Vault_Reviewer" }),
      ),
    ).toBe(
      'reviewer serviceAccountName: "Vault_Reviewer" is not valid; ' +
        "use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit",
    );
  });
});

describe("VaultPolicy", () => {
  const policy = (name: string, capabilities: Parameters<typeof policyWarnings>[1][number]["capabilities"]) => () =>
    new VaultPolicy(newStack(), "Policy", { name, rules: [{ path: "secret/data/app", capabilities }] });

  test("rejects a name Vault would not keep as written, naming the field", () => {
    expect(validationMessage(policy("Atlantis", ["read"]))).toBe(
      "policy name: \"Atlantis\" is not valid; use lowercase letters, digits and '_', with '-' and '.' only between them (Vault lowercases policy names, so two spellings would be one policy)",
    );
  });

  test("rejects a rule with no capabilities", () => {
    expect(validationMessage(policy("atlantis", []))).toBe(
      "policy atlantis: path secret/data/app: capabilities [] must be a non-empty list of create, read, update, patch, delete, list, sudo, deny, subscribe",
    );
  });

  test("warns that any grant on every path is full control of Vault, with the fix, and leaves deny out of the list", () => {
    expect(policyWarnings("admin", [{ path: "*", capabilities: ["read", "deny", "update"] }])).toEqual([
      'policy admin grants read, update on every path ("*"): full control of Vault. ' +
        "Grant only the paths the workload reads (e.g. a kvRead rule) unless admin is intended.",
    ]);
  });
});

describe("AuthDelegatorBinding", () => {
  const binding = (name: string, account: { name: string; namespace: string }) => () =>
    new AuthDelegatorBinding(newStack(), "Binding", {
      name,
      serviceAccounts: [{ name: "app", namespace: "app" }, account],
    });

  test("rejects a binding name Kubernetes refuses, naming the field", () => {
    expect(validationMessage(binding("review/app", { name: "app", namespace: "app" }))).toBe(
      "auth-delegator binding name: \"review/app\" is not valid; use a name without '/', '%' or spaces that is not '.' or '..' (e.g. vault:token-reviewer)",
    );
  });

  test("rejects a ServiceAccount name that is not a DNS subdomain, in any position of the list", () => {
    expect(validationMessage(binding("review", { name: "App", namespace: "app" }))).toBe(
      'auth-delegator binding review: ServiceAccount name: "App" is not valid; ' +
        "use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit",
    );
  });

  test("rejects a ServiceAccount namespace that is not a DNS label, in any position of the list", () => {
    expect(validationMessage(binding("review", { name: "app", namespace: "a.b" }))).toBe(
      "auth-delegator binding review: ServiceAccount namespace: \"a.b\" has a '.', " +
        "which a DNS-1123 label (a namespace, a cluster name) cannot have; use '-' instead",
    );
  });
});

describe("NamespaceReader", () => {
  test("binds the reviewer to its own ClusterRole, which allows get on namespaces only", () => {
    const stack = newStack();
    new NamespaceReader(stack, "Reader", {
      name: "vault-vault-reviewer-namespace-reader",
      serviceAccount: { name: "vault-reviewer", namespace: "vault" },
    });
    const json = synthJson(stack);
    const [roleAddress] = Object.keys(json.resource.kubernetes_cluster_role_v1);
    expect(only(json, "kubernetes_cluster_role_v1")).toEqual({
      metadata: { name: "vault-vault-reviewer-namespace-reader" },
      rule: [{ api_groups: [""], resources: ["namespaces"], verbs: ["get"] }],
    });
    expect(only(json, "kubernetes_cluster_role_binding_v1")).toEqual({
      metadata: { name: "vault-vault-reviewer-namespace-reader" },
      role_ref: {
        api_group: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: `\${kubernetes_cluster_role_v1.${roleAddress}.metadata[0].name}`,
      },
      subject: [{ kind: "ServiceAccount", name: "vault-reviewer", namespace: "vault" }],
    });
  });

  test("rejects a name Kubernetes refuses, naming the field", () => {
    expect(
      validationMessage(
        () =>
          new NamespaceReader(newStack(), "Reader", {
            name: "vault/reader",
            serviceAccount: { name: "vault-reviewer", namespace: "vault" },
          }),
      ),
    ).toBe(
      "namespace reader name: \"vault/reader\" is not valid; use a name without '/', '%' or spaces that is not '.' or '..' (e.g. vault:token-reviewer)",
    );
  });
});

describe("role token options", () => {
  test("rejects an address block whose prefix length is left empty, naming the role's field", () => {
    expect(
      validationMessage(() =>
        tokenFields("app", { boundServiceAccountNames: ["app"], tokenBoundCidrs: ["10.0.0.0/8", "10.0.0.0/"] }),
      ),
    ).toBe(
      'role app: tokenBoundCidrs: "10.0.0.0/" is not an address block; use an address block such as 10.0.0.0/16, 192.168.1.10/32 or fd00::/8 (the pod network Vault sees logins from)',
    );
  });
});

describe("JwtIssuer.publicKeys", () => {
  test("rejects a key that is not PEM, naming its index", () => {
    expect(
      validationMessage(() => JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [PUBLIC_KEY, "not a key"] })),
    ).toBe(
      'jwt publicKeys[1]: "not a key" is not a PEM public key; paste the public key the cluster signs service-account tokens with, ' +
        "as PEM from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY----- (the API server's --service-account-key-file, " +
        "or each key of kubectl get --raw /openid/v1/jwks converted to PEM)",
    );
  });
});

describe("requireTerraformForImports", () => {
  test("runs `<binary> version` with CHECKPOINT_DISABLE=1, so it never waits on HashiCorp's release check", () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-terraform-"));
    const binary = join(dir, "terraform");
    writeFileSync(binary, `#!/bin/sh\nprintf '%s|%s' "$CHECKPOINT_DISABLE" "$*" > "${dir}/ran"\n`);
    chmodSync(binary, 0o755);
    const { CHECKPOINT_DISABLE: _, ...env } = process.env;
    try {
      requireTerraformForImports({ ...env, TERRAFORM_BINARY_NAME: binary });
      expect(readFileSync(join(dir, "ran"), "utf8")).toBe("1|version");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails with the fix when the Terraform binary runs but fails", () => {
    expect(
      validationMessage(() => requireTerraformForImports({ ...process.env, TERRAFORM_BINARY_NAME: "false" })),
    ).toBe(
      "importExisting is true, and cdktf checks import blocks by running `false version` while it synthesizes, " +
        "but false failed. Install Terraform >= 1.11 on PATH (or name it in TERRAFORM_BINARY_NAME), " +
        "or set importExisting back to false.",
    );
  });
});

describe("awsClasses, when loading the optional AWS provider fails", () => {
  const AWS_PROVIDER = "@cdktf/provider-aws/lib/provider";
  /**
   * What awsClasses throws when requiring the provider throws `failure`, and whether it is a
   * ValidationError. No module is loaded afresh (no isolateModules): awsClasses requires the
   * provider at call time, so the mock reaches it, and module-level code keeps its load-time
   * coverage, which StrykerJS would otherwise credit to this test alone.
   */
  const thrownFor = (failure: Error) => {
    jest.doMock(AWS_PROVIDER, () => {
      throw failure;
    });
    try {
      awsClasses();
    } catch (error) {
      return { error: error as Error, validation: error instanceof ValidationError };
    } finally {
      jest.dontMock(AWS_PROVIDER);
    }
    throw new Error("awsClasses threw nothing");
  };
  const notFound = (module: string) =>
    Object.assign(new Error(`Cannot find module '${module}'\nRequire stack:\n- src/providers.ts`), {
      code: "MODULE_NOT_FOUND",
    });

  test("says how to install it, or to connect without EKS, when the package is not installed", () => {
    const { error, validation } = thrownFor(notFound(AWS_PROVIDER));
    expect(validation).toBe(true);
    expect(error.message).toBe(
      "an EKS cluster needs the AWS provider, which is an optional peer dependency of vault-k8s-auth and is not " +
        'installed: run npm install @cdktf/provider-aws@"^21.22.1", or connect to the cluster with ' +
        "an explicit host and kubeconfig instead of eks",
    );
  });

  test("passes on a module missing inside an installed provider: a broken install, not a missing package", () => {
    const broken = notFound("constructs");
    expect(thrownFor(broken)).toEqual({ error: broken, validation: false });
  });

  test("passes on any other failure while loading the provider", () => {
    const failure = new SyntaxError("Unexpected token '<'");
    expect(thrownFor(failure)).toEqual({ error: failure, validation: false });
  });
});
