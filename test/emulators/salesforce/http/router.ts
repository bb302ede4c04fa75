import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Listener } from '../model.ts';
import type { AuthContext } from '../oauth/sessions.ts';
import type { EmulatorState } from '../state.ts';
import { parseFormBody, parseJsonBody, readBody } from './body.ts';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Normalised path: repeated slashes collapsed, trailing slash removed. */
  path: string;
  params: Record<string, string>;
  listener: Listener;
  state: EmulatorState;
  /** Set by the bearer-auth step for routes that require a session. */
  auth?: AuthContext;
  body(): Promise<Buffer>;
  json(): Promise<unknown>;
  form(): Promise<URLSearchParams>;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

/** Who may reach a route: login hosts serve OAuth and identity only, instances serve everything. */
export type RouteScope = 'any' | 'instance';

export interface RouteOptions {
  /** `bearer`: a valid access token is required (401 INVALID_SESSION_ID otherwise). */
  auth?: 'none' | 'bearer';
  scope?: RouteScope;
}

interface Route {
  method: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
  auth: 'none' | 'bearer';
  scope: RouteScope;
}

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
  auth: 'none' | 'bearer';
  scope: RouteScope;
}

export function normalizePath(pathname: string): string {
  let p = pathname.replace(/\/{2,}/g, '/');
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/**
 * A small method+pattern router. Patterns use `:name` for one segment and `*name` for the rest of
 * the path. Routes are matched in registration order.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string | string[], pattern: string, handler: Handler, opts: RouteOptions = {}): void {
    const keys: string[] = [];
    const source = pattern
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1));
          return '([^/]+)';
        }
        if (seg.startsWith('*')) {
          keys.push(seg.slice(1));
          return '(.+)';
        }
        return seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    for (const m of Array.isArray(method) ? method : [method]) {
      this.routes.push({
        method: m.toUpperCase(),
        regex: new RegExp(`^${source}$`),
        keys,
        handler,
        auth: opts.auth ?? 'none',
        scope: opts.scope ?? 'instance',
      });
    }
  }

  /** Returns the match, `405` with the allowed methods when only the method is wrong, or undefined. */
  match(method: string, path: string): RouteMatch | { allowed: string[] } | undefined {
    const allowed: string[] = [];
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      if (r.method !== method && !(method === 'HEAD' && r.method === 'GET')) {
        allowed.push(r.method);
        continue;
      }
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => {
        params[k] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { handler: r.handler, params, auth: r.auth, scope: r.scope };
    }
    return allowed.length ? { allowed } : undefined;
  }
}

export function makeCtx(req: IncomingMessage, res: ServerResponse, url: URL, path: string, listener: Listener, state: EmulatorState): Ctx {
  let cached: Promise<Buffer> | undefined;
  const body = () => {
    cached ??= readBody(req);
    return cached;
  };
  return {
    req,
    res,
    url,
    path,
    params: {},
    listener,
    state,
    body,
    json: async () => parseJsonBody(await body()),
    form: async () => parseFormBody(await body()),
  };
}
