import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { checkConfigText, parseConfigText } from "../../src/config/load";
import { ClusterConnection, VaultPolicy } from "../../src/constructs";
import { shellWord } from "../../src/domain/shell";
import { readCertificateBundle } from "../../src/formats/pem";
import {
  type ClusterInput,
  explicitConnection,
  fileWith,
  firstRole,
  newStack,
  problemsIn,
  seedCluster,
  stackFor,
  synthJson,
  TEST_CA,
  validationMessage,
  warningsOf,
} from "../helpers";

const EXPIRED_CA = readFileSync(join(__dirname, "..", "fixtures", "expired-ca.pem"), "utf8");

/** The one problem line of a refused file, without the file name and position. */
function problem(text: string): string {
  const lines = problemsIn(text).split("\n");
  expect(lines[0]).toMatch(/^bad\.yaml has 1 problem:$/);
  expect(lines).toHaveLength(2);
  return lines[1].replace(/^ {2}bad\.yaml:\d+:\d+: /, "");
}

const reviewer = (cluster: Record<string, unknown>) =>
  (cluster.auth as { reviewer: Record<string, unknown> }).reviewer as Record<string, unknown>;

describe("Kubernetes names follow k8s.io/apimachinery, not one rule for all", () => {
  test.each([
    [
      "a ServiceAccount name with dots (DNS-1123 subdomain)",
      (c: Record<string, unknown>) => {
        reviewer(c).serviceAccountName = "vault.reviewer";
      },
    ],
    [
      "a Secret name with dots",
      (c: Record<string, unknown>) => {
        reviewer(c).secretName = "vault-reviewer.token";
      },
    ],
    [
      "a ClusterRoleBinding name with a colon (a path segment)",
      (c: Record<string, unknown>) => {
        reviewer(c).bindingName = "vault:token-reviewer";
      },
    ],
    [
      "a bound ServiceAccount name with dots",
      (c: Record<string, unknown>) => {
        firstRole(c).boundServiceAccountNames = ["app.worker"];
      },
    ],
  ])("accepts %s", (_what, change) => {
    expect(problemsIn(fileWith(change))).toBe("");
  });

  test.each<[string, (c: Record<string, unknown>) => void, string]>([
    [
      "a namespace with a dot, which stays a DNS-1123 label",
      (c) => {
        reviewer(c).namespace = "vault.system";
      },
      `clusters[0].auth.reviewer.namespace: "vault.system" has a '.', which a DNS-1123 label (a namespace, a cluster name) cannot have; use '-' instead`,
    ],
    [
      "a namespace with a capital and a dot, where the dot is not the only problem",
      (c) => {
        reviewer(c).namespace = "Vault.system";
      },
      `clusters[0].auth.reviewer.namespace: "Vault.system" is not a namespace; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
    ],
    [
      "a namespace with a dot and a capital after it, where the dot is not the only problem",
      (c) => {
        reviewer(c).namespace = "vault.System";
      },
      `clusters[0].auth.reviewer.namespace: "vault.System" is not a namespace; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
    ],
    [
      "a namespace of 63 characters with a dot, where the dot is the only problem",
      (c) => {
        reviewer(c).namespace = `vault.${"a".repeat(57)}`;
      },
      `clusters[0].auth.reviewer.namespace: "vault.${"a".repeat(57)}" has a '.', which a DNS-1123 label (a namespace, a cluster name) cannot have; use '-' instead`,
    ],
    [
      "a namespace with a dot and too long, where the length is said, not the dot alone",
      (c) => {
        reviewer(c).namespace = `vault.${"a".repeat(58)}`;
      },
      `clusters[0].auth.reviewer.namespace: "vault.${"a".repeat(58)}" is not a namespace; use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit`,
    ],
    [
      "a ClusterRoleBinding name with '/'",
      (c) => {
        reviewer(c).bindingName = "vault/reviewer";
      },
      `clusters[0].auth.reviewer.bindingName: "vault/reviewer" is not a ClusterRoleBinding name; use a name without '/', '%' or spaces that is not '.' or '..' (e.g. vault:token-reviewer)`,
    ],
    [
      "a ClusterRoleBinding name '..'",
      (c) => {
        reviewer(c).bindingName = "..";
      },
      `clusters[0].auth.reviewer.bindingName: ".." is not a ClusterRoleBinding name; use a name without '/', '%' or spaces that is not '.' or '..' (e.g. vault:token-reviewer)`,
    ],
    [
      "a ServiceAccount name of 254 characters",
      (c) => {
        reviewer(c).serviceAccountName = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(62)}`;
      },
      "is not a ServiceAccount name; use at most 253 lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit",
    ],
    [
      "a bound namespace with a trailing newline from a block scalar",
      (c) => {
        firstRole(c).boundServiceAccountNamespaces = ["atlantis\n"];
      },
      'clusters[0].roles[0].boundServiceAccountNamespaces[0]: "atlantis\\n" holds a newline at the end, which would be written as is (a `|` or `>` block keeps the last line\'s newline: write the value on the key\'s line, or use `|-`); remove it, or a pattern with "*" (e.g. atlantis-*)',
    ],
    [
      "a list rule's path Vault would read differently, at its list field",
      (c) => {
        (c.policies as unknown[]).push({ name: "p", rules: [{ list: "secret/*/x*y" }] });
      },
      'clusters[0].policies[1].rules[0].list: "secret/*/x*y" has "*" before the end',
    ],
    [
      "a deny rule's path Vault would read differently, at its deny field",
      (c) => {
        (c.policies as unknown[]).push({ name: "p", rules: [{ deny: "secret/*/x*y" }] });
      },
      'clusters[0].policies[1].rules[0].deny: "secret/*/x*y" has "*" before the end',
    ],
    [
      "a rule path with a space at the end, which Vault would keep as part of the path",
      (c) => {
        (c.policies as unknown[]).push({ name: "p", rules: [{ path: "secret/data/app ", capabilities: ["read"] }] });
      },
      'clusters[0].policies[1].rules[0].path: "secret/data/app " holds a space at the end, which would be written as is; remove it',
    ],
    [
      "a kvRead path with a tab inside",
      (c) => {
        (c.policies as unknown[]).push({ name: "p", rules: [{ kvRead: { mount: "secret", path: "team\tapp" } }] });
      },
      'clusters[0].policies[1].rules[0].kvRead.path: "team\\tapp" holds a tab, which would be written as is; remove it',
    ],
    [
      "a bound name pattern with a tab inside, by the tab",
      (c) => {
        firstRole(c).boundServiceAccountNames = ["atlantis\t*"];
      },
      'clusters[0].roles[0].boundServiceAccountNames[0]: "atlantis\\t*" holds a tab, which would be written as is; remove it, or a pattern with "*" (e.g. atlantis-*)',
    ],
  ])("rejects %s", (_what, change, expected) => {
    expect(problem(fileWith(change))).toContain(expected);
  });
});

describe("capabilities are the set the pinned vault provider renders", () => {
  const withCapabilities = (capabilities: string[]) =>
    fileWith((c) => {
      c.policies = [{ name: "admin", rules: [{ path: "sys/events/subscribe/*", capabilities }] }];
    });

  test("accepts subscribe (vault provider 5.6.0 allowedCapabilities, Vault's SubscribeCapability)", () => {
    expect(problemsIn(withCapabilities(["read", "subscribe"]))).toBe("");
  });

  test.each([
    [
      "recover",
      "is a Vault Enterprise 1.20+ capability (snapshot recovery, https://developer.hashicorp.com/vault/docs/sysadmin/snapshots/recover-a-secret), but the pinned vault provider 5.6.0's vault_policy_document refuses it (allowedCapabilities in data_source_policy_document.go); grant it in a policy managed outside this tool",
    ],
    ["root", "is not a capability a policy can grant: root is a token, not a capability (vault/policy.go); remove it"],
    [
      "reed",
      'is not a capability; use one of create, read, update, patch, delete, list, sudo, deny, subscribe; did you mean "read"?',
    ],
    [
      "Read",
      'is not a capability; use one of create, read, update, patch, delete, list, sudo, deny, subscribe; did you mean "read"?',
    ],
  ])("rejects %j with what to do instead", (capability, expected) => {
    expect(problem(withCapabilities([capability]))).toContain(
      `capabilities[0]: ${JSON.stringify(capability)} ${expected}`,
    );
  });
});

describe("URLs are checked as written, since the string is what goes into the JSON", () => {
  test.each([
    ["a Kubernetes host behind a proxy path", "https://rancher.example.com/k8s/clusters/c-m-abc"],
    ["a Kubernetes host with a port", "https://10.0.0.1:6443"],
  ])("accepts %s", (_what, host) => {
    expect(problemsIn(fileWith((c) => explicitConnection(c, host)))).toBe("");
  });

  test("accepts a Vault address with a trailing '/'", () => {
    expect(
      problemsIn(fileWith((c) => Object.assign(c, { vault: { address: "https://vault.example.com:8200/" } }))),
    ).toBe("");
  });

  test.each([
    [
      "a host from a `|` block, with its trailing newline",
      "https://k8s.example.com\n",
      "holds a newline at the end, which would be written as is (a `|` or `>` block keeps the last line's newline: write the value on the key's line, or use `|-`); remove it",
    ],
    [
      "a newline inside the host",
      "https://k8s.exa\nmple.com",
      "holds a newline, which would be written as is; remove it",
    ],
    [
      "a query",
      "https://k8s.example.com?insecure=1",
      "has a query (?...) or fragment (#...), which the address of an API cannot have; remove it",
    ],
    [
      "a fragment",
      "https://k8s.example.com#x",
      "has a query (?...) or fragment (#...), which the address of an API cannot have; remove it",
    ],
    // An empty query or fragment parses to url.search === "" and url.hash === "": only the text shows it.
    [
      "an empty fragment",
      "https://k8s.example.com#",
      "has a query (?...) or fragment (#...), which the address of an API cannot have; remove it",
    ],
    // The WHATWG parser's port state: https://url.spec.whatwg.org/#port-state
    [
      "a port out of range, which the URL parser refuses",
      "https://k8s.example.com:99999/proxy",
      "is not a valid URL (the port 99999 is out of range, 0 to 65535); use the API server's https:// URL: https://kubernetes.default.svc for Vault inside the cluster, else the server of `kubectl config view --minify`",
    ],
    [
      "letters in the port, which the URL parser refuses",
      "https://k8s.example.com:64O3",
      'is not a valid URL (the port "64O3" is not a number); use the API server\'s https:// URL: https://kubernetes.default.svc for Vault inside the cluster, else the server of `kubectl config view --minify`',
    ],
  ])("rejects a Kubernetes host with %s", (_what, host, expected) => {
    expect(problem(fileWith((c) => explicitConnection(c, host)))).toContain(
      `clusters[0].kubernetes.host: ${JSON.stringify(host)} ${expected}`,
    );
  });

  test("rejects a bad Kubernetes host with a Kubernetes example, never a Vault URL", () => {
    const message = problem(fileWith((c) => explicitConnection(c, "k8s.example.com:6443")));
    expect(message).toContain("https://kubernetes.default.svc");
    expect(message).not.toContain("vault");
  });

  test.each([
    [
      "/v1, which the provider adds",
      "https://vault.example.com:8200/v1",
      "ends in /v1, which the vault provider and CLI add themselves (requests would go to /v1/v1/...); use https://vault.example.com:8200",
    ],
    [
      "/v1/, which the provider adds, with a trailing '/'",
      "https://vault.example.com:8200/v1/",
      "ends in /v1, which the vault provider and CLI add themselves (requests would go to /v1/v1/...); use https://vault.example.com:8200",
    ],
    [
      "an empty query",
      "https://vault.example.com?",
      "has a query (?...) or fragment (#...), which the address of an API cannot have; remove it",
    ],
    [
      "another path",
      "https://vault.example.com/ui/",
      "has a path (/ui/); the vault provider takes scheme, host and port only (its address argument); use https://vault.example.com",
    ],
    [
      "a trailing space",
      "https://vault.example.com ",
      "holds a space at the end, which would be written as is; remove it",
    ],
    [
      "letters in the port (O for 0), which the URL parser refuses",
      "https://vault.example.com:82OO",
      'is not a valid URL (the port "82OO" is not a number); use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)',
    ],
    [
      "a port out of range, which the URL parser refuses",
      "https://vault.example.com:99999",
      "is not a valid URL (the port 99999 is out of range, 0 to 65535); use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)",
    ],
    [
      "angle brackets, as chat tools print a link",
      "<https://vault.example.com>",
      "is not an http(s) URL; use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)",
    ],
    [
      "an http:// port the URL parser refuses",
      "http://vault.vault.svc:82OO",
      'is not a valid URL (the port "82OO" is not a number); use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)',
    ],
    [
      "an IPv6 host and a port out of range",
      "https://[::1]:99999",
      "is not a valid URL (the port 99999 is out of range, 0 to 65535); use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)",
    ],
    [
      "a host the URL parser refuses, and the highest port",
      "https://vault%zz.example.com:65535",
      "is not a valid URL (the URL parser cannot read its host); use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)",
    ],
    [
      "a host the URL parser refuses, and an empty port",
      "https://vault%zz.example.com:",
      "is not a valid URL (the URL parser cannot read its host); use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)",
    ],
    [
      "/v1 with doubled slashes",
      "https://vault.example.com/v1//",
      "ends in /v1, which the vault provider and CLI add themselves (requests would go to /v1/v1/...); use https://vault.example.com",
    ],
    [
      "a host the URL parser refuses",
      "https://vault%zz.example.com",
      "is not a valid URL (the URL parser cannot read its host); use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)",
    ],
  ])("rejects a Vault address with %s", (_what, address, expected) => {
    expect(problem(fileWith((c) => Object.assign(c, { vault: { address } })))).toContain(
      `clusters[0].vault.address: ${JSON.stringify(address)} ${expected}`,
    );
  });
});

describe("an invisible character is named, with where it is (src/rules/rule.ts invisibleIn)", () => {
  test.each([
    ["a tab at the start", "\tatlantis", "holds a tab at the start"],
    ["a carriage return at the end", "atlantis\r", "holds a carriage return at the end"],
    ["a no-break space in the middle", "atl\u00a0antis", "holds the invisible character U+00A0"],
    [
      "a control character that is not whitespace",
      "\u0007atlantis",
      "holds the invisible character U+0007 at the start",
    ],
  ])("rejects a role name with %s", (_what, name, said) => {
    expect(problem(fileWith((c) => Object.assign(firstRole(c), { name })))).toBe(
      `clusters[0].roles[0].name: ${JSON.stringify(name)} ${said}, which would be written as is; remove it`,
    );
  });

  test("rejects an address block from a `|` block by its newline, before reading it as an address", () => {
    expect(problem(fileWith((c) => Object.assign(firstRole(c), { tokenBoundCidrs: ["10.0.0.0/16\n"] })))).toBe(
      "clusters[0].roles[0].tokenBoundCidrs[0]: \"10.0.0.0/16\\n\" holds a newline at the end, which would be written as is (a `|` or `>` block keeps the last line's newline: write the value on the key's line, or use `|-`); remove it",
    );
  });
});

describe("a URL with a user name or password is refused, and the credential never printed", () => {
  const CARRIES =
    "carries a user name or password (user:pass@), which would be written into the Terraform JSON and state; remove it, credentials come from the environment";

  test.each([
    ["a user name alone", "https://deployer@vault.example.com", "https://***@vault.example.com"],
    ["a user name and password", "https://admin:s3cret@vault.example.com:8200", "https://***@vault.example.com:8200"],
    ["a password alone", "https://:s3cret@vault.example.com", "https://***@vault.example.com"],
    ["an '@' in the password", "http://admin:p@ss@vault.vault.svc:8200", "http://***@vault.vault.svc:8200"],
  ])("rejects a Vault address with %s", (_what, address, shown) => {
    expect(problem(fileWith((c) => Object.assign(c, { vault: { address } })))).toBe(
      `clusters[0].vault.address: ${JSON.stringify(shown)} ${CARRIES}`,
    );
  });

  test("rejects a Vault address whose host cannot be read, without the password or a port made of it", () => {
    const address = "https://admin:s3cret@vault%zz.example.com";
    expect(problem(fileWith((c) => Object.assign(c, { vault: { address } })))).toBe(
      'clusters[0].vault.address: "https://***@vault%zz.example.com" is not a valid URL (the URL parser cannot read its host); use the address of Vault with no path, such as https://vault.example.com:8200 (http:// only where the network path is private)',
    );
  });

  test.each([
    ["a user name and password", "https://admin:s3cret@k8s.example.com", "https://***@k8s.example.com"],
    ["a token as the user name", "https://kubeadmin-token@10.0.0.1:6443/", "https://***@10.0.0.1:6443/"],
  ])("rejects a Kubernetes host with %s", (_what, host, shown) => {
    expect(problem(fileWith((c) => explicitConnection(c, host)))).toBe(
      `clusters[0].kubernetes.host: ${JSON.stringify(shown)} ${CARRIES}`,
    );
  });

  test("rejects a construct's Kubernetes host with a password in its own words, without the password", () => {
    expect(
      validationMessage(() =>
        ClusterConnection.explicit({ host: "https://admin:s3cret@k8s.example.com", caCertificate: TEST_CA }),
      ),
    ).toBe(`ClusterConnection.explicit: host: "https://***@k8s.example.com" ${CARRIES}`);
  });

  // The checks across entries read the schema's typed output, so an address the schema refused is
  // left out of them: the clash is reported once the address is fixed, and no line quotes it whole.
  test("refuses the Vault address of each of two clusters without its password, and makes no clash line of it", () => {
    const address = "https://admin:s3cret@vault.example.com";
    const seed = seedCluster({ vault: { address } });
    const other = { ...seedCluster({ vault: { address } }), name: "other" };
    const message = problemsIn(stringify({ clusters: [seed, other] }));
    expect(message).not.toContain("s3cret");
    expect(message).not.toContain("same Vault");
    for (const index of [0, 1]) {
      expect(message).toContain(`clusters[${index}].vault.address: "https://***@vault.example.com" ${CARRIES}`);
    }
  });

  test("refuses the Kubernetes host of each of two entries without its password, and makes no clash line of it", () => {
    const host = "https://admin:s3cret@k8s.example.com";
    const entry = (name: string, path: string) => {
      const cluster = seedCluster({ name, auth: { path } }) as unknown as Record<string, unknown>;
      explicitConnection(cluster, host);
      return cluster;
    };
    const message = problemsIn(stringify({ clusters: [entry("a", "k8s/a"), entry("b", "k8s/b")] }));
    expect(message).not.toContain("s3cret");
    expect(message).not.toContain("k8s.example.com, which");
    for (const index of [0, 1]) {
      expect(message).toContain(`clusters[${index}].kubernetes.host: "https://***@k8s.example.com" ${CARRIES}`);
    }
  });
});

describe("a private key in any string of the file is refused, never echoed", () => {
  const key = generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  const keyLines = key.trim().split("\n").slice(1, -1);

  test.each([
    [
      "auth.description",
      (c: Record<string, unknown>) => Object.assign(c.auth as object, { description: key }),
      "clusters[0].auth.description",
    ],
    [
      "kubernetes.kubeconfig.context",
      (c: Record<string, unknown>) => {
        explicitConnection(c);
        (c.kubernetes as Record<string, unknown>).kubeconfig = { context: key };
      },
      "clusters[0].kubernetes.kubeconfig.context",
    ],
    [
      "auth.jwt.issuer",
      (c: Record<string, unknown>) => {
        c.kubernetes = {};
        c.auth = { method: "jwt", jwt: { issuer: key } };
        firstRole(c).audience = "vault";
      },
      "clusters[0].auth.jwt.issuer",
    ],
    [
      "a policy rule's description",
      (c: Record<string, unknown>) => {
        (c.policies as unknown[]).push({
          name: "app",
          rules: [{ path: "secret/data/app/*", capabilities: ["read"], description: `read it with:\n${key}` }],
        });
      },
      "clusters[0].policies[1].rules[0].description",
    ],
  ])("rejects a private key in %s, naming the field and not the key", (_what, change, field) => {
    const message = problemsIn(fileWith(change));
    expect(message).toContain(`${field} holds a private key (-----BEGIN ... PRIVATE KEY-----; the value is not shown)`);
    for (const line of keyLines) expect(message).not.toContain(line);
  });

  test.each([
    [
      "in a list where the CA text belongs",
      (c: Record<string, unknown>) => {
        explicitConnection(c);
        (c.kubernetes as Record<string, unknown>).caCertificate = [key];
      },
      "clusters[0].kubernetes.caCertificate: expected text, got (a value holding a private key, not shown)",
    ],
    [
      "in a mapping where a duration belongs",
      (c: Record<string, unknown>) => Object.assign(firstRole(c), { tokenTtl: { ttl: key } }),
      "clusters[0].roles[0].tokenTtl: (a value holding a private key, not shown) is not a duration; use e.g. 1800, 30m, 1h30m, 1.5h or 7d",
    ],
    [
      "where the reviewer mode belongs",
      (c: Record<string, unknown>) => Object.assign(reviewer(c), { mode: key }),
      "clusters[0].auth.reviewer.mode: reviewer mode (a private key, not shown) is not one of long-lived-token, vault-pod, client-jwt",
    ],
    [
      "in a list where the reviewer mode belongs",
      (c: Record<string, unknown>) => Object.assign(reviewer(c), { mode: [key] }),
      "clusters[0].auth.reviewer.mode: reviewer mode (a value holding a private key, not shown) is not one of long-lived-token, vault-pod, client-jwt",
    ],
  ])("rejects a private key %s without echoing it in the type error", (_what, change, line) => {
    const message = problemsIn(fileWith(change));
    expect(message.split("\n").map((text) => text.replace(/^ {2}bad\.yaml:\d+:\d+: /, ""))).toContain(line);
    for (const text of keyLines) expect(message).not.toContain(text);
  });

  test("rejects a URL with a password in a list where the Vault address belongs, without the password", () => {
    const message = problemsIn(
      fileWith((c) => Object.assign(c, { vault: { address: ["https://admin:s3cret@vault.example.com"] } })),
    );
    expect(message).toContain('clusters[0].vault.address: expected text, got ["https://***@vault.example.com"]');
    expect(message).not.toContain("s3cret");
  });

  test("rejects a private key used as a mapping key without printing it in the field path", () => {
    const message = problemsIn(fileWith((c) => Object.assign(c, { [key]: "x" })));
    expect(message).toContain("clusters[0].(a key holding a private key) holds a private key");
    for (const line of keyLines) expect(message).not.toContain(line);
  });

  test("names a private key in caCertificate once, with the CA bundle's own advice", () => {
    const message = problem(
      fileWith((c) => {
        explicitConnection(c);
        (c.kubernetes as Record<string, unknown>).caCertificate = `${TEST_CA}${key}`;
      }),
    );
    expect(message).toContain("clusters[0].kubernetes.caCertificate holds a private key");
    expect(message).toContain("keep only the CA certificate blocks");
  });
});

describe("PEM bundles hold certificates only (RFC 7468), read with Node's X.509 parser", () => {
  const withCa = (caCertificate: string) =>
    fileWith((c) => {
      explicitConnection(c);
      Object.assign(c.kubernetes as object, { caCertificate });
    });
  const privateKey = () =>
    generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();

  test("accepts a bundle of two certificates, as after a CA rotation", () => {
    expect(problemsIn(withCa(`${TEST_CA}${TEST_CA}`))).toBe("");
  });

  test("rejects a private key pasted after the certificate, without quoting it", () => {
    const key = privateKey();
    const message = problemsIn(withCa(`${TEST_CA}${key}`));
    expect(message).toContain("clusters[0].kubernetes.caCertificate holds a private key");
    expect(message).not.toContain(key.split("\n")[1]);
    expect(message).not.toContain("MIIB");
  });

  test("rejects a private key alone, without quoting it", () => {
    const key = privateKey();
    const message = problemsIn(withCa(key));
    expect(message).toContain("caCertificate holds a private key");
    expect(message).not.toContain(key.split("\n")[1].slice(0, 20));
  });

  test("rejects a block that is not a certificate", () => {
    const publicKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .publicKey.export({ type: "spki", format: "pem" })
      .toString();
    expect(problem(withCa(`${TEST_CA}${publicKey}`))).toContain(
      'has block 2 of 2 labelled "PUBLIC KEY"; a CA bundle holds only CERTIFICATE blocks',
    );
  });

  test("rejects a certificate cut short", () => {
    const lines = TEST_CA.split("\n");
    const cut = [...lines.slice(0, 4), ...lines.slice(-2)].join("\n");
    expect(problem(withCa(cut))).toContain(
      "has the block that is not a readable X.509 certificate (cut short or altered?)",
    );
  });

  test("rejects a CA whose only certificate has expired, with its notAfter date", () => {
    expect(problem(withCa(EXPIRED_CA))).toContain(
      "holds only expired certificates: CN=vault-k8s-auth-expired-test-ca (notAfter Jan  1 00:00:00 2021 GMT); TLS to the API would fail; paste the cluster's current CA",
    );
  });

  test("counts a certificate as valid through the second of its notAfter (RFC 5280 §4.1.2.5: inclusive)", () => {
    const notAfter = new Date("2021-01-01T00:00:00Z");
    expect(readCertificateBundle(EXPIRED_CA, notAfter)).toEqual({ expired: [] });
    expect(readCertificateBundle(EXPIRED_CA, new Date(notAfter.getTime() + 1000)).problem).toBe(
      "holds only expired certificates: CN=vault-k8s-auth-expired-test-ca (notAfter Jan  1 00:00:00 2021 GMT); TLS to the API would fail; paste the cluster's current CA",
    );
  });

  test("names an expired certificate by every part of its subject", () => {
    // Self-signed with `openssl ca -selfsign -startdate 20190101000000Z -enddate 20210101000000Z`; its key was not kept.
    const twoNames = readFileSync(join(__dirname, "..", "fixtures", "expired-ca-two-names.pem"), "utf8");
    expect(problem(withCa(twoNames))).toContain(
      "holds only expired certificates: O=Example Org, CN=vault-k8s-auth-expired-test-ca-2 (notAfter Jan  1 00:00:00 2021 GMT);",
    );
  });

  test("rejects a CA whose two certificates have both expired, naming each", () => {
    const name = "CN=vault-k8s-auth-expired-test-ca (notAfter Jan  1 00:00:00 2021 GMT)";
    expect(problem(withCa(`${EXPIRED_CA}${EXPIRED_CA}`))).toContain(
      `holds only expired certificates: ${name}; ${name}; TLS to the API would fail; paste the cluster's current CA`,
    );
  });

  test("rejects a CA cut before its END line", () => {
    const cut = TEST_CA.replace("-----END CERTIFICATE-----", "");
    expect(problem(withCa(cut))).toBe(
      `clusters[0].kubernetes.caCertificate: ${JSON.stringify(`${cut.slice(0, 77)}...`)} has no -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- block`,
    );
  });

  test("accepts a bundle where one of two certificates has expired", () => {
    expect(problemsIn(withCa(`${EXPIRED_CA}${TEST_CA}`))).toBe("");
  });
});

