import {
  caCertificateProblem,
  defaultSecretNameProblem,
  inClusterProblems,
  readerBindingClashProblems,
} from "../checks/mount";
import { duplicateNames, roleNameProblems } from "../checks/names";
import { policyNameProblems, policyPathRefusal } from "../checks/policy";
import { type Problem, under } from "../checks/problem";
import { clientJwtRoleProblems, roleProblems } from "../checks/role";
import { namespaceReaderName } from "../domain/reviewer-names";
import { show } from "../domain/validation";
import { readCertificateBundle } from "../formats/pem";
import type { RuleConfig } from "./schema";
import type { ClusterView, RoleView } from "./typed-view";

/**
 * The checks of one cluster entry that need more than one field, on the schema's typed parts:
 * the connection's either/or, the reviewer's objects, the policies' paths, unique names, the
 * policies roles name, and each role (src/checks/role.ts, which the role constructs run too).
 * Paths are relative to the entry.
 */
export function clusterProblems(cluster: ClusterView): Problem[] {
  return [
    ...connectionProblems(cluster),
    ...reviewerProblems(cluster),
    ...cluster.policyRules.flatMap((rules, index) => under(["policies", index, "rules"], ruleProblems(rules))),
    ...under(["policies"], duplicateNames(cluster.policyNames, "policy", "policies")),
    ...roleNameProblems(cluster.roleNames),
    ...policyNamesOf(cluster),
    ...cluster.roles.flatMap((role, index) => (role ? under(["roles", index], rolesOnMount(cluster, role)) : [])),
  ];
}

/** The cluster's connection; the jwt method needs none, so it is checked only with the kubernetes method. */
function connectionProblems({ kubernetes, auth }: ClusterView): Problem[] {
  if (kubernetes === undefined) return [];
  const problems: Problem[] = [];
  if (auth?.method === "kubernetes") {
    const { eks, host, caCertificate, kubeconfig, inCluster } = kubernetes;
    const inClusterRefusal = inClusterProblems(inCluster, kubeconfig !== undefined);
    if (eks !== undefined && ((host ?? caCertificate ?? kubeconfig) !== undefined || inCluster)) {
      problems.push({
        path: ["kubernetes"],
        message:
          "give either eks (host and CA come from the cluster) or host + caCertificate + kubeconfig or inCluster, not both",
      });
    } else if (inClusterRefusal.length > 0) {
      problems.push(...under(["kubernetes"], inClusterRefusal));
    } else if (eks === undefined && host === undefined) {
      problems.push({
        path: ["kubernetes"],
        message:
          "says nothing about the cluster; give eks: { clusterName, region }, or host + caCertificate (+ kubeconfig)",
      });
    } else if (eks === undefined && caCertificate === undefined && auth.reviewer.mode !== "vault-pod") {
      problems.push(caCertificateProblem(auth.reviewer.mode, ["kubernetes", "caCertificate"]));
    }
  }
  if (kubernetes.caCertificate !== undefined) {
    // The schema refused a bundle with a problem (pemCertificate), every certificate expired among
    // them: what is left to say is a CA rotation's expired leftovers.
    const { expired } = readCertificateBundle(kubernetes.caCertificate);
    if (expired.length > 0) {
      problems.push({
        path: ["kubernetes", "caCertificate"],
        message: `holds expired certificates next to valid ones: ${expired.join("; ")}; drop them once the CA rotation is done`,
        warning: true,
      });
    }
  }
  return problems;
}

