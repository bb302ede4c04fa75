// The status data contract: what it accepts, what it refuses and how it says so.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { readStatusDir, writeOrgStatus } from '../../../src/status/files.ts';
import { campaignsSchema, HISTORY_LIMIT, orgHistorySchema, orgStatusSchema, parseStatusFile, StatusDataError } from '../../../src/status/index.ts';
import { assertNoSecrets, StatusSecretError } from '../../../src/status/secrets.ts';
import { FP_NEW, FP_OLD, goodStatus } from './fixtures.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'status-schema-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function problemsOf(data: unknown, file = 'orgs/prod/status.json'): string[] {
  try {
    parseStatusFile(orgStatusSchema, data, file);
  } catch (err) {
    assert.ok(err instanceof StatusDataError);
    assert.equal(err.file, file);
    assert.ok(err.message.startsWith(`${file}: `), err.message);
    return err.problems;
  }
  assert.fail('expected the status to be refused');
}

function writeJson(dir: string, rel: string, data: unknown): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), JSON.stringify(data));
}

describe('org status schema', () => {
  test('accepts a complete status, nulls where allowed, and a redacted one', () => {
    assert.deepEqual(orgStatusSchema.parse(goodStatus()), goodStatus());
    const unknown = goodStatus({
      orgId: null,
      userId: null,
      username: null,
      instanceUrl: null,
      appFingerprint: null,
      authorizedAt: null,
      lastBackup: null,
      runUrl: null,
    });
    assert.equal(orgStatusSchema.parse(unknown).orgId, null);
    const redacted = goodStatus({ loginHost: 'my-domain', type: 'my_domain', username: null, instanceUrl: null, redacted: true });
    assert.equal(orgStatusSchema.parse(redacted).loginHost, 'my-domain');
  });

  test('a field added by a newer writer of the same version is ignored, not an error', () => {
    const parsed = orgStatusSchema.parse({ ...goodStatus(), futureField: 42 });
    assert.ok(!('futureField' in parsed));
  });

  test('refusals name the field', () => {
    assert.deepEqual(problemsOf({ ...goodStatus(), auth: { ...goodStatus().auth, since: 'yesterday' } }), [
      'auth.since must be an ISO 8601 timestamp such as 2026-01-31T03:17:00Z',
    ]);
    assert.match(problemsOf({ ...goodStatus(), appFingerprint: 'A1B2C3D4E5F6' })[0] ?? '', /^appFingerprint must be 12 lowercase hex digits/);
    assert.match(problemsOf({ ...goodStatus(), auth: { ...goodStatus().auth, state: 'broken' } })[0] ?? '', /^auth\.state /);
    assert.match(problemsOf({ ...goodStatus(), lastBackup: { ...goodStatus().lastBackup, rows: -1 } })[0] ?? '', /^lastBackup\.rows /);
    assert.match(problemsOf({ ...goodStatus(), loginHost: 'https://login.salesforce.com' })[0] ?? '', /^loginHost must be a host name/);
    assert.match(problemsOf({ ...goodStatus(), orgId: '001000000000001AAA' })[0] ?? '', /^orgId must be a 15 or 18 character Salesforce id starting 00D/);
    assert.match(problemsOf({ ...goodStatus(), alias: '../etc' })[0] ?? '', /^alias must be letters/);
    const { updatedAt: _, ...withoutUpdatedAt } = goodStatus();
    assert.deepEqual(problemsOf(withoutUpdatedAt), ['updatedAt is missing']);
  });

  test('an unknown major version is refused with an upgrade hint', () => {
    assert.deepEqual(problemsOf({ ...goodStatus(), schemaVersion: 2 }), [
      'schemaVersion is 2, newer than the 1 this code understands: upgrade the action or the site',
    ]);
    assert.match(problemsOf({ ...goodStatus(), schemaVersion: 0 })[0] ?? '', /^schemaVersion is 0/);
  });
});

describe('history and campaigns schemas', () => {
  const entry = {
    at: '2026-01-31T03:19:30Z',
    runUrl: null,
    authState: 'ok',
    authReason: null,
    outcome: null,
    mode: null,
    rows: null,
    bytes: null,
    durationS: null,
    apiCallsUsed: null,
  };

  test('history holds at most the limit', () => {
    const full = { schemaVersion: 1, alias: 'prod', entries: Array.from({ length: HISTORY_LIMIT }, () => entry) };
    assert.equal(orgHistorySchema.parse(full).entries.length, HISTORY_LIMIT);
    assert.throws(
      () => parseStatusFile(orgHistorySchema, { ...full, entries: [...full.entries, entry] }, 'orgs/prod/history.json'),
      (err: unknown) => err instanceof StatusDataError && /^orgs\/prod\/history\.json: entries must hold at most 500 entries$/.test(err.message),
    );
    assert.throws(
      () => parseStatusFile(orgHistorySchema, { schemaVersion: 1, alias: 'prod', entries: [{ ...entry, authState: 'fine' }] }, 'h.json'),
      (err: unknown) => err instanceof StatusDataError && (err.problems[0] ?? '').startsWith('entries[0].authState '),
    );
  });

  test('campaigns: a completed campaign must have every org done; ids do not repeat', () => {
    const campaign = {
      id: `20260131T031700Z-${FP_NEW}`,
      startedAt: '2026-01-31T03:17:00Z',
      completedAt: null,
      previousFingerprint: FP_OLD,
      newFingerprint: FP_NEW,
      orgs: [
        { alias: 'prod', reauthorizedAt: '2026-01-31T04:00:00Z' },
        { alias: 'uat', reauthorizedAt: null },
      ],
    };
    const parsed = campaignsSchema.parse({ schemaVersion: 1, campaigns: [campaign] });
    assert.equal(parsed.campaigns[0]?.supersededBy, null, 'supersededBy defaults to null');
    assert.throws(
      () => parseStatusFile(campaignsSchema, { schemaVersion: 1, campaigns: [{ ...campaign, completedAt: '2026-01-31T05:00:00Z' }] }, 'campaigns.json'),
      (err: unknown) => err instanceof StatusDataError && err.problems.includes('campaigns[0].completedAt is set while some orgs are not re-authorized'),
    );
    assert.throws(
      () => parseStatusFile(campaignsSchema, { schemaVersion: 1, campaigns: [campaign, campaign] }, 'campaigns.json'),
      (err: unknown) => err instanceof StatusDataError && err.problems.some((p) => p.startsWith('campaigns[1].id repeats')),
    );
  });
});