describe("names of AWS and Vault Enterprise follow their own rules", () => {
  const eks = (clusterName: string, region = "ap-northeast-1") =>
    fileWith((c) => {
      c.kubernetes = { eks: { clusterName, region } };
    });
  const state = (bucket: string, region = "eu-west-1") =>
    fileWith((c) => Object.assign(c, { state: { s3: { bucket, region } } }));
  const namespace = (name: string) => fileWith((c) => Object.assign(c, { vault: { namespace: name } }));

  test.each([
    ["an EKS cluster name with capitals and '_'", eks("Prod_Cluster-1")],
    ["a GovCloud region", eks("prod", "us-gov-west-1")],
    ["an S3 bucket with dots", state("tf-state.example.com")],
    ["a nested Vault namespace", namespace("admin/team-a")],
    ["an S3 bucket that starts with an IP address", state("10.0.0.1-state")],
    ["an S3 bucket that ends in an IP address", state("state.10.0.0.1")],
  ])("accepts %s", (_what, text) => {
    expect(problemsIn(text)).toBe("");
  });

  test.each([
    [
      "an EKS cluster name starting with '-'",
      eks("-prod"),
      "clusters[0].kubernetes.eks.clusterName: \"-prod\" is not an EKS cluster name; use the name `aws eks list-clusters` shows: 1 to 100 letters, digits, '-' and '_', starting with a letter or digit",
    ],
    [
      "an EKS cluster name of 101 characters",
      eks("a".repeat(101)),
      "is not an EKS cluster name; use the name `aws eks list-clusters` shows: 1 to 100 letters, digits, '-' and '_', starting with a letter or digit",
    ],
    [
      "an EKS cluster name with a dot",
      eks("prod.k8s"),
      "\"prod.k8s\" is not an EKS cluster name; use the name `aws eks list-clusters` shows: 1 to 100 letters, digits, '-' and '_', starting with a letter or digit",
    ],
    [
      "an availability zone as the region",
      eks("prod", "us-east-1a"),
      `clusters[0].kubernetes.eks.region: "us-east-1a" is an availability zone; use its region, us-east-1`,
    ],
    [
      "a GovCloud availability zone as the region",
      eks("prod", "us-gov-west-1a"),
      `clusters[0].kubernetes.eks.region: "us-gov-west-1a" is an availability zone; use its region, us-gov-west-1`,
    ],
    [
      "an availability zone of a two-digit region number, which the region pattern allows",
      eks("prod", "ap-east-10b"),
      `clusters[0].kubernetes.eks.region: "ap-east-10b" is an availability zone; use its region, ap-east-10`,
    ],
    [
      "text that only starts like an availability zone",
      eks("prod", "us-east-1ab"),
      `clusters[0].kubernetes.eks.region: "us-east-1ab" is not an AWS region; use a region code such as ap-northeast-1 or us-east-1 (not a name like Tokyo, not an availability zone like us-east-1a)`,
    ],
    [
      "text that only ends like an availability zone",
      eks("prod", "aws-us-east-1a"),
      `clusters[0].kubernetes.eks.region: "aws-us-east-1a" is not an AWS region; use a region code such as ap-northeast-1 or us-east-1 (not a name like Tokyo, not an availability zone like us-east-1a)`,
    ],
    [
      "a region name instead of its code",
      eks("prod", "Tokyo"),
      '"Tokyo" is not an AWS region; use a region code such as ap-northeast-1 or us-east-1 (not a name like Tokyo, not an availability zone like us-east-1a)',
    ],
    [
      "a state bucket with capitals",
      state("My_Bucket"),
      "clusters[0].state.s3.bucket: \"My_Bucket\" has uppercase letters or '_', which S3 bucket names cannot have; use lowercase letters, digits, '-' and '.'",
    ],
    [
      "a state bucket named like an IP address",
      state("192.168.5.4"),
      '"192.168.5.4" is formatted as an IP address, which S3 refuses as a bucket name',
    ],
    [
      "a state bucket named like an IP address with several digits in each part",
      state("10.20.30.40"),
      '"10.20.30.40" is formatted as an IP address, which S3 refuses as a bucket name',
    ],
    [
      "the root Vault namespace by name",
      namespace("root"),
      'clusters[0].vault.namespace: "root" has the segment "root", a name Vault reserves; choose another namespace name',
    ],
    [
      "a state bucket with a reserved prefix",
      state("xn--state"),
      '"xn--state" starts with "xn--", which S3 reserves; choose another bucket name',
    ],
    [
      "a state bucket with a reserved suffix",
      state("state-s3alias"),
      '"state-s3alias" ends with "-s3alias", which S3 reserves for access points and other aliases; choose another bucket name',
    ],
    [
      "a state bucket with '..'",
      state("tf..state"),
      "\"tf..state\" is not an S3 bucket name; use 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (S3 bucket naming rules)",
    ],
    [
      "a state region that is not a region",
      state("tf-state", "europe"),
      'clusters[0].state.s3.region: "europe" is not an AWS region; use a region code such as ap-northeast-1 or us-east-1 (not a name like Tokyo, not an availability zone like us-east-1a)',
    ],
    [
      "a Vault namespace with a space",
      namespace("team a"),
      'clusters[0].vault.namespace: "team a" holds a space, which would be written as is; remove it',
    ],
    [
      "a Vault namespace with a quote",
      namespace(`team"; rm -rf /; echo "`),
      "holds a quote, '\\' or '$', which Vault namespace names do not take and which would break the generated login command; remove it",
    ],
    [
      "a Vault namespace with a trailing '/'",
      namespace("admin/"),
      "\"admin/\" ends with '/'; Vault namespace paths do not (write admin/team-a, not admin/team-a/)",
    ],
    [
      "a Vault namespace named sys",
      namespace("admin/sys"),
      '"admin/sys" has the segment "sys", a name Vault reserves; choose another namespace name',
    ],
  ])("rejects %s", (_what, text, expected) => {
    expect(problem(text)).toContain(expected);
  });
});

