// TEMPORARY stand-in for the SOQL engine's CompileForBulk, until soql/ provides it. Handles
// plain and parent fields, WHERE field-op-literal joined by AND, ORDER BY, LIMIT.
import { type Condition, parseQuery, type WhereClause } from '@jetstreamapp/soql-parser-js';
import { ApiError } from '../http/respond.ts';
import type { Org } from '../model.ts';
import { type FieldDef, getField, getObject, type ObjectDef } from '../schema/types.ts';
import type { CompiledColumn, CompiledQuery, CompileOptions } from '../soql/api.ts';
import { q } from '../store/db.ts';
import type { SqlValue } from '../store/values.ts';

export function interimCompileForBulk(org: Org, soql: string, opts: CompileOptions): CompiledQuery {
  let parsed: ReturnType<typeof parseQuery>;
  try {
    parsed = parseQuery(soql);
  } catch (err) {
    throw new ApiError(400, 'MALFORMED_QUERY', (err as Error).message);
  }
  const obj = getObject(org.store.schema, parsed.sObject ?? '');
  if (!obj) throw new ApiError(400, 'INVALID_TYPE', `sObject type '${parsed.sObject}' is not supported.`);
  if (parsed.groupBy || parsed.offset !== undefined) throw new ApiError(400, 'API_ERROR', 'GROUP BY and OFFSET are not supported by Bulk API 2.0');
  const joins: string[] = [];
  const aliases = new Map<string, { alias: string; obj: ObjectDef }>();
  const resolve = (path: string[]): { sql: string; field: FieldDef; header: string } => {
    let alias = 't0';
    let cur = obj;
    const names: string[] = [];
    for (const rel of path.slice(0, -1)) {
      const ref = cur.relationshipMap.get(rel.toLowerCase());
      const target = ref && getObject(org.store.schema, ref.referenceTo[0] ?? '');
      if (!ref || !target) throw new ApiError(400, 'INVALID_FIELD', `Didn't understand relationship '${rel}'`);
      names.push(ref.relationshipName as string);
      const key = names.join('.').toLowerCase();
      let hit = aliases.get(key);
      if (!hit) {
        hit = { alias: `t${aliases.size + 1}`, obj: target };
        aliases.set(key, hit);
        joins.push(`LEFT JOIN ${q(target.name)} ${hit.alias} ON ${hit.alias}."Id" = ${alias}.${q(ref.name)}`);
      }
      alias = hit.alias;
      cur = target;
    }
    const field = getField(cur, path.at(-1) ?? '');
    if (!field) throw new ApiError(400, 'INVALID_FIELD', `No such column '${path.at(-1)}' on entity '${cur.name}'.`);
    if (field.type === 'base64' || field.type === 'address' || field.type === 'location') {
      throw new ApiError(400, 'API_ERROR', `Selecting compound or base64 field ${field.name} is not supported by Bulk API 2.0`);
    }
    return { sql: `${alias}.${q(field.name)}`, field, header: [...names, field.name].join('.') };
  };
  const columns: CompiledColumn[] = [];
  const select: string[] = [];
  for (const f of parsed.fields ?? []) {
    if (f.type === 'Field') {
      const r = resolve([f.field]);
      columns.push({ header: r.header, field: r.field });
      select.push(r.sql);
    } else if (f.type === 'FieldRelationship') {
      const r = resolve([...f.relationships, f.field]);
      columns.push({ header: r.header, field: r.field });
      select.push(r.sql);
    } else {
      throw new ApiError(400, 'API_ERROR', 'Only plain and parent fields are supported in Bulk API 2.0 queries');
    }
  }
  const params: SqlValue[] = [];
  const where: string[] = opts.allRows ? [] : ['t0."IsDeleted" = 0'];
  const cond = (w: WhereClause | undefined): void => {
    if (!w) return;
    const left = w.left as Condition & { field?: string; operator?: string; value?: unknown; literalType?: string };
    if (left && 'field' in left && left.field) {
      const r = resolve(left.field.split('.'));
      const raw = String(left.value);
      let v: SqlValue = raw.startsWith("'") ? raw.slice(1, -1) : raw;
      if (left.literalType === 'BOOLEAN') v = raw.toUpperCase() === 'TRUE' ? 1 : 0;
      else if (left.literalType === 'INTEGER' || left.literalType === 'DECIMAL') v = Number(raw);
      else if (left.literalType === 'NULL') v = null;
      const op = left.operator === '!=' ? '!=' : left.operator === 'LIKE' ? 'LIKE' : (left.operator ?? '=');
      if (v === null) where.push(`${r.sql} IS ${op === '=' ? '' : 'NOT '}NULL`);
      else {
        where.push(`${r.sql} ${op} ?`);
        params.push(v);
      }
    }
    if ('right' in w && w.right) cond(w.right);
  };
  cond(parsed.where);
  const order = (parsed.orderBy ? (Array.isArray(parsed.orderBy) ? parsed.orderBy : [parsed.orderBy]) : []).map((o) => {
    const r = resolve(String((o as { field?: string }).field ?? '').split('.'));
    return `${r.sql} ${(o as { order?: string }).order === 'DESC' ? 'DESC' : 'ASC'}`;
  });
  let sql = `SELECT ${select.join(', ')} FROM ${q(obj.name)} t0 ${joins.join(' ')}`;
  if (where.length) sql += ` WHERE ${where.join(' AND ')}`;
  sql += order.length ? ` ORDER BY ${order.join(', ')}` : ' ORDER BY t0.rowid';
  if (parsed.limit !== undefined) sql += ` LIMIT ${Number(parsed.limit)}`;
  return { object: obj, columns, sql, params, hasOrderBy: order.length > 0, hasLimit: parsed.limit !== undefined };
}
