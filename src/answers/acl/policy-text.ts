import { ValidationError } from "../../validation";
import { type ParsedPolicy, policyFromDocument } from "./policy-document";

type Hcl2Json = typeof import("@cdktf/hcl2json");

let parser: Hcl2Json | undefined;

/**
 * HashiCorp's HCL library (hashicorp/hcl v2) compiled to WebAssembly, as @cdktf/hcl2json ships it.
 * Loaded on first use only: instantiating its Go runtime costs about half a second of CPU
 * (docs/live-vault.md, "Parsing policies"), which no command pays unless it parses HCL.
 */
function hcl(): Hcl2Json {
  parser ??= require("@cdktf/hcl2json") as Hcl2Json;
  return parser;
}

/**
 * A policy's text as Vault reads it: JSON when its first non-space character is "{", as
 * hashicorp/hcl v1 decides (hcl/lex.go lexMode, which Vault's policy parser uses), else HCL.
 * Vault parses HCL with hcl v1; the policies people write (path stanzas of string lists) read the
 * same in hcl v2. `source` names the text in messages (a file, or sys/policies/acl/NAME).
 */
export async function parsePolicyText(name: string, source: string, text: string): Promise<ParsedPolicy> {
  let document: unknown;
  if (text.trimStart().startsWith("{")) {
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new ValidationError(`policy ${name} (${source}) is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    try {
      document = await hcl().parse(source, text);
    } catch (error) {
      throw new ValidationError(`policy ${name} (${source}) is not valid HCL: ${hclProblem((error as Error).message)}`);
    }
  }
  return policyFromDocument(name, source, document);
}

/** "parse config: [f.hcl:1,35-36: Missing item separator; Expected a comma ...]" -> "f.hcl:1:35: Missing item separator; ...". */
export function hclProblem(message: string): string {
  const inner = /^parse config: \[(.*)\]$/s.exec(message.trim())?.[1] ?? message.trim();
  return inner.replace(/^(.*?):(\d+),(\d+)(?:-\d+)?: /, "$1:$2:$3: ");
}
