import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { synthesize } from "../../src/app";
import { checkConfigText } from "../../src/config/load";
import { ISSUER } from "../fixture-values";
import { explicitConnection, fileWith, firstRole, TEST_CA } from "../helpers";

/**
 * `validate` lists the warnings synth reports without loading cdktf: the config check predicts
 * the constructs' own (src/config/synth-warnings.ts). Here a real synth is held against that
 * list: the annotations cdktf writes to the manifest, which `cdktf synth` prints in the
 * construct tree's order, must be the list's messages in the list's order, every one once.
 */
const out = mkdtempSync(join(tmpdir(), "vka-warnings-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const policies = [
  { name: "admin", preset: "admin" },
  {
    name: "tf",
    preset: "terraform-vault-provider",
    rules: [
      { kvRead: { mount: "secret", path: "team+a/*" } },
      { path: "sys/mounts/*", capabilities: ["sudo", "read"] },
      { deny: "secret/data/a+b" },
    ],
  },
];

const CASES: [string, string][] = [
  ["the seed: an admin policy, a role without an audience", fileWith(() => {})],
  [
    "plain http, an explicit cluster without a context, every ServiceAccount, lifetimes Vault caps",
    fileWith((cluster) => {
      explicitConnection(cluster);
      cluster.kubernetes = { ...(cluster.kubernetes as object), kubeconfig: { path: "~/.kube/config" } };
      cluster.vault = { address: "http://vault.example.com:8200" };
      cluster.policies = policies;
      Object.assign(firstRole(cluster), {
        boundServiceAccountNames: ["*"],
        boundServiceAccountNamespaces: ["*"],
        tokenPolicies: ["admin", "tf"],
        tokenPeriod: "800h",
        tokenTtl: "1h",
        audience: undefined,
      });
    }),
  ],
  [
    "a static EKS token, and two roles",
    fileWith((cluster) => {
      cluster.kubernetes = { eks: { clusterName: "eks-test", region: "ap-northeast-1", staticToken: true } };
      cluster.roles = [firstRole(cluster), { ...firstRole(cluster), name: "second", audience: "vault" }];
    }),
  ],
  [
    "a client-jwt mount with a role without audience, and names by a pattern that admits far more than it looks",
    fileWith((cluster) => {
      explicitConnection(cluster);
      cluster.auth = { path: "atlantis", reviewer: { mode: "client-jwt" } };
      cluster.roles = [
        { ...firstRole(cluster), audience: undefined },
        { ...firstRole(cluster), name: "runners", boundServiceAccountNames: ["runner"], audience: undefined },
      ];
    }),
  ],
  [
    "broad patterns in bound names and namespaces",
    fileWith((cluster) => {
      Object.assign(firstRole(cluster), {
        boundServiceAccountNames: ["*runner", "atlantis-*"],
        boundServiceAccountNamespaces: ["*-*"],
        audience: "vault",
      });
    }),
  ],
  [
    "the jwt method: no reviewer, no connection, audiences required",
    fileWith((cluster) => {
      cluster.auth = { method: "jwt", path: "jwt" };
      cluster.policies = policies;
      Object.assign(firstRole(cluster), { audience: "vault", tokenPolicies: ["tf"] });
    }),
  ],
  [
    "the jwt method on an explicit cluster without a kubeconfig context",
    fileWith((cluster) => {
      cluster.kubernetes = { host: "https://k8s.example.com", caCertificate: TEST_CA };
      cluster.auth = { method: "jwt", path: "jwt", jwt: { issuer: ISSUER } };
      Object.assign(firstRole(cluster), { audience: "vault" });
    }),
  ],
  [
    "plain http, a kvRead path under data/, and a cluster without a kubeconfig: the stack's own first, then the checks'",
    fileWith((cluster) => {
      cluster.kubernetes = { host: "https://k8s.example.com", caCertificate: TEST_CA };
      cluster.vault = { address: "http://vault.example.com:8200" };
      (cluster.policies as unknown[]).push({ name: "kv", rules: [{ kvRead: { mount: "secret", path: "data/app" } }] });
    }),
  ],
  [
    "two clusters, each with its own",
    (() => {
      const one = fileWith(() => {});
      const two = fileWith((cluster) => {
        cluster.name = "other";
        cluster.vault = { address: "http://127.0.0.1:8200", namespace: "other" };
        cluster.kubernetes = { eks: { clusterName: "other", region: "ap-northeast-1" } };
        cluster.auth = { ...(cluster.auth as object), path: "k8s/other" };
      });
      const clusters = [...require("yaml").parse(one).clusters, ...require("yaml").parse(two).clusters];
      return stringify({ clusters });
    })(),
  ],
];

// Each test checks the file itself: work done while jest collects the tests is credited to no test,
// and the mutation run then runs every test file for each mutant it covers (docs/development.md).
describe.each(CASES)("%s", (_what, text) => {
  test("synth's annotations are the config's list, in its order, each once", () => {
    const checked = checkConfigText(text, "file.yaml");
    const { warnings } = synthesize(checked, { outdir: join(out, _what.replace(/\W+/g, "-")) });
    const manifest = require(join(out, _what.replace(/\W+/g, "-"), "manifest.json")) as {
      stacks: Record<string, { annotations: { level: string; message: string }[] }>;
    };
    const annotations = Object.values(manifest.stacks).flatMap((stack) =>
      stack.annotations.filter((annotation) => annotation.level === "@cdktf/warn").map((a) => a.message),
    );
    expect(annotations).toEqual(checked.warnings.map((warning) => warning.construct ?? warning.text));
    expect(warnings).toEqual(checked.warnings.map((warning) => warning.text));
    expect(checked.warnings.length).toBeGreaterThanOrEqual(2);
  });

  test("every warning names its place in the file", () => {
    const checked = checkConfigText(text, "file.yaml");
    for (const warning of checked.warnings) expect(warning.text).toMatch(/^file\.yaml:\d+:\d+: clusters\[\d\]/);
  });
});

/** Each warning of validate as its place and field (`t.yaml:4:7: clusters[0].kubernetes`), in validate's order. */
const placesOf = (text: string): string[] =>
  checkConfigText(text, "t.yaml").warnings.map((warning) => warning.text.replace(/(: clusters\[0\][^:]*):.*/s, "$1"));

describe("where validate puts each warning, and in which order", () => {
  test.each([
    [
      "no kubeconfig, at kubernetes",
      undefined,
      [
        "t.yaml:42:16: clusters[0].vault.address",
        "t.yaml:4:7: clusters[0].kubernetes",
        "t.yaml:31:21: clusters[0].policies[1].rules[0].kvRead.path",
        "t.yaml:26:17: clusters[0].policies[0].preset",
        "t.yaml:33:15: clusters[0].roles[0].name",
      ],
    ],
    [
      "a kubeconfig without a context, at kubeconfig",
      { path: "~/.kube/config" },
      [
        "t.yaml:44:16: clusters[0].vault.address",
        "t.yaml:18:9: clusters[0].kubernetes.kubeconfig",
        "t.yaml:33:21: clusters[0].policies[1].rules[0].kvRead.path",
        "t.yaml:28:17: clusters[0].policies[0].preset",
        "t.yaml:35:15: clusters[0].roles[0].name",
      ],
    ],
  ])(
    "the stack's own (plain http, then %s), then the checks' (kvRead), then the policy's and the role's",
    (_what, kubeconfig, expected) => {
      const text = fileWith((c) => {
        c.kubernetes = {
          host: "https://k8s.example.com",
          caCertificate: TEST_CA,
          ...(kubeconfig ? { kubeconfig } : {}),
        };
        c.vault = { address: "http://vault.example.com:8200" };
        (c.policies as unknown[]).push({ name: "kv", rules: [{ kvRead: { mount: "secret", path: "data/app" } }] });
      });
      const places = placesOf(text);
      expect(places).toEqual(expected);
    },
  );

  test("a kvRead rule's path warnings (one per path it grants) at its kvRead.path", () => {
    const text = fileWith((c) => {
      (c.policies as unknown[]).push({ name: "kv", rules: [{ kvRead: { mount: "secret", path: "a+b" } }] });
    });
    const places = placesOf(text);
    expect(places).toEqual([
      "t.yaml:16:17: clusters[0].policies[0].preset",
      "t.yaml:21:21: clusters[0].policies[1].rules[0].kvRead.path",
      "t.yaml:21:21: clusters[0].policies[1].rules[0].kvRead.path",
      "t.yaml:23:15: clusters[0].roles[0].name",
    ]);
  });

  test("a list or deny rule's path warning at its own field", () => {
    const text = fileWith((c) => {
      (c.policies as unknown[]).push({ name: "p", rules: [{ list: "team+a/x" }, { deny: "team+b/x" }] });
    });
    const places = placesOf(text);
    expect(places.filter((place) => place.includes("policies[1]"))).toEqual([
      "t.yaml:19:19: clusters[0].policies[1].rules[0].list",
      "t.yaml:20:19: clusters[0].policies[1].rules[1].deny",
    ]);
  });
});