function reviewerProblems({ auth, importExisting, roles }: ClusterView): Problem[] {
  if (auth === undefined) return [];
  const { reviewer } = auth;
  const problems: Problem[] = [];
  if (reviewer.mode === "long-lived-token") {
    problems.push(
      ...under(["auth", "reviewer"], defaultSecretNameProblem(reviewer.serviceAccountName, reviewer.secretName)),
    );
    if (reviewer.createNamespace && importExisting) {
      problems.push({
        path: ["auth", "reviewer", "createNamespace"],
        message: `is true while importExisting adopts objects in namespace ${show(reviewer.namespace)}, which therefore exists already; set createNamespace to false`,
      });
    }
  }
  if (reviewer.mode === "vault-pod" && !reviewer.createBinding && reviewer.bindingName !== undefined) {
    problems.push({
      path: ["auth", "reviewer", "bindingName"],
      message: "names a binding, but createBinding is false, so this stack creates none; drop bindingName",
    });
  }
  // Only a role with a namespace selector makes the stack create the namespace reader's binding.
  if (reviewer.mode !== "client-jwt" && roles.some((view) => view?.role.boundServiceAccountNamespaceSelector)) {
    const reader = namespaceReaderName(reviewer.namespace, reviewer.serviceAccountName);
    problems.push(...under(["auth"], readerBindingClashProblems(reviewer.bindingName, reader)));
  }
  return problems;
}

/**
 * A policy path Vault refuses is refused here; one Vault reads otherwise than it looks is warned by
 * the policy construct (synth-warnings.ts predicts it for validate). Relative to the policy's rules.
 */
function ruleProblems(rules: readonly (RuleConfig | undefined)[]): Problem[] {
  const problems: Problem[] = [];
  rules.forEach((rule, position) => {
    if (rule === undefined) return;
    const { kvRead } = rule;
    // kvRead adds data/ and metadata/ itself (KV version 2 serves values and versions there), so
    // a path that starts with one of them is most likely the API path written where the secret's
    // path inside the mount belongs: mount secret, path data/app reads secret/data/data/app.
    // The schema refuses a mount with a trailing '/', so the mount is written out as is.
    const prefix = kvRead?.version === 2 ? /^(data|metadata)\//.exec(kvRead.path)?.[1] : undefined;
    if (kvRead && prefix !== undefined) {
      const { mount, path } = kvRead;
      const inside = path.slice(prefix.length + 1);
      problems.push({
        path: [position, "kvRead", "path"],
        message: `${show(path)} starts with ${prefix}/, but kvRead adds data/ and metadata/ itself (KV version 2), so this rule grants ${mount}/data/${path} and ${mount}/metadata/${path}; write the secret's path inside the mount, ${show(inside)}, for ${mount}/data/${inside}`,
        warning: true,
      });
    }
    const paths: [PropertyKey[], string | undefined][] = [
      [["path"], rule.path],
      [["list"], rule.list],
      [["deny"], rule.deny],
      [["kvRead", "path"], kvRead?.path],
    ];
    for (const [field, value] of paths) {
      const refusal = value === undefined ? undefined : policyPathRefusal(value);
      if (refusal !== undefined) problems.push({ path: [position, ...field], message: refusal });
    }
  });
  return problems;
}

/**
 * The policies roles name. Only when every policy name the entry lists was accepted: a name the
 * schema refused is reported there, and naming it is not a second mistake.
 */
function policyNamesOf(cluster: ClusterView): Problem[] {
  const complete =
    cluster.policyNames.every((name) => name !== undefined) &&
    (cluster.externalPolicies?.length ?? 0) ===
      (Array.isArray(cluster.raw.externalPolicies) ? cluster.raw.externalPolicies.length : 0);
  const problems = policyNameProblems({
    policies: cluster.policyNames,
    externalPolicies: cluster.externalPolicies,
    roles: cluster.roles.map((view) => view?.role),
  });
  return complete ? problems : problems.filter((problem) => problem.path[0] === "externalPolicies");
}

/**
 * A role's own checks, and those of the mount it is on (the method, a client-jwt reviewer), on the
 * fields the schema accepted. A check about a refused field is the schema's: left out, as is
 * "namespaces are required" when the namespace selector was refused.
 */
function rolesOnMount({ auth }: ClusterView, { role, holes }: RoleView): Problem[] {
  const problems = roleProblems(role, auth?.method);
  if (auth?.method === "kubernetes" && auth.reviewer.mode === "client-jwt") {
    problems.push(...clientJwtRoleProblems(role, auth.reviewer.apiAudiences));
  }
  if (holes.has("boundServiceAccountNamespaceSelector")) holes = new Set([...holes, "boundServiceAccountNamespaces"]);
  return problems.filter((problem) => !holes.has(String(problem.path[0])));
}
