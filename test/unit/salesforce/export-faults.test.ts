// exportOrg under trouble: 5xx pages, dropped connections, REQUEST_LIMIT_EXCEEDED and a session that
// expires mid-run are survived with the data intact; an object that keeps failing is reported and
// aborted while the others complete; the run stops starting work at its share of the API allowance.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import jsforce from 'jsforce';
import { ReauthRequiredError, TransientError } from '../../../src/runtime/auth-errors.ts';
import { BudgetExceededError } from '../../../src/salesforce/export/budget.ts';
import { exportOrg } from '../../../src/salesforce/export/export.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { API_VERSION, control, creds, emulator, refreshConnection } from '../../helpers/emulator.ts';
import { assertSameAsOrg, MemSnapshot, orgOf } from './export-helpers.ts';

const FAST = { pollIntervalMs: 10, retry: { retries: 5, minTimeoutMs: 5, maxTimeoutMs: 50 } };

let emu: Emulator;
let org: Org;

type Fired = { path: string; fired: number };

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 300 }] });
  org = orgOf(emu, 'prod');
  await control(emu, 'POST', '/bulk', { defaultMaxRecords: 30 });
});

afterEach(async () => {
  await control(emu, 'DELETE', '/faults');
  await control(emu, 'DELETE', '/bulk/rules');
  await control(emu, 'POST', '/orgs/prod/settings', { apiUsed: 0, exceedAt: null });
});

after(async () => {
  await emu?.close();
});

describe('transient faults', () => {
  it('survives 5xx result pages, dropped connections, REQUEST_LIMIT_EXCEEDED, 429 and an expired session', async () => {
    const results = '/jobs/query/[^/]+/results$';
    await control(emu, 'POST', '/faults', { path: results, status: 503, skip: 2, times: 3 });
    await control(emu, 'POST', '/faults', { path: results, kind: 'html', status: 502, skip: 7, times: 1 });
    await control(emu, 'POST', '/faults', { path: results, kind: 'drop', skip: 4, times: 2 });
    await control(emu, 'POST', '/faults', {
      path: '/jobs/query$',
      method: 'POST',
      kind: 'limit',
      message: 'ConcurrentPerOrgLongTxn Limit exceeded.',
      skip: 1,
      times: 2,
    });
    await control(emu, 'POST', '/faults', { path: '/queryAll', status: 429, errorCode: 'REQUEST_LIMIT_EXCEEDED', skip: 3, times: 1 });
    await control(emu, 'POST', '/faults', { path: '/jobs/query/[^/]+$', method: 'GET', kind: 'drop', skip: 5, times: 1 });

    const conn = refreshConnection(emu, 'prod');
    let refreshes = 0;
    conn.on('refresh', () => {
      refreshes++;
    });
    let expired = false;
    const retried: unknown[] = [];
    const snap = new MemSnapshot();
    const result = await exportOrg(conn, snap.factory, {
      ...FAST,
      progressIntervalMs: 0,
      onRetry: (_o, err) => retried.push(err),
      onProgress: (p) => {
        // Mid-run, with pages still to fetch: every live access token of the org ends.
        if (!expired && p.phase === 'rows' && p.rows >= 30) {
          expired = true;
          void control(emu, 'POST', '/sessions/expire', { org: 'prod' });
        }
      },
    });

    assertSameAsOrg(org, snap, result);
    const faults = await control<Fired[]>(emu, 'GET', '/faults');
    for (const f of faults) assert.ok(f.fired > 0, `fault on ${f.path} fired`);
    assert.ok(retried.length >= 8, `retried ${retried.length} times`);
    assert.ok(expired);
    // The first login is a refresh too; the expiry forces at least one more.
    assert.ok(refreshes >= 2, `jsforce refreshed ${refreshes} times`);
  });
});

/**
 * A proxy in front of the org's instance that cuts the connection halfway through the body of the
 * results pages it is told to (the emulator's own `drop` fault closes before any byte).
 */
