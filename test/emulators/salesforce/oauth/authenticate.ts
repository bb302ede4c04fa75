import { sendApiError } from '../http/respond.ts';
import type { Ctx } from '../http/router.ts';
import type { Org } from '../model.ts';
import type { AuthContext } from './sessions.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

function sessionInvalid(ctx: Ctx): undefined {
  // jsforce refreshes on any 401 (REST) or a 401 whose body names INVALID_SESSION_ID (Bulk 2.0).
  sendApiError(ctx.res, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  return undefined;
}

/** Counts one API request against the org's daily allowance; true when the allowance is spent. */
export function countApiRequest(org: Org, now: number): boolean {
  const l = org.limits;
  if (now - l.windowStart >= DAY_MS) {
    l.windowStart = now;
    l.used = 0;
  }
  l.used++;
  return l.used > (l.exceedAt ?? l.dailyApiMax);
}

export function limitInfoHeader(org: Org): string {
  return `api-usage=${org.limits.used}/${org.limits.dailyApiMax}`;
}

export type SessionProblem = 'invalid' | 'disabled' | 'limit';

/**
 * Resolves an access token (a bearer header, or a SOAP SessionHeader) into its session, org and
 * user, counting the request against the org's allowance; or says why the request is refused.
 */
export function resolveSession(ctx: Ctx, token: string): AuthContext | SessionProblem {
  const now = ctx.state.clock.now();
  const session = ctx.state.sessions.validate(token.trim(), now);
  if (!session) return 'invalid';
  if (ctx.listener.orgId && ctx.listener.orgId !== session.orgId) return 'invalid';
  const org = ctx.state.orgs.get(session.orgId);
  const user = ctx.state.users.get(session.userId);
  if (!org || !user?.active || user.frozen) return 'invalid';
  const exceeded = countApiRequest(org, now);
  ctx.res.setHeader('Sforce-Limit-Info', limitInfoHeader(org));
  if (org.apiDisabled) return 'disabled';
  if (exceeded) return 'limit';
  return { org, user, session };
}

/**
 * Resolves the bearer token of a data request into its session, org and user, or answers the
 * request with Salesforce's 401/403 and returns undefined.
 */
export function authenticateBearer(ctx: Ctx): AuthContext | undefined {
  const header = ctx.req.headers.authorization ?? '';
  const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header);
  if (!m) return sessionInvalid(ctx);
  const auth = resolveSession(ctx, m[1] as string);
  if (auth === 'invalid') return sessionInvalid(ctx);
  if (auth === 'disabled') {
    sendApiError(ctx.res, 403, 'API_DISABLED_FOR_ORG', 'The REST API is not enabled for this Organization.');
    return undefined;
  }
  if (auth === 'limit') {
    sendApiError(ctx.res, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    return undefined;
  }
  return auth;
}
