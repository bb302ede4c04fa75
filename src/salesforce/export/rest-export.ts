// The fallback for objects Bulk API 2.0 refuses: REST /queryAll with 2000-row pages followed by
// nextRecordsUrl. Values are flattened to the cells the Bulk CSV would hold for the same row, so a
// snapshot does not depend on which API an object came through.
import { z } from 'zod';
import { toByteString } from '../../snapshot/bytes.ts';
import { encodeRows, type RowLayout } from '../../snapshot/encoded.ts';
import type { SalesforceApi } from './api-client.ts';
import { type RowReceiver, soql } from './bulk-export.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry.ts';

export interface RestExportOptions {
  object: string;
  fields: string[];
  /** Field types by name (datetimes are reformatted). */
  types: Map<string, string>;
  where: string;
  layout: RowLayout;
  retry?: RetryPolicy;
  onRetry?: (err: unknown) => void;
}

const page = z.looseObject({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().nullish(),
  records: z.array(z.record(z.string(), z.unknown())),
});

/** `2024-03-20T21:45:00.000+0000` (REST) → `2024-03-20T21:45:00.000Z` (Bulk CSV). */
export function bulkDateTime(v: string): string {
  const withColon = v.replace(/([+-])(\d\d)(\d\d)$/, '$1$2:$3');
  const ms = Date.parse(withColon);
  return Number.isNaN(ms) ? v : new Date(ms).toISOString();
}

/** One REST JSON value as the Bulk CSV cell text. */
export function cell(value: unknown, type: string | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return type === 'datetime' ? bulkDateTime(value) : value;
  return JSON.stringify(value);
}

export async function restExport(api: SalesforceApi, o: RestExportOptions, receiver: RowReceiver): Promise<{ rows: number }> {
  const headers = { 'sforce-query-options': 'batchSize=2000' };
  let next: string | undefined = `/queryAll?q=${encodeURIComponent(soql(o.object, o.fields, o.where))}`;
  let rows = 0;
  let expected = 0;
  let pageNo = 0;
  while (next) {
    const path: string = next;
    const label = `${o.object} REST query page ${++pageNo}`;
    const p = page.parse(await withRetry(() => api.json<unknown>({ path, headers, label }), o.retry ?? DEFAULT_RETRY, o.onRetry, api.signal));
    expected = p.totalSize;
    const out = p.records.map((r) => o.fields.map((f) => toByteString(cell(r[f], o.types.get(f)))));
    if (out.length > 0) await receiver.rows(encodeRows(out, o.layout));
    rows += out.length;
    next = p.done ? undefined : (p.nextRecordsUrl ?? undefined);
  }
  if (rows !== expected) {
    throw new Error(`The REST query of ${o.object} announced ${expected} rows but its pages held ${rows}.`);
  }
  return { rows };
}
