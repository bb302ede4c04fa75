// Query job results: materialised once, when the job runs, into a table of ready-made CSV lines
// (one per row, in result order), so that later writes do not change a job's pages and a page
// costs O(page size) whatever the result size: pages are rowid ranges, never OFFSET scans.

import type { ServerResponse } from 'node:http';
import type { DatabaseSync } from 'node:sqlite';
import type { Org } from '../model.ts';
import type { FieldDef } from '../schema/types.ts';
import { q } from '../store/db.ts';
import { COLUMN_DELIMITERS, csvLine, LINE_ENDINGS } from './csv.ts';
import type { QueryJob, QuerySnapshot } from './jobs.ts';
import { writePiece } from './stream.ts';

const SCHEMA = 'sfemu_bulk';
const NUM_FN = 'sfemu_bulk_num';
const prepared = new WeakSet<DatabaseSync>();

/**
 * Results live in a private temporary database attached to the org's connection: the SOQL
 * SELECT feeds the snapshot without leaving SQLite, and the org's own file stays clean.
 */
function prepareDb(db: DatabaseSync): void {
  if (prepared.has(db)) return;
  db.exec(`ATTACH DATABASE '' AS ${SCHEMA}`);
  db.exec(`PRAGMA ${SCHEMA}.journal_mode = OFF; PRAGMA ${SCHEMA}.synchronous = OFF; PRAGMA ${SCHEMA}.cache_size = -65536`);
  // Fractional numbers as JavaScript prints them (toCsv), which SQLite's printf cannot match.
  db.function(NUM_FN, { deterministic: true }, (v) => (v === null || v === undefined ? '' : String(Number(v))));
  prepared.add(db);
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** The printf argument of one cell: its text as store/values.ts `toCsv` writes it, quotes doubled. */
function cellSql(col: string, field: FieldDef): string {
  switch (field.type) {
    case 'boolean':
      return `(CASE WHEN ${col} IS NULL THEN '' WHEN ${col} THEN 'true' ELSE 'false' END)`;
    case 'int':
    case 'long':
      return `CAST(${col} AS INTEGER)`;
    case 'double':
    case 'currency':
    case 'percent':
      return `(CASE WHEN ${col} IS NULL THEN '' WHEN ${col} = CAST(${col} AS INTEGER) AND abs(${col}) < 1e15 THEN CAST(${col} AS INTEGER) ELSE ${NUM_FN}(${col}) END)`;
    case 'id':
    case 'reference':
    case 'date':
    case 'datetime':
    case 'time':
      // Never contain a quote; printf writes NULL as nothing.
      return col;
    default:
      return `replace(CAST(${col} AS TEXT), '"', '""')`;
  }
}

/** SQLite caps function arguments (SQLITE_MAX_FUNCTION_ARG, 127 in older builds): wide lines take several printfs. */
const PRINTF_CELLS = 100;

/**
 * SQL for one CSV line, every cell quoted: printf builds a whole line in one call, several times
 * faster than chains of `||`.
 */
function lineSql(cells: string[], delimiter: string, eol: string): string {
  const parts: string[] = [];
  const sep = delimiter.replaceAll('%', '%%');
  for (let i = 0; i < cells.length; i += PRINTF_CELLS) {
    const group = cells.slice(i, i + PRINTF_CELLS);
    const last = i + PRINTF_CELLS >= cells.length;
    const fmt = group.map(() => '"%s"').join(sep) + (last ? eol : sep);
    parts.push(`printf(${sqlString(fmt)}, ${group.join(', ')})`);
  }
  return parts.join(' || ');
}

/** Column order of the result: SELECT order from API 50.0, alphabetical before (Salesforce did). */
function columnOrder(job: QueryJob): number[] {
  const idx = job.compiled.columns.map((_, i) => i);
  if (Number(job.apiVersion) >= 50) return idx;
  const headers = job.compiled.columns.map((c) => c.header.toLowerCase());
  return idx.sort((a, b) => ((headers[a] as string) < (headers[b] as string) ? -1 : 1));
}

function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  // Tests rely on "no ORDER BY means no order": never hand back the natural order by chance.
  if (n > 1 && order.every((v, i) => v === i)) order.push(order.shift() as number);
  return order;
}

