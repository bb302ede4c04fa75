// Progress lines while a backup runs: a line per finished object and, for long objects, a line every
// few seconds with the rate, so a watcher of the log can tell a slow org from a stuck run.

export type ProgressSink = (line: string) => void;

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

// Byte counts are also printed by runtime code (work folder clean-up), which may not import this layer.
export { formatBytes } from '../runtime/format.ts';

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function rate(rows: number, ms: number): string {
  return ms > 0 ? `${formatCount(Math.round((rows * 1000) / ms))} rows/s` : '-';
}

export class ProgressReporter {
  private readonly out: ProgressSink;
  private readonly now: () => number;
  private readonly everyMs: number;
  private readonly started: number;
  private readonly rows = new Map<string, number>();
  private readonly lastLine = new Map<string, number>();
  private totalRows = 0;
  private done = 0;
  private planned = 0;

  constructor(out: ProgressSink, options: { now?: () => number; everyMs?: number } = {}) {
    this.out = out;
    this.now = options.now ?? Date.now;
    this.everyMs = options.everyMs ?? 10_000;
    this.started = this.now();
  }

  plan(objects: number): void {
    this.planned = objects;
  }

  /** `rows` so far for `object` (cumulative), as the exporter reports it. */
  update(object: string, rows: number, rowsPerSec: number): void {
    const t = this.now();
    const last = this.lastLine.get(object);
    this.totalRows += rows - (this.rows.get(object) ?? 0);
    this.rows.set(object, rows);
    if (last === undefined) {
      this.lastLine.set(object, t);
      return;
    }
    if (t - last >= this.everyMs) {
      this.lastLine.set(object, t);
      this.out(`${object}: ${formatCount(rows)} rows so far (${formatCount(Math.round(rowsPerSec))} rows/s); ${this.overall(t)}`);
    }
  }

  objectDone(object: string, rows: number, how: string, rowsPerSec: number): void {
    this.totalRows += rows - (this.rows.get(object) ?? 0);
    this.rows.set(object, rows);
    this.done++;
    // Incremental runs touch every object; the unchanged ones are not news.
    if (rows === 0 && how.startsWith('merged')) return;
    const speed = rowsPerSec > 0 && rows >= 1000 ? `, ${formatCount(Math.round(rowsPerSec))} rows/s` : '';
    this.out(`${object}: ${formatCount(rows)} rows ${how}${speed} [${this.done}${this.planned ? `/${this.planned}` : ''}]`);
  }

  objectFailed(object: string): void {
    this.done++;
    this.out(`${object}: FAILED (details below)`);
  }

  private overall(t: number): string {
    return `${formatCount(this.totalRows)} rows in ${formatDuration(t - this.started)} (${rate(this.totalRows, t - this.started)}) overall`;
  }

  finish(): string {
    return this.overall(this.now());
  }
}
