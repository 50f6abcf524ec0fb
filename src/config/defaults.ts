import type { ConfigInput } from "./schema";

/**
 * The seed's example, used when there is no config file: EKS cluster `eks-test`, mount
 * `atlantis`, reviewer `vault-reviewer` in `vault`, policy `admin`, role `atlantis`.
 * The region is not in the seed; ap-northeast-1 (Tokyo) is assumed, as the post is Japanese.
 * `vault-k8s-auth.yaml` at the repository root says the same, with comments.
 */
export const DEFAULT_CONFIG: ConfigInput = {
  clusters: [
    {
      name: "eks-test",
      kubernetes: { eks: { clusterName: "eks-test", region: "ap-northeast-1" } },
      auth: {
        path: "atlantis",
        reviewer: {
          mode: "long-lived-token",
          serviceAccountName: "vault-reviewer",
          namespace: "vault",
          bindingName: "vault-auth-role-token-review-binding",
        },
      },
      policies: [{ name: "admin", preset: "admin" }],
      roles: [
        {
          name: "atlantis",
          boundServiceAccountNames: ["atlantis"],
          boundServiceAccountNamespaces: ["atlantis"],
          tokenPolicies: ["admin"],
          tokenPeriod: "1800s",
        },
      ],
    },
  ],
};
