import { readFileSync } from "node:fs";
import { join } from "node:path";
import { policyFromDocument } from "../../src/answers/acl/policy-document";
import { parsePolicyText } from "../../src/answers/acl/policy-text";
import { desiredCluster, normalCidr, providerPolicyText } from "../../src/answers/live/desired";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { parseConfig } from "../../src/config/load";

const read = (document: unknown) => policyFromDocument("p", "p.hcl", document);

describe("a policy document, read as vault/policy.go reads it", () => {
  test("old policy words become capabilities: read adds list, write and sudo add the rest, deny replaces", () => {
    const policy = read({
      name: "ignored",
      path: {
        a: [{ policy: "read" }],
        b: [{ policy: "write" }],
        c: [{ policy: "sudo", capabilities: ["patch"] }],
        d: [{ policy: "deny", capabilities: ["read"] }],
        e: [{ capabilities: ["read", "deny", "list"] }],
      },
    });
    expect(policy.rules).toEqual([
      { path: "a", capabilities: ["read", "list"] },
      { path: "b", capabilities: ["create", "read", "update", "delete", "list"] },
      { path: "c", capabilities: ["patch", "create", "read", "update", "delete", "list", "sudo"] },
      { path: "d", capabilities: ["deny"] },
      { path: "e", capabilities: ["deny"] },
    ]);
  });

  test("keeps every stanza of a path, and a JSON policy's lists of objects, in document order", () => {
    expect(read({ path: [{ x: { capabilities: ["read"] } }, { x: { capabilities: ["list"] } }] }).rules).toEqual([
      { path: "x", capabilities: ["read"] },
      { path: "x", capabilities: ["list"] },
    ]);
    expect(read({}).rules).toEqual([]);
  });

  test("refuses what Vault refuses, naming the policy, its source and the stanza", () => {
    expect(() => read([])).toThrow("policy p (p.hcl): does not contain a root object, which Vault refuses");
    expect(() => read({ paths: {} })).toThrow(
      'policy p (p.hcl): invalid key "paths": a policy holds only path stanzas (and name)',
    );
    expect(() => read({ path: { x: [{ capabilites: ["read"] }] } })).toThrow(
      'policy p (p.hcl): path "x": invalid key "capabilites"',
    );
    expect(() => read({ path: { "a/+*": [{ capabilities: ["read"] }] } })).toThrow(
      "policy p (p.hcl): path \"a/+*\": invalid use of wildcards ('+*' is forbidden)",
    );
    expect(() => read({ path: { x: [{ policy: "admin" }] } })).toThrow(
      'policy p (p.hcl): path "x": invalid policy "admin"',
    );
    expect(() => read({ path: { x: [{ capabilities: ["root"] }] } })).toThrow(
      'policy p (p.hcl): path "x": invalid capability "root"',
    );
    expect(() => read({ path: { x: ["read"] } })).toThrow('policy p (p.hcl): path "x": expected a { ... } block');
    expect(() => read({ path: "x" })).toThrow(
      'policy p (p.hcl): path must be written as path "<path>" { ... } stanzas',
    );
  });

  test("refuses an old policy word that is a name of every JavaScript object, as it refuses any unknown word", () => {
    for (const word of ["constructor", "toString", "__proto__"]) {
      expect(() => read({ path: { x: [{ policy: word }] } })).toThrow(
        `policy p (p.hcl): path "x": invalid policy ${JSON.stringify(word)}`,
      );
    }
  });

  test("refuses an old policy word given as a list: hcl v1 decodes only a string into it", () => {
    expect(() => read({ path: { x: [{ policy: ["read"] }] } })).toThrow(
      'policy p (p.hcl): path "x": invalid policy ["read"]',
    );
  });

  test('keeps only deny from policy = "deny", dropping even capabilities Vault does not know (policy.go:443-446)', () => {
    expect(read({ path: { x: [{ policy: "deny", capabilities: ["read", "bogus"] }] } }).rules).toEqual([
      { path: "x", capabilities: ["deny"] },
    ]);
  });

  test("refuses capabilities that hold anything but strings, before it looks at their words", () => {
    expect(() => read({ path: { x: [{ capabilities: ["read", 1] }] } })).toThrow(
      'policy p (p.hcl): path "x": capabilities must be a list of strings, e.g. ["read", "list"]',
    );
  });

  test("refuses a document or a stanza that is null, as no object", () => {
    expect(() => read(null)).toThrow("policy p (p.hcl): does not contain a root object, which Vault refuses");
    expect(() => read({ path: { x: null } })).toThrow('policy p (p.hcl): path "x": expected a { ... } block');
  });

  test("accepts '+/*', where '+' and '*' are apart: only '+*' is forbidden (policy.go:423-425)", () => {
    expect(read({ path: { "+/*": [{ capabilities: ["read"] }] } }).rules).toEqual([
      { path: "+/*", capabilities: ["read"] },
    ]);
  });

  test("accepts recover and subscribe (Vault 1.21's words the provider cannot write), and lists what is not evaluated", () => {
    const policy = read({
      path: { x: [{ capabilities: ["recover", "subscribe"], subscribe_event_types: ["kv*"], min_wrapping_ttl: "1h" }] },
    });
    expect(policy.rules).toEqual([{ path: "x", capabilities: ["recover", "subscribe"] }]);
    expect(policy.notEvaluated).toEqual(['path "x": min_wrapping_ttl, subscribe_event_types']);
  });
});

