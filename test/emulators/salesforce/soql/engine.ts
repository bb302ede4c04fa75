// Runs SOQL for the REST query resources: the first page, cursor pages, child subquery blocks.
// Pages are cut with SQL; a large result is never held in memory.
import type { StatementSync } from 'node:sqlite';
import { ApiError } from '../http/respond.ts';
import type { Org } from '../model.ts';
import type { EmulatorState } from '../state.ts';
import { q } from '../store/db.ts';
import type { SqlValue } from '../store/values.ts';
import { Compiler } from './compile.ts';
import { type ChildCursor, closeCursor, findCursor, type MainCursor, openChildCursor, openMainCursor, soqlSettings } from './cursors.ts';
import { invalidQueryLocator } from './errors.ts';
import { parseSoql } from './parse.ts';
import type { AggregatePlan, ChildOut, ChildPlan, CountPlan, QueryPlan, RecordPlan } from './plan.ts';
import { recordSql } from './plan.ts';
import { type ChildBlock, type JsonRecord, type ShapeContext, shapeAggregate, shapeRecord } from './records.ts';

/** Aggregate results are never paged: more rows than this is an error, as on Salesforce. */
const MAX_AGGREGATE_ROWS = 2000;

export interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: JsonRecord[];
}

export interface RunOptions {
  org: Org;
  userId: string;
  allRows: boolean;
  version: string;
  pageSize: number;
}

type Row = SqlValue[];

function all(org: Org, sql: string, params: SqlValue[]): Row[] {
  const stmt = org.store.db.prepare(sql);
  stmt.setReturnArrays(true);
  return stmt.all(...params) as unknown as Row[];
}

/** Parses and compiles SOQL for REST (JSON records). */
export function compileRest(state: EmulatorState, org: Org, soql: string, allRows: boolean): QueryPlan {
  const parsed = parseSoql(soql);
  return new Compiler(org, parsed, { allRows, now: state.clock.now(), mode: 'rest' }).compile();
}

function locatorUrl(version: string, allRows: boolean, id: string, offset: number): string {
  return `/services/data/v${version}/${allRows ? 'queryAll' : 'query'}/${id}-${offset}`;
}

function page(totalSize: number, records: JsonRecord[], next?: string): QueryPage {
  return next ? { totalSize, done: false, nextRecordsUrl: next, records } : { totalSize, done: true, records };
}

export function runQuery(state: EmulatorState, plan: QueryPlan, opts: RunOptions): QueryPage {
  switch (plan.kind) {
    case 'count':
      return page(countRows(opts.org, plan.plan), []);
    case 'aggregate':
      return aggregatePage(opts.org, plan.plan);
    case 'records':
      return firstRecordsPage(state, plan.plan, opts);
  }
}

export function countRows(org: Org, p: CountPlan): number {
  const inner = `SELECT 1 FROM ${p.from}${p.joins.map((j) => ` ${j}`).join('')} WHERE ${p.where.sql} LIMIT ? OFFSET ?`;
  const row = all(org, `SELECT COUNT(*) FROM (${inner})`, [...p.where.params, p.limit ?? -1, p.offset ?? 0])[0];
  return Number(row?.[0] ?? 0);
}

function aggregatePage(org: Org, p: AggregatePlan): QueryPage {
  let sql = `SELECT ${p.select.map((s, i) => `${s} AS c${i}`).join(', ')} FROM ${p.from}${p.joins.map((j) => ` ${j}`).join('')} WHERE ${p.where.sql}`;
  if (p.groupBy.length) sql += ` GROUP BY ${p.groupBy.join(', ')}`;
  if (p.having.sql !== '1') sql += ` HAVING ${p.having.sql}`;
  if (p.orderBy.length) sql += ` ORDER BY ${p.orderBy.join(', ')}`;
  sql += ' LIMIT ? OFFSET ?';
  const limit = Math.min(p.limit ?? Number.MAX_SAFE_INTEGER, MAX_AGGREGATE_ROWS + 1);
  const rows = all(org, sql, [...p.where.params, ...p.having.params, limit, p.offset ?? 0]);
  if (rows.length > MAX_AGGREGATE_ROWS) {
    throw new ApiError(400, 'MALFORMED_QUERY', 'Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch');
  }
  return page(
    rows.length,
    rows.map((r) => shapeAggregate(p.outs, r)),
  );
}

