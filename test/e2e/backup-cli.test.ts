// The built CLI (dist/cli.js) backing an emulated org up into a folder: the snapshot equals the org
// row for row and field for field, verify catches a flipped byte, and an incremental run after
// inserts, updates and deletes gives the very files a fresh full run gives.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { CLI } from '../faults/support.ts';
import { runNode } from '../helpers/dist.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';
import { assertSnapshotEqualsStore, dataFiles, NASTY, plantNasty, readManifest, readObjectCsv } from './backup-support.ts';

let emu: Emulator;
let work: string;
before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 400, seed: 7 }] });
  work = mkdtempSync(path.join(tmpdir(), 'backup-cli-'));
});
after(async () => {
  await emu.close();
  rmSync(work, { recursive: true, force: true });
});

const sfbackup = (args: string[], env: Record<string, string> = {}) => runNode(CLI, args, env);

function envFor(alias = 'prod'): Record<string, string> {
  const c = creds(emu, alias);
  return { SF_LOGIN_URL: c.loginUrl, SF_CLIENT_ID: c.clientId, SF_CLIENT_SECRET: c.clientSecret, SF_REFRESH_TOKEN: c.refreshToken };
}

function assertNoSecrets(texts: string[]): void {
  const c = creds(emu, 'prod');
  for (const t of texts) for (const s of [c.refreshToken, c.clientSecret]) assert.ok(!t.includes(s), 'a secret appears in the output');
}

