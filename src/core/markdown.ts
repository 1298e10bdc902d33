/**
 * Untrusted text (tag names, logins, commit data) reaches PR titles and bodies only through
 * these helpers, so it can never become markup, a mention, a link or an HTML comment.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .replace(/[\\`*_{}[\]()#+\-.!|<>~&@:"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Inline code span that cannot be broken out of (backticks are not allowed in what we pass). */
export function code(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f`]/g, "");
  return `\`${clean}\``;
}
