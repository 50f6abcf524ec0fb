import { extname } from "node:path";
import { type ParseError, parse as parseJson, printParseErrorCode } from "jsonc-parser";
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Range,
  Scalar,
  visit,
} from "yaml";
import { ValidationError } from "../domain/validation";
import { holdsPrivateKey } from "../formats/pem";

/** Where a field of the file is, and what was written there. */
export interface Locator {
  /** `:line:col` of the node at `path` (or of its key), or "". */
  where(path: PropertyKey[], atKey: boolean): string;
  /** The text of the node at `path` exactly as written, if it is a scalar. */
  source(path: PropertyKey[]): string | undefined;
}

/** A config file's data, and how to point into it. */
export interface ReadDocument {
  readonly data: unknown;
  readonly locator: Locator;
}

/**
 * Bytes to text. YAML 1.2 and JSON files are UTF-8 here; invalid UTF-8 is refused at its line
 * rather than turned into U+FFFD (which would then be written out), and UTF-16 is named as such.
 */
export function decodeConfigBytes(bytes: Uint8Array, name: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ValidationError(`${name}:1:1: the file is UTF-16 text; save it as UTF-8`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // The longest prefix that still decodes ends where the first bad byte starts.
    let good = 0;
    let failing = bytes.length;
    while (failing - good > 1) {
      const middle = (good + failing) >> 1;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, middle), { stream: true });
        good = middle;
      } catch {
        failing = middle;
      }
    }
    // The streaming decoder holds back a sequence the prefix cuts short. Step back over the
    // prefix's trailing continuation bytes (10xxxxxx; at most 3 in a prefix that decodes) to the
    // lead byte before them: when it asks for more bytes than follow it (C2-DF two, E0-EF three,
    // F0 and up four), the bad sequence starts there; when they complete its character (or it is
    // no lead byte, or there is none), the first bad byte is the one after the prefix.
    let lead = good - 1;
    while ((bytes[lead] & 0xc0) === 0x80) lead--;
    const length = bytes[lead] >= 0xf0 ? 4 : bytes[lead] >= 0xe0 ? 3 : bytes[lead] >= 0xc2 ? 2 : 1;
    const bad = length > good - lead ? lead : good;
    const before = new TextDecoder().decode(bytes.subarray(0, bad));
    const lines = before.split("\n");
    // split() returns at least one element.
    const at = `${lines.length}:${[...lines[lines.length - 1]].length + 1}`;
    // Only a byte of 0x80 or more is ever wrong in UTF-8, so it always has two hex digits.
    throw new ValidationError(
      `${name}:${at}: the file is not valid UTF-8 (byte 0x${bytes[bad].toString(16)}); save it as UTF-8`,
    );
  }
}

/** jsonc-parser's error codes in plain words. */
const JSON_WORDS: Record<string, string> = {
  InvalidSymbol: "a character JSON does not allow here (YAML syntax, an unquoted word or a stray character)",
  InvalidNumberFormat: "a number JSON does not allow",
  PropertyNameExpected: 'a key in double quotes (a trailing comma before "}"?)',
  ValueExpected: 'a value (a trailing comma before "]"?)',
  ColonExpected: "a ':' after the key",
  CommaExpected: "a ',' between entries",
  CloseBraceExpected: "a closing '}'",
  CloseBracketExpected: "a closing ']'",
  EndOfFileExpected: "the end of the file (a second top-level value?)",
  InvalidCommentToken: "no comment: JSON has no comments",
  UnexpectedEndOfComment: "no comment: JSON has no comments",
  UnexpectedEndOfString: "a closing '\"'",
  UnexpectedEndOfNumber: "a complete number",
  InvalidUnicode: "a valid \\u escape",
  InvalidEscapeCharacter: "a valid escape after '\\'",
  InvalidCharacter: "no control character inside a string (write \\n for a newline)",
};

/**
 * Text to data. A `.json` file must be strict JSON (RFC 8259: no comments, no trailing commas,
 * no YAML), checked with jsonc-parser and reported in JSON words; then JSON and YAML alike are
 * read by the YAML parser, whose nodes give every field its line and column.
 */
