// The share of the org's daily API allowance a backup may spend. Salesforce counts every REST and
// Bulk call against DailyApiRequests; a backup that drains it locks the org's integrations out for
// the rest of the day, so the exporter stops starting work before it crosses its share.
import { SalesforceError } from '../../runtime/auth-errors.ts';

/** The run stopped starting new work because it reached its share of the daily API allowance. */
export class BudgetExceededError extends SalesforceError {
  override readonly name = 'BudgetExceededError';
  readonly state = 'transient';
  readonly used: number;
  readonly max: number;
  readonly limit: number;

  constructor(used: number, max: number, limit: number, share: number) {
    super({
      reason: 'rate_limited',
      message: `Stopped before exceeding the API budget: the org has used ${used} of its ${max} daily API requests and this backup may only go up to ${limit} (${Math.round(share * 100)}%).`,
      remedy: 'Run the backup again after the 24-hour allowance recovers, raise the api-budget share, or back up fewer objects (exclude some).',
    });
    this.used = used;
    this.max = max;
    this.limit = limit;
  }
}

/** Parses `api-usage=123/15000` from Sforce-Limit-Info. */
export function parseLimitInfo(header: string | null | undefined): { used: number; max: number } | undefined {
  const m = /api-usage=(\d+)\/(\d+)/.exec(header ?? '');
  return m ? { used: Number(m[1]), max: Number(m[2]) } : undefined;
}

export class ApiBudget {
  readonly share: number;
  /** Requests this run sent (each retry and replay counts: Salesforce counts them too). */
  callsMade = 0;
  used: number | undefined;
  max: number | undefined;

  constructor(share: number) {
    if (!(share > 0 && share <= 1)) throw new RangeError(`API budget share must be in (0, 1], got ${share}`);
    this.share = share;
  }

  /**
   * Records what Salesforce said about usage. Answers to concurrent requests arrive out of order
   * (and jsforce's conn.limitInfo lags ours), so the highest count seen wins.
   */
  observe(usage: { used: number; max: number } | undefined): void {
    if (!usage) return;
    this.used = this.used === undefined ? usage.used : Math.max(this.used, usage.used);
    this.max = usage.max;
  }

  charge(n = 1): void {
    this.callsMade += n;
  }

  get limit(): number | undefined {
    return this.max === undefined ? undefined : Math.floor(this.share * this.max);
  }

  get remaining(): number | undefined {
    return this.max === undefined || this.used === undefined ? undefined : Math.max(0, this.max - this.used);
  }

  /** Calls promised to clean-up work (deleting open Bulk jobs) that must stay affordable. */
  reserved = 0;

  /** Throws when `reserve` more calls (plus the reserved clean-ups) would cross the share. */
  check(reserve = 0): void {
    const limit = this.limit;
    if (limit === undefined || this.used === undefined || this.max === undefined) return;
    if (this.used + reserve + this.reserved > limit) throw new BudgetExceededError(this.used, this.max, limit, this.share);
  }
}
