import { execFileSync } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parse, stringify } from "yaml";
import { checkConfig } from "../../src/config/load";
import { JwtAuthBackend, JwtAuthBackendRole } from "../../src/providers";
import { VaultK8sAuthStack } from "../../src/stacks/vault-k8s-auth-stack";
import { ISSUER, PUBLIC_KEY } from "../fixture-values";
import {
  addresses,
  fileWith,
  firstRole,
  only,
  problemsIn,
  seedCluster,
  stackFor,
  synthJson,
  TEST_CA,
} from "../helpers";

/** The seed's cluster in jwt mode: its role now binds an audience, as the method requires. */
function jwtCluster(overrides: Parameters<typeof seedCluster>[0] = {}) {
  const cluster = seedCluster({ auth: { method: "jwt", path: "atlantis-jwt" }, ...overrides });
  cluster.roles = cluster.roles.map((role) => ({ ...role, audience: "vault" }));
  return cluster;
}

/** An explicit (non-EKS) cluster in jwt mode: only the issuer, and keys when given. */
const explicitJwt = (jwt: Record<string, unknown>) =>
  jwtCluster({ kubernetes: {}, auth: { method: "jwt", path: "atlantis-jwt", jwt } });

describe("auth.method: jwt on EKS (vault_jwt_auth_backend, terraform-provider-vault v5.6.0)", () => {
  test("creates only the mount, its roles and the policies: no reviewer, no kubernetes provider", () => {
    const json = synthJson(stackFor(jwtCluster()));
    expect(addresses(json).map((address) => address.replace(/\.[^.]+$/, ""))).toEqual([
      "data.aws_eks_cluster",
      "data.vault_auth_backends",
      "data.vault_policy_document",
      "vault_jwt_auth_backend",
      "vault_jwt_auth_backend_role",
      "vault_policy",
    ]);
    expect(json.provider).not.toHaveProperty("kubernetes");
    expect(json.provider.aws).toEqual([{ region: "ap-northeast-1" }]);
  });

  test("discovers keys at the EKS cluster's OIDC issuer and binds that issuer", () => {
    const json = synthJson(stackFor(jwtCluster()));
    const eks = Object.keys(json.data?.aws_eks_cluster ?? {})[0];
    const issuer = `\${data.aws_eks_cluster.${eks}.identity[0].oidc[0].issuer}`;
    expect(only(json, "vault_jwt_auth_backend")).toEqual({
      type: "jwt",
      path: "atlantis-jwt",
      oidc_discovery_url: issuer,
      bound_issuer: issuer,
      disable_remount: true,
      lifecycle: { prevent_destroy: true, precondition: [expect.anything()] },
    });
  });

  test("refuses at plan to take the path of a Kubernetes mount, which prevent_destroy cannot keep once its block is gone", () => {
    const json = synthJson(stackFor(jwtCluster()));
    const [lookup, filter] = Object.entries(json.data?.vault_auth_backends ?? {})[0];
    expect(filter).toEqual({ type: "kubernetes" });
    const { lifecycle } = only(json, "vault_jwt_auth_backend") as { lifecycle: { precondition: unknown[] } };
    expect(lifecycle.precondition).toEqual([
      {
        condition: `\${!contains(data.vault_auth_backends.${lookup}.paths, "atlantis-jwt")}`,
        error_message: expect.stringContaining(
          "Vault has a Kubernetes auth mount at auth/atlantis-jwt: replacing it with a JWT mount would destroy it",
        ),
      },
    ]);
  });

  test("turns the role's ServiceAccounts into sub claims and its audience into bound_audiences", () => {
    const json = synthJson(stackFor(jwtCluster()));
    const mount = Object.keys(json.resource.vault_jwt_auth_backend)[0];
    expect(only(json, "vault_jwt_auth_backend_role")).toEqual({
      backend: `\${vault_jwt_auth_backend.${mount}.path}`,
      role_name: "atlantis",
      claim_mappings: {
        "/kubernetes.io/namespace": "service_account_namespace",
        "/kubernetes.io/serviceaccount/name": "service_account_name",
        "/kubernetes.io/serviceaccount/uid": "service_account_uid",
      },
      role_type: "jwt",
      user_claim: "sub",
      bound_audiences: ["vault"],
      bound_claims: { sub: "system:serviceaccount:atlantis:atlantis" },
      bound_claims_type: "string",
      token_policies: [expect.stringMatching(/^\$\{vault_policy\.[^.]+\.name\}$/)],
      token_period: 1800,
    });
  });

  test("copies the ServiceAccount claims to metadata under the Kubernetes method's keys (identity parity)", () => {
    // vault-plugin-auth-kubernetes v0.23.1 path_login.go:203-223 sets service_account_name,
    // _namespace and _uid on the alias and the token; vault-plugin-auth-jwt v0.25.0 sets only role
    // unless claim_mappings names claims (claims.go:77-90), a "/" key being a JSON pointer
    // (claims.go:45-48) into the projected token's "kubernetes.io" claim.
    const json = synthJson(stackFor(jwtCluster()));
    const { claim_mappings: mappings } = only(json, "vault_jwt_auth_backend_role") as {
      claim_mappings: Record<string, string>;
    };
    const claims = {
      "kubernetes.io": { namespace: "atlantis", serviceaccount: { name: "atlantis", uid: "0b8a-uid" } },
    };
    const metadata = Object.fromEntries(
      Object.entries(mappings).map(([pointer, key]) => [
        key,
        pointer
          .slice(1)
          .split("/")
          .reduce<unknown>((value, part) => (value as Record<string, unknown>)[part], claims),
      ]),
    );
    expect(metadata).toEqual({
      service_account_namespace: "atlantis",
      service_account_name: "atlantis",
      service_account_uid: "0b8a-uid",
    });
  });

  test("gives pods the same login call as the Kubernetes method, with the projected token", () => {
    const { output } = synthJson(stackFor(jwtCluster()));
    expect(output.login_path.value).toBe("auth/atlantis-jwt/login");
    const command = (output.login_commands.value as Record<string, string>).atlantis;
    expect(command).toContain('"$VAULT_ADDR/v1/auth/atlantis-jwt/login"');
    expect(command).toContain("$(cat /var/run/secrets/vault/token)");
    expect(command).toMatch(/^printf '\{"role": "%s", "jwt": "%s"\}' atlantis /);
  });
});

