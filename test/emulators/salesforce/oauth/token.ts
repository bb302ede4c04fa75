// POST /services/oauth2/token on every host (§1.3-§1.6). Each grant checks its inputs in the order
// Salesforce does, because clients and tests see only the first failure.
import { createHmac } from 'node:crypto';
import { OAuthError, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import type { ConnectedApp, Org, User } from '../model.ts';
import type { EmulatorState } from '../state.ts';
import { CODE_LIFETIME_MS, findCode, verifierMatches } from './codes.ts';
import { createGrant, findGrantByToken, type Grant, revokeGrant, rotateRefreshToken } from './grants.ts';
import { idToken, parseAssertion } from './jwt.ts';
import { findLiveApp, hostServesOrg, instanceUrlFor, refreshTokenExpired } from './policies.ts';
import type { AccessToken } from './sessions.ts';
import { appExtras, oauthSettings } from './settings.ts';
import { findUser, userCanLogIn } from './users.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PRODUCTION_AUDIENCE = 'https://login.salesforce.com';
const SANDBOX_AUDIENCE = 'https://test.salesforce.com';

interface TokenRequest {
  ctx: Ctx;
  form: URLSearchParams;
  clientId: string | undefined;
  clientSecret: string | undefined;
  now: number;
}

const invalidClientId = () => new OAuthError('invalid_client_id', 'client identifier invalid');
const invalidClient = () => new OAuthError('invalid_client', 'invalid client credentials');
const expiredToken = () => new OAuthError('invalid_grant', 'expired access/refresh token');
const authFailure = () => new OAuthError('invalid_grant', 'authentication failure');

/** Client credentials from the form or HTTP Basic; a field present in the body wins. */
function clientCredentials(ctx: Ctx, form: URLSearchParams): { clientId: string | undefined; clientSecret: string | undefined } {
  let basicId: string | undefined;
  let basicSecret: string | undefined;
  const m = /^Basic\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '');
  if (m) {
    const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i >= 0) {
      // RFC 6749 §2.3.1 form-encodes both parts before Base64; plain values decode to themselves.
      const dec = (s: string) => {
        try {
          return decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
          return s;
        }
      };
      basicId = dec(decoded.slice(0, i));
      basicSecret = dec(decoded.slice(i + 1));
    }
  }
  return { clientId: form.get('client_id') || basicId, clientSecret: form.get('client_secret') || basicSecret };
}

function requireApp(r: TokenRequest): ConnectedApp {
  const app = findLiveApp(r.ctx.state, r.clientId, r.now);
  if (!app) throw invalidClientId();
  return app;
}

/** A secret is checked when the app requires one, and whenever the client sends one. */
function checkSecret(app: ConnectedApp, secret: string | undefined, required: boolean): void {
  if (!secret) {
    if (required) throw invalidClient();
    return;
  }
  if (secret !== app.consumerSecret) throw invalidClient();
}

function checkUserAndOrg(state: EmulatorState, app: ConnectedApp, user: User, org: Org): void {
  const settings = oauthSettings(state);
  if (!userCanLogIn(user)) throw new OAuthError('invalid_grant', user.inactiveDescription ?? settings.inactiveDescription);
  if (settings.lockedOrgs.has(org.id)) throw new OAuthError('invalid_grant', 'inactive organization');
  if (appExtras(state, app).ipRestricted || settings.ipRestrictedUsers.has(user.id)) throw new OAuthError('invalid_grant', 'ip restricted');
}

/** Scopes of flows that never issue a refresh token. */
function nonRefreshScopes(app: ConnectedApp): string[] {
  return app.scopes.filter((s) => s !== 'refresh_token' && s !== 'offline_access');
}

function issueSession(r: TokenRequest, app: ConnectedApp, org: Org, user: User, scopes: string[], grant?: Grant): AccessToken {
  return r.ctx.state.sessions.issue({
    org,
    user,
    now: r.now,
    timeoutSec: app.sessionTimeoutSec,
    appKey: app.consumerKey,
    ...(grant ? { grantId: grant.id } : {}),
    scopes,
  });
}

export interface TokenBodyInput {
  app: ConnectedApp;
  org: Org;
  user: User;
  session: AccessToken;
  scopes: string[];
  refreshToken?: string;
  nonce?: string;
  /** Only user logins (web server, user-agent, refresh) get an OpenID Connect id_token. */
  noIdToken?: boolean;
}

/**
 * The success body, fields in Salesforce's order, absent ones omitted. No `expires_in`: clients
 * learn about expiry from a 401. `id` names the host that served the request.
 */
