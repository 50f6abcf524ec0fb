// The package's one public surface: `exports` in package.json closes every other path, so
// whatever a user may import is listed here by name, and nothing else is API.
export {
  type CheckedConfig,
  type ConfigWarning,
  checkConfigText,
  type LoadedConfig,
  loadConfig,
  parseConfigText,
} from "./config/load";
export type { ClusterConfig, Config, ConfigInput, PolicyConfig, RoleConfig, RuleConfig } from "./config/schema";
export {
  type Adoptable,
  AuthDelegatorBinding,
  type AuthDelegatorBindingProps,
  AuthMethod,
  type AuthMethodName,
  type AuthMount,
  type AuthMountProps,
  type AuthRole,
  type AuthRoleOptions,
  type ClientJwtReviewerProps,
  ClusterConnection,
  type ClusterEndpoint,
  type DiscoveryIssuerProps,
  type EksConnectionProps,
  type EksIssuerProps,
  type ExplicitConnectionProps,
  type IVaultPolicy,
  JwtAuthBackend,
  type JwtAuthBackendProps,
  JwtAuthRole,
  type JwtAuthRoleProps,
  JwtIssuer,
  type JwtIssuerConfig,
  type JwtMethodProps,
  KubernetesAuthBackend,
  type KubernetesAuthBackendProps,
  KubernetesAuthRole,
  type KubernetesAuthRoleOptions,
  type KubernetesAuthRoleProps,
  type KubernetesMethodProps,
  type LongLivedTokenReviewerProps,
  NamespaceReader,
  type NamespaceReaderProps,
  type PublicKeysIssuerProps,
  type ReviewedRole,
  Reviewer,
  type ReviewerConfig,
  type ReviewerMode,
  ReviewerServiceAccount,
  type ReviewerServiceAccountProps,
  type ServiceAccountRef,
  type VaultPodReviewerProps,
  VaultPolicy,
  type VaultPolicyProps,
  validateTree,
} from "./constructs";
export { Duration } from "./domain/duration";
export type { AliasNameSource, NamespaceSelector, TokenType } from "./domain/role-options";
export { ValidationError } from "./domain/validation";
export type { Capability, PolicyRule } from "./policy/capabilities";
export { PolicyPresets, PolicyRules } from "./policy/presets";
export { VaultK8sAuthStack, type VaultK8sAuthStackProps } from "./stacks/vault-k8s-auth-stack";
