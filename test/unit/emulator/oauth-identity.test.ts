// The identity service (/id, /services/oauth2/userinfo) and token revocation, through jsforce and
// on the wire.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jsforce from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../../helpers/emulator.ts';
import { newGrant, refreshAt, restStatus, SMALL_ORGS, tokenConnection } from './oauth-helpers.ts';

const IDENTITY_KEYS = [
  'id',
  'asserted_user',
  'user_id',
  'organization_id',
  'username',
  'nick_name',
  'display_name',
  'email',
  'email_verified',
  'first_name',
  'last_name',
  'timezone',
  'photos',
  'addr_street',
  'addr_city',
  'addr_state',
  'addr_country',
  'addr_zip',
  'mobile_phone',
  'mobile_phone_verified',
  'is_lightning_login_user',
  'status',
  'urls',
  'active',
  'user_type',
  'language',
  'locale',
  'utcOffset',
  'last_modified_date',
  'is_app_installed',
];

let emu: Emulator;
before(async () => {
  emu = await emulator({ orgs: SMALL_ORGS });
});
after(() => emu.close());

async function session(alias = 'prod'): Promise<{ token: string; id: string; refreshToken: string }> {
  const g = await newGrant(emu, { org: alias });
  const r = await refreshAt(g.loginUrl, g, g.refreshToken);
  return { token: r.body.access_token as string, id: r.body.id as string, refreshToken: g.refreshToken };
}

describe('/id/<orgId>/<userId>', () => {
  it('answers jsforce Connection#identity with the documented body', async () => {
    const c = creds(emu, 'prod');
    const conn = tokenConnection(c.loginUrl, c.instanceUrl, c, c.refreshToken);
    await conn.request('/services/data/v62.0/limits');
    const identity = (await conn.identity()) as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(identity), IDENTITY_KEYS);
    assert.equal(identity.id, `${c.loginUrl}/id/${c.orgId}/${c.userId}`);
    assert.equal(identity.user_id, c.userId);
    assert.equal(identity.organization_id, c.orgId);
    assert.equal(identity.username, c.username);
    assert.equal(identity.active, true);
    const urls = identity.urls as Record<string, string>;
    assert.equal(urls.rest, `${c.instanceUrl}/services/data/v{version}/`);
    assert.equal(urls.partner, `${c.instanceUrl}/services/Soap/u/{version}/${c.orgId.slice(0, 15)}`);
    assert.equal(urls.custom_domain, c.instanceUrl);
    assert.equal(identity.utcOffset === -28800000 || identity.utcOffset === -25200000, true, 'America/Los_Angeles');
    assert.deepEqual(conn.userInfo, { id: c.userId, organizationId: c.orgId, url: identity.id });
  });

  it('takes the token from the Authorization header or from oauth_token, and honours format and version', async () => {
    const s = await session();
    const viaHeader = await fetch(s.id, { headers: { authorization: `Bearer ${s.token}` } });
    assert.equal(viaHeader.status, 200);
    assert.equal(viaHeader.headers.get('content-type'), 'application/json;charset=UTF-8');
    const viaQuery = await fetch(`${s.id}?format=json&oauth_token=${encodeURIComponent(s.token)}&version=latest`);
    const body = (await viaQuery.json()) as { urls: Record<string, string> };
    assert.match(body.urls.rest as string, /\/services\/data\/v\d+\.0\/$/);
    const xml = await fetch(`${s.id}?format=xml&oauth_token=${encodeURIComponent(s.token)}`);
    assert.match(xml.headers.get('content-type') ?? '', /^application\/xml/);
    assert.match(await xml.text(), /<user_id>005/);
  });

  it('answers failures with 403/404 plain text, never 401', async () => {
    const s = await session();
    const prodOrg = creds(emu, 'prod');
    const uat = await session('uat');
    const cases: [string, RequestInit, number, string][] = [
      [s.id, {}, 403, 'Missing_OAuth_Token'],
      [s.id, { headers: { authorization: 'Bearer 00Dnotatoken!AQ' } }, 403, 'Bad_OAuth_Token'],
      [s.id, { headers: { authorization: `Bearer ${uat.token}` } }, 403, 'Wrong_Org'],
      [`${prodOrg.loginUrl}/id/nope/${prodOrg.userId}`, { headers: { authorization: `Bearer ${s.token}` } }, 404, 'Bad_Id'],
    ];
    for (const [url, init, status, text] of cases) {
      const res = await fetch(url, init);
      assert.equal(res.status, status, text);
      assert.equal(res.headers.get('content-type'), 'text/plain;charset=UTF-8');
      assert.equal(await res.text(), text);
    }
  });

  it('does not make jsforce refresh: an expired session gives ERROR_HTTP_403 and no token call', async () => {
    const c = creds(emu, 'prod');
    const conn = tokenConnection(c.loginUrl, c.instanceUrl, c, c.refreshToken);
    await conn.request('/services/data/v62.0/limits');
    await control(emu, 'POST', '/oauth/sessions/expire', { token: conn.accessToken });
    const before = (await control<{ seq: number }[]>(emu, 'GET', '/requests')).at(-1)?.seq ?? 0;
    await assert.rejects(conn.identity(), { errorCode: 'ERROR_HTTP_403', message: 'Bad_OAuth_Token' });
    const calls = await control<{ path: string }[]>(emu, 'GET', `/requests?since=${before}`);
    assert.ok(!calls.some((e) => e.path === '/services/oauth2/token'));
  });
});

