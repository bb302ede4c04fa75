// One object through a Bulk API 2.0 query job: create (queryAll, so Recycle Bin rows come marked by
// IsDeleted), poll until JobComplete, then page through the results ourselves with maxRecords and
// the Sforce-Locator (jsforce's bulk2.query crashes on multi-page results). Each page streams
// through the CSV reader into the sink as it arrives, so memory holds a batch of rows, never an object.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { TransientError } from '../../runtime/auth-errors.ts';
import { dropFirst, type EncodedBatch, type RowLayout } from '../../snapshot/encoded.ts';
import { inlineParsePool, type ParsedChunk, type ParsePool } from '../bulk-csv/parse-pool.ts';
import type { SalesforceApi } from './api-client.ts';
import { DEFAULT_RETRY, type RetryPolicy, SalesforceHttpError, withRetry } from './retry.ts';

/** Bulk API 2.0 does not serve this object (Salesforce answers the create with a 400). */
export class BulkUnsupportedError extends Error {
  override readonly name = 'BulkUnsupportedError';
}

export interface RowReceiver {
  /** Rows encoded for the snapshot (src/snapshot/encoded.ts); resolves when the sink took them (backpressure). */
  rows(batch: EncodedBatch): Promise<void>;
}

export interface BulkExportOptions {
  object: string;
  fields: string[];
  /** Without the SELECT/FROM: ` WHERE SystemModstamp > …` or ''. */
  where: string;
  /** Rows per results page; undefined lets Salesforce choose. */
  maxRecords?: number;
  /** How the object's rows are encoded for the sink. */
  layout: RowLayout;
  /** Parses pages on worker threads; inline when not given. */
  pool?: ParsePool;
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** How long a job may take to complete before the object is given up (default 3 hours). */
  jobTimeoutMs?: number;
  retry?: RetryPolicy;
  onRetry?: (err: unknown) => void;
}

/** The Bulk job knobs a caller of exportOrg may tune; the rest of BulkExportOptions is per object. */
export const BULK_TUNING_KEYS = ['maxRecords', 'pollIntervalMs', 'maxPollIntervalMs', 'jobTimeoutMs'] as const;
export type BulkTuning = Pick<BulkExportOptions, (typeof BULK_TUNING_KEYS)[number]>;

/** The tuning knobs that are set (0 and undefined mean "use the default"). */
export function bulkTuning(options: BulkTuning): BulkTuning {
  const out: BulkTuning = {};
  for (const key of BULK_TUNING_KEYS) {
    const v = options[key];
    if (v) out[key] = v;
  }
  return out;
}

export interface BulkExportResult {
  jobId: string;
  rows: number;
}

const jobInfo = z.looseObject({
  id: z.string(),
  state: z.string(),
  numberRecordsProcessed: z.number().optional(),
  errorMessage: z.string().nullish(),
});

function unsupported(err: unknown): boolean {
  if (!(err instanceof SalesforceHttpError) || err.status !== 400) return false;
  return /INVALIDENTITY|API_ERROR|FEATURENOTENABLED|INVALID_TYPE/.test(err.errorCode) && /not supported|bulk api/i.test(err.message);
}

export function soql(object: string, fields: string[], where: string): string {
  return `SELECT ${fields.join(', ')} FROM ${object}${where}`;
}