function shapeRows(state: EmulatorState, plan: RecordPlan, rows: Row[], opts: RunOptions): JsonRecord[] {
  const childOuts = plan.outs.filter((o): o is ChildOut => o.k === 'children');
  const blocks = new Map<ChildOut, Map<string, ChildBlock>>();
  for (const co of childOuts)
    blocks.set(
      co,
      childBlocks(
        state,
        co.child,
        rows.map((r) => String(r[plan.idCol])),
        opts,
      ),
    );
  return rows.map((row) => {
    const id = String(row[plan.idCol]);
    const ctx: ShapeContext = { version: opts.version, schema: opts.org.store.schema };
    if (childOuts.length) ctx.children = new Map(childOuts.map((co) => [co, blocks.get(co)?.get(id) ?? null]));
    return shapeRecord(plan.obj.name, plan.idCol, plan.outs, row, ctx);
  });
}

function firstRecordsPage(state: EmulatorState, plan: RecordPlan, opts: RunOptions): QueryPage {
  const size = Math.max(1, opts.pageSize);
  const limit = Math.min(plan.limit ?? Number.MAX_SAFE_INTEGER, size + 1);
  const probe = recordSql(plan, { limit, offset: plan.offset ?? 0 });
  const rows = all(opts.org, probe.sql, probe.params);
  if (rows.length <= size) return page(rows.length, shapeRows(state, plan, rows, opts));
  const ids = idsSql(plan);
  const cursor = openMainCursor(state, opts.org, opts.userId, plan, opts.allRows, ids.sql, ids.params as (string | number | null)[]);
  const first = rows.slice(0, size);
  return page(cursor.total, shapeRows(state, plan, first, opts), locatorUrl(opts.version, opts.allRows, cursor.id, size));
}

/** The ordered ids of the whole result (what a cursor keeps). */
function idsSql(plan: RecordPlan): { sql: string; params: SqlValue[] } {
  let sql = `SELECT ${plan.alias}."Id" FROM ${plan.from}${plan.joins.map((j) => ` ${j}`).join('')} WHERE ${plan.where.sql}`;
  if (plan.orderBy.length) sql += ` ORDER BY ${plan.orderBy.join(', ')}`;
  sql += ' LIMIT ? OFFSET ?';
  return { sql, params: [...plan.where.params, plan.limit ?? -1, plan.offset ?? 0] };
}

function mainPageStmt(c: MainCursor): StatementSync {
  if (c.stmt) return c.stmt;
  const p = c.plan;
  const cols = p.select.map((s, i) => `${s} AS c${i}`).join(', ');
  const sql = `SELECT ${cols} FROM temp.${q(c.table)} k JOIN ${p.from} ON ${p.alias}."Id" = k.id${p.joins.map((j) => ` ${j}`).join('')} WHERE k.seq > ? AND k.seq <= ? ORDER BY k.seq`;
  const stmt = c.org.store.db.prepare(sql);
  stmt.setReturnArrays(true);
  c.stmt = stmt;
  return stmt;
}

/** GET /query/<cursor>-<offset>: the page that starts at offset. */
export function nextPage(state: EmulatorState, locator: string, opts: Omit<RunOptions, 'allRows'>): QueryPage {
  const m = /^([A-Za-z0-9]+)-(\d+)$/.exec(locator);
  if (!m) throw invalidQueryLocator();
  const cursor = findCursor(state, opts.org, opts.userId, m[1] as string);
  const offset = Number(m[2]);
  if (!cursor || offset > cursor.total) throw invalidQueryLocator();
  const size = Math.max(1, opts.pageSize);
  const end = Math.min(cursor.total, offset + size);
  const run = { ...opts, allRows: cursor.allRows };
  if (cursor.kind === 'child') return childPage(state, cursor, offset, end, run);
  const rows = mainPageStmt(cursor).all(offset, end) as unknown as Row[];
  const records = shapeRows(state, cursor.plan, rows, run);
  if (end >= cursor.total) {
    closeCursor(state, cursor);
    return page(cursor.total, records);
  }
  return page(cursor.total, records, locatorUrl(opts.version, cursor.allRows, cursor.id, end));
}

