// Which of an object's snapshot records a restore takes, given as the condition of a SOQL WHERE
// clause (`Industry = 'Banking' AND CreatedDate >= 2026-01-01T00:00:00Z`). People already write
// SOQL, so the filter speaks it: parsed with the real grammar (@jetstreamapp/soql-parser-js), checked
// once against the snapshot's field types, and compiled into closures, because it then runs on every
// row of the snapshot (millions). The semantics are SOQL's over the CSV cells, where '' is null.
// The steps, each in its module: source.ts (the text and its parse), tree.ts (the conditions as a
// tree), compile.ts (the checks and closures), values.ts and operators.ts (what runs per row),
// dates.ts (date literals).
import type { WhereClause } from '@jetstreamapp/soql-parser-js';
import { Compiler } from './compile.ts';
import { FilterSource, parseFilter, SYNTAX_REMEDY } from './source.ts';
import { conditionTree } from './tree.ts';
import type { Row } from './values.ts';

export { dateLiteralRange } from './dates.ts';

export interface RecordFilter {
  (row: Readonly<Record<string, string>>): boolean;
  /** The fields the condition names (for error messages and for checking an object has them). */
  readonly fields: readonly string[];
}

/**
 * `fields`: the object's snapshot fields by name with their describe type (string, boolean, date,
 * datetime, double, currency, percent, int, picklist, multipicklist, reference, id, email, phone,
 * url, textarea, …: see src/snapshot/contracts.ts SchemaField and a snapshot's schema/*.json).
 * `now` anchors date literals (TODAY, LAST_N_DAYS:n, …), in UTC. Throws RestorePlanError (reason
 * 'bad_selection') naming the position or field, with a remedy, for: syntax errors, unknown fields
 * (with close names), subqueries, functions, relationship paths (Account.Name), and a value or an
 * operator that does not fit the field's type.
 */
export function compileFilter(where: string, object: string, fields: ReadonlyMap<string, string>, now: Date): RecordFilter {
  const src = new FilterSource(where, object);
  if (src.body.trim() === '') {
    throw src.fail('is empty', `${SYNTAX_REMEDY} Leave the filter out to restore every record of ${object}.`);
  }
  const query = parseFilter(src);
  const tree = conditionTree(query.where as WhereClause, src);
  const compiler = new Compiler(src, fields, now.getTime());
  const test = compiler.node(tree);
  const filter = (row: Row): boolean => test(row);
  return Object.assign(filter, { fields: Object.freeze([...compiler.used]) });
}
