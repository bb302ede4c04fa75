// exportOrg: every exportable object of an org into the snapshot's sinks. Plans the objects
// (describe.ts), runs a bounded number at a time through Bulk API 2.0 (REST when Bulk refuses the
// object), checks row counts against SELECT COUNT(), keeps a SystemModstamp watermark per object,
// and in incremental runs fetches only what changed since the base snapshot plus the deletions.
// One failing object is aborted and reported; the others go on. The run stops starting new objects
// before it spends more than its share of the org's daily API requests.
import type { Connection } from 'jsforce';
import type { ObjectSchema, ObjectSink } from '../snapshot/contracts.ts';
import type { RowLayout } from '../snapshot/encoded.ts';
import { SalesforceApi } from './api-client.ts';
import { ApiBudget, BudgetExceededError } from './budget.ts';
import { type BulkTuning, BulkUnsupportedError, bulkExport, bulkTuning, type RowReceiver } from './bulk-export.ts';
import { classifyAuthError } from './connection.ts';
import { mapBounded, type PlannedObject, planObjects, type SelectionOptions } from './describe.ts';
import { MisconfiguredError, ReauthRequiredError, SalesforceError, TransientError } from './errors.ts';
import { createParsePool, type ParsePool } from './parse-pool.ts';
import { restExport } from './rest-export.ts';
import { DEFAULT_RETRY, isTransient, type RetryPolicy, SalesforceHttpError, withRetry } from './retry.ts';

/** What exportOrg needs from the previous snapshot's manifest (a Manifest satisfies it). */
export interface IncrementalBase {
  /** When the base run started: deletions are fetched from a little before it. */
  startedAt: string;
  objects: ReadonlyArray<{ name: string; status: string; fields: string[]; watermark: string | null }>;
}

/** Opens the sink of one object; `incremental` sinks merge into the base (writer.object fits). */
export type SinkFactory = (schema: ObjectSchema, opts: { incremental: boolean }) => ObjectSink | Promise<ObjectSink>;

export interface ExportProgress {
  object: string;
  phase: 'started' | 'rows' | 'done' | 'failed' | 'skipped';
  api: 'bulk' | 'rest' | null;
  rows: number;
  /** Rows per second since the object started. */
  rowsPerSec: number;
  fullExport: boolean;
}

export interface ExportOptions extends SelectionOptions, BulkTuning {
  /** Objects exported at the same time (Bulk jobs in flight). */
  concurrency?: number;
  /** Where result pages are parsed; exportOrg makes (and closes) a worker pool when not given. */
  parsePool?: ParsePool;
  /** Share of DailyApiRequests.Max the org may have used before the run stops starting work. */
  apiShare?: number;
  /** Makes the run incremental. */
  base?: IncrementalBase;
  retry?: RetryPolicy;
  onProgress?: (p: ExportProgress) => void;
  /** Each transient failure that is being retried (for a log line). */
  onRetry?: (object: string | null, err: unknown) => void;
  /** Minimum interval between 'rows' progress events of one object. */
  progressIntervalMs?: number;
}

export interface ObjectResult {
  name: string;
  api: 'bulk' | 'rest' | null;
  rows: number;
  status: 'ok' | 'failed' | 'skipped';
  error?: SalesforceError;
  /** True when all rows were fetched (always in full runs; in incremental runs when the object could not be merged). */
  fullExport: boolean;
  /** Why an incremental run exported this object in full. */
  fullReason?: string;
  countCheck: number | null;
  watermark: string | null;
  /** Ids removed since the base (incremental runs). */
  deletedIds: number;
  durationMs: number;
}

export interface ExportResult {
  objects: ObjectResult[];
  /** Requests this run sent to the org. */
  apiCallsUsed: number;
  /** DailyApiRequests left after the run, as Salesforce last reported it. */
  apiRemaining: number | null;
  apiMax: number | null;
  /** Set when the run stopped early on its API budget. */
  budgetExceeded?: BudgetExceededError;
}

/**
 * getDeleted's window starts this long before the base run started: latestDateCovered trails the
 * clock by a minute or two, and the manifest keeps no coverage date of its own. Overlap is harmless
 * because every candidate is checked against queryAll (stillGone). Rows that were already in the
 * Recycle Bin at the base and are purged since keep their old deletedDate, so no window shows
 * them: the periodic full run removes those.
 */
const DELETED_OVERLAP_MS = 15 * 60_000;
/** getDeleted serves at most 30 days back. */
const REPLICATION_DAYS = 29;
/** Calls one object takes at least (COUNT, create, poll, page, delete). */
const CALLS_PER_OBJECT = 5;

