import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { stringify } from "yaml";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { renderJsonSchema, SCHEMA_FILE } from "../../src/config/json-schema";
import { loadConfig, parseConfig, parseConfigText } from "../../src/config/load";
import type { Config } from "../../src/config/schema";
import { VaultK8sAuthStack } from "../../src/stacks/vault-k8s-auth-stack";
import {
  type ClusterInput,
  fileWith,
  problemsIn,
  firstRole as role,
  seedCluster,
  TEST_CA,
  validationMessage,
} from "../helpers";

const ROOT = join(__dirname, "..", "..");

/**
 * The seed's config file as this repository ships it at the root. Tests read this copy, never the
 * live vault-k8s-auth.yaml, which is the user's to edit in a clone.
 */
const SEED_FILE = join(ROOT, "test", "fixtures", "seed-config.yaml");

describe("the config file", () => {
  test("the seed's file (test/fixtures/seed-config.yaml) says the same as the built-in default", () => {
    const file = parseConfigText(readFileSync(SEED_FILE, "utf8"), "seed-config.yaml");
    expect(file).toEqual(parseConfig(DEFAULT_CONFIG, "built-in default"));
  });

  test("this checkout's vault-k8s-auth.yaml, whatever a clone has made of it, is valid (or absent: the built-in default)", () => {
    const live = join(ROOT, "vault-k8s-auth.yaml");
    expect(loadConfig({}, ROOT).source).toBe(existsSync(live) ? "vault-k8s-auth.yaml" : "built-in default");
  });

  test("the committed JSON Schema is what the schema generates (run npm run schema when this fails)", () => {
    expect(readFileSync(join(ROOT, SCHEMA_FILE), "utf8")).toBe(renderJsonSchema());
  });

  test("the seed's file points editors at the JSON Schema", () => {
    expect(readFileSync(SEED_FILE, "utf8")).toMatch(
      /^# yaml-language-server: \$schema=\.\/vault-k8s-auth\.schema\.json$/m,
    );
  });

  test.each([
    ["1800", 1800],
    [1800, 1800],
    ["1800s", 1800],
    ["30m", 1800],
    ["1h", 3600],
    ["1h30m", 5400],
  ])("accepts the duration %j as %d seconds, typed, keeping how it was written", (value, seconds) => {
    const config = parseConfigText(
      fileWith((c) => Object.assign(role(c), { tokenPeriod: value })),
      "t.yaml",
    );
    expect(config.clusters[0].roles[0].tokenPeriod?.toSeconds()).toBe(seconds);
    expect(config.clusters[0].roles[0].tokenPeriod?.written).toBe(value);
  });

  test("reads JSON files too", () => {
    const config = parseConfigText(JSON.stringify({ clusters: [seedCluster()] }), "c.json");
    expect(config.clusters[0].name).toBe("eks-test");
  });
});

