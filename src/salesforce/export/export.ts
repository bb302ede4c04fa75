// exportOrg: every exportable object of an org into the snapshot's sinks. Plans the objects
// (describe.ts), runs a bounded number at a time through Bulk API 2.0 (REST when Bulk refuses the
// object), checks row counts against SELECT COUNT(), keeps a SystemModstamp watermark per object,
// and in incremental runs fetches only what changed since the base snapshot plus the deletions.
// One failing object is aborted and reported; the others go on. The run stops starting new objects
// before it spends more than its share of the org's daily API requests.
//
// Some failures are the org's or the API's, not an object's, and end the whole run at once (every
// object in flight is aborted, nothing is published) with the classified error thrown out of
// exportOrg: a token or user that died mid-run (reauth_required), a setting that is wrong
// (misconfigured), an API that kept failing until the retries ran out (transient: 5xx, maintenance
// pages, silence, dropped connections), and the org's spent daily allowance (transient,
// rate_limited; not retried: it frees up over hours). An object-specific refusal (a field the user
// cannot read, a Bulk job that failed) stays that object's failure and the others go on.
import type { Connection } from 'jsforce';
import { z } from 'zod';
import { MisconfiguredError, ReauthRequiredError, SalesforceError, TransientError } from '../../runtime/auth-errors.ts';
import { ProductError } from '../../runtime/errors.ts';
import type { ObjectSchema, ObjectSink } from '../../snapshot/contracts.ts';
import type { RowLayout } from '../../snapshot/encoded.ts';
import { SnapshotError } from '../../snapshot/errors.ts';
import { classifyAuthError } from '../auth/connection.ts';
import { createParsePool, type ParsePool } from '../bulk-csv/parse-pool.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_WAIT_NOTICE_MS, SalesforceApi } from './api-client.ts';
import { ApiBudget, BudgetExceededError } from './budget.ts';
import { type BulkTuning, BulkUnsupportedError, bulkExport, bulkTuning, type RowReceiver } from './bulk-export.ts';
import { mapBounded, type PlannedObject, planObjects, type SelectionOptions } from './describe.ts';
import { restExport } from './rest-export.ts';
import {
  DEFAULT_RETRY,
  duration,
  isDailyLimit,
  isTransient,
  RequestTimeoutError,
  RetriesExhaustedError,
  type RetryPolicy,
  SalesforceHttpError,
  withRetry,
} from './retry.ts';

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
  /** Silence from Salesforce after which a request is given up and retried (default 2 minutes). */
  requestTimeoutMs?: number;
  /** Silence after which `onNotice` hears that the run is waiting (default 30 s). */
  waitNoticeMs?: number;
  /** Lines worth a log entry that are not progress: "no answer from Salesforce for 30 s on …". */
  onNotice?: (message: string) => void;
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

const STATUS_PAGE = 'https://status.salesforce.com';