async function cuttingProxy(target: string, cut: (n: number) => boolean): Promise<{ url: string; cuts: number; server: Server }> {
  const state = { url: '', cuts: 0, server: undefined as unknown as Server };
  let seen = 0;
  state.server = createServer((req, res) => {
    forward(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  const forward = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers.set(k, v);
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'content-encoding' && k !== 'connection') out[k] = v;
    });
    const isResults = /\/results(\?|$)/.test(req.url ?? '') && upstream.status === 200;
    if (isResults && cut(++seen) && body.length > 200) {
      state.cuts++;
      res.writeHead(200, out);
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.writeHead(upstream.status, out);
    res.end(body);
  };
  await new Promise<void>((r) => state.server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

describe('a connection dropped in the middle of a results page', () => {
  it('fetches the page again by its locator and delivers every row exactly once', async () => {
    const c = creds(emu, 'prod');
    const proxy = await cuttingProxy(c.instanceUrl, (n) => n % 3 === 2);
    try {
      const conn = new jsforce.Connection({
        instanceUrl: proxy.url,
        refreshToken: c.refreshToken,
        version: API_VERSION,
        oauth2: { clientId: c.clientId, clientSecret: c.clientSecret, loginUrl: c.loginUrl },
      });
      // Without a refresh the instance URL from the token response would replace the proxy's.
      const token = await conn.oauth2.refreshToken(c.refreshToken);
      conn.accessToken = token.access_token;
      const snap = new MemSnapshot();
      const result = await exportOrg(conn, snap.factory, { ...FAST, include: ['Contact', 'Task', 'Account'] });
      assert.ok(proxy.cuts >= 2, `cut ${proxy.cuts} pages`);
      assertSameAsOrg(org, snap, result);
    } finally {
      proxy.server.close();
    }
  });
});

describe('an object that keeps failing', () => {
  it('is aborted and reported while the others complete', async () => {
    await control(emu, 'POST', '/bulk/rules', { object: 'Contact', fail: true, times: 0 });
    const snap = new MemSnapshot();
    const result = await exportOrg(refreshConnection(emu, 'prod'), snap.factory, FAST);
    const contact = result.objects.find((o) => o.name === 'Contact');
    assert.equal(contact?.status, 'failed');
    assert.ok(contact.error instanceof TransientError);
    assert.match(contact.error.message, /Contact/);
    assert.ok(contact.error.remedy.length > 0);
    assert.ok(snap.objects.get('Contact')?.aborted);
    const others = result.objects.filter((o) => o.name !== 'Contact');
    assert.ok(others.length > 5 && others.every((o) => o.status === 'ok'));
    assertSameAsOrg(org, snap, { ...result, objects: others });
  });

  // An API that keeps answering 503 after the retries is down for the org, not for one object: the
  // run ends as transient (the CLI's exit 5) and every other object in flight is aborted.
  it('ends the run as transient after the retries when the server keeps answering 503', async () => {
    await control(emu, 'POST', '/faults', { path: '/jobs/query/[^/]+/results$', status: 503, times: 0 });
    const snap = new MemSnapshot();
    await assert.rejects(exportOrg(refreshConnection(emu, 'prod'), snap.factory, { ...FAST, include: ['Account', 'Contact'] }), (err: unknown) => {
      assert.ok(err instanceof TransientError, String(err));
      assert.equal(err.reason, 'server_error');
      assert.match(err.message, /HTTP 503/);
      assert.match(err.remedy, /retried 5 times/);
      assert.match(err.remedy, /status\.salesforce\.com/);
      return true;
    });
    assert.ok([...snap.objects.values()].every((o) => o.aborted));
  });
});

describe('API budget', () => {
  it('stops starting objects at its share of the daily allowance and reports what it used', async () => {
    // 15,000 a day, share 0.5: the run may go up to 7,500.
    await control(emu, 'POST', '/orgs/prod/settings', { apiUsed: 7_420 });
    const result = await exportOrg(refreshConnection(emu, 'prod'), new MemSnapshot().factory, { ...FAST, concurrency: 1 });
    assert.ok(result.budgetExceeded instanceof BudgetExceededError);
    assert.equal(result.budgetExceeded.limit, 7_500);
    const done = result.objects.filter((o) => o.status === 'ok');
    const skipped = result.objects.filter((o) => o.status === 'skipped');
    assert.ok(done.length > 0 && skipped.length > 0, `${done.length} done, ${skipped.length} skipped`);
    assert.ok(skipped.every((o) => o.error instanceof BudgetExceededError));
    assert.ok(result.apiCallsUsed > 0);
    assert.ok(result.apiRemaining !== null && 15_000 - result.apiRemaining <= 7_500, `used ${15_000 - (result.apiRemaining ?? 0)}`);
  });

  it('starts nothing when the org is already past the share', async () => {
    await control(emu, 'POST', '/orgs/prod/settings', { apiUsed: 9_000 });
    const result = await exportOrg(refreshConnection(emu, 'prod'), new MemSnapshot().factory, { ...FAST, apiShare: 0.5 });
    assert.ok(result.budgetExceeded instanceof BudgetExceededError);
    assert.deepEqual(result.objects, []);
    assert.match(result.budgetExceeded.remedy, /allowance/);
  });
});

// Last: it revokes the org's refresh token for good.
describe('a refresh token revoked mid-run', () => {
  it('ends the run with reauth_required: the object in hand is aborted and no other starts', async () => {
    const c = creds(emu, 'prod');
    const snap = new MemSnapshot();
    let opened = 0;
    await assert.rejects(
      exportOrg(
        refreshConnection(emu, 'prod'),
        async (schema, opts) => {
          // An admin revokes the app's access (and its sessions) while the third object starts.
          if (++opened === 3) await control(emu, 'POST', `/users/${c.userId}/revoke-apps`, {});
          return snap.factory(schema, opts);
        },
        { ...FAST, concurrency: 1 },
      ),
      (err: unknown) => {
        assert.ok(err instanceof ReauthRequiredError, String(err));
        assert.equal(err.state, 'reauth_required');
        assert.equal(err.reason, 'token_expired_or_revoked');
        return true;
      },
    );
    assert.equal(opened, 3, 'no object starts after the token died');
    assert.ok([...snap.objects.values()].at(-1)?.aborted);
  });
});
