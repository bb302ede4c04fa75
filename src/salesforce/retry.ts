// Which failures are worth another attempt, and the one backoff policy every exporter call shares.
// Salesforce sheds load with 5xx pages, 429/420 and REQUEST_LIMIT_EXCEEDED (ConcurrentPerOrgLongTxn),
// and long result downloads die with reset sockets; all of those heal by waiting.
import { type BackoffPolicy, retryTransient } from '../runtime/backoff.ts';

/** An HTTP answer from Salesforce that was not 2xx, with the `errorCode` of its JSON envelope. */
export class SalesforceHttpError extends Error {
  override readonly name = 'SalesforceHttpError';
  readonly status: number;
  readonly errorCode: string;

  constructor(status: number, errorCode: string, message: string) {
    super(`${errorCode}: ${message} (HTTP ${status})`);
    this.status = status;
    this.errorCode = errorCode;
  }
}

const NETWORK = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up|fetch failed|terminated|other side closed|UND_ERR_|premature close|aborted/i;

function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c: unknown = err; c !== undefined && c !== null && out.length < 6; c = c instanceof Error ? c.cause : undefined) out.push(c);
  return out;
}

/** True when waiting and trying again can succeed. The daily quota (TotalRequests) is not: it lasts hours. */
export function isTransient(err: unknown): boolean {
  for (const c of chain(err)) {
    if (c instanceof SalesforceHttpError) {
      if (c.status >= 500 || c.status === 429 || c.status === 420) return true;
      if (c.errorCode === 'REQUEST_LIMIT_EXCEEDED') return !/TotalRequests/i.test(c.message);
      if (c.errorCode === 'SERVER_UNAVAILABLE' || c.errorCode === 'UNKNOWN_EXCEPTION') return true;
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
 * each failure that will be retried (for logs and counters). Other errors pass through at once.
 */
export function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (err: unknown, attempt: number) => void,
): Promise<T> {
  return retryTransient(fn, isTransient, policy, onRetry);
}
