/**
 * The checks of Vault's Kubernetes auth method at login, in its order. Source:
 * hashicorp/vault-plugin-auth-kubernetes v0.23.1 `path_login.go` (the version Vault 1.21.2's
 * go.mod pins), which parses the token with go-jose v4, validates the claims with hashicorp/cap
 * v0.11.0 `jwt/jwt.go` and go-jose v3.0.4, then asks the API server in `token_review.go`. Line
 * numbers below are of those files at those versions. The role lookup comes first for every
 * method, so the doctor runs it (doctor.ts).
 */
import { goGlob } from "../../formats/glob";
import type { ServiceAccountJwt } from "../jwt";
import { registeredClaims } from "./jwt-login";
import { clusterField, fail, type LoginCheck, pass, roleField, skip } from "./login-check";
import { checkTimes, date } from "./times";

/** path_login.go:40-53: the algorithms Kubernetes signs with; ParseSigned refuses others (line 323). */
const ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"];

const list = (values: readonly string[]) => `[${values.join(", ")}]`;
const quote = (value: string) => JSON.stringify(value);

/**
 * Whether an audience is plausibly the API server's own: kubelet's default token carries the
 * API server's audiences, which default to its issuer (kube-apiserver --api-audiences), and
 * `https://kubernetes.default.svc[.cluster.local]` on kubeadm, kind and EKS. Only `warnafter`
 * (set on the default token alone) is certain; the rest is a good guess, and said to be one.
 */
function apiServerAudience(jwt: ServiceAccountJwt): string | undefined {
  return jwt.audiences.find(
    (aud) => aud === jwt.issuer || /^https:\/\/kubernetes\.default\.svc(\.|$)/.test(aud) || jwt.warnAfter !== undefined,
  );
}

/** What kind of token it is, in the words of a fix. */
function describeToken(jwt: ServiceAccountJwt): string {
  if (jwt.kind === "legacy")
    return `a legacy Secret-based token (Secret ${jwt.secretName ?? "?"}), which carries no aud`;
  if (jwt.kind === "projected" && apiServerAudience(jwt) !== undefined) {
    return `the pod's default token, whose aud ${list(jwt.audiences)} is the API server's`;
  }
  return `a token with aud ${list(jwt.audiences)}`;
}

/** path_login.go:140-149: checked right after the role is found, before the JWT is read. */
const boundCidrs: LoginCheck = {
  name: "cidr",
  check(attempt) {
    const cidrs = attempt.role.tokenBoundCidrs;
    if (cidrs === undefined) return pass("the role binds no address blocks (tokenBoundCidrs)");
    return skip(
      `not checkable offline: Vault refuses the login ("permission denied") unless the address it sees for the client is in ${list(cidrs)} (${roleField(attempt, "tokenBoundCidrs")})`,
      "the pod's address (kubectl get pod -o wide), or the address of the NAT or proxy between it and Vault, is in one of those blocks",
    );
  },
};

/**
 * path_login.go:320-333: go-jose v4 parses the token with these algorithms only, and Vault turns
 * the error into "permission denied" (path_login.go:165-170); then cap refuses a token whose
 * signature part is empty (jwt.go:145-148, 263-268), with its own words.
 */
const algorithm: LoginCheck = {
  name: "algorithm",
  check({ jwt }) {
    const alg = String(jwt.header.alg);
    if (!ALGORITHMS.includes(alg)) {
      return fail(
        `signed with ${quote(alg)}; Vault parses only ${ALGORITHMS.join(", ")} and answers "permission denied" (path_login.go:165-170, 320-333)`,
        "use a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
      );
    }
    return jwt.signature.length > 0
      ? pass(`signed with ${alg}, one Vault parses (path_login.go:40-53)`)
      : fail(
          'the token\'s signature part is empty; Vault says "invalid algorithm (alg) header parameter: token must be signed" (cap jwt.go:145-148, 263-268)',
          "use a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
        );
  },
};

