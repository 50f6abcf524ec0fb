import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadConfig, parseConfigText } from "../../src/config/load";
import { decodeConfigBytes } from "../../src/config/read-text";
import { fileWith, firstRole, problemsIn, seedCluster, TEST_CA, validationMessage } from "../helpers";

/** What no message may show: parser API names, JavaScript errors, Buffer dumps, stack frames. */
const INTERNALS =
  /parseAllDocuments|Maximum call stack|"type":"Buffer"|Implicit keys|ReferenceError|RangeError|\n\s+at /;

const scratch = mkdtempSync(join(tmpdir(), "vka-loading-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The ValidationError message loadConfig throws for `VAULT_K8S_AUTH_CONFIG=<name>` in the scratch folder. */
const loadError = (name: string): string =>
  validationMessage(() => loadConfig({ VAULT_K8S_AUTH_CONFIG: name }, scratch));

const seedYaml = () => stringify({ clusters: [seedCluster()] });

describe("YAML that would silently change meaning is refused", () => {
  test.each([
    ["a custom tag", "clusters:\n  - name: !Ref ClusterName\n", "bad.yaml:2:11: the tag !Ref is not supported here"],
    [
      "a !!binary value",
      "clusters:\n  - name: !!binary ZWtzLXRlc3Q=\n",
      "bad.yaml:2:11: the tag !!binary is not supported here",
    ],
    ["a !!set", "clusters: !!set { a, b }\n", "bad.yaml:1:11: the tag !!set is not supported here"],
    [
      "a verbatim core tag, at the tag and by its short name",
      "clusters:\n  - name: !<tag:yaml.org,2002:binary> ZWtzLXRlc3Q=\n",
      "bad.yaml:2:11: the tag !!binary is not supported here",
    ],
    [
      "a verbatim tag, at the tag and not at the same text written earlier as a value",
      "a: '!!binary'\nb: !<tag:yaml.org,2002:binary> aGk=\nclusters: []\n",
      "bad.yaml:2:4: the tag !!binary is not supported here",
    ],
    [
      "a tag with its anchor after it, at the tag",
      "clusters:\n  - name: !!binary &n ZWtzLXRlc3Q=\n",
      "bad.yaml:2:11: the tag !!binary is not supported here",
    ],
    [
      "a tag with spaces and a long anchor name between it and its value, at the tag",
      "clusters:\n  - name: !!binary   &cluster-name   ZWtzLXRlc3Q=\n",
      "bad.yaml:2:11: the tag !!binary is not supported here",
    ],
    [
      "a tag on the whole file, at its first character",
      "!Ref\nclusters: []\n",
      "bad.yaml:1:1: the tag !Ref is not supported here",
    ],
    [
      "a tag written with a %TAG handle, at its value",
      "%TAG !e! tag:yaml.org,2002:\n---\na: !e!binary aGk=\nclusters: []\n",
      "bad.yaml:3:14: the tag !!binary is not supported here",
    ],
    [
      "a verbatim tag whose URI holds the core prefix inside, as written",
      "a: !<x:tag:yaml.org,2002:str> b\nclusters: []\n",
      "bad.yaml:1:4: the tag x:tag:yaml.org,2002:str is not supported here",
    ],
  ])("rejects %s with one message and its position", (_what, text, expected) => {
    const message = problemsIn(text);
    expect(message).toBe(
      `${expected} (it would change what the value means); write plain values: text, numbers, true/false, lists and mappings`,
    );
  });

  test("accepts the core !!str tag, the YAML way to keep 0123 as text", () => {
    const text = seedYaml().replace(
      "          - atlantis\n        tokenPolicies",
      "          - !!str 0123\n        tokenPolicies",
    );
    expect(parseConfigText(text, "ok.yaml").clusters[0].roles[0].boundServiceAccountNamespaces).toEqual(["0123"]);
  });

  test("rejects invalid UTF-8 at its line and column instead of reading U+FFFD", () => {
    const bytes = Buffer.concat([Buffer.from(`${seedYaml()}# caf`), Buffer.from([0xe9]), Buffer.from("\n")]);
    writeFileSync(join(scratch, "latin1.yaml"), bytes);
    const line = seedYaml().split("\n").length;
    expect(loadError("latin1.yaml")).toBe(
      `latin1.yaml:${line}:6: the file is not valid UTF-8 (byte 0xe9); save it as UTF-8`,
    );
  });

  test("rejects a UTF-16 file at 1:1, naming the encoding", () => {
    writeFileSync(
      join(scratch, "utf16.yaml"),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(seedYaml(), "utf16le")]),
    );
    expect(loadError("utf16.yaml")).toBe("utf16.yaml:1:1: the file is UTF-16 text; save it as UTF-8");
  });

  test.each([
    ["0xFF first, then text", [0xff, 0x61], "x.yaml:1:1: the file is not valid UTF-8 (byte 0xff); save it as UTF-8"],
    ["0xFF second, after text", [0x61, 0xff], "x.yaml:1:2: the file is not valid UTF-8 (byte 0xff); save it as UTF-8"],
  ])("names UTF-16 only for its byte order marks (FF FE, FE FF): %s is a bad UTF-8 byte", (_what, bytes, expected) => {
    expect(validationMessage(() => decodeConfigBytes(Buffer.from(bytes), "x.yaml"))).toBe(expected);
  });

  test.each([
    ["a stray continuation byte after é (C3 A9)", [0xc3, 0xa9, 0x80], "1:2", "0x80"],
    ["a stray continuation byte after € (E2 82 AC)", [0xe2, 0x82, 0xac, 0x80], "1:2", "0x80"],
    ["a stray continuation byte after 😀 (F0 9F 98 80)", [0xf0, 0x9f, 0x98, 0x80, 0x80], "1:2", "0x80"],
    ["a two-byte lead cut short by the end of the file, after é", [0xc3, 0xa9, 0xc2], "1:2", "0xc2"],
    ["a two-byte lead (C2) cut short by an ASCII byte", [0x61, 0xc2, 0x41], "1:2", "0xc2"],
    ["a three-byte sequence (E0 A0) cut short by an ASCII byte", [0x61, 0xe0, 0xa0, 0x41], "1:2", "0xe0"],
    ["a four-byte sequence cut short by an ASCII byte, after é", [0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x41], "1:2", "0xf0"],
  ])("points at the first byte that is wrong, never at a whole character before it: %s", (_what, bytes, at, byte) => {
    expect(validationMessage(() => decodeConfigBytes(Buffer.from(bytes), "x.yaml"))).toBe(
      `x.yaml:${at}: the file is not valid UTF-8 (byte ${byte}); save it as UTF-8`,
    );
  });

  test("reads a UTF-8 file with a byte order mark", () => {
    writeFileSync(join(scratch, "bom.yaml"), `\ufeff${seedYaml()}`);
    expect(loadConfig({ VAULT_K8S_AUTH_CONFIG: "bom.yaml" }, scratch).config.clusters[0].name).toBe("eks-test");
  });
});

