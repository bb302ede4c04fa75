// Retrying with backoff, the one way every loop here does it: Salesforce and GitHub calls, logins,
// secret writes and branch pushes refused because another job moved the branch. Callers say which
// failures heal by waiting and how long to wait; everything else is rethrown at once, and the last
// retryable failure is rethrown as it came, not wrapped. The pause is injectable, so a test can
// run the loop on its own clock.

export interface BackoffPolicy {
  /** Further attempts after the first. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export interface RetryOptions {
  /** Further attempts after the first. */
  retries: number;
  /** Whether this failure is worth another attempt. */
  retryable: (err: unknown) => boolean;
  /** The pause after failed attempt `attempt` (1-based) before the next one. */
  delayMs: (attempt: number) => number;
  /** Hears each failure that will be retried, with the pause that follows. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Ends the waiting between attempts at once; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The loop itself: attempt, and on a retryable failure pause and attempt again, `retries` times at most. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      const result = await fn(attempt);
      opts.signal?.throwIfAborted();
      return result;
    } catch (err) {
      if (opts.signal?.aborted || attempt > opts.retries || !opts.retryable(err)) throw err;
      const delayMs = Math.max(0, opts.delayMs(attempt));
      opts.onRetry?.(err, attempt, delayMs);
      await sleep(delayMs, opts.signal);
    }
  }
}

/**
 * Exponential pauses with jitter: after attempt n, minTimeoutMs · 2ⁿ⁻¹ scaled by a random factor in
 * [1, 2), at most maxTimeoutMs. The jitter keeps clients that failed together (matrix jobs that
 * pushed at once, requests throttled together) from retrying in lockstep.
 */
export function jitteredExponential(
  policy: Pick<BackoffPolicy, 'minTimeoutMs' | 'maxTimeoutMs'>,
  random: () => number = Math.random,
): (attempt: number) => number {
  return (attempt) => Math.min(Math.round((1 + random()) * policy.minTimeoutMs * 2 ** (attempt - 1)), policy.maxTimeoutMs);
}

/** Exponential pauses without jitter: base, 2·base, 4·base, … (a person reads them in a log). */
export function doubling(baseMs: number): (attempt: number) => number {
  return (attempt) => baseMs * 2 ** (attempt - 1);
}

/** `retry` with the jittered exponential policy the API clients share. */
export function retryTransient<T>(
  fn: (attempt: number) => Promise<T>,
  isTransient: (err: unknown) => boolean,
  policy: BackoffPolicy,
  onRetry?: (err: unknown, attempt: number) => void,
  /** Ends the waiting between attempts at once; the promise rejects with the signal's reason. */
  signal?: AbortSignal,
): Promise<T> {
  return retry(fn, {
    retries: policy.retries,
    retryable: isTransient,
    delayMs: jitteredExponential(policy),
    ...(onRetry ? { onRetry: (err: unknown, attempt: number) => onRetry(err, attempt) } : {}),
    ...(signal ? { signal } : {}),
  });
}
