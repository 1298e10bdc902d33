/**
 * A stand-in for the npm executable (`npmPath`) that records what the child was given — its
 * whole environment, arguments, working folder, the files in it and the .npmrc — then does what
 * the test scripted: write a package-lock.json, fail with some output, or hang.
 */
import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FakeNpmBehaviour {
  /** Text written as package-lock.json (default: the lockfile that was there, unchanged). */
  lockfile?: string;
  exitCode?: number;
  stderr?: string;
  /** Never exit (for the timeout). */
  hang?: boolean;
}

export interface FakeNpmRecord {
  env: Record<string, string>;
  argv: string[];
  cwd: string;
  /** Every file under cwd, relative, sorted. */
  files: string[];
  /** Every file's text, by relative path. */
  contents: Record<string, string>;
}

export interface FakeNpm {
  path: string;
  /** What the last run recorded. */
  record(): Promise<FakeNpmRecord>;
}

export async function fakeNpm(behaviour: FakeNpmBehaviour = {}): Promise<FakeNpm> {
  const dir = await mkdtemp(join(tmpdir(), "rp-fake-npm-"));
  const dump = join(dir, "record.json");
  const script = `#!/usr/bin/env node
const fs = require("node:fs");
const path = require("node:path");
const behaviour = ${JSON.stringify(behaviour)};
const files = [];
const contents = {};
(function walk(d, rel) {
  for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
    const r = rel ? rel + "/" + entry.name : entry.name;
    if (entry.isDirectory()) walk(path.join(d, entry.name), r);
    else { files.push(r); contents[r] = fs.readFileSync(path.join(d, entry.name), "utf8"); }
  }
})(process.cwd(), "");
fs.writeFileSync(${JSON.stringify(dump)}, JSON.stringify({ env: process.env, argv: process.argv.slice(2), cwd: process.cwd(), files: files.sort(), contents }));
if (behaviour.hang) setInterval(() => {}, 1000);
else {
  if (behaviour.stderr) process.stderr.write(behaviour.stderr);
  if (behaviour.lockfile !== undefined) fs.writeFileSync("package-lock.json", behaviour.lockfile);
  process.exitCode = behaviour.exitCode ?? 0;
}
`;
  const path = join(dir, "npm");
  await writeFile(path, script);
  await chmod(path, 0o755);
  return {
    path,
    record: async () => JSON.parse(await readFile(dump, "utf8")) as FakeNpmRecord,
  };
}
