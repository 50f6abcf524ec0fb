import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "../../src/answers/jwt";
import { jwt, legacyToken, projectedToken } from "../answers/tokens";
import { FakeVault, liveCli } from "./fake-vault";

const dir = mkdtempSync(join(tmpdir(), "vka-doctor-live-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "vault-aud.jwt"), projectedToken({ aud: ["vault"] }));
writeFileSync(join(dir, "other-ns.jwt"), projectedToken({ aud: ["vault"], namespace: "intruders" }));
writeFileSync(join(dir, "api-aud.jwt"), projectedToken());
writeFileSync(join(dir, "legacy.jwt"), legacyToken());
const claims = decodeJwt(projectedToken()).claims;
writeFileSync(join(dir, "empty-aud.jwt"), jwt({ ...claims, aud: "" }));
writeFileSync(join(dir, "one-aud.jwt"), jwt({ ...claims, aud: "vault" }));
writeFileSync(join(dir, "no-aud.jwt"), jwt({ ...claims, aud: undefined }));
writeFileSync(join(dir, "list-no-aud.jwt"), jwt({ ...claims, aud: [] }));
writeFileSync(join(dir, "no-iss.jwt"), jwt({ ...claims, aud: ["vault"], iss: undefined }));

/** A Kubernetes role and a JWT role as the plugins return them (no config file involved). */
const vault = new FakeVault();
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  env = { VAULT_ADDR: await vault.start(), VAULT_TOKEN: "t", HOME: dir };
});
afterAll(() => vault.stop());
beforeEach(() => {
  vault.state = {
    mounts: { k8s: { type: "kubernetes" }, jwt: { type: "jwt" }, userpass: { type: "userpass" } },
    data: {
      "auth/k8s/config": {
        kubernetes_host: "https://k8s:6443",
        disable_iss_validation: true,
        disable_local_ca_jwt: false,
        issuer: "",
        token_reviewer_jwt_set: true,
      },
      "auth/k8s/role/handmade": {
        bound_service_account_names: ["atlantis"],
        bound_service_account_namespaces: ["atlantis"],
        bound_service_account_namespace_selector: "",
        audience: "vault",
        alias_name_source: "serviceaccount_uid",
        token_policies: ["app"],
        token_bound_cidrs: [],
      },
      "auth/jwt/config": {
        bound_issuer: "https://kubernetes.default.svc.cluster.local",
        // Discovery, not pinned keys: these tokens carry a fake signature, which doctor verifies
        // itself against pinned keys.
        jwt_validation_pubkeys: [],
        oidc_discovery_url: "https://kubernetes.default.svc.cluster.local",
      },
      "auth/jwt/role/handmade": {
        role_type: "jwt",
        user_claim: "sub",
        bound_audiences: ["other", "vault"],
        bound_claims: { sub: ["system:serviceaccount:atlantis:atlantis"] },
        bound_claims_type: "string",
        token_policies: ["app"],
        token_bound_cidrs: [],
      },
    },
    keys: { "auth/k8s/role": ["handmade", "other"] },
  };
});

const doctor = (...args: string[]) => liveCli(["doctor", "--live", ...args, "--json"], { cwd: dir, env });
const failing = (result: { stdout: string }) =>
  (JSON.parse(result.stdout) as { checks: { name: string; status: string; fix?: string }[] }).checks.filter(
    (check) => check.status === "fail",
  );

