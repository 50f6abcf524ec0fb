import { writeFileSync } from "node:fs";
import { renderJsonSchema, SCHEMA_FILE } from "../src/config/json-schema";

writeFileSync(SCHEMA_FILE, renderJsonSchema());
console.log(`wrote ${SCHEMA_FILE}`);