test("accepts a file of many valid names (no over-reach)", () => {
  const text = fileWith((c) => {
    explicitConnection(c, "https://api.k8s.example.com:6443");
    Object.assign(c, { vault: { address: "https://Vault.Example.com:8200", namespace: "admin" } });
    reviewer(c).bindingName = "system:vault-reviewer";
  });
  expect(parseConfigText(text, "ok.yaml").clusters[0].vault.namespace).toBe("admin");
});

test("synthesizes the names Kubernetes accepts: a dotted ServiceAccount and a binding name with ':'", () => {
  const cluster = seedCluster();
  Object.assign(cluster.auth?.reviewer ?? {}, {
    serviceAccountName: "vault.reviewer",
    bindingName: "vault:token-reviewer",
  });
  const json = synthJson(stackFor(cluster));
  expect(Object.values(json.resource.kubernetes_cluster_role_binding_v1)).toEqual([
    expect.objectContaining({ metadata: { name: "vault:token-reviewer" } }),
  ]);
  expect(Object.values(json.resource.kubernetes_service_account_v1)).toEqual([
    expect.objectContaining({ metadata: { name: "vault.reviewer", namespace: "vault" } }),
  ]);
});

describe("Vault mount paths: what Vault itself refuses (vault/auth.go)", () => {
  // Each cluster its own policy: two clusters on one Vault may not own a policy of one name.
  const cluster = (name: string, path: string, vault: Record<string, string> = {}) => {
    const policy = `${name}-admin`;
    const base = seedCluster({
      name,
      auth: { path },
      vault,
      kubernetes: { eks: { clusterName: name, region: "eu-west-1" } },
      policies: [{ name: policy, preset: "admin" }],
    });
    return { ...base, roles: base.roles.map((role) => ({ ...role, tokenPolicies: [policy] })) };
  };
  const two = (first: ClusterInput, second: ClusterInput) => stringify({ clusters: [first, second] });

  test.each([
    [
      "token",
      'is the token store\'s mount (auth/token/), which every Vault has: Vault answers "path is already in use at token/"; choose another path, e.g. kubernetes or k8s/prod',
    ],
    [
      "token/k8s",
      'is the token store\'s mount (auth/token/), which every Vault has: Vault answers "path is already in use at token/"; choose another path, e.g. kubernetes or k8s/prod',
    ],
    [
      "k8s/../prod",
      "has a '.' or '..' segment, which HTTP clients resolve before Vault sees the request (RFC 3986 §5.2.4); name each segment, e.g. k8s/prod",
    ],
    [
      "./k8s",
      "has a '.' or '..' segment, which HTTP clients resolve before Vault sees the request (RFC 3986 §5.2.4); name each segment, e.g. k8s/prod",
    ],
  ])("rejects the auth path %j", (path, expected) => {
    expect(problem(fileWith((c) => Object.assign(c.auth as object, { path })))).toContain(
      `clusters[0].auth.path: ${JSON.stringify(path)} ${expected}`,
    );
  });

  test("accepts auth paths that only start like a reserved one (tokens, k8s..x)", () => {
    expect(problemsIn(two(cluster("a", "tokens"), cluster("b", "k8s..x")))).toBe("");
  });

  test("rejects a kvRead mount that is one of Vault's own", () => {
    const text = fileWith((c) => {
      c.policies = [{ name: "admin", rules: [{ kvRead: { mount: "cubbyhole", path: "x" } }] }];
    });
    expect(problem(text)).toContain(
      '"cubbyhole" is Vault\'s own cubbyhole/ mount (vault/mount.go, protectedMounts), not a KV engine; name the KV mount, e.g. secret',
    );
  });

  test("rejects a mount under another cluster's mount on the same Vault", () => {
    expect(problem(two(cluster("a", "k8s"), cluster("b", "k8s/prod")))).toContain(
      'clusters[1].auth.path: "k8s/prod" lies under "k8s", the mount of clusters[0] on the same Vault (VAULT_ADDR): Vault refuses it with "path is already in use at k8s/"; use paths that are not prefixes of each other, e.g. k8s/a and k8s/b',
    );
  });

  test("rejects a mount two levels under another cluster's mount, naming that mount", () => {
    expect(problem(two(cluster("a", "k8s"), cluster("b", "k8s/prod/eu")))).toContain(
      'clusters[1].auth.path: "k8s/prod/eu" lies under "k8s", the mount of clusters[0] on the same Vault (VAULT_ADDR): Vault refuses it with "path is already in use at k8s/"; use paths that are not prefixes of each other, e.g. k8s/a and k8s/b',
    );
  });

  test("rejects a mount that is a prefix of an earlier cluster's mount", () => {
    expect(problem(two(cluster("a", "k8s/prod/eu"), cluster("b", "k8s/prod")))).toContain(
      'clusters[1].auth.path: "k8s/prod" is a prefix of the mount of clusters[0] on the same Vault (VAULT_ADDR): Vault refuses it with "path is already in use"; use paths that are not prefixes of each other, e.g. k8s/a and k8s/b',
    );
  });

  test("rejects the same mount on one Vault whose address differs only in host case, a trailing '/' or the default port", () => {
    const a = cluster("a", "k8s", { address: "https://Vault.Example.com:443/" });
    const b = cluster("b", "k8s", { address: "https://vault.example.com" });
    expect(problem(two(a, b))).toContain(
      '"k8s" is already the mount of clusters[0] on the same Vault (https://vault.example.com); give each cluster its own auth.path, e.g. k8s/b',
    );
  });

  test.each([
    ["paths that share only a string prefix", cluster("a", "k8s"), cluster("b", "k8s-prod")],
    [
      "the same path on two Vaults",
      cluster("a", "k8s", { address: "https://a.example.com" }),
      cluster("b", "k8s", { address: "https://b.example.com" }),
    ],
    [
      "the same path in two namespaces",
      cluster("a", "k8s", { namespace: "team-a" }),
      cluster("b", "k8s", { namespace: "team-b" }),
    ],
  ])("accepts %s", (_what, a, b) => {
    expect(problemsIn(two(a, b))).toBe("");
  });
});

