// The exporter's HTTP: fetch against the org's data API, so result pages stream straight into the
// CSV parser instead of being buffered the way jsforce's HttpApi does. Sessions stay jsforce's: a
// 401 INVALID_SESSION_ID goes through the connection's own refresh delegate (one refresh shared by
// every concurrent request, the 'refresh' event fires, rotated tokens are kept by connect()).
//
// A connection that goes silent would otherwise wait for undici's 300 s header and body timeouts
// before anyone hears of it. Instead every request has an idle watchdog: it runs only while we wait
// for Salesforce (for the answer, or for the next chunk of a body we are ready to read), so a large
// Bulk results page that keeps streaming never times out, and a slow consumer (the disk) never
// counts against Salesforce. After `waitNoticeMs` of silence it says so; after `requestTimeoutMs`
// it gives up on the request with a RequestTimeoutError, which the callers retry.
import type { Connection } from 'jsforce';
import { type ApiBudget, parseLimitInfo } from './budget.ts';
import { RequestTimeoutError, SalesforceHttpError, seconds } from './retry.ts';

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `/jobs/query` (under /services/data/vXX.X) or an absolute path `/services/data/…`. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** What the request is for a person (`Account results page 3`); the path without its query by default. */
  label?: string;
}

export interface ApiOptions {
  /** Stops every request of the run (a dead token, an outage): pending and future ones reject. */
  signal?: AbortSignal;
  /** Silence from Salesforce (no answer, no next chunk) after which a request is given up and retried. */
  requestTimeoutMs?: number;
  /** Silence after which a line says that the run is waiting. */
  waitNoticeMs?: number;
  /** Hears the waiting lines. */
  onNotice?: (message: string) => void;
}

/** Bulk results pages can take a while to start at Salesforce's end; two minutes of silence is not that. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
export const DEFAULT_WAIT_NOTICE_MS = 30_000;

/** The idle timer of one request: armed while we wait for Salesforce, disarmed while we process. */
class Watchdog {
  readonly controller = new AbortController();
  private notice: NodeJS.Timeout | undefined;
  private timeout: NodeJS.Timeout | undefined;
  private readonly label: string;
  private readonly o: Required<Pick<ApiOptions, 'requestTimeoutMs' | 'waitNoticeMs'>> & Pick<ApiOptions, 'onNotice'>;

  constructor(label: string, o: Required<Pick<ApiOptions, 'requestTimeoutMs' | 'waitNoticeMs'>> & Pick<ApiOptions, 'onNotice'>) {
    this.label = label;
    this.o = o;
  }

  get error(): RequestTimeoutError | undefined {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof RequestTimeoutError ? reason : undefined;
  }

  arm(): void {
    this.disarm();
    const { requestTimeoutMs, waitNoticeMs, onNotice } = this.o;
    if (onNotice && waitNoticeMs < requestTimeoutMs) {
      this.notice = setTimeout(
        () =>
          onNotice(`No answer from Salesforce for ${seconds(waitNoticeMs)} on ${this.label}; waiting up to ${seconds(requestTimeoutMs)} before trying again.`),
        waitNoticeMs,
      );
      this.notice.unref();
    }
    this.timeout = setTimeout(() => this.controller.abort(new RequestTimeoutError(this.label, requestTimeoutMs)), requestTimeoutMs);
    this.timeout.unref();
  }

  disarm(): void {
    clearTimeout(this.notice);
    clearTimeout(this.timeout);
    this.notice = undefined;
    this.timeout = undefined;
  }
}

/** The same answer, with a body whose reads are watched (and whose stall surfaces as RequestTimeoutError). */
function watchedResponse(res: Response, watch: Watchdog): Response {
  if (!res.body) {
    watch.disarm();
    return res;
  }
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      watch.arm();
      try {
        const { done, value } = await reader.read();
        watch.disarm();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (err) {
        watch.disarm();
        controller.error(watch.error ?? err);
      }
    },
    cancel(reason) {
      watch.disarm();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
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
  return new SalesforceHttpError(res.status, `ERROR_HTTP_${res.status}`, plainText(text), { html: looksLikeHtml(res, text) });
}

function plainText(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

function looksLikeHtml(res: Response, text: string): boolean {
  return /html/i.test(res.headers.get('content-type') ?? '') || /^\s*</.test(text);
}

export class SalesforceApi {
  readonly conn: Connection;
  readonly budget: ApiBudget;
  readonly signal: AbortSignal | undefined;
  private readonly timing: Required<Pick<ApiOptions, 'requestTimeoutMs' | 'waitNoticeMs'>> & Pick<ApiOptions, 'onNotice'>;

  constructor(conn: Connection, budget: ApiBudget, options: ApiOptions = {}) {
    this.conn = conn;
    this.budget = budget;
    this.signal = options.signal;
    this.timing = {
      requestTimeoutMs: options.requestTimeoutMs || DEFAULT_REQUEST_TIMEOUT_MS,
      waitNoticeMs: options.waitNoticeMs || DEFAULT_WAIT_NOTICE_MS,
      ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    };
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
   * the daily allowance (`cleanup` requests, such as deleting a finished job, are exempt, and they
   * still go out after the run was stopped: they only tidy up at Salesforce's end).
   */
  async fetch(req: ApiRequest & { cleanup?: boolean }): Promise<Response> {
    for (let replays = 0; ; replays++) {
      if (!req.cleanup) {
        this.signal?.throwIfAborted();
        this.budget.check(1);
      }
      const sentAt = Date.now();
      const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
      if (this.conn.accessToken) headers.authorization = `Bearer ${this.conn.accessToken}`;
      if (req.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
      this.budget.charge();
      const watch = new Watchdog(req.label ?? req.path.split('?')[0] ?? req.path, this.timing);
      const signal = this.signal && !req.cleanup ? AbortSignal.any([this.signal, watch.controller.signal]) : watch.controller.signal;
      watch.arm();
      let res: Response;
      try {
        res = await fetch(this.url(req.path), {
          method: req.method ?? 'GET',
          headers,
          signal,
          ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        });
      } catch (err) {
        watch.disarm();
        throw watch.error ?? (signal.aborted ? signal.reason : err);
      }
      watch.disarm();
      this.budget.observe(parseLimitInfo(res.headers.get('sforce-limit-info')));
      if (res.ok) return watchedResponse(res, watch);
      const err = await errorOf(watchedResponse(res, watch));
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
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      // A 200 that is not JSON: a maintenance page or a proxy in the way; worth another try.
      throw new SalesforceHttpError(res.status, 'UNEXPECTED_RESPONSE', `not JSON: ${plainText(text)}`, { html: looksLikeHtml(res, text) });
    }
  }

  /** A jsforce call, counted against the budget; jsforce keeps Sforce-Limit-Info in conn.limitInfo. */
  async jsforce<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    this.signal?.throwIfAborted();
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