describe("auth.method: jwt on an explicit cluster", () => {
  test("uses the issuer for discovery and needs no provider but Vault's", () => {
    const json = synthJson(stackFor(explicitJwt({ issuer: "https://oidc.example.com/clusters/dev" })));
    expect(Object.keys(json.provider)).toEqual(["vault"]);
    expect(json.data ?? {}).not.toHaveProperty("aws_eks_cluster");
    expect(only(json, "vault_jwt_auth_backend")).toMatchObject({
      oidc_discovery_url: "https://oidc.example.com/clusters/dev",
      bound_issuer: "https://oidc.example.com/clusters/dev",
    });
  });

  test("pins public keys instead when Vault cannot reach the issuer", () => {
    const synthesized = Testing.synth(stackFor(explicitJwt({ issuer: ISSUER, publicKeys: [PUBLIC_KEY] })));
    expect(synthesized).toHaveResourceWithProperties(JwtAuthBackend, {
      bound_issuer: ISSUER,
      jwt_validation_pubkeys: [PUBLIC_KEY],
    });
    expect(JSON.parse(synthesized).resource.vault_jwt_auth_backend).not.toHaveProperty("oidc_discovery_url");
  });

  test("refuses a pinned-key issuer with a newline at its end, which Vault would compare with iss as is", () => {
    const text = stringify({ clusters: [explicitJwt({ issuer: `${ISSUER}\n`, publicKeys: [PUBLIC_KEY] })] });
    expect(problemsIn(text).replace(/bad\.yaml:\d+:\d+: /, "")).toBe(
      `bad.yaml has 1 problem:\n  clusters[0].auth.jwt.issuer: ${JSON.stringify(`${ISSUER}\n`)} holds a newline at the end, which would be written as is (a \`|\` or \`>\` block keeps the last line's newline: write the value on the key's line, or use \`|-\`); remove it`,
    );
  });

  test("binds every name in every namespace, as the Kubernetes method does", () => {
    const cluster = explicitJwt({ issuer: ISSUER, publicKeys: [PUBLIC_KEY] });
    cluster.roles = [
      {
        name: "ci",
        boundServiceAccountNames: ["a", "b"],
        boundServiceAccountNamespaces: ["x", "y"],
        audience: "vault",
      },
    ];
    expect(Testing.synth(stackFor(cluster))).toHaveResourceWithProperties(JwtAuthBackendRole, {
      bound_claims: {
        sub: "system:serviceaccount:x:a,system:serviceaccount:x:b,system:serviceaccount:y:a,system:serviceaccount:y:b",
      },
      bound_claims_type: "string",
    });
  });

  test('makes "*" a glob only where it is one: bound_claims_type glob', () => {
    const cluster = explicitJwt({ issuer: ISSUER, publicKeys: [PUBLIC_KEY] });
    cluster.roles = [
      { name: "ns", boundServiceAccountNames: ["*"], boundServiceAccountNamespaces: ["ci"], audience: "vault" },
    ];
    expect(Testing.synth(stackFor(cluster))).toHaveResourceWithProperties(JwtAuthBackendRole, {
      bound_claims: { sub: "system:serviceaccount:ci:*" },
      bound_claims_type: "glob",
    });
  });

  test("renders the role options every method shares", () => {
    const cluster = explicitJwt({ issuer: ISSUER, publicKeys: [PUBLIC_KEY] });
    cluster.roles = [
      {
        name: "ci",
        boundServiceAccountNames: ["ci"],
        boundServiceAccountNamespaces: ["ci"],
        audience: "vault",
        aliasNameSource: "serviceaccount_name",
        tokenTtl: "10m",
        tokenExplicitMaxTtl: "1h",
        tokenNoDefaultPolicy: true,
        tokenBoundCidrs: ["10.0.0.0/8"],
        tokenType: "batch",
      },
    ];
    expect(Testing.synth(stackFor(cluster))).toHaveResourceWithProperties(JwtAuthBackendRole, {
      token_ttl: 600,
      token_explicit_max_ttl: 3600,
      token_no_default_policy: true,
      token_bound_cidrs: ["10.0.0.0/8"],
      token_type: "batch",
    });
  });
});

