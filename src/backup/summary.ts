// The job summary of a backup: one table per org (objects, rows, bytes, duration, API calls, changes
// since the last snapshot, where it went), then what needs attention (failed objects, mass deletes),
// then the per-object changes folded away. Only counts, names and locations: nothing secret.

import { formatBytes, formatCount, formatDuration } from './progress.ts';
import { type BackupResult, droppedReasonText } from './run.ts';

type SummaryTableRow = (string | { data: string; header?: boolean })[];

/** The part of core.summary this uses (the CLI could render the same into text). */
export interface SummaryWriter {
  addHeading(text: string, level?: number | string): SummaryWriter;
  addTable(rows: SummaryTableRow[]): SummaryWriter;
  addRaw(text: string, addEOL?: boolean): SummaryWriter;
  addDetails(label: string, content: string): SummaryWriter;
  write(): Promise<unknown>;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function changesText(r: BackupResult): string {
  if (!r.diff) return r.previousLocation ? 'not compared (the run failed)' : 'first snapshot';
  const t = r.diff.totals;
  return `+${formatCount(t.added)} / ~${formatCount(t.changed)} / −${formatCount(t.deleted)}`;
}

export function outcome(r: BackupResult): string {
  if (r.failedObjects.length > 0) return 'failed';
  if (r.stopped) return 'stopped';
  if (r.held) return 'held';
  return r.published ? 'ok' : 'not published';
}

export function addBackupSummary(summary: SummaryWriter, r: BackupResult): SummaryWriter {
  summary.addHeading(`Salesforce backup of ${escapeHtml(r.alias)}: ${outcome(r)}`, 2);
  summary.addTable([
    ['Org', 'Mode', 'Objects', 'Rows', 'Bytes', 'Duration', 'API calls', 'Changes since last snapshot (added / changed / deleted)', 'Where'].map((h) => ({
      data: h,
      header: true,
    })),
    [
      escapeHtml(`${r.alias} (${r.orgId})`),
      r.mode,
      formatCount(r.objects),
      formatCount(r.rows),
      formatBytes(r.bytes),
      formatDuration(r.durationMs),
      r.apiUsage ? `${formatCount(r.apiCalls)} (org: ${formatCount(r.apiUsage.used)} of ${formatCount(r.apiUsage.max)} today)` : formatCount(r.apiCalls),
      changesText(r),
      escapeHtml(r.published?.location ?? 'not published: the last good snapshot is unchanged'),
    ],
  ]);
  if (r.failedObjects.length > 0) {
    summary.addRaw(
      `<p><b>${r.failedObjects.length} object(s) failed</b>, so this snapshot was not published and the previous one stays:</p><ul>${r.failedObjects
        .map((f) => `<li><code>${escapeHtml(f.name)}</code>: ${escapeHtml(f.error)}</li>`)
        .join('')}</ul>`,
      true,
    );
  }
  if (r.stopped) summary.addRaw(`<p><b>Stopped:</b> ${escapeHtml(r.stopped)}</p>`, true);
  if (r.massDeletes.length > 0) {
    summary.addRaw(
      `<p><b>⚠️ Mass delete:</b></p><ul>${r.massDeletes
        .map((m) => `<li><code>${escapeHtml(m.object)}</code>: ${formatCount(m.before)} → ${formatCount(m.after)} live rows (−${formatCount(m.dropped)})</li>`)
        .join('')}</ul>`,
      true,
    );
  }
  if (r.droppedObjects.length > 0) {
    summary.addRaw(
      `<p><b>⚠️ ${r.droppedObjects.length} object(s) left the snapshot</b> (they were in the previous one):</p><ul>${r.droppedObjects
        .map(
          (d) =>
            `<li><code>${escapeHtml(d.name)}</code>: ${formatCount(d.rows)} rows in the previous snapshot; ${escapeHtml(droppedReasonText(d.reason))}</li>`,
        )
        .join('')}</ul>`,
      true,
    );
  }
  if (r.held) {
    summary.addRaw(
      `<p><b>Held, not published:</b> ${escapeHtml(r.held)}. The previous snapshot is unchanged. If the change is intended, re-run with <code>allow-shrink: true</code>.</p>`,
      true,
    );
  }
  if (r.published?.pinned) {
    summary.addRaw(`<p>Kept <code>${escapeHtml(r.published.pinned.path)}</code> for good (KEPT.json): ${escapeHtml(r.published.pinned.reason)}.</p>`, true);
  }
  const changed = r.diff?.objects.filter((o) => o.added + o.changed + o.deleted > 0 || o.presence !== 'both') ?? [];
  if (changed.length > 0) {
    const rows = changed
      .map(
        (o) =>
          `<tr><td>${escapeHtml(o.name)}${o.presence === 'both' ? '' : ` (${o.presence})`}</td><td>${formatCount(o.newRows)}</td><td>+${formatCount(o.added)}</td><td>~${formatCount(o.changed)}</td><td>−${formatCount(o.deleted)}</td></tr>`,
      )
      .join('');
    summary.addDetails(
      `Changes per object (${changed.length})`,
      `<table><tr><th>Object</th><th>Rows</th><th>Added</th><th>Changed</th><th>Deleted</th></tr>${rows}</table>`,
    );
  }
  return summary;
}
