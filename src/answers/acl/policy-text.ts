import { ValidationError } from "../../domain/validation";
import { type ParsedPolicy, policyFromDocument } from "./policy-document";

interface HclV1 {
  /** hashicorp/hcl v1's Unmarshal into interface{}, then json.MarshalIndent; on error, the error as text. */
  parse(text: string): string;
}

let parser: HclV1 | undefined;

/**
 * hashicorp/hcl v1 — the library Vault parses policies with — compiled to JavaScript with
 * GopherJS, as js-hcl-parser 1.0.1 ships it (its hcl/hcl.go: hcl.Unmarshal, json.MarshalIndent).
 * Loaded on first use only (about 100 ms of CPU; docs/live-vault.md, "Parsing policies").
 */
function hcl(): HclV1 {
  parser ??= require("js-hcl-parser") as HclV1;
  return parser;
}

/** js-hcl-parser answers a parse error as text: "unable to parse JSON: At 1:36: ..." (hcl/hcl.go). */
const PARSE_ERROR = "unable to parse JSON: ";

/**
 * A policy's text as Vault reads it (vault/policy.go:310-350 parses it with hashicorp/hcl v1,
 * which reads JSON too: hcl/lex.go lexMode takes a text whose first non-space character is "{" as
 * JSON). `source` names the text in messages (a file, or sys/policies/acl/NAME).
 */
export async function parsePolicyText(name: string, source: string, text: string): Promise<ParsedPolicy> {
  const answer = hcl().parse(text);
  if (answer.startsWith(PARSE_ERROR)) {
    throw new ValidationError(`policy ${name} (${source}) is not valid HCL: ${hclProblem(source, answer)}`);
  }
  return policyFromDocument(name, source, JSON.parse(answer));
}

/** "unable to parse JSON: At 1:36: object expected closing RBRACE got: EOF" -> "FILE:1:36: object expected ...". */
export function hclProblem(source: string, answer: string): string {
  const error = answer.slice(PARSE_ERROR.length).trim();
  const at = /^At (\d+):(\d+): (.*)$/s.exec(error);
  return at ? `${source}:${at[1]}:${at[2]}: ${at[3]}` : error;
}
