// What a compiled SOQL query is: SQL pieces over the org store plus the shape of each result row.
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import type { SqlValue } from '../store/values.ts';

export interface Frag {
  sql: string;
  params: SqlValue[];
}

export const TRUE_FRAG: Frag = { sql: '1', params: [] };

export function andFrags(frags: Frag[]): Frag {
  const real = frags.filter((f) => f.sql !== '1');
  if (real.length === 0) return TRUE_FRAG;
  if (real.length === 1) return real[0] as Frag;
  return { sql: real.map((f) => `(${f.sql})`).join(' AND '), params: real.flatMap((f) => f.params) };
}

/** A value at `col` of the SQL row. */
export interface ValueOut {
  k: 'value';
  key: string;
  field: FieldDef;
  col: number;
}

/** A base64 field: the REST value is the blob URL of the record that holds it (`col` = not-null flag). */
export interface BlobOut {
  k: 'blob';
  key: string;
  field: FieldDef;
  col: number;
  idCol: number;
  /** The holder's object, or null when only its id prefix tells (polymorphic parent). */
  type: string | null;
}

/** An address or location field: a JSON object of its component columns. */
export interface CompoundOut {
  k: 'compound';
  key: string;
  field: FieldDef;
  parts: { key: string; field: FieldDef; col: number }[];
}

/** A parent relationship (`Account` in `Account.Name`): null when the parent id is null. */
export interface ParentOut {
  k: 'parent';
  key: string;
  /** The reference field on the child side. */
  field: FieldDef;
  idCol: number;
  type: string | null;
  entries: Out[];
  /** Lower-cased keys used in `entries`, for duplicate detection. */
  keys: Set<string>;
  parents: Map<string, ParentOut>;
}

export interface ChildOut {
  k: 'children';
  key: string;
  child: ChildPlan;
}

/** An aggregate (or grouped date function) column of an AggregateResult. */
export interface AggOut {
  k: 'agg';
  key: string;
  col: number;
  /** Field whose type the value has (MIN/MAX/grouped); null for counts and numeric results. */
  field: FieldDef | null;
  fn: string;
  display: string;
  /** Decimal places a SUM is rounded to (the field's scale). */
  round?: number;
}

export type Out = ValueOut | BlobOut | CompoundOut | ParentOut | ChildOut | AggOut;

/** A leaf column as Bulk CSV has it: dotted canonical header, SELECT order. */
export interface FlatColumn {
  header: string;
  field: FieldDef;
  col: number;
}

/** Row shape and SQL of a record query (top level or child subquery). */
export interface RecordPlan {
  obj: ObjectDef;
  alias: string;
  /** SQL expressions, one per row column; the row is read as an array. */
  select: string[];
  idCol: number;
  outs: Out[];
  flat: FlatColumn[];
  /** `"Account" t0` (or the virtual temp table). */
  from: string;
  joins: string[];
  where: Frag;
  /** ORDER BY terms, the rowid tiebreaker included. */
  orderBy: string[];
  hasOrderBy: boolean;
  limit: number | undefined;
  offset: number | undefined;
}

export interface ChildPlan extends RecordPlan {
  relationshipName: string;
  /** Column of the child table that points at the parent. */
  fkField: string;
}

export interface AggregatePlan {
  obj: ObjectDef;
  select: string[];
  outs: AggOut[];
  from: string;
  joins: string[];
  where: Frag;
  groupBy: string[];
  having: Frag;
  orderBy: string[];
  limit: number | undefined;
  offset: number | undefined;
}

export interface CountPlan {
  obj: ObjectDef;
  from: string;
  joins: string[];
  where: Frag;
  limit: number | undefined;
  offset: number | undefined;
}

export type QueryPlan = { kind: 'records'; plan: RecordPlan } | { kind: 'aggregate'; plan: AggregatePlan } | { kind: 'count'; plan: CountPlan };

/** SELECT … FROM … WHERE … ORDER BY … LIMIT … OFFSET … of a record plan. */
export function recordSql(p: RecordPlan, opts: { limit?: number; offset?: number } = {}): Frag {
  const limit = opts.limit ?? p.limit;
  const offset = opts.offset ?? p.offset;
  const cols = p.select.map((s, i) => `${s} AS c${i}`).join(', ');
  let sql = `SELECT ${cols} FROM ${p.from}${p.joins.map((j) => ` ${j}`).join('')} WHERE ${p.where.sql}`;
  if (p.orderBy.length) sql += ` ORDER BY ${p.orderBy.join(', ')}`;
  const params = [...p.where.params];
  if (limit !== undefined || offset !== undefined) {
    sql += ' LIMIT ? OFFSET ?';
    params.push(limit ?? -1, offset ?? 0);
  }
  return { sql, params };
}