const signature: LoginCheck = {
  name: "signature",
  check: () =>
    skip(
      "not checkable offline, and not checked by Vault either: with no pem_keys (this project sets none) it reads " +
        "the claims unverified (path_login.go:358-363) and leaves the signature to the TokenReview",
    ),
};

const issuer: LoginCheck = {
  name: "issuer",
  check(attempt) {
    if (attempt.cluster.auth.disableIssValidation) {
      return skip(
        `issuer validation is off (${clusterField(attempt, "auth.disableIssValidation")}: true), so Vault ignores iss`,
      );
    }
    // A mount written by hand may configure an issuer, which Vault then compares with iss
    // (vault-plugin-auth-kubernetes v0.23.1 path_login.go:344-348); this tool never sets one.
    const configured = attempt.live?.issuer;
    if (configured) {
      const iss = attempt.jwt.issuer ?? "";
      return iss === configured
        ? pass(`iss ${quote(iss)} is the mount's issuer`)
        : fail(
            `iss ${quote(iss)} is not the mount's issuer ${quote(configured)}; Vault says "invalid issuer (iss) claim" (path_login.go:344-348, cap jwt.go)`,
            `set issuer of ${attempt.live?.configPath} to ${quote(iss)} if this token comes from the right cluster, or disable_iss_validation`,
          );
    }
    // path_login.go:343-351: with no issuer configured, Vault sets its own default into the
    // config but leaves the expected issuer empty, so cap compares nothing (jwt.go:161-163).
    return pass(
      `issuer validation is on, but the mount configures no issuer, so Vault compares none (path_login.go:343-351); the token's iss is ${quote(attempt.jwt.issuer ?? "")}`,
    );
  },
};

const audience: LoginCheck = {
  name: "audience",
  check(attempt) {
    const { role, jwt } = attempt;
    if (role.audience === undefined) {
      return pass(
        `the role binds no audience, so any aud is accepted (path_login.go:353-356); the token's is ${list(jwt.audiences)}`,
      );
    }
    if (jwt.audiences.includes(role.audience)) {
      return pass(`the token's aud ${list(jwt.audiences)} includes the role's audience ${quote(role.audience)}`);
    }
    const field = roleField(attempt, "audience");
    const elsewhere = jwt.kind === "projected" && apiServerAudience(jwt) === undefined && jwt.audiences.length > 0;
    return fail(
      `the role wants aud ${quote(role.audience)}, but this is ${describeToken(jwt)} (cap jwt.go:170-172: "invalid audience (aud) claim")`,
      elsewhere
        ? `give the pod a projected token with audience: ${role.audience}, or, if ${quote(jwt.audiences[0])} is meant for Vault, set ${field}: ${jwt.audiences[0]}`
        : `mount a projected ServiceAccount token with audience: ${role.audience} (docs/pods.md: "Bind an audience") and log in with that file, or remove ${field}`,
    );
  },
};

/** ValidateAllowMissingIatNbfExp (path_login.go:375): a token with no time at all passes. */
const lifetime: LoginCheck = {
  name: "expiry",
  check: ({ jwt, now }) => checkTimes(jwt, now, true),
};

/** path_login.go:380-386: the claims decoded into the plugin's serviceAccount record (mapstructure). */
const decoding: LoginCheck = {
  name: "decode",
  check({ jwt }) {
    return jwt.serviceAccountProblem === undefined
      ? pass("the ServiceAccount claims have the types Vault decodes them into (path_login.go:380-386, 429-442)")
      : fail(
          `Vault fails the login decoding the ServiceAccount claims: "${jwt.serviceAccountProblem.replace(/\n+/g, " ")}" (path_login.go:380-386, 429-442)`,
          "log in with a token issued by the cluster (kubelet or kubectl create token), not a hand-made one",
        );
  },
};

/**
 * path_login.go:388-394: "*" alone admits any name; otherwise each entry is matched with go-glob
 * (strutil.StrListContainsGlob), so a pattern such as atlantis-* admits atlantis-x. A token
 * without a name is read as "".
 */
