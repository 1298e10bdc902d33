import { readFile, stat } from "node:fs/promises";
import { UsageError } from "./command-result.js";

/** The file's text, or undefined when there is none; a path that cannot hold a file is a usage error naming `argument`. */
export async function readOptional(path: string, argument: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") throw new UsageError(`${argument}: ${path} is a directory, not a file`);
    if (code === "ENOTDIR") throw new UsageError(`${argument}: ${path} is not a path to a file (a part of it is a file)`);
    if (code === "EACCES") throw new UsageError(`${argument}: ${path} cannot be read (permission denied)`);
    throw error;
  }
}

export async function assertDirectory(path: string, argument: string): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UsageError(`${argument}: ${path} does not exist`);
  }
  if (!info.isDirectory()) throw new UsageError(`${argument}: ${path} is not a directory`);
}
