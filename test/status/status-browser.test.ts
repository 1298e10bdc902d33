/**
 * The status page in a real browser: Debian's headless Chromium (installed by
 * .ci/install-test-deps.sh) loads /status?token=… from the running app, takes a screenshot and
 * dumps the DOM it built, with JavaScript off as far as the page is concerned (it has none).
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, chromium } from "../helpers/chromium.js";
import { type OciRegistry, startOciRegistry } from "../helpers/oci-registry.js";
import { OLD_CORE_DIGEST, OLD_WEB_DIGEST } from "../stand-in/sample-org.js";
import { MARKUP, type StatusApp, startStatusApp } from "./status-app.js";

const TOKEN = "browser-status-token";
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);


describe("the status page in headless Chromium", () => {
  let registry: OciRegistry;
  let storage: string;
  let work: string;
  let app: StatusApp;

  beforeAll(async () => {
    // Fails (never skips) without the browser, saying how to install it.
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run .ci/install-test-deps.sh as root (it apt-get installs Debian's chromium), or set CHROMIUM_BIN`);
    storage = await mkdtemp(join(tmpdir(), "release-promoter-status-registry-"));
    work = await mkdtemp(join(tmpdir(), "release-promoter-status-browser-"));
    registry = await startOciRegistry({ storageDir: storage });
    app = await startStatusApp(registry, { statusToken: TOKEN });
    await app.pushTag("acme/core-api", "core-v0.10.0", app.org.coreCommit);
  });
  afterAll(async () => {
    await app?.stop();
    await registry?.stop();
    if (storage !== undefined) await rm(storage, { recursive: true, force: true });
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it("renders the sample org's table: a real screenshot, and the cells in the DOM", { timeout: 45_000 }, async () => {
    const page = `${app.url}/status?token=${TOKEN}`;
    const screenshot = join(work, "status.png");
    const [, dom] = await Promise.all([
      chromium([`--screenshot=${screenshot}`, page], join(work, "profile-screenshot")),
      chromium(["--dump-dom", page], join(work, "profile-dom")),
    ]);

    const png = await readFile(screenshot);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect((await stat(screenshot)).size).toBeGreaterThan(5_000);
    // IHDR: the window's size.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 900]);
    if (process.env["STATUS_SCREENSHOT"]) await import("node:fs/promises").then((fs) => fs.copyFile(screenshot, process.env["STATUS_SCREENSHOT"]!));

    // The DOM Chromium built from the HTML: the table, its caption and header cells, each row's cells.
    const [pr] = app.github.world.pullRequestsOf("acme/infra", "open");
    const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
    const table = /<table data-account="acme">([\s\S]*?)<\/table>/.exec(dom)?.[1];
    expect(table).toBeDefined();
    expect(text(/<caption>([\s\S]*?)<\/caption>/.exec(table!)?.[1] ?? "")).toBe("acme: services × environments, from acme/infra (installation 7)");
    expect([...table!.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1])).toEqual([
      "Environment",
      "Service",
      "Running",
      "Value (digest)",
      "Newest tag",
      "Open PR",
      "Last outcome",
      "State",
    ]);
    const rows = [...table!.matchAll(/<tr data-environment="([^"]+)" data-service="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => ({
      key: `${m[1]}/${m[2]}`,
      cells: [...m[3]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => text(cell[1]!)),
    }));
    expect(rows.map((row) => row.key)).toEqual(["prod/core", "prod/web", "staging/web"]);
    expect(rows[0]!.cells).toEqual([
      "prod",
      "core",
      "v0.9.0",
      `${OLD_CORE_DIGEST} envs/prod.tfvars (tfvars)`,
      "core-v0.10.0",
      expect.stringMatching(new RegExp(`^#${pr!.number} core-v0.10.0 open \\d+ s$`)),
      `success core core-v0.10.0: PR #${pr!.number} (prod)`,
      `converged PR #${pr!.number} proposes core-v0.10.0`,
    ]);
    expect(rows[1]!.cells.slice(0, 6)).toEqual(["prod", "web", "v1.4.1", `${OLD_WEB_DIGEST} envs/prod.tfvars (tfvars)`, "web-v1.4.1", "—"]);
    // The markup in the staging pin is text in the DOM, not an element.
    expect(rows[2]!.cells[3]).toBe(`${MARKUP.replace(/</g, "&lt;").replace(/>/g, "&gt;")} envs/staging.tfvars (tfvars)`);
    expect(dom).not.toMatch(/<script/i);
    expect(dom).toContain(`<a href="${app.github.url}/acme/infra/pull/${pr!.number}">#${pr!.number}</a>`);
    // globex's config cannot be read: one row says why.
    expect(text(/<table data-account="globex">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(dom)?.[1] ?? "")).toMatch(/^Not read: config_invalid: globex\/infra:\.github\/release-promoter\.yml is invalid/);
  });
});