describe("doctor --live (no config: the role and the mount's config read from Vault)", () => {
  test("kubernetes: the same checks in the same order, and ok for a token the role accepts", async () => {
    const result = await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "vault-aud.jwt");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: { name: string; status: string; detail: string }[];
    };
    expect(report.checks.map((check) => check.name)).toEqual([
      "role",
      "cidr",
      "algorithm",
      "signature",
      "claims",
      "issuer",
      "audience",
      "expiry",
      "decode",
      "serviceaccount",
      "namespace",
      "alias",
      "reviewer",
      "tokenreview",
    ]);
    expect(report.checks[0].detail).toBe(
      'role "handmade" exists on auth/k8s (read from Vault: auth/k8s/role/handmade)',
    );
    expect(report.checks[12].detail).toBe(
      "Vault holds a reviewer JWT (token_reviewer_jwt_set) and presents it to the TokenReview API; Vault does not say whose it is (pass --reviewer-jwt FILE to check the one you stored)",
    );
  });

  test("kubernetes: a refusal names the Vault field to change, not a config field", async () => {
    const result = await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "other-ns.jwt");
    expect(result.code).toBe(1);
    expect(failing(result)).toEqual([
      {
        name: "namespace",
        status: "fail",
        detail:
          'namespace "intruders" matches none of [atlantis]; Vault says "namespace not authorized" (path_login.go:396-417)',
        fix: "add intruders to bound_service_account_namespaces of auth/k8s/role/handmade",
      },
    ]);
  });

  test("kubernetes: an issuer the mount configures is compared, as Vault does when validation is on", async () => {
    vault.state.data = {
      ...vault.state.data,
      "auth/k8s/config": {
        ...vault.state.data?.["auth/k8s/config"],
        disable_iss_validation: false,
        issuer: "https://elsewhere",
      },
    };
    const result = await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "vault-aud.jwt");
    expect(failing(result).map((check) => check.name)).toEqual(["issuer"]);
  });

  test("jwt: any of bound_audiences, and sub against the bound claims as Vault holds them", async () => {
    const accepted = await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "vault-aud.jwt");
    expect(accepted.code).toBe(0);
    expect((JSON.parse(accepted.stdout) as { checks: { name: string }[] }).checks.map((check) => check.name)).toEqual([
      "role",
      "cidr",
      "signature",
      "algorithm",
      "claims",
      "issuer",
      "audience",
      "expiry",
      "subject",
    ]);
    const refused = await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "other-ns.jwt");
    // A JWT role has no bound_service_account_* fields: the fix names bound_claims, where sub is bound.
    expect(failing(refused)).toEqual([
      {
        name: "subject",
        status: "fail",
        detail:
          'sub "system:serviceaccount:intruders:atlantis" matches none of [system:serviceaccount:atlantis:atlantis]; Vault says "claim \\"sub\\" does not match any associated bound claim values" (claims.go:137-139)',
        fix: 'add "system:serviceaccount:intruders:atlantis" to the sub list of bound_claims of auth/jwt/role/handmade, or log in with a token of a bound ServiceAccount',
      },
    ]);
    const apiAudience = await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "api-aud.jwt");
    // With none of bound_audiences in the token, the first stands for them, as Vault refuses alike.
    expect(failing(apiAudience)).toEqual([
      {
        name: "audience",
        status: "fail",
        detail:
          'the role binds audience "other", but the token\'s aud is [https://kubernetes.default.svc.cluster.local]; Vault says "invalid audience (aud) claim" (cap jwt.go:170-172)',
        fix: 'mount a projected ServiceAccount token with audience: other (docs/pods.md: "Bind an audience") and log in with that file',
      },
    ]);
  });

  test("kubernetes: the namespace selector Vault holds, in JSON or in YAML, admits a namespace outside the list by its labels", async () => {
    const role = vault.state.data?.["auth/k8s/role/handmade"] ?? {};
    const namespace = async (selector: string) => {
      vault.state.data = {
        ...vault.state.data,
        "auth/k8s/role/handmade": { ...role, bound_service_account_namespace_selector: selector },
      };
      const report = JSON.parse((await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "other-ns.jwt")).stdout);
      return report.checks.find((check: { name: string }) => check.name === "namespace");
    };
    const admitted = (labels: string) => ({
      name: "namespace",
      status: "skip",
      detail: `namespace "intruders" is not in [atlantis], so admitted only if its labels match ${labels}, which Vault reads from the cluster with the reviewer's JWT (namespace_validator.go:41-58, 60-76)`,
      verify: `kubectl get namespace intruders -l ${labels} finds it`,
    });
    expect(await namespace('{"matchLabels":{"team":"a","env":"prod"}}')).toEqual(admitted("team=a,env=prod"));
    expect(await namespace('matchLabels:\n  team: a   # the owners\n  app.kubernetes.io/part-of: "ci"\n')).toEqual(
      admitted("team=a,app.kubernetes.io/part-of=ci"),
    );
    expect(await namespace("{matchLabels: {team: a, env: prod}}")).toEqual(admitted("team=a,env=prod"));
  });

  test("a role Vault does not have fails the role check, naming the roles there are", async () => {
    const result = await doctor("--mount", "k8s", "--role", "handmad", "--jwt", "vault-aud.jwt");
    expect(result.code).toBe(1);
    expect(failing(result)).toEqual([
      {
        name: "role",
        status: "fail",
        detail:
          'no role "handmad" on auth/k8s (auth/k8s/role/handmad answered 404), so Vault says "invalid role name"; did you mean "handmade"?',
        fix: "log in as one of handmade, other",
      },
    ]);
  });

  test("refuses a mount Vault lacks, or one of another kind, exit 2", async () => {
    expect((await doctor("--mount", "k9s", "--role", "r", "--jwt", "vault-aud.jwt")).stderr).toBe(
      'vault-k8s-auth doctor: Vault has no auth mount at auth/k9s; did you mean "k8s"? (kubernetes and jwt mounts: k8s, jwt)\n',
    );
    expect((await doctor("--mount", "userpass", "--role", "r", "--jwt", "vault-aud.jwt")).stderr).toBe(
      "vault-k8s-auth doctor: auth/userpass is a userpass auth mount; doctor replays kubernetes and jwt logins\n",
    );
    expect((await doctor("--role", "r", "--jwt", "vault-aud.jwt")).stderr).toBe(
      "vault-k8s-auth doctor: --live needs --mount PATH and --role ROLE, e.g. doctor --live --mount kubernetes --role app --jwt token\n",
    );
  });

  test("asks for the token first: no --jwt is a usage error, exit 2, before Vault is asked", async () => {
    vault.requests.length = 0;
    expect(await doctor("--mount", "k8s", "--role", "handmade")).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth doctor: needs --jwt FILE (or --jwt - to read the token from stdin); see --help\n",
    });
    expect(vault.requests).toEqual([]);
  });

  test("prints the checks as text without --json, ending with the verdict and what it still rests on", async () => {
    const text = (...args: string[]) => liveCli(["doctor", "--live", ...args], { cwd: dir, env });
    // A nested mount, written with slashes around it: they go, the one inside stays.
    const k8s = (path: string) => vault.state.data?.[`auth/k8s/${path}`] ?? {};
    vault.state.mounts = { ...vault.state.mounts, "team/k8s": { type: "kubernetes" } };
    vault.state.data = {
      ...vault.state.data,
      "auth/team/k8s/config": k8s("config"),
      "auth/team/k8s/role/handmade": k8s("role/handmade"),
    };
    const accepted = await text("--mount", "//team/k8s//", "--role", "handmade", "--jwt", "vault-aud.jwt");
    expect(accepted.code).toBe(0);
    expect(accepted.stdout.split("\n").slice(-2)).toEqual([
      "ok: Vault would accept this token for role handmade, if the TokenReview passes (see the skip lines)",
      "",
    ]);
    const missing = await text("--mount", "k8s", "--role", "nobody", "--jwt", "vault-aud.jwt");
    expect(missing).toEqual({
      code: 1,
      stderr: "",
      stdout:
        'FAIL  role  no role "nobody" on auth/k8s (auth/k8s/role/nobody answered 404), so Vault says "invalid role name"\n' +
        "            fix: log in as one of handmade, other\n" +
        'FAIL: Vault refuses this login at "role"\n',
    });
  });

  test("refuses a mount path that is only slashes, a missing --role, and token files it cannot read, naming the flag", async () => {
    const usage =
      "vault-k8s-auth doctor: --live needs --mount PATH and --role ROLE, e.g. doctor --live --mount kubernetes --role app --jwt token\n";
    expect((await doctor("--mount", "/", "--role", "r", "--jwt", "vault-aud.jwt")).stderr).toBe(usage);
    expect((await doctor("--mount", "k8s", "--jwt", "vault-aud.jwt")).stderr).toBe(usage);
    expect((await doctor("--mount", "k8s", "--role", "r", "--jwt", "nope.jwt")).stderr).toBe(
      `vault-k8s-auth doctor: --jwt nope.jwt: no such file (looked in ${dir})\n`,
    );
    expect(
      (await doctor("--mount", "k8s", "--role", "r", "--jwt", "vault-aud.jwt", "--reviewer-jwt", "nope.jwt")).stderr,
    ).toBe(`vault-k8s-auth doctor: --reviewer-jwt nope.jwt: no such file (looked in ${dir})\n`);
  });

  test("says there are no kubernetes or jwt mounts at all, when Vault has none", async () => {
    vault.state.mounts = { userpass: { type: "userpass" } };
    expect((await doctor("--mount", "k8s", "--role", "r", "--jwt", "vault-aud.jwt")).stderr).toBe(
      "vault-k8s-auth doctor: Vault has no auth mount at auth/k8s (kubernetes and jwt mounts: none)\n",
    );
  });

  test("a mount without roles: the fix is to create the role, at its path", async () => {
    vault.state.keys = {};
    const result = await doctor("--mount", "k8s", "--role", "app", "--jwt", "vault-aud.jwt");
    expect(result.code).toBe(1);
    expect(failing(result)).toEqual([
      {
        name: "role",
        status: "fail",
        detail: 'no role "app" on auth/k8s (auth/k8s/role/app answered 404), so Vault says "invalid role name"',
        fix: "create the role at auth/k8s/role/app",
      },
    ]);
  });

  test("a mount without its config: the role passes, and every login is refused until the config is written", async () => {
    const { "auth/k8s/config": _config, ...rest } = vault.state.data ?? {};
    vault.state.data = rest;
    const result = await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "vault-aud.jwt");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).checks).toEqual([
      {
        name: "role",
        status: "pass",
        detail: 'role "handmade" exists on auth/k8s (read from Vault: auth/k8s/role/handmade)',
      },
      {
        name: "config",
        status: "fail",
        detail:
          'auth/k8s has no config (auth/k8s/config answered 404), so Vault refuses every login ("could not load backend configuration")',
        fix: "write the mount's config at auth/k8s/config",
      },
    ]);
  });

  test("never asks Vault for more than sys/auth, the role and the mount's config", async () => {
    vault.requests.length = 0;
    await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "vault-aud.jwt");
    expect(vault.requests.map((request) => request.url).sort()).toEqual([
      "/v1/auth/k8s/config",
      "/v1/auth/k8s/role/handmade",
      "/v1/sys/auth",
    ]);
  });

  test("kubernetes reviewer as Vault tells it: its pod's token or the client's, and a stored JWT checked for exp", async () => {
    const config = vault.state.data?.["auth/k8s/config"] ?? {};
    vault.state.data = { ...vault.state.data, "auth/k8s/config": { ...config, token_reviewer_jwt_set: false } };
    const local = JSON.parse((await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "vault-aud.jwt")).stdout);
    expect(local.checks.find((check: { name: string }) => check.name === "reviewer")).toEqual({
      name: "reviewer",
      status: "pass",
      detail:
        "no reviewer JWT is stored and disable_local_ca_jwt is false: Vault in a pod presents its own pod's token, Vault elsewhere this client's token (backend.go:352-358)",
    });
    expect(local.checks.find((check: { name: string }) => check.name === "tokenreview").detail).toContain(
      "as system:serviceaccount:<Vault's pod ServiceAccount, or atlantis:atlantis>",
    );
    vault.state.data = { ...vault.state.data, "auth/k8s/config": config };
    const expiring = await doctor(
      "--mount",
      "k8s",
      "--role",
      "handmade",
      "--jwt",
      "vault-aud.jwt",
      "--reviewer-jwt",
      "api-aud.jwt",
    );
    const expiresAt = new Date((decodeJwt(projectedToken()).expiresAt ?? 0) * 1000).toISOString().replace(".000Z", "Z");
    expect(failing(expiring)).toEqual([
      {
        name: "reviewer",
        status: "fail",
        detail: `the reviewer JWT expires at ${expiresAt}; Vault keeps presenting it, and every login fails from then on`,
        fix: "store a token without exp (a kubernetes.io/service-account-token Secret's) in token_reviewer_jwt of auth/k8s/config",
      },
    ]);
  });

  test("jwt: no bound_issuer accepts any iss; no bound sub accepts any ServiceAccount; glob claims match as globs", async () => {
    const role = vault.state.data?.["auth/jwt/role/handmade"] ?? {};
    vault.state.data = {
      ...vault.state.data,
      "auth/jwt/config": { bound_issuer: "", jwt_validation_pubkeys: [], oidc_discovery_url: "https://issuer" },
      "auth/jwt/role/handmade": { ...role, bound_claims: null },
    };
    const openResult = await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "other-ns.jwt");
    expect(openResult.stderr).toBe("");
    const open = JSON.parse(openResult.stdout);
    expect(open.ok).toBe(true);
    expect(open.checks.find((check: { name: string }) => check.name === "subject").detail).toBe(
      'sub "system:serviceaccount:intruders:atlantis" matches the bound "*" (claims.go:144-169)',
    );
    expect(open.checks.find((check: { name: string }) => check.name === "issuer").detail).toBe(
      'the mount binds no issuer (bound_issuer is empty), so any iss is accepted; the token\'s is "https://kubernetes.default.svc.cluster.local"',
    );
    vault.state.data = {
      ...vault.state.data,
      "auth/jwt/role/handmade": {
        ...role,
        bound_claims_type: "glob",
        bound_claims: { sub: ["system:serviceaccount:intru*:*"] },
      },
    };
    expect((await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "other-ns.jwt")).code).toBe(0);
    vault.state.data = {
      ...vault.state.data,
      "auth/jwt/role/handmade": { ...role, bound_claims: { sub: ["system:serviceaccount:intru*:*"] } },
    };
    expect(
      failing(await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "other-ns.jwt")).map((c) => c.name),
    ).toEqual(["subject"]);
  });

  const check = (result: { stdout: string }, name: string) =>
    (JSON.parse(result.stdout) as { checks: { name: string }[] }).checks.find((found) => found.name === name);

  test("kubernetes: every fix and detail names the Vault field and path, not a config field", async () => {
    const result = await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "api-aud.jwt");
    expect(check(result, "issuer")).toEqual({
      name: "issuer",
      status: "skip",
      detail: "issuer validation is off (disable_iss_validation of auth/k8s/config: true), so Vault ignores iss",
    });
    expect(check(result, "audience")).toEqual({
      name: "audience",
      status: "fail",
      detail:
        'the role wants aud "vault", but this is the pod\'s default token, whose aud [https://kubernetes.default.svc.cluster.local] is the API server\'s (cap jwt.go:170-172: "invalid audience (aud) claim")',
      fix: 'mount a projected ServiceAccount token with audience: vault (docs/pods.md: "Bind an audience") and log in with that file, or remove audience of auth/k8s/role/handmade',
    });
  });

  test("kubernetes: the mount's issuer, when it has one, passes the same iss and fails another with the fix", async () => {
    const config = vault.state.data?.["auth/k8s/config"] ?? {};
    const issuer = "https://kubernetes.default.svc.cluster.local";
    vault.state.data = {
      ...vault.state.data,
      "auth/k8s/config": { ...config, disable_iss_validation: false, issuer },
    };
    expect(check(await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "vault-aud.jwt"), "issuer")).toEqual({
      name: "issuer",
      status: "pass",
      detail: `iss "${issuer}" is the mount's issuer`,
    });
    vault.state.data = {
      ...vault.state.data,
      "auth/k8s/config": { ...config, disable_iss_validation: false, issuer: "https://elsewhere" },
    };
    expect(check(await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "no-iss.jwt"), "issuer")).toMatchObject({
      status: "fail",
      detail:
        'iss "" is not the mount\'s issuer "https://elsewhere"; Vault says "invalid issuer (iss) claim" (path_login.go:344-348, cap jwt.go)',
    });
    expect(check(await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "legacy.jwt"), "issuer")).toEqual({
      name: "issuer",
      status: "fail",
      detail:
        'iss "kubernetes/serviceaccount" is not the mount\'s issuer "https://elsewhere"; Vault says "invalid issuer (iss) claim" (path_login.go:344-348, cap jwt.go)',
      fix: 'set issuer of auth/k8s/config to "kubernetes/serviceaccount" if this token comes from the right cluster, or disable_iss_validation',
    });
  });

  test("kubernetes: a stored reviewer JWT is presented to the TokenReview; one given without exp passes", async () => {
    const result = await doctor(
      "--mount",
      "k8s",
      "--role",
      "handmade",
      "--jwt",
      "vault-aud.jwt",
      "--reviewer-jwt",
      "legacy.jwt",
    );
    expect(check(result, "reviewer")).toEqual({
      name: "reviewer",
      status: "pass",
      detail:
        "Vault holds a reviewer JWT (token_reviewer_jwt_set) and presents it to the TokenReview API; Vault does not say whose it is, and the one given has no exp",
    });
    expect(check(result, "tokenreview")).toMatchObject({
      detail:
        "not checkable offline: Vault asks the API server to review the token for aud [vault], as system:serviceaccount:<the reviewer whose JWT Vault holds>, and compares name, uid and namespace (path_login.go:491-524)",
    });
  });

  test("jwt: a role without bound_audiences refuses any token with an aud, as a list or one string (path_login.go:164-180)", async () => {
    const role = vault.state.data?.["auth/jwt/role/handmade"] ?? {};
    vault.state.data = { ...vault.state.data, "auth/jwt/role/handmade": { ...role, bound_audiences: [] } };
    const refused = {
      name: "audience",
      status: "fail",
      detail:
        'the role binds no audience, and Vault refuses every token with an aud claim ("audience claim found in JWT but no audiences bound to the role", path_login.go:164-180)',
      fix: "set bound_audiences of auth/jwt/role/handmade",
    };
    expect(check(await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "vault-aud.jwt"), "audience")).toEqual(
      refused,
    );
    expect(check(await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "one-aud.jwt"), "audience")).toEqual(
      refused,
    );
    for (const file of ["empty-aud.jwt", "list-no-aud.jwt", "no-aud.jwt"]) {
      expect(check(await doctor("--mount", "jwt", "--role", "handmade", "--jwt", file), "audience")).toEqual({
        name: "audience",
        status: "pass",
        detail: "the role binds no audience, and the token has none (path_login.go:164-180)",
      });
    }
  });

  test("kubernetes: a role listing '*' among other names admits any name by glob (path_login.go:388-394)", async () => {
    const role = vault.state.data?.["auth/k8s/role/handmade"] ?? {};
    vault.state.data = {
      ...vault.state.data,
      "auth/k8s/role/handmade": { ...role, bound_service_account_names: ["*", "ci"] },
    };
    expect(
      check(await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "vault-aud.jwt"), "serviceaccount"),
    ).toEqual({ name: "serviceaccount", status: "pass", detail: 'ServiceAccount "atlantis" matches "*"' });
  });

  test("jwt: a bound_issuer is compared exactly, and the fix names it", async () => {
    const config = vault.state.data?.["auth/jwt/config"] ?? {};
    vault.state.data = { ...vault.state.data, "auth/jwt/config": { ...config, bound_issuer: "https://elsewhere" } };
    expect(check(await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "vault-aud.jwt"), "issuer")).toEqual({
      name: "issuer",
      status: "fail",
      detail:
        'iss "https://kubernetes.default.svc.cluster.local" is not the mount\'s bound_issuer "https://elsewhere"; Vault says "invalid issuer (iss) claim" (cap jwt.go:161-163)',
      fix: 'set bound_issuer of auth/jwt/config to "https://kubernetes.default.svc.cluster.local" if this token comes from the right cluster',
    });
  });

  test("jwt: pinned keys are named by Vault's field when none verifies", async () => {
    const config = vault.state.data?.["auth/jwt/config"] ?? {};
    const key =
      "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----";
    vault.state.data = { ...vault.state.data, "auth/jwt/config": { ...config, jwt_validation_pubkeys: [key] } };
    const result = await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "vault-aud.jwt");
    expect(check(result, "signature")).toMatchObject({
      status: "fail",
      fix: "kubectl get --raw /openid/v1/jwks lists the cluster's current keys: put each in jwt_validation_pubkeys of auth/jwt/config as PEM (the cluster may have rotated its key), or log in with a token of this cluster",
    });
  });

  test("jwt: a bound sub written as one string, matched exactly when bound_claims_type is unset (Vault's default string)", async () => {
    const role = vault.state.data?.["auth/jwt/role/handmade"] ?? {};
    const { bound_claims_type: _, ...untyped } = role as Record<string, unknown>;
    vault.state.data = {
      ...vault.state.data,
      "auth/jwt/role/handmade": { ...untyped, bound_claims: { sub: "system:serviceaccount:atlantis:*" } },
    };
    expect(check(await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "vault-aud.jwt"), "subject")).toEqual({
      name: "subject",
      status: "fail",
      detail:
        'sub "system:serviceaccount:atlantis:atlantis" matches none of [system:serviceaccount:atlantis:*]; Vault says "claim \\"sub\\" does not match any associated bound claim values" (claims.go:137-139)',
      fix: 'add "system:serviceaccount:atlantis:atlantis" to the sub list of bound_claims of auth/jwt/role/handmade, or log in with a token of a bound ServiceAccount',
    });
    vault.state.data = {
      ...vault.state.data,
      "auth/jwt/role/handmade": { ...untyped, bound_claims: { sub: "system:serviceaccount:atlantis:atlantis" } },
    };
    expect(check(await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "vault-aud.jwt"), "subject")).toEqual({
      name: "subject",
      status: "pass",
      detail:
        'sub "system:serviceaccount:atlantis:atlantis" matches the bound "system:serviceaccount:atlantis:atlantis" (claims.go:144-169)',
    });
  });

  test("kubernetes: a role that binds namespaces by its selector alone (Vault returns the list as null) and no audience (Vault omits it)", async () => {
    const { audience: _, ...role } = (vault.state.data?.["auth/k8s/role/handmade"] ?? {}) as Record<string, unknown>;
    vault.state.data = {
      ...vault.state.data,
      "auth/k8s/role/handmade": {
        ...role,
        bound_service_account_namespaces: null,
        bound_service_account_namespace_selector: '{"matchLabels":{"team":"a"}}',
      },
    };
    const result = await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "api-aud.jwt");
    expect([check(result, "audience"), check(result, "namespace")]).toEqual([
      {
        name: "audience",
        status: "pass",
        detail:
          "the role binds no audience, so any aud is accepted (path_login.go:353-356); the token's is [https://kubernetes.default.svc.cluster.local]",
      },
      {
        name: "namespace",
        status: "skip",
        detail:
          'namespace "atlantis" is admitted only if its labels match team=a, which Vault reads from the cluster with the reviewer\'s JWT (namespace_validator.go:41-58, 60-76)',
        verify: "kubectl get namespace atlantis -l team=a finds it",
      },
    ]);
  });

  test("kubernetes: with disable_local_ca_jwt and no stored JWT, the client's token is the TokenReview's bearer, as client-jwt", async () => {
    const config = vault.state.data?.["auth/k8s/config"] ?? {};
    vault.state.data = {
      ...vault.state.data,
      "auth/k8s/config": { ...config, token_reviewer_jwt_set: false, disable_local_ca_jwt: true },
    };
    expect(check(await doctor("--mount", "k8s", "--role", "handmade", "--jwt", "vault-aud.jwt"), "reviewer")).toEqual({
      name: "reviewer",
      status: "fail",
      detail:
        'client-jwt: Vault sends this token as the bearer of the TokenReview call (token_review.go:69-74), and the API server authenticates a bearer only if its aud is one of the API server\'s (--api-audiences, by default its issuer "https://kubernetes.default.svc.cluster.local"); [vault] is not, so Vault answers "permission denied"',
      fix: "remove audience of auth/k8s/role/handmade and log in with the pod's default token, or use token_reviewer_jwt and disable_local_ca_jwt of auth/k8s/config: long-lived-token or vault-pod",
    });
  });

  test("names in a note what a hand-made jwt role binds beyond sub", async () => {
    const role = vault.state.data?.["auth/jwt/role/handmade"] ?? {};
    vault.state.data = {
      ...vault.state.data,
      "auth/jwt/role/handmade": {
        ...role,
        bound_subject: "x",
        user_claim: "email",
        bound_claims: { ...(role.bound_claims as object), team: ["a"], env: ["prod"] },
      },
    };
    const result = await doctor("--mount", "jwt", "--role", "handmade", "--jwt", "vault-aud.jwt");
    expect(result.stderr).toBe(
      "note: auth/jwt/role/handmade also has bound_claims team, env (only sub is replayed), which doctor does not replay\n" +
        'note: auth/jwt/role/handmade also has bound_subject "x", which doctor does not replay\n' +
        'note: auth/jwt/role/handmade also has user_claim "email" (the alias is replayed as sub), which doctor does not replay\n',
    );
  });
});
