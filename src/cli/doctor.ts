import { diagnoseEveryRole, diagnoseLogin } from "../answers/doctor/doctor";
import { COMMON_HELP, type Command, stringFlag } from "./command";
import { DOCTOR_LIVE_HELP, DOCTOR_LIVE_OPTIONS, doctorLive } from "./doctor-live";
import { printDiagnosis, readJwt, unchecked } from "./doctor-output";
import { loadForCli, pickCluster } from "./load";
import { UsageError } from "./usage-error";

/** `vault-k8s-auth doctor`: why a pod's login is refused, one line per check Vault makes. */
export const doctor: Command = {
  name: "doctor",
  summary: "replay Vault's login checks for a ServiceAccount token and say which one fails",
  help: `Usage: vault-k8s-auth doctor --jwt FILE|- [--role ROLE] [--reviewer-jwt FILE] [--config FILE] [--cluster NAME] [--json]
       vault-k8s-auth doctor --live --mount PATH --role ROLE --jwt FILE|- [--reviewer-jwt FILE] [--json]

Decodes the ServiceAccount JWT and replays, in Vault's own order (vault-plugin-auth-kubernetes
path_login.go), every check Vault's Kubernetes auth makes for the role on the cluster's mount:
role (matched in lowercase, as Vault does), bound address blocks, signing algorithm, the
claims' types, issuer, audience, expiry (against the exact current time), the ServiceAccount
claims' decoding, ServiceAccount name, namespace (names and patterns with *), entity alias,
the reviewer mode, and the TokenReview. One line per check: ok, FAIL (with the field to change
and the value that would work) or skip (not checkable offline, or not checked by Vault).
The Kubernetes method's signature is NOT checked: there is no key offline (Vault leaves it to
the TokenReview too). For a cluster with auth.method: jwt, the JWT method's checks instead
(vault-plugin-auth-jwt path_login.go): bound CIDRs, signature (verified offline against
auth.jwt.publicKeys when they are pinned), algorithm, the claims' types, issuer (bound_issuer),
audience (bound_audiences), expiry and the sub claim against the role's ServiceAccounts.
Without --role, says which roles of the cluster would accept the token.

Flags:
  --jwt FILE|-        the pod's ServiceAccount token; - reads it from stdin
  --role ROLE         the Vault role the pod logs in as
  --reviewer-jwt FILE the reviewer token Vault holds (long-lived-token mode): checks that it
                      belongs to the reviewer and does not expire

${DOCTOR_LIVE_HELP}

Example:
  kubectl exec -n atlantis sts/atlantis -- cat /var/run/secrets/kubernetes.io/serviceaccount/token |
    npx vault-k8s-auth doctor --role atlantis --jwt -
  npx vault-k8s-auth doctor --live --mount kubernetes --role atlantis --jwt token.jwt

${COMMON_HELP}

--json prints {"ok": bool, "checks": [{"name": str, "status": "pass"|"fail"|"skip", "detail": str, "fix"?: str, "verify"?: str}]},
or without --role {"ok": bool, "roles": [{"role": str, "ok": bool, "checks": [...]}]}.`,
  exit: {
    0: "no check fails (without --role: some role accepts the token)",
    1: "a check fails",
    2: "bad usage, a file that cannot be read, a config with problems, a JWT that cannot be decoded, or (--live) Vault could not be read",
  },
  options: {
    role: { type: "string" },
    jwt: { type: "string" },
    "reviewer-jwt": { type: "string" },
    ...DOCTOR_LIVE_OPTIONS,
  },
  maxPositionals: 0,
  run(invocation, io) {
    if (invocation.values.live === true) return doctorLive(invocation, io);
    const jwtSource = stringFlag(invocation, "jwt");
    if (jwtSource === undefined) {
      throw new UsageError("needs --jwt FILE (or --jwt - to read the token from stdin); see --help");
    }
    const jwt = readJwt(jwtSource, "--jwt", io);
    const reviewerSource = stringFlag(invocation, "reviewer-jwt");
    const reviewerJwt = reviewerSource === undefined ? undefined : readJwt(reviewerSource, "--reviewer-jwt", io);
    const { config } = loadForCli(stringFlag(invocation, "config"), io);
    const cluster = pickCluster(config, stringFlag(invocation, "cluster"));
    // Vault compares with the exact current time, not a whole second (cap jwt.go:233-245).
    const now = Date.now() / 1000;
    const roleName = stringFlag(invocation, "role");
    const json = invocation.values.json === true;

    if (roleName === undefined) {
      const verdicts = diagnoseEveryRole({ config, cluster, jwt, now, reviewerJwt });
      const ok = verdicts.some((verdict) => verdict.ok);
      if (json) {
        io.out(`${JSON.stringify({ ok, roles: verdicts })}\n`);
      } else {
        const width = Math.max(...verdicts.map((verdict) => verdict.role.length));
        for (const verdict of verdicts) {
          const failed = verdict.checks.find((check) => check.status === "fail");
          io.out(
            failed
              ? `FAIL  ${verdict.role.padEnd(width)}  ${failed.name}: ${failed.detail}\n`
              : `ok    ${verdict.role.padEnd(width)}  would accept this token${unchecked(cluster)}\n`,
          );
        }
        io.out(`${ok ? "ok" : "FAIL"}: ${summarize(verdicts, cluster.auth.path)}\n`);
      }
      return ok ? 0 : 1;
    }

    const diagnosis = diagnoseLogin({ config, cluster, roleName, jwt, now, reviewerJwt });
    printDiagnosis(io, diagnosis, roleName, unchecked(cluster), json);
    return diagnosis.ok ? 0 : 1;
  },
};

function summarize(verdicts: { role: string; ok: boolean }[], path: string): string {
  const accepting = verdicts.filter((verdict) => verdict.ok).map((verdict) => verdict.role);
  return accepting.length === 0
    ? `no role of auth/${path} accepts this token`
    : `role${accepting.length === 1 ? "" : "s"} ${accepting.join(", ")} of auth/${path} would accept this token`;
}
