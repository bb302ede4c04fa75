// Contract between the SOQL engine (owner: soql module) and its users (REST query, Bulk 2.0).
import { ApiError } from '../http/respond.ts';
import type { Org } from '../model.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import { q } from '../store/db.ts';
import type { SqlValue } from '../store/values.ts';
import { Compiler } from './compile.ts';
import { parseSoql } from './parse.ts';
import { hasTable } from './sources.ts';

export interface CompiledColumn {
  /** Header as Salesforce writes it in Bulk CSV: the SELECT item as written, canonical case (`Account.Name`). */
  header: string;
  /** The leaf field, for value conversion (`toCsv` / `toJson`). */
  field: FieldDef;
}

export interface CompiledQuery {
  object: ObjectDef;
  /** Flat leaf columns in SELECT order (what a Bulk CSV has). */
  columns: CompiledColumn[];
  /**
   * SQLite SELECT over the org's store returning exactly `columns`, in order, as storage values;
   * each result column is named by its header. Rows come in a deterministic order (the SOQL ORDER
   * BY, then insertion order), so the statement can be paged by wrapping it in
   * `SELECT * FROM (…) LIMIT ? OFFSET ?`. Run it on `org.store.db`.
   */
  sql: string;
  params: SqlValue[];
  hasOrderBy: boolean;
  hasLimit: boolean;
}

export interface CompileOptions {
  /** queryAll: soft-deleted rows included. */
  allRows: boolean;
  /** Emulator clock, for date literals (TODAY, LAST_N_DAYS:n …). */
  now: number;
}

/**
 * Compiles SOQL for Bulk API 2.0: rejects what Bulk rejects (aggregates, GROUP BY, OFFSET,
 * TYPEOF, child subqueries, compound address/location and base64 fields) with an ApiError.
 */
export type CompileForBulk = (org: Org, soql: string, opts: CompileOptions) => CompiledQuery;

/**
 * Bulk API 2.0 refuses query jobs on objects it does not support (schema flag `bulkQueryable`).
 * Salesforce's wording for this case is not documented; the Bulk 1.0 one is reused.
 */
function bulkEntityError(name: string): ApiError {
  return new ApiError(400, 'INVALIDENTITY', `Entity '${name}' is not supported by the Bulk API.`);
}

export const compileForBulk: CompileForBulk = (org, soql, opts) => {
  const parsed = parseSoql(soql);
  const plan = new Compiler(org, parsed, { allRows: opts.allRows, now: opts.now, mode: 'bulk' }).compile();
  if (plan.kind !== 'records') throw new ApiError(400, 'API_ERROR', 'Aggregate functions are not supported by Bulk API query');
  const p = plan.plan;
  if (!p.obj.bulkQueryable || !hasTable(p.obj)) throw bulkEntityError(p.obj.name);
  const cols = p.flat.map((c) => `${p.select[c.col]} AS ${q(c.header)}`).join(', ');
  let sql = `SELECT ${cols} FROM ${p.from}${p.joins.map((j) => ` ${j}`).join('')} WHERE ${p.where.sql} ORDER BY ${p.orderBy.join(', ')}`;
  const params = [...p.where.params];
  if (p.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(p.limit);
  }
  return {
    object: p.obj,
    columns: p.flat.map((c) => ({ header: c.header, field: c.field })),
    sql,
    params,
    hasOrderBy: p.hasOrderBy,
    hasLimit: p.limit !== undefined,
  };
};
