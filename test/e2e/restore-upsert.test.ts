// `sfbackup restore SNAPSHOT_DIR --mode upsert --external-id Account.Ext_Id__c` end to end through
// the built CLI (dist/cli.js; the sources with SFBACKUP_TEST_FROM_SOURCE=1) against the emulator:
// back an org up, overwrite an Account and purge another; the dry run plans both upserts and writes
// nothing; --apply updates the one back in place and creates the other again by its external id;
// the same command once more finds nothing to do and creates nothing twice.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Connection } from 'jsforce';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { CLI_ENTRY, runNode } from '../helpers/dist.ts';
import { control, creds, emulator, sessionConnection } from '../helpers/emulator.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = process.env.SFBACKUP_TEST_FROM_SOURCE === '1' ? path.join(ROOT, 'src/cli/bin.ts') : CLI_ENTRY;

let emu: Emulator;
let conn: Connection;
let work: string;

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 300, seed: 9 }] });
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  conn = await sessionConnection(emu, 'prod');
  work = mkdtempSync(path.join(tmpdir(), 'restore-upsert-'));
});
after(async () => {
  await emu?.close();
  rmSync(work, { recursive: true, force: true });
});

function env(): Record<string, string> {
  const c = creds(emu, 'prod');
  return { HOME: work, SF_LOGIN_URL: c.loginUrl, SF_CLIENT_ID: c.clientId, SF_CLIENT_SECRET: c.clientSecret, SF_REFRESH_TOKEN: c.refreshToken };
}

const sfbackup = (args: string[]) => runNode(CLI, args, env(), { cwd: work });

async function soql<T extends Record<string, unknown>>(q: string): Promise<T[]> {
  return (await conn.query<T>(q)).records;
}

async function accountTotal(): Promise<number> {
  return (await conn.query('SELECT COUNT() FROM Account')).totalSize;
}

/** Bulk ingest jobs created since the request log's entry `since`. */
async function ingestJobsSince(since: number): Promise<number> {
  const calls = await control<{ method: string; path: string }[]>(emu, 'GET', `/requests?since=${since}`);
  return calls.filter((c) => c.method === 'POST' && /\/jobs\/ingest\/?$/.test(c.path)).length;
}

async function lastRequest(): Promise<number> {
  return (await control<{ seq: number }[]>(emu, 'GET', '/requests')).at(-1)?.seq ?? 0;
}

interface PlanJson {
  objects: { name: string; counts: Record<string, number>; skipped: Record<string, number>; fields: string[] }[];
}

function planOf(report: string): PlanJson['objects'][number] | undefined {
  return (JSON.parse(readFileSync(path.join(report, 'plan', 'plan.json'), 'utf8')) as PlanJson).objects.find((o) => o.name === 'Account');
}

