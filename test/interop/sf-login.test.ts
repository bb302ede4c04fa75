// The real sf CLI logs in to the emulator: access token (http) and sfdx auth URL (https, refresh
// token flow), then reads the org back and survives an expired session by refreshing.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { calls, control, creds, describeLog, lastSeq, loginWithAccessToken, orgOf, requestLog, startInterop, storeRows } from './fixtures.ts';
import { assertNoSfLeftovers, describeRun, type SfHome, sf, sfHome, sfOk } from './sf.ts';

// defect 10: sf leaves nothing running behind this file (a self-updater above all).
after(() => assertNoSfLeftovers());

interface OrgDisplay {
  id: string;
  apiVersion: string;
  accessToken: string;
  instanceUrl: string;
  username: string;
  clientId?: string;
  connectedStatus: string;
  alias?: string;
}

interface LoginResult {
  username: string;
  orgId: string;
  instanceUrl: string;
  loginUrl: string;
  instanceApiVersion?: string;
  isDevHub?: boolean;
  isSandbox?: boolean;
}

function stripSlash(u: string): string {
  return u.replace(/\/+$/, '');
}

describe('sf org login against the emulator', () => {
  let emu: Emulator;
  let home: SfHome;
  const homes: SfHome[] = [];

  before(async () => {
    ({ emu, home } = await startInterop({ https: true }));
    homes.push(home);
  });

  after(async () => {
    await emu?.close();
    for (const h of homes) h.remove();
  });

  it('sf org login access-token stores the org the emulator describes', async () => {
    const since = await lastSeq(emu);
    const { result, session, creds: c } = await loginWithAccessToken(emu, home, 'emu');
    const login = result as unknown as LoginResult;
    assert.equal(login.username, c.username);
    assert.equal(login.orgId, c.orgId);
    assert.equal(stripSlash(login.instanceUrl), session.instanceUrl);
    assert.equal(login.isDevHub, false, 'ScratchOrgInfo is not queryable, so not a Dev Hub');

    // §6.2 steps 1–6, in that order, with sf's double slashes where it really sends them.
    const log = await requestLog(emu, since);
    const seq = log.map((e) => `${e.method} ${e.path}`);
    const want = [
      'GET /services/oauth2/userinfo',
      `GET /services/data/v51.0/sobjects/User/${c.userId}`,
      'GET /services/data/v51.0/query',
      'GET /services/data',
    ];
    let at = 0;
    for (const w of want) {
      const i = seq.indexOf(w, at);
      assert.ok(i >= at, `expected ${w} after #${at} in:\n${describeLog(log)}`);
      at = i + 1;
    }
    const orgQuery = log.find((e) => e.path.endsWith('/query') && decodeURIComponent(e.query).includes('FROM Organization'));
    assert.ok(orgQuery, `sf reads the Organization row:\n${describeLog(log)}`);
    assert.equal(orgQuery.status, 200, describeLog(log));
    assert.ok(!log.some((e) => e.path === '/services/data' && e.status !== 200), `GET /services/data must succeed:\n${describeLog(log)}`);
    // Every call went to the org's instance host with the session sf was given.
    for (const e of log) assert.equal(e.listener, 'instance', `${e.method} ${e.rawPath} went to ${e.listener}`);
  });

  it('sf org display reports the org, the max API version and a live connection', async () => {
    const c = creds(emu, 'prod');
    const { result } = await sfOk<OrgDisplay>(home, ['org', 'display', '--target-org', 'emu']);
    assert.equal(result.id, c.orgId);
    assert.equal(result.username, c.username);
    assert.equal(stripSlash(result.instanceUrl), c.instanceUrl);
    assert.equal(result.apiVersion, `${emu.state.apiVersions.max}.0`, 'sf takes the highest version of GET /services/data');
    assert.equal(result.connectedStatus, 'Connected');
    assert.equal(result.alias, 'emu');
  });

  it('sf org list shows the org as connected', async () => {
    const c = creds(emu, 'prod');
    const { result } = await sfOk<{ nonScratchOrgs: { username: string; orgId: string; connectedStatus: string; isDevHub: boolean }[] }>(home, ['org', 'list']);
    const row = result.nonScratchOrgs.find((o) => o.username === c.username);
    assert.ok(row, JSON.stringify(result));
    assert.equal(row.orgId, c.orgId);
    assert.equal(row.connectedStatus, 'Connected');
  });

  it('an access-token org whose session ended reports it instead of hanging or refreshing', async () => {
    await control(emu, 'POST', '/sessions/expire', { org: 'prod' });
    const since = await lastSeq(emu);
    const run = await sf(home, ['data', 'query', '-q', 'SELECT Id FROM Account LIMIT 1', '--target-org', 'emu', '--json']);
    assert.deepEqual(run.blocked, [], describeRun(run));
    assert.equal(run.code, 1, describeRun(run));
    assert.equal(run.json?.name, 'INVALID_SESSION_ID', describeRun(run));
    assert.equal(run.json?.message, 'Session expired or invalid', describeRun(run));
    const log = await requestLog(emu, since);
    assert.deepEqual(
      log.map((e) => e.status),
      [401],
      `one 401 and no refresh attempt without a refresh token:\n${describeLog(log)}`,
    );
  });

  it('sf org login sfdx-url (https, refresh token) then a query that survives an expired session', async () => {
    assert.ok(emu.loginUrlHttps && emu.caFile, 'the emulator serves https');
    const c = creds(emu, 'prod');
    const h = sfHome({ NODE_EXTRA_CA_CERTS: emu.caFile });
    homes.push(h);
    const host = new URL(emu.loginUrlHttps).host;
    const authUrl = `force://${c.clientId}:${c.clientSecret}:${c.refreshToken}@${host}`;
    const file = path.join(h.cwd, 'auth-url.txt');
    writeFileSync(file, authUrl);

    const since = await lastSeq(emu);
    const { result } = await sfOk<LoginResult>(h, ['org', 'login', 'sfdx-url', '--sfdx-url-file', file, '--alias', 'viaurl']);
    assert.equal(result.username, c.username);
    assert.equal(result.orgId, c.orgId);
    assert.equal(stripSlash(result.loginUrl), emu.loginUrlHttps, 'sf forces https on the auth URL host');
    assert.equal(stripSlash(result.instanceUrl), orgOf(emu).instanceUrlHttps, 'a token issued over https names the https My Domain');
    let log = await requestLog(emu, since);
    const token = calls(log, 'POST', /^\/services\/oauth2\/token$/);
    assert.equal(token.length, 1, describeLog(log));
    assert.equal(token[0]?.listener, 'login', 'the refresh goes to the host inside the auth URL');
    assert.ok(calls(log, 'GET', /^\/services\/oauth2\/userinfo$/).length >= 1, describeLog(log));

    // The stored session ends; sf must refresh against the recorded login URL and replay.
    await control(emu, 'POST', '/sessions/expire', { org: 'prod' });
    const before2 = await lastSeq(emu);
    const { result: q } = await sfOk<{ totalSize: number; records: { Id: string }[] }>(h, [
      'data',
      'query',
      '-q',
      'SELECT Id, Name FROM Account',
      '--target-org',
      'viaurl',
    ]);
    const accounts = Number(storeRows(emu, 'SELECT COUNT(*) AS n FROM "Account" WHERE "IsDeleted" = 0')[0]?.n);
    assert.equal(q.totalSize, accounts);
    assert.equal(q.records.length, accounts);
    log = await requestLog(emu, before2);
    const statuses = log.map((e) => e.status);
    assert.ok(statuses.includes(401), `the expired session was presented once:\n${describeLog(log)}`);
    const refresh = calls(log, 'POST', /^\/services\/oauth2\/token$/);
    assert.equal(refresh.length, 1, `exactly one refresh:\n${describeLog(log)}`);
    assert.equal(refresh[0]?.listener, 'login');
  });
});