describe("one owner per reviewer object in a Kubernetes cluster", () => {
  // Each entry its own Vault, so only the Kubernetes side can clash.
  const entry = (name: string, kubernetes: Record<string, unknown>, reviewer: Record<string, unknown> = {}) => {
    const base = seedCluster({ name, kubernetes, vault: { address: `https://${name}.vault.example.com` } });
    // undefined drops the seed's value, as the YAML file would.
    const merged = { ...(base.auth as { reviewer: object }).reviewer, ...reviewer };
    base.auth = { ...base.auth, reviewer: JSON.parse(JSON.stringify(merged)) };
    return base;
  };
  const eks = (clusterName: string, region = "eu-west-1") => ({ eks: { clusterName, region } });
  const explicit = (host: string) => ({ host, caCertificate: TEST_CA, kubeconfig: { context: "test" } });
  const two = (first: ClusterInput, second: ClusterInput) => stringify({ clusters: [first, second] });

  test("rejects two entries on one EKS cluster, naming both places, each object and the fix", () => {
    const text = two(entry("a", eks("prod")), entry("b", eks("prod")));
    const lines = problemsIn(text).split("\n");
    expect(lines[0]).toMatch(/^bad\.yaml has 3 problems/);
    expect(lines).toContain(
      '  bad.yaml:37:29: clusters[1].auth.reviewer.serviceAccountName: "vault-reviewer" makes this stack create ServiceAccount "vault/vault-reviewer" in EKS cluster prod in eu-west-1, which clusters[0].auth.reviewer.serviceAccountName (bad.yaml:11:29) creates too; the later apply fails with "already exists", and a destroy of either deletes it for both: give one of the two entries another reviewer serviceAccountName or namespace, or manage this cluster\'s reviewer from one entry only',
    );
    expect(problemsIn(text)).toContain('Secret "vault/vault-reviewer-token" in EKS cluster prod in eu-west-1');
    expect(problemsIn(text)).toContain(
      'clusters[1].auth.reviewer.bindingName: "vault-auth-role-token-review-binding" makes this stack create ClusterRoleBinding',
    );
  });

  test("rejects the default reviewer names twice: the binding is vault-vault-reviewer-auth-delegator", () => {
    const text = two(
      entry("a", eks("prod"), { bindingName: undefined }),
      entry("b", eks("prod"), { bindingName: undefined }),
    );
    expect(problemsIn(text)).toContain('ClusterRoleBinding "vault-vault-reviewer-auth-delegator" in EKS cluster prod');
  });

  test.each([
    ["letter case", "https://K8S.Example.com", "https://k8s.example.com"],
    ["a trailing '/'", "https://k8s.example.com/", "https://k8s.example.com"],
    ["the default port", "https://k8s.example.com:443", "https://k8s.example.com"],
  ])("rejects explicit hosts that differ only in %s", (_what, first, second) => {
    const text = two(entry("a", explicit(first)), entry("b", explicit(second)));
    expect(problemsIn(text)).toContain(`ServiceAccount "vault/vault-reviewer" in ${second}, which clusters[0]`);
  });

  test("rejects explicit hosts behind a proxy path that differ only in trailing slashes", () => {
    const path = "https://rancher.example.com/k8s/clusters/c-1";
    const text = two(entry("a", explicit(`${path}//`)), entry("b", explicit(path)));
    expect(problemsIn(text)).toContain(`ServiceAccount "vault/vault-reviewer" in ${path}, which clusters[0]`);
  });

  test("rejects two inCluster entries: they name the one cluster Terraform runs in", () => {
    const inCluster = { host: "https://kubernetes.default.svc", caCertificate: TEST_CA, inCluster: true };
    const other = { ...inCluster, host: "https://10.0.0.1" };
    expect(problemsIn(two(entry("a", inCluster), entry("b", other)))).toContain(
      'ServiceAccount "vault/vault-reviewer" in the cluster Terraform runs in (inCluster)',
    );
  });

  test("rejects one client-jwt role binding from two entries with the same mount path and role", () => {
    const clientJwt = {
      mode: "client-jwt",
      serviceAccountName: undefined,
      namespace: undefined,
      bindingName: undefined,
    };
    const text = two(entry("a", eks("prod"), clientJwt), entry("b", eks("prod"), clientJwt));
    expect(problem(text)).toMatch(
      /^clusters\[1\]\.roles\[0\]\.name: "atlantis" makes this stack create ClusterRoleBinding "vault-client-jwt-atlantis-atlantis-[0-9a-f]{8}" in EKS cluster prod in eu-west-1, which clusters\[0\]\.roles\[0\]\.name \(bad\.yaml:\d+:\d+\) creates too; .* another auth\.path or the role's name/,
    );
    const moved = entry("b", eks("prod"), clientJwt);
    (moved.auth as { path: string }).path = "atlantis-b";
    expect(problemsIn(two(entry("a", eks("prod"), clientJwt), moved))).toBe("");
  });

  test("rejects one namespace reader from two entries whose vault-pod reviewer is one ServiceAccount", () => {
    const vaultPod = { mode: "vault-pod", serviceAccountName: "vault", bindingName: undefined, createBinding: false };
    const withSelector = (cluster: ClusterInput) => {
      const role = cluster.roles[0] as Record<string, unknown>;
      role.boundServiceAccountNamespaceSelector = { matchLabels: { team: "a" } };
      return cluster;
    };
    const text = two(withSelector(entry("a", eks("prod"), vaultPod)), withSelector(entry("b", eks("prod"), vaultPod)));
    const message = problemsIn(text);
    expect(message).toContain('ClusterRole "vault-vault-namespace-reader" in EKS cluster prod');
    expect(message).toContain('ClusterRoleBinding "vault-vault-namespace-reader" in EKS cluster prod');
    expect(message).toContain("clusters[1].roles[0].boundServiceAccountNamespaceSelector: ");
  });

  test("rejects a vault-pod bindingName that one entry's namespace reader also takes, and accepts it without a selector", () => {
    const vaultPod = {
      mode: "vault-pod",
      serviceAccountName: "vault",
      namespace: "vault-system",
      bindingName: "vault-system-vault-namespace-reader",
    };
    const withSelector = entry("a", eks("prod"), vaultPod);
    (withSelector.roles[0] as Record<string, unknown>).boundServiceAccountNamespaceSelector = {
      matchLabels: { a: "b" },
    };
    expect(problem(stringify({ clusters: [withSelector] }))).toBe(
      'clusters[0].auth.reviewer.bindingName: "vault-system-vault-namespace-reader" is also the name of the ClusterRoleBinding that lets the reviewer read namespaces for boundServiceAccountNamespaceSelector (<namespace>-<serviceAccountName>-namespace-reader), so this stack would create two bindings of one name and the apply fails with "already exists"; choose another bindingName',
    );
    expect(problemsIn(stringify({ clusters: [entry("a", eks("prod"), vaultPod)] }))).toBe("");
    // One role with a selector is enough to create the reader, whatever the other roles bind.
    const roles = withSelector.roles as Record<string, unknown>[];
    roles.unshift({ ...roles[0], name: "plain", boundServiceAccountNamespaceSelector: undefined });
    expect(problem(stringify({ clusters: [withSelector] }))).toBe(
      'clusters[0].auth.reviewer.bindingName: "vault-system-vault-namespace-reader" is also the name of the ClusterRoleBinding that lets the reviewer read namespaces for boundServiceAccountNamespaceSelector (<namespace>-<serviceAccountName>-namespace-reader), so this stack would create two bindings of one name and the apply fails with "already exists"; choose another bindingName',
    );
  });

  test("accepts two vault-pod entries on one cluster that create no binding, as with the Helm chart's own", () => {
    const vaultPod = { mode: "vault-pod", serviceAccountName: "vault", bindingName: undefined, createBinding: false };
    expect(problemsIn(two(entry("a", eks("prod"), vaultPod), entry("b", eks("prod"), vaultPod)))).toBe("");
  });

  // The check must know every object a reviewer creates, under the name the constructs give it.
  test.each([
    // Namespace, ServiceAccount, Secret, binding, and the namespace reader's ClusterRole and binding.
    ["long-lived-token with createNamespace", { createNamespace: true }, 6],
    // Vault's binding and the namespace reader's ClusterRole and binding.
    ["vault-pod", { mode: "vault-pod", serviceAccountName: "vault", secretName: undefined }, 3],
    // The role's binding.
    [
      "client-jwt",
      { mode: "client-jwt", serviceAccountName: undefined, namespace: undefined, bindingName: undefined },
      1,
    ],
  ])(
    "rejects twice every Kubernetes object one %s stack synthesizes, its namespace reader included where the mode allows one",
    (_mode, reviewer: Record<string, unknown>, objects) => {
      const make = (name: string) => {
        const cluster = entry(name, eks("prod"), reviewer);
        cluster.roles = cluster.roles.map((role) =>
          reviewer.mode === "client-jwt"
            ? role
            : { ...role, boundServiceAccountNamespaceSelector: { matchLabels: { a: "b" } } },
        );
        return cluster;
      };
      const json = synthJson(stackFor(make("a")));
      const created = Object.entries(json.resource)
        .filter(([type]) => type.startsWith("kubernetes_"))
        .flatMap(([, blocks]) => Object.values(blocks).map((block) => (block.metadata as { name: string }).name));
      expect(created).toHaveLength(objects);
      const lines = problemsIn(two(make("a"), make("b")))
        .split("\n")
        .slice(1);
      expect(lines).toHaveLength(created.length);
      for (const name of created)
        expect(lines.some((line) => line.includes(`${name}" in EKS cluster prod`))).toBe(true);
    },
  );

  test.each([
    ["two EKS clusters of one name in two regions", entry("a", eks("prod")), entry("b", eks("prod", "us-east-1"))],
    ["two EKS clusters in one region", entry("a", eks("prod")), entry("b", eks("staging"))],
    ["two hosts", entry("a", explicit("https://a.k8s.example.com")), entry("b", explicit("https://b.k8s.example.com"))],
    [
      "one cluster, reviewers in two namespaces with their own bindings",
      entry("a", eks("prod"), { namespace: "vault-a", bindingName: "vault-a-auth-delegator" }),
      entry("b", eks("prod"), { namespace: "vault-b", bindingName: "vault-b-auth-delegator" }),
    ],
    [
      "one cluster, two reviewer names with their own bindings",
      entry("a", eks("prod"), { serviceAccountName: "reviewer-a", bindingName: "reviewer-a-auth-delegator" }),
      entry("b", eks("prod"), { serviceAccountName: "reviewer-b", bindingName: "reviewer-b-auth-delegator" }),
    ],
    [
      "one cluster, a kubernetes entry and a jwt entry (which creates nothing in the cluster)",
      entry("a", eks("prod")),
      (() => {
        const jwt = { ...entry("b", eks("prod")), auth: { method: "jwt" as const } };
        return { ...jwt, roles: jwt.roles.map((role) => ({ ...role, audience: "vault" })) };
      })(),
    ],
  ])("accepts %s", (_what, a, b) => {
    expect(problemsIn(two(a, b))).toBe("");
  });
});

