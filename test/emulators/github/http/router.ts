import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GitHubState, RequestLogEntry, TokenInfo } from '../state.ts';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  path: string;
  params: Record<string, string>;
  state: GitHubState;
  /** Set for REST routes once the token has been checked. */
  auth?: TokenInfo;
  /** This request's log entry (absent for control calls, which are not logged). */
  entry?: RequestLogEntry;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

interface Route {
  method: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
}

export type RouteMatch = { handler: Handler; params: Record<string, string> } | { allowed: string[] };

/** Method + pattern routing; `:name` matches one path segment (decoded). Routes match in registration order. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): void {
    const keys: string[] = [];
    const source = pattern
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1));
          return '([^/]+)';
        }
        return seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, regex: new RegExp(`^${source}$`), keys, handler });
  }

  match(method: string, path: string): RouteMatch | undefined {
    const allowed: string[] = [];
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      if (r.method !== method) {
        allowed.push(r.method);
        continue;
      }
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => {
        params[k] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { handler: r.handler, params };
    }
    return allowed.length ? { allowed } : undefined;
  }
}
