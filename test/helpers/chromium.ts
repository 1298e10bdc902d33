/** Debian's chromium, headless, for the status page's browser test and the demo's screenshot. */
import { spawn } from "node:child_process";

export const CHROMIUM = process.env["CHROMIUM_BIN"] ?? "/usr/bin/chromium";

/** Chromium with its own profile, killed (its whole process group) after `timeoutMs` or at the end; resolves with its stdout. */
export async function chromium(args: string[], profile: string, timeoutMs = 20_000): Promise<string> {
  const child = spawn(CHROMIUM, ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900", `--user-data-dir=${profile}`, "--no-first-run", "--disable-extensions", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(kill, timeoutMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    if (code !== 0) throw new Error(`chromium exited with ${code}: ${stderr.slice(-2000)}`);
    return stdout;
  } finally {
    clearTimeout(timer);
    kill();
  }
}