function childSelect(p: ChildPlan): string {
  return p.select.map((s, i) => `${s} AS c${i}`).join(', ');
}

/** Child subquery blocks for the parents of one page, keyed by parent id. */
function childBlocks(state: EmulatorState, p: ChildPlan, parentIds: string[], opts: RunOptions): Map<string, ChildBlock> {
  const out = new Map<string, ChildBlock>();
  if (parentIds.length === 0 || p.limit === 0) return out;
  const batch = Math.max(1, soqlSettings(state).childBatchSize);
  const fk = `${p.alias}.${q(p.fkField)}`;
  const inner =
    `SELECT ${childSelect(p)}, ${fk} AS _p, ROW_NUMBER() OVER (PARTITION BY ${fk} ORDER BY ${p.orderBy.join(', ')}) AS _rn, ` +
    `COUNT(*) OVER (PARTITION BY ${fk}) AS _n FROM ${p.from}${p.joins.map((j) => ` ${j}`).join('')} ` +
    `WHERE ${fk} IN (SELECT value FROM json_each(?)) AND (${p.where.sql})`;
  const take = Math.min(batch, p.limit ?? Number.MAX_SAFE_INTEGER);
  const rows = all(opts.org, `SELECT * FROM (${inner}) WHERE _rn <= ? ORDER BY _p, _rn`, [JSON.stringify(parentIds), ...p.where.params, take]);
  const width = p.select.length;
  const grouped = new Map<string, { total: number; rows: Row[] }>();
  for (const r of rows) {
    const pid = String(r[width]);
    let g = grouped.get(pid);
    if (!g) {
      g = { total: Math.min(Number(r[width + 2]), p.limit ?? Number.MAX_SAFE_INTEGER), rows: [] };
      grouped.set(pid, g);
    }
    g.rows.push(r);
  }
  const ctx: ShapeContext = { version: opts.version, schema: opts.org.store.schema };
  for (const [pid, g] of grouped) {
    const records = g.rows.map((r) => shapeRecord(p.obj.name, p.idCol, p.outs, r, ctx));
    if (g.total > records.length) {
      const c = openChildCursor(state, opts.org, opts.userId, p, pid, g.total, opts.allRows);
      out.set(pid, { totalSize: g.total, done: false, nextRecordsUrl: locatorUrl(opts.version, false, c.id, records.length), records });
    } else {
      out.set(pid, { totalSize: g.total, done: true, records });
    }
  }
  return out;
}

function childPage(state: EmulatorState, c: ChildCursor, offset: number, end: number, opts: RunOptions): QueryPage {
  const p = c.plan;
  const fk = `${p.alias}.${q(p.fkField)}`;
  const sql =
    `SELECT ${childSelect(p)} FROM ${p.from}${p.joins.map((j) => ` ${j}`).join('')} WHERE ${fk} = ? AND (${p.where.sql})` +
    ` ORDER BY ${p.orderBy.join(', ')} LIMIT ? OFFSET ?`;
  const rows = all(c.org, sql, [c.parentId, ...p.where.params, end - offset, offset]);
  const ctx: ShapeContext = { version: opts.version, schema: c.org.store.schema };
  const records = rows.map((r) => shapeRecord(p.obj.name, p.idCol, p.outs, r, ctx));
  if (end >= c.total) {
    closeCursor(state, c);
    return page(c.total, records);
  }
  return page(c.total, records, locatorUrl(opts.version, false, c.id, end));
}
