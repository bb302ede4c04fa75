// The identity service: /id/<orgId>/<userId> and /services/oauth2/userinfo (§1.11). Failures are
// 403 plain text, never 401, so jsforce does not try to refresh on them.
import { sendJson, sendText } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { isValidIdShape, sameId } from '../ids.ts';
import type { Org, User } from '../model.ts';
import { jwks } from './jwt.ts';
import { instanceUrlFor } from './policies.ts';
import type { AccessToken } from './sessions.ts';

const TEXT = 'text/plain;charset=UTF-8';
// Users get a fixed "last modified" stamp: the emulator keeps no history of user edits.
const USER_LAST_MODIFIED = '2024-03-20T21:42:13Z';

function identityError(ctx: Ctx, status: number, text: string): undefined {
  sendText(ctx.res, status, text, TEXT);
  return undefined;
}

/** The access token from `Authorization: Bearer|OAuth` or `?oauth_token=`, validated. */
function identitySession(ctx: Ctx): AccessToken | undefined {
  const m = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(ctx.req.headers.authorization ?? '');
  const token = m?.[1] ?? ctx.url.searchParams.get('oauth_token') ?? undefined;
  if (!token) return identityError(ctx, 403, 'Missing_OAuth_Token');
  const session = ctx.state.sessions.validate(token, ctx.state.clock.now());
  const user = session ? ctx.state.users.get(session.userId) : undefined;
  if (!session || !user?.active || user.frozen) return identityError(ctx, 403, 'Bad_OAuth_Token');
  return session;
}

function utcOffsetMs(timeZone: string, at: number): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(at));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return local - Math.floor(at / 1000) * 1000;
  } catch {
    return 0;
  }
}

function urls(base: string, org: Org, user: User): Record<string, string> {
  const org15 = org.id.slice(0, 15);
  const data = `${base}/services/data/v{version}`;
  return {
    enterprise: `${base}/services/Soap/c/{version}/${org15}`,
    metadata: `${base}/services/Soap/m/{version}/${org15}`,
    partner: `${base}/services/Soap/u/{version}/${org15}`,
    rest: `${data}/`,
    sobjects: `${data}/sobjects/`,
    search: `${data}/search/`,
    query: `${data}/query/`,
    recent: `${data}/recent/`,
    tooling_soap: `${base}/services/Soap/T/{version}/${org15}`,
    tooling_rest: `${data}/tooling/`,
    profile: `${base}/${user.id}`,
    feeds: `${data}/chatter/feeds`,
    groups: `${data}/chatter/groups`,
    users: `${data}/chatter/users`,
    feed_items: `${data}/chatter/feed-items`,
    feed_elements: `${data}/chatter/feed-elements`,
    custom_domain: base,
  };
}

interface IdentityParts {
  idUrl: string;
  base: string;
  org: Org;
  user: User;
  now: number;
}

function displayName(user: User): string {
  return `${user.firstName} ${user.lastName}`.trim();
}

function nickName(user: User): string {
  return user.username.split('@')[0] as string;
}

function photos(base: string, user: User): { picture: string; thumbnail: string } {
  return { picture: `${base}/profilephoto/005/F?u=${user.id}`, thumbnail: `${base}/profilephoto/005/T?u=${user.id}` };
}

function identityBody(p: IdentityParts): Record<string, unknown> {
  const { user, org, base } = p;
  return {
    id: p.idUrl,
    asserted_user: true,
    user_id: user.id,
    organization_id: org.id,
    username: user.username,
    nick_name: nickName(user),
    display_name: displayName(user),
    email: user.email,
    email_verified: true,
    first_name: user.firstName,
    last_name: user.lastName,
    timezone: user.timezone,
    photos: photos(base, user),
    addr_street: null,
    addr_city: null,
    addr_state: null,
    addr_country: 'US',
    addr_zip: null,
    mobile_phone: null,
    mobile_phone_verified: false,
    is_lightning_login_user: false,
    status: { created_date: null, body: null },
    urls: urls(base, org, user),
    active: user.active,
    user_type: 'STANDARD',
    language: user.locale,
    locale: user.locale,
    utcOffset: utcOffsetMs(user.timezone, p.now),
    last_modified_date: USER_LAST_MODIFIED,
    is_app_installed: true,
  };
}

