// The rules behind each org's state, without a browser or a build: freshness (late, not running),
// where the interval comes from, urgency, redaction, and reading older data.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { freshnessOf, inferInterval } from '../../site/src/lib/freshness.ts';
import { loadStatusData, SiteDataError } from '../../site/src/lib/load.ts';
import { migrate } from '../../site/src/lib/migrate.ts';
import { buildModel } from '../../site/src/lib/model.ts';
import { siteOptionsSchema } from '../../site/src/lib/options.ts';
import { siteStatus } from '../../site/src/lib/status-json.ts';
import { nextOrgStatus, type OrgHistory, type OrgStatus, orgStatusSchema } from '../../src/status/index.ts';
import { NOW, writeStateFixture } from './fixtures.ts';

const HOUR = 3600_000;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sfbackup-site-model-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function status(overrides: Partial<OrgStatus> = {}): OrgStatus {
  return {
    schemaVersion: 1,
    alias: 'prod',
    type: 'production',
    loginHost: 'login.salesforce.com',
    orgId: null,
    userId: null,
    username: 'integration@acme.com',
    instanceUrl: 'https://acme.my.salesforce.com',
    appFingerprint: null,
    authorizedAt: null,
    auth: { state: 'ok', reason: null, since: '2026-11-01T00:00:00Z', lastOkAt: '2026-11-24T03:00:00Z', message: 'ok', remedy: null },
    lastBackup: null,
    updatedAt: '2026-11-24T03:00:00Z',
    runUrl: null,
    redacted: false,
    ...overrides,
  };
}

function dailyHistory(last: string, days: number, everyH = 24): OrgHistory {
  const end = Date.parse(last);
  return {
    schemaVersion: 1,
    alias: 'prod',
    entries: Array.from({ length: days }, (_, i) => ({
      at: new Date(end - (days - 1 - i) * everyH * HOUR).toISOString(),
      runUrl: null,
      authState: 'ok' as const,
      authReason: null,
      outcome: 'success' as const,
      mode: 'incremental' as const,
      rows: 10,
      bytes: 10,
      durationS: 1,
      apiCallsUsed: 1,
    })),
  };
}

const defaults = { intervalS: 24 * 3600, graceShare: 0.5 };

describe('freshness', () => {
  const last = '2026-11-20T03:00:00.000Z';
  const h = dailyHistory(last, 10);
  const at = (hoursAfter: number) => Date.parse(last) + hoursAfter * HOUR;

  test('fresh up to interval + grace, late after it, not running after twice it', () => {
    assert.equal(freshnessOf(status(), h, at(36), defaults).level, 'fresh');
    assert.equal(freshnessOf(status(), h, at(36.1), defaults).level, 'late');
    assert.equal(freshnessOf(status(), h, at(72), defaults).level, 'late');
    assert.equal(freshnessOf(status(), h, at(72.1), defaults).level, 'not_running');
    assert.equal(freshnessOf(status(), h, at(40), defaults).lateAt, '2026-11-21T15:00:00.000Z');
  });

  test('the interval: the data first, then the history, then the default', () => {
    const weekly = dailyHistory(last, 6, 24 * 7);
    assert.deepEqual(
      [freshnessOf(status(), weekly, at(1), defaults).intervalS, freshnessOf(status(), weekly, at(1), defaults).source],
      [7 * 24 * 3600, 'history'],
    );
    const configured = freshnessOf(status({ schedule: { intervalS: 6 * 3600, graceS: 3600 } }), weekly, at(8), defaults);
    assert.deepEqual([configured.intervalS, configured.graceS, configured.source, configured.level], [6 * 3600, 3600, 'data', 'late']);
    const young = freshnessOf(status(), dailyHistory(last, 2), at(1), { intervalS: 12 * 3600, graceShare: 0.25 });
    assert.deepEqual([young.intervalS, young.graceS, young.source], [12 * 3600, 3 * 3600, 'default']);
  });

  test('the median gap ignores one missed night', () => {
    const times = [0, 24, 48, 96, 120, 144].map((x) => x * HOUR);
    assert.equal(inferInterval(times), 24 * 3600);
    assert.equal(inferInterval(times.slice(0, 3)), undefined);
  });

  test('an org that never backed up counts from when it first appeared', () => {
    const f = freshnessOf(status(), { schemaVersion: 1, alias: 'prod', entries: [] }, Date.parse('2026-11-27T00:00:00Z'), defaults);
    assert.equal(f.reference, '2026-11-24T03:00:00.000Z');
    assert.equal(f.level, 'late');
  });
});

