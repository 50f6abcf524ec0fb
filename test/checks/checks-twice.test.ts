import { existsSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import {
  type AuthRoleOptions,
  ClusterConnection,
  JwtIssuer,
  type KubernetesAuthBackendProps,
  Reviewer,
  VaultPolicy,
  validateTree,
} from "../../src/constructs";
import { Duration } from "../../src/domain/duration";
import { cli, scratchDir, writeConfig } from "../cli/harness";
import {
  type ClusterInput,
  jwtMount as jwtMountIn,
  kubernetesMount as kubernetesMountIn,
  newStack,
  seedCluster,
  TEST_CA,
  validationMessage,
} from "../helpers";

/*
 * Checks that exist twice: once on the config file, where the message names file:line:col, the
 * field and the fix, and once in a construct, for library users who never write a file. A user of
 * the file must meet the first: if the config check went missing, synth would still refuse, but
 * later, in a construct's words, without a line to look at. Each row below runs both: the file
 * through `vault-k8s-auth synth` (nothing may be written), the construct directly.
 */

const DIR = scratchDir();

const firstRole = (cluster: ClusterInput) => cluster.roles[0];
const authOf = (cluster: ClusterInput) => {
  cluster.auth ??= {};
  return cluster.auth;
};

/** An explicit connection with `reviewer` (the seed's is EKS, which brings its own CA). */
function explicitWith(reviewer: NonNullable<ClusterInput["auth"]>["reviewer"], caCertificate?: string): ClusterInput {
  const cluster = seedCluster({
    kubernetes: { host: "https://k8s.example.com", caCertificate, kubeconfig: { context: "test" } },
  });
  authOf(cluster).reviewer = reviewer;
  return cluster;
}

/** The seed in auth.method jwt, discovering keys at `issuer`, with the audience the method needs. */
function jwtWith(jwt: { issuer: string; publicKeys?: string[] } = { issuer: "https://k8s.example.com" }) {
  const cluster = seedCluster({ kubernetes: {}, auth: { method: "jwt", path: "atlantis-jwt", jwt } });
  firstRole(cluster).audience = "vault";
  return cluster;
}

let runs = 0;

/** `vault-k8s-auth synth` of a one-cluster file, into a folder of its own; what it printed and whether it wrote anything. */
function synth(cluster: ClusterInput) {
  const name = writeConfig(DIR, "checks.yaml", stringify({ clusters: [cluster] }));
  const output = `out-${++runs}`;
  const result = cli(["synth", "--config", name, "--output", output], { cwd: DIR });
  return { ...result, wrote: existsSync(join(DIR, output)) };
}

/** A mount of either method, with every prop a test may change. */
const kubernetesMount = (props: Partial<KubernetesAuthBackendProps> = {}) =>
  kubernetesMountIn({ path: "atlantis", ...props }).auth;
const jwtMount = () =>
  jwtMountIn({ path: "atlantis-jwt", issuer: JwtIssuer.discovery({ issuer: "https://k8s.example.com" }) }).auth;
const ROLE: AuthRoleOptions = { boundServiceAccountNames: ["atlantis"], boundServiceAccountNamespaces: ["atlantis"] };

interface Doubled {
  /** What is refused. */
  readonly what: string;
  /** A valid entry with the one mistake. */
  readonly entry: () => ClusterInput;
  /** The line the user meets: checks.yaml:line:col, the field, the value, the fix. */
  readonly problem: string;
  /** The same mistake made with the constructs. */
  readonly construct: () => unknown;
  /** What the construct says instead. */
  readonly refusal: string;
}

const DOUBLED: Doubled[] = [
  {
    what: "a role name used twice (kubernetes method)",
    entry: () => {
      const cluster = seedCluster();
      cluster.roles.push({ ...firstRole(cluster), boundServiceAccountNames: ["other"] });
      return cluster;
    },
    problem:
      'checks.yaml:26:15: clusters[0].roles[1].name: role name "atlantis" is already used by roles[0]; names must be unique',
    construct: () => {
      const mount = kubernetesMount();
      mount.addRole("atlantis", ROLE);
      mount.addRole("atlantis", ROLE);
    },
    refusal: 'test/Auth: roles[1].name: role name "atlantis" is already used by roles[0]; names must be unique',
  },
  {
    what: "a role name used twice (jwt method)",
    entry: () => {
      const cluster = jwtWith();
      cluster.roles.push({ ...firstRole(cluster), boundServiceAccountNames: ["other"] });
      return cluster;
    },
    problem:
      'checks.yaml:22:15: clusters[0].roles[1].name: role name "atlantis" is already used by roles[0]; names must be unique',
    construct: () => {
      const mount = jwtMount();
      mount.addRole("atlantis", { ...ROLE, audience: "vault" });
      mount.addRole("atlantis", { ...ROLE, audience: "vault" });
    },
    refusal: 'test/Auth: roles[1].name: role name "atlantis" is already used by roles[0]; names must be unique',
  },
  {
    what: '"*" namespaces on a client-jwt mount',
    entry: () => {
      const cluster = explicitWith({ mode: "client-jwt" }, TEST_CA);
      firstRole(cluster).boundServiceAccountNamespaces = ["*"];
      return cluster;
    },
    problem:
      'checks.yaml:31:11: clusters[0].roles[0].boundServiceAccountNamespaces holds "*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator; list concrete names, or use the long-lived-token or vault-pod reviewer',
    construct: () =>
      kubernetesMount({ reviewer: Reviewer.clientJwt() }).addRole("atlantis", {
        ...ROLE,
        boundServiceAccountNamespaces: ["*"],
      }),
    refusal:
      'test/Auth/Roles/atlantis: boundServiceAccountNamespaces holds "*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator; list concrete names, or use the long-lived-token or vault-pod reviewer',
  },
  {
    what: '"*" ServiceAccount names on a client-jwt mount',
    entry: () => {
      const cluster = explicitWith({ mode: "client-jwt" }, TEST_CA);
      firstRole(cluster).boundServiceAccountNames = ["*"];
      return cluster;
    },
    problem:
      'checks.yaml:29:11: clusters[0].roles[0].boundServiceAccountNames holds "*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator; list concrete names, or use the long-lived-token or vault-pod reviewer',
    construct: () =>
      kubernetesMount({ reviewer: Reviewer.clientJwt() }).addRole("atlantis", {
        ...ROLE,
        boundServiceAccountNames: ["*"],
      }),
    refusal:
      'test/Auth/Roles/atlantis: boundServiceAccountNames holds "*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator; list concrete names, or use the long-lived-token or vault-pod reviewer',
  },
  {
    what: "a role audience that is not one of a client-jwt mount's apiAudiences",
    entry: () => {
      const cluster = explicitWith({ mode: "client-jwt", apiAudiences: ["https://kubernetes.default.svc"] }, TEST_CA);
      firstRole(cluster).audience = "vault";
      return cluster;
    },
    problem:
      'checks.yaml:37:19: clusters[0].roles[0].audience: "vault" cannot work with the client-jwt reviewer: Vault presents the pod\'s own token to the TokenReview API as its credential, and the API server accepts only tokens for its own audiences (--api-audiences), so every login would get "permission denied". Drop audience, or use the long-lived-token or vault-pod reviewer; if it is the API server\'s own audience, list it in auth.reviewer.apiAudiences',
    construct: () =>
      kubernetesMount({
        reviewer: Reviewer.clientJwt({ apiAudiences: ["https://kubernetes.default.svc"] }),
      }).addRole("atlantis", { ...ROLE, audience: "vault" }),
    refusal:
      'test/Auth/Roles/atlantis: audience: "vault" cannot work with the client-jwt reviewer: Vault presents the pod\'s own token to the TokenReview API as its credential, and the API server accepts only tokens for its own audiences (--api-audiences), so every login would get "permission denied". Drop audience, or use the long-lived-token or vault-pod reviewer; if it is the API server\'s own audience, list it in auth.reviewer.apiAudiences',
  },
  {
    what: "a namespace selector on a client-jwt mount",
    entry: () => {
      const cluster = explicitWith({ mode: "client-jwt" }, TEST_CA);
      firstRole(cluster).boundServiceAccountNamespaceSelector = { matchLabels: { team: "a" } };
      return cluster;
    },
    problem:
      'checks.yaml:36:11: clusters[0].roles[0].boundServiceAccountNamespaceSelector: needs a reviewer JWT, which the client-jwt reviewer does not store: Vault reads the namespace\'s labels with it (namespace_validator.go:67-70) and answers "namespace not authorized" without; list boundServiceAccountNamespaces, or use the long-lived-token or vault-pod reviewer',
    construct: () =>
      kubernetesMount({ reviewer: Reviewer.clientJwt() }).addRole("atlantis", {
        ...ROLE,
        boundServiceAccountNamespaceSelector: { matchLabels: { team: "a" } },
      }),
    refusal:
      'test/Auth/Roles/atlantis: boundServiceAccountNamespaceSelector: needs a reviewer JWT, which the client-jwt reviewer does not store: Vault reads the namespace\'s labels with it (namespace_validator.go:67-70) and answers "namespace not authorized" without; list boundServiceAccountNamespaces, or use the long-lived-token or vault-pod reviewer',
  },
  {
    what: "an explicit host without a CA (long-lived-token reviewer)",
    entry: () => explicitWith({ mode: "long-lived-token" }),
    problem:
      "checks.yaml:4:7: clusters[0].kubernetes.caCertificate is required with the long-lived-token reviewer (only vault-pod reads Vault's own CA); paste the cluster CA PEM",
    construct: () => kubernetesMount({ kubernetesCaCert: undefined }),
    refusal:
      "test/Auth: kubernetesCaCert is required with the long-lived-token reviewer (only vault-pod reads Vault's own CA); paste the cluster CA PEM",
  },
  {
    what: "an explicit host without a CA (client-jwt reviewer)",
    entry: () => explicitWith({ mode: "client-jwt" }),
    problem:
      "checks.yaml:4:7: clusters[0].kubernetes.caCertificate is required with the client-jwt reviewer (only vault-pod reads Vault's own CA); paste the cluster CA PEM",
    construct: () => kubernetesMount({ kubernetesCaCert: undefined, reviewer: Reviewer.clientJwt() }),
    refusal:
      "test/Auth: kubernetesCaCert is required with the client-jwt reviewer (only vault-pod reads Vault's own CA); paste the cluster CA PEM",
  },
  {
    what: "inCluster beside a kubeconfig",
    entry: () =>
      seedCluster({
        kubernetes: {
          host: "https://k8s.example.com",
          caCertificate: TEST_CA,
          kubeconfig: { context: "test" },
          inCluster: true,
        },
      }),
    problem:
      "checks.yaml:19:18: clusters[0].kubernetes.inCluster is true, so Terraform uses its pod's own ServiceAccount and reads no kubeconfig; drop kubeconfig or inCluster",
    construct: () =>
      ClusterConnection.explicit({ host: "https://k8s.example.com", inCluster: true, kubeconfigContext: "test" }).bind(
        newStack(),
      ),
    refusal:
      "test: inCluster is true, so Terraform uses its pod's own ServiceAccount and reads no kubeconfig; drop kubeconfig or inCluster",
  },
  {
    what: "a token TTL above the max TTL",
    entry: () => {
      const cluster = seedCluster();
      Object.assign(firstRole(cluster), { tokenPeriod: undefined, tokenTtl: "2h", tokenMaxTtl: "1h" });
      return cluster;
    },
    problem:
      'checks.yaml:25:19: clusters[0].roles[0].tokenTtl: "2h" (7200s) is greater than tokenMaxTtl "1h" (3600s); lower tokenTtl or raise tokenMaxTtl',
    construct: () =>
      kubernetesMount().addRole("atlantis", {
        ...ROLE,
        tokenTtl: Duration.hours(2),
        tokenMaxTtl: Duration.hours(1),
      }),
    refusal:
      'test/Auth/Roles/atlantis: tokenTtl: "2h" (7200s) is greater than tokenMaxTtl "1h" (3600s); lower tokenTtl or raise tokenMaxTtl',
  },
  {
    what: "batch tokens with a period",
    entry: () => {
      const cluster = seedCluster();
      firstRole(cluster).tokenType = "batch";
      return cluster;
    },
    problem:
      "checks.yaml:26:20: clusters[0].roles[0].tokenType is batch, but batch tokens cannot be periodic: Vault refuses the role (\"'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens\", vault/sdk helper/tokenutil/tokenutil.go:225-228); drop tokenPeriod or use token type service",
    construct: () =>
      kubernetesMount().addRole("atlantis", { ...ROLE, tokenType: "batch", tokenPeriod: Duration.minutes(30) }),
    refusal:
      "test/Auth/Roles/atlantis: tokenType is batch, but batch tokens cannot be periodic: Vault refuses the role (\"'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens\", vault/sdk helper/tokenutil/tokenutil.go:225-228); drop tokenPeriod or use token type service",
  },
  {
    what: "a role with neither namespaces nor a namespace selector",
    entry: () => {
      const cluster = seedCluster();
      firstRole(cluster).boundServiceAccountNamespaces = undefined;
      return cluster;
    },
    problem:
      'checks.yaml:18:9: clusters[0].roles[0].boundServiceAccountNamespaces is required (Vault refuses a role with neither namespaces nor a namespace selector); list namespaces, ["*"] for any, or give boundServiceAccountNamespaceSelector',
    construct: () => kubernetesMount().addRole("atlantis", { ...ROLE, boundServiceAccountNamespaces: undefined }),
    refusal:
      'test/Auth/Roles/atlantis: boundServiceAccountNamespaces is required (Vault refuses a role with neither namespaces nor a namespace selector); list namespaces, ["*"] for any, or give boundServiceAccountNamespaceSelector',
  },
  {
    what: "a jwt role without namespaces",
    entry: () => {
      const cluster = jwtWith();
      firstRole(cluster).boundServiceAccountNamespaces = undefined;
      return cluster;
    },
    problem:
      'checks.yaml:13:9: clusters[0].roles[0].boundServiceAccountNamespaces is required (Vault refuses a role with neither namespaces nor a namespace selector); list namespaces, ["*"] for any, or give boundServiceAccountNamespaceSelector',
    construct: () =>
      jwtMount().addRole("atlantis", { ...ROLE, boundServiceAccountNamespaces: undefined, audience: "vault" }),
    refusal:
      'test/Auth/Roles/atlantis: boundServiceAccountNamespaces is required (Vault refuses a role with neither namespaces nor a namespace selector); list namespaces, ["*"] for any, or give boundServiceAccountNamespaceSelector',
  },
  {
    what: "a jwt role without an audience",
    entry: () => {
      const cluster = jwtWith();
      firstRole(cluster).audience = undefined;
      return cluster;
    },
    problem:
      'checks.yaml:13:9: clusters[0].roles[0].audience is required with auth.method: jwt: Vault refuses any token with an aud claim on a role without audiences ("audience claim found in JWT but no audiences bound to the role", vault-plugin-auth-jwt v0.25.0 path_login.go:164-180), and Kubernetes tokens always carry one; set audience (e.g. "vault") and mount a projected token with it',
    construct: () => jwtMount().addRole("atlantis", ROLE),
    refusal:
      'test/Auth/Roles/atlantis: audience is required with auth.method: jwt: Vault refuses any token with an aud claim on a role without audiences ("audience claim found in JWT but no audiences bound to the role", vault-plugin-auth-jwt v0.25.0 path_login.go:164-180), and Kubernetes tokens always carry one; set audience (e.g. "vault") and mount a projected token with it',
  },
  {
    what: "a namespace selector on a jwt role",
    entry: () => {
      const cluster = jwtWith();
      firstRole(cluster).boundServiceAccountNamespaceSelector = { matchLabels: { team: "a" } };
      return cluster;
    },
    problem:
      "checks.yaml:23:11: clusters[0].roles[0].boundServiceAccountNamespaceSelector: cannot work with auth.method: jwt: Vault matches the token's claims only, and they carry no namespace labels; list boundServiceAccountNamespaces",
    construct: () =>
      jwtMount().addRole("atlantis", {
        ...ROLE,
        audience: "vault",
        boundServiceAccountNamespaceSelector: { matchLabels: { team: "a" } },
      }),
    refusal:
      "test/Auth/Roles/atlantis: boundServiceAccountNamespaceSelector: cannot work with auth.method: jwt: Vault matches the token's claims only, and they carry no namespace labels; list boundServiceAccountNamespaces",
  },
  {
    what: "aliasNameSource serviceaccount_uid on a jwt role",
    entry: () => {
      const cluster = jwtWith();
      firstRole(cluster).aliasNameSource = "serviceaccount_uid";
      return cluster;
    },
    problem:
      'checks.yaml:22:26: clusters[0].roles[0].aliasNameSource: "serviceaccount_uid" cannot be kept with auth.method: jwt, which names the alias after sub (system:serviceaccount:<namespace>:<name>), per name like serviceaccount_name; remove aliasNameSource or set serviceaccount_name',
    construct: () =>
      jwtMount().addRole("atlantis", { ...ROLE, audience: "vault", aliasNameSource: "serviceaccount_uid" }),
    refusal:
      'test/Auth/Roles/atlantis: aliasNameSource: "serviceaccount_uid" cannot be kept with auth.method: jwt, which names the alias after sub (system:serviceaccount:<namespace>:<name>), per name like serviceaccount_name; remove aliasNameSource or set serviceaccount_name',
  },
  {
    what: "a jwt issuer Vault cannot discover keys at",
    entry: () => jwtWith({ issuer: "http://k8s.example.com" }),
    problem:
      'checks.yaml:8:17: clusters[0].auth.jwt.issuer: "http://k8s.example.com" is not a URL Vault can discover keys at; use the issuer exactly as the cluster\'s tokens carry it in iss (kubectl get --raw /.well-known/openid-configuration shows it), an https:// URL; or give publicKeys when Vault cannot reach it',
    construct: () => JwtIssuer.discovery({ issuer: "http://k8s.example.com" }),
    refusal:
      'JwtIssuer.discovery: issuer: "http://k8s.example.com" is not a URL Vault can discover keys at; use the issuer exactly as the cluster\'s tokens carry it in iss (kubectl get --raw /.well-known/openid-configuration shows it), an https:// URL; or give publicKeys when Vault cannot reach it',
  },
  {
    what: "an empty list of jwt public keys",
    entry: () => jwtWith({ issuer: "https://k8s.example.com", publicKeys: [] }),
    problem:
      "checks.yaml:9:21: clusters[0].auth.jwt.publicKeys is empty; list the PEM public keys, or leave publicKeys out to use discovery",
    construct: () => JwtIssuer.publicKeys({ issuer: "https://k8s.example.com", publicKeys: [] }),
    refusal:
      "JwtIssuer.publicKeys: publicKeys is empty; list the PEM public keys, or leave publicKeys out to use discovery",
  },
  {
    what: "a policy path with a '*' before its end",
    entry: () =>
      seedCluster({ policies: [{ name: "admin", rules: [{ path: "secret/*/config", capabilities: ["read"] }] }] }),
    problem:
      'checks.yaml:17:19: clusters[0].policies[0].rules[0].path: "secret/*/config" has "*" before the end, where Vault reads it as a literal "*" (only a final "*" is a glob, vault/policy.go), so it would match only paths that contain "*"; use "+" for one whole segment (e.g. secret/data/+/config) or end the path in *',
    construct: () =>
      new VaultPolicy(newStack(), "Policy", {
        name: "admin",
        rules: [{ path: "secret/*/config", capabilities: ["read"] }],
      }),
    refusal:
      'test/Policy: rules[0].path: "secret/*/config" has "*" before the end, where Vault reads it as a literal "*" (only a final "*" is a glob, vault/policy.go), so it would match only paths that contain "*"; use "+" for one whole segment (e.g. secret/data/+/config) or end the path in *',
  },
  {
    what: "a policy named default",
    entry: () => {
      const cluster = seedCluster({ policies: [{ name: "default", preset: "admin" }] });
      firstRole(cluster).tokenPolicies = ["default"];
      return cluster;
    },
    problem: 'checks.yaml:15:15: clusters[0].policies[0].name: "default" is reserved by Vault; choose another name',
    construct: () =>
      new VaultPolicy(newStack(), "Policy", { name: "default", rules: [{ path: "*", capabilities: ["read"] }] }),
    refusal: 'test/Policy: name: "default" is reserved by Vault; choose another name',
  },
  {
    what: "a policy without rules",
    entry: () => seedCluster({ policies: [{ name: "admin", rules: [] }] }),
    problem:
      "checks.yaml:16:16: clusters[0].policies[0].rules: a policy needs at least one rule (or preset: admin); e.g. - kvRead: { mount: secret, path: myscrt }",
    construct: () => validateTree(new VaultPolicy(newStack(), "Policy", { name: "admin", rules: [] })),
    refusal:
      "test/Policy: rules: a policy needs at least one rule (or preset: admin); e.g. - kvRead: { mount: secret, path: myscrt }",
  },
  {
    what: '"*" beside names in a bound list',
    entry: () => {
      const cluster = seedCluster();
      firstRole(cluster).boundServiceAccountNames = ["*", "atlantis"];
      return cluster;
    },
    problem:
      'checks.yaml:20:11: clusters[0].roles[0].boundServiceAccountNames: ["*","atlantis"] mixes "*" with names, which Vault rejects; use ["*"] alone or only names',
    construct: () => kubernetesMount().addRole("atlantis", { ...ROLE, boundServiceAccountNames: ["*", "atlantis"] }),
    refusal:
      'test/Auth/Roles/atlantis: boundServiceAccountNames: ["*","atlantis"] mixes "*" with names, which Vault rejects; use ["*"] alone or only names',
  },
  {
    what: "an empty list of token CIDRs",
    entry: () => {
      const cluster = seedCluster();
      firstRole(cluster).tokenBoundCidrs = [];
      return cluster;
    },
    problem:
      "checks.yaml:26:26: clusters[0].roles[0].tokenBoundCidrs is empty; list address blocks such as 10.0.0.0/16, or leave tokenBoundCidrs out",
    construct: () => kubernetesMount().addRole("atlantis", { ...ROLE, tokenBoundCidrs: [] }),
    refusal:
      "test/Auth/Roles/atlantis: tokenBoundCidrs is empty; list address blocks such as 10.0.0.0/16, or leave tokenBoundCidrs out",
  },
  {
    what: "an empty namespace selector",
    entry: () => {
      const cluster = seedCluster();
      firstRole(cluster).boundServiceAccountNamespaceSelector = { matchLabels: {} };
      return cluster;
    },
    problem:
      'checks.yaml:27:24: clusters[0].roles[0].boundServiceAccountNamespaceSelector.matchLabels is empty, and an empty selector admits every namespace; name labels, or use boundServiceAccountNamespaces: ["*"] if every namespace is meant',
    construct: () =>
      kubernetesMount().addRole("atlantis", { ...ROLE, boundServiceAccountNamespaceSelector: { matchLabels: {} } }),
    refusal:
      'test/Auth/Roles/atlantis: boundServiceAccountNamespaceSelector.matchLabels is empty, and an empty selector admits every namespace; name labels, or use boundServiceAccountNamespaces: ["*"] if every namespace is meant',
  },
  {
    what: "a ServiceAccount name whose default token Secret name is longer than 253 characters",
    entry: () => seedCluster({ auth: { reviewer: { mode: "long-lived-token", serviceAccountName: "a".repeat(248) } } }),
    problem:
      "checks.yaml:10:29: clusters[0].auth.reviewer.serviceAccountName is 248 characters long, so the token Secret's default name (254 characters, <serviceAccountName>-token) is longer than the 253 Kubernetes allows; set secretName, or shorten serviceAccountName",
    construct: () => kubernetesMount({ reviewer: Reviewer.longLivedToken({ serviceAccountName: "a".repeat(248) }) }),
    refusal:
      "test/Auth/ReviewerServiceAccount: serviceAccountName is 248 characters long, so the token Secret's default name (254 characters, <serviceAccountName>-token) is longer than the 253 Kubernetes allows; set secretName, or shorten serviceAccountName",
  },
  {
    // Vault keeps roles lowercased: vault-plugin-auth-kubernetes v0.23.1 path_role.go:373 stores
    // role/<lowercase>, vault-plugin-auth-jwt v0.25.0 path_role.go:58-60 takes the name as a
    // TypeLowerCaseString. Two spellings would write one role.
    what: "two roles one letter case apart (kubernetes method)",
    entry: () => {
      const cluster = seedCluster();
      cluster.roles.push({ ...firstRole(cluster), name: "Atlantis", boundServiceAccountNames: ["other"] });
      return cluster;
    },
    problem:
      'checks.yaml:26:15: clusters[0].roles[1].name: role name "Atlantis" and "atlantis" at clusters[0].roles[0].name (checks.yaml:18:15) are one role to Vault, which lowercases role names (vault-plugin-auth-kubernetes v0.23.1 backend.go:376, vault-plugin-auth-jwt v0.25.0 path_role.go:58-60): the later would overwrite the earlier; give each role a name of its own',
    construct: () => {
      const mount = kubernetesMount();
      mount.addRole("atlantis", ROLE);
      mount.addRole("Atlantis", ROLE);
    },
    refusal:
      'test/Auth: roles[1].name: role name "Atlantis" and "atlantis" at roles[0].name are one role to Vault, which lowercases role names (vault-plugin-auth-kubernetes v0.23.1 backend.go:376, vault-plugin-auth-jwt v0.25.0 path_role.go:58-60): the later would overwrite the earlier; give each role a name of its own',
  },
  {
    what: "two roles one letter case apart (jwt method)",
    entry: () => {
      const cluster = jwtWith();
      cluster.roles.push({ ...firstRole(cluster), name: "ATLANTIS", boundServiceAccountNames: ["other"] });
      return cluster;
    },
    problem:
      'checks.yaml:22:15: clusters[0].roles[1].name: role name "ATLANTIS" and "atlantis" at clusters[0].roles[0].name (checks.yaml:13:15) are one role to Vault, which lowercases role names (vault-plugin-auth-kubernetes v0.23.1 backend.go:376, vault-plugin-auth-jwt v0.25.0 path_role.go:58-60): the later would overwrite the earlier; give each role a name of its own',
    construct: () => {
      const mount = jwtMount();
      mount.addRole("atlantis", { ...ROLE, audience: "vault" });
      mount.addRole("ATLANTIS", { ...ROLE, audience: "vault" });
    },
    refusal:
      'test/Auth: roles[1].name: role name "ATLANTIS" and "atlantis" at roles[0].name are one role to Vault, which lowercases role names (vault-plugin-auth-kubernetes v0.23.1 backend.go:376, vault-plugin-auth-jwt v0.25.0 path_role.go:58-60): the later would overwrite the earlier; give each role a name of its own',
  },
  {
    // Vault's role path pattern is GenericNameRegex, \w(([\w-.]+)?\w)?, anchored (vault/sdk v0.20.0 framework/path.go:19-21, backend.go:562-568).
    what: "a role name ending in '-', which Vault's role path does not match",
    entry: () => {
      const cluster = seedCluster();
      firstRole(cluster).name = "Atlantis-";
      return cluster;
    },
    problem:
      "checks.yaml:18:15: clusters[0].roles[0].name: \"Atlantis-\" is not a role name; use letters, digits and '_', with '-' and '.' only between them (Vault's role name pattern, GenericNameRegex)",
    construct: () => kubernetesMount().addRole("Atlantis-", ROLE),
    refusal:
      "test/Auth/Roles/Atlantis-: roleName: \"Atlantis-\" is not a role name; use letters, digits and '_', with '-' and '.' only between them (Vault's role name pattern, GenericNameRegex)",
  },
  {
    what: "a bound namespace pattern no namespace can match",
    entry: () => {
      const cluster = seedCluster();
      firstRole(cluster).boundServiceAccountNamespaces = ["team.*"];
      return cluster;
    },
    problem:
      "checks.yaml:22:13: clusters[0].roles[0].boundServiceAccountNamespaces[0]: \"team.*\" can match no valid namespace: with each '*' standing for any run of characters, what is left must be part of a namespace (use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit); e.g. atlantis-* or team-*",
    construct: () => kubernetesMount().addRole("atlantis", { ...ROLE, boundServiceAccountNamespaces: ["team.*"] }),
    refusal:
      "test/Auth/Roles/atlantis: boundServiceAccountNamespaces[0]: \"team.*\" can match no valid namespace: with each '*' standing for any run of characters, what is left must be part of a namespace (use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit); e.g. atlantis-* or team-*",
  },
  {
    what: "a bound name pattern on a client-jwt mount",
    entry: () => {
      const cluster = explicitWith({ mode: "client-jwt" }, TEST_CA);
      firstRole(cluster).boundServiceAccountNames = ["atlantis-*"];
      return cluster;
    },
    problem:
      'checks.yaml:29:11: clusters[0].roles[0].boundServiceAccountNames holds the pattern "atlantis-*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator by name; list concrete names, or use the long-lived-token or vault-pod reviewer',
    construct: () =>
      kubernetesMount({ reviewer: Reviewer.clientJwt() }).addRole("atlantis", {
        ...ROLE,
        boundServiceAccountNames: ["atlantis-*"],
      }),
    refusal:
      'test/Auth/Roles/atlantis: boundServiceAccountNames holds the pattern "atlantis-*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator by name; list concrete names, or use the long-lived-token or vault-pod reviewer',
  },
  {
    what: "a mount path ending in '/'",
    entry: () => seedCluster({ auth: { path: "k8s/" } }),
    problem:
      "checks.yaml:8:13: clusters[0].auth.path: \"k8s/\" is not a Vault mount path; use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)",
    construct: () => kubernetesMount({ path: "k8s/" }),
    refusal:
      "test/Auth: path: \"k8s/\" is not a Vault mount path; use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)",
  },
  {
    what: "a plain-http Kubernetes host",
    entry: () =>
      seedCluster({
        kubernetes: { host: "http://k8s.example.com", caCertificate: TEST_CA, kubeconfig: { context: "test" } },
      }),
    problem:
      'checks.yaml:4:13: clusters[0].kubernetes.host: "http://k8s.example.com" is not an https URL; use the API server\'s https:// URL: https://kubernetes.default.svc for Vault inside the cluster, else the server of `kubectl config view --minify`',
    construct: () => ClusterConnection.explicit({ host: "http://k8s.example.com", caCertificate: TEST_CA }),
    refusal:
      'ClusterConnection.explicit: host: "http://k8s.example.com" is not an https URL; use the API server\'s https:// URL: https://kubernetes.default.svc for Vault inside the cluster, else the server of `kubectl config view --minify`',
  },
  {
    what: "an address block with a prefix past /32",
    entry: () => {
      const cluster = seedCluster();
      firstRole(cluster).tokenBoundCidrs = ["10.0.0.0/33"];
      return cluster;
    },
    problem:
      'checks.yaml:27:13: clusters[0].roles[0].tokenBoundCidrs[0]: "10.0.0.0/33" has prefix length /33, but an IPv4 address has 32 bits',
    construct: () => kubernetesMount().addRole("atlantis", { ...ROLE, tokenBoundCidrs: ["10.0.0.0/33"] }),
    refusal:
      'test/Auth/Roles/atlantis: tokenBoundCidrs[0]: "10.0.0.0/33" has prefix length /33, but an IPv4 address has 32 bits',
  },
  {
    what: "a reviewer namespace with capitals",
    entry: () => seedCluster({ auth: { reviewer: { mode: "long-lived-token", namespace: "Vault" } } }),
    problem:
      "checks.yaml:10:20: clusters[0].auth.reviewer.namespace: \"Vault\" is not a namespace; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    construct: () => kubernetesMount({ reviewer: Reviewer.longLivedToken({ namespace: "Vault" }) }),
    refusal:
      "test/Auth/ReviewerServiceAccount: namespace: \"Vault\" is not a namespace; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
  },
  {
    what: "a label key starting with '-'",
    entry: () => {
      const cluster = seedCluster();
      firstRole(cluster).boundServiceAccountNamespaceSelector = { matchLabels: { "-team": "a" } };
      return cluster;
    },
    problem:
      "checks.yaml:28:13: clusters[0].roles[0].boundServiceAccountNamespaceSelector.matchLabels.-team: \"-team\" is not a label key; use a label key such as team or example.com/team: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/'",
    construct: () =>
      kubernetesMount().addRole("atlantis", {
        ...ROLE,
        boundServiceAccountNamespaceSelector: { matchLabels: { "-team": "a" } },
      }),
    refusal:
      "test/Auth/Roles/atlantis: boundServiceAccountNamespaceSelector.matchLabels.-team: \"-team\" is not a label key; use a label key such as team or example.com/team: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/'",
  },
  {
    what: "a reviewer bindingName that is the namespace reader's binding name",
    entry: () => {
      const cluster = seedCluster();
      authOf(cluster).reviewer = { mode: "long-lived-token", bindingName: "vault-vault-reviewer-namespace-reader" };
      firstRole(cluster).boundServiceAccountNamespaceSelector = { matchLabels: { team: "a" } };
      return cluster;
    },
    problem:
      'checks.yaml:11:22: clusters[0].auth.reviewer.bindingName: "vault-vault-reviewer-namespace-reader" is also the name of the ClusterRoleBinding that lets the reviewer read namespaces for boundServiceAccountNamespaceSelector (<namespace>-<serviceAccountName>-namespace-reader), so this stack would create two bindings of one name and the apply fails with "already exists"; choose another bindingName',
    construct: () =>
      kubernetesMount({
        reviewer: Reviewer.longLivedToken({ bindingName: "vault-vault-reviewer-namespace-reader" }),
      }).addRole("atlantis", {
        boundServiceAccountNames: ["atlantis"],
        boundServiceAccountNamespaceSelector: { matchLabels: { team: "a" } },
      }),
    refusal:
      'test/Auth: reviewer.bindingName: "vault-vault-reviewer-namespace-reader" is also the name of the ClusterRoleBinding that lets the reviewer read namespaces for boundServiceAccountNamespaceSelector (<namespace>-<serviceAccountName>-namespace-reader), so this stack would create two bindings of one name and the apply fails with "already exists"; choose another bindingName',
  },
];

describe("a mistake in the config file is named by the config check, with file:line and the fix", () => {
  test.each(DOUBLED)("$what: synth refuses it at its line and writes nothing", ({ entry, problem }) => {
    expect(synth(entry())).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth synth: checks.yaml has 1 problem; nothing was synthesized:\n  ${problem}\n`,
      wrote: false,
    });
  });
});

describe("the same mistake made with the constructs is refused there, for library users", () => {
  test.each(DOUBLED)("$what: the construct refuses it", ({ construct, refusal }) => {
    expect(validationMessage(construct)).toBe(refusal);
  });
});

describe("the reviewer's default token Secret name, <serviceAccountName>-token, from both sides of 253 characters", () => {
  const named = (length: number, secretName?: string) =>
    seedCluster({
      auth: { reviewer: { mode: "long-lived-token", serviceAccountName: "a".repeat(length), secretName } },
    });

  test("accepts a 247-character serviceAccountName, whose Secret name is exactly 253", () => {
    const result = synth(named(247));
    expect(result).toMatchObject({ code: 0, wrote: true });
    expect(result.stdout).toMatch(/^ok: eks-test: out-\d+\/stacks\/eks-test\/cdk\.tf\.json\n$/);
  });

  test("accepts a 248-character serviceAccountName when secretName is given", () => {
    expect(synth(named(248, "reviewer-token"))).toMatchObject({ code: 0, wrote: true });
  });

  test("accepts a 253-character serviceAccountName with the vault-pod reviewer, which creates no token Secret", () => {
    const vaultPod = seedCluster({ auth: { reviewer: { mode: "vault-pod", serviceAccountName: "a".repeat(253) } } });
    expect(synth(vaultPod)).toMatchObject({ code: 0, wrote: true });
  });
});
