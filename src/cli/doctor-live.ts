import { homedir } from "node:os";
import { type Diagnosis, diagnoseLogin } from "../answers/doctor/doctor";
import { fail, pass } from "../answers/doctor/login-check";
import { vaultPaths } from "../answers/live/desired";
import { liveLoginQuestion } from "../answers/live/login-inputs";
import { didYouMean } from "../domain/validation";
import { listRoles, readAuthMounts, readMountConfig, readRole } from "../live/read-vault";
import { VaultClient } from "../live/vault-client";
import { vaultTarget } from "../live/vault-target";
import { type Invocation, stringFlag } from "./command";
import { printDiagnosis, readJwt, unchecked } from "./doctor-output";
import type { Io } from "./io";
import { UsageError } from "./usage-error";

export const DOCTOR_LIVE_OPTIONS = {
  live: { type: "boolean", default: false },
  mount: { type: "string" },
} as const;

export const DOCTOR_LIVE_HELP = `A Vault this tool did not configure (docs/live-vault.md):
  --live --mount PATH --role ROLE   read the role and the mount's config from Vault (no config
                      file), as the vault CLI reads Vault (VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT,
                      VAULT_NAMESPACE), and run the same checks, for kubernetes and jwt mounts.
                      Vault never returns token_reviewer_jwt, and this never needs it`;

/**
 * `doctor --live`: the role and mount config read from Vault, turned into the offline checks'
 * inputs (src/answers/live/login-inputs.ts), and the same checks run in the same order.
 */
export async function doctorLive(invocation: Invocation, io: Io): Promise<number> {
  const jwtSource = stringFlag(invocation, "jwt");
  if (jwtSource === undefined) {
    throw new UsageError("needs --jwt FILE (or --jwt - to read the token from stdin); see --help");
  }
  const mount = stringFlag(invocation, "mount")?.replace(/^\/+|\/+$/g, "");
  const roleName = stringFlag(invocation, "role");
  if (mount === undefined || mount === "" || roleName === undefined) {
    throw new UsageError(
      "--live needs --mount PATH and --role ROLE, e.g. doctor --live --mount kubernetes --role app --jwt token",
    );
  }
  const jwt = readJwt(jwtSource, "--jwt", io);
  const reviewerSource = stringFlag(invocation, "reviewer-jwt");
  const reviewerJwt = reviewerSource === undefined ? undefined : readJwt(reviewerSource, "--reviewer-jwt", io);
  const now = Math.floor(Date.now() / 1000);
  const json = invocation.values.json === true;

  const client = new VaultClient(vaultTarget(io.env, io.cwd, io.env.HOME ?? homedir()));
  let diagnosis: Diagnosis;
  let notes: string[] = [];
  let ending: string;
  try {
    const mounts = await readAuthMounts(client);
    const found = mounts.get(mount);
    if (found === undefined) {
      const known = [...mounts].filter(([, entry]) => ["kubernetes", "jwt"].includes(entry.type)).map(([path]) => path);
      throw new UsageError(
        `Vault has no auth mount at auth/${mount}${didYouMean(mount, known)} (kubernetes and jwt mounts: ${known.join(", ") || "none"})`,
      );
    }
    if (found.type !== "kubernetes" && found.type !== "jwt") {
      throw new UsageError(`auth/${mount} is a ${found.type} auth mount; doctor replays kubernetes and jwt logins`);
    }
    const [role, config] = await Promise.all([readRole(client, mount, roleName), readMountConfig(client, mount)]);
    const rolePath = vaultPaths.role(mount, roleName);
    if (role === undefined) {
      const names = await listRoles(client, mount);
      diagnosis = {
        ok: false,
        checks: [
          {
            name: "role",
            // vault-plugin-auth-kubernetes v0.23.1 path_login.go:132-138; the jwt plugin answers alike.
            ...fail(
              `no role ${JSON.stringify(roleName)} on auth/${mount} (${rolePath} answered 404), so Vault says "invalid role name"${didYouMean(roleName, names)}`,
              names.length > 0 ? `log in as one of ${names.join(", ")}` : `create the role at ${rolePath}`,
            ),
          },
        ],
      };
    } else if (config === undefined) {
      diagnosis = {
        ok: false,
        checks: [
          {
            name: "role",
            ...pass(`role ${JSON.stringify(roleName)} exists on auth/${mount} (read from Vault: ${rolePath})`),
          },
          {
            name: "config",
            ...fail(
              `auth/${mount} has no config (${vaultPaths.config(mount)} answered 404), so Vault refuses every login ("could not load backend configuration")`,
              `write the mount's config at ${vaultPaths.config(mount)}`,
            ),
          },
        ],
      };
    } else {
      const live = liveLoginQuestion({
        mount,
        type: found.type,
        roleName,
        role,
        config,
        jwt,
        now,
        ...(reviewerJwt !== undefined ? { reviewerJwt } : {}),
      });
      diagnosis = diagnoseLogin(live.question);
      notes = live.notReplayed.map((part) => `${rolePath} also has ${part}, which doctor does not replay`);
      ending = unchecked(live.question.cluster);
    }
  } finally {
    client.close();
  }
  ending ??= "";
  printDiagnosis(io, diagnosis, roleName, ending, json);
  for (const note of notes) io.err(`note: ${note}\n`);
  return diagnosis.ok ? 0 : 1;
}