export function tokenBody(ctx: Ctx, input: TokenBodyInput): Record<string, string> {
  const { app, org, user, session } = input;
  const id = `${ctx.listener.baseUrl}/id/${org.id}/${user.id}`;
  const issuedAt = String(session.issuedAt);
  const body: Record<string, string> = { access_token: session.token };
  if (input.refreshToken) body.refresh_token = input.refreshToken;
  body.signature = createHmac('sha256', app.consumerSecret)
    .update(id + issuedAt)
    .digest('base64');
  body.scope = input.scopes.join(' ');
  if (!input.noIdToken && input.scopes.includes('openid')) {
    body.id_token = idToken(ctx.state, {
      issuer: ctx.listener.baseUrl,
      idUrl: id,
      clientId: app.consumerKey,
      accessToken: session.token,
      now: session.issuedAt,
      ...(input.nonce ? { nonce: input.nonce } : {}),
      user,
    });
  }
  body.instance_url = instanceUrlFor(org, ctx.listener);
  body.id = id;
  body.token_type = 'Bearer';
  body.issued_at = issuedAt;
  return body;
}

function wantsRefreshToken(scopes: string[]): boolean {
  return scopes.includes('refresh_token') || scopes.includes('offline_access');
}

function authorizationCode(r: TokenRequest): TokenBodyInput {
  const { state } = r.ctx;
  const app = requireApp(r);
  checkSecret(app, r.clientSecret, app.requireSecretWebServer);
  const code = findCode(state, r.form.get('code') ?? '');
  const redirectUri = r.form.get('redirect_uri') ?? '';
  const ownCode = code && code.appKey === app.consumerKey ? code : undefined;
  if (!app.callbackUrls.includes(redirectUri) || (ownCode && ownCode.redirectUri !== redirectUri)) {
    throw new OAuthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
  }
  if (!ownCode || ownCode.used) throw new OAuthError('invalid_grant', 'invalid authorization code');
  // Single use: any attempt that reaches the code spends it, as a replayed code must never work.
  ownCode.used = true;
  if (r.now - ownCode.createdAt > CODE_LIFETIME_MS) throw new OAuthError('invalid_grant', 'expired authorization code');
  const verifier = r.form.get('code_verifier');
  const pkceOk = ownCode.codeChallenge ? !!verifier && verifierMatches(ownCode, verifier) : !verifier && !app.requirePkce;
  if (!pkceOk) throw new OAuthError('invalid_grant', 'invalid code verifier');
  const user = state.users.get(ownCode.userId);
  const org = state.orgs.get(ownCode.orgId);
  if (!user || !org) throw authFailure();
  checkUserAndOrg(state, app, user, org);
  if (!hostServesOrg(state, r.ctx.listener, org)) throw authFailure();
  const grant = wantsRefreshToken(ownCode.scopes) ? createGrant(state, { app, user, scopes: ownCode.scopes, via: r.ctx.listener.kind }).grant : undefined;
  const session = issueSession(r, app, org, user, ownCode.scopes, grant);
  return {
    app,
    org,
    user,
    session,
    scopes: ownCode.scopes,
    ...(grant ? { refreshToken: grant.refreshToken } : {}),
    ...(ownCode.nonce ? { nonce: ownCode.nonce } : {}),
  };
}

function refreshToken(r: TokenRequest): TokenBodyInput {
  const { state } = r.ctx;
  const app = requireApp(r);
  checkSecret(app, r.clientSecret, app.requireSecretRefresh);
  const presented = r.form.get('refresh_token') ?? '';
  const grant = findGrantByToken(state, presented);
  // Tokens issued under an earlier consumer key belong to credentials that no longer exist.
  if (!grant || grant.appKey !== app.consumerKey) throw expiredToken();
  const org = state.orgs.get(grant.orgId);
  const user = state.users.get(grant.userId);
  // A refresh token works on the login host of its org's kind and on the org's My Domain. The
  // other login host (test.salesforce.com for a production token, or the reverse) has no record of
  // it and answers as for any unknown token; that is the error sf users report when an auth URL
  // names the wrong login host.
  if (!org || !user || !hostServesOrg(state, r.ctx.listener, org)) throw expiredToken();
  if (grant.revoked) throw expiredToken();
  if (grant.refreshToken !== presented) {
    // Reuse of a rotated-out token: whoever holds the chain may be an attacker, so it all dies.
    revokeGrant(state, grant, 'refresh token reuse detected');
    throw expiredToken();
  }
  if (refreshTokenExpired(app, grant, r.now)) {
    // Access tokens already issued live on until their own timeout.
    revokeGrant(state, grant, `refresh token policy: ${app.refreshTokenPolicy.kind}`, { keepSessions: true });
    throw expiredToken();
  }
  checkUserAndOrg(state, app, user, org);
  grant.lastUsedAt = r.now;
  grant.refreshCount = (grant.refreshCount ?? 0) + 1;
  const rotated = app.rotation ? rotateRefreshToken(state, grant) : undefined;
  const session = issueSession(r, app, org, user, grant.scopes, grant);
  return { app, org, user, session, scopes: grant.scopes, ...(rotated ? { refreshToken: rotated } : {}) };
}

