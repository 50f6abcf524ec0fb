import { App, TerraformStack, Testing } from "cdktf";
import type { IConstruct } from "constructs";
import { stringify } from "yaml";
import { DEFAULT_CONFIG } from "../src/config/defaults";
import { parseConfig, parseConfigText } from "../src/config/load";
import type { ConfigInput } from "../src/config/schema";
import {
  JwtAuthBackend,
  type JwtAuthBackendProps,
  JwtIssuer,
  KubernetesAuthBackend,
  type KubernetesAuthBackendProps,
} from "../src/constructs";
import { ValidationError } from "../src/domain/validation";
import { VaultK8sAuthStack } from "../src/stacks/vault-k8s-auth-stack";
import { ISSUER, PUBLIC_KEY, TEST_CA } from "./fixture-values";

export type ClusterInput = ConfigInput["clusters"][number];

export { ISSUER, PUBLIC_KEY, TEST_CA };

/** A Kubernetes auth mount ("Auth") in a stack of its own, with a host and the test CA; `props` override. */
export function kubernetesMount(props: Partial<KubernetesAuthBackendProps> = {}) {
  const stack = newStack();
  const auth = new KubernetesAuthBackend(stack, "Auth", {
    kubernetesHost: "https://kubernetes.example.com",
    kubernetesCaCert: TEST_CA,
    ...props,
  });
  return { stack, auth };
}

/** A JWT auth mount ("Auth") in a stack of its own, trusting ISSUER with PUBLIC_KEY; `props` override. */
export function jwtMount(props: Partial<JwtAuthBackendProps> = {}) {
  const stack = newStack();
  const auth = new JwtAuthBackend(stack, "Auth", {
    issuer: JwtIssuer.publicKeys({ issuer: ISSUER, publicKeys: [PUBLIC_KEY] }),
    ...props,
  });
  return { stack, auth };
}

/** The seed's cluster entry (the built-in default), as a starting point for variations. */
export function seedCluster(overrides: Partial<ClusterInput> = {}): ClusterInput {
  return { ...structuredClone(DEFAULT_CONFIG.clusters[0]), ...overrides };
}

/** Validates one cluster entry like the config file loader does, and builds its stack. */
export function stackFor(cluster: ClusterInput): VaultK8sAuthStack {
  const config = parseConfig({ clusters: [cluster] }, "test");
  return new VaultK8sAuthStack(Testing.app(), config.clusters[0].name, { cluster: config.clusters[0] });
}

/** Synthesized Terraform JSON of a stack, parsed. */
export function synthJson(stack: TerraformStack): TerraformJson {
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

export interface TerraformJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  provider: Record<string, Record<string, unknown>[]>;
  output: Record<string, { value: unknown }>;
  terraform: Record<string, unknown>;
}

/** `type.name` of every resource and data source: the Terraform addresses. */
export function addresses(json: TerraformJson): string[] {
  const list = (blocks: TerraformJson["resource"] | undefined, prefix: string) =>
    Object.entries(blocks ?? {}).flatMap(([type, named]) =>
      Object.keys(named).map((name) => `${prefix}${type}.${name}`),
    );
  return [...list(json.resource, ""), ...list(json.data, "data.")].sort();
}

/** The single resource of a type (fails the test when there is not exactly one). */
export function only(json: TerraformJson, type: string): Record<string, unknown> {
  const named = Object.values(json.resource[type] ?? {});
  if (named.length !== 1) throw new Error(`expected one ${type}, found ${named.length}`);
  return named[0];
}

/** Synth warnings (cdktf annotations) under a scope. */
export function warningsOf(scope: IConstruct): string[] {
  return scope.node
    .findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter((entry) => entry.type === "@cdktf/warn")
    .map((entry) => String(entry.data));
}

export function newStack(): TerraformStack {
  return new TerraformStack(new App({ stackTraces: false }), "test");
}

/**
 * The message of the ValidationError `run` throws. Any other error (a TypeError from a crash, an
 * internal error) is rethrown, and a `run` that throws nothing fails the test: the user meets a
 * ValidationError's message alone, anything else as an internal error with a stack trace.
 */
export function validationMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error("expected a ValidationError, but nothing was thrown");
}

/**
 * The ValidationError message parseConfigText throws for `text`, or "" if it accepts it. Any
 * other error is rethrown, so a crash never passes for a refusal.
 */
export function problemsIn(text: string, name = "bad.yaml"): string {
  try {
    parseConfigText(text, name);
    return "";
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
}

/** A one-cluster YAML file built from the seed entry, with `change` applied to the cluster. */
export function fileWith(change: (cluster: Record<string, unknown>) => void): string {
  const cluster = structuredClone(seedCluster()) as unknown as Record<string, unknown>;
  change(cluster);
  return stringify({ clusters: [cluster] });
}

/** The first role of a cluster built by `fileWith`. */
export const firstRole = (cluster: Record<string, unknown>) => (cluster.roles as Record<string, unknown>[])[0];

/** An explicit (host + CA) connection for `fileWith`. */
export function explicitConnection(cluster: Record<string, unknown>, host = "https://k8s.example.com"): void {
  cluster.kubernetes = { host, caCertificate: TEST_CA, kubeconfig: { context: "test" } };
}
