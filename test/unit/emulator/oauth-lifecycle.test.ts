// What happens to tokens over time and under admin action: rotation and reuse detection,
// refresh-token policies, the approval limit, changed consumer credentials, users who can no longer
// log in, session timeouts and jsforce's refresh-and-replay, revocation by an admin.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jsforce from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, emulator } from '../../helpers/emulator.ts';
import {
  type AppReply,
  advance,
  appSettings,
  type GrantReply,
  newApp,
  newGrant,
  newUser,
  refreshAt,
  restStatus,
  SMALL_ORGS,
  tokenConnection,
} from './oauth-helpers.ts';

const EXPIRED = { error: 'invalid_grant', error_description: 'expired access/refresh token' };
const DAY = 24 * 3600;

let emu: Emulator;
before(async () => {
  emu = await emulator({ orgs: SMALL_ORGS });
});
after(() => emu.close());

/** A fresh app with the given policies and a fresh user holding one approval of it. */
async function fixture(
  settings: Record<string, unknown> = {},
  org = 'prod',
): Promise<{ app: AppReply; grant: GrantReply; client: { clientId: string; clientSecret: string } }> {
  const app = await newApp(emu, settings);
  const user = await newUser(emu, org);
  const grant = await newGrant(emu, { user: user.id, app: app.consumerKey });
  return { app, grant, client: { clientId: app.consumerKey, clientSecret: app.consumerSecret } };
}

describe('refresh token rotation', () => {
  it('hands out a new refresh token on each of ten refreshes, each made with the previous one', async () => {
    const { grant, client } = await fixture({ rotation: true });
    const seen = new Set<string>([grant.refreshToken]);
    let current = grant.refreshToken;
    for (let i = 0; i < 10; i++) {
      const r = await refreshAt(grant.loginUrl, client, current);
      assert.equal(r.status, 200, `refresh ${i + 1}: ${r.text}`);
      assert.deepEqual(Object.keys(r.body), ['access_token', 'refresh_token', 'signature', 'scope', 'instance_url', 'id', 'token_type', 'issued_at']);
      const next = r.body.refresh_token as string;
      assert.match(next, /^[A-Za-z0-9._-]+={0,2}$/);
      assert.ok(!seen.has(next), 'every rotation is a new token');
      seen.add(next);
      current = next;
    }
    const [listed] = await control<{ rotations: number; live: boolean }[]>(emu, 'GET', `/grants?user=${grant.userId}`);
    assert.equal(listed?.rotations, 10);
    assert.equal(listed?.live, true);
  });

  it('treats reuse of a rotated-out token as theft: the whole chain and its sessions die', async () => {
    const { grant, client } = await fixture({ rotation: true });
    const first = await refreshAt(grant.loginUrl, client, grant.refreshToken);
    const second = await refreshAt(grant.loginUrl, client, first.body.refresh_token as string);
    const session = second.body.access_token as string;
    assert.equal(await restStatus(grant.instanceUrl, session), 200);

    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, EXPIRED);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, second.body.refresh_token as string)).body, EXPIRED, 'the current token died too');
    assert.equal(await restStatus(grant.instanceUrl, session), 401, 'and every access token of the grant');
    assert.equal(await restStatus(grant.instanceUrl, first.body.access_token as string), 401);
  });

  it('lets only one of two concurrent refreshes with the same token win, and the loser kills the chain', async () => {
    const { grant, client } = await fixture({ rotation: true });
    const [a, b] = await Promise.all([refreshAt(grant.loginUrl, client, grant.refreshToken), refreshAt(grant.loginUrl, client, grant.refreshToken)]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [200, 400]);
    const winner = a.status === 200 ? a : b;
    assert.deepEqual((await refreshAt(grant.loginUrl, client, winner.body.refresh_token as string)).body, EXPIRED);
  });

  it('breaks a jsforce connection on its second refresh, since jsforce keeps the old refresh token', async () => {
    const { grant, client } = await fixture({ rotation: true, sessionTimeoutSec: 900 });
    const conn = tokenConnection(grant.loginUrl, grant.instanceUrl, client, grant.refreshToken);
    const events: { refresh_token?: string }[] = [];
    conn.on('refresh', (_token: string, res: { refresh_token?: string }) => events.push(res));
    await conn.request('/services/data/v62.0/limits');
    assert.equal(events.length, 1);
    assert.ok(events[0]?.refresh_token, "the 'refresh' event carries the rotated token");
    assert.equal(conn.refreshToken, grant.refreshToken, 'jsforce did not store it');
    await advance(emu, 901);
    await assert.rejects(conn.request('/services/data/v62.0/limits'), /Unable to refresh session due to: expired access\/refresh token/);
  });

  it('returns no refresh_token and keeps the same one working when rotation is off', async () => {
    const { grant, client } = await fixture({ rotation: false });
    for (let i = 0; i < 3; i++) {
      const r = await refreshAt(grant.loginUrl, client, grant.refreshToken);
      assert.equal(r.status, 200);
      assert.equal(r.body.refresh_token, undefined);
    }
  });
});

