// Which failures are worth another attempt, and the one backoff policy every exporter call shares.
// Salesforce sheds load with 5xx pages, 429/420 and REQUEST_LIMIT_EXCEEDED (ConcurrentPerOrgLongTxn),
// and long result downloads die with reset sockets or go silent; all of those heal by waiting. The
// daily allowance (REQUEST_LIMIT_EXCEEDED for TotalRequests) does not: it frees up over hours.
import { type BackoffPolicy, retryTransient } from '../../runtime/backoff.ts';

/** An HTTP answer from Salesforce that was not 2xx, with the `errorCode` of its JSON envelope. */
export class SalesforceHttpError extends Error {
  override readonly name = 'SalesforceHttpError';
  readonly status: number;
  readonly errorCode: string;
  /** The body was an HTML page (a maintenance page or a proxy's answer), not Salesforce's JSON. */
  readonly html: boolean;

  constructor(status: number, errorCode: string, message: string, options: { html?: boolean } = {}) {
    super(`${errorCode}: ${message} (HTTP ${status})`);
    this.status = status;
    this.errorCode = errorCode;
    this.html = options.html ?? false;
  }
}

/** No byte from Salesforce for `idleMs` while a request waited for its answer or its next chunk. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'ETIMEDOUT';
  readonly label: string;
  readonly idleMs: number;

  constructor(label: string, idleMs: number) {
    super(`No answer from Salesforce for ${seconds(idleMs)} on ${label}`);
    this.label = label;
    this.idleMs = idleMs;
  }
}

/** A transient failure that kept coming back until the retries ran out; `cause` is the last one. */
export class RetriesExhaustedError extends Error {
  override readonly name = 'RetriesExhaustedError';
  /** Tries made, the first included. */
  readonly attempts: number;
  /** From the first try to the last failure. */
  readonly elapsedMs: number;
  readonly last: unknown;

  constructor(last: unknown, attempts: number, elapsedMs: number) {
    super(`${last instanceof Error ? last.message : String(last)} (${attempts} tries in ${duration(elapsedMs)})`, { cause: last });
    this.attempts = attempts;
    this.elapsedMs = elapsedMs;
    this.last = last;
  }
}

/** `0.3 s`, `12 s`. */
export function seconds(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 1000)} s`;
}

/** `40 s`, `3 minutes`. */
export function duration(ms: number): string {
  if (ms < 90_000) return seconds(ms);
  const minutes = Math.round(ms / 60_000);
  return minutes < 120 ? `${minutes} minutes` : `${Math.round(minutes / 60)} hours`;
}

const NETWORK = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up|fetch failed|terminated|other side closed|UND_ERR_|premature close|aborted/i;

function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c: unknown = err; c !== undefined && c !== null && out.length < 6; c = c instanceof Error ? c.cause : undefined) out.push(c);
  return out;
}

/** REQUEST_LIMIT_EXCEEDED for the org's daily allowance (TotalRequests), which lasts hours. */
export function isDailyLimit(err: unknown): boolean {
  for (const c of chain(err)) {
    if (c instanceof SalesforceHttpError && c.errorCode === 'REQUEST_LIMIT_EXCEEDED') return /TotalRequests/i.test(c.message);
    if (c instanceof Error && c.name === 'REQUEST_LIMIT_EXCEEDED') return /TotalRequests/i.test(c.message);
  }
  return false;
}

/** True when waiting and trying again can succeed. The daily quota (TotalRequests) is not: it lasts hours. */
export function isTransient(err: unknown): boolean {
  for (const c of chain(err)) {
    // Retried already, as long as the policy allowed: an outer loop must not start over.
    if (c instanceof RetriesExhaustedError) return false;
    if (c instanceof RequestTimeoutError) return true;
    if (c instanceof SalesforceHttpError) {
      if (c.status >= 500 || c.status === 429 || c.status === 420) return true;
      if (c.errorCode === 'REQUEST_LIMIT_EXCEEDED') return !/TotalRequests/i.test(c.message);
      if (c.errorCode === 'SERVER_UNAVAILABLE' || c.errorCode === 'UNKNOWN_EXCEPTION' || c.errorCode === 'UNEXPECTED_RESPONSE') return true;
      return false;
    }
    if (!(c instanceof Error)) continue;
    // jsforce names errors after the errorCode, or ERROR_HTTP_<status> for bodies that are not JSON.
    if (/^ERROR_HTTP_(5\d\d|429|420)$/.test(c.name)) return true;
    if (c.name === 'REQUEST_LIMIT_EXCEEDED') return !/TotalRequests/i.test(c.message);
    if (c.name === 'SERVER_UNAVAILABLE' || c.name === 'UNKNOWN_EXCEPTION') return true;
    const code = 'code' in c && typeof c.code === 'string' ? c.code : '';
    if (NETWORK.test(code) || NETWORK.test(c.message)) return true;
  }
  return false;
}

export type RetryPolicy = BackoffPolicy;

export const DEFAULT_RETRY: RetryPolicy = { retries: 6, minTimeoutMs: 500, maxTimeoutMs: 30_000 };

/**
 * Runs `fn` again after transient failures, with exponential backoff and jitter. `onRetry` hears
 * each failure that will be retried (for logs and counters). Other errors pass through at once; a
 * transient failure that outlasts the retries comes out as RetriesExhaustedError (how long, how
 * many tries), so the report can say so. An aborted `signal` ends the waiting at once and is never
 * retried: the run is being stopped.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (err: unknown, attempt: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  const started = Date.now();
  let attempts = 0;
  try {
    return await retryTransient(
      (attempt) => {
        attempts = attempt;
        signal?.throwIfAborted();
        return fn(attempt);
      },
      (err) => !signal?.aborted && isTransient(err),
      policy,
      onRetry,
      signal,
    );
  } catch (err) {
    if (!signal?.aborted && isTransient(err)) throw new RetriesExhaustedError(err, Math.max(1, attempts), Date.now() - started);
    throw err;
  }
}
