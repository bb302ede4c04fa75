// Pure status transitions, campaigns and redaction.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  appendHistory,
  applyRun,
  CampaignError,
  campaignProgress,
  historyEntryOf,
  loginHostOf,
  markReauthorized,
  mergeCampaigns,
  nextOrgStatus,
  type OrgHistory,
  orgHistorySchema,
  orgStatusSchema,
  orgTypeOf,
  redactStatus,
  startCampaign,
} from '../../../src/status/index.ts';
import { backup, FP_NEW, FP_OLD, failedAuth, run } from './fixtures.ts';

const T0 = '2026-02-01T03:00:00Z';
const T1 = '2026-02-02T03:00:00Z';
const T2 = '2026-02-03T03:00:00Z';
const T3 = '2026-02-04T03:00:00Z';

describe('nextOrgStatus', () => {
  test('a first run produces a valid status; the login URL becomes a host', () => {
    const s = nextOrgStatus(undefined, run('prod', T0, { backup: backup({ startedAt: T0, finishedAt: '2026-02-01T03:02:30Z' }) }));
    assert.deepEqual(orgStatusSchema.parse(s), s);
    assert.equal(s.loginHost, 'acme.my.salesforce.com');
    assert.deepEqual(s.auth, { state: 'ok', reason: null, since: T0, lastOkAt: T0, message: 'Authenticated to prod', remedy: null });
    assert.equal(s.updatedAt, '2026-02-01T03:02:30Z', 'written when the backup finished');
    assert.equal(s.lastBackup?.rows, 3400);
  });

  test('since stays while state and reason stay; lastOkAt stays through failures', () => {
    const s0 = nextOrgStatus(undefined, run('prod', T0));
    const s1 = nextOrgStatus(s0, run('prod', T1));
    assert.equal(s1.auth.since, T0, 'still ok since the first run');
    assert.equal(s1.auth.lastOkAt, T1);

    const s2 = nextOrgStatus(s1, run('prod', T2, { auth: failedAuth('prod', T2) }));
    assert.equal(s2.auth.state, 'reauth_required');
    assert.equal(s2.auth.since, T2, 'a new state starts a new since');
    assert.equal(s2.auth.lastOkAt, T1, 'the last good run is remembered');
    assert.match(s2.auth.remedy ?? '', /sfbackup reauth --alias prod/);

    const s3 = nextOrgStatus(s2, run('prod', T3, { auth: failedAuth('prod', T3) }));
    assert.equal(s3.auth.since, T2, 'same state and reason: since kept');

    const s4 = nextOrgStatus(s3, run('prod', T3, { auth: failedAuth('prod', T3, 'app_changed') }));
    assert.equal(s4.auth.since, T3, 'same state, another reason: since reset');
  });

  test('what this run does not know is kept from before; a run without a backup keeps the last one', () => {
    const s0 = nextOrgStatus(undefined, run('prod', T0, { backup: backup() }));
    const r = run('prod', T1, { auth: failedAuth('prod', T1) });
    r.identity = { alias: 'prod', type: 'my_domain', loginHost: 'acme.my.salesforce.com', username: null };
    const s1 = nextOrgStatus(s0, r);
    assert.equal(s1.orgId, s0.orgId);
    assert.equal(s1.appFingerprint, FP_OLD);
    assert.equal(s1.username, null, 'null clears a field');
    assert.deepEqual(s1.lastBackup, s0.lastBackup);
    const s2 = nextOrgStatus(s1, run('prod', T2, { backup: backup({ outcome: 'failed', failedObjects: ['Account'] }) }));
    assert.equal(s2.lastBackup?.outcome, 'failed');
  });

  test('a run older than the published status does not overwrite it, but still counts as ok', () => {
    const newer = nextOrgStatus(undefined, run('prod', T2, { auth: failedAuth('prod', T2) }));
    const stale = nextOrgStatus(newer, run('prod', T1, { backup: backup({ finishedAt: T1, rows: 1 }) }));
    assert.equal(stale.auth.state, 'reauth_required');
    assert.equal(stale.auth.since, T2);
    assert.equal(stale.auth.lastOkAt, T1);
    assert.equal(stale.lastBackup, null);
    assert.equal(stale.updatedAt, T2);
  });

  test('org type and login host helpers', () => {
    assert.equal(orgTypeOf('production'), 'production');
    assert.equal(orgTypeOf('sandbox'), 'sandbox');
    assert.equal(orgTypeOf('https://acme.my.salesforce.com'), 'my_domain');
    assert.equal(loginHostOf('https://test.salesforce.com/'), 'test.salesforce.com');
    assert.equal(loginHostOf('http://127.0.0.1:8443'), '127.0.0.1:8443');
    assert.equal(loginHostOf('login.salesforce.com'), 'login.salesforce.com');
  });
});

