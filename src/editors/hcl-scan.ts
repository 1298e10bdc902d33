/**
 * A small scanner for HCL native syntax: just enough to find the top-level attributes of a
 * tfvars file without being fooled by strings, templates (`${…}`, `%{…}`, nested), heredocs,
 * the three kinds of comments, or brackets. It does not build an expression tree and does not
 * validate the file; the edit is proven afterwards by the real parser (verify-tfvars-edit.ts).
 *
 * Offsets are UTF-16 indexes into the original string, so an editor can splice the original text
 * and leave every other byte as it was. Lexing rules follow hashicorp/hcl's
 * `hclsyntax/scan_tokens.rl` and were checked against `@cdktf/hcl2json`.
 */
import { lineEnd } from "./text-lines.js";

// tfvars.ts reads these from here too.
export { lineEnd, lineOf } from "./text-lines.js";

export type TokenKind =
  | "ident"
  | "equals" // a single `=` (not `==` or `=>`)
  | "open" // `{`, `[` or `(`
  | "close" // `}`, `]` or `)`
  | "string" // a whole quoted string, quotes included
  | "heredoc" // from `<<` to the end of the closing marker
  | "comment" // `# …` or `// …` (without the line ending) or `/* … */`
  | "newline" // `\n` or `\r\n`
  | "other"; // anything else: numbers, operators, `:`, `,`, a lone `\r`, …

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** For a `string` token: whether it contains a `${…}` interpolation or a `%{…}` directive. */
  template?: boolean;
}

/** The text is not HCL this scanner can follow (an unterminated string, comment or heredoc). */
export class HclSyntaxError extends Error {
  override readonly name = "HclSyntaxError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const IDENT = /[\p{ID_Start}_][\p{ID_Continue}-]*/uy;
const HEREDOC_OPENER = /<<(-?)([\p{ID_Start}_][\p{ID_Continue}-]*)\r?\n/uy;
const BOM = "\uFEFF";

/** Splits HCL text into tokens. Whitespace (spaces, tabs) and a leading BOM are skipped. */
export function scanHcl(text: string): Token[] {
  const scanner = new Scanner(text);
  const tokens: Token[] = [];
  for (let token = scanner.next(); token !== undefined; token = scanner.next()) tokens.push(token);
  return tokens;
}


class Scanner {
  private pos: number;

  constructor(private readonly text: string) {
    this.pos = text.startsWith(BOM) ? BOM.length : 0;
  }

  next(): Token | undefined {
    const { text } = this;
    while (text[this.pos] === " " || text[this.pos] === "\t") this.pos++;
    const start = this.pos;
    const c = text[start];
    if (c === undefined) return undefined;
    const c2 = text[start + 1];

    if (c === "\n") return this.token("newline", start, start + 1);
    if (c === "\r" && c2 === "\n") return this.token("newline", start, start + 2);
    if (c === "#" || (c === "/" && c2 === "/")) return this.token("comment", start, lineEnd(text, start));
    if (c === "/" && c2 === "*") {
      const close = text.indexOf("*/", start + 2);
      if (close === -1) throw new HclSyntaxError("a /* comment is never closed", start);
      return this.token("comment", start, close + 2);
    }
    if (c === '"') return this.quoted(start);
    if (c === "<" && c2 === "<") {
      HEREDOC_OPENER.lastIndex = start;
      const opener = HEREDOC_OPENER.exec(text);
      if (opener) return this.heredoc(start, opener[2] ?? "", opener[0].length);
    }
    if (c === "{" || c === "[" || c === "(") return this.token("open", start, start + 1);
    if (c === "}" || c === "]" || c === ")") return this.token("close", start, start + 1);
    if (c === "=") {
      const double = c2 === "=" || c2 === ">";
      return this.token(double ? "other" : "equals", start, start + (double ? 2 : 1));
    }
    IDENT.lastIndex = start;
    const ident = IDENT.exec(text);
    if (ident) return this.token("ident", start, start + ident[0].length);
    const codePoint = text.codePointAt(start) ?? 0;
    return this.token("other", start, start + (codePoint > 0xffff ? 2 : 1));
  }

  private token(kind: TokenKind, start: number, end: number, template?: boolean): Token {
    this.pos = end;
    return template === undefined ? { kind, start, end } : { kind, start, end, template };
  }

  /** A quoted template string: `\` escapes, `$${` and `%%{` are literals, `${`/`%{` open templates. */
  private quoted(start: number): Token {
    const { text } = this;
    let template = false;
    this.pos = start + 1;
    for (;;) {
      const c = text[this.pos];
      if (c === undefined || c === "\n" || c === "\r") {
        throw new HclSyntaxError("a quoted string is not closed on its line", start);
      }
      if (c === '"') return this.token("string", start, this.pos + 1, template);
      if (c === "\\") {
        this.pos += text[this.pos + 1] === "\n" || text[this.pos + 1] === "\r" ? 1 : 2;
        continue;
      }
      const sequence = this.templateSequence();
      if (sequence === "template") template = true;
      if (sequence === "none") this.pos += 1;
    }
  }