describe("a .json file is strict JSON (RFC 8259), reported in JSON words", () => {
  const json = JSON.stringify({ clusters: [seedCluster()] }, null, 2);

  test("accepts strict JSON", () => {
    expect(problemsIn(json, "c.json")).toBe("");
  });

  test.each([
    [
      "a trailing comma",
      json.replace(/"admin"(\s*)\]/, '"admin",$1]'),
      'expected a value (a trailing comma before "]"?)',
    ],
    ["a comment", `// prod\n${json}`, "c.json:1:1: expected no comment: JSON has no comments"],
    [
      "YAML syntax",
      "clusters:\n  - name: a\n",
      "c.json:1:1: expected a character JSON does not allow here (YAML syntax",
    ],
    ["single quotes", json.replace('"eks-test"', "'eks-test'"), "expected a character JSON does not allow here"],
    ["two top-level values", `${json}\n{}`, "expected the end of the file (a second top-level value?)"],
  ])("rejects %s", (_what, text, expected) => {
    const message = problemsIn(text, "c.json");
    expect(message).toMatch(/^c\.json is not valid JSON:\n {2}c\.json:\d+:\d+: expected /);
    expect(message).toContain(expected);
    expect(message).not.toMatch(INTERNALS);
  });

  test("lists the first five of many syntax errors, one a line, at their places", () => {
    const text = '{"a": 1,, "b": x, "c" 2, "d": [1,,], \'e\': 1, f: 2, "g": tru}';
    expect(problemsIn(text, "c.json")).toBe(
      [
        "c.json is not valid JSON:",
        '  c.json:1:9: expected a key in double quotes (a trailing comma before "}"?)',
        '  c.json:1:9: expected a value (a trailing comma before "]"?)',
        "  c.json:1:16: expected a character JSON does not allow here (YAML syntax, an unquoted word or a stray character)",
        '  c.json:1:17: expected a value (a trailing comma before "]"?)',
        "  c.json:1:23: expected a ':' after the key",
      ].join("\n"),
    );
  });

  test("rejects a key given twice, in plain words", () => {
    const message = problemsIn('{"clusters": [], "clusters": []}', "c.json");
    expect(message).toBe(
      "c.json is not valid JSON:\n  c.json:1:18: this key is already set in the same mapping; keep one of them",
    );
  });
});

