// HTTP for the write side (Bulk API 2.0 ingest and the SOAP undelete call). Uploads are streamed
// from a file, which the export side's JSON-only client cannot send, so this is its own small
// transport; sessions are still jsforce's: an expired session goes through the connection's refresh
// delegate (one refresh shared with every other request, the 'refresh' event fires, a rotated
// refresh token is kept by connect()), and the request is sent again with a fresh body.
import type { Connection } from 'jsforce';
import { SalesforceHttpError } from '../export/retry.ts';

export interface WriteRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/jobs/ingest` (under /services/data/vXX.X) or an absolute path `/services/…`. */
  path: string;
  /** JSON body (sent as application/json). */
  json?: unknown;
  /** A body built anew for every send (a replay after a refresh needs a fresh stream). */
  body?: () => string | ReadableStream<Uint8Array>;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Whether an error answer means the session ended (then it is refreshed once and the request replayed). */
export type SessionCheck = (status: number, text: string) => boolean;

const restSessionEnded: SessionCheck = (status, text) => status === 401 && text.includes('INVALID_SESSION_ID');

export class OrgHttp {
  readonly conn: Connection;

  constructor(conn: Connection) {
    this.conn = conn;
  }

  get version(): string {
    return this.conn.version;
  }

  url(path: string): string {
    const rel = path.startsWith('/services/') ? path : `/services/data/v${this.conn.version}${path}`;
    return `${this.conn.instanceUrl.replace(/\/+$/, '')}${rel}`;
  }

  /**
   * Sends the request; a 2xx answer is returned with its body unread. Any other answer becomes a
   * SalesforceHttpError built by `toError` from the body text (the REST envelope by default).
   */
  async send(req: WriteRequest, options: { sessionEnded?: SessionCheck; toError?: (status: number, text: string) => Error } = {}): Promise<Response> {
    const sessionEnded = options.sessionEnded ?? restSessionEnded;
    for (let replays = 0; ; replays++) {
      const sentAt = Date.now();
      const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
      if (this.conn.accessToken) headers.authorization = `Bearer ${this.conn.accessToken}`;
      let body: string | ReadableStream<Uint8Array> | undefined;
      if (req.json !== undefined) {
        body = JSON.stringify(req.json);
        headers['content-type'] = 'application/json; charset=utf-8';
      } else if (req.body) {
        body = req.body();
        headers['content-type'] = req.contentType ?? 'application/octet-stream';
      }
      const res = await fetch(this.url(req.path), {
        method: req.method,
        headers,
        ...(body !== undefined ? { body, duplex: 'half' } : {}),
      } as RequestInit);
      if (res.ok) return res;
      const text = await res.text().catch(() => '');
      const delegate = this.conn._refreshDelegate;
      if (sessionEnded(res.status, text) && delegate && replays < 2) {
        // Throws "Unable to refresh session due to: …" when the refresh token itself is dead.
        await delegate.refresh(sentAt);
        continue;
      }
      throw (options.toError ?? restError)(res.status, text);
    }
  }

  async json<T>(req: WriteRequest): Promise<T> {
    const res = await this.send(req);
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new SalesforceHttpError(res.status, 'UNEXPECTED_RESPONSE', `not JSON: ${text.slice(0, 200)}`);
    }
  }
}

/** The REST/Bulk 2.0 error envelope: a JSON array of `{errorCode, message}`. */
export function restError(status: number, text: string): SalesforceHttpError {
  try {
    const parsed: unknown = JSON.parse(text);
    const first = Array.isArray(parsed) ? parsed[0] : parsed;
    if (first && typeof first === 'object') {
      const o = first as Record<string, unknown>;
      const code = typeof o.errorCode === 'string' ? o.errorCode : `ERROR_HTTP_${status}`;
      const message = typeof o.message === 'string' ? o.message : text.slice(0, 200);
      return new SalesforceHttpError(status, code, message);
    }
  } catch {
    // Not JSON: a maintenance page or a proxy's answer.
  }
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  return new SalesforceHttpError(status, `ERROR_HTTP_${status}`, plain, { html: /^\s*</.test(text) });
}