const limitsShape = (v: unknown): { used: number; max: number } | undefined => {
  if (!v || typeof v !== 'object') return undefined;
  const d = (v as Record<string, unknown>).DailyApiRequests;
  if (!d || typeof d !== 'object') return undefined;
  const { Max, Remaining } = d as Record<string, unknown>;
  return typeof Max === 'number' && typeof Remaining === 'number' ? { used: Max - Remaining, max: Max } : undefined;
};

function fieldIndex(schema: ObjectSchema, name: string): number {
  return schema.fields.findIndex((f) => f.name === name);
}

function laterStamp(a: string | null, b: string): string {
  if (b === '') return a ?? '';
  if (a === null || a === '') return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function soqlDateTime(iso: string): string {
  return new Date(Date.parse(iso)).toISOString();
}

/** A failure as the report shows it: typed, with a remedy. */
export function asSalesforceError(err: unknown, object: string | null, loginUrl: string): SalesforceError {
  if (err instanceof SalesforceError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  if (/^Unable to refresh session/.test(e.message) || ['invalid_grant', 'invalid_client_id', 'invalid_client'].includes(e.name)) {
    return classifyAuthError(err, loginUrl);
  }
  const where = object ? ` while exporting ${object}` : '';
  if (isTransient(err)) {
    return new TransientError({
      reason:
        e instanceof SalesforceHttpError && (e.status === 429 || e.errorCode === 'REQUEST_LIMIT_EXCEEDED')
          ? 'rate_limited'
          : e instanceof SalesforceHttpError
            ? 'server_error'
            : 'network',
      message: `Salesforce kept failing${where} after retries: ${e.message}`,
      remedy: 'Run the backup again later; check https://status.salesforce.com if it persists.',
      cause: err,
    });
  }
  if (e instanceof SalesforceHttpError && e.errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    return new TransientError({
      reason: 'rate_limited',
      message: `The org's daily API allowance is spent${where}: ${e.message}`,
      remedy: "Run the backup again after the org's 24-hour API allowance recovers.",
      cause: err,
    });
  }
  return new TransientError({
    reason: 'unexpected_response',
    message: `Salesforce refused a request${where}: ${e.message}`,
    remedy: object
      ? `If ${object} cannot be exported by this user, exclude it (or give the user read access); otherwise report it with this message.`
      : 'Report it with this message.',
    cause: err,
  });
}

/** Stops the whole run: nothing further can succeed without a person fixing credentials. */
function isFatal(err: SalesforceError): boolean {
  return err instanceof ReauthRequiredError || err instanceof MisconfiguredError || err.state === 'app_pending';
}

interface Plan {
  incremental: boolean;
  fullReason?: string;
  where: string;
  deletedWindow?: { start: Date; end: Date };
}

function planMode(obj: PlannedObject, base: IncrementalBase | undefined, now: number): Plan {
  if (!base) return { incremental: false, where: '' };
  const fields = obj.schema.fields.map((f) => f.name);
  const prev = base.objects.find((o) => o.name === obj.name);
  const full = (fullReason: string): Plan => ({ incremental: false, fullReason, where: '' });
  if (!prev) return full('new since the previous snapshot');
  if (prev.status !== 'ok') return full('failed in the previous snapshot');
  if (prev.fields.join(',') !== fields.join(',')) return full('its fields changed since the previous snapshot');
  if (!fields.includes('SystemModstamp')) return full('it has no SystemModstamp to filter on');
  if (!obj.replicateable) return full('Salesforce does not report its deletions (not replicateable)');
  const start = Date.parse(base.startedAt) - DELETED_OVERLAP_MS;
  if (Number.isNaN(start) || now - start > REPLICATION_DAYS * 86_400_000)
    return full('the previous snapshot is older than the 30 days Salesforce keeps deletions');
  const watermark = prev.watermark;
  // Salesforce clamps the end to what it has covered; ahead of the local clock covers clock skew.
  const end = Math.max(now, watermark ? Date.parse(watermark) : 0) + 86_400_000;
  return {
    incremental: true,
    where: watermark ? ` WHERE SystemModstamp > ${soqlDateTime(watermark)}` : '',
    deletedWindow: { start: new Date(start), end: new Date(end) },
  };
}

export async function exportOrg(conn: Connection, sinkFactory: SinkFactory, options: ExportOptions = {}): Promise<ExportResult> {
  const retry = options.retry ?? DEFAULT_RETRY;
  const budget = new ApiBudget(options.apiShare ?? 0.5);
  const api = new SalesforceApi(conn, budget);
  const loginUrl = conn.oauth2?.loginUrl ?? conn.instanceUrl;
  const onRetry = (object: string | null) => (err: unknown) => options.onRetry?.(object, err);

  budget.observe(limitsShape(await withRetry(() => api.json<unknown>({ path: '/limits' }), retry, onRetry(null))));
  try {
    budget.check(0);
  } catch (err) {
    if (!(err instanceof BudgetExceededError)) throw err;
    return { objects: [], apiCallsUsed: budget.callsMade, apiRemaining: budget.remaining ?? null, apiMax: budget.max ?? null, budgetExceeded: err };
  }
  const planned = await planObjects(api, { ...options, retry });
  const ownPool = options.parsePool ? undefined : createParsePool();
  if (ownPool) options = { ...options, parsePool: ownPool };
  try {
    return await exportPlanned(api, planned, sinkFactory, options, retry, budget, loginUrl, onRetry);
  } finally {
    await ownPool?.close();
  }
}

async function exportPlanned(
  api: SalesforceApi,
  planned: PlannedObject[],
  sinkFactory: SinkFactory,
  options: ExportOptions,
  retry: RetryPolicy,
  budget: ApiBudget,
  loginUrl: string,
  onRetry: (object: string | null) => (err: unknown) => void,
): Promise<ExportResult> {
  let stop: SalesforceError | undefined;
  const results = await mapBounded(planned, options.concurrency ?? 6, async (obj): Promise<ObjectResult> => {
    const started = Date.now();
    const skipped = (error: SalesforceError): ObjectResult => {
      options.onProgress?.({ object: obj.name, phase: 'skipped', api: null, rows: 0, rowsPerSec: 0, fullExport: false });
      return {
        name: obj.name,
        api: null,
        rows: 0,
        status: 'skipped',
        error,
        fullExport: false,
        countCheck: null,
        watermark: null,
        deletedIds: 0,
        durationMs: 0,
      };
    };
    if (stop) return skipped(stop);
    try {
      budget.check(CALLS_PER_OBJECT);
    } catch (err) {
      stop = err as BudgetExceededError;
      return skipped(stop);
    }
    return exportObject(api, obj, sinkFactory, options, retry, onRetry(obj.name), started).catch((err: unknown) => {
      // The budget ran out mid-object: it was aborted, like the ones not started.
      if (err instanceof BudgetExceededError) {
        stop ??= err;
        return { ...skipped(err), durationMs: Date.now() - started };
      }
      const error = asSalesforceError(err, obj.name, loginUrl);
      if (isFatal(error)) stop ??= error;
      return {
        name: obj.name,
        api: null,
        rows: 0,
        status: 'failed' as const,
        error,
        fullExport: true,
        countCheck: null,
        watermark: null,
        deletedIds: 0,
        durationMs: Date.now() - started,
      };
    });
  });

  return {
    objects: results,
    apiCallsUsed: budget.callsMade,
    apiRemaining: budget.remaining ?? null,
    apiMax: budget.max ?? null,
    ...(stop instanceof BudgetExceededError ? { budgetExceeded: stop } : {}),
  };
}

async function openSink(sinkFactory: SinkFactory, schema: ObjectSchema, plan: Plan): Promise<{ sink: ObjectSink; plan: Plan }> {
  if (!plan.incremental) return { sink: await sinkFactory(schema, { incremental: false }), plan };
  try {
    return { sink: await sinkFactory(schema, { incremental: true }), plan };
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'IncrementalNotPossibleError') throw err;
    const full: Plan = { incremental: false, fullReason: err.message, where: '' };
    return { sink: await sinkFactory(schema, { incremental: false }), plan: full };
  }
}

async function exportObject(
  api: SalesforceApi,
  obj: PlannedObject,
  sinkFactory: SinkFactory,
  options: ExportOptions,
  retry: RetryPolicy,
  onRetry: (err: unknown) => void,
  started: number,
): Promise<ObjectResult> {
  const fields = obj.schema.fields.map((f) => f.name);
  let plan = planMode(obj, options.base, Date.now());

  // Deletions first: if Salesforce no longer has the whole window, the object must be exported in full.
  let deletedCandidates: Set<string> | undefined;
  if (plan.incremental && plan.deletedWindow) {
    const { start, end } = plan.deletedWindow;
    const res = await withRetry(() => api.jsforce((c) => c.sobject(obj.name).deleted(start, end)), retry, onRetry);
    const earliest = Date.parse(res.earliestDateAvailable);
    if (!Number.isNaN(earliest) && earliest > start.getTime()) {
      plan = { incremental: false, fullReason: 'Salesforce no longer has the deletion history since the previous snapshot', where: '' };
    } else {
      deletedCandidates = new Set(res.deletedRecords.map((r) => r.id));
    }
  }

  const opened = await openSink(sinkFactory, obj.schema, plan);
  const sink = opened.sink;
  plan = opened.plan;
  const fullExport = !plan.incremental;
  let api_: 'bulk' | 'rest' = 'bulk';
  let rows = 0;
  let lastProgress = 0;
  const progress = (phase: ExportProgress['phase']) => {
    const secs = (Date.now() - started) / 1000;
    options.onProgress?.({ object: obj.name, phase, api: api_, rows, rowsPerSec: secs > 0 ? Math.round(rows / secs) : 0, fullExport });
  };
  progress('started');

  try {
    // The count runs beside the export (one round trip less per object); both see the same moment
    // closely enough, and the snapshot reports any difference.
    const counting = withRetry(
      () => api.json<{ totalSize: number }>({ path: `/queryAll?q=${encodeURIComponent(`SELECT COUNT() FROM ${obj.name}`)}` }),
      retry,
      onRetry,
    );
    counting.catch(() => {});

    const stampAt = fieldIndex(obj.schema, 'SystemModstamp');
    const base = options.base?.objects.find((o) => o.name === obj.name);
    let watermark: string | null = plan.incremental ? (base?.watermark ?? null) : null;
    const interval = options.progressIntervalMs ?? 1000;
    const layout: RowLayout = {
      object: obj.name,
      width: fields.length,
      isDeletedIndex: fields.indexOf('IsDeleted'),
      stampIndex: stampAt,
      keyHex: sink.keyHex,
      wantIds: deletedCandidates !== undefined && deletedCandidates.size > 0,
    };
    const receiver: RowReceiver = {
      async rows(batch) {
        if (batch.maxStamp !== null) watermark = laterStamp(watermark, batch.maxStamp);
        // A row still in the org (live or in the Recycle Bin) was not purged, whatever getDeleted says.
        if (deletedCandidates && batch.ids) for (const id of batch.ids) deletedCandidates.delete(id);
        await sink.writeEncoded(batch);
        rows += batch.count;
        if (Date.now() - lastProgress >= interval) {
          lastProgress = Date.now();
          progress('rows');
        }
      },
    };

    const common = { object: obj.name, fields, where: plan.where, layout, retry, onRetry };
    try {
      await bulkExport(api, { ...common, ...bulkTuning(options), ...(options.parsePool ? { pool: options.parsePool } : {}) }, receiver);
    } catch (err) {
      if (!(err instanceof BulkUnsupportedError)) throw err;
      api_ = 'rest';
      await restExport(api, { ...common, types: new Map(obj.schema.fields.map((f) => [f.name, f.type])) }, receiver);
    }

    const countRes = await counting;
    const countCheck = typeof countRes?.totalSize === 'number' ? countRes.totalSize : null;

    let deletedIds = 0;
    if (deletedCandidates && deletedCandidates.size > 0) {
      const gone = await stillGone(api, obj.name, [...deletedCandidates], retry, onRetry);
      if (gone.length > 0) await sink.deleteIds(gone);
      deletedIds = gone.length;
    }

    await sink.close({ api: api_, countCheck, watermark: watermark === '' ? null : watermark });
    progress('done');
    return {
      name: obj.name,
      api: api_,
      rows,
      status: 'ok',
      fullExport,
      ...(plan.fullReason ? { fullReason: plan.fullReason } : {}),
      countCheck,
      watermark: watermark === '' ? null : watermark,
      deletedIds,
      durationMs: Date.now() - started,
    };
  } catch (err) {
    progress('failed');
    await sink.abort(err instanceof Error ? err.message : String(err)).catch(() => {});
    throw err;
  }
}

/**
 * getDeleted lists soft deletes too, and its window overlaps the base snapshot's run. An id that
 * queryAll still returns is live or in the Recycle Bin and stays in the snapshot; the rest are gone.
 */
async function stillGone(api: SalesforceApi, object: string, ids: string[], retry: RetryPolicy, onRetry: (err: unknown) => void): Promise<string[]> {
  const gone: string[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const q = `SELECT Id FROM ${object} WHERE Id IN (${chunk.map((id) => `'${id.replace(/[^A-Za-z0-9]/g, '')}'`).join(',')})`;
    const present = new Set<string>();
    let next: string | undefined = `/queryAll?q=${encodeURIComponent(q)}`;
    while (next) {
      const path: string = next;
      const page = await withRetry(() => api.json<{ done: boolean; nextRecordsUrl?: string; records: { Id: string }[] }>({ path }), retry, onRetry);
      for (const r of page.records) present.add(r.Id);
      next = page.done ? undefined : page.nextRecordsUrl;
    }
    // Ids compare on their first 15 characters: getDeleted and queryAll may differ in the suffix.
    const present15 = new Set([...present].map((id) => id.slice(0, 15)));
    for (const id of chunk) if (!present15.has(id.slice(0, 15))) gone.push(id);
  }
  return gone;
}