describe('sfbackup backup / verify / diff', () => {
  const out = () => path.join(work, 'backups');
  // Each run is a dated folder under <out>/<alias>/; `latest` points at the newest.
  const snap = () => path.join(out(), 'prod', 'latest');

  test('a full backup equals the org row for row and field for field, nasty values included', async () => {
    const nastyIds = await plantNasty(emu, 'prod');
    const run = await sfbackup(['backup', '--alias', 'prod', '--out', out()], envFor());
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /full run \(no previous snapshot\)/);
    assert.ok(run.stdout.includes(`snapshot    ${path.join(out(), 'prod')}${path.sep}`), run.stdout);
    assert.match(run.stderr, /Account: \d+ rows exported via bulk/);
    assertNoSecrets([run.stdout, run.stderr]);

    const cells = assertSnapshotEqualsStore(emu, 'prod', snap());
    assert.ok(cells > 1000, `only ${cells} cells compared`);
    const m = readManifest(snap());
    assert.equal(m.orgId, creds(emu, 'prod').orgId);
    assert.ok(m.objects.length >= 10, `${m.objects.length} objects`);

    const { header, rows } = readObjectCsv(snap(), 'Account');
    const name = header.indexOf('Name');
    const names = new Set(rows.filter((r) => nastyIds.some((id) => id.startsWith((r[0] as string).slice(0, 15)))).map((r) => r[name]));
    assert.deepEqual([...names].sort(), [...NASTY].sort());
  });

  test('verify passes on the snapshot and fails, naming the file, after one flipped byte', async () => {
    const ok = await sfbackup(['verify', snap()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /is intact/);
    const okParent = await sfbackup(['verify', out()]);
    assert.equal(okParent.code, 0, okParent.stderr);

    const copy = path.join(work, 'corrupt');
    cpSync(snap(), copy, { recursive: true, dereference: true });
    const m = readManifest(copy);
    const file = m.objects.find((o) => o.name === 'Contact')?.files[0]?.path;
    assert.ok(file);
    const bytes = readFileSync(path.join(copy, file));
    const at = bytes.length - 5;
    bytes[at] = (bytes[at] as number) ^ 0x01;
    writeFileSync(path.join(copy, file), bytes);
    const bad = await sfbackup(['verify', copy]);
    assert.equal(bad.code, 7, bad.stdout + bad.stderr);
    assert.ok(bad.stderr.includes(file), bad.stderr);
    assert.match(bad.stderr, /failed verification/);
    assert.match(bad.stderr, /To fix: /);
  });

  test('after inserts, updates and deletes an incremental run gives the files a fresh full run gives', async () => {
    const base = path.join(work, 'base');
    cpSync(out(), base, { recursive: true, verbatimSymlinks: true });
    const accounts = readObjectCsv(snap(), 'Account').rows.map((r) => r[0] as string);
    const contacts = readObjectCsv(snap(), 'Contact').rows.map((r) => r[0] as string);
    await control(emu, 'POST', '/orgs/prod/records/Account', { records: [{ Name: 'Inserted, "after" the backup' }, { Name: 'Second\ninsert' }] });
    await control(emu, 'PATCH', `/orgs/prod/records/Account/${accounts[3]}`, { values: { Name: 'Renamed, with "quotes"', Description: 'changed\r\nbody' } });
    await control(emu, 'PATCH', `/orgs/prod/records/Contact/${contacts[5]}`, { values: { LastName: 'Updated' } });
    await control(emu, 'DELETE', `/orgs/prod/records/Contact/${contacts[7]}`); // to the Recycle Bin
    await control(emu, 'DELETE', `/orgs/prod/records/Contact/${contacts[8]}?hard=true`); // purged
    // getDeleted reports a deletion only once Salesforce's replication has covered its minute (as
    // the real one does); a nightly backup runs long after the day's deletes.
    await control(emu, 'POST', '/clock', { advanceSec: 300 });

    const inc = await sfbackup(['backup', '--alias', 'prod', '--out', out(), '--incremental'], envFor());
    assert.equal(inc.code, 0, inc.stdout + inc.stderr);
    assert.match(inc.stdout, /incremental run/);
    // The purged Contact, and the activities Salesforce deletes with a Contact (its Tasks by WhoId).
    assert.match(inc.stdout, /changes {5}\+2 added, ~\d+ changed, -[1-9]\d* deleted/);
    assert.equal(readManifest(snap()).mode, 'incremental');

    const fresh = path.join(work, 'fresh');
    // The full run parses on the bundle's worker thread (dist/parse-worker.js), the incremental one
    // inline: the files must not depend on where the pages were parsed.
    const full = await sfbackup(['backup', '--alias', 'prod', '--out', fresh], { ...envFor(), SFBACKUP_PARSE_THREADS: '1' });
    assert.equal(full.code, 0, full.stdout + full.stderr);
    assert.deepEqual(dataFiles(snap()), dataFiles(path.join(fresh, 'prod', 'latest')));
    assertSnapshotEqualsStore(emu, 'prod', snap());

    const diff = await sfbackup(['diff', base, out()]);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /^Account +\d+ +\+2 +~1 +-0$/m);
    assert.match(diff.stdout, /^Contact +\d+ +\+0 +~2 +-1$/m);
  });

  test('a purge Salesforce does not report yet makes the incremental run fall back to a full export, not fail', async () => {
    const contacts = readObjectCsv(snap(), 'Contact').rows.map((r) => r[0] as string);
    await control(emu, 'DELETE', `/orgs/prod/records/Contact/${contacts[10]}?hard=true`); // getDeleted lags a minute or two
    const run = await sfbackup(['backup', '--alias', 'prod', '--out', out(), '--incremental'], envFor());
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /The incremental snapshot did not match the org; taking a full export instead/);
    assert.match(run.stdout, /full run \(the incremental snapshot did not match the org\)/);
    assertSnapshotEqualsStore(emu, 'prod', snap());
  });

  test('transient faults mid-run (503s on result pages, a dropped connection, an expired session) are survived', async () => {
    await control(emu, 'POST', '/faults', { path: '/jobs/query/[^/]+/results', status: 503, times: 2 });
    await control(emu, 'POST', '/faults', { path: '/jobs/query/[^/]+$', method: 'GET', kind: 'drop', skip: 3, times: 1 });
    await control(emu, 'POST', '/sessions/expire', { org: 'prod' });
    const dir = path.join(work, 'faulty');
    try {
      const run = await sfbackup(['backup', '--alias', 'prod', '--out', dir], envFor());
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stderr, /Retrying/);
    } finally {
      await control(emu, 'DELETE', '/faults');
    }
    assertSnapshotEqualsStore(emu, 'prod', path.join(dir, 'prod', 'latest'));
  });

  test('the run stops before crossing its API budget, says how many calls it made, and replaces nothing', async () => {
    const dir = path.join(work, 'budget');
    const first = await sfbackup(['backup', '--alias', 'prod', '--out', dir], envFor());
    assert.equal(first.code, 0, first.stderr);
    const before = dataFiles(path.join(dir, 'prod', 'latest'));
    // The org has spent nearly half its 15,000 daily requests elsewhere today.
    await control(emu, 'POST', '/orgs/prod/settings', { apiUsed: 7400 });
    try {
      const run = await sfbackup(['backup', '--alias', 'prod', '--out', dir, '--full', '--api-budget-share', '50%'], envFor());
      assert.equal(run.code, 6, run.stdout + run.stderr);
      assert.match(run.stderr, /Stopped: Stopped before exceeding the API budget/);
      assert.match(run.stdout, /API calls {3}\d+ \(org: \d+ of 15000 today\)/);
      assert.match(run.stdout, /NOT published/);
    } finally {
      await control(emu, 'POST', '/orgs/prod/settings', { apiUsed: 0 });
    }
    assert.deepEqual(dataFiles(path.join(dir, 'prod', 'latest')), before);
  });

  test('usage: backup without --out, verify without a folder', async () => {
    const noOut = await sfbackup(['backup'], envFor());
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /--out DIR/);
    const noDir = await sfbackup(['verify']);
    assert.equal(noDir.code, 2);
  });
});
