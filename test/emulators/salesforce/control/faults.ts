import type { ServerResponse } from 'node:http';
import { htmlErrorPage, sendApiError, sendJson, sendText } from '../http/respond.ts';

/**
 * A fault injected on matching requests. `path` is a regular expression tested against the
 * normalised path (query string excluded). `skip` lets the first N matches through, then the
 * fault fires `times` times (default 1; 0 = until cleared).
 */
export interface FaultRule {
  id: number;
  method?: string;
  path: string;
  skip: number;
  times: number;
  /** What to do: */
  status?: number;
  /**
   * `html`: a maintenance page; `limit`: 403 REQUEST_LIMIT_EXCEEDED; `drop`: destroy the socket; `json`: body as given;
   * `delay`: answer normally after `delayMs`; `hold`: answer nothing until the test releases the rule
   * (`POST /__emu/faults/:id/release`, or `DELETE /__emu/faults`), then go on normally: a hung
   * connection, or a pause in which a test changes the org (revokes a token) while a client waits.
   */
  kind: 'status' | 'html' | 'limit' | 'drop' | 'json' | 'delay' | 'hold';
  errorCode?: string;
  message?: string;
  body?: unknown;
  delayMs?: number;
  /** Matches seen so far and faults fired. */
  seen: number;
  fired: number;
  /** Requests a `hold` rule is holding right now. */
  holding: number;
}

/** The requests each `hold` rule is holding: calling one lets its request go on. */
const held = new WeakMap<FaultRule, Set<() => void>>();

function releaseHeld(rule: FaultRule): number {
  const waiters = held.get(rule) ?? new Set();
  for (const go of waiters) go();
  held.delete(rule);
  rule.holding = 0;
  return waiters.size;
}

export type FaultInput = Partial<Omit<FaultRule, 'id' | 'seen' | 'fired'>> & { path: string };

export class FaultInjector {
  private rules: FaultRule[] = [];
  private nextId = 1;

  add(input: FaultInput): FaultRule {
    // Validate the regex up front so a bad pattern fails the control call, not a later request.
    new RegExp(input.path);
    const rule: FaultRule = {
      id: this.nextId++,
      ...(input.method ? { method: input.method.toUpperCase() } : {}),
      path: input.path,
      skip: input.skip ?? 0,
      times: input.times ?? 1,
      kind: input.kind ?? (input.delayMs && !input.status ? 'delay' : 'status'),
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.errorCode !== undefined ? { errorCode: input.errorCode } : {}),
      ...(input.message !== undefined ? { message: input.message } : {}),
      ...(input.body !== undefined ? { body: input.body } : {}),
      ...(input.delayMs !== undefined ? { delayMs: input.delayMs } : {}),
      seen: 0,
      fired: 0,
      holding: 0,
    };
    this.rules.push(rule);
    return rule;
  }

  /** Removes every rule and lets every held request go on. */
  clear(): void {
    for (const r of this.rules) releaseHeld(r);
    this.rules = [];
  }

  /** Lets the requests a `hold` rule holds go on; returns how many. */
  release(id: number): number {
    const rule = this.rules.find((r) => r.id === id);
    return rule ? releaseHeld(rule) : 0;
  }

  list(): FaultRule[] {
    return this.rules;
  }

  /** The rule that fires for this request, if any (counts the match). */
  take(method: string, path: string): FaultRule | undefined {
    for (const r of this.rules) {
      if (r.method && r.method !== method) continue;
      if (!new RegExp(r.path).test(path)) continue;
      r.seen++;
      if (r.seen <= r.skip) continue;
      if (r.times !== 0 && r.fired >= r.times) continue;
      r.fired++;
      return r;
    }
    return undefined;
  }
}

/** Plays a fault. Returns true when the response was handled (the request must not go on). */
export async function playFault(rule: FaultRule, res: ServerResponse): Promise<boolean> {
  if (rule.delayMs) await new Promise((r) => setTimeout(r, rule.delayMs));
  switch (rule.kind) {
    case 'delay':
      return false;
    case 'hold': {
      rule.holding++;
      await new Promise<void>((resolve) => {
        const waiters = held.get(rule) ?? new Set<() => void>();
        held.set(rule, waiters);
        waiters.add(resolve);
      });
      rule.holding = Math.max(0, rule.holding - 1);
      // The client may have given up meanwhile: nothing left to answer.
      return res.destroyed || (res.socket?.destroyed ?? true);
    }
    case 'drop':
      res.socket?.destroy();
      return true;
    case 'html': {
      const status = rule.status ?? 503;
      sendText(res, status, htmlErrorPage(status), 'text/html;charset=UTF-8');
      return true;
    }
    case 'limit':
      sendApiError(res, 403, 'REQUEST_LIMIT_EXCEEDED', rule.message ?? 'TotalRequests Limit exceeded.');
      return true;
    case 'json':
      sendJson(res, rule.status ?? 400, rule.body ?? null);
      return true;
    default: {
      const status = rule.status ?? 500;
      sendApiError(
        res,
        status,
        rule.errorCode ?? (status >= 500 ? 'UNKNOWN_EXCEPTION' : 'API_ERROR'),
        rule.message ??
          (status >= 500 ? 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567-8901 (-123456)' : 'Injected fault'),
      );
      return true;
    }
  }
}
