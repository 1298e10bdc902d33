/**
 * The status page's HTML, pure: one table per installation, readable without JavaScript, no
 * external resource (the only links are to the PRs, and to /status.json). Every value goes
 * through escapeHtml; a link is written only for an http(s) URL.
 */
import { createHash } from "node:crypto";
import { escapeHtml } from "./escape-html.js";
import type { ContractsStatus, InstallationStatus, StatusPage, StatusRow } from "./status-data.js";

export const STATUS_STYLE = `
:root { color-scheme: light dark; --line: #d0d7de; --muted: #57606a; --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --line: #30363d; --muted: #8b949e; --ok: #3fb950; --bad: #f85149; --warn: #d29922; } }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
p.meta, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; padding: .25rem 0; color: var(--muted); }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { font-weight: 600; }
tbody th { font-weight: 600; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.converged, .success { color: var(--ok); }
.skipped, .failure, .error { color: var(--bad); }
.behind, .neutral, .in_progress { color: var(--warn); }
.tag { white-space: nowrap; }
td.error { white-space: pre-line; }
`.trim();

/** The Content-Security-Policy that allows exactly this page: its one inline style, nothing else. */
export const STATUS_CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256").update(STATUS_STYLE).digest("base64")}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

const NONE = `<span class="muted">—</span>`;

