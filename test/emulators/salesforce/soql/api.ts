// Contract between the SOQL engine (owner: soql module) and its users (REST query, Bulk 2.0).
import type { Org } from '../model.ts';
import type { FieldDef, ObjectDef } from '../schema/types.ts';
import type { SqlValue } from '../store/values.ts';

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
  /** SQLite SELECT over the org's store returning exactly `columns`, in order, as storage values. */
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
