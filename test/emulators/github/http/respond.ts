import type { IncomingMessage, ServerResponse } from 'node:http';

const DOCS = 'https://docs.github.com/rest';

/** A REST error as api.github.com sends it: `{message, documentation_url, status}` with the HTTP status. */
export class RestError extends Error {
  readonly status: number;
  readonly documentationUrl: string;
  readonly headers: Record<string, string>;
  /** `Validation Failed` details, e.g. `[{resource: 'Label', code: 'already_exists', field: 'name'}]`. */
  errors?: unknown[];

  constructor(status: number, message: string, documentationUrl = DOCS, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.documentationUrl = documentationUrl;
    this.headers = headers;
  }
}

/** Twirp error codes the results service uses, with the HTTP status the Twirp spec maps them to. */
export const TWIRP_STATUS = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type TwirpCode = keyof typeof TWIRP_STATUS;

export class TwirpError extends Error {
  readonly code: TwirpCode;

  constructor(code: TwirpCode, msg: string) {
    super(msg);
    this.code = code;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendRestError(res: ServerResponse, err: RestError): void {
  const body = { message: err.message, ...(err.errors ? { errors: err.errors } : {}), documentation_url: err.documentationUrl, status: String(err.status) };
  sendJson(res, err.status, body, err.headers);
}

export function sendTwirpError(res: ServerResponse, err: TwirpError): void {
  sendJson(res, TWIRP_STATUS[err.code], { code: err.code, msg: err.message });
}

const MAX_JSON_BYTES = 5 * 1024 * 1024;

/** Reads a small request body (REST and Twirp JSON); bodies past 5 MiB are refused rather than buffered. */
export async function readSmallBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_JSON_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