const serviceAccountName: LoginCheck = {
  name: "serviceaccount",
  check(attempt) {
    const { role, jwt } = attempt;
    const name = jwt.serviceAccount.name ?? "";
    const bound = role.boundServiceAccountNames;
    if (bound.length === 1 && bound[0] === "*")
      return pass(`any ServiceAccount name is bound ("*"); this is ${quote(name)}`);
    const match = bound.find((pattern) => goGlob(pattern, name));
    if (match !== undefined) {
      return pass(
        match === name
          ? `ServiceAccount ${quote(name)} is bound`
          : `ServiceAccount ${quote(name)} matches ${quote(match)}`,
      );
    }
    const field = roleField(attempt, "boundServiceAccountNames");
    if (name === "") {
      return fail(
        'the token names no ServiceAccount; Vault says "service account name not authorized"',
        "log in with a Kubernetes ServiceAccount token",
      );
    }
    return fail(
      `ServiceAccount ${quote(name)} matches none of ${list(bound)}; Vault says "service account name not authorized" (path_login.go:388-394)`,
      bound.length === 0
        ? `add ${name} to ${field}`
        : `add ${name} to ${field}, or run the pod as ${bound[0].includes("*") ? `a ServiceAccount that matches ${bound[0]}` : bound[0]}`,
    );
  },
};

/**
 * path_login.go:396-417: the listed namespaces first ("*", or go-glob per entry), then the
 * selector, ORed. The selector needs the namespace's labels, which only the cluster knows.
 */
const serviceAccountNamespace: LoginCheck = {
  name: "namespace",
  check(attempt) {
    const { role, jwt } = attempt;
    const namespace = jwt.serviceAccount.namespace ?? "";
    const bound = role.boundServiceAccountNamespaces ?? [];
    if (bound[0] === "*") return pass(`any namespace is bound ("*"); this is ${quote(namespace)}`);
    const match = bound.find((pattern) => goGlob(pattern, namespace));
    if (match !== undefined) {
      return pass(
        match === namespace
          ? `namespace ${quote(namespace)} is bound`
          : `namespace ${quote(namespace)} matches ${quote(match)}`,
      );
    }
    const selector = role.boundServiceAccountNamespaceSelector;
    if (selector !== undefined && namespace !== "") {
      const labels = Object.entries(selector.matchLabels).map(([key, value]) => `${key}=${value}`);
      return skip(
        `namespace ${quote(namespace)} is ${bound.length > 0 ? `not in ${list(bound)}, so ` : ""}admitted only if its labels match ${labels.join(",")}, which Vault reads from the cluster with the reviewer's JWT (namespace_validator.go:41-58, 60-76)`,
        `kubectl get namespace ${namespace} -l ${labels.join(",")} finds it`,
      );
    }
    return fail(
      `namespace ${quote(namespace)} matches none of ${list(bound)}; Vault says "namespace not authorized" (path_login.go:396-417)`,
      `add ${namespace || "the pod's namespace"} to ${roleField(attempt, "boundServiceAccountNamespaces")}`,
    );
  },
};

/**
 * path_login.go:174-177 and 242-259 (getAliasName): the entity alias is the ServiceAccount's UID
 * by default, or namespace/name. The UID is needed whatever aliasNameSource says: after the
 * TokenReview Vault compares it with the API server's answer (path_login.go:512-518, a failure is
 * "permission denied") and puts it in the token's metadata (198-201).
 */
