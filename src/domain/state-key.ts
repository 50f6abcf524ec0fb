/**
 * The key of a cluster's state object in its S3 bucket when the config names none: one per
 * stack, so two stacks never share a state. The stack writes it; the config check compares it.
 */
export function defaultStateKey(stackId: string): string {
  return `vault-k8s-auth/${stackId}.tfstate`;
}
