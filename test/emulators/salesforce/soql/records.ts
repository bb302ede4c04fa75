// SQL rows → REST query records: `attributes` first, canonical keys, nested parents (null when the
// parent is null), compound fields as objects, base64 fields as blob URLs, child subquery blocks.
import type { Schema } from '../schema/types.ts';
import { type SqlValue, toJson } from '../store/values.ts';
import type { AggOut, ChildOut, Out } from './plan.ts';

export type JsonRecord = Record<string, unknown>;

/** A child subquery's value in its parent record. */
export interface ChildBlock {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: JsonRecord[];
}

export interface ShapeContext {
  version: string;
  schema: Schema;
  /** Child blocks of this row, by subquery. */
  children?: Map<ChildOut, ChildBlock | null>;
}

function typeOfId(schema: Schema, id: string): string {
  return schema.byPrefix.get(id.slice(0, 3))?.name ?? 'Name';
}

export function attributes(type: string, id: string | null, version: string): { type: string; url?: string } {
  return id ? { type, url: `/services/data/v${version}/sobjects/${type}/${id}` } : { type };
}

function fill(target: JsonRecord, entries: Out[], row: SqlValue[], ctx: ShapeContext, holder: { type: string; id: string }): void {
  for (const e of entries) {
    switch (e.k) {
      case 'value':
        target[e.key] = toJson(e.field, row[e.col] ?? null);
        break;
      case 'blob':
        target[e.key] = Number(row[e.col]) ? `/services/data/v${ctx.version}/sobjects/${holder.type}/${holder.id}/${e.field.name}` : null;
        break;
      case 'compound': {
        const parts = [...e.parts].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        const obj: JsonRecord = {};
        let any = false;
        for (const p of parts) {
          const v = toJson(p.field, row[p.col] ?? null);
          if (v !== null) any = true;
          obj[p.key] = v;
        }
        target[e.key] = any ? obj : null;
        break;
      }
      case 'parent': {
        const id = row[e.idCol];
        if (id === null || id === undefined) {
          target[e.key] = null;
          break;
        }
        const pid = String(id);
        const type = e.type ?? typeOfId(ctx.schema, pid);
        const nested: JsonRecord = { attributes: attributes(type, pid, ctx.version) };
        fill(nested, e.entries, row, { ...ctx, children: undefined }, { type, id: pid });
        target[e.key] = nested;
        break;
      }
      case 'children':
        target[e.key] = ctx.children?.get(e) ?? null;
        break;
      case 'agg':
        target[e.key] = aggValue(e, row[e.col] ?? null);
        break;
    }
  }
}

function aggValue(e: AggOut, v: SqlValue): unknown {
  if (v === null) return null;
  if (e.field) return toJson(e.field, v);
  if (e.round !== undefined) return Number(Number(v).toFixed(e.round));
  return Number(v);
}

/** One record of a record plan (top level or child). */
export function shapeRecord(type: string, idCol: number, entries: Out[], row: SqlValue[], ctx: ShapeContext): JsonRecord {
  const id = String(row[idCol]);
  const rec: JsonRecord = { attributes: attributes(type, id, ctx.version) };
  fill(rec, entries, row, ctx, { type, id });
  return rec;
}

export function shapeAggregate(outs: AggOut[], row: SqlValue[]): JsonRecord {
  const rec: JsonRecord = { attributes: { type: 'AggregateResult' } };
  for (const e of outs) rec[e.key] = aggValue(e, row[e.col] ?? null);
  return rec;
}