describe("a policy's text, parsed with hashicorp/hcl v1 as Vault parses it", () => {
  test("takes what HCL v1 takes and HCL v2 would refuse: a quoted block key, a literal dollar-brace, a heredoc", async () => {
    const literal = "a/$" + "{x}"; // HCL v2 would read a template here; Vault's HCL v1 keeps the text
    const text = `"path" "${literal}" {\n  capabilities = ["read"]\n  comment = <<EOT\nwhy\nEOT\n}\n`;
    expect((await parsePolicyText("v1", "v1.hcl", text)).rules).toEqual([{ path: literal, capabilities: ["read"] }]);
  });

  test("reads JSON as hcl v1 does when the text starts with {", async () => {
    const text = ' {"path": {"a": {"capabilities": ["list"]}, "b": [{"capabilities": ["read"]}]}}';
    expect((await parsePolicyText("j", "j.json", text)).rules).toEqual([
      { path: "a", capabilities: ["list"] },
      { path: "b", capabilities: ["read"] },
    ]);
  });

  test("refuses capabilities given as a string, as hcl v1's decoder does (unknown slice type)", async () => {
    await expect(parsePolicyText("s", "s.hcl", 'path "x" { capabilities = "read" }')).rejects.toThrow(
      'policy s (s.hcl): path "x": capabilities must be a list of strings, e.g. ["read", "list"]',
    );
  });

  test("names the line and column of a syntax error, in hcl v1's words", async () => {
    await expect(parsePolicyText("e", "e.hcl", 'path "x" {\n  capabilities = ["read",\n}')).rejects.toThrow(
      /^policy e \(e\.hcl\) is not valid HCL: e\.hcl:\d+:\d+: /,
    );
  });

  test("names a line and a column past 9 whole", async () => {
    const text = `${'path "a" {\n  capabilities = ["read"]\n}\n'.repeat(4)}\npath "b" { capabilities = ["read" }`;
    await expect(parsePolicyText("e", "e.hcl", text)).rejects.toThrow(
      new Error("policy e (e.hcl) is not valid HCL: e.hcl:14:36: object expected closing RBRACE got: EOF"),
    );
  });

  test("passes on hcl v1's words alone for an error that has no position", async () => {
    await expect(parsePolicyText("e", "e.hcl", 'path "a" { x = 1e }')).rejects.toThrow(
      new Error('policy e (e.hcl) is not valid HCL: strconv.ParseFloat: parsing "1e ": invalid syntax'),
    );
  });
});

describe("the provider's policy text", () => {
  test("is rendered as vault_policy_document writes it, and parses back to the same rules", async () => {
    const rules = [
      { path: "secret/data/app", capabilities: ["read" as const], description: "the app's secret" },
      { path: "secret/metadata/app", capabilities: ["read" as const, "list" as const] },
    ];
    const text = providerPolicyText(rules);
    expect(text).toBe(
      '# the app\'s secret\npath "secret/data/app" {\n  capabilities = ["read"]\n}\n\npath "secret/metadata/app" {\n  capabilities = ["read", "list"]\n}\n',
    );
    expect((await parsePolicyText("app", "app.hcl", text)).rules).toEqual(
      rules.map(({ path, capabilities }) => ({ path, capabilities })),
    );
  });
});