describe("the same roles in both methods", () => {
  test("synthesize in kubernetes and in jwt mode, with the same role names and login path shape", () => {
    const roles = jwtCluster().roles;
    const kubernetes = synthJson(stackFor(seedCluster({ roles })));
    const jwt = synthJson(stackFor(jwtCluster({ roles })));
    expect(jwt.output.role_names.value).toEqual(kubernetes.output.role_names.value);
    expect(Object.keys(jwt.output)).toEqual(Object.keys(kubernetes.output));
    expect(jwt.output.mount_path).toMatchObject({ value: "atlantis-jwt" });
  });
});

describe("the README's switch to jwt through a second entry on the same Vault", () => {
  const file = (policy: string) => {
    const second = jwtCluster({ name: "eks-test-jwt", policies: [{ name: policy, preset: "admin" }] });
    second.roles = second.roles.map((role) => ({ ...role, tokenPolicies: [policy] }));
    return stringify({ clusters: [seedCluster(), second] });
  };

  test("validates with the policies copied under new names that the new roles name", () => {
    expect(problemsIn(file("admin-jwt"))).toBe("");
  });

  test("rejects the policies repeated under their names, saying to give one another name", () => {
    expect(problemsIn(file("admin"))).toContain(
      "clusters[1].policies[0].name: policy \"admin\" is also managed by clusters[0] on the same Vault (VAULT_ADDR); each apply would overwrite the other's, and a destroy would delete it for both: give one of them another name, and use that name in its cluster's roles (each cluster's roles may only name policies of its own entry)",
    );
  });
});

