/**
 * src/config/typed-view.ts: where the schema refused part of a cluster entry, the checks that
 * need more than one field still run on the parts it accepted, so one run of validate lists every
 * mistake of the file rather than one at a time.
 */
import { fileWith, problemsIn } from "../helpers";

test("reports two roles of one name beside a refused auth path, in the same run", () => {
  const text = fileWith((c) => {
    (c.auth as Record<string, unknown>).path = "atlantis/";
    const roles = c.roles as Record<string, unknown>[];
    roles.push({ ...roles[0] });
  });
  expect(problemsIn(text)).toBe(
    [
      "bad.yaml has 2 problems:",
      `  bad.yaml:8:13: clusters[0].auth.path: "atlantis/" is not a Vault mount path; use letters, digits, '_', '-', '.' and '/' between segments, with no leading or trailing '/' (e.g. atlantis or k8s/prod)`,
      '  bad.yaml:26:15: clusters[0].roles[1].name: role name "atlantis" is already used by roles[0]; names must be unique',
    ].join("\n"),
  );
});

test("checks the rules of a policy whose name the schema refused: a path Vault would refuse is reported beside the name", () => {
  const text = fileWith((c) => {
    (c.policies as unknown[]).push({
      name: "Reader Policy",
      rules: [{ path: "secret/*/x*y", capabilities: ["read"] }],
    });
  });
  expect(problemsIn(text)).toBe(
    [
      "bad.yaml has 2 problems:",
      '  bad.yaml:17:15: clusters[0].policies[1].name: "Reader Policy" holds a space, which would be written as is; remove it',
      '  bad.yaml:19:19: clusters[0].policies[1].rules[0].path: "secret/*/x*y" has "*" before the end, where Vault reads it as a literal "*" (only a final "*" is a glob, vault/policy.go), so it would match only paths that contain "*"; use "+" for one whole segment (e.g. secret/data/+/config) or end the path in *',
    ].join("\n"),
  );
});
