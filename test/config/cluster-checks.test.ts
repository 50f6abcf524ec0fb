/**
 * src/config/cluster-checks.ts: the checks of one cluster entry that need more than one field, on
 * the schema's typed parts. Where the schema refused a part, its refusal is the one line the user
 * gets about it: a check that depends on that part says nothing rather than a second, misleading
 * line.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { checkConfigText } from "../../src/config/load";
import { explicitConnection, fileWith, firstRole, problemsIn, TEST_CA } from "../helpers";

const fixture = (name: string) => readFileSync(join(__dirname, "..", "fixtures", name), "utf8");

/** A refused file's problem lines, each without the file name and position. */
const problems = (text: string) =>
  problemsIn(text)
    .split("\n")
    .slice(1)
    .map((line) => line.trim().replace(/^bad\.yaml:\d+:\d+: /, ""));

describe("a CA bundle in rotation", () => {
  test("lists every expired certificate next to the valid one, each with its notAfter, separated by '; '", () => {
    const text = fileWith((c) => {
      explicitConnection(c);
      (c.kubernetes as Record<string, unknown>).caCertificate =
        `${fixture("expired-ca.pem")}${fixture("expired-ca-two-names.pem")}${TEST_CA}`;
    });
    const own = checkConfigText(text, "t.yaml").warnings.filter((warning) => warning.construct === undefined);
    expect(own.map((warning) => warning.text.replace(/^t\.yaml:\d+:\d+: /, ""))).toEqual([
      "clusters[0].kubernetes.caCertificate holds expired certificates next to valid ones: CN=vault-k8s-auth-expired-test-ca (notAfter Jan  1 00:00:00 2021 GMT); O=Example Org, CN=vault-k8s-auth-expired-test-ca-2 (notAfter Jan  1 00:00:00 2021 GMT); drop them once the CA rotation is done",
    ]);
  });
});

describe("the policies roles name, when the schema refused a policy name or an externalPolicies entry", () => {
  test("says nothing of a role naming a policy whose name was refused: the refused name is the one mistake", () => {
    expect(
      problems(
        fileWith((c) => {
          c.policies = [{ name: "Admin Policy", preset: "admin" }];
          firstRole(c).tokenPolicies = ["Admin Policy"];
        }),
      ),
    ).toEqual(['clusters[0].policies[0].name: "Admin Policy" holds a space, which would be written as is; remove it']);
  });

  test("still reports Vault's default listed in externalPolicies next to an entry the schema refused, and no role naming an unknown policy", () => {
    expect(
      problems(
        fileWith((c) => {
          c.externalPolicies = ["default", "Not A Name"];
          firstRole(c).tokenPolicies = ["admin", "missing"];
        }),
      ),
    ).toEqual([
      `clusters[0].externalPolicies[0]: "default" is Vault's built-in policy, which a role may always name without declaring it; drop it from externalPolicies`,
      'clusters[0].externalPolicies[1]: "Not A Name" holds a space, which would be written as is; remove it',
    ]);
  });
});

describe("a role whose namespace selector the schema refused", () => {
  test("is not also told that namespaces are required: the selector's refusal is the one line", () => {
    expect(
      problems(
        fileWith((c) => {
          const role = firstRole(c);
          delete role.boundServiceAccountNamespaces;
          role.boundServiceAccountNamespaceSelector = { matchLabels: {} };
        }),
      ),
    ).toEqual([
      'clusters[0].roles[0].boundServiceAccountNamespaceSelector.matchLabels is empty, and an empty selector admits every namespace; name labels, or use boundServiceAccountNamespaces: ["*"] if every namespace is meant',
    ]);
  });
});

describe("the checks' warnings of a valid file, as validate lists them", () => {
  const kvReadData = (name: string) => ({ name, rules: [{ kvRead: { mount: "secret", path: `data/${name}` } }] });

  test("in the file's order within a cluster, not the order of the checks: policies written before kubernetes come first", () => {
    const text = fileWith((c) => {
      explicitConnection(c);
      (c.kubernetes as Record<string, unknown>).caCertificate = `${fixture("expired-ca.pem")}${TEST_CA}`;
      (c.policies as unknown[]).push(kvReadData("a"), kvReadData("b"));
      const { policies, ...rest } = c;
      for (const key of Object.keys(c)) delete c[key];
      Object.assign(c, { policies, ...rest });
    });
    const own = checkConfigText(text, "t.yaml").warnings.filter((warning) => warning.construct === undefined);
    expect(own.map((warning) => warning.text.replace(/ starts with .*| holds expired .*/, ""))).toEqual([
      't.yaml:9:21: clusters[0].policies[1].rules[0].kvRead.path: "data/a"',
      't.yaml:14:21: clusters[0].policies[2].rules[0].kvRead.path: "data/b"',
      "t.yaml:18:22: clusters[0].kubernetes.caCertificate",
    ]);
  });

  test("each under its own cluster, once", () => {
    const one = fileWith((c) => {
      (c.policies as unknown[]).push(kvReadData("a"));
    });
    const two = fileWith((c) => {
      c.name = "other";
      c.vault = { address: "http://127.0.0.1:8200", namespace: "other" };
      c.kubernetes = { eks: { clusterName: "other", region: "ap-northeast-1" } };
      (c.policies as unknown[]).push(kvReadData("b"));
    });
    const text = stringify({ clusters: [...parse(one).clusters, ...parse(two).clusters] });
    const own = checkConfigText(text, "t.yaml").warnings.filter((warning) => warning.construct === undefined);
    expect(own.map((warning) => [warning.cluster, warning.text.replace(/ starts with .*/, "")])).toEqual([
      [0, 't.yaml:21:21: clusters[0].policies[1].rules[0].kvRead.path: "data/a"'],
      [1, 't.yaml:50:21: clusters[1].policies[1].rules[0].kvRead.path: "data/b"'],
    ]);
  });
});