describe('refresh token policies', () => {
  it('immediate: the refresh token is dead on arrival', async () => {
    const { grant, client } = await fixture({ refreshTokenPolicy: 'immediate' });
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, EXPIRED);
  });

  it('idle N: each refresh restarts the clock; N seconds without one end the token', async () => {
    const { grant, client } = await fixture({ refreshTokenPolicy: { kind: 'idle', seconds: 3600 } });
    await advance(emu, 3000);
    assert.equal((await refreshAt(grant.loginUrl, client, grant.refreshToken)).status, 200);
    await advance(emu, 3000);
    assert.equal((await refreshAt(grant.loginUrl, client, grant.refreshToken)).status, 200, '6000 s after issue, but used 3000 s ago');
    await advance(emu, 3601);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, EXPIRED);
  });

  it('absolute N: the token ends N seconds after issue however often it is used', async () => {
    const { grant, client } = await fixture({ refreshTokenPolicy: { kind: 'absolute', seconds: 3600 }, rotation: true });
    await advance(emu, 1800);
    const r = await refreshAt(grant.loginUrl, client, grant.refreshToken);
    assert.equal(r.status, 200);
    await advance(emu, 1801);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, r.body.refresh_token as string)).body, EXPIRED, 'rotation does not extend it');
  });

  it('idle TTL cap: "valid until revoked" behaves as 30 idle days', async () => {
    const { grant, client } = await fixture({ refreshTokenPolicy: 'infinite', idleTtlCap30d: true });
    await advance(emu, 29 * DAY);
    assert.equal((await refreshAt(grant.loginUrl, client, grant.refreshToken)).status, 200);
    await advance(emu, 30 * DAY + 60);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, EXPIRED);
    // Without the cap the same idle time is harmless.
    const uncapped = await fixture({ refreshTokenPolicy: 'infinite' });
    await advance(emu, 400 * DAY);
    assert.equal((await refreshAt(uncapped.grant.loginUrl, uncapped.client, uncapped.grant.refreshToken)).status, 200);
  });

  it('idle TTL cap also shortens a longer idle policy to 30 days', async () => {
    const { grant, client } = await fixture({ refreshTokenPolicy: { kind: 'idle', seconds: 90 * DAY }, idleTtlCap30d: true });
    await advance(emu, 31 * DAY);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, EXPIRED);
  });
});

