// GET|POST /services/oauth2/authorize (§1.2): there is no login form, so the configured default
// user (or the login_hint user) logs in and approves at once, and the browser is sent back to the
// redirect URI with a code. Only once client and redirect URI are trusted are errors redirected.
import { sendText } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import type { Listener, User } from '../model.ts';
import type { EmulatorState } from '../state.ts';
import { issueCode } from './codes.ts';
import { createGrant } from './grants.ts';
import { findLiveApp, hostServesOrg } from './policies.ts';
import { oauthSettings, takeAuthorizeFailure } from './settings.ts';
import { tokenBody } from './token.ts';
import { findUser } from './users.ts';

const HTML = 'text/html;charset=UTF-8';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Salesforce's page when it cannot trust the redirect target: the error is shown, not redirected. */
function oauthErrorPage(ctx: Ctx, error: string, description: string): void {
  const query = `error=${error}&error_description=${encodeURIComponent(description)}`;
  sendText(
    ctx.res,
    400,
    `<!DOCTYPE html><html><head><title>OAuth Error</title></head><body><h1>OAuth Error</h1><p>We can't authorize you because of an OAuth error. For more information, contact your Salesforce administrator.</p><p id="error">${escapeHtml(query)}</p></body></html>`,
    HTML,
    { 'Cache-Control': 'no-cache, no-store' },
  );
}

/** The login form again: the user could not log in on this host, so nothing is redirected. */
function loginFailedPage(ctx: Ctx): void {
  sendText(
    ctx.res,
    200,
    `<!DOCTYPE html><html><head><title>Login | Salesforce</title></head><body><form id="login_form"><div id="error" class="loginError">Please check your username and password. If you still can't log in, contact your Salesforce administrator.</div></form></body></html>`,
    HTML,
    { 'Cache-Control': 'no-cache, no-store' },
  );
}

/** `Location` for the redirect back to the client; errors of the user-agent flow go in the fragment. */
function redirect(ctx: Ctx, base: string, params: Record<string, string | undefined>, fragment: boolean): void {
  const qs = Object.entries(params)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  const sep = fragment ? '#' : base.includes('?') ? '&' : '?';
  ctx.res.writeHead(302, { Location: `${base}${sep}${qs}`, 'Cache-Control': 'no-cache, no-store' });
  ctx.res.end();
}

/** The user who "logs in" when no login_hint is given: the configured default, else the first user this host can log in. */
function defaultUser(state: EmulatorState, listener: Listener): User | undefined {
  const preferred = state.defaultUserId ? state.users.get(state.defaultUserId) : undefined;
  for (const u of [...(preferred ? [preferred] : []), ...state.users.values()]) {
    const org = state.orgs.get(u.orgId);
    if (org && hostServesOrg(state, listener, org)) return u;
  }
  return undefined;
}

async function authorize(ctx: Ctx): Promise<void> {
  const { state, listener } = ctx;
  const params = new URLSearchParams(ctx.url.search);
  if (ctx.req.method === 'POST') for (const [k, v] of await ctx.form()) if (!params.has(k)) params.set(k, v);
  const get = (k: string) => params.get(k) ?? undefined;
  const now = state.clock.now();

  const app = findLiveApp(state, get('client_id'), now);
  if (!app) return oauthErrorPage(ctx, 'invalid_client_id', 'client identifier invalid');
  const redirectUri = get('redirect_uri');
  if (!redirectUri || !app.callbackUrls.includes(redirectUri)) return oauthErrorPage(ctx, 'redirect_uri_mismatch', 'redirect_uri must match configuration');

  const responseType = get('response_type') ?? '';
  const clientState = get('state');
  const fragment = responseType === 'token';
  const fail = (error: string, description: string) => redirect(ctx, redirectUri, { error, error_description: description, state: clientState }, fragment);
  if (responseType !== 'code' && responseType !== 'token') return fail('unsupported_response_type', 'response type not supported');

  const requested = (get('scope') ?? '').split(/\s+/).filter(Boolean);
  if (requested.some((s) => !app.scopes.includes(s))) return fail('invalid_scope', 'the requested scope is not allowed');
  const scopes = requested.length ? [...new Set(requested)] : [...app.scopes];

  const challenge = get('code_challenge');
  // jsforce sends no code_challenge_method: absence means S256.
  const method = get('code_challenge_method') ?? 'S256';
  if (responseType === 'code') {
    if (challenge && method !== 'S256' && method !== 'plain') return fail('invalid_request', 'invalid code challenge method');
    if (!challenge && app.requirePkce) return fail('invalid_request', 'missing required code challenge');
  }

  const hint = get('login_hint');
  const user = hint ? findUser(state, hint) : defaultUser(state, listener);
  const org = user ? state.orgs.get(user.orgId) : undefined;
  if (!user || !org || !hostServesOrg(state, listener, org)) return loginFailedPage(ctx);

  const denied = takeAuthorizeFailure(state);
  if (denied) return fail(denied.error, denied.description);
  if (!user.active || user.frozen) return fail('inactive_user', user.inactiveDescription ?? 'user is inactive');
  if (oauthSettings(state).lockedOrgs.has(org.id)) return fail('inactive_org', 'organization is inactive');

  if (responseType === 'code') {
    const code = issueCode(state, {
      appKey: app.consumerKey,
      userId: user.id,
      orgId: org.id,
      redirectUri,
      scopes,
      ...(challenge ? { codeChallenge: challenge, codeChallengeMethod: method === 'plain' ? 'plain' : 'S256' } : {}),
      ...(get('nonce') ? { nonce: get('nonce') as string } : {}),
    });
    return redirect(ctx, redirectUri, { code: code.code, state: clientState }, false);
  }

  // User-agent flow: the tokens travel in the fragment.
  const grant =
    scopes.includes('refresh_token') || scopes.includes('offline_access') ? createGrant(state, { app, user, scopes, via: listener.kind }).grant : undefined;
  const session = state.sessions.issue({
    org,
    user,
    now,
    timeoutSec: app.sessionTimeoutSec,
    appKey: app.consumerKey,
    ...(grant ? { grantId: grant.id } : {}),
    scopes,
  });
  const body = tokenBody(ctx, {
    app,
    org,
    user,
    session,
    scopes,
    ...(grant ? { refreshToken: grant.refreshToken } : {}),
    ...(get('nonce') ? { nonce: get('nonce') as string } : {}),
  });
  return redirect(ctx, redirectUri, { ...body, state: clientState }, true);
}

export function registerAuthorizeRoutes(router: Router): void {
  router.add(['GET', 'POST'], '/services/oauth2/authorize', authorize, { scope: 'any' });
}
