// New or changed Connected Apps are unknown to Salesforce's login servers for 2-10 minutes
// (salesforce-api.md §1.7): every call answers `invalid_client_id`. Waiting that out is the only fix,
// so calls that meet it are retried with backoff until a window (default 10 minutes) has passed.
import { AppPendingError, type SalesforceError } from '../../runtime/auth-errors.ts';

export const DEFAULT_ACTIVATION_WINDOW_MS = 10 * 60_000;

export interface ActivationWindow {
  /** How long to keep trying after the first `app_pending` answer. */
  windowMs: number;
  /** Injected so tests can move an emulator's clock instead of waiting. */
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Hears each wait (for a progress line). */
  onWait?: (info: { waitedMs: number; nextMs: number; error: SalesforceError }) => void;
  /** Backoff steps; the last one repeats. */
  delaysMs?: readonly number[];
  /** The error once the window has passed; by default an AppPendingError saying how long it waited. */
  giveUp?: (err: AppPendingError, waitedMs: number) => Error;
}

const DEFAULT_DELAYS = [5_000, 10_000, 20_000, 30_000];

/** Real time. An abort (Ctrl-C) ends a pause at once with `onAbort()`'s error. */
export function realActivationWindow(
  windowMs = DEFAULT_ACTIVATION_WINDOW_MS,
  onWait?: ActivationWindow['onWait'],
  abort?: { signal: AbortSignal; error: () => Error },
): ActivationWindow {
  return {
    windowMs,
    sleep: (ms) =>
      new Promise<void>((resolve, reject) => {
        if (abort?.signal.aborted) return reject(abort.error());
        const onAbort = () => {
          clearTimeout(timer);
          reject(abort?.error());
        };
        const timer = setTimeout(() => {
          abort?.signal.removeEventListener('abort', onAbort);
          resolve();
        }, ms);
        abort?.signal.addEventListener('abort', onAbort, { once: true });
      }),
    now: () => Date.now(),
    ...(onWait ? { onWait } : {}),
  };
}

/** Runs `fn`; while it fails with app_pending, waits and tries again until the window has passed. */
export async function withinActivationWindow<T>(fn: () => Promise<T>, w: ActivationWindow): Promise<T> {
  const delays = w.delaysMs ?? DEFAULT_DELAYS;
  let started: number | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof AppPendingError)) throw err;
      started ??= w.now();
      const waitedMs = w.now() - started;
      const nextMs = Math.min(delays[Math.min(attempt, delays.length - 1)] ?? 30_000, Math.max(0, w.windowMs - waitedMs));
      if (nextMs <= 0 || waitedMs >= w.windowMs) {
        if (w.giveUp) throw w.giveUp(err, waitedMs);
        throw new AppPendingError({
          reason: err.reason,
          message: `${err.message} Still not active after waiting ${Math.round(waitedMs / 1000)} seconds.`,
          remedy:
            'If the Connected App was created or its consumer key changed just now, wait a few more minutes and run the command again (Salesforce can take up to 10 minutes). Otherwise check that the client id is the Consumer Key of the app in this org.',
          context: { ...err.context, waitedMs },
          cause: err,
        });
      }
      w.onWait?.({ waitedMs, nextMs, error: err });
      await w.sleep(nextMs);
    }
  }
}
