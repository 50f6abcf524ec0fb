import { Fn } from "cdktf";
import { Construct } from "constructs";
import { defaultSecretNameProblem } from "../checks/mount";
import { DEFAULTS } from "../domain/defaults";
import { DEFAULT_REVIEWER_ACCOUNT, defaultSecretName } from "../domain/reviewer-names";
import { NamespaceV1, SecretV1, ServiceAccountV1 } from "../providers";
import { check, throwProblems } from "./check";

export interface ReviewerServiceAccountProps {
  /**
   * Name of the ServiceAccount whose token Vault presents to the TokenReview API.
   * @default "vault-reviewer"
   */
  readonly serviceAccountName?: string;
  /**
   * Namespace of the ServiceAccount; its token Secret is created in the same namespace.
   * @default "vault"
   */
  readonly namespace?: string;
  /**
   * Name of the long-lived `kubernetes.io/service-account-token` Secret.
   * @default - `<serviceAccountName>-token`
   */
  readonly secretName?: string;
  /**
   * Create the namespace as well, for a Vault outside the cluster where nothing else creates
   * it. Off by default: a namespace shared with Vault must not be owned, and destroyed, by this stack.
   * @default false
   */
  readonly createNamespace?: boolean;
}

/**
 * The reviewer ServiceAccount and its long-lived token.
 *
 * Since Kubernetes 1.24 no token Secret is created for a ServiceAccount automatically, so this
 * construct creates a `kubernetes.io/service-account-token` Secret, in the ServiceAccount's own
 * namespace (a Secret in another namespace is never populated), and waits until the token
 * controller has filled it in. The token does not expire: it lives in Terraform state and in
 * Vault until the Secret is deleted.
 * See https://developer.hashicorp.com/vault/docs/auth/kubernetes#use-long-lived-tokens
 */
export class ReviewerServiceAccount extends Construct {
  readonly serviceAccountName: string;
  readonly namespace: string;
  /** The reviewer JWT, as a sensitive Terraform reference. */
  readonly token: string;
  readonly resource: ServiceAccountV1;

  constructor(scope: Construct, id: string, props: ReviewerServiceAccountProps = {}) {
    super(scope, id);
    const defaults = DEFAULT_REVIEWER_ACCOUNT["long-lived-token"];
    this.serviceAccountName = props.serviceAccountName ?? defaults.serviceAccountName;
    this.namespace = props.namespace ?? defaults.namespace;
    const secretName = props.secretName ?? defaultSecretName(this.serviceAccountName);
    check(this, ["serviceAccountName"], "dns1123Subdomain", this.serviceAccountName, "a ServiceAccount name");
    check(this, ["namespace"], "dns1123Label", this.namespace, "a namespace");
    throwProblems(this, defaultSecretNameProblem(this.serviceAccountName, props.secretName));
    check(this, ["secretName"], "dns1123Subdomain", secretName, "a Secret name");

    // A reference to the created namespace, so Terraform creates it first.
    const namespace =
      (props.createNamespace ?? DEFAULTS.createNamespace)
        ? new NamespaceV1(this, "Namespace", { metadata: { name: this.namespace } }).metadata.name
        : this.namespace;
    const account = new ServiceAccountV1(this, "Resource", {
      metadata: { name: this.serviceAccountName, namespace },
    });

    const secret = new SecretV1(this, "TokenSecret", {
      metadata: {
        name: secretName,
        namespace,
        annotations: { "kubernetes.io/service-account.name": account.metadata.name },
      },
      type: "kubernetes.io/service-account-token",
      waitForServiceAccountToken: true,
    });

    this.resource = account;
    // No default value: a missing token must fail the apply, not configure Vault with "".
    this.token = Fn.sensitive(Fn.lookup(secret.data, "token"));
  }
}