describe('cli: sfbackup restore --mode upsert', () => {
  test('--mode upsert without --external-id is a usage error', async () => {
    const ran = await sfbackup(['restore', path.join(work, 'nowhere'), '--mode', 'upsert', '--objects', 'Account']);
    assert.equal(ran.code, 2, ran.stdout + ran.stderr);
    assert.match(ran.stderr, /--external-id/);
  });

  test('dry run, then --apply: a changed Account updated back, a purged one created again by Ext_Id__c; again: nothing twice', async () => {
    const out = path.join(work, 'out');
    const backedUp = await sfbackup(['backup', '--out', out, '--alias', 'prod']);
    assert.equal(backedUp.code, 0, backedUp.stdout + backedUp.stderr);
    const snapshot = path.join(out, 'prod', 'latest');

    // Accounts nobody's ParentId names, so removing one changes no other Account.
    const all = await soql<{ Id: string; Name: string; Phone: string | null; ParentId: string | null; Ext_Id__c: string | null }>(
      'SELECT Id, Name, Phone, ParentId, Ext_Id__c FROM Account ORDER BY Id',
    );
    const parents = new Set(all.map((a) => a.ParentId));
    const [changed, purged, untouched] = all.filter((a) => a.Ext_Id__c && !parents.has(a.Id));
    assert.ok(changed && purged && untouched);
    await conn.sobject('Account').update({ Id: changed.Id, Name: 'Overwritten by a bad load', Phone: '555-0100' });
    await control(emu, 'DELETE', `/orgs/prod/records/Account/${purged.Id}?hard=true`);
    const accounts = await accountTotal();
    const args = [
      'restore',
      snapshot,
      '--mode',
      'upsert',
      '--external-id',
      'Account.Ext_Id__c',
      '--objects',
      'Account',
      '--fields',
      'Account.Name,Account.Phone',
      '--report',
      path.join(work, 'report'),
    ];

    const since = await lastRequest();
    const dry = await sfbackup(args);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /Nothing was written to the org/);
    const plan = planOf(path.join(work, 'report'));
    assert.equal(plan?.counts.upsert, 2);
    assert.deepEqual(plan?.fields, ['Name', 'Phone', 'Ext_Id__c']);
    const changes = parse(readFileSync(path.join(work, 'report', 'plan', 'Account.changes.csv')), { columns: true }) as Record<string, string>[];
    assert.ok(changes.some((c) => c.Id === changed.Id && c.field === 'Name' && c.before === 'Overwritten by a bad load' && c.after === changed.Name));
    assert.equal(await ingestJobsSince(since), 0, 'the dry run wrote nothing');
    assert.equal(await accountTotal(), accounts);
    const [stillWrong] = await soql<{ Name: string }>(`SELECT Name FROM Account WHERE Id = '${changed.Id}'`);
    assert.equal(stillWrong?.Name, 'Overwritten by a bad load');

    const applied = await sfbackup([...args, '--apply', '--allow-production']);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /Account\s+0 undeleted, 1 created, 1 updated, \d+ skipped, 0 failed/);
    assert.equal(await accountTotal(), accounts + 1);
    const [back] = await soql<{ Id: string; Name: string; Phone: string | null }>(
      `SELECT Id, Name, Phone FROM Account WHERE Ext_Id__c = '${changed.Ext_Id__c}'`,
    );
    assert.deepEqual([back?.Id, back?.Name, back?.Phone], [changed.Id, changed.Name, changed.Phone], 'updated in place');
    const again = await soql<{ Id: string; Name: string; Phone: string | null }>(`SELECT Id, Name, Phone FROM Account WHERE Ext_Id__c = '${purged.Ext_Id__c}'`);
    assert.equal(again.length, 1);
    assert.notEqual(again[0]?.Id, purged.Id, 'created again, with a new Id');
    assert.deepEqual([again[0]?.Name, again[0]?.Phone], [purged.Name, purged.Phone]);
    const results = new Map(
      (parse(readFileSync(path.join(work, 'report', 'results', 'Account.csv')), { columns: true }) as Record<string, string>[]).map((r) => [r.oldId, r]),
    );
    assert.deepEqual(results.get(changed.Id), { oldId: changed.Id, newId: changed.Id, outcome: 'updated', error: '' });
    assert.deepEqual(results.get(purged.Id), { oldId: purged.Id, newId: again[0]?.Id, outcome: 'created', error: '' });
    assert.deepEqual(results.get(untouched.Id), { oldId: untouched.Id, newId: '', outcome: 'skipped', error: 'unchanged' });

    // Once more: the org matches the snapshot by key, so nothing is planned and nothing is sent.
    const before2 = await lastRequest();
    const twice = await sfbackup([...args, '--apply', '--allow-production']);
    assert.equal(twice.code, 0, twice.stdout + twice.stderr);
    assert.equal(planOf(path.join(work, 'report'))?.counts.upsert, 0);
    assert.equal(await ingestJobsSince(before2), 0, 'no job sent');
    assert.equal(await accountTotal(), accounts + 1, 'no duplicates');
    assert.equal((await soql(`SELECT Id FROM Account WHERE Ext_Id__c = '${purged.Ext_Id__c}'`)).length, 1);
  });
});