describe('history', () => {
  test('entries are appended newest last and carry the run', () => {
    const a = applyRun({}, run('prod', T0, { backup: backup() }));
    const b = applyRun(a, run('prod', T1, { auth: failedAuth('prod', T1), runUrl: 'https://github.com/acme/backups/actions/runs/1002' }));
    assert.deepEqual(orgHistorySchema.parse(b.history), b.history);
    assert.deepEqual(
      b.history.entries.map((e) => [e.authState, e.outcome, e.rows]),
      [
        ['ok', 'success', 3400],
        ['reauth_required', null, null],
      ],
    );
    assert.equal(b.history.entries[1]?.authReason, 'token_expired_or_revoked');
  });

  test('capped: the oldest entries are dropped first', () => {
    let h: OrgHistory | undefined;
    const start = Date.parse(T0);
    for (let i = 0; i < 8; i++) {
      const at = new Date(start + i * 3_600_000).toISOString();
      h = appendHistory(h, 'prod', historyEntryOf(run('prod', at, { runUrl: `https://github.com/acme/backups/actions/runs/${i}` })), 5);
    }
    assert.deepEqual(
      h?.entries.map((e) => e.runUrl?.split('/').pop()),
      ['3', '4', '5', '6', '7'],
    );
  });

  test('a late entry goes in time order; the same run re-applied is not counted twice', () => {
    let h = appendHistory(undefined, 'prod', historyEntryOf(run('prod', T2, { runUrl: null })));
    h = appendHistory(h, 'prod', historyEntryOf(run('prod', T0, { runUrl: null })));
    const same = historyEntryOf(run('prod', T3));
    h = appendHistory(h, 'prod', same);
    h = appendHistory(h, 'prod', same);
    assert.deepEqual(
      h.entries.map((e) => e.at),
      [T0, T2, T3],
    );
  });
});