function clientCredentialsGrant(r: TokenRequest): TokenBodyInput {
  const { state, listener } = r.ctx;
  const org = listener.kind === 'instance' && listener.orgId ? state.orgs.get(listener.orgId) : undefined;
  if (!org) throw new OAuthError('invalid_grant', 'request not supported on this domain');
  const app = requireApp(r);
  checkSecret(app, r.clientSecret, true);
  const configured = app.clientCredentialsUser ? state.users.get(app.clientCredentialsUser) : undefined;
  const runAsId = appExtras(state, app).runAs.get(org.id) ?? (configured?.orgId === org.id ? configured.id : undefined);
  const user = runAsId ? state.users.get(runAsId) : undefined;
  if (!user) throw new OAuthError('invalid_grant', 'no client credentials user enabled');
  checkUserAndOrg(state, app, user, org);
  const scopes = nonRefreshScopes(app);
  return { app, org, user, session: issueSession(r, app, org, user, scopes), scopes, noIdToken: true };
}

function passwordGrant(r: TokenRequest): TokenBodyInput {
  const { state } = r.ctx;
  const app = requireApp(r);
  checkSecret(app, r.clientSecret, true);
  const user = findUser(state, r.form.get('username') ?? '');
  const org = user ? state.orgs.get(user.orgId) : undefined;
  const settings = oauthSettings(state);
  const password = user ? (settings.passwords.get(user.id) ?? settings.defaultPassword) : undefined;
  if (!user || !org || r.form.get('password') !== password || !hostServesOrg(state, r.ctx.listener, org)) throw authFailure();
  checkUserAndOrg(state, app, user, org);
  const scopes = nonRefreshScopes(app);
  return { app, org, user, session: issueSession(r, app, org, user, scopes), scopes, noIdToken: true };
}

/** Audiences Salesforce accepts for an org: its kind's login host (real or emulated) and its My Domain. */
function audiencesFor(state: EmulatorState, org: Org): Set<string> {
  const out = new Set<string>([org.isSandbox ? SANDBOX_AUDIENCE : PRODUCTION_AUDIENCE, org.instanceUrl]);
  if (org.instanceUrlHttps) out.add(org.instanceUrlHttps);
  for (const l of state.listeners) if (l.kind === (org.isSandbox ? 'test' : 'login')) out.add(l.baseUrl);
  return out;
}

function jwtBearer(r: TokenRequest): TokenBodyInput {
  const { state } = r.ctx;
  const invalidAssertion = () => new OAuthError('invalid_grant', 'invalid assertion');
  const assertion = parseAssertion(r.form.get('assertion') ?? '');
  if (!assertion) throw invalidAssertion();
  const { claims } = assertion;
  const app = findLiveApp(state, typeof claims.iss === 'string' ? claims.iss : undefined, r.now);
  if (!app) throw invalidClientId();
  const extras = appExtras(state, app);
  if (!extras.jwtCertificate || !assertion.verify(extras.jwtCertificate)) throw invalidAssertion();
  // The sf CLI signs `exp` in milliseconds (far future); only an exp in the past is refused.
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < r.now) throw invalidAssertion();
  const user = typeof claims.sub === 'string' ? findUser(state, claims.sub) : undefined;
  const org = user ? state.orgs.get(user.orgId) : undefined;
  if (!user || !org) throw new OAuthError('invalid_grant', "user hasn't approved this consumer");
  const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const allowed = audiencesFor(state, org);
  if (!auds.some((a) => typeof a === 'string' && allowed.has(a.replace(/\/+$/, '')))) throw new OAuthError('invalid_grant', 'Audience validation failed');
  if (!hostServesOrg(state, r.ctx.listener, org)) throw authFailure();
  if (extras.jwtPreAuthorized !== 'all' && !extras.jwtPreAuthorized.has(user.id)) throw new OAuthError('invalid_grant', "user hasn't approved this consumer");
  checkUserAndOrg(state, app, user, org);
  const scopes = nonRefreshScopes(app);
  return { app, org, user, session: issueSession(r, app, org, user, scopes), scopes, noIdToken: true };
}

const GRANTS: Record<string, (r: TokenRequest) => TokenBodyInput> = {
  authorization_code: authorizationCode,
  refresh_token: refreshToken,
  client_credentials: clientCredentialsGrant,
  password: passwordGrant,
  [JWT_BEARER]: jwtBearer,
};

export function registerTokenRoutes(router: Router): void {
  router.add(
    'POST',
    '/services/oauth2/token',
    async (ctx) => {
      const form = await ctx.form();
      const grantType = form.get('grant_type') ?? '';
      const handler = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
      if (!handler) throw new OAuthError('unsupported_grant_type', 'grant type not supported');
      const request: TokenRequest = { ctx, form, ...clientCredentials(ctx, form), now: ctx.state.clock.now() };
      const result = handler(request);
      sendJson(ctx.res, 200, tokenBody(ctx, result), { 'Cache-Control': 'no-cache, no-store', Pragma: 'no-cache' });
    },
    { scope: 'any' },
  );
}
