/**
 * The project's documents never link outside the repository: no http(s) link, and every relative
 * link resolves to a file inside the clone (an anchor may follow it). A reader of a fresh clone,
 * or of the image, finds everything a link promises.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

function markdownFiles(): string[] {
  const top = readdirSync(root).filter((name) => name.endsWith(".md"));
  const docs = existsSync(join(root, "docs")) ? readdirSync(join(root, "docs"), { recursive: true }).map(String).filter((name) => name.endsWith(".md")).map((name) => join("docs", name)) : [];
  return [...top, ...docs];
}

/** Markdown links `[text](target)` and `<https://…>` autolinks, outside fenced code blocks. */
export function linksIn(text: string): string[] {
  const prose = text.replace(/^(```|~~~)[\s\S]*?^\1/gm, "");
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
  const auto = [...prose.matchAll(/<(https?:\/\/[^>\s]+)>/g)].map((match) => match[1]!);
  return [...inline, ...auto];
}

/** Why `target`, linked from `file`, leaves the repository; undefined when it stays inside. */
export function escapes(file: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return "an external link";
  if (target.startsWith("#")) return undefined;
  const path = decodeURIComponent(target.split("#")[0]!);
  const absolute = resolve(dirname(join(root, file)), path);
  const inside = relative(root, absolute);
  if (inside.startsWith("..") || inside === "") return "a path outside the repository";
  if (!existsSync(absolute)) return "a file that does not exist";
  return undefined;
}

describe("documentation links", () => {
  it("finds links the way a Markdown reader does (the check itself can fail)", () => {
    expect(linksIn('See [design](../shared/DESIGN.md), [Probot](https://probot.github.io "x") and <https://x.test/a>.\n```\n[not](https://in-code.example)\n```\n')).toEqual([
      "../shared/DESIGN.md",
      "https://probot.github.io",
      "https://x.test/a",
    ]);
    expect(escapes("README.md", "../shared/DESIGN.md")).toBe("a path outside the repository");
    expect(escapes("README.md", "https://probot.github.io")).toBe("an external link");
    expect(escapes("README.md", "docs/missing.md")).toBe("a file that does not exist");
    expect(escapes("README.md", "BENCHMARKS.md#benchmarks")).toBeUndefined();
    expect(escapes("README.md", "#the-demo-npm-run-demo")).toBeUndefined();
  });

  it.each(markdownFiles())("%s links only to files inside the repository", (file) => {
    const problems = linksIn(readFileSync(join(root, file), "utf8")).flatMap((target) => {
      const why = escapes(file, target);
      return why === undefined ? [] : [`${target}: ${why}`];
    });
    expect(problems).toEqual([]);
  });
});