export function readConfigDocument(text: string, name: string): ReadDocument {
  const json = extname(name).toLowerCase() === ".json";
  const kind = json ? "JSON" : "YAML";
  const lineCounter = new LineCounter();
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${name}:${line}:${col}`;
  };
  if (text.trim() === "") {
    throw new ValidationError(
      `${name}:1:1: the file is empty; it needs a mapping with a clusters list (docs/configure.md)`,
    );
  }
  // YAML merge keys (<<: *defaults) are how authors share a cluster's settings; JSON has none.
  // logLevel "error": yaml would also print a process warning for a mapping used as a key
  // (nodes/addPairToJSMap.js:57), which the checks already report as an unknown key at its place.
  const document = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    merge: !json,
    logLevel: "error",
  });
  if (json) {
    const errors: ParseError[] = [];
    // An empty file was refused above; jsonc-parser leaves allowEmptyContent off by default.
    parseJson(text, errors, { disallowComments: true, allowTrailingComma: false });
    if (errors.length > 0) {
      const lines = errors.slice(0, 5).map((error) => {
        const code = printParseErrorCode(error.error);
        return `  ${at(error.offset)}: expected ${JSON_WORDS[code] ?? code}`;
      });
      throw new ValidationError(`${name} is not valid JSON:\n${lines.join("\n")}`);
    }
  }
  if (document.errors.length > 0) {
    const seen = new Set<string>();
    const lines = [...document.errors]
      .sort((a, b) => a.pos[0] - b.pos[0])
      .filter((error) => !seen.has(error.code) && seen.add(error.code))
      .map((error) => `  ${at(error.pos[0])}: ${yamlWords(error.code, error.message, json)}`);
    throw new ValidationError(`${name} is not valid ${kind}:\n${lines.join("\n")}`);
  }
  const tagged = unsupportedTag(document, text);
  if (tagged) {
    throw new ValidationError(
      `${at(tagged.offset)}: the tag ${tagged.tag} is not supported here (it would change what the value means); ` +
        "write plain values: text, numbers, true/false, lists and mappings",
    );
  }
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    const merge = /Merge sources/.test((error as Error).message) ? badMergeSource(document) : undefined;
    if (merge !== undefined) {
      throw new ValidationError(
        `${at(merge)}: a merge key (<<) takes a mapping, an alias of one (<<: *defaults) or a list of those; write the keys out instead`,
      );
    }
    const message = (error as Error).message;
    const unresolved = /Unresolved alias/.test(message);
    if (unresolved || /Excessive alias count/.test(message)) {
      // yaml 2.9.1 throws these only from an alias (nodes/Alias.js:66, 78, 88), so firstAlias finds one.
      const alias = firstAlias(document, unresolved) as { name: string; offset: number };
      throw new ValidationError(
        unresolved
          ? `${at(alias.offset)}: the alias *${alias.name} names no anchor (&${alias.name}) defined before it; define the anchor first or write the value out`
          : `${at(alias.offset)}: the file's aliases (*name) expand to too many values, as an alias bomb does; write the values out`,
      );
    }
    // No input found reaches this: the last resort for an error of toJS's not met yet.
    throw new ValidationError(`${name}:1:1: the file cannot be read as ${kind}; check it with a ${kind} linter`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    const node = document.contents as Node | null;
    const holds =
      data === null // toJS gives null for a document of comments alone, never undefined
        ? "holds nothing but comments"
        : Array.isArray(data)
          ? "holds a list"
          : typeof data === "string" && holdsPrivateKey(data)
            ? "holds a PEM private key (not shown); point --config or VAULT_K8S_AUTH_CONFIG at the YAML or JSON config, not at a key file"
            : `holds ${preview(data)}`;
    throw new ValidationError(
      `${at(node?.range?.[0] ?? 0)}: the file must be a mapping with a clusters list at the top, but ${holds}`,
    );
  }
  return {
    data,
    locator: {
      where(path, atKey) {
        // locate() returns the mapping at the top at least, and every node parsed from text has a range.
        const node = locate(document.contents, path, atKey) as Node;
        const { line, col } = lineCounter.linePos((node.range as Range)[0]);
        return `:${line}:${col}`;
      },
      source(path) {
        const node = locate(document.contents, path, false);
        // range[1] is where the value ends, before any space or comment after it.
        return isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]) : undefined;
      },
    },
  };
}

/** The start of a scalar that stands where the config should be: enough to recognise the file, not its whole text. */
function preview(data: unknown): string {
  const text = JSON.stringify(data) ?? String(data);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The yaml library's errors in the words of the file's author; never its API names. */
function yamlWords(code: string, message: string, json: boolean): string {
  switch (code) {
    case "MULTIPLE_DOCS":
      return "a second document starts here (---); keep one document per file";
    case "RESOURCE_EXHAUSTION":
      return "the file is nested too deeply here; a config needs only a few levels";
    case "DUPLICATE_KEY":
      return "this key is already set in the same mapping; keep one of them";
    case "BAD_ALIAS":
      return "an alias (*name) is not allowed here";
    default:
      return json ? "this is not valid JSON here" : message.split("\n")[0];
  }
}

const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((tag) => `tag:yaml.org,2002:${tag}`),
);