describe("YAML with several mistakes", () => {
  test("names each kind of syntax error once, at its first place, in file order", () => {
    expect(problemsIn("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n---\nd: 1\n", "x.yaml")).toBe(
      [
        "x.yaml is not valid YAML:",
        "  x.yaml:4:3: this key is already set in the same mapping; keep one of them",
        "  x.yaml:6:1: a second document starts here (---); keep one document per file",
      ].join("\n"),
    );
  });

  test("orders the lines by place in the file", () => {
    expect(problemsIn("a: 1\na: 2\nb: [1\n", "x.yaml")).toBe(
      [
        "x.yaml is not valid YAML:",
        "  x.yaml:2:1: this key is already set in the same mapping; keep one of them",
        "  x.yaml:4:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ].join("\n"),
    );
  });

  test("orders the lines by place where the parser finds them out of order (an unclosed { after a ? key)", () => {
    // yaml 2.9.1 reports the second error at 2:1 after the one at 3:1.
    expect(problemsIn("? k\n{\n", "x.yaml")).toBe(
      [
        "x.yaml is not valid YAML:",
        "  x.yaml:2:1: Implicit keys need to be on a single line",
        "  x.yaml:2:1: Implicit map keys need to be followed by map values",
        "  x.yaml:3:1: Flow map in block collection must be sufficiently indented and end with a }",
      ].join("\n"),
    );
  });

  test("names the alias that has no anchor, not an earlier one that has", () => {
    expect(problemsIn("a: &x 1\nb: *x\nc: *y\n", "x.yaml")).toBe(
      "x.yaml:3:4: the alias *y names no anchor (&y) defined before it; define the anchor first or write the value out",
    );
  });
});

describe("explicit tags and directives", () => {
  test("names the first unsupported tag in the file: a core tag its value does not fit before a tag with no meaning here", () => {
    expect(problemsIn("a: !!int abc\nb: !!binary aGk=\n", "x.yaml")).toBe(
      "x.yaml:1:4: the tag !!int is not supported here (it would change what the value means); write plain values: text, numbers, true/false, lists and mappings",
    );
  });

  test("ignores a directive it does not know (%FOO), as YAML 1.2 says a parser should, and reads the document", () => {
    expect(parseConfigText(`%FOO bar\n---\n${seedYaml()}`, "x.yaml").clusters[0].name).toBe("eks-test");
  });
});

describe("a file that holds no mapping says what it holds instead", () => {
  test.each([
    ["a number", "42\n", "holds 42"],
    ["text of 40 characters as written, whole", `"${"a".repeat(38)}"\n`, `holds "${"a".repeat(38)}"`],
    ["longer text, cut to its first 37 characters", `"${"a".repeat(39)}"\n`, `holds "${"a".repeat(36)}...`],
  ])("%s", (_what, text, holds) => {
    expect(problemsIn(text, "x.yaml")).toBe(
      `x.yaml:1:1: the file must be a mapping with a clusters list at the top, but ${holds}`,
    );
  });
});

describe("a number where text goes", () => {
  test("quotes the number as written where it is, and names an entry that took it through a merge key (<<) by its value", () => {
    const text = [
      "clusters:",
      "  - name: eks-test",
      "    kubernetes:",
      "      eks: { clusterName: eks-test, region: ap-northeast-1 }",
      "    roles:",
      "      - &base",
      "        name: a",
      "        boundServiceAccountNames: [a]",
      "        boundServiceAccountNamespaces: [a]",
      "        audience: 1e3",
      "      - <<: *base",
      "        name: b",
      "",
    ].join("\n");
    expect(problemsIn(text, "x.yaml")).toBe(
      [
        "x.yaml has 2 problems:",
        '  x.yaml:10:19: clusters[0].roles[0].audience: 1e3 was read as the number 1000; quote it to keep the text: "1e3"',
        "  x.yaml:11:9: clusters[0].roles[1].audience: expected text, got 1000",
      ].join("\n"),
    );
  });
});

describe("every file-system failure is a user error with the path and the reason", () => {
  test("rejects VAULT_K8S_AUTH_CONFIG naming a directory", () => {
    mkdirSync(join(scratch, "configs"), { recursive: true });
    expect(loadError("configs")).toBe("VAULT_K8S_AUTH_CONFIG=configs is a directory; name a YAML or JSON file");
  });

  test("rejects a directory outside the working directory, naming the path once as given (not ..)", () => {
    const outside = mkdtempSync(join(tmpdir(), "vka-outside-"));
    try {
      expect(loadError(outside)).toBe(`VAULT_K8S_AUTH_CONFIG=${outside} is a directory; name a YAML or JSON file`);
    } finally {
      rmSync(outside, { recursive: true });
    }
  });

  test("rejects a default vault-k8s-auth.yaml that is a directory, instead of falling back to the seed", () => {
    const project = mkdtempSync(join(scratch, "project-"));
    mkdirSync(join(project, "vault-k8s-auth.yaml"));
    expect(validationMessage(() => loadConfig({}, project))).toBe(
      "vault-k8s-auth.yaml is a directory; name a YAML or JSON file",
    );
  });

  test("rejects a symbolic link loop", () => {
    symlinkSync("loop-b.yaml", join(scratch, "loop-a.yaml"));
    symlinkSync("loop-a.yaml", join(scratch, "loop-b.yaml"));
    expect(loadError("loop-a.yaml")).toBe(
      "VAULT_K8S_AUTH_CONFIG=loop-a.yaml is a symbolic link loop; point it at a real file",
    );
  });

  test("rejects a path through a file", () => {
    writeFileSync(join(scratch, "plain.yaml"), seedYaml());
    expect(loadError("plain.yaml/x.yaml")).toBe(
      "VAULT_K8S_AUTH_CONFIG=plain.yaml/x.yaml has a path through something that is not a directory; fix the path",
    );
  });
});

describe("messages in plain words with a line number, never parser internals", () => {
  test.each([
    [
      "two documents",
      `${seedYaml()}---\n${seedYaml()}`,
      ":1: a second document starts here (---); keep one document per file",
    ],
    [
      "deep nesting",
      `clusters: ${"[".repeat(3000)}${"]".repeat(3000)}\n`,
      "bad.yaml:1:",
      "the file is nested too deeply here",
    ],
    [
      "an undefined anchor",
      "clusters:\n  - *prod\n",
      "bad.yaml:2:5: the alias *prod names no anchor (&prod) defined before it",
    ],
    [
      "only comments",
      "# clusters:\n#   - name: prod\n",
      "bad.yaml:1:1: the file must be a mapping with a clusters list at the top, but holds nothing but comments",
    ],
    [
      "a list at the top, on line 2",
      "# prod\n- name: x\n",
      "bad.yaml:2:1: the file must be a mapping with a clusters list at the top, but holds a list",
    ],
  ])("rejects %s in plain words with a line number", (_what, text, ...expected) => {
    const message = problemsIn(text);
    for (const part of expected) expect(message).toContain(part);
    expect(message).not.toMatch(INTERNALS);
  });

  test.each([
    [
      "0123",
      () => ({ boundServiceAccountNamespaces: ["__"] }),
      '0123 was read as the number 123; quote it to keep the text: "0123"',
    ],
    ["1e3", () => ({ tokenPolicies: ["__"] }), '1e3 was read as the number 1000; quote it to keep the text: "1e3"'],
    ["true", () => ({ name: "__" }), 'true was read as the boolean true; quote it to keep the text: "true"'],
  ])(
    "rejects %s read as a number or boolean, showing it as written and saying to quote it",
    (written, fields, expected) => {
      const text = fileWith((c) => Object.assign(firstRole(c), fields()))
        .replace('"__"', written)
        .replace("__", written);
      expect(problemsIn(text)).toContain(expected);
    },
  );

  test.each([
    ["none", '"none"'],
    ["unknown", '"unknown"'],
    ["[yes]", '["yes"]'],
  ])(
    "gives no YAML 1.2 hint for %s where true or false goes: only yes, no, on, off, y and n are read so",
    (written, shown) => {
      const text = fileWith((c) => Object.assign(c.auth as object, { preventDestroy: "__" })).replace(
        "preventDestroy: __",
        `preventDestroy: ${written}`,
      );
      expect(problemsIn(text)).toBe(
        `bad.yaml has 1 problem:\n  bad.yaml:14:23: clusters[0].auth.preventDestroy: expected true or false, got ${shown}`,
      );
    },
  );

  test("rejects yes for a boolean, saying YAML 1.2 reads it as text", () => {
    const text = fileWith((c) => Object.assign(c.auth as object, { preventDestroy: "__" }))
      .replace('"__"', "yes")
      .replace("__", "yes");
    expect(problemsIn(text)).toContain(
      'clusters[0].auth.preventDestroy: expected true or false, got "yes"; write true or false (YAML 1.2 reads yes, no, on and off as text)',
    );
  });

  test.each<[string, (c: Record<string, unknown>) => void, string]>([
    [
      "an empty capability list",
      (c) => {
        c.policies = [{ name: "admin", rules: [{ path: "secret/*", capabilities: [] }] }];
      },
      "clusters[0].policies[0].rules[0].capabilities is empty; list at least one capability, e.g. [read]",
    ],
    [
      "an empty rule path",
      (c) => {
        c.policies = [{ name: "admin", rules: [{ path: "", capabilities: ["read"] }] }];
      },
      "clusters[0].policies[0].rules[0].path is empty; write a Vault API path, e.g. secret/data/app/*",
    ],
    [
      "an empty kubeconfig context",
      (c) => {
        c.kubernetes = { host: "https://k8s.example.com", kubeconfig: { context: "" } };
        (c.auth as { reviewer: object }).reviewer = { mode: "vault-pod" };
      },
      "clusters[0].kubernetes.kubeconfig.context is empty; name a context of the kubeconfig (kubectl config get-contexts)",
    ],
    [
      "an empty policy name in tokenPolicies",
      (c) => {
        firstRole(c).tokenPolicies = [""];
      },
      "clusters[0].roles[0].tokenPolicies[0] is empty; name a policy of this cluster or of its externalPolicies, or default",
    ],
    [
      "an empty audience",
      (c) => {
        firstRole(c).audience = "";
      },
      `clusters[0].roles[0].audience is empty; write the aud claim the pod's token carries, e.g. "vault"`,
    ],
  ])("rejects %s, saying what to put there", (_what, change, expected) => {
    const message = problemsIn(fileWith(change));
    expect(message).toContain(expected);
    expect(message).not.toContain("too short or too small");
  });
});

test("rejects any field of a full file replaced by a value of another shape with a user error in plain words", () => {
  const base = {
    clusters: [
      seedCluster({
        vault: { address: "https://vault.example.com", namespace: "ops" },
        state: { s3: { bucket: "tf-state", region: "eu-west-1", key: "k" } },
      }),
      seedCluster({
        name: "two",
        kubernetes: { host: "https://k8s.example.com", caCertificate: TEST_CA, kubeconfig: { context: "c" } },
        auth: { path: "k8s", reviewer: { mode: "client-jwt" } },
        policies: [
          { name: "p", rules: [{ path: "a/*", capabilities: ["read"] }, { kvRead: { mount: "secret", path: "x" } }] },
        ],
      }),
    ],
  };
  const fields = (value: unknown, path: PropertyKey[] = []): PropertyKey[][] =>
    value !== null && typeof value === "object"
      ? Object.entries(value).flatMap(([key, child]) => [
          [...path, Array.isArray(value) ? Number(key) : key],
          ...fields(child, [...path, Array.isArray(value) ? Number(key) : key]),
        ])
      : [];
  const shapes: unknown[] = [null, 1.5, true, "\n", [null], {}];
  const paths = fields(base);
  // The walk reaches every field of the file above (69 today), so the loop below cannot pass by running zero times.
  expect(paths.length).toBeGreaterThanOrEqual(69);
  const accepted: string[] = [];
  const unclear: string[] = [];
  for (const path of paths) {
    for (const shape of shapes) {
      const copy = structuredClone(base) as Record<PropertyKey, unknown>;
      const parent = path
        .slice(0, -1)
        .reduce<Record<PropertyKey, unknown>>((node, key) => node[key] as Record<PropertyKey, unknown>, copy);
      parent[path.at(-1) as PropertyKey] = shape;
      // problemsIn rethrows anything but a ValidationError: an internal error fails the test here.
      const message = problemsIn(stringify(copy), "f.yaml");
      const at = `${path.join(".")} = ${JSON.stringify(shape)}`;
      if (message === "") accepted.push(at);
      if (INTERNALS.test(message) || /undefined|\[object Object\]|NaN|TypeError/.test(message)) {
        unclear.push(`${at}: ${message}`);
      }
    }
  }
  expect(accepted).toEqual([]);
  expect(unclear).toEqual([]);
}, 60_000);

test("rejects a missing reviewer mode, naming the modes", () => {
  expect(problemsIn(fileWith((c) => Object.assign(c.auth as object, { reviewer: {} })))).toContain(
    "clusters[0].auth.reviewer.mode is required: one of long-lived-token, vault-pod, client-jwt",
  );
});

test("accepts YAML anchors and merge keys, so roles can share settings", () => {
  const text = [
    "clusters:",
    "  - name: prod",
    "    kubernetes: { eks: { clusterName: prod, region: eu-west-1 } }",
    "    roles:",
    "      - &role { name: api, boundServiceAccountNames: [api], boundServiceAccountNamespaces: [apps], tokenPeriod: 30m }",
    "      - <<: *role",
    "        name: worker",
    "        boundServiceAccountNames: [worker]",
  ].join("\n");
  const worker = parseConfigText(text, "ok.yaml").clusters[0].roles[1];
  expect(worker).toMatchObject({
    name: "worker",
    boundServiceAccountNames: ["worker"],
    boundServiceAccountNamespaces: ["apps"],
  });
  expect(worker.tokenPeriod?.toSeconds()).toBe(1800);
});

test("rejects a merge key in a .json file, where it is an ordinary (unknown) key", () => {
  const json = JSON.stringify({ clusters: [{ ...seedCluster(), "<<": {} }] });
  expect(problemsIn(json, "c.json")).toContain(
    'clusters[0].<<: unknown key "<<" (allowed: name, kubernetes, vault, auth, policies, externalPolicies, roles, state, importExisting)',
  );
});

describe("where a problem points, in mappings the author left short", () => {
  test("at the key whose value is left out in a flow mapping ({eks})", () => {
    const text = fileWith(() => {}).replace(
      "    kubernetes:\n      eks:\n        clusterName: eks-test\n        region: ap-northeast-1\n",
      "    kubernetes: {eks}\n",
    );
    expect(problemsIn(text)).toBe(
      "bad.yaml has 1 problem:\n  bad.yaml:3:18: clusters[0].kubernetes.eks: expected a mapping (key: value), got null",
    );
  });

  test('at the entry that holds a key left out (a line ": stray" under "? "), named [""]', () => {
    const text = fileWith(() => {}).replace("  - name: eks-test\n", "  - name: eks-test\n    ? \n    : stray\n");
    expect(problemsIn(text)).toBe(
      'bad.yaml has 1 problem:\n  bad.yaml:2:5: clusters[0][""]: unknown key "" (allowed: name, kubernetes, vault, auth, policies, externalPolicies, roles, state, importExisting)',
    );
  });
});
