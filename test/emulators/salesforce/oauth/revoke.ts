// POST (form) and GET /services/oauth2/revoke (§1.10). An access token ends that session only; a
// refresh token ends its grant and every session issued under it.
import { sendEmpty, sendText } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { findGrantByToken, revokeGrant } from './grants.ts';

/**
 * Errors go out form-encoded: jsforce's revokeToken parses the body with querystring.parse, so
 * this gives callers `err.name === 'invalid_token'` (which format Salesforce uses is unverified).
 */
function revokeError(ctx: Ctx, error: string, description: string): void {
  sendText(ctx.res, 400, new URLSearchParams({ error, error_description: description }).toString(), 'application/x-www-form-urlencoded;charset=UTF-8', {
    'Cache-Control': 'no-cache, no-store',
  });
}

async function revoke(ctx: Ctx): Promise<void> {
  const token = ctx.req.method === 'POST' ? ((await ctx.form()).get('token') ?? ctx.url.searchParams.get('token')) : ctx.url.searchParams.get('token');
  if (!token) return revokeError(ctx, 'unsupported_token_type', 'unsupported token type');
  const { state } = ctx;
  const session = state.sessions.get(token);
  if (session) {
    if (!state.sessions.validate(token, state.clock.now(), false)) return revokeError(ctx, 'invalid_token', 'invalid token');
    state.sessions.revoke(token);
    return sendEmpty(ctx.res, 200);
  }
  const grant = findGrantByToken(state, token);
  if (!grant || grant.revoked) return revokeError(ctx, 'invalid_token', 'invalid token');
  // A rotated-out token still names its grant: revoking it ends the whole chain.
  revokeGrant(state, grant, 'revoked through /services/oauth2/revoke');
  return sendEmpty(ctx.res, 200);
}

export function registerRevokeRoutes(router: Router): void {
  router.add(['POST', 'GET'], '/services/oauth2/revoke', revoke, { scope: 'any' });
}