export function renderStatusPage(page: StatusPage): string {
  const sections =
    page.error !== null
      ? `<p class="error" role="alert">The app's installations could not be listed: ${escapeHtml(page.error)}</p>`
      : page.installations.length === 0
        ? `<p>The app has no installations.</p>`
        : page.installations.map(renderInstallation).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>release-promoter status</title>
<style>${STATUS_STYLE}</style>
</head>
<body>
<header>
<h1>release-promoter status</h1>
<p class="meta">Read from GitHub at <time datetime="${escapeHtml(page.generatedAt)}">${escapeHtml(page.generatedAt)}</time>, ${escapeHtml(page.ageSeconds)} s ago (kept ${escapeHtml(page.cacheSeconds)} s). What runs is read from each environment file on the infra repository's default branch. The same data as JSON: <code>/status.json</code>.</p>
</header>
<main>
${sections}
</main>
</body>
</html>
`;
}

const COLUMNS = ["Environment", "Service", "Running", "Value (digest)", "Newest tag", "Open PR", "Last outcome", "State"];

function renderInstallation(installation: InstallationStatus): string {
  const id = `installation-${installation.installationId}`;
  const body =
    installation.error !== null
      ? `<tr data-installation-error><td colspan="${COLUMNS.length}" class="error">Not read: ${escapeHtml(installation.error)}</td></tr>`
      : installation.rows.length === 0
        ? `<tr><td colspan="${COLUMNS.length}">The config promotes no service to any environment.</td></tr>`
        : installation.rows.map(renderRow).join("\n");
  return `<section aria-labelledby="${id}">
<h2 id="${id}">${escapeHtml(installation.account)}</h2>
<table data-account="${escapeHtml(installation.account)}">
<caption>${escapeHtml(installation.account)}: services × environments, from ${escapeHtml(installation.infraRepository)} (installation ${escapeHtml(installation.installationId)})</caption>
<thead><tr>${COLUMNS.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join("")}</tr></thead>
<tbody>
${body}
</tbody>
</table>
${installation.contracts === null ? "" : renderContracts(installation.contracts)}
</section>`;
}

function renderContracts(contracts: ContractsStatus): string {
  const rows =
    contracts.releases.length === 0
      ? `<tr><td colspan="3">No release tag yet.</td></tr>`
      : contracts.releases
          .map((release) => {
            const outcome = release.outcome === null ? NONE : `<span class="${escapeHtml(release.outcome.conclusion ?? release.outcome.status)}">${escapeHtml(release.outcome.conclusion ?? release.outcome.status)}</span>${release.outcome.title === null ? "" : `<br><span class="muted">${escapeHtml(release.outcome.title)}</span>`}`;
            const consumers = release.consumers.length === 0 ? NONE : `<ul>${release.consumers.map((consumer) => `<li><strong>${escapeHtml(consumer.repository)}</strong>: ${escapeHtml(consumer.state)}</li>`).join("")}</ul>`;
            return `<tr data-contracts-tag="${escapeHtml(release.tag)}"><th scope="row"><span class="tag">${escapeHtml(release.tag)}</span></th><td data-field="contracts-outcome">${outcome}</td><td data-field="consumers">${consumers}</td></tr>`;
          })
          .join("\n");
  return `<table data-contracts="${escapeHtml(contracts.package)}">
<caption>Contracts releases of ${escapeHtml(contracts.package)} (${escapeHtml(contracts.repository)}), newest first</caption>
<thead><tr><th scope="col">Release</th><th scope="col">Outcome</th><th scope="col">Consumers</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function renderRow(row: StatusRow): string {
  const cells = [
    `<th scope="row" data-field="environment">${escapeHtml(row.environment)}</th>`,
    `<th scope="row" data-field="service">${escapeHtml(row.service)}</th>`,
    `<td data-field="running">${row.running === null ? NONE : row.running.version === null ? `<span class="muted">no release marker</span>` : `v${escapeHtml(row.running.version)}`}</td>`,
    `<td data-field="value">${row.running === null ? NONE : `<code>${escapeHtml(row.running.digest ?? row.running.value)}</code>`}<br><span class="muted">${escapeHtml(row.file)} (${escapeHtml(row.kind)})</span></td>`,
    `<td data-field="newest-tag">${row.newestTag === null ? NONE : `<span class="tag">${escapeHtml(row.newestTag.tag)}</span>`}</td>`,
    `<td data-field="pull-request">${renderPullRequest(row.pullRequest)}</td>`,
    `<td data-field="last-outcome">${renderOutcome(row.lastOutcome)}</td>`,
    `<td data-field="state" class="${escapeHtml(row.state.kind)}">${escapeHtml(row.state.kind)}<br><span class="muted">${escapeHtml(row.state.reason)}</span>${renderHold(row.hold)}</td>`,
  ];
  return `<tr data-environment="${escapeHtml(row.environment)}" data-service="${escapeHtml(row.service)}">${cells.join("")}</tr>`;
}

function renderPullRequest(pr: StatusRow["pullRequest"]): string {
  if (pr === null) return NONE;
  const label = `#${escapeHtml(pr.number)}`;
  const link = /^https?:\/\//.test(pr.url) ? `<a href="${escapeHtml(pr.url)}">${label}</a>` : label;
  const proposes = pr.proposes === null ? "" : ` <span class="tag">${escapeHtml(pr.proposes)}</span>`;
  const age = pr.ageSeconds === null ? "" : `<br><span class="muted">open ${escapeHtml(formatAge(pr.ageSeconds))}</span>`;
  return `${link}${proposes}${age}`;
}

function renderHold(hold: StatusRow["hold"]): string {
  if (hold === null) return "";
  const pr = /^https?:\/\//.test(hold.url) ? `<a href="${escapeHtml(hold.url)}">#${escapeHtml(hold.number)}</a>` : `#${escapeHtml(hold.number)}`;
  const through = hold.through === null ? "every version" : `up to v${escapeHtml(hold.through)}`;
  return `<br><span class="hold" data-field="hold">held at v${escapeHtml(hold.version)} by ${pr} (keeps out ${through})</span>`;
}

function renderOutcome(outcome: StatusRow["lastOutcome"]): string {
  if (outcome === null) return NONE;
  const word = outcome.conclusion ?? outcome.status;
  const code = outcome.code === null ? "" : `: <code>${escapeHtml(outcome.code)}</code>`;
  const title = outcome.title === null ? "" : `<br><span class="muted">${escapeHtml(outcome.title)}</span>`;
  return `<span class="${escapeHtml(word)}">${escapeHtml(word)}</span>${code}${title}`;
}

/** 42 s, 5 min, 3 h, 2 d. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}