describe('readStatusDir', () => {
  test('loads every org, its history and the campaigns; missing history and campaigns are empty', async () => {
    const dir = mkdtempSync(path.join(tmp, 'data-'));
    writeJson(dir, 'orgs/prod/status.json', goodStatus());
    writeJson(dir, 'orgs/prod/history.json', { schemaVersion: 1, alias: 'prod', entries: [] });
    writeJson(dir, 'orgs/uat/status.json', goodStatus({ alias: 'uat', type: 'sandbox', loginHost: 'test.salesforce.com' }));
    const index = await readStatusDir(dir);
    assert.deepEqual(
      index.orgs.map((o) => [o.status.alias, o.history.entries.length]),
      [
        ['prod', 0],
        ['uat', 0],
      ],
    );
    assert.deepEqual(index.campaigns, { schemaVersion: 1, campaigns: [] });
  });

  test('an empty directory (no run published yet) has no orgs; a missing one is an error', async () => {
    assert.deepEqual((await readStatusDir(mkdtempSync(path.join(tmp, 'empty-')))).orgs, []);
    await assert.rejects(readStatusDir(path.join(tmp, 'nope')), StatusDataError);
  });

  test('errors name the file and the field', async () => {
    const dir = mkdtempSync(path.join(tmp, 'bad-'));
    writeJson(dir, 'orgs/prod/status.json', goodStatus());
    writeJson(dir, 'orgs/uat/status.json', { ...goodStatus({ alias: 'uat' }), updatedAt: 'soon' });
    await assert.rejects(readStatusDir(dir), (err: unknown) => {
      assert.ok(err instanceof StatusDataError);
      assert.equal(err.message, 'orgs/uat/status.json: updatedAt must be an ISO 8601 timestamp such as 2026-01-31T03:17:00Z');
      return true;
    });
  });

  test('a status in the wrong folder, broken JSON and a newer campaigns file are refused', async () => {
    const moved = mkdtempSync(path.join(tmp, 'moved-'));
    writeJson(moved, 'orgs/uat/status.json', goodStatus());
    await assert.rejects(readStatusDir(moved), /orgs\/uat\/status\.json: alias is "prod" but the file is in orgs\/uat\//);

    const broken = mkdtempSync(path.join(tmp, 'broken-'));
    mkdirSync(path.join(broken, 'orgs', 'prod'), { recursive: true });
    writeFileSync(path.join(broken, 'orgs', 'prod', 'status.json'), '{"schemaVersion": 1,');
    await assert.rejects(readStatusDir(broken), /^StatusDataError: orgs\/prod\/status\.json: is not valid JSON/);

    const newer = mkdtempSync(path.join(tmp, 'newer-'));
    writeJson(newer, 'campaigns.json', { schemaVersion: 2, campaigns: [] });
    await assert.rejects(readStatusDir(newer), /campaigns\.json: schemaVersion is 2, newer than the 1/);
  });
});

describe('assertNoSecrets', () => {
  const secret = 'SECRET-5Aep861TSESvWeug_refresh';

  test('finds a secret anywhere, raw or encoded, and names the field without the value', () => {
    const cases: Array<[unknown, string]> = [
      [{ auth: { message: `token ${secret} refused` } }, 'auth.message'],
      [{ failedObjects: ['Account', `x${encodeURIComponent(secret)}`] }, 'failedObjects[1]'],
      [{ location: Buffer.from(secret).toString('base64') }, 'location'],
      [{ [secret]: 1 }, `${secret} (key)`],
    ];
    for (const [data, field] of cases) {
      assert.throws(
        () => assertNoSecrets(data, [secret]),
        (err: unknown) => {
          assert.ok(err instanceof StatusSecretError);
          if (!field.includes(secret)) assert.ok(!err.message.includes(secret), 'the message never carries the value');
          assert.deepEqual(err.fields, [field]);
          return true;
        },
      );
    }
  });

  test('clean data, empty and very short values pass', () => {
    assertNoSecrets(goodStatus(), [secret, '', undefined, null, 'ok']);
  });

  test('writeOrgStatus refuses to write data holding a secret, and writes nothing', async () => {
    const dir = mkdtempSync(path.join(tmp, 'write-'));
    const status = goodStatus({ auth: { ...goodStatus().auth, message: `refresh token ${secret}` } });
    await assert.rejects(
      writeOrgStatus(dir, status, { schemaVersion: 1, alias: 'prod', entries: [] }, { secretValues: [secret] }),
      (err: unknown) => err instanceof StatusSecretError && err.message.includes('orgs/prod/status.json: auth.message'),
    );
    assert.deepEqual((await readStatusDir(dir)).orgs, []);
  });
});