describe("token lifetimes against Vault's limits (warned: the max TTL can be raised)", () => {
  const warnings = (change: Record<string, unknown>) =>
    checkConfigText(
      fileWith((c) => Object.assign(firstRole(c), change)),
      "t.yaml",
    )
      .warnings.filter((warning) => warning.construct === undefined)
      .map((warning) => warning.text);

  test.each([["tokenMaxTtl", "1000h", "3600000s"]])(
    "warns that %s %s is capped to Vault's default max TTL of 768h",
    (field, value, secs) => {
      expect(warnings({ tokenPeriod: undefined, [field]: value })).toEqual([
        expect.stringMatching(
          new RegExp(
            `^t\\.yaml:\\d+:\\d+: clusters\\[0\\]\\.roles\\[0\\]\\.${field}: "${value}" \\(${secs}\\) is above Vault's default max TTL of 768h \\(32 days\\): Vault caps it to 768h unless max_lease_ttl was raised`,
          ),
        ),
      ]);
    },
  );

  test("warns that tokenTtl does nothing next to tokenPeriod, and still accepts the file", () => {
    const checked = checkConfigText(
      fileWith((c) => Object.assign(firstRole(c), { tokenTtl: "10m" })),
      "t.yaml",
    );
    expect(checked.config.clusters[0].roles[0].tokenTtl?.toSeconds()).toBe(600);
    expect(checked.warnings.filter((warning) => warning.construct === undefined)).toEqual([
      {
        cluster: 0,
        text: expect.stringContaining(
          `clusters[0].roles[0].tokenTtl: "10m" has no effect next to tokenPeriod: Vault issues a periodic token, and every renewal resets it to the period; drop tokenTtl`,
        ),
      },
    ]);
  });

  test("says nothing at exactly 768h", () => {
    expect(warnings({ tokenPeriod: "768h" })).toEqual([]);
  });
});