async function createJob(api: SalesforceApi, query: string, o: BulkExportOptions): Promise<string> {
  try {
    const created = await withRetry(
      () =>
        api.json<unknown>({
          method: 'POST',
          path: '/jobs/query',
          body: { operation: 'queryAll', query, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' },
          label: `the Bulk query job for ${o.object}`,
        }),
      o.retry ?? DEFAULT_RETRY,
      o.onRetry,
      api.signal,
    );
    return jobInfo.parse(created).id;
  } catch (err) {
    if (unsupported(err)) throw new BulkUnsupportedError(`Bulk API 2.0 does not support ${o.object}: ${(err as Error).message}`, { cause: err });
    throw err;
  }
}

async function waitForJob(api: SalesforceApi, jobId: string, o: BulkExportOptions): Promise<z.infer<typeof jobInfo>> {
  // Small objects finish in well under a second: start polling fast, back off to spare API calls.
  let interval = o.pollIntervalMs ?? 200;
  const maxInterval = o.maxPollIntervalMs ?? 10_000;
  const deadline = Date.now() + (o.jobTimeoutMs ?? 3 * 3_600_000);
  for (;;) {
    const info = jobInfo.parse(
      await withRetry(
        () => api.json<unknown>({ path: `/jobs/query/${jobId}`, label: `the Bulk job status of ${o.object}` }),
        o.retry ?? DEFAULT_RETRY,
        o.onRetry,
        api.signal,
      ),
    );
    if (info.state === 'JobComplete') return info;
    if (info.state === 'Failed' || info.state === 'Aborted') {
      throw new TransientError({
        reason: 'server_error',
        message: `The Bulk API query job ${jobId} for ${o.object} ended ${info.state}${info.errorMessage ? `: ${info.errorMessage}` : ''}.`,
        remedy: 'Run the backup again; if the object keeps failing, exclude it and report the job id to Salesforce support.',
      });
    }
    if (Date.now() > deadline) {
      throw new TransientError({
        reason: 'server_error',
        message: `The Bulk API query job ${jobId} for ${o.object} did not complete in time (still ${info.state}).`,
        remedy: 'Run the backup again later (Salesforce may be busy); if the object keeps timing out, raise the job timeout or exclude it.',
      });
    }
    await sleep(interval, undefined, api.signal ? { signal: api.signal } : {});
    interval = Math.min(maxInterval, Math.ceil(interval * 1.5));
  }
}

/**
 * Streams one results page into `receiver`, skipping the first `skip` data rows (already delivered
 * before a dropped connection made us fetch the page again). Returns the page's data rows and the
 * next locator (`null` on the last page).
 */
async function streamPage(
  api: SalesforceApi,
  jobId: string,
  locator: string | undefined,
  o: BulkExportOptions,
  skip: number,
  delivered: (n: number) => void,
  receiver: RowReceiver,
  pageNo: number,
): Promise<{ rows: number; next: string | null }> {
  const params = new URLSearchParams();
  if (o.maxRecords) params.set('maxRecords', String(o.maxRecords));
  if (locator) params.set('locator', locator);
  const qs = params.toString();
  const res = await api.fetch({
    path: `/jobs/query/${jobId}/results${qs ? `?${qs}` : ''}`,
    headers: { accept: 'text/csv' },
    label: `${o.object} results page ${pageNo} (Bulk job ${jobId})`,
  });
  const nextHeader = res.headers.get('sforce-locator');
  if (!res.body) return { rows: 0, next: nextHeader === null || nextHeader === 'null' || nextHeader === '' ? null : nextHeader };
  const parser = await (o.pool ?? inlineParsePool()).open(o.layout);
  let seen = 0;
  let headerChecked = false;
  const deliver = async (parsed: ParsedChunk): Promise<void> => {
    if (parsed.header) {
      checkHeader(parsed.header, o);
      headerChecked = true;
    }
    let batch = parsed.batch;
    if (batch.count === 0) return;
    const before = seen;
    seen += batch.count;
    // Rows a dropped connection delivered before are skipped on the page's second try.
    if (before < skip) batch = dropFirst(batch, skip - before);
    if (batch.count === 0) return;
    await receiver.rows(batch);
    delivered(batch.count);
  };
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) await deliver(await parser.push(chunk));
    await deliver(await parser.end());
  } catch (err) {
    parser.close();
    await res.body.cancel().catch(() => {});
    throw err;
  }
  if (!headerChecked && seen > 0) throw new SalesforceHttpError(502, 'MISSING_HEADER', 'results page without a header row');
  // A missing header means "undefined"; only the literal null ends the results.
  if (nextHeader === null) throw new SalesforceHttpError(502, 'MISSING_LOCATOR', 'results page without Sforce-Locator');
  return { rows: seen, next: nextHeader === 'null' ? null : nextHeader };
}

function checkHeader(header: string[], o: BulkExportOptions): void {
  if (header.length !== o.fields.length || header.some((h, i) => h !== o.fields[i])) {
    throw new TransientError({
      reason: 'unexpected_response',
      message: `The Bulk API results for ${o.object} have the columns ${header.slice(0, 5).join(',')}… instead of the ones asked for.`,
      remedy: 'Run the backup again; if it persists, report it with this message.',
    });
  }
}

/** Exports one object through Bulk API 2.0. Throws BulkUnsupportedError before any row when Bulk refuses the object. */
export async function bulkExport(api: SalesforceApi, o: BulkExportOptions, receiver: RowReceiver): Promise<BulkExportResult> {
  const jobId = await createJob(api, soql(o.object, o.fields, o.where), o);
  api.budget.reserved++;
  let terminal = false;
  try {
    const info = await waitForJob(api, jobId, o);
    terminal = true;
    let locator: string | undefined;
    let total = 0;
    for (let pageNo = 1; ; pageNo++) {
      let deliveredInPage = 0;
      const page = await withRetry(
        () =>
          streamPage(
            api,
            jobId,
            locator,
            o,
            deliveredInPage,
            (n) => {
              deliveredInPage += n;
            },
            receiver,
            pageNo,
          ),
        o.retry ?? DEFAULT_RETRY,
        o.onRetry,
        api.signal,
      );
      total += page.rows;
      if (page.next === null) break;
      locator = page.next;
    }
    if (info.numberRecordsProcessed !== undefined && info.numberRecordsProcessed !== total) {
      throw new TransientError({
        reason: 'unexpected_response',
        message: `The Bulk API job ${jobId} for ${o.object} reported ${info.numberRecordsProcessed} rows but its result pages held ${total}.`,
        remedy: 'Run the backup again; if it persists, exclude the object and report the job id to Salesforce support.',
      });
    }
    return { jobId, rows: total };
  } finally {
    // Finished jobs count against the org's result storage until deleted; failing to delete loses nothing.
    api.budget.reserved--;
    // Only finished jobs can be deleted; one we gave up on while it ran is aborted first.
    if (!terminal) await api.fetch({ method: 'PATCH', path: `/jobs/query/${jobId}`, body: { state: 'Aborted' }, cleanup: true }).catch(() => {});
    await api.fetch({ method: 'DELETE', path: `/jobs/query/${jobId}`, cleanup: true }).catch(() => {});
  }
}