describe('campaigns', () => {
  const start = () => startCampaign([], { previousFingerprint: FP_OLD, newFingerprint: FP_NEW, aliases: ['uat', 'prod', 'dev'], at: T0 });

  test('n of m until every org is re-authorized, then complete', () => {
    const { campaigns, campaign } = start();
    assert.equal(campaign.id, `20260201T030000Z-${FP_NEW}`);
    assert.deepEqual(campaignProgress(campaign), { done: 0, total: 3 });

    let c = markReauthorized(campaigns, 'prod', FP_NEW, T1);
    assert.deepEqual(campaignProgress(c[0] ?? campaign), { done: 1, total: 3 });
    c = markReauthorized(c, 'prod', FP_NEW, T2);
    assert.equal(c[0]?.orgs.find((o) => o.alias === 'prod')?.reauthorizedAt, T1, 'the first re-authorization counts');
    c = markReauthorized(c, 'uat', FP_OLD, T2);
    assert.deepEqual(campaignProgress(c[0] ?? campaign), { done: 1, total: 3 }, 'the old app does not count');
    c = markReauthorized(c, 'uat', FP_NEW, T2);
    assert.equal(c[0]?.completedAt, null);
    c = markReauthorized(c, 'dev', FP_NEW, T3);
    assert.deepEqual(campaignProgress(c[0] ?? campaign), { done: 3, total: 3 });
    assert.equal(c[0]?.completedAt, T3);
  });

  test('a rotation during an open campaign supersedes it and carries its waiting orgs', () => {
    const first = markReauthorized(start().campaigns, 'prod', FP_NEW, T1);
    const third = 'fedcba987654';
    const { campaigns, campaign } = startCampaign(first, { previousFingerprint: FP_NEW, newFingerprint: third, aliases: ['prod'], at: T2 });
    assert.equal(campaigns[0]?.supersededBy, campaign.id);
    assert.deepEqual(
      campaign.orgs.map((o) => o.alias),
      ['dev', 'prod', 'uat'],
    );
    assert.equal(markReauthorized(campaigns, 'uat', FP_NEW, T3)[0]?.orgs.find((o) => o.alias === 'uat')?.reauthorizedAt, null, 'superseded: no longer moves');
  });

  test('rotating to the same app is refused; starting the same campaign twice is one campaign', () => {
    assert.throws(
      () => startCampaign([], { previousFingerprint: FP_OLD, newFingerprint: FP_OLD, aliases: ['prod'], at: T0 }),
      (err: unknown) => err instanceof CampaignError && /same fingerprint/.test(err.message),
    );
    const once = start().campaigns;
    assert.equal(startCampaign(once, { previousFingerprint: FP_OLD, newFingerprint: FP_NEW, aliases: ['prod'], at: T0 }).campaigns.length, 1);
  });

  test('merging two writers keeps both orgs’ progress', () => {
    const base = start().campaigns;
    const jobA = markReauthorized(base, 'prod', FP_NEW, T1);
    const jobB = markReauthorized(markReauthorized(base, 'uat', FP_NEW, T2), 'dev', FP_NEW, T2);
    const merged = mergeCampaigns(jobA, jobB);
    assert.equal(merged.length, 1);
    assert.deepEqual(campaignProgress(merged[0] ?? base[0] ?? start().campaign), { done: 3, total: 3 });
    assert.equal(merged[0]?.completedAt, T2);
    const other = startCampaign([], { previousFingerprint: FP_NEW, newFingerprint: 'fedcba987654', aliases: ['x'], at: T3 }).campaigns;
    assert.equal(mergeCampaigns(jobA, other).length, 2, 'different campaigns are both kept');
  });
});

describe('redaction', () => {
  const failing = () =>
    nextOrgStatus(undefined, run('prod', T0, { auth: failedAuth('prod', T0), backup: backup({ location: 'https://acme.my.salesforce.com/x' }) }));

  test('redact: true removes the username, the instance URL and the My Domain host, also from messages', () => {
    const s = redactStatus(failing(), { redact: true });
    assert.equal(s.redacted, true);
    assert.equal(s.username, null);
    assert.equal(s.instanceUrl, null);
    assert.equal(s.loginHost, 'my-domain');
    const text = JSON.stringify(s);
    assert.ok(!text.includes('admin@acme.example'), text);
    assert.ok(!text.includes('acme.my.salesforce.com'), text);
    assert.match(s.auth.remedy ?? '', /sfbackup reauth --alias prod \(login host my-domain\)/);
    assert.deepEqual(orgStatusSchema.parse(s), s);
  });

  test('production and sandbox login hosts stay; redact: false changes nothing', () => {
    const prod = nextOrgStatus(undefined, run('prod', T0));
    prod.loginHost = 'login.salesforce.com';
    assert.equal(redactStatus(prod, { redact: true }).loginHost, 'login.salesforce.com');
    const plain = failing();
    assert.deepEqual(redactStatus(plain, { redact: false }), plain);
    assert.equal(plain.redacted, false);
  });
});
