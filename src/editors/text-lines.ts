/** Positions in a text, for every editor's messages and splices (tfvars, YAML, JSON alike). */

/** 1-based line number of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** Offset of the line ending (`\r\n` or `\n`) at or after `from`, or the text length. */
export function lineEnd(text: string, from: number): number {
  const newline = text.indexOf("\n", from);
  if (newline === -1) return text.length;
  return text[newline - 1] === "\r" && newline - 1 >= from ? newline - 1 : newline;
}