describe("rejects bad files with the field, the value and the fix", () => {
  test.each<[string, string, string[]]>([
    [
      "a name that is not a DNS-1123 label",
      fileWith((c) => Object.assign(role(c), { boundServiceAccountNames: ["Atlantis_SA"] })),
      [
        `bad.yaml:20:13: clusters[0].roles[0].boundServiceAccountNames[0]: "Atlantis_SA" is not a valid ServiceAccount name; use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit, or a pattern with "*" (e.g. atlantis-*)`,
      ],
    ],
    [
      "an empty ServiceAccount list",
      fileWith((c) => Object.assign(role(c), { boundServiceAccountNames: [] })),
      [
        `bad.yaml:19:35: clusters[0].roles[0].boundServiceAccountNames is empty; list at least one ServiceAccount name, or "*" for any`,
      ],
    ],
    [
      '"*" mixed with names',
      fileWith((c) => Object.assign(role(c), { boundServiceAccountNamespaces: ["*", "atlantis"] })),
      [
        `bad.yaml:22:11: clusters[0].roles[0].boundServiceAccountNamespaces: ["*","atlantis"] mixes "*" with names, which Vault rejects; use ["*"] alone or only names`,
      ],
    ],
    [
      "a mount path with slashes at the ends",
      fileWith((c) => Object.assign(c.auth as object, { path: "/atlantis/" })),
      [
        `bad.yaml:8:13: clusters[0].auth.path: "/atlantis/" is not a Vault mount path; use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)`,
      ],
    ],
    [
      "duplicate cluster names",
      stringify({ clusters: [seedCluster(), seedCluster()] }),
      [
        `bad.yaml:26:11: clusters[1].name: cluster name "eks-test" is already used by clusters[0]; names must be unique`,
        `bad.yaml:32:13: clusters[1].auth.path: "atlantis" is already the mount of clusters[0] on the same Vault (VAULT_ADDR); give each cluster its own auth.path, e.g. k8s/eks-test`,
        `bad.yaml:34:9: clusters[1].auth.reviewer.secretName: "vault-reviewer-token" makes this stack create Secret "vault/vault-reviewer-token" in EKS cluster eks-test in ap-northeast-1, which clusters[0].auth.reviewer.secretName (bad.yaml:10:9) creates too; the later apply fails with "already exists", and a destroy of either deletes it for both: give one of the two entries another reviewer secretName (or serviceAccountName), or manage this cluster's reviewer from one entry only`,
        `bad.yaml:35:29: clusters[1].auth.reviewer.serviceAccountName: "vault-reviewer" makes this stack create ServiceAccount "vault/vault-reviewer" in EKS cluster eks-test in ap-northeast-1, which clusters[0].auth.reviewer.serviceAccountName (bad.yaml:11:29) creates too; the later apply fails with "already exists", and a destroy of either deletes it for both: give one of the two entries another reviewer serviceAccountName or namespace, or manage this cluster's reviewer from one entry only`,
        `bad.yaml:37:22: clusters[1].auth.reviewer.bindingName: "vault-auth-role-token-review-binding" makes this stack create ClusterRoleBinding "vault-auth-role-token-review-binding" in EKS cluster eks-test in ap-northeast-1, which clusters[0].auth.reviewer.bindingName (bad.yaml:13:22) creates too; the later apply fails with "already exists", and a destroy of either deletes it for both: give one of the two entries another reviewer bindingName, or manage this cluster's reviewer from one entry only`,
        `bad.yaml:39:15: clusters[1].policies[0].name: policy "admin" is also managed by clusters[0] on the same Vault (VAULT_ADDR); each apply would overwrite the other's, and a destroy would delete it for both: give one of them another name, and use that name in its cluster's roles (each cluster's roles may only name policies of its own entry)`,
      ],
    ],
    [
      "a role naming an undefined policy",
      fileWith((c) => Object.assign(role(c), { tokenPolicies: ["admn"] })),
      [
        `bad.yaml:24:13: clusters[0].roles[0].tokenPolicies[0]: policy "admn" is not defined in this cluster's policies; did you mean "admin"?`,
      ],
    ],
    [
      "a misspelt key",
      fileWith((c) => Object.assign(role(c), { tokenPolicy: ["admin"] })),
      [
        `bad.yaml:26:9: clusters[0].roles[0].tokenPolicy: unknown key "tokenPolicy"; did you mean "tokenPolicies"? (allowed: name, boundServiceAccountNames, boundServiceAccountNamespaces, tokenPolicies, tokenPeriod, tokenTtl, tokenMaxTtl, audience, boundServiceAccountNamespaceSelector, aliasNameSource, tokenExplicitMaxTtl, tokenNoDefaultPolicy, tokenBoundCidrs, tokenType)`,
      ],
    ],
    [
      "two misspelt keys in one mapping, each at its own line",
      fileWith((c) => Object.assign(c.auth as object, { patth: "x", descripton: "y" })),
      [
        `bad.yaml:14:7: clusters[0].auth.patth: unknown key "patth"; did you mean "path"? (allowed: method, jwt, path, description, reviewer, preventDestroy, disableIssValidation)`,
        `bad.yaml:15:7: clusters[0].auth.descripton: unknown key "descripton"; did you mean "description"? (allowed: method, jwt, path, description, reviewer, preventDestroy, disableIssValidation)`,
      ],
    ],
    [
      "a capability outside the closed set",
      fileWith((c) => {
        c.policies = [{ name: "admin", rules: [{ path: "secret/*", capabilities: ["write"] }] }];
      }),
      [
        `bad.yaml:19:17: clusters[0].policies[0].rules[0].capabilities[0]: "write" is an old policy word, not a capability; use "create" and "update"`,
      ],
    ],
    [
      "capabilities named like what every object inherits, and a list inside the list",
      fileWith((c) => {
        c.policies = [
          { name: "admin", rules: [{ path: "secret/*", capabilities: ["constructor", "toString", ["write"]] }] },
        ];
      }),
      [
        `bad.yaml:19:17: clusters[0].policies[0].rules[0].capabilities[0]: "constructor" is not a capability; use one of create, read, update, patch, delete, list, sudo, deny, subscribe`,
        `bad.yaml:20:17: clusters[0].policies[0].rules[0].capabilities[1]: "toString" is not a capability; use one of create, read, update, patch, delete, list, sudo, deny, subscribe`,
        `bad.yaml:21:17: clusters[0].policies[0].rules[0].capabilities[2]: ["write"] is not a capability; use one of create, read, update, patch, delete, list, sudo, deny, subscribe`,
      ],
    ],
    [
      "a duration that does not parse, and a TTL above the max TTL",
      fileWith((c) => Object.assign(role(c), { tokenPeriod: "30 minutes", tokenTtl: "2h", tokenMaxTtl: "1h" })),
      [
        `bad.yaml:25:22: clusters[0].roles[0].tokenPeriod: "30 minutes" has the unit " minutes", which Vault does not know; use s, m or h (Go's ns, us and ms too), or a whole number of days alone (7d)`,
        `bad.yaml:26:19: clusters[0].roles[0].tokenTtl: "2h" (7200s) is greater than tokenMaxTtl "1h" (3600s); lower tokenTtl or raise tokenMaxTtl`,
      ],
    ],
    [
      "a Vault address without a scheme",
      fileWith((c) => {
        c.vault = { address: "vault.example.com:8200" };
      }),
      [
        `bad.yaml:27:16: clusters[0].vault.address: "vault.example.com:8200" is not an http(s) URL; use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)`,
      ],
    ],
    [
      "CA text that is not a PEM certificate",
      fileWith((c) => {
        c.kubernetes = { host: "https://k8s.example.com", caCertificate: "MIIB...not-pem" };
      }),
      [
        `bad.yaml:5:22: clusters[0].kubernetes.caCertificate: "MIIB...not-pem" is not a PEM certificate; paste the cluster CA as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- (e.g. kubectl config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)`,
      ],
    ],
    [
      "both eks and an explicit host",
      fileWith((c) => Object.assign(c.kubernetes as object, { host: "https://k8s.example.com" })),
      [
        `bad.yaml:4:7: clusters[0].kubernetes: give either eks (host and CA come from the cluster) or host + caCertificate + kubeconfig or inCluster, not both`,
      ],
    ],
    [
      "a wildcard on a client-jwt mount",
      fileWith((c) => {
        (c.auth as Record<string, unknown>).reviewer = { mode: "client-jwt" };
        role(c).boundServiceAccountNamespaces = ["*"];
      }),
      [
        `bad.yaml:19:11: clusters[0].roles[0].boundServiceAccountNamespaces holds "*", but the client-jwt reviewer binds each ServiceAccount to system:auth-delegator; list concrete names, or use the long-lived-token or vault-pod reviewer`,
      ],
    ],
  ])("rejects %s", (_what, text, expected) => {
    const count = expected.length === 1 ? "1 problem" : `${expected.length} problems`;
    expect(problemsIn(text)).toBe([`bad.yaml has ${count}:`, ...expected.map((line) => `  ${line}`)].join("\n"));
  });

  test("reports every problem of a file at once", () => {
    const text = fileWith((c) => {
      c.name = "Prod";
      Object.assign(role(c), { tokenPolicies: ["nope"], tokenPeriod: "soon" });
      c.policies = [...(c.policies as object[]), { name: "admin", preset: "admin" }];
    });
    const message = problemsIn(text);
    expect(message).toMatch(/^bad\.yaml has 4 problems/);
    for (const field of ["clusters[0].name", "policies[1].name", "tokenPolicies[0]", "tokenPeriod"]) {
      expect(message).toContain(field);
    }
  });

  test.each([
    [
      "an empty file",
      "  \n",
      "bad.yaml:1:1: the file is empty; it needs a mapping with a clusters list (docs/configure.md)",
    ],
    [
      "a file that is not YAML",
      "clusters: [\n  - a: b",
      "bad.yaml is not valid YAML:\n  bad.yaml:2:3: Block collections are not allowed within flow collections",
    ],
    [
      "a list at the top",
      "- name: x\n",
      "bad.yaml:1:1: the file must be a mapping with a clusters list at the top, but holds a list",
    ],
    [
      "a scalar at the top",
      "hello\n",
      'bad.yaml:1:1: the file must be a mapping with a clusters list at the top, but holds "hello"',
    ],
    ["no clusters", "clusters: []\n", "bad.yaml:1:11: clusters is empty; define at least one cluster"],
  ])("rejects %s", (_what, text, expected) => {
    expect(problemsIn(text)).toContain(expected);
  });

  test("rejects two clusters mounting the same path on the same Vault", () => {
    const second = seedCluster({ name: "eks-prod", kubernetes: { eks: { clusterName: "prod", region: "eu-west-1" } } });
    const message = problemsIn(stringify({ clusters: [seedCluster(), second] }));
    expect(message).toContain(
      'clusters[1].auth.path: "atlantis" is already the mount of clusters[0] on the same Vault (VAULT_ADDR); give each cluster its own auth.path, e.g. k8s/eks-prod',
    );
    second.vault = { address: "https://other-vault.example.com" };
    expect(problemsIn(stringify({ clusters: [seedCluster(), second] }))).toBe("");
  });

  // Role names: vault/sdk v0.20.0 framework/path.go:19-21 (GenericNameRegex); policy names: Vault
  // lowercases them (vault v1.21.2 vault/policy_store.go:1020-1022), so this keeps to lowercase.
  test.each([
    [
      "roles",
      "name",
      "atlantis-",
      "a role name; use letters, digits and '_', with '-' and '.' only between them (Vault's role name pattern, GenericNameRegex)",
    ],
    [
      "roles",
      "name",
      "r\u00f4le",
      "a role name; use letters, digits and '_', with '-' and '.' only between them (Vault's role name pattern, GenericNameRegex)",
    ],
    [
      "policies",
      "name",
      "Admin",
      "a policy name; use lowercase letters, digits and '_', with '-' and '.' only between them (Vault lowercases policy names, so two spellings would be one policy)",
    ],
  ])("rejects %s[0].%s %j, which Vault would fold or refuse", (list, field, value, why) => {
    const text = fileWith((c) => {
      (c[list] as Record<string, unknown>[])[0][field] = value;
    });
    expect(problemsIn(text)).toContain(`: clusters[0].${list}[0].${field}: ${JSON.stringify(value)} is not ${why}`);
  });

  test.each(["Atlantis", "_atlantis", "ATLANTIS_2"])(
    "accepts role name %j, which Vault takes (and lowercases)",
    (name) => {
      const text = fileWith((c) => {
        (c.roles as Record<string, unknown>[])[0].name = name;
      });
      expect(problemsIn(text)).toBe("");
    },
  );

  test.each([
    ["", '"" is empty; write a duration (e.g. 1800, 30m, 1h30m, 1.5h or 7d) or leave the key out'],
    [
      "12345678901234567890",
      '"12345678901234567890" is longer than Vault can hold (at most 9223372036 seconds, about 292 years)',
    ],
    [1.5, "1.5 is not a whole number of seconds; use e.g. 1800, 30m or 7d"],
  ])("rejects the duration %j with a message, not a crash or a silent 0", (value, message) => {
    expect(problemsIn(fileWith((c) => Object.assign(role(c), { tokenPeriod: value })))).toContain(message);
  });

  test("rejects a YAML alias bomb with a message instead of an internal error", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      ...Array.from({ length: 9 }, (_, i) => {
        const prev = i === 0 ? "a" : `b${i - 1}`;
        return `b${i}: &b${i} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
      }),
    ].join("\n");
    expect(problemsIn(bomb)).toBe(
      "bad.yaml:2:10: the file's aliases (*name) expand to too many values, as an alias bomb does; write the values out",
    );
  });

  test("rejects wrong types in a person's words, in file order, without a follow-on error", () => {
    const text = [
      "clusters:",
      "  - name: a",
      "    kubernetes: null",
      "    roles:",
      "      - { name: r, boundServiceAccountNames: atlantis, boundServiceAccountNamespaces: [a], tokenPolicies: [zzzz] }",
      "    foo: 1",
    ].join("\n");
    expect(problemsIn(text).split("\n").slice(1)).toEqual([
      "  bad.yaml:3:17: clusters[0].kubernetes: expected a mapping (key: value), got null",
      '  bad.yaml:5:46: clusters[0].roles[0].boundServiceAccountNames: expected a list, got "atlantis"; write [atlantis]',
      `  bad.yaml:5:108: clusters[0].roles[0].tokenPolicies[0]: policy "zzzz" is not defined in this cluster's policies; add it under policies, or under externalPolicies if Vault has it from elsewhere (vault policy write)`,
      '  bad.yaml:6:5: clusters[0].foo: unknown key "foo" (allowed: name, kubernetes, vault, auth, policies, externalPolicies, roles, state, importExisting)',
    ]);
  });

  test("rejects invalid JSON, naming it JSON", () => {
    expect(problemsIn('{"clusters": [}', "c.json")).toMatch(/^c\.json is not valid JSON:\n {2}c\.json:1:/);
  });

  test("rejects a missing file chosen with VAULT_K8S_AUTH_CONFIG, and falls back to the seed without one", () => {
    const empty = mkdtempSync(join(tmpdir(), "vka-config-"));
    expect(validationMessage(() => loadConfig({ VAULT_K8S_AUTH_CONFIG: "prod.yaml" }, empty))).toBe(
      `VAULT_K8S_AUTH_CONFIG=prod.yaml: no such file (looked in ${empty}); fix the path or unset it`,
    );
    expect(loadConfig({}, empty).source).toBe("built-in default");
    writeFileSync(join(empty, "prod.yaml"), stringify({ clusters: [seedCluster({ name: "prod" })] }));
    expect(loadConfig({ VAULT_K8S_AUTH_CONFIG: "prod.yaml" }, empty).config.clusters[0].name).toBe("prod");
    rmSync(empty, { recursive: true });
  });
});

