// /__emu knobs of the OAuth module: Connected Apps and their policies, approvals (grants), users,
// sessions and the behaviour of /authorize. Token values are only ever returned where a test needs
// one to log in (a new grant); listings leave them out.
import { defaultApp, newConsumerKey, newConsumerSecret } from '../emulator.ts';
import { ApiError, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import type { ConnectedApp, Org, RefreshTokenPolicy, User } from '../model.ts';
import { createGrant, type Grant, grantIsLive, grantStore, revokeGrant, revokeUserGrants } from '../oauth/grants.ts';
import { appIsPropagated, appKeys } from '../oauth/policies.ts';
import type { AccessToken } from '../oauth/sessions.ts';
import { appExtras, oauthSettings } from '../oauth/settings.ts';
import { addUser, findUser, setUserStatus } from '../oauth/users.ts';
import { orgUsers } from '../state.ts';
import { controlBody, findOrg } from './routes.ts';

type Body = Record<string, unknown>;

function bad(message: string): ApiError {
  return new ApiError(400, 'BAD_REQUEST', message);
}

function findApp(ctx: Ctx, key: string | undefined): ConnectedApp {
  const apps = [...ctx.state.apps.values()];
  const app = key === 'default' ? apps[0] : apps.find((a) => a.consumerKey === key || a.name === key);
  if (!app) throw new ApiError(404, 'NOT_FOUND', `no connected app ${key}`);
  return app;
}

function requireUser(ctx: Ctx, key: string | undefined): User {
  const user = findUser(ctx.state, key);
  if (!user) throw new ApiError(404, 'NOT_FOUND', `no user ${key}`);
  return user;
}

/** The user named in the body, else the org's first user (its admin). */
function userOf(ctx: Ctx, b: Body): { org: Org; user: User } {
  if (typeof b.user === 'string') {
    const user = requireUser(ctx, b.user);
    const org = ctx.state.orgs.get(user.orgId) as Org;
    if (typeof b.org === 'string' && findOrg(ctx, b.org).id !== org.id) throw bad(`user ${b.user} is not in org ${b.org}`);
    return { org, user };
  }
  if (typeof b.org !== 'string') throw bad('give an org (alias or id) or a user (username or id)');
  const org = findOrg(ctx, b.org);
  const user = orgUsers(ctx.state, org.id)[0];
  if (!user) throw new ApiError(404, 'NOT_FOUND', `org ${b.org} has no user`);
  return { org, user };
}

function optBool(b: Body, k: string): boolean | undefined {
  const v = b[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw bad(`${k} must be a boolean`);
  return v;
}

function optNumber(b: Body, k: string, min = 0): number | undefined {
  const v = b[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw bad(`${k} must be a number >= ${min}`);
  return v;
}

function optStrings(b: Body, k: string): string[] | undefined {
  const v = b[k];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw bad(`${k} must be an array of strings`);
  return v as string[];
}

function parsePolicy(v: unknown): RefreshTokenPolicy {
  const p = typeof v === 'string' ? { kind: v } : v;
  if (typeof p !== 'object' || p === null) throw bad('refreshTokenPolicy must be a kind or {kind, seconds}');
  const { kind, seconds } = p as { kind?: unknown; seconds?: unknown };
  if (kind === 'infinite' || kind === 'immediate') return { kind };
  if ((kind === 'idle' || kind === 'absolute') && typeof seconds === 'number' && seconds > 0) return { kind, seconds };
  throw bad('refreshTokenPolicy: infinite | immediate | {kind: idle|absolute, seconds > 0}');
}

function appView(ctx: Ctx, app: ConnectedApp): Body {
  const extras = appExtras(ctx.state, app);
  const now = ctx.state.clock.now();
  return {
    name: app.name,
    consumerKey: app.consumerKey,
    consumerSecret: app.consumerSecret,
    callbackUrls: app.callbackUrls,
    scopes: app.scopes,
    createdAt: app.createdAt,
    propagationDelaySec: app.propagationDelaySec,
    activeAt: app.createdAt + app.propagationDelaySec * 1000,
    active: appIsPropagated(app, now),
    requireSecretWebServer: app.requireSecretWebServer,
    requireSecretRefresh: app.requireSecretRefresh,
    requirePkce: app.requirePkce,
    refreshTokenPolicy: app.refreshTokenPolicy,
    idleTtlCap30d: app.idleTtlCap30d,
    rotation: app.rotation,
    sessionTimeoutSec: app.sessionTimeoutSec,
    maxApprovals: app.maxApprovals,
    evictionOrder: app.evictionOrder,
    clientCredentialsUser: app.clientCredentialsUser ?? null,
    runAs: Object.fromEntries(extras.runAs),
    ipRestricted: extras.ipRestricted,
    jwtCertificate: extras.jwtCertificate !== undefined,
    jwtPreAuthorized: extras.jwtPreAuthorized === 'all' ? 'all' : [...extras.jwtPreAuthorized],
    previousKeys: app.previousKeys,
  };
}

/** Applies the policy fields present in the body (the others stay as they are). */
function applyAppSettings(ctx: Ctx, app: ConnectedApp, b: Body): void {
  const extras = appExtras(ctx.state, app);
  const bools = ['requireSecretWebServer', 'requireSecretRefresh', 'requirePkce', 'idleTtlCap30d', 'rotation'] as const;
  for (const k of bools) {
    const v = optBool(b, k);
    if (v !== undefined) app[k] = v;
  }
  const delay = optNumber(b, 'propagationDelaySec');
  if (delay !== undefined) app.propagationDelaySec = delay;
  const timeout = optNumber(b, 'sessionTimeoutSec', 1);
  if (timeout !== undefined) app.sessionTimeoutSec = timeout;
  const max = optNumber(b, 'maxApprovals', 1);
  if (max !== undefined) app.maxApprovals = Math.floor(max);
  if (b.evictionOrder !== undefined) {
    if (b.evictionOrder !== 'createdAt' && b.evictionOrder !== 'lastUsedAt') throw bad('evictionOrder: createdAt | lastUsedAt');
    app.evictionOrder = b.evictionOrder;
  }
  if (b.refreshTokenPolicy !== undefined) app.refreshTokenPolicy = parsePolicy(b.refreshTokenPolicy);
  const callbacks = optStrings(b, 'callbackUrls');
  if (callbacks) app.callbackUrls = callbacks;
  const scopes = optStrings(b, 'scopes');
  if (scopes) app.scopes = scopes;
  if (typeof b.name === 'string') app.name = b.name;
  const ip = optBool(b, 'ipRestricted');
  if (ip !== undefined) extras.ipRestricted = ip;
  if (b.clientCredentialsUser === null) {
    delete app.clientCredentialsUser;
    extras.runAs.clear();
  } else if (b.clientCredentialsUser !== undefined) {
    // {org, user?} (user defaults to the org's admin) or a username / user id.
    const spec = typeof b.clientCredentialsUser === 'string' ? { user: b.clientCredentialsUser } : (b.clientCredentialsUser as Body);
    const { org, user } = userOf(ctx, spec);
    extras.runAs.set(org.id, user.id);
  }
  if (b.jwtCertificate === null) delete extras.jwtCertificate;
  else if (typeof b.jwtCertificate === 'string') extras.jwtCertificate = b.jwtCertificate;
  if (b.jwtPreAuthorized === 'all') extras.jwtPreAuthorized = 'all';
  else if (b.jwtPreAuthorized !== undefined) {
    const users = optStrings(b, 'jwtPreAuthorized') ?? [];
    extras.jwtPreAuthorized = new Set(users.map((u) => requireUser(ctx, u).id));
  }
}

function grantView(ctx: Ctx, g: Grant): Body {
  const app = [...ctx.state.apps.values()].find((a) => appKeys(a).includes(g.appKey));
  const now = ctx.state.clock.now();
  return {
    id: g.id,
    app: app?.name ?? null,
    consumerKey: g.appKey,
    orgId: g.orgId,
    userId: g.userId,
    username: ctx.state.users.get(g.userId)?.username ?? null,
    scopes: g.scopes,
    createdAt: g.createdAt,
    lastUsedAt: g.lastUsedAt,
    issuedVia: g.issuedVia,
    refreshCount: g.refreshCount ?? 0,
    rotations: g.rotatedOut.size,
    revoked: g.revoked,
    revokedReason: g.revokedReason ?? null,
    live: app ? g.appKey === app.consumerKey && grantIsLive(g, app, now) : false,
  };
}

function findGrant(ctx: Ctx, id: string | undefined): Grant {
  const g = id ? grantStore(ctx.state).grants.get(id) : undefined;
  if (!g) throw new ApiError(404, 'NOT_FOUND', `no grant ${id}`);
  return g;
}

function userView(ctx: Ctx, u: User): Body {
  const settings = oauthSettings(ctx.state);
  return {
    id: u.id,
    orgId: u.orgId,
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    active: u.active,
    frozen: u.frozen,
    inactiveDescription: u.inactiveDescription ?? null,
    ipRestricted: settings.ipRestrictedUsers.has(u.id),
    password: settings.passwords.get(u.id) ?? settings.defaultPassword,
  };
}

function loginUrlOf(ctx: Ctx, org: Org): string {
  const l = ctx.state.listeners.find((x) => x.kind === (org.isSandbox ? 'test' : 'login') && x.scheme === 'http');
  return l?.baseUrl ?? '';
}

/** Sessions a control call targets: every filter given must match. */
function sessionFilter(ctx: Ctx, b: Body): (s: AccessToken) => boolean {
  const orgId = typeof b.org === 'string' ? findOrg(ctx, b.org).id : undefined;
  const userId = typeof b.user === 'string' ? requireUser(ctx, b.user).id : undefined;
  const keys = typeof b.app === 'string' ? new Set(appKeys(findApp(ctx, b.app))) : undefined;
  const grantId = typeof b.grant === 'string' ? b.grant : undefined;
  const token = typeof b.token === 'string' ? b.token : undefined;
  return (s) =>
    (!orgId || s.orgId === orgId) &&
    (!userId || s.userId === userId) &&
    (!keys || (s.appKey !== undefined && keys.has(s.appKey))) &&
    (!grantId || s.grantId === grantId) &&
    (!token || s.token === token);
}

function applyUserChange(ctx: Ctx, user: User, b: Body): Body {
  const settings = oauthSettings(ctx.state);
  const description = b.inactiveDescription;
  if (description !== undefined && description !== null && typeof description !== 'string') throw bad('inactiveDescription must be a string or null');
  const result = setUserStatus(ctx.state, user, {
    ...(optBool(b, 'active') !== undefined ? { active: b.active as boolean } : {}),
    ...(optBool(b, 'frozen') !== undefined ? { frozen: b.frozen as boolean } : {}),
    ...(optBool(b, 'revokeGrants') ? { revokeGrants: true } : {}),
    ...(description !== undefined ? { inactiveDescription: description } : {}),
  });
  if (typeof b.password === 'string') settings.passwords.set(user.id, b.password);
  const ip = optBool(b, 'ipRestricted');
  if (ip === true) settings.ipRestrictedUsers.add(user.id);
  if (ip === false) settings.ipRestrictedUsers.delete(user.id);
  return { user: userView(ctx, user), ...result };
}

export function registerOAuthControl(router: Router): void {
  const opts = { scope: 'any' as const };

  // ---- Connected Apps
  router.add(
    'GET',
    '/__emu/apps',
    (ctx) =>
      sendJson(
        ctx.res,
        200,
        [...ctx.state.apps.values()].map((a) => appView(ctx, a)),
      ),
    opts,
  );
  router.add('GET', '/__emu/apps/:app', (ctx) => sendJson(ctx.res, 200, appView(ctx, findApp(ctx, ctx.params.app))), opts);

  router.add(
    'POST',
    '/__emu/apps',
    async (ctx) => {
      const b = await controlBody(ctx);
      const now = ctx.state.clock.now();
      const app = defaultApp(now, { name: typeof b.name === 'string' ? b.name : `Connected App ${ctx.state.apps.size + 1}` });
      if (typeof b.consumerKey === 'string') app.consumerKey = b.consumerKey;
      if (typeof b.consumerSecret === 'string') app.consumerSecret = b.consumerSecret;
      if (ctx.state.apps.has(app.consumerKey)) throw bad('consumer key in use');
      applyAppSettings(ctx, app, b);
      ctx.state.apps.set(app.consumerKey, app);
      sendJson(ctx.res, 201, appView(ctx, app));
    },
    opts,
  );

  router.add(
    'POST',
    '/__emu/apps/:app/settings',
    async (ctx) => {
      const app = findApp(ctx, ctx.params.app);
      applyAppSettings(ctx, app, await controlBody(ctx));
      sendJson(ctx.res, 200, appView(ctx, app));
    },
    opts,
  );

  // New consumer key and/or secret. The old key becomes unknown at once; refresh tokens issued
  // under it die. The new credentials are unknown until `propagationDelaySec` (default 0) passes.
  router.add(
    'POST',
    '/__emu/apps/:app/credentials',
    async (ctx) => {
      const app = findApp(ctx, ctx.params.app);
      const b = await controlBody(ctx);
      const changeKey = optBool(b, 'key') ?? (typeof b.consumerKey === 'string' || b.consumerSecret === undefined);
      const changeSecret = optBool(b, 'secret') ?? (typeof b.consumerSecret === 'string' || b.consumerKey === undefined);
      const revoked: string[] = [];
      if (changeKey) {
        const oldKey = app.consumerKey;
        const newKey = typeof b.consumerKey === 'string' ? b.consumerKey : newConsumerKey();
        if (ctx.state.apps.has(newKey)) throw bad('consumer key in use');
        app.previousKeys.push(oldKey);
        app.consumerKey = newKey;
        // Rebuild the map in its old order so "default" keeps naming the first app.
        const entries = [...ctx.state.apps.entries()].map(([k, a]): [string, ConnectedApp] => (k === oldKey ? [newKey, a] : [k, a]));
        ctx.state.apps.clear();
        for (const [k, a] of entries) ctx.state.apps.set(k, a);
        for (const g of grantStore(ctx.state).grants.values()) {
          if (g.appKey === oldKey && !g.revoked) {
            revokeGrant(ctx.state, g, 'consumer key changed', { keepSessions: true });
            revoked.push(g.id);
          }
        }
      }
      if (changeSecret) app.consumerSecret = typeof b.consumerSecret === 'string' ? b.consumerSecret : newConsumerSecret();
      app.createdAt = ctx.state.clock.now();
      app.propagationDelaySec = optNumber(b, 'propagationDelaySec') ?? 0;
      sendJson(ctx.res, 200, { ...appView(ctx, app), revokedGrants: revoked });
    },
    opts,
  );

  // ---- Approvals (grants)
  router.add(
    'GET',
    '/__emu/grants',
    (ctx) => {
      const q = ctx.url.searchParams;
      const orgId = q.get('org') ? findOrg(ctx, q.get('org') ?? undefined).id : undefined;
      const userId = q.get('user') ? requireUser(ctx, q.get('user') ?? undefined).id : undefined;
      const keys = q.get('app') ? new Set(appKeys(findApp(ctx, q.get('app') ?? undefined))) : undefined;
      const liveOnly = q.get('live') === '1' || q.get('live') === 'true';
      const out = [...grantStore(ctx.state).grants.values()]
        .filter((g) => (!orgId || g.orgId === orgId) && (!userId || g.userId === userId) && (!keys || keys.has(g.appKey)))
        .map((g) => grantView(ctx, g))
        .filter((g) => !liveOnly || g.live);
      sendJson(ctx.res, 200, out);
    },
    opts,
  );

  // An approval as a completed web login creates it: counts toward the approval limit.
  router.add(
    'POST',
    '/__emu/grants',
    async (ctx) => {
      const b = await controlBody(ctx);
      const { org, user } = userOf(ctx, b);
      const app = findApp(ctx, typeof b.app === 'string' ? b.app : 'default');
      const scopes = optStrings(b, 'scopes') ?? ['api', 'refresh_token', 'web'];
      const { grant, evicted } = createGrant(ctx.state, { app, user, scopes, via: 'control' });
      sendJson(ctx.res, 201, {
        grantId: grant.id,
        refreshToken: grant.refreshToken,
        clientId: app.consumerKey,
        clientSecret: app.consumerSecret,
        loginUrl: loginUrlOf(ctx, org),
        instanceUrl: org.instanceUrl,
        orgId: org.id,
        userId: user.id,
        username: user.username,
        evicted: evicted.map((g) => g.id),
      });
    },
    opts,
  );

  router.add(
    'POST',
    '/__emu/grants/:id/revoke',
    async (ctx) => {
      const g = findGrant(ctx, ctx.params.id);
      const b = await controlBody(ctx);
      revokeGrant(ctx.state, g, typeof b.reason === 'string' ? b.reason : 'revoked by admin', { keepSessions: optBool(b, 'keepSessions') ?? false });
      sendJson(ctx.res, 200, grantView(ctx, g));
    },
    opts,
  );

  // The refresh token dies as a policy would end it; access tokens live on until their timeout.
  router.add(
    'POST',
    '/__emu/grants/:id/expire',
    (ctx) => {
      const g = findGrant(ctx, ctx.params.id);
      revokeGrant(ctx.state, g, 'expired', { keepSessions: true });
      sendJson(ctx.res, 200, grantView(ctx, g));
    },
    opts,
  );

  // ---- Users
  router.add(
    'POST',
    '/__emu/orgs/:org/users',
    async (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const b = await controlBody(ctx);
      const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
      if (str('username') && findUser(ctx.state, str('username'))) throw bad(`username ${str('username')} is taken`);
      const user = addUser(ctx.state, org, {
        ...(str('username') ? { username: str('username') as string } : {}),
        ...(str('email') ? { email: str('email') as string } : {}),
        ...(str('firstName') ? { firstName: str('firstName') as string } : {}),
        ...(str('lastName') ? { lastName: str('lastName') as string } : {}),
        ...(str('timezone') ? { timezone: str('timezone') as string } : {}),
        ...(optBool(b, 'active') !== undefined ? { active: b.active as boolean } : {}),
      });
      if (typeof b.password === 'string') oauthSettings(ctx.state).passwords.set(user.id, b.password);
      sendJson(ctx.res, 201, userView(ctx, user));
    },
    opts,
  );

  router.add('GET', '/__emu/users/:user', (ctx) => sendJson(ctx.res, 200, userView(ctx, requireUser(ctx, ctx.params.user))), opts);

  router.add(
    'POST',
    '/__emu/users/:user',
    async (ctx) => {
      const user = requireUser(ctx, ctx.params.user);
      sendJson(ctx.res, 200, applyUserChange(ctx, user, await controlBody(ctx)));
    },
    opts,
  );

  const statusChanges: Record<string, Body> = {
    deactivate: { active: false },
    reactivate: { active: true },
    freeze: { frozen: true },
    unfreeze: { frozen: false },
  };
  for (const [action, change] of Object.entries(statusChanges)) {
    router.add(
      'POST',
      `/__emu/users/:user/${action}`,
      async (ctx) => {
        const user = requireUser(ctx, ctx.params.user);
        sendJson(ctx.res, 200, applyUserChange(ctx, user, { ...(await controlBody(ctx)), ...change }));
      },
      opts,
    );
  }

  // Setup → Connected Apps OAuth Usage → "Revoke": every approval of the user (for one app or all).
  router.add(
    'POST',
    '/__emu/users/:user/revoke-apps',
    async (ctx) => {
      const user = requireUser(ctx, ctx.params.user);
      const b = await controlBody(ctx);
      const app = typeof b.app === 'string' ? findApp(ctx, b.app) : undefined;
      const grants = revokeUserGrants(ctx.state, user.id, 'revoked by admin', app);
      sendJson(ctx.res, 200, { revoked: grants.map((g) => g.id) });
    },
    opts,
  );

  // ---- Sessions (access tokens)
  router.add(
    'GET',
    '/__emu/oauth/sessions',
    (ctx) => {
      const q = Object.fromEntries(ctx.url.searchParams);
      const match = sessionFilter(ctx, q);
      const now = ctx.state.clock.now();
      const out = ctx.state.sessions
        .all()
        .filter(match)
        .map((s) => ({
          orgId: s.orgId,
          userId: s.userId,
          consumerKey: s.appKey ?? null,
          grantId: s.grantId ?? null,
          scopes: s.scopes,
          issuedAt: s.issuedAt,
          lastUsedAt: Number.isFinite(s.lastUsedAt) ? s.lastUsedAt : null,
          timeoutSec: s.timeoutSec,
          revoked: s.revoked,
          live: !s.revoked && now - s.lastUsedAt <= s.timeoutSec * 1000,
        }));
      sendJson(ctx.res, 200, out);
    },
    opts,
  );
  router.add(
    'POST',
    '/__emu/oauth/sessions/expire',
    async (ctx) => sendJson(ctx.res, 200, { expired: ctx.state.sessions.expireWhere(sessionFilter(ctx, await controlBody(ctx))) }),
    opts,
  );
  router.add(
    'POST',
    '/__emu/oauth/sessions/revoke',
    async (ctx) => sendJson(ctx.res, 200, { revoked: ctx.state.sessions.revokeWhere(sessionFilter(ctx, await controlBody(ctx))) }),
    opts,
  );

  // ---- Authorization server behaviour
  // {deny: true} or {error, description?}; `times` (default 0 = until cleared); {deny: false} or {error: null} clears.
  router.add(
    'POST',
    '/__emu/oauth/authorize',
    async (ctx) => {
      const b = await controlBody(ctx);
      const settings = oauthSettings(ctx.state);
      if (b.deny === false || b.error === null) delete settings.authorizeFailure;
      else if (b.deny === true || typeof b.error === 'string') {
        const error = typeof b.error === 'string' ? b.error : 'access_denied';
        const defaults: Record<string, string> = {
          access_denied: 'end-user denied authorization',
          rate_limit_exceeded: 'rate limit exceeded',
          immediate_unsuccessful: 'immediate unsuccessful',
          inactive_user: 'user is inactive',
          inactive_org: 'organization is inactive',
        };
        settings.authorizeFailure = {
          error,
          description: typeof b.description === 'string' ? b.description : (defaults[error] ?? error),
          remaining: optNumber(b, 'times') ?? 0,
        };
      }
      sendJson(ctx.res, 200, { authorizeFailure: settings.authorizeFailure ?? null });
    },
    opts,
  );

  router.add(
    'POST',
    '/__emu/oauth/settings',
    async (ctx) => {
      const b = await controlBody(ctx);
      const s = oauthSettings(ctx.state);
      const enforce = optBool(b, 'enforceLoginHostKind');
      if (enforce !== undefined) s.enforceLoginHostKind = enforce;
      if (typeof b.inactiveDescription === 'string') s.inactiveDescription = b.inactiveDescription;
      if (typeof b.defaultPassword === 'string') s.defaultPassword = b.defaultPassword;
      if (typeof b.defaultUser === 'string') ctx.state.defaultUserId = requireUser(ctx, b.defaultUser).id;
      sendJson(ctx.res, 200, {
        enforceLoginHostKind: s.enforceLoginHostKind,
        inactiveDescription: s.inactiveDescription,
        defaultPassword: s.defaultPassword,
        defaultUser: ctx.state.defaultUserId ?? null,
        lockedOrgs: [...s.lockedOrgs],
      });
    },
    opts,
  );

  router.add(
    'POST',
    '/__emu/orgs/:org/oauth',
    async (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const b = await controlBody(ctx);
      const s = oauthSettings(ctx.state);
      const locked = optBool(b, 'locked');
      if (locked === true) s.lockedOrgs.add(org.id);
      if (locked === false) s.lockedOrgs.delete(org.id);
      sendJson(ctx.res, 200, { id: org.id, locked: s.lockedOrgs.has(org.id) });
    },
    opts,
  );
}