describe('five approvals per user per app', () => {
  it('revokes the oldest approval when a sixth is created; the other five keep working', async () => {
    const app = await newApp(emu, { name: 'Five' });
    const user = await newUser(emu, 'prod');
    const client = { clientId: app.consumerKey, clientSecret: app.consumerSecret };
    const grants: GrantReply[] = [];
    for (let i = 0; i < 5; i++) {
      const g = await newGrant(emu, { user: user.id, app: app.consumerKey });
      assert.deepEqual(g.evicted, []);
      grants.push(g);
    }
    const oldest = grants[0] as GrantReply;
    const oldSession = (await refreshAt(oldest.loginUrl, client, oldest.refreshToken)).body.access_token as string;
    const sixth = await newGrant(emu, { user: user.id, app: app.consumerKey });
    assert.deepEqual(sixth.evicted, [oldest.grantId]);
    assert.deepEqual((await refreshAt(oldest.loginUrl, client, oldest.refreshToken)).body, EXPIRED);
    assert.equal(await restStatus(oldest.instanceUrl, oldSession), 401, "the evicted approval's sessions die with it");
    for (const g of [...grants.slice(1), sixth]) assert.equal((await refreshAt(g.loginUrl, client, g.refreshToken)).status, 200);
    // Another user's approvals and another app's are counted separately.
    const other = await newGrant(emu, { org: 'prod', app: app.consumerKey });
    assert.deepEqual(other.evicted, []);
  });

  it('can evict the least recently used approval instead, and can use another limit', async () => {
    const app = await newApp(emu, { name: 'LRU', evictionOrder: 'lastUsedAt', maxApprovals: 3 });
    const user = await newUser(emu, 'prod');
    const client = { clientId: app.consumerKey, clientSecret: app.consumerSecret };
    const grants: GrantReply[] = [];
    for (let i = 0; i < 3; i++) {
      grants.push(await newGrant(emu, { user: user.id, app: app.consumerKey }));
      await advance(emu, 10);
    }
    // The oldest is used, so the second becomes the least recently used.
    assert.equal((await refreshAt(emu.loginUrl, client, (grants[0] as GrantReply).refreshToken)).status, 200);
    const fourth = await newGrant(emu, { user: user.id, app: app.consumerKey });
    assert.deepEqual(fourth.evicted, [(grants[1] as GrantReply).grantId]);
    assert.equal((await refreshAt(emu.loginUrl, client, (grants[0] as GrantReply).refreshToken)).status, 200);
  });
});