/** The first explicit tag other than the core schema's: `!Ref` resolves to nothing, `!!binary` to bytes. */
function unsupportedTag(document: Document, text: string): { tag: string; offset: number } | undefined {
  let found: { tag: string; offset: number } | undefined;
  visit(document, (_key, node) => {
    if (!(isScalar(node) || isMap(node) || isSeq(node))) return undefined;
    if (node.tag === undefined || CORE_TAGS.has(node.tag)) return undefined;
    const tag = node.tag.replace(/^tag:yaml\.org,2002:/, "!!");
    const offset = (node.range as Range)[0]; // every node parsed from text has a range
    found = { tag, offset: tagStart(text, [tag, `!<${node.tag}>`], offset) };
    return visit.BREAK;
  });
  for (const warning of document.warnings) {
    if (warning.code === "TAG_RESOLVE_FAILED" && (found === undefined || warning.pos[0] < found.offset)) {
      // A core tag whose value does not fit it (!!int abc) is named as written, not by its full URI.
      const tag = warning.message.replace(/^Unresolved tag: /, "").replace(/^tag:yaml\.org,2002:/, "!!");
      found = { tag, offset: warning.pos[0] };
    }
  }
  return found;
}

/**
 * Where the tag of the value at `offset` starts: a node's range starts after its tag and any anchor
 * (`!!binary &a aGk=`), so look back for the tag as written, short (`!!binary`) or verbatim
 * (`!<tag:yaml.org,2002:binary>`). A tag written with a %TAG handle (`!e!binary`) is pointed at
 * its value.
 */
function tagStart(text: string, forms: string[], offset: number): number {
  for (const form of forms) {
    const start = text.lastIndexOf(form, offset);
    if (start >= 0 && /^(?:\s+&\S+)?\s+$/.test(text.slice(start + form.length, offset))) return start;
  }
  return offset;
}

/**
 * Whether toJS merges this key, as yaml 2.9.1 decides (nodes/addPairToJSMap.js:13, isMergeKey in
 * schema/yaml-1.1/merge.js:25-29): a plain `<<`, which the parser keeps as Symbol(<<), or a plain
 * scalar whose text is `<<` (`!!str <<`). A quoted "<<" is an ordinary key.
 */
function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  if (typeof key.value === "symbol") return key.value.description === "<<";
  // yaml also counts a scalar without a type; every scalar parsed from text has one.
  return key.value === "<<" && key.type === Scalar.PLAIN;
}

/**
 * Where the first merge (<<) value that is not a mapping starts: yaml 2.9.1 throws "Merge sources
 * must be maps or map aliases" from toJS (schema/yaml-1.1/merge.js:44) without a position.
 */
function badMergeSource(document: Document): number | undefined {
  const isMapping = (node: unknown) => isMap(isAlias(node) ? node.resolve(document) : node);
  let found: number | undefined;
  visit(document, {
    Pair(_key, pair) {
      if (!isMergeKey(pair.key)) return undefined;
      const value = pair.value as Node | null;
      if (isMapping(value) || (isSeq(value) && value.items.every(isMapping))) return undefined;
      // A merge key with no value at all (`? <<`, `{<<}`) is pointed at itself; parsed nodes have ranges.
      found = (((value ?? pair.key) as Node).range as Range)[0];
      return visit.BREAK;
    },
  });
  return found;
}

/** The first alias, or with `unresolved` the first whose anchor is not defined before it. */
function firstAlias(document: Document, unresolved: boolean): { name: string; offset: number } | undefined {
  let found: { name: string; offset: number } | undefined;
  visit(document, {
    Alias(_key, node) {
      if (unresolved && node.resolve(document) !== undefined) return undefined;
      found = { name: node.source, offset: (node.range as Range)[0] };
      return visit.BREAK;
    },
  });
  return found;
}

/** The YAML node at `path` (or, with `atKey`, the key that names it), for line numbers. */
function locate(root: unknown, path: PropertyKey[], atKey: boolean): Node | undefined {
  let node = root as Node | undefined;
  let last = node;
  for (const [index, part] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === part);
      if (!pair) return last;
      last = (pair.key as Node) ?? last;
      if (atKey && index === path.length - 1) return last;
      node = (pair.value as Node | null) ?? undefined;
      if (node) last = node;
    } else if (isSeq(node) && typeof part === "number") {
      node = node.items[part] as Node | undefined;
      if (node) last = node;
    }
    // Else a scalar (or nothing) stands where the path goes on: last stays the deepest node found.
  }
  return last;
}
