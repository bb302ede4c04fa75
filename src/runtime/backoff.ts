// Retrying with exponential backoff, the one way every client here does it (Salesforce calls,
// GitHub calls). Callers say which failures heal by waiting; everything else is rethrown at once,
// and the last transient failure is rethrown as it came, not wrapped.
import pRetry from 'p-retry';

export interface BackoffPolicy {
  /** Further attempts after the first. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

/** Carries a failure through p-retry, which gives up at once on TypeErrors it does not recognise. */
class Retryable extends Error {
  readonly original: unknown;
  constructor(original: unknown) {
    super(original instanceof Error ? original.message : String(original));
    this.original = original;
  }
}

export async function retryTransient<T>(
  fn: (attempt: number) => Promise<T>,
  isTransient: (err: unknown) => boolean,
  policy: BackoffPolicy,
  onRetry?: (err: unknown, attempt: number) => void,
  /** Ends the waiting between attempts at once; the promise rejects with the signal's reason. */
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await pRetry(
      async (attempt) => {
        try {
          return await fn(attempt);
        } catch (err) {
          throw isTransient(err) ? new Retryable(err) : err;
        }
      },
      {
        retries: policy.retries,
        minTimeout: policy.minTimeoutMs,
        maxTimeout: policy.maxTimeoutMs,
        factor: 2,
        randomize: true,
        ...(signal ? { signal } : {}),
        shouldRetry: ({ error }) => error instanceof Retryable,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (error instanceof Retryable && retriesLeft > 0) onRetry?.(error.original, attemptNumber);
        },
      },
    );
  } catch (err) {
    throw err instanceof Retryable ? err.original : err;
  }
}