describe("rejects jwt-mode config that cannot work", () => {
  test.each([
    [
      "a role without an audience",
      (c: Record<string, unknown>) => {
        c.auth = { method: "jwt" };
      },
      'clusters[0].roles[0].audience is required with auth.method: jwt: Vault refuses any token with an aud claim on a role without audiences ("audience claim found in JWT but no audiences bound to the role", vault-plugin-auth-jwt v0.25.0 path_login.go:164-180), and Kubernetes tokens always carry one; set audience (e.g. "vault") and mount a projected token with it',
    ],
    [
      "an issuer next to eks",
      (c: Record<string, unknown>) => {
        c.auth = { method: "jwt", jwt: { issuer: ISSUER } };
        firstRole(c).audience = "vault";
      },
      "clusters[0].auth.jwt.issuer: comes from kubernetes.eks (the cluster's OIDC issuer), so it is never written twice; remove it, or remove eks to trust an issuer of your own",
    ],
    [
      "public keys next to eks",
      (c: Record<string, unknown>) => {
        c.auth = { method: "jwt", jwt: { publicKeys: [PUBLIC_KEY] } };
        firstRole(c).audience = "vault";
      },
      "clusters[0].auth.jwt.publicKeys: would pin keys that EKS rotates (its issuer publishes the current ones), so logins would stop when it does; remove publicKeys: Vault discovers the keys from the EKS issuer, which is public",
    ],
    [
      "an explicit cluster without an issuer",
      (c: Record<string, unknown>) => {
        c.kubernetes = {};
        c.auth = { method: "jwt" };
        firstRole(c).audience = "vault";
      },
      "clusters[0].auth: needs the cluster's service-account issuer with auth.method: jwt when kubernetes.eks is not given: set auth.jwt.issuer to the iss of the cluster's tokens (kubectl get --raw /.well-known/openid-configuration shows it)",
    ],
    [
      "an issuer Vault cannot discover keys at, without public keys",
      (c: Record<string, unknown>) => {
        c.kubernetes = {};
        c.auth = { method: "jwt", jwt: { issuer: "http://oidc.example.com" } };
        firstRole(c).audience = "vault";
      },
      'clusters[0].auth.jwt.issuer: "http://oidc.example.com" is not a URL Vault can discover keys at; use the issuer exactly as the cluster\'s tokens carry it in iss (kubectl get --raw /.well-known/openid-configuration shows it), an https:// URL; or give publicKeys when Vault cannot reach it',
    ],
    [
      "an issuer with a port the URL parser refuses",
      (c: Record<string, unknown>) => {
        c.kubernetes = {};
        c.auth = { method: "jwt", jwt: { issuer: "https://oidc.example.com:99999" } };
        firstRole(c).audience = "vault";
      },
      'clusters[0].auth.jwt.issuer: "https://oidc.example.com:99999" is not a valid URL (the port 99999 is out of range, 0 to 65535); use the issuer exactly as the cluster\'s tokens carry it in iss (kubectl get --raw /.well-known/openid-configuration shows it), an https:// URL; or give publicKeys when Vault cannot reach it',
    ],
    [
      "a reviewer in jwt mode",
      (c: Record<string, unknown>) => {
        c.auth = { method: "jwt", reviewer: { mode: "vault-pod" } };
        firstRole(c).audience = "vault";
      },
      "clusters[0].auth.reviewer: applies to the kubernetes method; the jwt method has no reviewer (Vault never calls the API server): remove it",
    ],
    [
      "auth.jwt with the kubernetes method",
      (c: Record<string, unknown>) => {
        (c.auth as Record<string, unknown>).jwt = { issuer: ISSUER };
      },
      "clusters[0].auth.jwt: applies to auth.method: jwt; set method: jwt, or remove auth.jwt",
    ],
    [
      "a namespace selector in jwt mode",
      (c: Record<string, unknown>) => {
        c.auth = { method: "jwt" };
        Object.assign(firstRole(c), {
          audience: "vault",
          boundServiceAccountNamespaceSelector: { matchLabels: { a: "b" } },
        });
      },
      "clusters[0].roles[0].boundServiceAccountNamespaceSelector: cannot work with auth.method: jwt: Vault matches the token's claims only, and they carry no namespace labels; list boundServiceAccountNamespaces",
    ],
    [
      "alias per UID in jwt mode",
      (c: Record<string, unknown>) => {
        c.auth = { method: "jwt" };
        Object.assign(firstRole(c), { audience: "vault", aliasNameSource: "serviceaccount_uid" });
      },
      'clusters[0].roles[0].aliasNameSource: "serviceaccount_uid" cannot be kept with auth.method: jwt, which names the alias after sub (system:serviceaccount:<namespace>:<name>), per name like serviceaccount_name; remove aliasNameSource or set serviceaccount_name',
    ],
    [
      "a method Vault's stack does not know",
      (c: Record<string, unknown>) => {
        c.auth = { method: "oidc" };
      },
      'clusters[0].auth.method: "oidc" is not an auth method; use kubernetes or jwt',
    ],
  ])("rejects %s", (_what, change, expected) => {
    expect(problemsIn(fileWith(change))).toContain(expected);
  });

  test("rejects a private key among the public keys without quoting it", () => {
    const privateKey = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
    const message = problemsIn(
      fileWith((c) => {
        c.kubernetes = {};
        c.auth = { method: "jwt", jwt: { issuer: ISSUER, publicKeys: [privateKey] } };
        firstRole(c).audience = "vault";
      }),
    );
    // Once, in the field rule's words (the public half, openssl pkey -pubout), not also as a key anywhere in the file.
    expect(message.replace(/bad\.yaml:\d+:\d+/, "bad.yaml:L:C")).toBe(
      "bad.yaml has 1 problem:\n" +
        "  bad.yaml:L:C: clusters[0].auth.jwt.publicKeys[0] holds a private key, which must never be written into Terraform JSON, state or Vault; give the public half (openssl pkey -pubout), and treat that key as leaked if this file was shared",
    );
    expect(message).not.toContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC");
  });

  test("rejects two keys in one entry, which Vault would refuse as trailing data (certutil helpers.go:513-515)", () => {
    const message = problemsIn(
      fileWith((c) => {
        c.kubernetes = {};
        c.auth = { method: "jwt", jwt: { issuer: ISSUER, publicKeys: [PUBLIC_KEY + PUBLIC_KEY] } };
        firstRole(c).audience = "vault";
      }),
    );
    expect(message).toContain("holds 2 PEM blocks; Vault reads one key per entry");
  });

  test("warns, without refusing, about connection fields jwt mode does not use", () => {
    const cluster = explicitJwt({ issuer: ISSUER, publicKeys: [PUBLIC_KEY] });
    cluster.kubernetes = { host: "https://k8s.example.com", caCertificate: TEST_CA };
    const { warnings } = checkConfig({ clusters: [cluster] }, "t.yaml");
    const own = warnings.filter((warning) => warning.construct === undefined);
    expect(own.map((warning) => warning.text)).toEqual([
      "t.yaml: clusters[0].kubernetes.host is not used with auth.method: jwt: Vault never calls the API server and the stack creates no Kubernetes objects",
      "t.yaml: clusters[0].kubernetes.caCertificate is not used with auth.method: jwt and pinned publicKeys: Vault fetches nothing from the issuer; it is the CA Vault trusts for the issuer's discovery document only when Vault discovers the keys",
    ]);
  });

  test("writes kubernetes.caCertificate as the CA Vault trusts for the issuer when it discovers the keys (oidc_discovery_ca_pem)", () => {
    // vault-plugin-auth-jwt v0.25.0 backend.go:174 and path_config.go:291 fetch discovery with
    // config.OIDCDiscoveryCAPEM; cap v0.11.0 jwt/keyset.go:206-227 trusts only that CA, else the
    // system store, which a cluster's own CA (kubeadm, kind, k3s) is not in.
    const cluster = explicitJwt({ issuer: ISSUER });
    cluster.kubernetes = { caCertificate: TEST_CA };
    const { warnings } = checkConfig({ clusters: [cluster] }, "t.yaml");
    expect(warnings.filter((warning) => warning.construct === undefined)).toEqual([]);
    expect(only(synthJson(stackFor(cluster)), "vault_jwt_auth_backend")).toMatchObject({
      oidc_discovery_url: ISSUER,
      oidc_discovery_ca_pem: TEST_CA,
    });
    cluster.kubernetes = {};
    expect(only(synthJson(stackFor(cluster)), "vault_jwt_auth_backend")).not.toHaveProperty("oidc_discovery_ca_pem");
  });
});

