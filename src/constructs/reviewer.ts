import type { Construct } from "constructs";
import { readerBindingClashProblems } from "../checks/mount";
import { clientJwtRoleProblems } from "../checks/role";
import { DEFAULTS } from "../domain/defaults";
import {
  clientJwtBindingName,
  DEFAULT_REVIEWER_ACCOUNT,
  defaultBindingName,
  namespaceReaderName,
} from "../domain/reviewer-names";
import type { NamespaceSelector } from "../domain/role-options";
import { NAMESPACE_SELECTOR_NEEDS_REVIEWER } from "../domain/validation";
import { AuthDelegatorBinding, type ServiceAccountRef } from "./auth-delegator-binding";
import type { Adoptable } from "./auth-mount";
import { throwProblems } from "./check";
import { NamespaceReader } from "./namespace-reader";
import { ReviewerServiceAccount, type ReviewerServiceAccountProps } from "./reviewer-service-account";

/** How an auth mount's config is filled in by its reviewer. */
export interface ReviewerConfig {
  /** `token_reviewer_jwt`, or undefined when Vault must not store one. */
  readonly tokenReviewerJwt?: string;
  /** Whether Vault needs the cluster CA in its config (false: it reads its own pod's CA). */
  readonly needsCaCert: boolean;
  /**
   * `disable_local_ca_jwt`: true when Vault must not fall back to its own pod's token and CA.
   * Always sent, `false` included: the attribute is Optional+Computed
   * (terraform-provider-vault v5.6.0 vault/resource_kubernetes_auth_backend_config.go:81-86), so
   * leaving it out after a client-jwt period keeps `true` in state and in Vault, and Vault then
   * never reads its pod token (vault-plugin-auth-kubernetes v0.23.1 backend.go:347-349).
   */
  readonly disableLocalCaJwt: boolean;
  /** Objects that may already exist in the cluster, with their Terraform import ids. */
  readonly adoptable: Adoptable[];
}

/** What a reviewer needs to know about a role of its mount. */
export interface ReviewedRole {
  readonly name: string;
  /** Every pair of a bound name and a bound namespace. */
  readonly serviceAccounts: ServiceAccountRef[];
  readonly audience?: string;
  /** The role's bound lists and selector as given, for the checks a reviewer makes of them. */
  readonly boundServiceAccountNames?: string[];
  readonly boundServiceAccountNamespaces?: string[];
  readonly boundServiceAccountNamespaceSelector?: NamespaceSelector;
}

export type ReviewerMode = "long-lived-token" | "vault-pod" | "client-jwt";

export interface LongLivedTokenReviewerProps extends ReviewerServiceAccountProps {
  /**
   * Name of the ClusterRoleBinding to `system:auth-delegator`. Only a binding named here is
   * adopted by `adoptExisting()`: the default name exists nowhere before this stack creates it.
   * @default - `<namespace>-<serviceAccountName>-auth-delegator`
   */
  readonly bindingName?: string;
}

export interface ClientJwtReviewerProps {
  /**
   * The API server's own audiences (its `--api-audiences`, by default its service account
   * issuer). A role on this mount may bind an audience only from this list: Vault presents the
   * pod's own token to the TokenReview API, and the API server authenticates that bearer only
   * for its own audiences.
   * @default - none: roles of this mount bind no audience
   */
  readonly apiAudiences?: string[];
}

export interface VaultPodReviewerProps {
  /**
   * Vault's own ServiceAccount (the official Helm chart names it after the release).
   * @default "vault"
   */
  readonly serviceAccountName?: string;
  /** @default "vault" */
  readonly namespace?: string;
  /**
   * Name of the ClusterRoleBinding to `system:auth-delegator`. Only a binding named here is
   * adopted by `adoptExisting()`; the Vault Helm chart's own is `<release>-server-binding`.
   * @default - `<namespace>-<serviceAccountName>-auth-delegator`
   */
  readonly bindingName?: string;
  /**
   * Create the binding. Off when the Vault Helm chart's `server.authDelegator` (on by default,
   * hashicorp/vault-helm v0.32.0 values.yaml:518-519) already binds Vault's ServiceAccount as
   * `<release>-server-binding` (templates/server-clusterrolebinding.yaml:15), so the binding has
   * one owner.
   * @default true
   */
  readonly createBinding?: boolean;
}

/**
 * Who presents a JWT to the Kubernetes TokenReview API when Vault checks a pod's login.
 * See https://developer.hashicorp.com/vault/docs/auth/kubernetes#how-to-work-with-short-lived-kubernetes-tokens
 *
 * - `longLivedToken`: a reviewer ServiceAccount with a non-expiring token stored in Vault (the seed's
 *   design; works wherever Vault runs; the token is in Terraform state and never rotates).
 * - `vaultPod`: Vault runs in the cluster and uses its own, rotated pod token and CA.
 * - `clientJwt`: Vault outside the cluster stores nothing; each workload's own JWT reviews
 *   itself, so every ServiceAccount a role binds needs the auth-delegator binding.
 */
export abstract class Reviewer {
  static longLivedToken(props: LongLivedTokenReviewerProps = {}): Reviewer {
    return new LongLivedTokenReviewer(props);
  }

