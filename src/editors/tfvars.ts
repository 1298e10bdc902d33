/**
 * The tfvars editor: finds the one top-level `variable = "…"` assignment of a service and
 * replaces its value and trailing release marker, leaving every other byte of the file as it was
 * (comments, alignment, tabs, CRLF, a BOM, a missing final newline).
 *
 * Pure and synchronous. What it refuses, it refuses with a PromoterError that names the variable
 * and the line and says how to fix the file. The result is proven afterwards with the real HCL
 * parser (verify-tfvars-edit.ts).
 *
 * Decisions, checked against @cdktf/hcl2json (HashiCorp's HCL parser compiled to WASM):
 * - A quoted name (`"core_image" = "…"`) is not an assignment: HCL rejects it ("Argument names
 *   must not be quoted"), so it is ignored here and the file fails verification.
 * - `core_image: "…"` is not an assignment either (HCL wants `=`; the parser rejects the file).
 * - Keys inside maps, objects, lists and blocks are not top-level assignments and are ignored,
 *   as is anything inside comments, strings, templates and heredocs.
 * - The only comment allowed on the assignment's line is this service's trailing release marker
 *   (`# core-v0.10.0` or `// core-v0.10.0`, exactly a strict tag of the service's prefix, in the
 *   one tag grammar of core/parse-tag.ts); it is rewritten as `# <marker>`. Any other comment
 *   there is refused as `trailing_comment`: a human's note (the edit would delete it), another
 *   service's marker, or a near-miss (`# core-v1.2.3+build.4`, `# Core-v1.2.3`). The downgrade
 *   rule reads the running version from the marker, so a comment it cannot read as exactly this
 *   service's marker must never be taken as "version unknown": only a line with no comment is.
 * - HCL normalises strings to Unicode NFC, so values are compared after NFC normalisation and a
 *   value that is not NFC (or holds a lone surrogate) cannot be written (RangeError: the value
 *   is an image reference validated upstream, so this is a bug, not a user error).
 * - readTfvarsAssignment refuses exactly what editTfvars refuses (a human comment on the line
 *   included), so a version check never reads a marker the edit would then refuse to replace.
 * - Text the scanner cannot follow (an unclosed string, comment, heredoc or bracket) is refused
 *   as `edit_not_isolated`, the code the verification uses for a file that does not parse.
 * - A new marker that is neither a strict release tag nor a commit marker is refused as `invalid_tag`, and a variable
 *   that is not an HCL identifier as `config_invalid`: the edit could not read back.
 */
import { parsePromotionMarker, parseReleaseTag } from "../core/parse-tag.js";
import { PromoterError } from "../errors.js";
import { humanComment, markerFields, releaseMarkerOf, requireOwnMarker } from "./release-marker.js";
import {
  HclSyntaxError,
  decodeHclString,
  encodeHclString,
  isRepresentable,
  lineEnd,
  lineOf,
  scanHcl,
  type Token,
} from "./hcl-scan.js";

export interface TfvarsAssignment {
  variable: string;
  /** The decoded string value (HCL escapes decoded). */
  value: string;
  /** The trailing release marker comment without its `#`: `# core-v0.10.0` → `core-v0.10.0`. */
  marker?: string;
  /** The version the marker names (`0.10.0`); undefined only when the line has no comment at all. */
  version?: string;
  /** 1-based line of the assignment. */
  line: number;
}

export interface TfvarsChange {
  variable: string;
  value: string;
  /** The release marker to write after the value, e.g. `core-v0.10.0`. */
  marker: string;
}

export interface TfvarsEdit {
  text: string;
  previous: TfvarsAssignment;
  /** False when the file already holds exactly this value and marker (then `text` is the input). */
  changed: boolean;
}

export interface TfvarsOptions {
  /** The file's path, used in messages only. */
  file?: string;
}

export interface TfvarsReadOptions extends TfvarsOptions {
  /** The service's tag prefix: the only release marker accepted on its line is `# <prefix>-vX.Y.Z`. */
  markerPrefix: string;
}

export { releaseMarkerOf } from "./release-marker.js";

