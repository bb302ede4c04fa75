import type { ServerResponse } from 'node:http';

export const JSON_TYPE = 'application/json;charset=UTF-8';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end();
}

export function sendText(res: ServerResponse, status: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export interface ApiErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** REST and Bulk 2.0 errors: a JSON array of {message, errorCode, fields?}. */
export function sendApiError(res: ServerResponse, status: number, errorCode: string, message: string, fields?: string[]): void {
  const item: ApiErrorItem = fields ? { message, errorCode, fields } : { message, errorCode };
  sendJson(res, status, [item]);
}

/** A thrown ApiError is turned into the REST error envelope by the router. */
export class ApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly fields: string[] | undefined;
  constructor(status: number, errorCode: string, message: string, fields?: string[]) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
    this.fields = fields;
  }
}

/** OAuth endpoints: a JSON object {error, error_description}. */
export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  constructor(error: string, description: string, status = 400) {
    super(description);
    this.error = error;
    this.status = status;
  }
}

export function sendOAuthError(res: ServerResponse, err: OAuthError): void {
  sendJson(res, err.status, { error: err.error, error_description: err.message }, { 'Cache-Control': 'no-cache, no-store' });
}

export const NOT_FOUND_MESSAGE = 'The requested resource does not exist';

export function notFound(): ApiError {
  return new ApiError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
}

/** The maintenance page Salesforce serves in an outage; clients must survive text/html. */
export function htmlErrorPage(status: number): string {
  return `<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Salesforce is temporarily unavailable</h1><p>Error ${status}. The server is down for maintenance. Please try again later.</p></body></html>`;
}
