import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ConfigProblems, synthMessage } from "../../src/config/config-problems";
import { loadConfig, parseConfig, parseConfigText } from "../../src/config/load";
import { policyRules } from "../../src/config/policy-rules";
import { decodeConfigBytes } from "../../src/config/read-text";
import { CAPABILITIES } from "../../src/policy/capabilities";
import { PolicyPresets } from "../../src/policy/presets";
import { explicitConnection, fileWith, problemsIn, seedCluster, validationMessage } from "../helpers";

const scratch = mkdtempSync(join(tmpdir(), "vka-messages-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => jest.restoreAllMocks());

const loadError = (chosen: string, cwd = scratch): string =>
  validationMessage(() => loadConfig({ VAULT_K8S_AUTH_CONFIG: chosen }, cwd));

/** The one problem line of a config refused for a single problem. */
const oneProblem = (text: string, name = "bad.yaml"): string => {
  const message = problemsIn(text, name);
  expect(message).toMatch(new RegExp(`^${name.replace(".", "\\.")} has 1 problem:\\n`));
  return message.split("\n")[1].trim();
};

describe("choosing the config file", () => {
  test.each(["", "  "])("rejects VAULT_K8S_AUTH_CONFIG=%j instead of reading the working directory", (chosen) => {
    expect(loadError(chosen)).toBe("VAULT_K8S_AUTH_CONFIG is set but empty; unset it or name a YAML or JSON file");
  });

  test("names a config file outside the working directory by its absolute path, never by ../", () => {
    const outside = mkdtempSync(join(tmpdir(), "vka-outside-"));
    try {
      writeFileSync(join(outside, "c.yaml"), "clusters: []\n");
      const cwd = mkdtempSync(join(scratch, "cwd-"));
      const file = join(outside, "c.yaml");
      expect(loadError(file, cwd)).toBe(
        `${file} has 1 problem:\n  ${file}:1:11: clusters is empty; define at least one cluster`,
      );
    } finally {
      rmSync(outside, { recursive: true });
    }
  });

  test("names a config file inside the working directory by its relative path", () => {
    mkdirSync(join(scratch, "sub"), { recursive: true });
    writeFileSync(join(scratch, "sub", "c.yaml"), stringify({ clusters: [seedCluster()] }));
    expect(loadConfig({ VAULT_K8S_AUTH_CONFIG: join(scratch, "sub", "c.yaml") }, scratch).source).toBe(
      join("sub", "c.yaml"),
    );
  });
});

describe("a file the system refuses to read is named with the reason in plain words", () => {
  const failRead = (code: string | undefined) => {
    writeFileSync(join(scratch, "c.yaml"), "clusters: []\n");
    // The module object the loader calls through: a namespace import would be a copy.
    jest.spyOn(require("node:fs") as typeof import("node:fs"), "readFileSync").mockImplementation(() => {
      throw Object.assign(new Error("refused"), code === undefined ? {} : { code });
    });
    return loadError("c.yaml");
  };

  test("rejects a file it may not read, saying to check its mode and owner", () => {
    expect(failRead("EACCES")).toBe(
      "VAULT_K8S_AUTH_CONFIG=c.yaml cannot be read: permission denied; check its mode and owner",
    );
  });

  test("rejects a file failing with an error code it has no words for, naming the code", () => {
    expect(failRead("EIO")).toBe("VAULT_K8S_AUTH_CONFIG=c.yaml cannot be read (EIO)");
  });

  test("rejects a file failing without an error code as an unknown error", () => {
    expect(failRead(undefined)).toBe("VAULT_K8S_AUTH_CONFIG=c.yaml cannot be read (unknown error)");
  });
});

describe("bytes that are not UTF-8 are refused at the first bad byte", () => {
  test("rejects big-endian UTF-16 (FE FF) at 1:1, naming the encoding", () => {
    expect(validationMessage(() => decodeConfigBytes(Buffer.from([0xfe, 0xff, 0x00, 0x61]), "be.yaml"))).toBe(
      "be.yaml:1:1: the file is UTF-16 text; save it as UTF-8",
    );
  });

  test("reads FE FE as a bad UTF-8 byte, not as a UTF-16 byte order mark", () => {
    expect(validationMessage(() => decodeConfigBytes(Buffer.from([0xfe, 0xfe, 0x61]), "x.yaml"))).toBe(
      "x.yaml:1:1: the file is not valid UTF-8 (byte 0xfe); save it as UTF-8",
    );
  });

  test("points at the lead byte of a 4-byte sequence cut short by an ASCII byte", () => {
    // 0xf0 0x9f 0x98 starts 😀 (f0 9f 98 80); "A" where 0x80 belongs breaks it.
    expect(validationMessage(() => decodeConfigBytes(Buffer.from([0x61, 0xf0, 0x9f, 0x98, 0x41]), "x.yaml"))).toBe(
      "x.yaml:1:2: the file is not valid UTF-8 (byte 0xf0); save it as UTF-8",
    );
  });

  test("points at a sequence cut short by the end of the file, on its own line", () => {
    expect(validationMessage(() => decodeConfigBytes(Buffer.from([0x61, 0x0a, 0x62, 0xe2, 0x82]), "x.yaml"))).toBe(
      "x.yaml:2:2: the file is not valid UTF-8 (byte 0xe2); save it as UTF-8",
    );
  });
});

describe("YAML the loader cannot turn into data is refused at its line", () => {
  test("rejects an alias naming no anchor, at the alias", () => {
    expect(problemsIn("clusters:\n  - *nope\n")).toBe(
      "bad.yaml:2:5: the alias *nope names no anchor (&nope) defined before it; define the anchor first or write the value out",
    );
  });

  test("rejects an alias with no name, in words rather than the parser's", () => {
    expect(problemsIn("clusters: [*]\n")).toBe(
      "bad.yaml is not valid YAML:\n  bad.yaml:1:12: an alias (*name) is not allowed here",
    );
  });

  test("passes on the first line of the YAML parser's message for other syntax errors", () => {
    expect(problemsIn("clusters: [1\n")).toBe(
      "bad.yaml is not valid YAML:\n  bad.yaml:2:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
    );
  });

  test.each([
    ["a: !!binary aGk=\nclusters: !Ref x\n", "1:4", "!!binary"],
    ["a: !foo x\nclusters: !!binary aGk=\n", "1:4", "!foo"],
    ["clusters: !Ref x\n", "1:11", "!Ref"],
  ])("rejects the first unsupported tag in %j", (text, at, tag) => {
    expect(problemsIn(text)).toBe(
      `bad.yaml:${at}: the tag ${tag} is not supported here (it would change what the value means); write plain values: text, numbers, true/false, lists and mappings`,
    );
  });
});

describe("a mapping written as a key", () => {
  test("is an unknown key at its place, and the yaml library prints nothing of its own on stderr", () => {
    const warned = jest.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      expect(problemsIn("? {a: 1}\n: 2\nclusters: []\n")).toBe(
        [
          "bad.yaml has 2 problems:",
          '  bad.yaml:1:1: { a: 1 }: unknown key "{ a: 1 }" (allowed: $schema, clusters)',
          "  bad.yaml:3:11: clusters is empty; define at least one cluster",
        ].join("\n"),
      );
      expect(warned).not.toHaveBeenCalled();
    } finally {
      warned.mockRestore();
    }
  });
});

describe("an empty value is refused with a hint for that field", () => {
  test("rejects an empty kvRead.path, showing a path inside the mount", () => {
    const text = fileWith((c) => {
      c.policies = [{ name: "admin", rules: [{ kvRead: { mount: "secret", path: "" } }] }];
    });
    expect(oneProblem(text)).toBe(
      "bad.yaml:19:21: clusters[0].policies[0].rules[0].kvRead.path is empty; write the secret's path inside the mount, e.g. atlantis/*",
    );
  });

  test("rejects an empty kubeconfig.path, saying that leaving it out means ~/.kube/config", () => {
    const text = fileWith((c) => {
      explicitConnection(c);
      (c.kubernetes as Record<string, unknown>).kubeconfig = { path: "" };
    });
    expect(oneProblem(text)).toBe(
      "bad.yaml:18:15: clusters[0].kubernetes.kubeconfig.path is empty; write the kubeconfig's path, or leave the key out for ~/.kube/config",
    );
  });

  test("rejects an empty entry of a list without its own hint, saying to give a value", () => {
    const text = fileWith((c) => {
      c.auth = {
        path: "atlantis",
        reviewer: { mode: "client-jwt", apiAudiences: [""] },
      };
    });
    expect(oneProblem(text)).toBe(
      "bad.yaml:12:13: clusters[0].auth.reviewer.apiAudiences[0] is empty; give a value, or leave the key out",
    );
  });

  test.each<[string, (c: Record<string, unknown>) => void, string]>([
    [
      "a list rule's path",
      (c) => {
        c.policies = [{ name: "admin", rules: [{ list: "" }] }];
      },
      "clusters[0].policies[0].rules[0].list is empty; write the Vault API path to list, e.g. secret/metadata/app",
    ],
    [
      "a deny rule's path",
      (c) => {
        c.policies = [{ name: "admin", rules: [{ deny: "" }] }];
      },
      "clusters[0].policies[0].rules[0].deny is empty; write the Vault API path to deny, e.g. secret/data/admin/*",
    ],
    [
      "a kubeconfig context",
      (c) => {
        explicitConnection(c);
        (c.kubernetes as Record<string, unknown>).kubeconfig = { context: "" };
      },
      "clusters[0].kubernetes.kubeconfig.context is empty; name a context of the kubeconfig (kubectl config get-contexts), or leave the key out for the current one",
    ],
    [
      "a state key",
      (c) => {
        c.state = { s3: { bucket: "tf-state", region: "eu-west-1", key: "" } };
      },
      "clusters[0].state.s3.key is empty; write the state file's key in the bucket, or leave the key out for vault-k8s-auth/<cluster>.tfstate",
    ],
  ])("rejects an empty %s with the hint for that field", (_what, change, expected) => {
    expect(oneProblem(fileWith(change)).replace(/^bad\.yaml:\d+:\d+: /, "")).toBe(expected);
  });

  test("names the whole document as (top level) when the data is not a mapping", () => {
    expect(validationMessage(() => parseConfig("text", "x.yaml"))).toBe(
      'x.yaml has 1 problem:\n  x.yaml: (top level): expected a mapping (key: value), got "text"',
    );
  });
});

describe("values of the wrong kind name the accepted ones", () => {
  test.each<[string, (c: Record<string, unknown>) => void, string]>([
    [
      "a role without a name, saying text goes there",
      (c) => {
        delete (c.roles as Record<string, unknown>[])[0].name;
      },
      "clusters[0].roles[0].name is required (text)",
    ],
    [
      "a cluster without kubernetes, saying a mapping goes there",
      (c) => {
        delete c.kubernetes;
      },
      "clusters[0].kubernetes is required (a mapping (key: value))",
    ],
    [
      "a number where true or false goes, naming both rather than calling it text read as a number",
      (c) => {
        c.importExisting = 1;
      },
      "clusters[0].importExisting: expected true or false, got 1",
    ],
    [
      "eks: no (meaning no EKS), saying a mapping goes there rather than true or false",
      (c) => {
        (c.kubernetes as Record<string, unknown>).eks = "no";
      },
      'clusters[0].kubernetes.eks: expected a mapping (key: value), got "no"',
    ],
  ])("rejects %s", (_what, change, expected) => {
    expect(oneProblem(fileWith(change)).replace(/^bad\.yaml:\d+:\d+: /, "")).toBe(expected);
  });

  test("names a number given in code where text goes as a number, with no file text to quote", () => {
    expect(validationMessage(() => parseConfig({ clusters: [{ ...seedCluster(), name: 5 }] }, "code"))).toBe(
      "code has 1 problem:\n  code: clusters[0].name: expected text, got 5",
    );
  });

  test("rejects KV version 3, saying 1 or 2", () => {
    const text = fileWith((c) => {
      c.policies = [
        {
          name: "admin",
          rules: [{ kvRead: { mount: "secret", path: "app/*", version: 3 } }],
        },
      ];
    });
    expect(oneProblem(text)).toBe(
      "bad.yaml:20:24: clusters[0].policies[0].rules[0].kvRead.version: 3 is not a KV version; use 1 or 2",
    );
  });

  test("rejects a number for a token type, listing the types without a guess", () => {
    const text = fileWith((c) => {
      (c.roles as Record<string, unknown>[])[0].tokenType = 5;
    });
    expect(oneProblem(text)).toBe(
      "bad.yaml:26:20: clusters[0].roles[0].tokenType: 5 is not a token type; use one of default, service, batch",
    );
  });

  test("rejects a preset it does not know, naming the two", () => {
    const text = fileWith((c) => {
      c.policies = [{ name: "admin", preset: "admn" }];
    });
    expect(oneProblem(text).replace(/^bad\.yaml:\d+:\d+: /, "")).toBe(
      'clusters[0].policies[0].preset: "admn" is not a preset; use admin or terraform-vault-provider',
    );
  });

  test("rejects a number for a capability, listing the capabilities without a guess", () => {
    const text = fileWith((c) => {
      c.policies = [{ name: "admin", rules: [{ path: "secret/*", capabilities: [5] }] }];
    });
    expect(oneProblem(text).replace(/^bad\.yaml:\d+:\d+: /, "")).toBe(
      `clusters[0].policies[0].rules[0].capabilities[0]: 5 is not a capability; use one of ${CAPABILITIES.join(", ")}`,
    );
  });
});

describe("auth.method: jwt without an issuer names the key to add", () => {
  const jwtFile = (auth: Record<string, unknown>) =>
    fileWith((c) => {
      c.kubernetes = { host: "https://k.example.com" };
      c.auth = { path: "atlantis", method: "jwt", ...auth };
      (c.roles as Record<string, unknown>[])[0].audience = "vault";
    });
  const ISSUER =
    "needs the cluster's service-account issuer with auth.method: jwt when kubernetes.eks is not given: set auth.jwt.issuer to the iss of the cluster's tokens (kubectl get --raw /.well-known/openid-configuration shows it)";

  test("points at auth when there is no auth.jwt at all", () => {
    expect(oneProblem(jwtFile({}))).toBe(`bad.yaml:6:7: clusters[0].auth: ${ISSUER}`);
  });

  test("points at auth.jwt.issuer when auth.jwt is there without it", () => {
    expect(oneProblem(jwtFile({ jwt: {} }))).toBe(`bad.yaml:8:12: clusters[0].auth.jwt.issuer: ${ISSUER}`);
  });
});

describe("conflicts with other settings name both", () => {
  test("rejects createNamespace with importExisting, naming the default namespace vault", () => {
    const text = fileWith((c) => {
      c.importExisting = true;
      const reviewer = (c.auth as Record<string, Record<string, unknown>>).reviewer;
      reviewer.createNamespace = true;
      delete reviewer.namespace;
    });
    expect(oneProblem(text)).toBe(
      'bad.yaml:13:26: clusters[0].auth.reviewer.createNamespace is true while importExisting adopts objects in namespace "vault", which therefore exists already; set createNamespace to false',
    );
  });

  test("rejects a second cluster on the same mount, suggesting a path named after it", () => {
    const other = seedCluster({
      name: "other",
      kubernetes: { eks: { clusterName: "other", region: "ap-northeast-1" } },
    });
    other.policies = [{ name: "other-admin", preset: "admin" }];
    other.roles = [{ ...other.roles[0], tokenPolicies: ["other-admin"] }];
    const message = problemsIn(stringify({ clusters: [seedCluster(), other] }));
    expect(message).toBe(
      'bad.yaml has 1 problem:\n  bad.yaml:32:13: clusters[1].auth.path: "atlantis" is already the mount of clusters[0] on the same Vault (VAULT_ADDR); give each cluster its own auth.path, e.g. k8s/other',
    );
  });
});

test("rejects a second cluster with no name on the same mount, suggesting k8s/prod", () => {
  const unnamed: Record<string, unknown> = {
    ...seedCluster(),
    kubernetes: { eks: { clusterName: "other", region: "ap-northeast-1" } },
  };
  delete unnamed.name;
  const message = problemsIn(stringify({ clusters: [seedCluster(), unnamed] }));
  expect(message).toContain(
    '  bad.yaml:31:13: clusters[1].auth.path: "atlantis" is already the mount of clusters[0] on the same Vault (VAULT_ADDR); give each cluster its own auth.path, e.g. k8s/prod\n',
  );
});

test("synth's message keeps one problem a line and says nothing was synthesized", () => {
  let error: unknown;
  try {
    parseConfigText("clusters: []\nextra: 1\n", "two.yaml");
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigProblems);
  expect(synthMessage(error as ConfigProblems)).toBe(
    'two.yaml has 2 problems; nothing was synthesized:\n  two.yaml:1:11: clusters is empty; define at least one cluster\n  two.yaml:2:1: extra: unknown key "extra" (allowed: $schema, clusters)',
  );
});

describe("policy rules", () => {
  test("a terraform-vault-provider preset without rules of its own adds only the preset's rules", () => {
    expect(
      policyRules({
        name: "tf",
        preset: "terraform-vault-provider",
      } as Parameters<typeof policyRules>[0]),
    ).toEqual(PolicyPresets.terraformVaultProvider([]));
  });
});

describe("YAML merge keys and tags the parser cannot apply are refused at the value, in the author's words", () => {
  test.each([
    ["a number", "b:\n  <<: 1\nclusters: []\n", "2:7"],
    ["an alias of a list", "a: &x [1]\nb:\n  <<: *x\nclusters: []\n", "3:7"],
    ["a list holding a number", "a: &x {c: 1}\nb:\n  <<: [*x, 2]\nclusters: []\n", "3:7"],
    ["a number after a good list of aliases", "a: &x {c: 1}\nb:\n  <<: [*x]\nd:\n  <<: 2\nclusters: []\n", "5:7"],
    ["no value at all (a flow mapping's {<<}), at the key", "b: {<<}\nclusters: []\n", "1:5"],
    ['a number, after a key left out (": x")', ": x\nb:\n  <<: 2\nclusters: []\n", "3:7"],
    ["a number, not blaming a mapping written as a key before it", "? {a: 1}\n: 2\nb:\n  <<: 3\nclusters: []\n", "4:7"],
    [
      'a number, not blaming a quoted "<<" before it (an ordinary key)',
      'a:\n  "<<": 1\nb:\n  <<: 2\nclusters: []\n',
      "4:7",
    ],
    [
      'a number under a plain "<<" written with the tag !!str (still a merge key), after a quoted "<<"',
      'a:\n  "<<": 1\nb:\n  !!str <<: 2\nclusters: []\n',
      "4:13",
    ],
  ])("rejects a merge key given %s, at its value", (_what, text, at) => {
    expect(problemsIn(text)).toBe(
      `bad.yaml:${at}: a merge key (<<) takes a mapping, an alias of one (<<: *defaults) or a list of those; write the keys out instead`,
    );
  });

  test("names a core tag its value does not fit as written (!!int), not by its URI", () => {
    expect(problemsIn("a: !!int abc\nclusters: []\n")).toBe(
      "bad.yaml:1:4: the tag !!int is not supported here (it would change what the value means); write plain values: text, numbers, true/false, lists and mappings",
    );
  });
});

test("merges a list of aliases of mappings (<<: [*a, *b]), the first given winning", () => {
  const text = [
    "clusters:",
    "  - name: prod",
    "    kubernetes: { eks: { clusterName: prod, region: eu-west-1 } }",
    "    roles:",
    "      - &a { name: api, boundServiceAccountNames: [api], boundServiceAccountNamespaces: [apps] }",
    "      - &b { name: batch, boundServiceAccountNames: [batch], boundServiceAccountNamespaces: [jobs], tokenPeriod: 30m }",
    "      - <<: [*a, *b]",
    "        name: worker",
  ].join("\n");
  const worker = parseConfigText(text, "ok.yaml").clusters[0].roles[2];
  expect(worker).toMatchObject({
    name: "worker",
    boundServiceAccountNames: ["api"],
    boundServiceAccountNamespaces: ["apps"],
  });
  expect(worker.tokenPeriod?.toSeconds()).toBe(1800);
});