describe("the desired state of a cluster", () => {
  test("leaves out what deploy looks up in EKS, and says so", () => {
    const cluster = parseConfig(DEFAULT_CONFIG, "default").clusters[0];
    const desired = desiredCluster(cluster);
    expect(desired.configFields).toEqual({
      disable_iss_validation: true,
      disable_local_ca_jwt: false,
      token_reviewer_jwt_set: true,
      pem_keys: [],
      issuer: "",
    });
    expect(desired.notCompared).toEqual(["kubernetes_host and kubernetes_ca_cert (EKS: looked up at deploy)"]);
    expect(desired.roles.get("atlantis")).toMatchObject({
      token_period: 1800,
      token_policies: ["admin"],
      audience: "",
    });
  });

  const seed = DEFAULT_CONFIG.clusters[0];
  const CA = readFileSync(join(__dirname, "..", "fixtures", "test-ca.pem"), "utf8").trim();
  const KEY = readFileSync(join(__dirname, "..", "fixtures", "sa-signing-key.pub.pem"), "utf8").trim();
  const explicit = { host: "https://k8s.example.com:6443", caCertificate: `${CA}\n\n` };
  const desired = (changes: object) =>
    desiredCluster(parseConfig({ clusters: [{ ...structuredClone(seed), ...changes }] }, "test").clusters[0]);

  test("the Kubernetes mount's config per reviewer: who presents the TokenReview, the host and the CA as Vault returns them", () => {
    const fields = (mode: string) =>
      desired({ kubernetes: explicit, auth: { path: "k8s", reviewer: { mode } } }).configFields;
    const common = {
      kubernetes_host: "https://k8s.example.com:6443",
      kubernetes_ca_cert: CA,
      pem_keys: [],
      issuer: "",
    };
    expect(fields("client-jwt")).toEqual({
      ...common,
      disable_iss_validation: true,
      disable_local_ca_jwt: true,
      token_reviewer_jwt_set: false,
    });
    expect(fields("vault-pod")).toEqual({
      ...common,
      disable_iss_validation: true,
      disable_local_ca_jwt: false,
      token_reviewer_jwt_set: false,
    });
    expect(fields("long-lived-token")).toEqual({
      ...common,
      disable_iss_validation: true,
      disable_local_ca_jwt: false,
      token_reviewer_jwt_set: true,
    });
    expect(
      desired({ kubernetes: explicit, auth: { path: "k8s", reviewer: { mode: "vault-pod" } } }).notCompared,
    ).toEqual([]);
    // vault-pod reads Vault's own CA: without caCertificate the stack writes an empty kubernetes_ca_cert.
    const noCa = desired({
      kubernetes: { host: explicit.host },
      auth: { path: "k8s", reviewer: { mode: "vault-pod" } },
    });
    expect(noCa.configFields.kubernetes_ca_cert).toBe("");
  });

  test("a Kubernetes role that admits namespaces by a selector alone: no namespaces, the selector as JSON", () => {
    const role = {
      ...seed.roles[0],
      boundServiceAccountNamespaces: undefined,
      boundServiceAccountNamespaceSelector: { matchLabels: { team: "a" } },
    };
    expect(desired({ kubernetes: explicit, roles: [role] }).roles.get(role.name)).toMatchObject({
      bound_service_account_namespaces: [],
      bound_service_account_namespace_selector: '{"matchLabels":{"team":"a"}}',
    });
  });

  test("the JWT mount's config: the issuer found by discovery, or pinned keys as Vault returns them, or left to EKS", () => {
    const issuer = "https://oidc.example.com";
    const roles = [{ ...seed.roles[0], audience: "vault" }];
    const discovery = desired({ kubernetes: explicit, roles, auth: { method: "jwt", path: "jwt", jwt: { issuer } } });
    expect(discovery.mountFields).toEqual({ type: "jwt", description: "" });
    expect(discovery.configFields).toEqual({
      bound_issuer: issuer,
      oidc_discovery_url: issuer,
      jwt_validation_pubkeys: [],
    });
    expect(discovery.notCompared).toEqual([]);
    const pinned = desired({
      kubernetes: explicit,
      roles,
      auth: { method: "jwt", path: "jwt", jwt: { issuer, publicKeys: [`${KEY}\n`] } },
    });
    expect(pinned.configFields).toEqual({
      bound_issuer: issuer,
      oidc_discovery_url: "",
      jwt_validation_pubkeys: [KEY],
    });
    const eks = desired({ roles, auth: { method: "jwt", path: "jwt" } });
    // Strict: on EKS no bound_issuer or oidc_discovery_url key at all, not even an undefined one.
    expect(eks.configFields).toStrictEqual({ jwt_validation_pubkeys: [] });
    expect(eks.notCompared).toEqual(["bound_issuer and oidc_discovery_url (EKS: looked up at deploy)"]);
  });

  test("a JWT role binds sub as the ServiceAccounts' subjects, matched as globs when one has a *", () => {
    const role = (names: string[]) =>
      desired({
        kubernetes: explicit,
        auth: { method: "jwt", path: "jwt", jwt: { issuer: "https://oidc.example.com" } },
        roles: [
          { name: "app", boundServiceAccountNames: names, boundServiceAccountNamespaces: ["apps"], audience: "vault" },
        ],
      }).roles.get("app");
    expect(role(["web", "app"])).toMatchObject({
      bound_audiences: ["vault"],
      bound_claims: { sub: ["system:serviceaccount:apps:app", "system:serviceaccount:apps:web"] },
      bound_claims_type: "string",
    });
    expect(role(["web", "app-*"])).toMatchObject({
      bound_claims: { sub: ["system:serviceaccount:apps:app-*", "system:serviceaccount:apps:web"] },
      bound_claims_type: "glob",
    });
  });

  test("writes a single address as Vault prints it back", () => {
    expect(["10.0.0.1/32", "10.0.0.0/16", "FD00::1/128", "fd00::/64"].map(normalCidr)).toEqual([
      "10.0.0.1",
      "10.0.0.0/16",
      "fd00::1",
      "fd00::/64",
    ]);
  });
});