describe("policy paths as Vault's parser reads them (vault/policy.go)", () => {
  const withRule = (rule: Record<string, unknown>) =>
    fileWith((c) => {
      c.policies = [{ name: "admin", rules: [rule] }];
      // An audience keeps the role's own warning out of the list, which then holds the path's alone.
      firstRole(c).audience = "vault";
    });

  test.each([
    [{ path: "secret/data/+/config", capabilities: ["read"] }],
    [{ path: "secret/data/app/*", capabilities: ["read"] }],
    [{ list: "secret/metadata/+" }],
    [{ kvRead: { mount: "secret", path: "apps/*" } }],
  ])("accepts %j, without a warning", (rule) => {
    expect(checkConfigText(withRule(rule), "t.yaml").warnings).toEqual([]);
  });

  test.each<[Record<string, unknown>, string]>([
    [
      { path: "secret/*/config", capabilities: ["read"] },
      'rules[0].path: "secret/*/config" has "*" before the end, where Vault reads it as a literal "*" (only a final "*" is a glob, vault/policy.go), so it would match only paths that contain "*"; use "+" for one whole segment (e.g. secret/data/+/config) or end the path in *',
    ],
    [
      { path: "*/config", capabilities: ["read"] },
      'rules[0].path: "*/config" has "*" before the end, where Vault reads it as a literal "*" (only a final "*" is a glob, vault/policy.go), so it would match only paths that contain "*"; use "+" for one whole segment (e.g. secret/data/+/config) or end the path in *',
    ],
    [
      { path: "secret/+*", capabilities: ["read"] },
      'rules[0].path: "secret/+*" has "+*", which Vault refuses ("invalid use of wildcards (\'+*\' is forbidden)", vault/policy.go); write +/* or end the path in *',
    ],
    [
      { deny: "secret/data/*/admin" },
      'rules[0].deny: "secret/data/*/admin" has "*" before the end, where Vault reads it as a literal "*" (only a final "*" is a glob, vault/policy.go), so it would match only paths that contain "*"; use "+" for one whole segment (e.g. secret/data/+/config) or end the path in *',
    ],
    [
      { path: "secret/data/app ", capabilities: ["read"] },
      'rules[0].path: "secret/data/app " holds a space at the end, which would be written as is; remove it',
    ],
    [
      { kvRead: { mount: "kv/../secret", path: "app" } },
      `rules[0].kvRead.mount: "kv/../secret" has a '.' or '..' segment, which HTTP clients resolve before Vault sees the request (RFC 3986 §5.2.4); name each segment`,
    ],
    [
      { kvRead: { mount: "secret", path: "team*/app" } },
      'rules[0].kvRead.path: "team*/app" has "*" before the end, where Vault reads it as a literal "*" (only a final "*" is a glob, vault/policy.go), so it would match only paths that contain "*"; use "+" for one whole segment (e.g. secret/data/+/config) or end the path in *',
    ],
  ])("rejects %j", (rule, expected) => {
    expect(problem(withRule(rule))).toContain(`clusters[0].policies[0].${expected}`);
  });

  test("warns about a '+' inside a segment, which matches a literal '+'", () => {
    const { warnings } = checkConfigText(
      withRule({ path: "secret/data/app+x/config", capabilities: ["read"] }),
      "t.yaml",
    );
    // The policy construct warns at synth; the config check predicts it at the rule's path.
    expect(warnings.filter((warning) => warning.text.includes('"+"')).map((warning) => warning.text)).toEqual([
      expect.stringMatching(
        /^t\.yaml:\d+:\d+: clusters\[0\]\.policies\[0\]\.rules\[0\]\.path: policy admin: path "secret\/data\/app\+x\/config" has "app\+x", but "\+" is a wildcard only as a whole segment \(vault\/policy\.go\), so this matches a literal "\+"$/,
      ),
    ]);
  });
});