describe('the model', () => {
  test('a re-authorization outranks lateness; transient and pending give way to not running', () => {
    const opts = siteOptionsSchema.parse({ dataDir: tmp, outDir: tmp, now: '2026-12-20T00:00:00Z' });
    const old = dailyHistory('2026-11-20T03:00:00Z', 5);
    const org = (alias: string, auth: Partial<OrgStatus['auth']>) => ({
      status: status({ alias, auth: { ...status().auth, ...auth } }),
      history: { ...old, alias },
    });
    const model = buildModel(
      {
        orgs: [
          org('a-transient', { state: 'transient', reason: 'network' }),
          org('b-revoked', { state: 'reauth_required', reason: 'token_expired_or_revoked' }),
          org('c-pending', { state: 'app_pending', reason: 'client_unknown' }),
        ],
        campaigns: { schemaVersion: 1, campaigns: [] },
      },
      opts,
    );
    assert.deepEqual(
      model.orgs.map((o) => [o.alias, o.state]),
      [
        ['b-revoked', 'reauth'],
        ['a-transient', 'not_running'],
        ['c-pending', 'not_running'],
      ],
    );
  });

  test('--redact hides usernames, instance hosts and ids even when the data is not redacted', async () => {
    const dir = path.join(tmp, 'plain');
    await writeStateFixture(dir);
    const model = buildModel(loadStatusData(dir), siteOptionsSchema.parse({ dataDir: dir, outDir: tmp, now: NOW, redact: true }));
    const text = JSON.stringify({
      orgs: model.orgs.map((o) => ({ ...o.status, orgId: o.orgId, host: o.instanceHost, remedy: o.remedy })),
      status: siteStatus(model),
    });
    for (const needle of ['integration@acme.com', 'acme.my.salesforce.com', 'acme--uat.sandbox.my.salesforce.com', '@example.org']) {
      assert.ok(!text.includes(needle), needle);
    }
    assert.ok(model.orgs.every((o) => o.status.redacted && o.orgId === null));
  });
});

describe('the optional schedule in the status data', () => {
  test('a run that passes one sets it, a run without one keeps it, and a status without it still validates', () => {
    const identity = { alias: 'prod', type: 'production' as const, loginHost: 'login.salesforce.com' };
    const auth = { state: 'ok' as const, reason: null, message: 'ok', remedy: null };
    const first = nextOrgStatus(undefined, { identity, auth: { ...auth, at: '2026-11-01T00:00:00Z' } });
    assert.equal('schedule' in first, false, 'absent until a writer knows it');
    const withIt = nextOrgStatus(first, { identity, auth: { ...auth, at: '2026-11-02T00:00:00Z' }, schedule: { intervalS: 86_400, graceS: null } });
    const later = nextOrgStatus(withIt, { identity, auth: { ...auth, at: '2026-11-03T00:00:00Z' } });
    assert.deepEqual(later.schedule, { intervalS: 86_400, graceS: null });
    assert.equal(orgStatusSchema.safeParse(first).success, true);
    assert.equal(orgStatusSchema.safeParse(later).success, true);
    assert.match(JSON.stringify(orgStatusSchema.safeParse({ ...later, schedule: { intervalS: -1, graceS: null } }).error?.issues[0]?.path), /schedule/);
  });
});

describe('reading the data', () => {
  function dir(name: string, files: Record<string, unknown>): string {
    const d = path.join(tmp, name);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
      writeFileSync(path.join(d, rel), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return d;
  }

  test('a version-1 file from before the optional fields (no supersededBy, no schedule) is read', () => {
    const d = dir('old', {
      'orgs/prod/status.json': status(),
      'campaigns.json': {
        schemaVersion: 1,
        campaigns: [
          {
            id: '20261101T000000Z-fedcba987654',
            startedAt: '2026-11-01T00:00:00Z',
            completedAt: null,
            previousFingerprint: '0123456789ab',
            newFingerprint: 'fedcba987654',
            orgs: [{ alias: 'prod', reauthorizedAt: null }],
          },
        ],
      },
    });
    const data = loadStatusData(d);
    assert.equal(data.orgs[0]?.history.entries.length, 0, 'a missing history is an empty one');
    assert.equal(data.campaigns.campaigns[0]?.supersededBy, null);
  });

  test('every bad file is named at once: bad JSON, a wrong field, an alias in the wrong folder, a status missing', () => {
    const d = dir('bad', {
      'orgs/a/status.json': '{ not json',
      'orgs/b/status.json': { ...status({ alias: 'b' }), type: 'scratch' },
      'orgs/c/status.json': status({ alias: 'other' }),
      'orgs/d/history.json': { schemaVersion: 1, alias: 'd', entries: [] },
    });
    assert.throws(
      () => loadStatusData(d),
      (err: unknown) => {
        assert.ok(err instanceof SiteDataError);
        assert.deepEqual(
          err.files.map((f) => f.file),
          ['orgs/a/status.json', 'orgs/b/status.json', 'orgs/c/status.json', 'orgs/d/status.json'],
        );
        assert.match(err.message, /orgs\/a\/status\.json: is not valid JSON/);
        assert.match(err.message, /orgs\/b\/status\.json: type /);
        assert.match(err.message, /orgs\/c\/status\.json: alias is "other" but the file is in orgs\/c\//);
        assert.match(err.message, /orgs\/d\/status\.json: is missing/);
        return true;
      },
    );
  });

  test('migrations run one version at a time before validation; a version with no path is left to the schema', () => {
    const steps = { 0: (d: Record<string, unknown>) => ({ ...d, renamed: d.old }) };
    assert.deepEqual(migrate({ schemaVersion: 0, old: 'x' }, steps, 1), { schemaVersion: 1, old: 'x', renamed: 'x' });
    assert.deepEqual(migrate({ schemaVersion: -1 }, steps, 1), { schemaVersion: -1 });
    assert.deepEqual(migrate({ schemaVersion: 1, a: 1 }, steps, 1), { schemaVersion: 1, a: 1 });
  });
});