const IDENTIFIER = /^[\p{ID_Start}_][\p{ID_Continue}-]*$/u;

/** Finds the single top-level `variable = "..."` assignment. Throws PromoterError. */
export function readTfvarsAssignment(text: string, variable: string, options: TfvarsReadOptions): TfvarsAssignment {
  return locateAssignment(text, variable, options.markerPrefix, options.file ?? "the tfvars file").assignment;
}

/** Replaces exactly the value (and the marker) of that one assignment; every other byte unchanged. Throws PromoterError. */
export function editTfvars(text: string, change: TfvarsChange, options: TfvarsOptions = {}): TfvarsEdit {
  const { variable, value, marker } = change;
  if (!isRepresentable(value)) {
    throw new RangeError(`the new value of ${variable} is not well-formed NFC Unicode text, which HCL cannot hold`);
  }
  // The new marker is a release tag or a commit marker in the one grammar; its prefix is the service's.
  const release = parsePromotionMarker(marker);
  if (release === undefined) parseReleaseTag(marker); // throws invalid_tag, saying why
  const found = locateAssignment(text, variable, release!.prefix, options.file ?? "the tfvars file");
  const previous = found.assignment;
  if (previous.value === value && previous.marker === marker) return { text, previous, changed: false };

  const { valueToken, markerComment } = found;
  const quoted = encodeHclString(value);
  const edited = markerComment
    ? text.slice(0, valueToken.start) +
      quoted +
      text.slice(valueToken.end, markerComment.start) +
      `# ${marker}` +
      text.slice(markerComment.end)
    : text.slice(0, valueToken.start) +
      quoted +
      text.slice(valueToken.end, lineEnd(text, valueToken.end)) +
      ` # ${marker}` +
      text.slice(lineEnd(text, valueToken.end));
  return { text: edited, previous, changed: true };
}

interface FoundAssignment {
  assignment: TfvarsAssignment;
  valueToken: Token;
  /** The marker comment, its end trimmed of trailing whitespace (which the edit keeps). */
  markerComment?: Token;
}

function locateAssignment(text: string, variable: string, markerPrefix: string, file: string): FoundAssignment {
  if (!IDENTIFIER.test(variable)) {
    throw new PromoterError(
      "config_invalid",
      `${JSON.stringify(variable)} is not a Terraform variable name; use letters, digits, _ and - (e.g. core_image)`,
    );
  }
  const { statement, line } = theOnlyAssignment(text, variable, file);
  const where = `${variable} in ${file} (line ${line})`;
  const valueToken = plainStringValue(statement, variable, where);
  const markerComment = releaseMarkerComment(text, statement, valueToken, where, markerPrefix);

  let value: string;
  try {
    value = decodeHclString(text.slice(valueToken.start, valueToken.end), valueToken.start);
  } catch (error) {
    if (!(error instanceof HclSyntaxError)) throw error;
    throw new PromoterError("variable_not_string", `${where} has an ${error.message}; fix the string`);
  }

  if (!markerComment) return { assignment: { variable, value, line }, valueToken };
  const commentText = text.slice(markerComment.start, markerComment.end);
  const release = releaseMarkerOf(commentText);
  if (release === undefined) throw new Error("unreachable: releaseMarkerComment returns only this service's marker");
  return {
    assignment: { variable, value, ...markerFields(release), line },
    valueToken,
    markerComment: { ...markerComment, end: markerComment.start + commentText.trimEnd().length },
  };
}

/** The one top-level statement `variable = …`, refusing none and several. */
function theOnlyAssignment(text: string, variable: string, file: string): { statement: Token[]; line: number } {
  const candidates = topLevelStatements(text, file).filter((statement) => {
    const [name, equals] = statement.filter((token) => token.kind !== "comment");
    return name?.kind === "ident" && equals?.kind === "equals" && text.slice(name.start, name.end) === variable;
  });
  const lines = candidates.map((statement) => lineOf(text, nameOf(statement).start));
  const [statement] = candidates;
  if (statement === undefined) {
    throw new PromoterError(
      "variable_missing",
      `${variable} is not assigned at the top level of ${file}; add a line ${variable} = "…" for the app to update`,
    );
  }
  if (candidates.length > 1) {
    const times = candidates.length === 2 ? "twice" : `${candidates.length} times`;
    throw new PromoterError(
      "variable_duplicated",
      `${variable} is assigned ${times} in ${file} (lines ${listLines(lines)}); keep one assignment`,
    );
  }
  return { statement, line: lines[0] ?? 1 };
}