function userInfoBody(p: IdentityParts): Record<string, unknown> {
  const { user, org, base } = p;
  const pics = photos(base, user);
  return {
    sub: p.idUrl,
    user_id: user.id,
    organization_id: org.id,
    preferred_username: user.username,
    nickname: nickName(user),
    name: displayName(user),
    email: user.email,
    email_verified: true,
    given_name: user.firstName,
    family_name: user.lastName,
    zoneinfo: user.timezone,
    photos: pics,
    profile: `${base}/${user.id}`,
    picture: pics.picture,
    address: { country: 'US' },
    is_salesforce_integration_user: false,
    urls: urls(base, org, user),
    active: user.active,
    user_type: 'STANDARD',
    language: user.locale,
    locale: user.locale,
    utcOffset: utcOffsetMs(user.timezone, p.now),
    updated_at: USER_LAST_MODIFIED,
    is_app_installed: true,
  };
}

/** `?version=NN.N|latest` fills the `{version}` placeholders, as Salesforce does. */
function withVersion(ctx: Ctx, body: Record<string, unknown>): Record<string, unknown> {
  const v = ctx.url.searchParams.get('version');
  if (!v) return body;
  const version = v === 'latest' ? `${ctx.state.apiVersions.max}.0` : v;
  return JSON.parse(JSON.stringify(body).replaceAll('{version}', version)) as Record<string, unknown>;
}

function xmlValue(name: string, v: unknown): string {
  if (v === null || v === undefined) return `<${name} xsi:nil="true"/>`;
  if (typeof v === 'object') {
    return `<${name}>${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => xmlValue(k, x))
      .join('')}</${name}>`;
  }
  const text = String(v).replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
  return `<${name}>${text}</${name}>`;
}

function sendIdentity(ctx: Ctx, body: Record<string, unknown>, root: string): void {
  const format = ctx.url.searchParams.get('format') ?? 'json';
  if (format === 'xml') {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>${xmlValue(root, body).replace(`<${root}>`, `<${root} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)}`;
    sendText(ctx.res, 200, xml, 'application/xml;charset=UTF-8');
    return;
  }
  if (format === 'urlencoded') {
    const flat = new URLSearchParams();
    const walk = (prefix: string, v: unknown) => {
      if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(prefix ? `${prefix}.${k}` : k, x);
      else flat.append(prefix, v === null || v === undefined ? '' : String(v));
    };
    walk('', body);
    sendText(ctx.res, 200, flat.toString(), 'application/x-www-form-urlencoded;charset=UTF-8');
    return;
  }
  sendJson(ctx.res, 200, body);
}

export function registerIdentityRoutes(router: Router): void {
  router.add('GET', '/id/keys', (ctx) => sendJson(ctx.res, 200, jwks(ctx.state)), { scope: 'any' });

  router.add(
    ['GET', 'POST'],
    '/id/:orgId/:userId',
    (ctx) => {
      const session = identitySession(ctx);
      if (!session) return;
      const orgId = ctx.params.orgId ?? '';
      const userId = ctx.params.userId ?? '';
      if (!isValidIdShape(orgId) || !isValidIdShape(userId) || !orgId.startsWith('00D') || !userId.startsWith('005')) {
        return identityError(ctx, 404, 'Bad_Id');
      }
      if (!sameId(orgId, session.orgId)) return identityError(ctx, 403, 'Wrong_Org');
      const org = ctx.state.orgs.get(session.orgId);
      const user = [...ctx.state.users.values()].find((u) => u.orgId === session.orgId && sameId(u.id, userId));
      if (!org || !user) return identityError(ctx, 404, 'Bad_Id');
      if (!user.active) return identityError(ctx, 403, 'Inactive');
      const base = instanceUrlFor(org, ctx.listener);
      const body = identityBody({ idUrl: `${ctx.listener.baseUrl}/id/${org.id}/${user.id}`, base, org, user, now: ctx.state.clock.now() });
      sendIdentity(ctx, withVersion(ctx, body), 'user');
    },
    { scope: 'any' },
  );

  router.add(
    ['GET', 'POST'],
    '/services/oauth2/userinfo',
    (ctx) => {
      const session = identitySession(ctx);
      if (!session) return;
      const org = ctx.state.orgs.get(session.orgId);
      const user = ctx.state.users.get(session.userId);
      if (!org || !user) return identityError(ctx, 403, 'Bad_OAuth_Token');
      const base = instanceUrlFor(org, ctx.listener);
      const body = userInfoBody({ idUrl: `${ctx.listener.baseUrl}/id/${org.id}/${user.id}`, base, org, user, now: ctx.state.clock.now() });
      sendIdentity(ctx, withVersion(ctx, body), 'user');
    },
    { scope: 'any' },
  );
}
