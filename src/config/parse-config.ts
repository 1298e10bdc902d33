import { parseDocument } from "yaml";
import type { z } from "zod";
import { PromoterError } from "../errors.js";
import { type Config, configSchema } from "./config.schema.js";

export const CONFIG_PATH = ".github/release-promoter.yml";

/**
 * Parses and validates the central config. Every problem is listed with its path, so one
 * round of fixes is enough: `services.core.variable: ...`.
 */
export function parseConfig(text: string, source = CONFIG_PATH): Config {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true, strict: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => {
      const line = error.linePos?.[0]?.line;
      const message = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
      return `${line === undefined ? "" : `line ${line}: `}${message}`;
    });
    throw configError(source, problems);
  }
  const data: unknown = document.toJS({ maxAliasCount: 50 });
  const result = configSchema.safeParse(data ?? {});
  if (!result.success) throw configError(source, formatIssues(result.error.issues));
  return result.data;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".");
    // A bad record key: say what is wrong with the key, not just "Invalid key in record".
    const message = issue.code === "invalid_key" ? issue.issues.map((inner) => inner.message).join("; ") : issue.message;
    return `${path}: ${message}`;
  });
}

function configError(source: string, problems: string[]): PromoterError {
  return new PromoterError(
    "config_invalid",
    `${source} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
      problems.map((problem) => `- ${problem}`).join("\n"),
  );
}
