/**
 * A small Dockerfile reader for the deploy tests: enough of the syntax to follow what the
 * project's Dockerfile says (FROM/WORKDIR/COPY/RUN/ENV/USER/EXPOSE/HEALTHCHECK/CMD) without a
 * Docker engine, and a .dockerignore matcher. Unknown instructions are kept so tests can refuse
 * them instead of silently skipping them.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join, posix, relative, resolve, sep } from "node:path";

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  args: string;
  line: number;
}

export interface Stage {
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages; comments, parser directives and blank lines are dropped. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i]!;
    if (/^\s*(#|$)/.test(logical)) continue;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      logical = logical.replace(/\\\s*$/, "");
      i++;
      const next = lines[i]!;
      if (/^\s*#/.test(next)) continue; // comments inside a continued instruction are dropped
      logical += ` ${next.trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(logical);
    if (!match) throw new Error(`Dockerfile line ${start}: cannot parse ${JSON.stringify(logical)}`);
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (keyword === "FROM") {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${start}: cannot parse FROM ${args}`);
      stages.push({ base: from[1]!, name: from[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${start}: ${keyword} before FROM`);
    stage.instructions.push({ keyword, args, line: start });
  }
  return stages;
}

/** Leading `--name=value` flags of an instruction, and the rest. */
export function splitFlags(args: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!match) break;
    flags[match[1]!] = match[2] ?? "true";
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}

/** An exec-form (JSON array) or shell-form command as argv; shell form runs through /bin/sh -c. */
export function commandArgv(rest: string): string[] {
  if (rest.startsWith("[")) {
    const parsed: unknown = JSON.parse(rest);
    if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === "string")) {
      throw new Error(`exec form must be a JSON array of strings: ${rest}`);
    }
    return parsed;
  }
  return ["/bin/sh", "-c", rest];
}

/** ENV key=value pairs (double-quoted values allowed) or the legacy `ENV key value`. */
export function parseEnvInstruction(args: string): Record<string, string> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const legacy = /^(\S+)\s+(.*)$/.exec(args);
    if (!legacy) throw new Error(`cannot parse ENV ${args}`);
    return { [legacy[1]!]: legacy[2]! };
  }
  const env: Record<string, string> = {};
  const pair = /([A-Za-z_][A-Za-z0-9_]*)=(?:"((?:[^"\\]|\\.)*)"|(\S*))\s*/y;
  while (pair.lastIndex < args.length) {
    const start = pair.lastIndex;
    const match = pair.exec(args);
    if (!match) throw new Error(`cannot parse ENV ${args} at ${start}`);
    env[match[1]!] = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3]!;
  }
  return env;
}

export interface CopySpec {
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function parseCopy(args: string): CopySpec {
  const { flags, rest } = splitFlags(args);
  const parts = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  if (parts.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from: flags.from, sources: parts.slice(0, -1), destination: parts.at(-1)! };
}

/** The stage named `name`, or the last stage when no name is given. */
export function stageNamed(stages: Stage[], name?: string): Stage {
  const stage = name === undefined ? stages.at(-1) : stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name ?? "(last)"}`);
  return stage;
}

// ---- .dockerignore ----------------------------------------------------------------------------

/** Docker's matching, simplified: patterns are anchored at the context root, `**` crosses `/`, last match wins. */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const negate = line.startsWith("!");
      const pattern = posix.normalize((negate ? line.slice(1) : line).replace(/^\/+/, ""));
      return { negate, regex: globToRegExp(pattern) };
    });
  return (path: string) => {
    const normalized = posix.normalize(path.split(sep).join("/"));
    // A path is excluded when it, or a directory above it, matches.
    const candidates = normalized.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
    let excluded = false;
    for (const rule of rules) {
      if (candidates.some((candidate) => rule.regex.test(candidate))) excluded = !rule.negate;
    }
    return excluded;
  };
}

function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      i++;
      if (pattern[i + 1] === "/") {
        i++;
        source += "(?:.*/)?";
      } else {
        source += ".*";
      }
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

// ---- COPY, the way Docker does it ---------------------------------------------------------------

/**
 * Copies `sources` (relative to `contextDir`; for `--from` stages, container paths under that
 * stage's root) to `destination` (relative to `workdir` in the container rooted at `rootDir`).
 * A directory source copies its contents, like Docker; `ignored` filters context paths.
 */
export function copyInto(options: {
  contextDir: string;
  sources: string[];
  destination: string;
  rootDir: string;
  workdir: string;
  ignored?: (relativePath: string) => boolean;
}): void {
  const { contextDir, sources, rootDir, workdir } = options;
  const destinationInContainer = posix.resolve(workdir, options.destination);
  const destination = join(rootDir, destinationInContainer);
  const intoDirectory = options.destination.endsWith("/") || sources.length > 1;
  for (const source of sources) {
    const sourcePath = resolve(contextDir, source.replace(/^\/+/, ""));
    const relativeSource = relative(contextDir, sourcePath);
    if (relativeSource.startsWith("..")) throw new Error(`COPY source outside the context: ${source}`);
    if (!existsSync(sourcePath) || options.ignored?.(relativeSource)) {
      throw new Error(`COPY ${source}: not in the build context (missing or excluded by .dockerignore)`);
    }
    const isDirectory = statSync(sourcePath).isDirectory();
    const target = isDirectory || !intoDirectory ? destination : join(destination, posix.basename(source));
    mkdirSync(isDirectory ? target : dirname(target), { recursive: true });
    cpSync(sourcePath, target, {
      recursive: true,
      filter: (path) => {
        const rel = relative(contextDir, path);
        return rel === "" || !options.ignored?.(rel);
      },
    });
  }
}

/** Every file under `dir`, relative, for assertions about what a copy produced. */
export function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? listFiles(dir, rel) : [rel];
  });
}