  static vaultPod(props: VaultPodReviewerProps = {}): Reviewer {
    return new VaultPodReviewer(props);
  }

  static clientJwt(props: ClientJwtReviewerProps = {}): Reviewer {
    return new ClientJwtReviewer(props);
  }

  abstract readonly mode: ReviewerMode;

  /** Creates what the mode needs under `scope` and says how to configure the mount. */
  abstract bind(scope: Construct): ReviewerConfig;

  /**
   * Called for each role of the mount. Only `clientJwt` acts: it checks the role's audience and
   * binds the role's ServiceAccounts to `system:auth-delegator`.
   */
  bindRole(_scope: Construct, _mountPath: string, _role: ReviewedRole): void {}

  /** The ServiceAccount whose JWT Vault presents, once `bind` has run; none for `clientJwt`. */
  protected account?: ServiceAccountRef;

  /** The name of the auth-delegator binding `bind` created, if it created one. */
  protected bindingName?: string;

  /**
   * Lets the reviewer read namespaces, for roles with a namespace selector: Vault reads the
   * pod's namespace with the reviewer's JWT. Refused by `clientJwt`, which stores no JWT.
   */
  grantNamespaceRead(scope: Construct, _mountPath: string): NamespaceReader {
    if (this.account === undefined) {
      throwProblems(scope, [
        { path: ["boundServiceAccountNamespaceSelector"], message: NAMESPACE_SELECTOR_NEEDS_REVIEWER },
      ]);
    }
    const account = this.account as ServiceAccountRef;
    const reader = namespaceReaderName(account.namespace, account.name);
    throwProblems(scope, readerBindingClashProblems(this.bindingName, reader));
    return new NamespaceReader(scope, "ReviewerNamespaceReader", {
      name: reader,
      serviceAccount: account,
    });
  }
}

/** A binding is adopted only when the user named it: one under the default name was never created by anyone else. */
function namedBinding(binding: AuthDelegatorBinding, bindingName: string | undefined): Adoptable[] {
  return bindingName === undefined ? [] : [{ resource: binding.resource, importId: binding.name }];
}

class LongLivedTokenReviewer extends Reviewer {
  readonly mode = "long-lived-token";

  constructor(private readonly props: LongLivedTokenReviewerProps) {
    super();
  }

  bind(scope: Construct): ReviewerConfig {
    const account = new ReviewerServiceAccount(scope, "ReviewerServiceAccount", this.props);
    this.account = { name: account.serviceAccountName, namespace: account.namespace };
    const binding = new AuthDelegatorBinding(scope, "ReviewerAuthDelegator", {
      name: this.props.bindingName ?? defaultBindingName(account.namespace, account.serviceAccountName),
      serviceAccounts: [{ name: account.serviceAccountName, namespace: account.namespace }],
    });
    this.bindingName = binding.name;
    // The token Secret is never adopted: the seed's lived in the wrong namespace and never held
    // a token. Nor is a created namespace: adopting it would make this stack destroy it.
    return {
      tokenReviewerJwt: account.token,
      needsCaCert: true,
      disableLocalCaJwt: false,
      adoptable: [
        { resource: account.resource, importId: `${account.namespace}/${account.serviceAccountName}` },
        ...namedBinding(binding, this.props.bindingName),
      ],
    };
  }
}

class VaultPodReviewer extends Reviewer {
  readonly mode = "vault-pod";

  constructor(private readonly props: VaultPodReviewerProps) {
    super();
  }

  bind(scope: Construct): ReviewerConfig {
    const account = {
      serviceAccountName: this.props.serviceAccountName ?? DEFAULT_REVIEWER_ACCOUNT["vault-pod"].serviceAccountName,
      namespace: this.props.namespace ?? DEFAULT_REVIEWER_ACCOUNT["vault-pod"].namespace,
    };
    this.account = { name: account.serviceAccountName, namespace: account.namespace };
    const config = { needsCaCert: false, disableLocalCaJwt: false };
    if (!(this.props.createBinding ?? DEFAULTS.createBinding)) return { ...config, adoptable: [] };
    const binding = new AuthDelegatorBinding(scope, "VaultAuthDelegator", {
      name: this.props.bindingName ?? defaultBindingName(account.namespace, account.serviceAccountName),
      serviceAccounts: [{ name: account.serviceAccountName, namespace: account.namespace }],
    });
    this.bindingName = binding.name;
    return { ...config, adoptable: namedBinding(binding, this.props.bindingName) };
  }
}

class ClientJwtReviewer extends Reviewer {
  readonly mode = "client-jwt";

  constructor(private readonly props: ClientJwtReviewerProps) {
    super();
  }

  bind(): ReviewerConfig {
    return { needsCaCert: true, disableLocalCaJwt: true, adoptable: [] };
  }

  override bindRole(scope: Construct, mountPath: string, role: ReviewedRole): void {
    const { name: roleName, serviceAccounts } = role;
    throwProblems(scope, clientJwtRoleProblems(role, this.props.apiAudiences));
    new AuthDelegatorBinding(scope, "ClientAuthDelegator", {
      name: clientJwtBindingName(mountPath, roleName),
      serviceAccounts,
    });
  }
}