describe('/services/oauth2/userinfo', () => {
  it('answers the OpenID Connect shape the sf CLI reads user_id and organization_id from', async () => {
    const c = creds(emu, 'prod');
    const s = await session();
    for (const host of [c.instanceUrl, c.loginUrl]) {
      const res = await fetch(`${host}/services/oauth2/userinfo`, { headers: { authorization: `Bearer ${s.token}` } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body.sub, `${host}/id/${c.orgId}/${c.userId}`);
      assert.equal(body.user_id, c.userId);
      assert.equal(body.organization_id, c.orgId);
      assert.equal(body.preferred_username, c.username);
      assert.equal(body.email_verified, true);
    }
    const missing = await fetch(`${c.instanceUrl}/services/oauth2/userinfo`);
    assert.equal(missing.status, 403);
    assert.equal(await missing.text(), 'Missing_OAuth_Token');
  });
});

describe('/services/oauth2/revoke', () => {
  it('revokes one access token; the refresh token still works', async () => {
    const c = creds(emu, 'prod');
    const s = await session();
    const res = await fetch(`${c.loginUrl}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: s.token }),
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    assert.equal(await restStatus(c.instanceUrl, s.token), 401);
    assert.equal((await refreshAt(c.loginUrl, c, s.refreshToken)).status, 200);
  });

  it('revokes a refresh token with its grant and sessions through conn.logout(true)', async () => {
    const g = await newGrant(emu, { org: 'prod' });
    const conn = tokenConnection(g.loginUrl, g.instanceUrl, g, g.refreshToken);
    await conn.request('/services/data/v62.0/limits');
    const token = conn.accessToken as string;
    await conn.logout(true);
    assert.equal(conn.accessToken, null);
    assert.equal(await restStatus(g.instanceUrl, token), 401);
    assert.deepEqual((await refreshAt(g.loginUrl, g, g.refreshToken)).body, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
  });

  it('ends only the session on conn.logout()', async () => {
    const g = await newGrant(emu, { org: 'prod' });
    const conn = tokenConnection(g.loginUrl, g.instanceUrl, g, g.refreshToken);
    await conn.request('/services/data/v62.0/limits');
    const token = conn.accessToken as string;
    await conn.logout();
    assert.equal(await restStatus(g.instanceUrl, token), 401);
    assert.equal((await refreshAt(g.loginUrl, g, g.refreshToken)).status, 200);
  });

  it('accepts GET ?token=, and keeps the token out of the request log', async () => {
    const c = creds(emu, 'prod');
    const s = await session();
    const res = await fetch(`${c.loginUrl}/services/oauth2/revoke?token=${encodeURIComponent(s.token)}`);
    assert.equal(res.status, 200);
    assert.equal(await restStatus(c.instanceUrl, s.token), 401);
    const log = JSON.stringify(await control(emu, 'GET', '/requests'));
    assert.ok(!log.includes(s.token));
    assert.ok(log.includes('token=<redacted>'));
  });

  it('answers an unknown or already revoked token with a form-encoded invalid_token that jsforce parses', async () => {
    const c = creds(emu, 'prod');
    const res = await fetch(`${c.loginUrl}/services/oauth2/revoke`, { method: 'POST', body: new URLSearchParams({ token: 'nope' }) });
    assert.equal(res.status, 400);
    assert.equal(await res.text(), 'error=invalid_token&error_description=invalid+token');
    const oauth2 = new jsforce.OAuth2({ clientId: c.clientId, loginUrl: c.loginUrl });
    const s = await session();
    await oauth2.revokeToken(s.token);
    await assert.rejects(oauth2.revokeToken(s.token), { name: 'invalid_token', message: 'invalid token' });
    const none = await fetch(`${c.loginUrl}/services/oauth2/revoke`, { method: 'POST', body: new URLSearchParams({}) });
    assert.equal(await none.text(), 'error=unsupported_token_type&error_description=unsupported+token+type');
  });
});
