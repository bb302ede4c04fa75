// The org's current rows of one object for a restore plan: the same queryAll the backup runs
// (Bulk API 2.0, REST when Bulk refuses the object), so Recycle Bin rows come back marked by
// IsDeleted and every value has the form the snapshot holds. Rows are handed on a batch at a time
// and never gathered: the caller keeps them on disk. With a short list of Ids, REST queryAll
// `WHERE Id IN (…)` reads just those instead of the whole object.
import { parseCsv } from '../../snapshot/csv.ts';
import { type EncodedBatch, forEachRecord, type RowLayout } from '../../snapshot/encoded.ts';
import type { SalesforceApi } from './api-client.ts';
import { type BulkTuning, BulkUnsupportedError, bulkExport, type RowReceiver } from './bulk-export.ts';
import { restExport } from './rest-export.ts';
import type { RetryPolicy } from './retry.ts';

/** One row as the org holds it now, in the asked field order (`''` is null, as in Bulk CSV). */
export interface LiveRecord {
  id: string;
  /** In the Recycle Bin (IsDeleted). */
  deleted: boolean;
  cells: string[];
}

export interface LiveReadOptions extends BulkTuning {
  object: string;
  /** `Id` first; include `IsDeleted` to tell Recycle Bin rows apart. */
  fields: string[];
  /** Field types by name (REST datetimes are reformatted to the Bulk form). */
  types: ReadonlyMap<string, string>;
  /** Read only these records (REST queryAll in chunks); the whole object when absent. */
  ids?: readonly string[];
  retry?: RetryPolicy;
  onRetry?: (err: unknown) => void;
}

export interface LiveReadResult {
  api: 'bulk' | 'rest';
  rows: number;
}

/**
 * Ids per `WHERE Id IN (…)` query: 18-character Ids quoted and comma-separated stay well inside the
 * 16,384-character URL a REST query may use, and far inside SOQL's 100,000-character statement.
 */
export const IDS_PER_QUERY = 300;

/** Up to this many Ids are read by Id; more cost fewer calls as one Bulk job over the object. */
export const MAX_IDS_BY_REST = 3_000;

const ID_SHAPE = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

/** Streams the object's current rows (Recycle Bin included) to `onRecords`, one batch at a time. */
export async function readLiveRecords(api: SalesforceApi, o: LiveReadOptions, onRecords: (records: LiveRecord[]) => Promise<void>): Promise<LiveReadResult> {
  if (o.fields[0] !== 'Id') throw new RangeError(`readLiveRecords: the first field must be Id, got ${o.fields[0]}`);
  const layout: RowLayout = {
    object: o.object,
    width: o.fields.length,
    isDeletedIndex: o.fields.indexOf('IsDeleted'),
    stampIndex: -1,
    keyHex: 0,
    wantIds: false,
  };
  const deletedAt = layout.isDeletedIndex;
  let rows = 0;
  const receiver: RowReceiver = {
    async rows(batch) {
      const records = decode(batch).map((cells) => ({ id: cells[0] ?? '', deleted: deletedAt >= 0 && cells[deletedAt] === 'true', cells }));
      rows += records.length;
      if (records.length > 0) await onRecords(records);
    },
  };
  const retry = { ...(o.retry ? { retry: o.retry } : {}), ...(o.onRetry ? { onRetry: o.onRetry } : {}) };
  const rest = (where: string) => restExport(api, { object: o.object, fields: o.fields, types: new Map(o.types), where, layout, ...retry }, receiver);

  if (o.ids !== undefined) {
    const ids = [...new Set(o.ids)];
    for (const id of ids) if (!ID_SHAPE.test(id)) throw new RangeError(`${id} is not a Salesforce record Id`);
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + IDS_PER_QUERY);
      await rest(` WHERE Id IN (${chunk.map((id) => `'${id}'`).join(',')})`);
    }
    return { api: 'rest', rows };
  }
  const tuning: BulkTuning = {};
  for (const key of ['maxRecords', 'pollIntervalMs', 'maxPollIntervalMs', 'jobTimeoutMs'] as const) if (o[key]) tuning[key] = o[key];
  try {
    await bulkExport(api, { object: o.object, fields: o.fields, where: '', layout, ...tuning, ...retry }, receiver);
    return { api: 'bulk', rows };
  } catch (err) {
    if (!(err instanceof BulkUnsupportedError)) throw err;
    await rest('');
    return { api: 'rest', rows };
  }
}

/** A batch's CSV records back into cells (text, not byte strings). */
function decode(batch: EncodedBatch): string[][] {
  if (batch.count === 0) return [];
  const lines: string[] = [];
  forEachRecord(batch, (r, buf) => {
    lines.push(buf.toString('utf8', r.start, r.end));
  });
  // A quoted cell may hold line ends; joined by LF the records still parse one by one.
  return parseCsv(`${lines.join('\n')}\n`);
}