describe("the jwt mode in docs/configure.md", () => {
  const README = readFileSync(join(__dirname, "..", "..", "docs", "configure.md"), "utf8");
  const section = README.slice(README.indexOf("## Auth methods"), README.indexOf("## Switching the auth method"));

  test("shows an EKS and an explicit cluster that validate and synthesize", () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const withKey = example.replace(
      /-----BEGIN PUBLIC KEY-----\n\s*\.\.\.\n\s*-----END PUBLIC KEY-----/,
      PUBLIC_KEY.trim().replace(/\n/g, "\n          "),
    );
    const indented = withKey
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n");
    const { config } = checkConfig(parse(`clusters:\n${indented}`), "README");
    expect(config.clusters.map((cluster) => [cluster.name, cluster.auth.method])).toEqual([
      ["prod-eu", "jwt"],
      ["kind-dev", "jwt"],
    ]);
    const app = Testing.app();
    for (const cluster of config.clusters) {
      expect(Testing.synth(new VaultK8sAuthStack(app, cluster.name, { cluster }))).toHaveResource(JwtAuthBackendRole);
    }
  });

  test("converts the cluster's JWKS to the PEM keys publicKeys takes, with the command it gives", () => {
    const command = /kubectl get --raw \/openid\/v1\/jwks \| (node -e '[\s\S]*?')\n```/.exec(section)?.[1];
    expect(command).toMatch(/^node -e '/);
    const jwks = JSON.stringify({ keys: [{ ...createPublicKey(PUBLIC_KEY).export({ format: "jwk" }), kid: "k1" }] });
    const output = execFileSync("sh", ["-c", command as string], { input: jwks, encoding: "utf8" });
    expect(output.trim()).toBe(PUBLIC_KEY.trim());
  });
});
