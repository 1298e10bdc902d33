/**
 * JSON files as people commit them: npm and Node accept a leading byte-order mark (Windows
 * editors write one), `JSON.parse` does not. Every reader of a package.json or lockfile in the app
 * goes through here, so a BOM is handled the same way everywhere; the editors keep it in what they
 * write.
 */
export const BOM = "\uFEFF";

export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(BOM.length) : text;
}

/** JSON.parse after stripping a leading BOM. Throws SyntaxError. */
export function parseJsonText(text: string): unknown {
  return JSON.parse(stripBom(text));
}