describe("roles: what Vault grants and compares", () => {
  test.each([
    [" vault", "holds a space at the start, which would be written as is; remove it"],
    [
      "vault\n",
      "holds a newline at the end, which would be written as is (a `|` or `>` block keeps the last line's newline: write the value on the key's line, or use `|-`); remove it",
    ],
    ["vault ", "holds a space at the end, which would be written as is; remove it"],
  ])("rejects the audience %j, which never equals a token's aud claim", (audience, why) => {
    expect(problem(fileWith((c) => Object.assign(firstRole(c), { audience })))).toBe(
      `clusters[0].roles[0].audience: ${JSON.stringify(audience)} ${why}; Vault compares the audience with the token's aud claim exactly`,
    );
  });

  test("quotes a value of up to 80 characters whole, and a longer one cut to 77 and '...'", () => {
    const undefinedPolicy = (name: string) =>
      problem(fileWith((c) => Object.assign(firstRole(c), { tokenPolicies: [name] })));
    expect(undefinedPolicy("p".repeat(80))).toBe(
      `clusters[0].roles[0].tokenPolicies[0]: policy "${"p".repeat(80)}" is not defined in this cluster's policies; add it under policies, or under externalPolicies if Vault has it from elsewhere (vault policy write)`,
    );
    expect(undefinedPolicy("p".repeat(81))).toBe(
      `clusters[0].roles[0].tokenPolicies[0]: policy "${"p".repeat(77)}..." is not defined in this cluster's policies; add it under policies, or under externalPolicies if Vault has it from elsewhere (vault policy write)`,
    );
  });

  test("rejects tokenPolicies [root] with why a role cannot grant it", () => {
    expect(problem(fileWith((c) => Object.assign(firstRole(c), { tokenPolicies: ["root"] })))).toBe(
      `clusters[0].roles[0].tokenPolicies[0]: "root" cannot be granted through a role: Vault never issues a root token to an auth method login ("auth methods cannot create root tokens", vault/request_handling.go); grant the paths needed in a policy of this cluster`,
    );
  });
});

