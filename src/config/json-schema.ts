import { z } from "zod";
import { configSchema } from "./schema";

/** The committed JSON Schema for editors; `npm run schema` rewrites it, a test keeps it fresh. */
export const SCHEMA_FILE = "vault-k8s-auth.schema.json";

export function renderJsonSchema(): string {
  // Every input type is representable; zod throws on one that is not, so a new field type is noticed here.
  const schema = z.toJSONSchema(configSchema, { io: "input" });
  const titled = { ...schema, title: "vault-k8s-auth configuration" };
  return `${JSON.stringify(titled, null, 2)}\n`;
}
