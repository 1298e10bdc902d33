/**
 * A parser for the WWW-Authenticate header (RFC 9110 §11.6.1), enough for registries:
 * several challenges in one header (`Basic realm="x", Bearer realm="y"`), parameters whose
 * quoted values contain commas and escaped quotes (`scope="repository:a/b:pull,push"`),
 * case-insensitive scheme and parameter names, and token68 credentials.
 */
export interface AuthChallenge {
  /** Lowercased: "bearer", "basic", ... */
  scheme: string;
  /** Parameter names lowercased; values unquoted. */
  params: Record<string, string>;
  token68?: string;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_RE = /^[A-Za-z0-9\-._~+/]+=*/;

export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge[] {
  if (!header) return [];
  const challenges: AuthChallenge[] = [];
  let pos = 0;

  const skip = (chars: RegExp): void => {
    while (pos < header.length && chars.test(header[pos]!)) pos++;
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < header.length && TOKEN_CHAR.test(header[pos]!)) pos++;
    return header.slice(start, pos);
  };
  const readQuoted = (): string => {
    pos++; // opening quote
    let value = "";
    while (pos < header.length && header[pos] !== '"') {
      if (header[pos] === "\\" && pos + 1 < header.length) pos++;
      value += header[pos];
      pos++;
    }
    pos++; // closing quote (or past the end when unterminated)
    return value;
  };

  while (pos < header.length) {
    skip(/[\s,]/);
    if (pos >= header.length) break;
    const scheme = readToken();
    if (scheme === "") {
      // Not a token where a scheme must start: skip to the next comma and try again.
      while (pos < header.length && header[pos] !== ",") pos++;
      continue;
    }
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    if (!/[ \t]/.test(header[pos] ?? "")) continue; // bare scheme, e.g. "Negotiate"
    skip(/[ \t]/);

    let first = true;
    for (;;) {
      const save = pos;
      skip(/[\s,]/);
      const name = readToken();
      skip(/[ \t]/);
      if (name !== "" && header[pos] === "=") {
        pos++;
        skip(/[ \t]/);
        const next = header[pos];
        if (next === '"') {
          challenge.params[name.toLowerCase()] = readQuoted();
          first = false;
          continue;
        }
        if (next !== undefined && TOKEN_CHAR.test(next)) {
          challenge.params[name.toLowerCase()] = readToken();
          first = false;
          continue;
        }
      }
      pos = save;
      if (first) {
        // token68 directly after the scheme, e.g. `Negotiate YII=`.
        const token68 = TOKEN68_RE.exec(header.slice(pos))?.[0];
        if (token68 !== undefined) {
          const after = header.slice(pos + token68.length).trimStart();
          if (after === "" || after.startsWith(",")) {
            challenge.token68 = token68;
            pos += token68.length;
          }
        }
      }
      break; // the next token, if any, starts a new challenge
    }
  }
  return challenges;
}