describe("the login command quotes every value from the config", () => {
  test("gives the namespace header as one shell word, in single quotes", () => {
    const { output } = synthJson(stackFor(seedCluster({ vault: { namespace: "admin/team-a" } })));
    const command = (output.login_commands.value as Record<string, string>).atlantis;
    expect(command).toContain(`--header 'X-Vault-Namespace: admin/team-a' --data @-`);
    expect(command).toContain(`printf '{"role": "%s", "jwt": "%s"}' atlantis "$(cat /var/run/`);
  });

  test.each([
    ["plain", "plain"],
    ["with space", "'with space'"],
    ["it's", `'it'\\''s'`],
    ['a"; rm -rf / #', `'a"; rm -rf / #'`],
    ["$(id)", "'$(id)'"],
  ])("makes %j one shell word", (value, word) => {
    expect(shellWord(value)).toBe(word);
  });
});

describe("CA bundles in rotation", () => {
  test("warns about expired certificates next to a valid one, with their notAfter", () => {
    const text = fileWith((c) => {
      explicitConnection(c);
      Object.assign(c.kubernetes as object, { caCertificate: `${EXPIRED_CA}${TEST_CA}` });
    });
    const own = checkConfigText(text, "t.yaml").warnings.filter((warning) => warning.construct === undefined);
    expect(own.map((warning) => warning.text)).toEqual([
      expect.stringContaining(
        "clusters[0].kubernetes.caCertificate holds expired certificates next to valid ones: CN=vault-k8s-auth-expired-test-ca (notAfter Jan  1 00:00:00 2021 GMT)",
      ),
    ]);
  });
});

describe("free text written as is keeps no stray whitespace at its ends", () => {
  test.each<[string, (c: Record<string, unknown>) => void, string]>([
    [
      "a kubeconfig context from a `|` block",
      (c) => {
        explicitConnection(c);
        (c.kubernetes as { kubeconfig: Record<string, string> }).kubeconfig.context = "prod\n";
      },
      `clusters[0].kubernetes.kubeconfig.context: "prod\\n" has a space, tab or newline at the start or end, which would be written as is; remove it`,
    ],
    [
      "a state key with a leading space",
      (c) => Object.assign(c, { state: { s3: { bucket: "tf-state", region: "eu-west-1", key: " prod.tfstate" } } }),
      'clusters[0].state.s3.key: " prod.tfstate" has a space, tab or newline at the start or end, which would be written as is; remove it',
    ],
  ])("rejects %s", (_what, change, expected) => {
    expect(problem(fileWith(change))).toContain(expected);
  });

  test("accepts a kubeconfig context with a space inside, as kubeconfig allows", () => {
    const text = fileWith((c) => {
      explicitConnection(c);
      (c.kubernetes as { kubeconfig: Record<string, string> }).kubeconfig.context = "my cluster";
    });
    expect(problemsIn(text)).toBe("");
  });
});

test.each([
  [
    "a cluster name",
    (c: Record<string, unknown>) => Object.assign(c, { name: "" }),
    "clusters[0].name is empty; use at most 63 lowercase letters",
  ],
  [
    "a role name",
    (c: Record<string, unknown>) => Object.assign(firstRole(c), { name: "" }),
    "clusters[0].roles[0].name is empty; use letters, digits and '_'",
  ],
  [
    "an auth path",
    (c: Record<string, unknown>) => Object.assign(c.auth as object, { path: "" }),
    "clusters[0].auth.path is empty; use letters, digits",
  ],
])("rejects an empty %s, saying what to write", (_what, change, expected) => {
  expect(problemsIn(fileWith(change))).toContain(expected);
});

describe("the VaultPolicy construct applies Vault's glob rules too (library use)", () => {
  test("rejects a '*' before the end of a path", () => {
    expect(
      validationMessage(
        () =>
          new VaultPolicy(newStack(), "P", {
            name: "app",
            rules: [{ path: "secret/*/config", capabilities: ["read"] }],
          }),
      ),
    ).toBe(
      'test/P: rules[0].path: "secret/*/config" has "*" before the end, where Vault reads it as a literal "*" (only a final "*" is a glob, vault/policy.go), so it would match only paths that contain "*"; use "+" for one whole segment (e.g. secret/data/+/config) or end the path in *',
    );
  });

  test("warns at synth about a '+' inside a segment", () => {
    const stack = newStack();
    new VaultPolicy(stack, "P", { name: "app", rules: [{ path: "secret/data/a+b", capabilities: ["read"] }] });
    expect(warningsOf(stack)).toContainEqual(expect.stringContaining(`policy app: path "secret/data/a+b" has "a+b"`));
  });

  test("renders subscribe, which vault_policy_document 5.6.0 accepts", () => {
    const stack = newStack();
    new VaultPolicy(stack, "P", {
      name: "events",
      rules: [{ path: "sys/events/subscribe/*", capabilities: ["subscribe"] }],
    });
    const json = synthJson(stack);
    expect(Object.values(json.data?.vault_policy_document ?? {})).toEqual([
      expect.objectContaining({ rule: [expect.objectContaining({ capabilities: ["subscribe"] })] }),
    ]);
  });
});

describe("a kvRead path that already starts with data/ or metadata/ (KV version 2)", () => {
  test.each([
    ["data/app", "secret/data/data/app and secret/metadata/data/app", '"app", for secret/data/app'],
    [
      "metadata/team/*",
      "secret/data/metadata/team/* and secret/metadata/metadata/team/*",
      '"team/*", for secret/data/team/*',
    ],
  ])("warns that %s reads other paths than it seems, naming them and the fix", (path, grants, fix) => {
    const text = fileWith((c) => {
      c.policies = [{ name: "admin", rules: [{ kvRead: { mount: "secret", path } }] }];
    });
    const own = checkConfigText(text, "t.yaml").warnings.filter((warning) => warning.construct === undefined);
    expect(own.map((warning) => warning.text)).toEqual([
      `t.yaml:${text.split("\n").findIndex((line) => line.includes(path)) + 1}:${
        (text.split("\n").find((line) => line.includes(path)) ?? "").indexOf(path) + 1
      }: clusters[0].policies[0].rules[0].kvRead.path: ${JSON.stringify(path)} starts with ${path.split("/")[0]}/, but kvRead adds data/ and metadata/ itself (KV version 2), so this rule grants ${grants}; write the secret's path inside the mount, ${fix}`,
    ]);
  });

  test.each(["team/data/app", "appdata/x", "metadata"])(
    "says nothing for %s, where data/ or metadata/ is not the first segment",
    (path) => {
      const text = fileWith((c) => {
        c.policies = [{ name: "admin", rules: [{ kvRead: { mount: "secret", path } }] }];
      });
      expect(checkConfigText(text, "t.yaml").warnings.filter((warning) => warning.construct === undefined)).toEqual([]);
    },
  );

  test("says nothing for KV version 1, where data/ is an ordinary path", () => {
    const text = fileWith((c) => {
      c.policies = [{ name: "admin", rules: [{ kvRead: { mount: "kv", path: "data/app", version: 1 } }] }];
    });
    expect(checkConfigText(text, "t.yaml").warnings.filter((warning) => warning.construct === undefined)).toEqual([]);
  });
});