/** The statement's value, which must be one quoted string without templates. */
function plainStringValue(statement: Token[], variable: string, where: string): Token {
  const [, , valueToken, ...rest] = statement.filter((token) => token.kind !== "comment");
  if (valueToken?.kind === "heredoc") {
    throw new PromoterError("variable_not_string", `${where} is a heredoc; write it as one quoted string: ${variable} = "…"`);
  }
  if (valueToken?.kind === "string" && valueToken.template) {
    throw new PromoterError(
      "variable_not_string",
      `${where} contains an interpolation (\${…} or %{…}); write the value as a plain quoted string`,
    );
  }
  if (valueToken?.kind !== "string" || rest.length > 0) {
    throw new PromoterError(
      "variable_not_string",
      `${where} is not a quoted string; write it on one line as ${variable} = "…"`,
    );
  }
  return valueToken;
}

/**
 * The statement's only comment, if any, which must be exactly this service's release marker after
 * the value. Anything else is refused, each with its own explanation; none is ever read as "no
 * marker", since the downgrade rule would then take the running version as unknown.
 */
function releaseMarkerComment(text: string, statement: Token[], valueToken: Token, where: string, prefix: string): Token | undefined {
  const comments = statement.filter((token) => token.kind === "comment");
  const [comment, ...others] = comments;
  if (comment === undefined) return undefined;
  const isOwnMarker = (token: Token) => releaseMarkerOf(text.slice(token.start, token.end))?.prefix === prefix;
  // Two comments, or one before the value: show the one that is not a marker.
  if (others.length > 0 || comment.start < valueToken.end) {
    const human = comments.find((token) => !isOwnMarker(token)) ?? comment;
    throw humanComment(text.slice(human.start, human.end), prefix, where);
  }
  requireOwnMarker(text.slice(comment.start, comment.end), prefix, where);
  return comment;
}

/** The file's top-level statements: tokens between newlines outside brackets, comments included. */
function topLevelStatements(text: string, file: string): Token[][] {
  let tokens: Token[];
  try {
    tokens = scanHcl(text);
  } catch (error) {
    if (!(error instanceof HclSyntaxError)) throw error;
    throw unreadable(file, `line ${lineOf(text, error.offset)}: ${error.message}`);
  }
  const statements: Token[][] = [];
  const open: Token[] = [];
  let statement: Token[] = [];
  for (const token of tokens) {
    if (token.kind === "newline" && open.length === 0) {
      if (statement.length > 0) statements.push(statement);
      statement = [];
      continue;
    }
    statement.push(token);
    if (token.kind === "open") open.push(token);
    if (token.kind === "close" && open.pop() === undefined) {
      throw unreadable(file, `line ${lineOf(text, token.start)}: unexpected ${text[token.start]}`);
    }
  }
  const unclosed = open[0];
  if (unclosed) throw unreadable(file, `line ${lineOf(text, unclosed.start)}: ${text[unclosed.start]} is never closed`);
  if (statement.length > 0) statements.push(statement);
  return statements;
}

function unreadable(file: string, reason: string): PromoterError {
  return new PromoterError("edit_not_isolated", `${file} is not valid HCL (${reason}); fix the file so Terraform can read it`);
}

function nameOf(statement: Token[]): Token {
  const name = statement.find((token) => token.kind !== "comment");
  if (!name) throw new Error("unreachable: a candidate statement starts with a name");
  return name;
}

function listLines(lines: number[]): string {
  return lines.length <= 2 ? lines.join(" and ") : `${lines.slice(0, -1).join(", ")} and ${lines.at(-1)}`;
}