  /** From `<<EOT\n` (or `<<-EOT\n`) to the line holding only `EOT`; the body is a template. */
  private heredoc(start: number, marker: string, openerLength: number): Token {
    const { text } = this;
    this.pos = start + openerLength;
    let atLineStart = true;
    while (this.pos < text.length) {
      if (atLineStart) {
        const end = lineEnd(text, this.pos);
        const line = text.slice(this.pos, end);
        if (trimSpace(line) === marker && end < text.length) {
          return this.token("heredoc", start, this.pos + line.indexOf(marker) + marker.length);
        }
      }
      atLineStart = text[this.pos] === "\n";
      if (atLineStart || this.templateSequence() === "none") this.pos += 1;
    }
    throw new HclSyntaxError(`a heredoc is never closed (no line with only ${marker})`, start);
  }

  /**
   * Inside a template, at the current position: consumes an escape (`$${`, `%%{`) or a whole
   * `${…}`/`%{…}` sequence (which may hold nested strings and braces), or nothing.
   */
  private templateSequence(): "none" | "escape" | "template" {
    const { text } = this;
    const c = text[this.pos];
    if (c !== "$" && c !== "%") return "none";
    if (text[this.pos + 1] === c && text[this.pos + 2] === "{") {
      this.pos += 3;
      return "escape";
    }
    if (text[this.pos + 1] !== "{") return "none";
    const start = this.pos;
    this.pos += 2;
    let depth = 0;
    for (let token = this.next(); token !== undefined; token = this.next()) {
      const brace = text[token.start];
      if (token.kind === "open" && brace === "{") depth++;
      if (token.kind === "close" && brace === "}" && depth-- === 0) return "template";
    }
    throw new HclSyntaxError(`a ${c}{ template sequence is never closed`, start);
  }
}


/** Go's `bytes.TrimSpace`, which HCL uses to recognise a heredoc's closing marker. */
function trimSpace(line: string): string {
  return line.replace(/^[\t\n\v\f\r \u0085\p{Z}]+|[\t\n\v\f\r \u0085\p{Z}]+$/gu, "");
}

/**
 * The value of a quoted string token without template sequences (`"a\"b$${c}"` → `a"b${c}`).
 * HCL normalises string literals to Unicode NFC after decoding escapes, and so does this.
 */
export function decodeHclString(token: string, offset: number): string {
  let value = "";
  for (let i = 1; i < token.length - 1; ) {
    const c = token[i] ?? "";
    if ((c === "$" || c === "%") && token[i + 1] === c && token[i + 2] === "{") {
      value += `${c}{`;
      i += 3;
    } else if (c !== "\\") {
      value += c;
      i += 1;
    } else {
      const selector = token[i + 1] ?? "";
      const simple = SIMPLE_ESCAPES[selector];
      const digits = selector === "u" ? 4 : selector === "U" ? 8 : 0;
      const hex = token.slice(i + 2, i + 2 + digits);
      const codePoint = Number.parseInt(hex, 16);
      if (simple !== undefined) {
        value += simple;
      } else if (digits > 0 && /^[0-9a-fA-F]+$/.test(hex) && hex.length === digits && isScalar(codePoint)) {
        value += String.fromCodePoint(codePoint);
      } else {
        throw new HclSyntaxError(`invalid escape sequence \\${selector}${hex}`, offset + i);
      }
      i += 2 + digits;
    }
  }
  return value.normalize("NFC");
}

const SIMPLE_ESCAPES: Record<string, string | undefined> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

function isScalar(codePoint: number): boolean {
  return codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
}

/**
 * Characters written as `\uXXXX` rather than raw: controls (C0, DEL, C1), line and paragraph
 * separators, bidirectional controls and the BOM, so the file shows what it holds.
 */
const INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069\uFEFF]/u;

/**
 * An HCL quoted string whose value is exactly `value`, and never a template: `${` and `%{`
 * are written as the `$${` and `%%{` escapes. The caller checks `isRepresentable` first.
 */
export function encodeHclString(value: string): string {
  let body = "";
  for (const c of value) {
    if (c === '"' || c === "\\") body += `\\${c}`;
    else if (c === "\n") body += "\\n";
    else if (c === "\r") body += "\\r";
    else if (c === "\t") body += "\\t";
    else if (INVISIBLE.test(c)) body += `\\u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
    else body += c;
  }
  // Function replacers: in a replacement string, `$$` would mean a single `$`.
  return `"${body.replaceAll("${", () => "$${").replaceAll("%{", () => "%%{")}"`;
}

/**
 * Whether an HCL string can hold `value` exactly: HCL stores text as UTF-8 (no lone surrogates)
 * normalised to NFC, so other strings would be changed by the parser.
 */
export function isRepresentable(value: string): boolean {
  return !/\p{Cs}/u.test(value) && value.normalize("NFC") === value;
}