/** What Salesforce kept answering, for a person: `HTTP 503 with an HTML page (maintenance?)`. */
function answered(err: unknown): { what: string; reason: 'server_error' | 'unexpected_response' | 'network' | 'rate_limited' } {
  if (err instanceof RequestTimeoutError) return { what: `no answer for ${duration(err.idleMs)} on ${err.label}`, reason: 'network' };
  if (err instanceof SalesforceHttpError) {
    if (err.errorCode === 'UNEXPECTED_RESPONSE')
      return {
        what: `HTTP ${err.status} with ${err.html ? 'an HTML page (maintenance, or a proxy in the way?)' : 'a body that is not JSON'}`,
        reason: 'unexpected_response',
      };
    if (err.status === 429 || err.status === 420 || err.errorCode === 'REQUEST_LIMIT_EXCEEDED')
      return { what: `HTTP ${err.status} ${err.errorCode} (${err.message.replace(/^[A-Z_]+: /, '').replace(/ \(HTTP \d+\)$/, '')})`, reason: 'rate_limited' };
    if (err.html) return { what: `HTTP ${err.status} with an HTML page (maintenance?)`, reason: 'server_error' };
    return { what: `HTTP ${err.status} ${err.errorCode}`, reason: 'server_error' };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const code = 'code' in e && typeof e.code === 'string' ? e.code : undefined;
  const cause = e.cause instanceof Error && 'code' in e.cause && typeof e.cause.code === 'string' ? e.cause.code : undefined;
  return { what: `a broken connection (${code ?? cause ?? e.message})`, reason: 'network' };
}

/** A transient failure that outlasted the retries: the API is down or unreachable for this org. */
function outageError(err: unknown, where: string): TransientError {
  const exhausted = err instanceof RetriesExhaustedError ? err : undefined;
  const last = exhausted ? exhausted.last : err;
  const tries = exhausted?.attempts ?? 1;
  const { what, reason } = answered(last);
  const span = exhausted ? ` for ${duration(exhausted.elapsedMs)}` : '';
  return new TransientError({
    reason,
    message: `Salesforce answered ${what}${where}${span}, ${tries} ${tries === 1 ? 'try' : 'tries'}; the run stopped and published nothing.`,
    remedy:
      `Salesforce answered ${what}${span}; the run retried ${tries - 1} ${tries - 1 === 1 ? 'time' : 'times'} and published nothing (the last good snapshot stays as it was). ` +
      `Run the backup again later, and check ${STATUS_PAGE} for maintenance or an incident on the org's instance.`,
    cause: err,
  });
}

/** The org's daily API allowance (TotalRequests) is spent: retrying only spends more of nothing. */
function dailyLimitError(err: unknown, where: string, usage?: { used?: number | undefined; max?: number | undefined }): TransientError {
  const counted = usage?.max ? ` (${usage.used ?? '?'} of ${usage.max} requests used in the last 24 hours)` : '';
  return new TransientError({
    reason: 'rate_limited',
    message: `Salesforce refused a request${where} with REQUEST_LIMIT_EXCEEDED: the org's daily API request limit (TotalRequests) is spent${counted}. The run stopped at once without retrying and published nothing.`,
    remedy:
      "The daily API request limit (TotalRequests) counts the org's API requests over a rolling 24 hours, so capacity comes back as the requests of 24 hours ago age out, not at a fixed time " +
      '(Setup > Company Information > API Requests, Last 24 Hours shows the count). Run the backup again in a few hours, lower how often backups or other integrations call the API, or ask Salesforce for a higher limit.',
    cause: err,
  });
}

/** jsforce's failures of a session refresh inside a data call, and the OAuth codes it throws. */
function isRefreshFailure(e: Error): boolean {
  return /^Unable to refresh session/.test(e.message) || ['invalid_grant', 'invalid_client_id', 'invalid_client'].includes(e.name);
}

/** A session Salesforce kept refusing after refreshing it: the token behind it is gone. */
function isDeadSession(err: unknown): boolean {
  return err instanceof SalesforceHttpError && err.status === 401 && err.errorCode === 'INVALID_SESSION_ID';
}

/** A failure as the report shows it: typed, with a remedy. */
export function asSalesforceError(
  err: unknown,
  object: string | null,
  loginUrl: string,
  usage?: { used?: number | undefined; max?: number | undefined },
): SalesforceError {
  if (err instanceof SalesforceError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  if (isRefreshFailure(e)) return classifyAuthError(err, loginUrl);
  const where = object ? ` while exporting ${object}` : '';
  if (isDeadSession(err)) {
    return new ReauthRequiredError({
      reason: 'token_expired_or_revoked',
      message: `Salesforce ended the session${where} and kept refusing it after a refresh (${e.message}): the refresh token was revoked or has expired.`,
      remedy: 'Re-authorize the org (log in to Salesforce again through the Connected App) and store the new refresh token in the secret.',
      cause: err,
    });
  }
  if (err instanceof RetriesExhaustedError || isTransient(err)) return outageError(err, where);
  if (isDailyLimit(err)) return dailyLimitError(err, where, usage);
  return new TransientError({
    reason: 'unexpected_response',
    message: `Salesforce refused a request${where}: ${e.message}`,
    remedy: object
      ? `If ${object} cannot be exported by this user, exclude it (or give the user read access); otherwise report it with this message.`
      : 'Report it with this message.',
    cause: err,
  });
}

/**
 * A local failure that carries its own state (a full disk: `disk_full`), not Salesforce's: it ends
 * the run and keeps that state, so the CLI's exit code and the message say what it is.
 */
function localState(err: unknown): boolean {
  // A snapshot failure inside one object's export (a bad row) fails that object, not the run.
  return err instanceof ProductError && !(err instanceof SalesforceError) && !(err instanceof SnapshotError);
}

/**
 * Ends the whole run, not just the object: nothing further can succeed without a person (credentials,
 * settings) or without time (an API outage, the daily allowance).
 */
function endsRun(raw: unknown, error: SalesforceError): boolean {
  if (isFatal(error)) return true;
  // Classified where it was thrown (a Bulk job that failed, columns that do not match): the object's.
  if (raw instanceof SalesforceError) return false;
  return raw instanceof RetriesExhaustedError || isTransient(raw) || isDailyLimit(raw) || isDeadSession(raw);
}

/** Failures before any object starts (limits, describe): classified when they are Salesforce's. */
function classifyRunError(err: unknown, loginUrl: string, budget: ApiBudget): unknown {
  if (err instanceof SalesforceError || localState(err)) return err;
  if (err instanceof SalesforceHttpError || err instanceof RetriesExhaustedError || isTransient(err) || isDailyLimit(err)) {
    return asSalesforceError(err, null, loginUrl, budget);
  }
  if (err instanceof Error && (isRefreshFailure(err) || /^[A-Z][A-Z0-9_]+$/.test(err.name))) return asSalesforceError(err, null, loginUrl, budget);
  return err;
}

const tuningSchema = z.strictObject({
  retries: z.number().int().min(0).max(20).optional(),
  retryMinMs: z.number().int().min(0).optional(),
  retryMaxMs: z.number().int().min(0).optional(),
  requestTimeoutMs: z.number().int().min(1).optional(),
  waitNoticeMs: z.number().int().min(1).optional(),
  pollIntervalMs: z.number().int().min(1).optional(),
  maxPollIntervalMs: z.number().int().min(1).optional(),
});

/**
 * SFBACKUP_EXPORT_TUNING, a JSON object of timing knobs (`{"retries":2,"retryMinMs":10,
 * "requestTimeoutMs":1000}`): what tests and benchmarks use to make retries and silence short
 * without waiting minutes. Options given in code win over it.
 */
export function exportTuningFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Pick<ExportOptions, 'retry' | 'requestTimeoutMs' | 'waitNoticeMs' | 'pollIntervalMs' | 'maxPollIntervalMs'> {
  const raw = env.SFBACKUP_EXPORT_TUNING;
  if (!raw) return {};
  let parsed: z.infer<typeof tuningSchema>;
  try {
    parsed = tuningSchema.parse(JSON.parse(raw));
  } catch (err) {
    throw new MisconfiguredError({
      reason: 'bad_input',
      message: `SFBACKUP_EXPORT_TUNING is not a valid tuning object: ${err instanceof Error ? err.message : String(err)}`,
      remedy: 'Unset SFBACKUP_EXPORT_TUNING, or set it to JSON such as {"retries":2,"requestTimeoutMs":60000}.',
    });
  }
  const { retries, retryMinMs, retryMaxMs, ...rest } = parsed;
  const retry =
    retries !== undefined || retryMinMs !== undefined || retryMaxMs !== undefined
      ? {
          retries: retries ?? DEFAULT_RETRY.retries,
          minTimeoutMs: retryMinMs ?? DEFAULT_RETRY.minTimeoutMs,
          maxTimeoutMs: Math.max(retryMaxMs ?? DEFAULT_RETRY.maxTimeoutMs, retryMinMs ?? 0),
        }
      : undefined;
  return { ...rest, ...(retry ? { retry } : {}) };
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

/**
 * Exports every planned object. Throws, with the classified error, when the run as a whole cannot
 * succeed (see the top of this file); returns per-object results otherwise.
 */
export async function exportOrg(conn: Connection, sinkFactory: SinkFactory, options: ExportOptions = {}): Promise<ExportResult> {
  options = { ...exportTuningFromEnv(), ...options };
  const retry = options.retry ?? DEFAULT_RETRY;
  const budget = new ApiBudget(options.apiShare ?? 0.5);
  // Aborted when the run ends early: every request in flight and every wait between retries stops.
  const run = new AbortController();
  const api = new SalesforceApi(conn, budget, {
    signal: run.signal,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    waitNoticeMs: options.waitNoticeMs ?? DEFAULT_WAIT_NOTICE_MS,
    ...(options.onNotice ? { onNotice: options.onNotice } : {}),
  });
  const loginUrl = conn.oauth2?.loginUrl ?? conn.instanceUrl;
  const onRetry = (object: string | null) => (err: unknown) => options.onRetry?.(object, err);

  try {
    budget.observe(limitsShape(await withRetry(() => api.json<unknown>({ path: '/limits', label: 'the org limits' }), retry, onRetry(null), run.signal)));
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
      return await exportPlanned(api, planned, sinkFactory, options, retry, budget, loginUrl, onRetry, run);
    } finally {
      await ownPool?.close();
    }
  } catch (err) {
    throw classifyRunError(err, loginUrl, budget);
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
  run: AbortController,
): Promise<ExportResult> {
  let stop: SalesforceError | undefined;
  /** The first failure that ends the run (see endsRun); thrown once every object has stopped. */
  let fatal: Error | undefined;
  const endRun = (err: Error): void => {
    if (fatal) return;
    fatal = err;
    run.abort(err);
  };
  const results = await mapBounded(planned, options.concurrency ?? 6, async (obj): Promise<ObjectResult> => {
    const started = Date.now();
    const skipped = (error: SalesforceError | undefined): ObjectResult => {
      options.onProgress?.({ object: obj.name, phase: 'skipped', api: null, rows: 0, rowsPerSec: 0, fullExport: false });
      return {
        name: obj.name,
        api: null,
        rows: 0,
        status: 'skipped',
        ...(error ? { error } : {}),
        fullExport: false,
        countCheck: null,
        watermark: null,
        deletedIds: 0,
        durationMs: 0,
      };
    };
    if (fatal) return skipped(fatal instanceof SalesforceError ? fatal : undefined);
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
      // Stopped because another object ended the run: that object's failure is the report.
      if (fatal) return { ...skipped(fatal instanceof SalesforceError ? fatal : undefined), durationMs: Date.now() - started };
      if (localState(err)) {
        endRun(err as Error);
        return { ...skipped(undefined), durationMs: Date.now() - started };
      }
      const error = asSalesforceError(err, obj.name, loginUrl, budget);
      if (endsRun(err, error)) {
        endRun(error);
        return { ...skipped(error), durationMs: Date.now() - started };
      }
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

  if (fatal) throw fatal;
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
    const res = await withRetry(() => api.jsforce((c) => c.sobject(obj.name).deleted(start, end)), retry, onRetry, api.signal);
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
      () =>
        api.json<{ totalSize: number }>({
          path: `/queryAll?q=${encodeURIComponent(`SELECT COUNT() FROM ${obj.name}`)}`,
          label: `the row count of ${obj.name}`,
        }),
      retry,
      onRetry,
      api.signal,
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
      const page = await withRetry(
        () => api.json<{ done: boolean; nextRecordsUrl?: string; records: { Id: string }[] }>({ path, label: `the deletion check of ${object}` }),
        retry,
        onRetry,
        api.signal,
      );
      for (const r of page.records) present.add(r.Id);
      next = page.done ? undefined : page.nextRecordsUrl;
    }
    // Ids compare on their first 15 characters: getDeleted and queryAll may differ in the suffix.
    const present15 = new Set([...present].map((id) => id.slice(0, 15)));
    for (const id of chunk) if (!present15.has(id.slice(0, 15))) gone.push(id);
  }
  return gone;
}