describe('consumer key and secret changed', () => {
  it('makes the old key unknown and kills refresh tokens issued before the change', async () => {
    const { app, grant, client } = await fixture({ name: 'Rekeyed' });
    const session = (await refreshAt(grant.loginUrl, client, grant.refreshToken)).body.access_token as string;
    const changed = await control<AppReply>(emu, 'POST', `/apps/${app.consumerKey}/credentials`, {});
    assert.notEqual(changed.consumerKey, app.consumerKey);
    assert.notEqual(changed.consumerSecret, app.consumerSecret);

    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, {
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
    const fresh = { clientId: changed.consumerKey, clientSecret: changed.consumerSecret };
    assert.deepEqual((await refreshAt(grant.loginUrl, fresh, grant.refreshToken)).body, EXPIRED);
    // Through jsforce, as the Action would see it mid-run.
    const conn = tokenConnection(grant.loginUrl, grant.instanceUrl, fresh, grant.refreshToken);
    await assert.rejects(conn.request('/services/data/v62.0/limits'), /expired access\/refresh token/);
    // Sessions already issued are not tokens of the app's credentials: they run out on their own.
    assert.equal(await restStatus(grant.instanceUrl, session), 200);
    // A new approval under the new key works.
    const again = await newGrant(emu, { user: grant.userId, app: changed.consumerKey });
    assert.equal((await refreshAt(grant.loginUrl, fresh, again.refreshToken)).status, 200);
  });

  it('with only a new secret, the old secret fails and existing tokens live on', async () => {
    const { app, grant, client } = await fixture({ name: 'New secret' });
    const changed = await control<AppReply>(emu, 'POST', `/apps/${app.consumerKey}/credentials`, { key: false });
    assert.equal(changed.consumerKey, app.consumerKey);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, {
      error: 'invalid_client',
      error_description: 'invalid client credentials',
    });
    assert.equal((await refreshAt(grant.loginUrl, { clientId: app.consumerKey, clientSecret: changed.consumerSecret }, grant.refreshToken)).status, 200);
  });

  it('keeps new credentials unknown for the propagation window', async () => {
    const { app, grant } = await fixture({ name: 'Slow rekey' });
    const changed = await control<AppReply>(emu, 'POST', `/apps/${app.consumerKey}/credentials`, { propagationDelaySec: 300 });
    const fresh = { clientId: changed.consumerKey, clientSecret: changed.consumerSecret };
    const g = await newGrant(emu, { user: grant.userId, app: changed.consumerKey });
    assert.deepEqual((await refreshAt(grant.loginUrl, fresh, g.refreshToken)).body, {
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
    await advance(emu, 301);
    assert.equal((await refreshAt(grant.loginUrl, fresh, g.refreshToken)).status, 200);
  });
});

describe('users who can no longer log in', () => {
  it('deactivation ends sessions and refreshes answer inactive user until reactivation', async () => {
    const { grant, client } = await fixture();
    const conn = tokenConnection(grant.loginUrl, grant.instanceUrl, client, grant.refreshToken);
    await conn.request('/services/data/v62.0/limits');
    const session = conn.accessToken as string;
    await control(emu, 'POST', `/users/${grant.userId}/deactivate`);
    assert.equal(await restStatus(grant.instanceUrl, session), 401);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, { error: 'invalid_grant', error_description: 'inactive user' });
    await assert.rejects(conn.request('/services/data/v62.0/limits'), /Unable to refresh session due to: inactive user/);
    await control(emu, 'POST', `/users/${grant.userId}/reactivate`);
    assert.equal((await refreshAt(grant.loginUrl, client, grant.refreshToken)).status, 200);
  });

  it('frozen users fail the same way, with a configurable description', async () => {
    const { grant, client } = await fixture();
    await control(emu, 'POST', `/users/${grant.userId}/freeze`, { inactiveDescription: 'user is frozen' });
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, { error: 'invalid_grant', error_description: 'user is frozen' });
    await control(emu, 'POST', `/users/${grant.userId}/unfreeze`);
    assert.equal((await refreshAt(grant.loginUrl, client, grant.refreshToken)).status, 200);
  });

  it('deactivation that revokes approvals answers expired access/refresh token, even after reactivation', async () => {
    const { grant, client } = await fixture();
    await control(emu, 'POST', `/users/${grant.userId}/deactivate`, { revokeGrants: true });
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, EXPIRED);
    await control(emu, 'POST', `/users/${grant.userId}/reactivate`);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, EXPIRED);
  });
});