const alias: LoginCheck = {
  name: "alias",
  check(attempt) {
    const { uid, name, namespace } = attempt.jwt.serviceAccount;
    const token =
      "log in with a Kubernetes ServiceAccount token (every one carries its ServiceAccount's namespace, name and UID)";
    if (attempt.role.aliasNameSource === "serviceaccount_name") {
      if (!name || !namespace) {
        return fail(
          'the token lacks its ServiceAccount\'s namespace or name, so Vault fails with "service account namespace and name must be set" (path_login.go:250-255)',
          token,
        );
      }
      return uid
        ? pass(`the entity alias is ${quote(`${namespace}/${name}`)} (aliasNameSource: serviceaccount_name)`)
        : fail(
            `the entity alias would be ${quote(`${namespace}/${name}`)}, but the token carries no ServiceAccount UID, which Vault compares with the TokenReview's answer whatever aliasNameSource says: "permission denied" (path_login.go:512-518)`,
            token,
          );
    }
    return uid
      ? pass(`the entity alias is the ServiceAccount's UID ${quote(uid)}`)
      : fail(
          'the token carries no ServiceAccount UID, so Vault fails with "could not parse UID from claims" (path_login.go:242-249, 447-457)',
          `${token}; Vault needs the UID whatever ${roleField(attempt, "aliasNameSource")} says (path_login.go:198-201, 512-518)`,
        );
  },
};

/**
 * Who Vault presents to the TokenReview API: the configured reviewer JWT, else the client's
 * own JWT (token_review.go:69-74); in vault-pod mode the reviewer JWT is Vault's own pod token,
 * re-read from disk (backend.go:351-358).
 */
const reviewer: LoginCheck = {
  name: "reviewer",
  check(attempt) {
    const mode = attempt.cluster.auth.reviewer;
    const { jwt, role, reviewerJwt } = attempt;
    const liveReviewer = attempt.live?.reviewer;
    if (liveReviewer === "stored-jwt") {
      // Vault returns only token_reviewer_jwt_set (path_config.go:143), never the JWT or whose it is.
      if (reviewerJwt?.expiresAt !== undefined) {
        return fail(
          `the reviewer JWT expires at ${date(reviewerJwt.expiresAt)}; Vault keeps presenting it, and every login fails from then on`,
          `store a token without exp (a kubernetes.io/service-account-token Secret's) in token_reviewer_jwt of ${attempt.live?.configPath}`,
        );
      }
      return pass(
        `Vault holds a reviewer JWT (token_reviewer_jwt_set) and presents it to the TokenReview API; Vault does not say whose it is${reviewerJwt ? ", and the one given has no exp" : " (pass --reviewer-jwt FILE to check the one you stored)"}`,
      );
    }
    if (liveReviewer === "local-or-client") {
      return pass(
        "no reviewer JWT is stored and disable_local_ca_jwt is false: Vault in a pod presents its own pod's token, Vault elsewhere this client's token (backend.go:352-358)",
      );
    }
    switch (mode.mode) {
      case "client-jwt": {
        if (jwt.kind === "legacy") {
          return pass(
            "client-jwt: this token is also the TokenReview's bearer; the API server accepts legacy tokens as bearers",
          );
        }
        const declared = mode.apiAudiences;
        if (declared !== undefined) {
          const accepted = jwt.audiences.find((aud) => declared.includes(aud));
          return accepted !== undefined
            ? pass(
                `client-jwt: this token is also the TokenReview's bearer (token_review.go:69-74); its aud ${quote(accepted)} is one of the API server's (${clusterField(attempt, "auth.reviewer.apiAudiences")})`,
              )
            : fail(
                `client-jwt: Vault sends this token as the bearer of the TokenReview call (token_review.go:69-74), and its aud ${list(jwt.audiences)} is none of the API server's ${list(declared)}, so the API server refuses it and Vault answers "permission denied"`,
                `log in with a token whose audience is one of ${list(declared)} (the pod's default token), or use ${clusterField(attempt, "auth.reviewer.mode")}: long-lived-token or vault-pod`,
              );
        }
        const api = apiServerAudience(jwt);
        if (api !== undefined) {
          return pass(
            `client-jwt: this token is also the TokenReview's bearer (token_review.go:69-74); its aud ${quote(api)} looks like the API server's, which accepts it`,
          );
        }
        return fail(
          `client-jwt: Vault sends this token as the bearer of the TokenReview call (token_review.go:69-74), and the API server authenticates a bearer only if its aud is one of the API server's (--api-audiences, by default its issuer ${quote(jwt.issuer ?? "?")}); ${list(jwt.audiences)} is not, so Vault answers "permission denied"`,
          role.audience !== undefined
            ? `remove ${roleField(attempt, "audience")} and log in with the pod's default token, or use ${clusterField(attempt, "auth.reviewer.mode")}: long-lived-token or vault-pod`
            : `log in with the pod's default token, or use ${clusterField(attempt, "auth.reviewer.mode")}: long-lived-token or vault-pod`,
        );
      }
      case "vault-pod":
        return pass(
          `vault-pod: Vault presents its own pod's token (ServiceAccount ${mode.namespace}/${mode.serviceAccountName}), re-read as kubelet rotates it (backend.go:351-358)`,
        );
      case "long-lived-token": {
        const account = `${mode.namespace}/${mode.serviceAccountName}`;
        if (reviewerJwt === undefined) {
          return pass(
            `long-lived-token: Vault presents the Secret-based token of ServiceAccount ${account} that the stack creates; it has no exp (pass --reviewer-jwt FILE to check the one Vault holds)`,
          );
        }
        const { name, namespace } = reviewerJwt.serviceAccount;
        if (`${namespace}/${name}` !== account) {
          return fail(
            `the reviewer JWT belongs to ServiceAccount ${namespace}/${name}, not to the configured reviewer ${account}`,
            `set ${clusterField(attempt, "auth.reviewer")} serviceAccountName/namespace to the reviewer's, or give Vault that ServiceAccount's token`,
          );
        }
        if (reviewerJwt.expiresAt !== undefined && reviewerJwt.expiresAt !== 0) {
          return fail(
            `the reviewer JWT expires at ${date(reviewerJwt.expiresAt)}; Vault keeps presenting it, and every login fails from then on`,
            "store the token of the reviewer's kubernetes.io/service-account-token Secret (no exp), as the stack does, or use the vault-pod reviewer",
          );
        }
        return pass(`the reviewer JWT of ${account} has no exp, so it keeps working`);
      }
    }
  },
};

