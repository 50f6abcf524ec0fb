import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeJwt } from "../../src/answers/jwt";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { legacyToken, projectedToken, signedJwt } from "../answers/tokens";
import { cli, scratchDir, writeConfig } from "./harness";

const dir = scratchDir();
const seed = DEFAULT_CONFIG.clusters[0];
writeFileSync(join(dir, "default.jwt"), `${projectedToken()}\n`);
writeFileSync(join(dir, "other.jwt"), projectedToken({ name: "default" }));
const twoClusters = writeConfig(dir, "two.yaml", {
  // Its own policy name and EKS cluster: two clusters may not own policy "admin" on one Vault, nor
  // the reviewer objects in one Kubernetes cluster.
  clusters: [
    seed,
    {
      ...seed,
      name: "other",
      kubernetes: { eks: { clusterName: "other", region: "ap-northeast-1" } },
      auth: { ...seed.auth, path: "k8s/other" },
      policies: [{ name: "other-admin", preset: "admin" }],
      roles: seed.roles.map((role) => ({ ...role, tokenPolicies: ["other-admin"] })),
    },
  ],
});

describe("vault-k8s-auth doctor", () => {
  test("prints one verdict line per check and a closing verdict, exit 0 when none fails", () => {
    const result = cli(["doctor", "--role", "atlantis", "--jwt", "default.jwt"], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe('ok    role            role "atlantis" exists on auth/atlantis');
    expect(lines.filter((line) => /^(ok|FAIL|skip) /.test(line))).toHaveLength(14);
    expect(lines.at(-1)).toBe(
      "ok: Vault would accept this token for role atlantis, if the TokenReview passes (see the skip lines)",
    );
  });

  test("reads the token from stdin with --jwt -", () => {
    const result = cli(["doctor", "--role", "atlantis", "--jwt", "-"], {
      cwd: dir,
      stdin: projectedToken({ namespace: "ci" }),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'FAIL  namespace       namespace "ci" matches none of [atlantis]; Vault says "namespace not authorized" (path_login.go:396-417)\n',
    );
    expect(result.stdout).toContain(
      "                      fix: add ci to clusters[0].roles[0].boundServiceAccountNamespaces\n",
    );
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe('FAIL: Vault refuses this login at "namespace"');
  });

  test("prints the checks as JSON with --json", () => {
    const result = cli(["doctor", "--role", "atlantis", "--jwt", "other.jwt", "--json"], { cwd: dir });
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.ok).toBe(false);
    expect(result.stderr).toBe("");
    expect(parsed.checks).toContainEqual({
      name: "serviceaccount",
      status: "fail",
      detail:
        'ServiceAccount "default" matches none of [atlantis]; Vault says "service account name not authorized" (path_login.go:388-394)',
      fix: "add default to clusters[0].roles[0].boundServiceAccountNames, or run the pod as atlantis",
    });
    expect(parsed.checks).toHaveLength(14);
    for (const check of parsed.checks) expect(["pass", "fail", "skip"]).toContain(check.status);
  });

  test("lists the roles that would accept the token when no --role is given", () => {
    const config = writeConfig(dir, "roles.yaml", {
      clusters: [
        { ...seed, roles: [seed.roles[0], { ...seed.roles[0], name: "ci", boundServiceAccountNames: ["ci"] }] },
      ],
    });
    const result = cli(["doctor", "--config", config, "--jwt", "default.jwt"], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe(
      "ok    atlantis  would accept this token, if the TokenReview passes\n" +
        'FAIL  ci        serviceaccount: ServiceAccount "atlantis" matches none of [ci]; Vault says "service account name not authorized" (path_login.go:388-394)\n' +
        "ok: role atlantis of auth/atlantis would accept this token\n",
    );
    const asJson = cli(["doctor", "--config", config, "--jwt", "default.jwt", "--json"], { cwd: dir });
    expect(asJson).toMatchObject({ code: 0, stderr: "" });
    const json = JSON.parse(asJson.stdout);
    expect(json.roles.map((verdict: { role: string; ok: boolean }) => [verdict.role, verdict.ok])).toEqual([
      ["atlantis", true],
      ["ci", false],
    ]);
  });

  test("sums up when no role accepts the token, and when more than one does", () => {
    const none = writeConfig(dir, "none.yaml", {
      clusters: [{ ...seed, roles: [{ ...seed.roles[0], name: "ci", boundServiceAccountNames: ["ci"] }] }],
    });
    const refused = cli(["doctor", "--config", none, "--jwt", "default.jwt"], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stdout.split("\n").slice(-2)).toEqual(["FAIL: no role of auth/atlantis accepts this token", ""]);
    const both = writeConfig(dir, "both.yaml", {
      clusters: [{ ...seed, roles: [seed.roles[0], { ...seed.roles[0], name: "twin" }] }],
    });
    const accepted = cli(["doctor", "--config", both, "--jwt", "default.jwt"], { cwd: dir });
    expect(accepted.code).toBe(0);
    expect(accepted.stdout.split("\n").slice(-2)).toEqual([
      "ok: roles atlantis, twin of auth/atlantis would accept this token",
      "",
    ]);
  });

  test("checks the cluster --cluster names", () => {
    const result = cli(
      ["doctor", "--config", twoClusters, "--cluster", "other", "--role", "atlantis", "--jwt", "default.jwt"],
      {
        cwd: dir,
      },
    );
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout.split("\n")[0]).toBe('ok    role            role "atlantis" exists on auth/k8s/other');
  });

  test("rejects a config of several clusters without --cluster, naming them, exit 2", () => {
    expect(cli(["doctor", "--config", twoClusters, "--jwt", "default.jwt"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth doctor: the config has 2 clusters; pass --cluster with one of eks-test, other\n",
    });
  });

  test("rejects a missing --jwt, a missing file and a text that is not a JWT, exit 2", () => {
    expect(cli(["doctor", "--role", "atlantis"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth doctor: needs --jwt FILE (or --jwt - to read the token from stdin); see --help\n",
    });
    expect(cli(["doctor", "--jwt", "nope.jwt"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth doctor: --jwt nope.jwt: no such file (looked in ${dir})\n`,
    });
    const secret = "s3cr3t-value-not-a-jwt";
    const result = cli(["doctor", "--jwt", "-"], { cwd: dir, stdin: secret });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^vault-k8s-auth doctor: the JWT is not three base64url parts/);
    expect(result.stderr).not.toContain(secret);
  });

  test.each(["--jwt", "--reviewer-jwt"])(
    "rejects %s naming a directory with the flag, the path and the reason, exit 2, no internal error",
    (flag) => {
      mkdirSync(join(dir, "tokens"), { recursive: true });
      const argv = flag === "--jwt" ? ["--jwt", "tokens"] : ["--jwt", "default.jwt", "--reviewer-jwt", "tokens"];
      expect(cli(["doctor", "--role", "atlantis", ...argv], { cwd: dir })).toEqual({
        code: 2,
        stdout: "",
        stderr: `vault-k8s-auth doctor: ${flag} tokens is a directory; name the token file\n`,
      });
    },
  );

  test.each([
    ["exp", "1e+30", projectedToken({ exp: 1e30 })],
    ["nbf", "-1e+30", projectedToken({ iat: -1e30 })],
    [
      "exp",
      "Infinity",
      projectedToken().replace(/^([^.]*)\.([^.]*)/, (_, header: string, claims: string) => {
        const text = Buffer.from(claims, "base64url")
          .toString()
          .replace(/"exp":\d+/, '"exp":1e400');
        return `${header}.${Buffer.from(text).toString("base64url")}`;
      }),
    ],
  ])("rejects a token whose %s is %s, no date, as input (exit 2), not an internal error", (claim, shown, token) => {
    const result = cli(["doctor", "--role", "atlantis", "--jwt", "-"], { cwd: dir, stdin: token });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth doctor: the JWT's ${claim} claim ${shown} is not a date (seconds since 1970, before the year 10000); is this a ServiceAccount token?\n`,
    });
  });

  test("words the verdict of a jwt-method cluster by its signature, which has no TokenReview", () => {
    const config = writeConfig(dir, "jwt.yaml", {
      clusters: [
        {
          ...seed,
          kubernetes: {},
          auth: {
            method: "jwt",
            path: "atlantis-jwt",
            jwt: { issuer: "https://kubernetes.default.svc.cluster.local" },
          },
          roles: [{ ...seed.roles[0], audience: "vault" }],
        },
      ],
    });
    writeFileSync(join(dir, "vault-aud.jwt"), projectedToken({ aud: ["vault"] }));
    const one = cli(["doctor", "--config", config, "--role", "atlantis", "--jwt", "vault-aud.jwt"], { cwd: dir });
    expect(one.code).toBe(0);
    expect(one.stdout.trimEnd().split("\n").at(-1)).toBe(
      "ok: Vault would accept this token for role atlantis, if its signature verifies against the issuer's keys (see the skip lines)",
    );
    expect(one.stdout).not.toContain("TokenReview");
    const every = cli(["doctor", "--config", config, "--jwt", "vault-aud.jwt"], { cwd: dir });
    expect(every).toMatchObject({ code: 0, stderr: "" });
    expect(every.stdout).toContain(
      "ok    atlantis  would accept this token, if its signature verifies against the issuer's keys\n",
    );
  });

  test("words the verdict of an EKS jwt-method cluster, whose issuer EKS gives, by its signature too", () => {
    const config = writeConfig(dir, "eks-jwt.yaml", {
      clusters: [
        { ...seed, auth: { method: "jwt", path: "atlantis-jwt" }, roles: [{ ...seed.roles[0], audience: "vault" }] },
      ],
    });
    writeFileSync(join(dir, "vault-aud.jwt"), projectedToken({ aud: ["vault"] }));
    const result = cli(["doctor", "--config", config, "--role", "atlantis", "--jwt", "vault-aud.jwt"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe(
      "ok: Vault would accept this token for role atlantis, if its signature verifies against the issuer's keys (see the skip lines)",
    );
  });

  test("with pinned publicKeys, verifies the signature itself and leaves no condition on its ok", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const config = writeConfig(dir, "jwt-pinned.yaml", {
      clusters: [
        {
          ...seed,
          kubernetes: {},
          auth: {
            method: "jwt",
            path: "atlantis-jwt",
            jwt: {
              issuer: "https://kubernetes.default.svc.cluster.local",
              publicKeys: [publicKey.export({ type: "spki", format: "pem" }).toString()],
            },
          },
          roles: [{ ...seed.roles[0], audience: "vault" }],
        },
      ],
    });
    const claims = decodeJwt(projectedToken({ aud: ["vault"] })).claims;
    writeFileSync(join(dir, "pinned.jwt"), signedJwt(claims, "ES256", privateKey));
    const ok = cli(["doctor", "--config", config, "--role", "ATLANTIS", "--jwt", "pinned.jwt"], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(
      "ok    signature  the ES256 signature verifies with one of the 1 key of clusters[0].auth.jwt.publicKeys\n",
    );
    expect(ok.stdout.trimEnd().split("\n").at(-1)).toBe(
      "ok: Vault would accept this token for role ATLANTIS (see the skip lines)",
    );
    writeFileSync(join(dir, "unpinned.jwt"), projectedToken({ aud: ["vault"] }));
    const refused = cli(["doctor", "--config", config, "--role", "atlantis", "--jwt", "unpinned.jwt"], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stdout.trimEnd().split("\n").at(-1)).toBe('FAIL: Vault refuses this login at "signature"');
  });

  test("checks a reviewer JWT given with --reviewer-jwt", () => {
    writeFileSync(join(dir, "reviewer.jwt"), legacyToken("vault", "vault-reviewer"));
    const result = cli(["doctor", "--role", "atlantis", "--jwt", "default.jwt", "--reviewer-jwt", "reviewer.jwt"], {
      cwd: dir,
    });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain(
      "ok    reviewer        the reviewer JWT of vault/vault-reviewer has no exp, so it keeps working\n",
    );
    writeFileSync(join(dir, "expiring-reviewer.jwt"), projectedToken({ namespace: "vault", name: "vault-reviewer" }));
    const expiring = cli(
      ["doctor", "--role", "atlantis", "--jwt", "default.jwt", "--reviewer-jwt", "expiring-reviewer.jwt"],
      { cwd: dir },
    );
    expect(expiring.code).toBe(1);
    expect(expiring.stdout).toMatch(/^FAIL {2}reviewer {8}the reviewer JWT expires at /m);
  });
});

describe("the troubleshooting page's doctor transcript", () => {
  test("is what doctor prints for its scenario (role with audience vault, default token of ServiceAccount default)", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "docs", "troubleshooting.md"), "utf8");
    const block = /```console\n\$ kubectl exec (.*)\n(.*)\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const [, exec, command, transcript] = block as RegExpExecArray;
    expect(exec).toContain("-- cat /var/run/secrets/kubernetes.io/serviceaccount/token |");
    const argv = command
      .trim()
      .replace(/^npx vault-k8s-auth /, "")
      .split(" ");
    const project = join(dir, "readme");
    mkdirSync(project);
    writeConfig(project, "vault-k8s-auth.yaml", {
      clusters: [{ ...seed, roles: [{ ...seed.roles[0], audience: "vault" }] }],
    });
    const result = cli(argv, { cwd: project, stdin: projectedToken({ name: "default", pod: "atlantis-0" }) });
    // The expiry line says when the token expires, which differs on every run.
    const timeless = (text: string) => text.replace(/valid until \S+ \(\d+ min from now/, "valid until (time)");
    expect(result.code).toBe(1);
    expect(timeless(result.stdout)).toBe(timeless(transcript));
  });
});
