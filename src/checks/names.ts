import { show } from "../domain/validation";
import { roleKey } from "../formats/vault";
import { OTHER_PLACE, type Problem } from "./problem";

/**
 * Every name of `names` that occurs twice, reported at the later occurrence (`[index, "name"]`,
 * relative to the list `listName`). With `key`, two names Vault takes for one (role names, which
 * it lowercases) are one name too, and the message names the other place, since the two
 * spellings differ. Undefined names (an entry the schema refused) match nothing.
 */
export function duplicateNames(
  names: readonly (string | undefined)[],
  what: string,
  listName: string,
  key: (name: string) => string = (name) => name,
): Problem[] {
  return repeats(names, (name) => (name === undefined ? undefined : key(name))).map(([index, earlier]) => {
    const [later, first] = [names[index], names[earlier]];
    if (later === first) {
      return {
        path: [index, "name"],
        message: `${what} name ${show(later)} is already used by ${listName}[${earlier}]; names must be unique`,
      };
    }
    return {
      path: [index, "name"],
      other: [earlier, "name"],
      message: `${what} name ${show(later)} and ${show(first)} at ${OTHER_PLACE} are one ${what} to Vault, which lowercases ${what} names (vault-plugin-auth-kubernetes v0.23.1 backend.go:376, vault-plugin-auth-jwt v0.25.0 path_role.go:58-60): the later would overwrite the earlier; give each ${what} a name of its own`,
    };
  });
}

/**
 * The roles of one mount, each name once in any letter case: Vault keeps role names lowercased
 * (vault-plugin-auth-kubernetes v0.23.1 path_role.go:373, vault-plugin-auth-jwt v0.25.0
 * path_role.go:58-60), so "Atlantis" and "atlantis" would write one role and the later would win.
 * Paths are relative to the mount: `roles[1].name`.
 */
export function roleNameProblems(names: readonly (string | undefined)[]): Problem[] {
  return duplicateNames(names, "role", "roles", roleKey).map((problem) => ({
    ...problem,
    path: ["roles", ...problem.path],
    ...(problem.other && { other: ["roles", ...problem.other] }),
  }));
}

/** [index, index of its first occurrence] for every item whose key was seen before; undefined keys never match. One Map. */
export function repeats<T>(items: readonly T[], keyOf: (item: T) => unknown): [number, number][] {
  const first = new Map<unknown, number>();
  const found: [number, number][] = [];
  items.forEach((item, index) => {
    const key = keyOf(item);
    if (key === undefined) return;
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, index);
    else found.push([index, earlier]);
  });
  return found;
}