describe('session timeout', () => {
  it('ends an idle access token after the app session timeout; jsforce refreshes and replays', async () => {
    const { grant, client } = await fixture({ sessionTimeoutSec: 900 });
    const conn = tokenConnection(grant.loginUrl, grant.instanceUrl, client, grant.refreshToken);
    const refreshes: string[] = [];
    conn.on('refresh', (token: string) => refreshes.push(token));
    await conn.request('/services/data/v62.0/limits');
    assert.equal(refreshes.length, 1, 'a connection without an access token refreshes on its first 401');
    // Timeouts slide: regular use keeps the session alive.
    await advance(emu, 600);
    await conn.request('/services/data/v62.0/limits');
    await advance(emu, 600);
    await conn.request('/services/data/v62.0/limits');
    assert.equal(refreshes.length, 1);
    const old = conn.accessToken as string;
    await advance(emu, 901);
    assert.equal(await restStatus(grant.instanceUrl, old), 401);
    const res = await fetch(`${grant.instanceUrl}/services/data/v62.0/limits`, { headers: { authorization: `Bearer ${old}` } });
    assert.deepEqual(await res.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const limits = await conn.request<Record<string, unknown>>('/services/data/v62.0/limits');
    assert.ok(limits.DailyApiRequests, 'the call was replayed after the refresh');
    assert.equal(refreshes.length, 2);
    assert.notEqual(conn.accessToken, old);
  });

  it('expires sessions on demand through the control surface', async () => {
    const { grant, client } = await fixture();
    const a = (await refreshAt(grant.loginUrl, client, grant.refreshToken)).body.access_token as string;
    const other = await fixture();
    const b = (await refreshAt(other.grant.loginUrl, other.client, other.grant.refreshToken)).body.access_token as string;
    const out = await control<{ expired: number }>(emu, 'POST', '/oauth/sessions/expire', { user: grant.userId });
    assert.equal(out.expired, 1);
    assert.equal(await restStatus(grant.instanceUrl, a), 401);
    assert.equal(await restStatus(other.grant.instanceUrl, b), 200);
  });
});

describe('admin actions', () => {
  it("revoking a user's app access kills every approval and session of it", async () => {
    const { app, grant, client } = await fixture();
    const second = await newGrant(emu, { user: grant.userId, app: app.consumerKey });
    const session = (await refreshAt(grant.loginUrl, client, second.refreshToken)).body.access_token as string;
    const out = await control<{ revoked: string[] }>(emu, 'POST', `/users/${grant.userId}/revoke-apps`, { app: app.consumerKey });
    assert.deepEqual(out.revoked.sort(), [grant.grantId, second.grantId].sort());
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, EXPIRED);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, second.refreshToken)).body, EXPIRED);
    assert.equal(await restStatus(grant.instanceUrl, session), 401);
  });

  it('expiring a grant ends its refresh token but not the sessions already issued', async () => {
    const { grant, client } = await fixture();
    const session = (await refreshAt(grant.loginUrl, client, grant.refreshToken)).body.access_token as string;
    await control(emu, 'POST', `/grants/${grant.grantId}/expire`);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, EXPIRED);
    assert.equal(await restStatus(grant.instanceUrl, session), 200);
  });

  it('IP restrictions on the user or the app answer ip restricted', async () => {
    const { app, grant, client } = await fixture();
    await control(emu, 'POST', `/users/${grant.userId}`, { ipRestricted: true });
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, { error: 'invalid_grant', error_description: 'ip restricted' });
    await control(emu, 'POST', `/users/${grant.userId}`, { ipRestricted: false });
    assert.equal((await refreshAt(grant.loginUrl, client, grant.refreshToken)).status, 200);
    await appSettings(emu, { ipRestricted: true }, app.consumerKey);
    assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, { error: 'invalid_grant', error_description: 'ip restricted' });
  });

  it('a locked org answers inactive organization', async () => {
    const { grant, client } = await fixture({}, 'uat');
    await control(emu, 'POST', '/orgs/uat/oauth', { locked: true });
    try {
      assert.deepEqual((await refreshAt(grant.loginUrl, client, grant.refreshToken)).body, {
        error: 'invalid_grant',
        error_description: 'inactive organization',
      });
    } finally {
      await control(emu, 'POST', '/orgs/uat/oauth', { locked: false });
    }
    assert.equal((await refreshAt(grant.loginUrl, client, grant.refreshToken)).status, 200);
  });
});

describe('a jsforce Connection built from oauth2 options', () => {
  it('reports a refresh failure as the OAuth error through the refresh delegate', async () => {
    const { grant, client } = await fixture({ refreshTokenPolicy: 'immediate' });
    const conn = new jsforce.Connection({
      instanceUrl: grant.instanceUrl,
      refreshToken: grant.refreshToken,
      oauth2: { ...client, loginUrl: grant.loginUrl },
      version: '62.0',
    });
    await assert.rejects(conn.request('/services/data/v62.0/limits'), { message: 'Unable to refresh session due to: expired access/refresh token' });
  });
});
