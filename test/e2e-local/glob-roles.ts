import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { API_AUDIENCE } from "./control-plane";
import {
  type Checks,
  cdktf,
  connection,
  expectStatus,
  podLogin,
  type ScenarioContext,
  serviceAccountToken,
  writeConfig,
} from "./scenarios";

/**
 * A role that binds ServiceAccounts by pattern (`atlantis-*`), deployed for real with the
 * project's stack in both methods: Vault matches the Kubernetes method's bound names with go-glob
 * (vault-plugin-auth-kubernetes v0.23.1 path_login.go:388-394), and the JWT method's sub against
 * the role's bound claims with bound_claims_type glob (vault-plugin-auth-jwt v0.25.0
 * claims.go:144-169). ServiceAccount atlantis-x logs in, runner-x is refused, and doctor says so.
 */
export async function globRoles(ctx: ScenarioContext, checks: Checks): Promise<void> {
  const { plane } = ctx;
  for (const name of ["atlantis-x", "runner-x"]) {
    await expectStatus(
      plane.kube("/api/v1/namespaces/atlantis/serviceaccounts", "POST", { metadata: { name } }),
      [201, 409],
    );
  }
  const tokens = {
    matching: await serviceAccountToken(ctx, "atlantis-x", ["vault"], "atlantis-x-aud-vault.jwt"),
    other: await serviceAccountToken(ctx, "runner-x", ["vault"], "runner-x-aud-vault.jwt"),
  };
  const role = {
    name: "atlantis",
    boundServiceAccountNames: ["atlantis-*"],
    boundServiceAccountNamespaces: ["atlantis"],
    tokenPolicies: ["glob-read"],
    audience: "vault",
  };
  const policies = [{ name: "glob-read", rules: [{ kvRead: { mount: "secret", path: "myscrt" } }] }];
  const methods = [
    {
      stack: "globs",
      mount: "atlantis-glob",
      // A reviewer of its own: the first scenario's stack owns vault/vault-reviewer.
      auth: { path: "atlantis-glob", reviewer: { mode: "long-lived-token", serviceAccountName: "glob-reviewer" } },
      refusedAt: "serviceaccount",
    },
    {
      stack: "globs-jwt",
      mount: "atlantis-glob-jwt",
      auth: {
        method: "jwt",
        path: "atlantis-glob-jwt",
        jwt: { issuer: API_AUDIENCE, publicKeys: [plane.serviceAccountPublicKey] },
      },
      refusedAt: "subject",
    },
  ];
  for (const method of methods) {
    const file = writeConfig(ctx, `${method.stack}.json`, {
      clusters: [
        {
          name: method.stack,
          ...connection(plane),
          auth: method.auth,
          policies: method.stack === "globs" ? policies : [{ ...policies[0], name: "glob-jwt-read" }],
          roles: [{ ...role, tokenPolicies: [method.stack === "globs" ? "glob-read" : "glob-jwt-read"] }],
        },
      ],
    });
    const label = `atlantis-* (${method.stack === "globs" ? "kubernetes" : "jwt"} method)`;
    const deployed = await checks.run(`${label}: cdktf deploy applies a role bound to a pattern`, () =>
      cdktf(ctx, "deploy", file, method.stack),
    );
    if (!deployed) continue;
    const doctor = (tokenFile: string) => {
      const run = spawnSync(
        process.execPath,
        [
          join(ctx.root, "bin", "vault-k8s-auth.js"),
          "doctor",
          "--config",
          file,
          "--role",
          "ATLANTIS",
          "--jwt",
          tokenFile,
          "--json",
        ],
        { encoding: "utf8" },
      );
      const report = JSON.parse(run.stdout || "{}") as { checks?: { name: string; status: string }[] };
      return { code: run.status, failed: report.checks?.find((check) => check.status === "fail")?.name };
    };
    await checks.run(
      `${label}: ServiceAccount atlantis-x logs in through scripts/vault-login.sh, as doctor says`,
      () => {
        const login = podLogin(ctx, tokens.matching, method.mount);
        if (login.status !== 0) return `exit ${login.status}: ${login.stderr}`;
        const said = doctor(tokens.matching);
        return said.code === 0 ? undefined : `doctor exited ${said.code}, failing ${said.failed}`;
      },
    );
    await checks.run(`${label}: ServiceAccount runner-x is refused, and doctor names ${method.refusedAt}`, () => {
      const login = podLogin(ctx, tokens.other, method.mount);
      if (login.status !== 1) return `exit ${login.status} (expected 1, refused): ${login.stderr}`;
      const said = doctor(tokens.other);
      return said.code === 1 && said.failed === method.refusedAt
        ? undefined
        : `Vault said ${login.stderr.trim()}; doctor exited ${said.code}, failing ${said.failed}`;
    });
  }
}