const tokenReview: LoginCheck = {
  name: "tokenreview",
  check(attempt) {
    const { jwt, role } = attempt;
    const mode = attempt.cluster.auth.reviewer;
    // path_login.go:498-501: the role's audience, else the token's own.
    const audiences = role.audience !== undefined ? [role.audience] : jwt.audiences;
    const client = `${jwt.serviceAccount.namespace}:${jwt.serviceAccount.name}`;
    const live = attempt.live?.reviewer;
    const bearer =
      live === "stored-jwt"
        ? "<the reviewer whose JWT Vault holds>"
        : live === "local-or-client"
          ? `<Vault's pod ServiceAccount, or ${client}>`
          : mode.mode === "client-jwt"
            ? client
            : `${mode.namespace}:${mode.serviceAccountName}`;
    return skip(
      `not checkable offline: Vault asks the API server to review the token${audiences.length > 0 ? ` for aud ${list(audiences)}` : ""}, as system:serviceaccount:${bearer}, and compares name, uid and namespace (path_login.go:491-524)`,
      `kubectl auth can-i create tokenreviews.authentication.k8s.io --as=system:serviceaccount:${bearer} says yes (the system:auth-delegator binding); the token's pod or Secret still exists; the mount's kubernetes host and CA are this cluster's`,
    );
  },
};

/**
 * Vault's order after the role lookup: bound CIDRs, parse, claims (decoding, iss, aud, times),
 * the ServiceAccount record, names, alias, then the TokenReview.
 */
export const KUBERNETES_LOGIN_CHECKS: readonly LoginCheck[] = [
  boundCidrs,
  algorithm,
  signature,
  registeredClaims,
  issuer,
  audience,
  lifetime,
  decoding,
  serviceAccountName,
  serviceAccountNamespace,
  alias,
  reviewer,
  tokenReview,
];