describe("many clusters and applications", () => {
  const explicit = (name: string): ClusterInput =>
    seedCluster({
      name,
      kubernetes: { host: `https://${name}.example.com`, caCertificate: TEST_CA, kubeconfig: { context: name } },
      // A Vault namespace each: two clusters may not own policies of one name on one Vault.
      vault: { namespace: name },
      auth: { path: `k8s-${name}`, reviewer: { mode: "vault-pod" } },
      policies: [
        { name: "atlantis-read", rules: [{ kvRead: { mount: "secret", path: "atlantis/*" } }] },
        { name: "app-read", rules: [{ kvRead: { mount: "secret", path: "app/*" } }] },
        { name: "ci", preset: "terraform-vault-provider", rules: [{ list: "secret/metadata/ci" }] },
      ],
      roles: [
        {
          name: "atlantis",
          boundServiceAccountNames: ["atlantis"],
          boundServiceAccountNamespaces: ["atlantis"],
          tokenPolicies: ["atlantis-read"],
          audience: "vault",
        },
        {
          name: "app",
          boundServiceAccountNames: ["app", "app-worker"],
          boundServiceAccountNamespaces: ["app"],
          tokenPolicies: ["app-read"],
          audience: "vault",
        },
        {
          name: "ci",
          boundServiceAccountNames: ["runner"],
          boundServiceAccountNamespaces: ["ci"],
          tokenPolicies: ["ci"],
          audience: "vault",
        },
      ],
    });

  /** Every stack's resources by address, after a synth of the whole config. */
  function synthAll(config: Config): Record<string, Record<string, unknown>> {
    const app = Testing.app();
    const stacks = config.clusters.map((cluster) => new VaultK8sAuthStack(app, cluster.name, { cluster }));
    return Object.fromEntries(stacks.map((stack) => [stack.node.id, JSON.parse(Testing.synth(stack)).resource]));
  }

  test("gives each cluster its own stack and its own state", () => {
    const config = parseConfig({ clusters: [explicit("prod"), explicit("staging")] }, "t");
    const app = Testing.app();
    const [prod, staging] = config.clusters.map((cluster) => new VaultK8sAuthStack(app, cluster.name, { cluster }));
    const prodJson = JSON.parse(Testing.synth(prod));
    const stagingJson = JSON.parse(Testing.synth(staging));
    expect(prodJson.terraform.backend.local.path).toBe("../../../terraform.prod.tfstate");
    expect(stagingJson.terraform.backend.local.path).toBe("../../../terraform.staging.tfstate");
    expect(prodJson.provider.kubernetes).toEqual([{ config_context: "prod" }]);
    expect(Object.values(stagingJson.resource.vault_auth_backend)).toEqual([
      expect.objectContaining({ path: "k8s-staging" }),
    ]);
    expect(Object.keys(prodJson.resource.vault_kubernetes_auth_backend_role)).toHaveLength(3);
  });

  test("keeps every Terraform address when clusters, policies and roles are reordered or one is inserted", () => {
    const original = { clusters: [explicit("prod"), explicit("staging")] };
    const shuffled = structuredClone(original);
    shuffled.clusters.reverse();
    for (const cluster of shuffled.clusters) {
      cluster.roles.reverse();
      cluster.policies?.reverse();
      cluster.roles.splice(1, 0, {
        name: "new-app",
        boundServiceAccountNames: ["new"],
        boundServiceAccountNamespaces: ["new"],
        audience: "vault",
      });
    }
    const before = synthAll(parseConfig(original, "t"));
    const after = synthAll(parseConfig(shuffled, "t"));
    // Two stacks of 9 resources each (mount, config, binding, 3 policies, 3 roles): the loops below compare them all.
    const count = (stack: Record<string, unknown>) =>
      Object.values(stack).reduce<number>((sum, named) => sum + Object.keys(named as object).length, 0);
    expect(Object.fromEntries(Object.entries(before).map(([stack, resources]) => [stack, count(resources)]))).toEqual({
      prod: 9,
      staging: 9,
    });
    for (const [stack, resources] of Object.entries(before)) {
      for (const [type, named] of Object.entries(resources)) {
        for (const [name, body] of Object.entries(named as Record<string, unknown>)) {
          expect({ address: `${stack}/${type}.${name}`, body: after[stack][type]?.[name as never] }).toEqual({
            address: `${stack}/${type}.${name}`,
            body,
          });
        }
      }
    }
    expect(Object.keys(after.prod.vault_kubernetes_auth_backend_role as object)).toHaveLength(4);
  });
});
