import { goGlob } from "../../src/formats/glob";
import { jwtMount } from "../helpers";

describe("ryanuber/go-glob v1.0.0 Glob, as claims.go:157 uses it", () => {
  test.each([
    ["*", "anything", true],
    ["", "", true],
    ["", "x", false],
    ["exact", "exact", true],
    ["exact", "exactly", false],
    ["pre*", "prefix", true],
    ["*fix", "prefix", true],
    ["a*c*e", "abcde", true],
    ["a*c*e", "abde", false],
    ["system:serviceaccount:*:app", "system:serviceaccount:ns:app", true],
    ["system:serviceaccount:*:app", "system:serviceaccount:ns:myapp", false],
  ])("glob %j matches %j: %s", (pattern, subject, expected) => {
    expect(goGlob(pattern, subject)).toBe(expected);
  });
});

describe("JwtAuthRole admits exactly the ServiceAccounts a Kubernetes auth role would", () => {
  // Kubernetes method: vault-plugin-auth-kubernetes v0.23.1 path_login.go:388-417: "*" alone, or
  // each entry matched with go-glob (strutil.StrListContainsGlob), names and namespaces alike.
  const kubernetesAdmits = (names: string[], namespaces: string[], namespace: string, name: string) =>
    (names[0] === "*" || names.some((pattern) => goGlob(pattern, name))) &&
    (namespaces[0] === "*" || namespaces.some((pattern) => goGlob(pattern, namespace)));
  // JWT method: any bound sub matches (vault-plugin-auth-jwt v0.25.0 claims.go:144-169), with
  // go-glob when bound_claims_type is glob and by equality when it is string: read from the role
  // JwtAuthRole makes, as the provider would send it.
  const jwtAdmits = (names: string[], namespaces: string[]) => {
    const role = jwtMount().auth.addRole("r", {
      boundServiceAccountNames: names,
      boundServiceAccountNamespaces: namespaces,
      audience: "vault",
    });
    const subjects = (role.resource.boundClaimsInput as Record<string, string>).sub.split(",");
    const glob = role.resource.boundClaimsTypeInput === "glob";
    return (namespace: string, name: string) =>
      subjects.some((bound) =>
        glob
          ? goGlob(bound, `system:serviceaccount:${namespace}:${name}`)
          : bound === `system:serviceaccount:${namespace}:${name}`,
      );
  };
  const lists = [["*"], ["app"], ["app", "app-2"], ["a.b"], ["app-*"], ["*-app", "a"], ["a*b"], ["n*", "app"]];
  const candidates = ["app", "app-2", "myapp", "app-", "a.b", "a", "b", "ns", "ns-app", "ab", "a-b", "app-app", "n"];

  // A namespace is a DNS label, without '.': the role refuses "a.b" there.
  const namespaceLists = lists.filter((list) => !list.includes("a.b"));

  test.each(lists.flatMap((names) => namespaceLists.map((namespaces) => [names, namespaces])))(
    "names %j in namespaces %j",
    (names, namespaces) => {
      const admits = jwtAdmits(names, namespaces);
      for (const namespace of candidates) {
        for (const name of candidates) {
          expect([namespace, name, admits(namespace, name)]).toEqual([
            namespace,
            name,
            kubernetesAdmits(names, namespaces, namespace, name),
          ]);
        }
      }
    },
  );
});
