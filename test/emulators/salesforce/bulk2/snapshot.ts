// Query job results: materialised once, when the job runs, into a table of ready-made CSV lines
// (one per row, in result order), so that later writes do not change a job's pages and a page
// costs O(page size) whatever the result size: pages are rowid ranges, never OFFSET scans.
import type { DatabaseSync } from 'node:sqlite';
import type { ServerResponse } from 'node:http';
import type { Org } from '../model.ts';
import type { FieldDef } from '../schema/types.ts';
import { q } from '../store/db.ts';
import { COLUMN_DELIMITERS, csvLine, LINE_ENDINGS } from './csv.ts';
import { writePiece } from './stream.ts';
import type { QueryJob, QuerySnapshot } from './jobs.ts';

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

/** SQL for one quoted cell, matching store/values.ts `toCsv` for the field's type. */
function cellSql(col: string, field: FieldDef): string {
  switch (field.type) {
    case 'boolean':
      return `(CASE WHEN ${col} IS NULL THEN '""' WHEN ${col} THEN '"true"' ELSE '"false"' END)`;
    case 'int':
    case 'long':
      return `('"' || ifnull(CAST(${col} AS INTEGER), '') || '"')`;
    case 'double':
    case 'currency':
    case 'percent':
      return `('"' || (CASE WHEN ${col} IS NULL THEN '' WHEN ${col} = CAST(${col} AS INTEGER) AND abs(${col}) < 1e15 THEN CAST(CAST(${col} AS INTEGER) AS TEXT) ELSE ${NUM_FN}(${col}) END) || '"')`;
    case 'id':
    case 'reference':
    case 'date':
    case 'datetime':
    case 'time':
      // Never contain a quote.
      return `('"' || ifnull(${col}, '') || '"')`;
    default:
      return `('"' || replace(ifnull(CAST(${col} AS TEXT), ''), '"', '""') || '"')`;
  }
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
  const cells = order.map((i) => cellSql(names[i] as string, (cols[i] as (typeof cols)[number]).field)).join(` || ${sqlString(delimiter)} || `);
  const inner = job.compiled.sql.trim().replace(/;$/, '');
  db.exec(`DROP TABLE IF EXISTS ${table}`);
  db.exec(`CREATE TABLE ${table} (line TEXT NOT NULL)`);
  const source = cols.length ? `WITH src(${names.join(', ')}) AS (${inner}) SELECT ${cells} || ${sqlString(eol)} FROM src` : 'SELECT 1 WHERE 0';
  const result = db.prepare(`INSERT INTO ${table} (line) ${source}`).run(...job.compiled.params);
  const rows = Number(result.changes);
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

/** Rowid ranges [from, to] (1-based, inclusive) holding result rows [offset, offset + count). */
export function segments(snap: QuerySnapshot, offset: number, count: number): [number, number][] {
  if (!snap.order) return count > 0 ? [[offset + 1, offset + count]] : [];
  const out: [number, number][] = [];
  let pos = offset;
  const end = offset + count;
  while (pos < end) {
    const chunk = Math.floor(pos / snap.chunkSize);
    const within = pos - chunk * snap.chunkSize;
    const physical = snap.order[chunk] as number;
    const chunkRows = Math.min(snap.chunkSize, snap.rows - physical * snap.chunkSize);
    const take = Math.min(chunkRows - within, end - pos);
    const from = physical * snap.chunkSize + within + 1;
    out.push([from, from + take - 1]);
    pos += take;
  }
  return out;
}

/** How many rows are read from SQLite per socket write. */
const WRITE_ROWS = 5000;

/** Streams result rows [offset, offset + count) to the response, honouring back-pressure. */
export async function writeRows(org: Org, snap: QuerySnapshot, offset: number, count: number, res: ServerResponse): Promise<void> {
  const stmt = org.store.db.prepare(`SELECT group_concat(line, '' ORDER BY rowid) AS s FROM ${snap.table} WHERE rowid BETWEEN ? AND ?`);
  for (const [from, to] of segments(snap, offset, count)) {
    for (let a = from; a <= to; a += WRITE_ROWS) {
      if (res.destroyed) return;
      const row = stmt.get(a, Math.min(to, a + WRITE_ROWS - 1)) as { s: string | null } | undefined;
      if (!(await writePiece(res, row?.s ?? ''))) return;
    }
  }
}
