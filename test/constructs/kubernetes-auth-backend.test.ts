import { KubernetesAuthBackend, Reviewer } from "../../src/constructs";
import { kubernetesMount, newStack, only, synthJson, validationMessage, warningsOf } from "../helpers";

const backend = () => kubernetesMount({ path: "k8s/prod", reviewer: Reviewer.vaultPod() });

const jwtRole = { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"], audience: "vault" };

describe("KubernetesAuthBackend", () => {
  test("mounts kubernetes auth at the path, keeps it from being destroyed and disables iss validation", () => {
    const { stack } = backend();
    const json = synthJson(stack);
    expect(only(json, "vault_auth_backend")).toMatchObject({
      type: "kubernetes",
      path: "k8s/prod",
      lifecycle: { prevent_destroy: true },
    });
    expect(only(json, "vault_kubernetes_auth_backend_config")).toMatchObject({
      kubernetes_host: "https://kubernetes.example.com",
      disable_iss_validation: true,
    });
  });

  test("lets prevent_destroy be switched off on purpose", () => {
    const stack = newStack();
    new KubernetesAuthBackend(stack, "Auth", {
      kubernetesHost: "https://k",
      reviewer: Reviewer.vaultPod(),
      preventDestroy: false,
    });
    expect(only(synthJson(stack), "vault_auth_backend")).toMatchObject({ lifecycle: { prevent_destroy: false } });
  });

  test.each([
    [
      "/atlantis",
      "is not a Vault mount path; use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)",
    ],
    [
      "atlantis/",
      "is not a Vault mount path; use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)",
    ],
    ["at lantis", "holds a space, which would be written as is; remove it"],
    [
      "token",
      'is the token store\'s mount (auth/token/), which every Vault has: Vault answers "path is already in use at token/"; choose another path, e.g. kubernetes or k8s/prod',
    ],
    [
      "k8s/../prod",
      "has a '.' or '..' segment, which HTTP clients resolve before Vault sees the request (RFC 3986 §5.2.4); name each segment, e.g. k8s/prod",
    ],
  ])("rejects the mount path %j", (path, message) => {
    expect(
      validationMessage(
        () =>
          new KubernetesAuthBackend(newStack(), "Auth", {
            path,
            kubernetesHost: "https://k",
            reviewer: Reviewer.vaultPod(),
          }),
      ),
    ).toBe(`test/Auth: path: ${JSON.stringify(path)} ${message}`);
  });

  test("rejects a non-https Kubernetes host", () => {
    expect(
      validationMessage(
        () =>
          new KubernetesAuthBackend(newStack(), "Auth", {
            kubernetesHost: "http://k:6443",
            reviewer: Reviewer.vaultPod(),
          }),
      ),
    ).toBe(
      'test/Auth: kubernetesHost: "http://k:6443" is not an https URL; use the API server\'s https:// URL: https://kubernetes.default.svc for Vault inside the cluster, else the server of `kubectl config view --minify`',
    );
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
      "test/Auth/Roles/app: boundServiceAccountNamespaces[0]: \"a.b\" has a '.', which a DNS-1123 label (a namespace, a cluster name) cannot have; use '-' instead, or a pattern with \"*\" (e.g. atlantis-*)",
    ],
    [[], 'test/Auth/Roles/app: boundServiceAccountNamespaces is empty; list at least one namespace, or "*" for any'],
    [
      ["*", "app"],
      'test/Auth/Roles/app: boundServiceAccountNamespaces: ["*","app"] mixes "*" with names, which Vault rejects; use ["*"] alone or only names',
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

  // Each reviewer is made inside its test: made while jest collects the table, no test would be
  // credited with the mode it sets (docs/development.md, "Mutation testing").
  test.each([
    ["longLivedToken", () => Reviewer.longLivedToken(), "long-lived-token"],
    ["vaultPod", () => Reviewer.vaultPod(), "vault-pod"],
    ["clientJwt", () => Reviewer.clientJwt(), "client-jwt"],
  ])("reports the mode of a Reviewer.%s reviewer", (_factory, make, mode) => {
    const reviewer = make();
    expect(reviewer.mode).toBe(mode);
    expect(kubernetesMount({ reviewer }).auth.reviewerMode).toBe(mode);
  });
});

describe("a client-jwt mount's adoptExisting", () => {
  test("imports the mount, its config and its roles, and nothing of the reviewer, which owns nothing that exists before", () => {
    const { auth } = kubernetesMount({ reviewer: Reviewer.clientJwt() });
    auth.addRole("app", { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"] });
    expect(auth.adoptExisting().map((adopted) => adopted.importId)).toEqual([
      "kubernetes",
      "auth/kubernetes/config",
      "auth/kubernetes/role/app",
    ]);
  });
});
