// The exporter's HTTP: fetch against the org's data API, so result pages stream straight into the
// CSV parser instead of being buffered the way jsforce's HttpApi does. Sessions stay jsforce's: a
// 401 INVALID_SESSION_ID goes through the connection's own refresh delegate (one refresh shared by
// every concurrent request, the 'refresh' event fires, rotated tokens are kept by connect()).
import type { Connection } from 'jsforce';
import { type ApiBudget, parseLimitInfo } from './budget.ts';
import { SalesforceHttpError } from './retry.ts';

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `/jobs/query` (under /services/data/vXX.X) or an absolute path `/services/data/…`. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

async function errorOf(res: Response): Promise<SalesforceHttpError> {
  const text = await res.text().catch(() => '');
  try {
    const parsed: unknown = JSON.parse(text);
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    if (first && typeof first === 'object') {
      const o = first as Record<string, unknown>;
      const code = typeof o.errorCode === 'string' ? o.errorCode : typeof o.error === 'string' ? o.error : `ERROR_HTTP_${res.status}`;
      const message = typeof o.message === 'string' ? o.message : typeof o.error_description === 'string' ? o.error_description : text.slice(0, 200);
      return new SalesforceHttpError(res.status, code, message);
    }
  } catch {
    // Not JSON: a maintenance page or a proxy's answer.
  }
  return new SalesforceHttpError(
    res.status,
    `ERROR_HTTP_${res.status}`,
    text
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200),
  );
}

export class SalesforceApi {
  readonly conn: Connection;
  readonly budget: ApiBudget;

  constructor(conn: Connection, budget: ApiBudget) {
    this.conn = conn;
    this.budget = budget;
  }

  get version(): string {
    return this.conn.version;
  }

  url(path: string): string {
    const rel = path.startsWith('/services/') ? path : `/services/data/v${this.conn.version}${path}`;
    return `${this.conn.instanceUrl.replace(/\/+$/, '')}${rel}`;
  }

  /**
   * One request; a non-2xx answer throws SalesforceHttpError. The body is the caller's to read.
   * Throws BudgetExceededError instead of sending a request that would cross the run's share of
   * the daily allowance (`cleanup` requests, such as deleting a finished job, are exempt).
   */
  async fetch(req: ApiRequest & { cleanup?: boolean }): Promise<Response> {
    for (let replays = 0; ; replays++) {
      if (!req.cleanup) this.budget.check(1);
      const sentAt = Date.now();
      const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
      if (this.conn.accessToken) headers.authorization = `Bearer ${this.conn.accessToken}`;
      if (req.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
      this.budget.charge();
      const res = await fetch(this.url(req.path), {
        method: req.method ?? 'GET',
        headers,
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      });
      this.budget.observe(parseLimitInfo(res.headers.get('sforce-limit-info')));
      if (res.ok) return res;
      const err = await errorOf(res);
      const delegate = this.conn._refreshDelegate;
      if (res.status === 401 && err.errorCode === 'INVALID_SESSION_ID' && delegate && replays < 2) {
        // Throws "Unable to refresh session due to: …" when the refresh token itself is dead.
        await delegate.refresh(sentAt);
        continue;
      }
      throw err;
    }
  }

  async json<T>(req: ApiRequest): Promise<T> {
    const res = await this.fetch(req);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A jsforce call, counted against the budget; jsforce keeps Sforce-Limit-Info in conn.limitInfo. */
  async jsforce<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    this.budget.check(1);
    this.budget.charge();
    try {
      return await fn(this.conn);
    } finally {
      const usage = this.conn.limitInfo?.apiUsage;
      if (usage && typeof usage.used === 'number' && typeof usage.limit === 'number') this.budget.observe({ used: usage.used, max: usage.limit });
    }
  }
}
