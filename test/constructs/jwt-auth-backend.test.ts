import { jwtMount, only, synthJson, validationMessage } from "../helpers";

const mount = () => jwtMount({ path: "k8s-jwt" });

const role = { boundServiceAccountNames: ["app"], boundServiceAccountNamespaces: ["app"], audience: "vault" };

describe("JwtAuthBackend", () => {
  test("keys each role's address by its name, under Roles", () => {
    const { stack, auth } = mount();
    auth.addRole("app", role);
    const [address] = Object.keys(synthJson(stack).resource.vault_jwt_auth_backend_role);
    expect(address).toMatch(/^Auth_Roles_app_[0-9A-F]{8}$/);
    expect(auth.loginPath).toBe("auth/k8s-jwt/login");
  });

  test("adopts an existing mount and roles with the provider's import ids", () => {
    const { auth } = mount();
    auth.addRole("app", role);
    expect(auth.adoptExisting().map((adopted) => adopted.importId)).toEqual(["k8s-jwt", "auth/k8s-jwt/role/app"]);
  });

  test("rejects a role without an audience (vault-plugin-auth-jwt v0.25.0 path_login.go:164-180)", () => {
    const { auth } = mount();
    expect(validationMessage(() => auth.addRole("app", { ...role, audience: undefined }))).toBe(
      'test/Auth/Roles/app: audience is required with auth.method: jwt: Vault refuses any token with an aud claim on a role without audiences ("audience claim found in JWT but no audiences bound to the role", vault-plugin-auth-jwt v0.25.0 path_login.go:164-180), and Kubernetes tokens always carry one; set audience (e.g. "vault") and mount a projected token with it',
    );
  });

  test("rejects a namespace selector, which no claim can express", () => {
    const { auth } = mount();
    expect(
      validationMessage(() =>
        auth.addRole("app", { ...role, boundServiceAccountNamespaceSelector: { matchLabels: { a: "b" } } }),
      ),
    ).toBe(
      "test/Auth/Roles/app: boundServiceAccountNamespaceSelector: cannot work with auth.method: jwt: Vault matches the token's claims only, and they carry no namespace labels; list boundServiceAccountNamespaces",
    );
  });

  test("rejects a namespace selector for the method, without first judging its labels", () => {
    // A selector whose label key Kubernetes refuses is still the jwt method's mistake first: no claim
    // carries labels, so listing namespaces is the fix, not another key.
    const { auth } = mount();
    const selector = { matchLabels: { "-bad-key": "b" } };
    expect(
      validationMessage(() => auth.addRole("app", { ...role, boundServiceAccountNamespaceSelector: selector })),
    ).toBe(
      "test/Auth/Roles/app: boundServiceAccountNamespaceSelector: cannot work with auth.method: jwt: Vault matches the token's claims only, and they carry no namespace labels; list boundServiceAccountNamespaces",
    );
  });

  test("rejects aliases per ServiceAccount UID: the alias is named after sub", () => {
    const { auth } = mount();
    expect(validationMessage(() => auth.addRole("app", { ...role, aliasNameSource: "serviceaccount_uid" }))).toBe(
      'test/Auth/Roles/app: aliasNameSource: "serviceaccount_uid" cannot be kept with auth.method: jwt, which names the alias after sub (system:serviceaccount:<namespace>:<name>), per name like serviceaccount_name; remove aliasNameSource or set serviceaccount_name',
    );
  });

  test("rejects the same role name twice", () => {
    const { auth } = mount();
    auth.addRole("app", role);
    expect(validationMessage(() => auth.addRole("app", role))).toBe(
      'test/Auth: roles[1].name: role name "app" is already used by roles[0]; names must be unique',
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
      "test/Auth: path: \"jwt/\" is not a Vault mount path; use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)",
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
    auth.addRole("app", role);
    auth.addRole("app-2", role);
    expect(auth.roles.map((role) => role.roleName)).toEqual(["app", "app-2"]);
    const roles = Object.values(synthJson(stack).resource.vault_jwt_auth_backend_role);
    expect(roles.map((role) => role.role_name).sort()).toEqual(["app", "app-2"]);
  });

  test.each([
    [
      "a ServiceAccount name that is not a DNS subdomain",
      { boundServiceAccountNames: ["App"] },
      "test/Auth/Roles/app: boundServiceAccountNames[0]: \"App\" is not a valid ServiceAccount name; use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit, or a pattern with \"*\" (e.g. atlantis-*)",
    ],
    [
      "a namespace that is not a DNS label",
      { boundServiceAccountNamespaces: ["a.b"] },
      "test/Auth/Roles/app: boundServiceAccountNamespaces[0]: \"a.b\" has a '.', which a DNS-1123 label (a namespace, a cluster name) cannot have; use '-' instead, or a pattern with \"*\" (e.g. atlantis-*)",
    ],
    [
      "a role without namespaces",
      { boundServiceAccountNamespaces: undefined },
      'test/Auth/Roles/app: boundServiceAccountNamespaces is required (Vault refuses a role with neither namespaces nor a namespace selector); list namespaces, ["*"] for any, or give boundServiceAccountNamespaceSelector',
    ],
  ])("rejects %s, naming the role's field", (_case, change, message) => {
    const { auth } = jwtMount();
    expect(validationMessage(() => auth.addRole("app", { ...role, ...change }))).toBe(message);
  });

  test("rejects a role name Vault refuses, naming the field", () => {
    const { auth } = jwtMount();
    expect(validationMessage(() => auth.addRole("app/ci", role))).toBe(
      "test/Auth/Roles/app--ci: roleName: \"app/ci\" is not a role name; use letters, digits and '_', with '-' and '.' only between them (Vault's role name pattern, GenericNameRegex)",
    );
  });

  test("hands out a copy of its role list, which a caller cannot change", () => {
    const { auth } = jwtMount();
    const first = auth.addRole("app", role);
    auth.roles.pop();
    expect(auth.roles).toEqual([first]);
  });
});
