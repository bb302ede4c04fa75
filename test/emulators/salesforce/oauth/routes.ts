// PLACEHOLDER (to be replaced by the OAuth module): only the basic refresh_token grant.

import { OAuthError, sendJson } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import { findGrantByToken } from './grants.ts';

export function registerOAuthRoutes(router: Router): void {
  router.add(
    'POST',
    '/services/oauth2/token',
    async (ctx) => {
      const form = await ctx.form();
      if (form.get('grant_type') !== 'refresh_token') throw new OAuthError('unsupported_grant_type', 'grant type not supported');
      const app = ctx.state.apps.get(form.get('client_id') ?? '');
      if (!app) throw new OAuthError('invalid_client_id', 'client identifier invalid');
      const grant = findGrantByToken(ctx.state, form.get('refresh_token') ?? '');
      if (!grant || grant.revoked) throw new OAuthError('invalid_grant', 'expired access/refresh token');
      const org = ctx.state.orgs.get(grant.orgId);
      const user = ctx.state.users.get(grant.userId);
      if (!org || !user) throw new OAuthError('invalid_grant', 'expired access/refresh token');
      const now = ctx.state.clock.now();
      const session = ctx.state.sessions.issue({ org, user, now, timeoutSec: app.sessionTimeoutSec, appKey: app.consumerKey, grantId: grant.id });
      sendJson(ctx.res, 200, {
        access_token: session.token,
        signature: '',
        scope: grant.scopes.join(' '),
        instance_url: org.instanceUrl,
        id: `${ctx.listener.baseUrl}/id/${org.id}/${user.id}`,
        token_type: 'Bearer',
        issued_at: String(now),
      });
    },
    { scope: 'any' },
  );
}
