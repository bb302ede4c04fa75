import { randomBytes } from 'node:crypto';
import { sendEmpty, sendJson } from '../http/respond.ts';
import type { Ctx } from '../http/router.ts';

const HOUR_MS = 3600 * 1000;
export const RATE_LIMIT = 5000;

/** Headers every api.github.com answer carries; the rate-limit counters are per token and per hour. */
export function restHeaders(ctx: Ctx): Record<string, string> {
  const headers: Record<string, string> = {
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
  };
  if (ctx.auth) {
    const now = ctx.state.clock.now();
    let bucket = ctx.state.rate.get(ctx.auth.token);
    if (!bucket || now >= bucket.resetAt) {
      bucket = { resetAt: now + HOUR_MS, used: 0 };
      ctx.state.rate.set(ctx.auth.token, bucket);
    }
    bucket.used++;
    Object.assign(headers, {
      'x-ratelimit-limit': String(RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, RATE_LIMIT - bucket.used)),
      'x-ratelimit-reset': String(Math.floor(bucket.resetAt / 1000)),
      'x-ratelimit-used': String(bucket.used),
      'x-ratelimit-resource': 'core',
    });
  }
  return headers;
}

export function sendRest(ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(ctx.res, status, body, { ...restHeaders(ctx), ...headers });
}

export function sendRestEmpty(ctx: Ctx, status: number, headers: Record<string, string> = {}): void {
  sendEmpty(ctx.res, status, { ...restHeaders(ctx), ...headers });
}

/** `2020-01-10T14:59:22Z`: REST timestamps have whole seconds. */
export function restTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
