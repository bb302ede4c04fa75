// Waiting out a Connected App's activation window: only app_pending is retried, for as long as the
// window lasts, and a Ctrl-C ends a pause.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppPendingError, ReauthRequiredError } from '../../../src/runtime/auth-errors.ts';
import { type ActivationWindow, realActivationWindow, withinActivationWindow } from '../../../src/salesforce/auth/activation-window.ts';

const pending = () => new AppPendingError({ reason: 'client_unknown', message: 'Salesforce does not know this consumer key.', remedy: 'wait' });

function fakeClock(windowMs: number): ActivationWindow & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    windowMs,
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('withinActivationWindow', () => {
  test('retries app_pending with growing pauses until the call succeeds', async () => {
    const w = fakeClock(600_000);
    let calls = 0;
    const waits: number[] = [];
    const result = await withinActivationWindow(
      async () => {
        calls++;
        if (w.now() < 100_000) throw pending();
        return 'ok';
      },
      { ...w, onWait: ({ nextMs }) => waits.push(nextMs) },
    );
    assert.equal(result, 'ok');
    assert.deepEqual(w.slept.slice(0, 4), [5_000, 10_000, 20_000, 30_000]);
    assert.deepEqual(waits, w.slept);
    assert.equal(calls, w.slept.length + 1);
  });

  test('gives up as app_pending once the window has passed, saying how long it waited', async () => {
    const w = fakeClock(60_000);
    await assert.rejects(
      withinActivationWindow(async () => {
        throw pending();
      }, w),
      (e: unknown) => e instanceof AppPendingError && /after waiting 60 seconds/.test(e.message) && e.context.waitedMs === 60_000,
    );
    assert.equal(
      w.slept.reduce((a, b) => a + b, 0),
      60_000,
      'never waits past the window',
    );
  });

  test('any other failure is thrown at once', async () => {
    const w = fakeClock(600_000);
    const dead = new ReauthRequiredError({ reason: 'token_expired_or_revoked', message: 'dead', remedy: 'reauth' });
    await assert.rejects(
      withinActivationWindow(async () => {
        throw dead;
      }, w),
      (e) => e === dead,
    );
    assert.deepEqual(w.slept, []);
  });

  test('an abort ends a real pause with the caller’s error', async () => {
    const controller = new AbortController();
    const w = realActivationWindow(600_000, undefined, { signal: controller.signal, error: () => new Error('cancelled') });
    const pause = w.sleep(60_000);
    controller.abort();
    await assert.rejects(pause, /cancelled/);
  });
});
