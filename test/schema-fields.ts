import type { z } from "zod";

/** The leaf fields of a zod 4 schema, read from its definition (`_zod.def`), for tables that must cover every field. */

type Def = { type: string } & Record<string, unknown>;
const defOf = (schema: unknown): Def => (schema as z.core.$ZodType)._zod.def as unknown as Def;

/**
 * The paths a user can write a value at: `a.b` for an object key, `a[]` for the items of a list
 * of mappings, `a(mode=x)` for one branch of a discriminated union. A list, record or union of
 * plain values is one field. A zod type this walker does not know fails, so a new kind of
 * schema cannot hide its fields.
 */
export function schemaFields(schema: unknown, path = ""): string[] {
  const def = defOf(schema);
  const leaf = [path];
  /** The fields of a container's items, or the container itself when its items are plain values. */
  const inner = (item: unknown, suffix: string) => {
    const found = schemaFields(item, `${path}${suffix}`);
    return found.length === 1 && found[0] === `${path}${suffix}` ? leaf : found;
  };
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      return schemaFields(def.innerType, path);
    case "pipe":
      // A transform: what the user writes is its input.
      return schemaFields(def.in, path);
    case "object":
      return Object.entries(def.shape as Record<string, unknown>).flatMap(([key, field]) =>
        schemaFields(field, path ? `${path}.${key}` : key),
      );
    case "array":
      return inner(def.element, "[]");
    case "record":
      return inner(def.valueType, "{}");
    case "union": {
      const options = def.options as unknown[];
      const key = def.discriminator as string | undefined;
      if (key !== undefined) {
        return options.flatMap((option) => {
          const value = (defOf(option).shape as Record<string, unknown>)[key];
          return schemaFields(option, `${path}(${key}=${String((defOf(value).values as unknown[])[0])})`);
        });
      }
      const found = options.map((option) => schemaFields(option, path));
      if (found.every((fields) => fields.length === 1 && fields[0] === path)) return leaf;
      throw new Error(`${path}: a union of mappings without a discriminator; teach schemaFields to name its branches`);
    }
    case "string":
    case "number":
    case "boolean":
    case "enum":
    case "literal":
    case "unknown":
      return leaf;
    default:
      throw new Error(`${path}: zod type ${def.type} is unknown to schemaFields; teach it where its fields are`);
  }
}