export interface SnapshotSettings {
  shuffleChunks: boolean;
  chunkSize: number;
}

/** Runs the job's query and stores its result; returns the snapshot. */
export function materialise(org: Org, job: QueryJob, settings: SnapshotSettings): QuerySnapshot {
  const db = org.store.db;
  prepareDb(db);
  const table = `${SCHEMA}.${q(`q_${job.id}`)}`;
  const cols = job.compiled.columns;
  const order = columnOrder(job);
  const delimiter = COLUMN_DELIMITERS[job.columnDelimiter];
  const eol = LINE_ENDINGS[job.lineEnding];
  const names = cols.map((_, i) => `c${i}`);
  const line = lineSql(
    order.map((i) => cellSql(names[i] as string, (cols[i] as (typeof cols)[number]).field)),
    delimiter,
    eol,
  );
  const inner = job.compiled.sql.trim().replace(/;$/, '');
  db.exec(`DROP TABLE IF EXISTS ${table}`);
  // CREATE TABLE AS keeps the SELECT's row order in the rowids (1..n), which paging relies on.
  db.prepare(`CREATE TABLE ${table} AS WITH src(${names.join(', ')}) AS (${inner}) SELECT ${line} AS line FROM src`).run(...job.compiled.params);
  const rows = Number((db.prepare(`SELECT ifnull(max(rowid), 0) AS n FROM ${table}`).get() as { n: number | bigint }).n);
  const chunkSize = Math.max(1, Math.floor(settings.chunkSize));
  const chunks = Math.ceil(rows / chunkSize);
  const shuffle = settings.shuffleChunks && job.pkChunking && !job.compiled.hasOrderBy && !job.compiled.hasLimit && chunks > 1;
  return {
    table,
    header: csvLine(
      order.map((i) => (cols[i] as (typeof cols)[number]).header),
      delimiter,
      eol,
    ),
    rows,
    chunkSize,
    order: shuffle ? shuffled(chunks) : undefined,
  };
}

export function dropSnapshot(org: Org, snap: QuerySnapshot): void {
  try {
    org.store.db.exec(`DROP TABLE IF EXISTS ${snap.table}`);
  } catch {
    // The org's database is closed when the emulator shuts down: nothing left to drop.
  }
}

/** Rows in physical chunk `c` (the last one may be short). */
function chunkRows(snap: QuerySnapshot, c: number): number {
  return Math.min(snap.chunkSize, snap.rows - c * snap.chunkSize);
}

/** Rowid ranges [from, to] (1-based, inclusive) holding result rows [offset, offset + count). */
export function segments(snap: QuerySnapshot, offset: number, count: number): [number, number][] {
  if (!snap.order) return count > 0 ? [[offset + 1, offset + count]] : [];
  const out: [number, number][] = [];
  const end = offset + count;
  // Walk the served chunk order; chunks are few (rows / chunkSize), pages are the costly part.
  let start = 0;
  for (const physical of snap.order) {
    const size = chunkRows(snap, physical);
    const from = Math.max(offset, start);
    const to = Math.min(end, start + size);
    if (from < to) {
      const first = physical * snap.chunkSize + (from - start) + 1;
      out.push([first, first + (to - from) - 1]);
    }
    start += size;
    if (start >= end) break;
  }
  return out;
}

/** How many rows are read from SQLite per socket write. */
const WRITE_ROWS = 5000;

/** Streams result rows [offset, offset + count) to the response, honouring back-pressure. */
export async function writeRows(org: Org, snap: QuerySnapshot, offset: number, count: number, res: ServerResponse): Promise<void> {
  // A rowid range is scanned, and so aggregated, in rowid order; `ORDER BY rowid` inside the
  // aggregate would add a sort that more than doubles the cost of a page.
  const stmt = org.store.db.prepare(`SELECT group_concat(line, '') AS s FROM ${snap.table} WHERE rowid BETWEEN ? AND ?`);
  for (const [from, to] of segments(snap, offset, count)) {
    for (let a = from; a <= to; a += WRITE_ROWS) {
      if (res.destroyed) return;
      const row = stmt.get(a, Math.min(to, a + WRITE_ROWS - 1)) as { s: string | null } | undefined;
      if (!(await writePiece(res, row?.s ?? ''))) return;
    }
  }
}
