// Applying a restore plan against the emulator: a backed-up org loses Accounts with their Contacts
// (some still in the Recycle Bin, some purged), a plan written by hand says what to undelete and
// what to re-create, and the org gets them back with every lookup pointing at the right record.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { orgCredentialsSchema } from '../../../src/config/credentials.ts';
import { applyPlan } from '../../../src/restore/apply.ts';
import type { RecordAction, RestorePlan, RestoreResult } from '../../../src/restore/contracts.ts';
import { failureState } from '../../../src/runtime/errors.ts';
import { connect, type OrgSession } from '../../../src/salesforce/auth/connection.ts';
import { loadManifest, readObjectRows, readObjectSchema } from '../../../src/snapshot/index.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../../helpers/emulator.ts';
import { backupSnapshot } from './helpers.ts';

let emu: Emulator;
let work: string;
let snapshot: string;
let session: OrgSession;
const quiet = { info: () => {}, warning: () => {} };
const tuning = { pollIntervalMs: 1, maxPollIntervalMs: 5 };

interface Row {
  Id: string;
  [field: string]: string;
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 200, seed: 5 }] });
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'restore-apply-'));
  session = await connect(orgCredentialsSchema.parse(creds(emu, 'prod')));
});
after(async () => {
  await emu.close();
  rmSync(work, { recursive: true, force: true });
});

async function soql<T extends Record<string, unknown>>(q: string): Promise<T[]> {
  return (await session.conn.query<T>(q)).records;
}

/** Accounts that have Contacts, with their Contact Ids. */
async function accountsWithContacts(): Promise<Map<string, string[]>> {
  const m = new Map<string, string[]>();
  for (const c of await soql<{ Id: string; AccountId: string }>('SELECT Id, AccountId FROM Contact WHERE AccountId != null ORDER BY Id')) {
    m.set(c.AccountId, [...(m.get(c.AccountId) ?? []), c.Id]);
  }
  return m;
}

async function backup(): Promise<string> {
  return backupSnapshot(emu, { out: path.join(work, 'out'), workDir: path.join(work, `backup-${Date.now()}`) });
}

/** What a dry run would write for `missing`: per object, the action of every snapshot row. */
async function writePlan(dir: string, snap: string, actions: Record<string, Map<string, RecordAction>>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const manifest = await loadManifest(snap);
  const objects: RestorePlan['objects'] = [];
  for (const [name, byId] of Object.entries(actions)) {
    const schema = await readObjectSchema(snap, name);
    const audit = new Set(['CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById']);
    const fields = schema.fields.filter((f) => f.name !== 'Id' && f.createable && !f.calculated && !f.autoNumber && !audit.has(f.name)).map((f) => f.name);
    const lines = ['Id,action,reason'];
    const counts: Record<RecordAction, number> = { undelete: 0, create: 0, update: 0, upsert: 0, skip: 0 };
    for await (const row of readObjectRows(snap, name)) {
      const action = byId.get(row.Id as string) ?? 'skip';
      counts[action]++;
      lines.push(`${row.Id},${action},${action === 'skip' ? 'exists' : ''}`);
    }
    writeFileSync(path.join(dir, `${name}.csv`), `${lines.join('\n')}\n`);
    objects.push({ name, counts, skipped: { exists: counts.skip }, fields, skippedFields: [], records: `${name}.csv` });
  }
  const plan: RestorePlan = {
    formatVersion: 1,
    mode: 'missing',
    createdAt: new Date().toISOString(),
    snapshot: { dir: snap, alias: manifest.alias, orgId: manifest.orgId, finishedAt: manifest.finishedAt },
    target: { orgId: session.orgId, instanceUrl: session.instanceUrl, sameOrg: true },
    selection: { objects: Object.keys(actions) },
    order: ['Account', 'Contact'],
    objects,
  };
  writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan, null, 2));
}

function resultRows(results: string, object: string): Record<string, string>[] {
  return parse(readFileSync(path.join(results, `${object}.csv`)), { columns: true }) as Record<string, string>[];
}

function idMap(results: string): Map<string, string> {
  const rows = parse(readFileSync(path.join(results, 'idmap.csv')), { columns: true }) as { oldId: string; newId: string }[];
  return new Map(rows.map((r) => [r.oldId, r.newId]));
}

function counts(r: RestoreResult, object: string): Record<string, number> | undefined {
  return r.objects.find((o) => o.name === object)?.counts;
}

async function del(object: string, id: string): Promise<void> {
  await control(emu, 'DELETE', `/orgs/prod/records/${object}/${id}`);
}

async function total(object: string): Promise<number> {
  return (await session.conn.query(`SELECT COUNT() FROM ${object}`)).totalSize;
}

test('purged Accounts and Contacts are re-created with lookups to their new Ids; binned ones are undeleted with their own; a second run creates nothing', async () => {
  const families = [...(await accountsWithContacts()).entries()].filter(([, cs]) => cs.length >= 2);
  assert.ok(families.length >= 5, `${families.length} accounts with two contacts`);
  const recreate = families.slice(0, 3);
  const bin = families.slice(3, 5);
  const [a1, a2] = [recreate[0]?.[0] as string, recreate[1]?.[0] as string];
  // A self-lookup among re-created Accounts and one among re-created Contacts (created in one job).
  await control(emu, 'PATCH', `/orgs/prod/records/Account/${a2}`, { values: { ParentId: a1 } });
  const [c1, c2] = (recreate[0]?.[1] ?? []) as [string, string];
  const c3 = recreate[1]?.[1][0] as string;
  await control(emu, 'PATCH', `/orgs/prod/records/Contact/${c3}`, { values: { ReportsToId: c1 } });
  await control(emu, 'PATCH', `/orgs/prod/records/Contact/${c1}`, { values: { ReportsToId: c2 } });
  snapshot = await backup();
  const snapAccounts = new Map<string, Row>();
  for await (const r of readObjectRows(snapshot, 'Account')) snapAccounts.set(r.Id as string, r as Row);
  const snapContacts = new Map<string, Row>();
  for await (const r of readObjectRows(snapshot, 'Contact')) snapContacts.set(r.Id as string, r as Row);

  // The mass delete: Accounts take their Contacts to the Recycle Bin; the first three are purged.
  for (const [acc] of recreate) await del('Account', acc);
  await control(emu, 'POST', '/orgs/prod/recyclebin/purge', {});
  for (const [acc] of bin) await del('Account', acc);
  const accountsBefore = await total('Account');

  const actions = { Account: new Map<string, RecordAction>(), Contact: new Map<string, RecordAction>() };
  for (const [acc, cs] of recreate) {
    actions.Account.set(acc, 'create');
    for (const c of cs) actions.Contact.set(c, 'create');
  }
  for (const [acc, cs] of bin) {
    actions.Account.set(acc, 'undelete');
    for (const c of cs) actions.Contact.set(c, 'undelete');
  }
  const planDir = path.join(work, 'plan-1');
  await writePlan(planDir, snapshot, actions);
  const results = path.join(work, 'results-1');
  const lines: string[] = [];
  const r = await applyPlan({
    planDir,
    snapshotDir: snapshot,
    session,
    resultsDir: results,
    log: { info: (m) => lines.push(m), warning: (m) => lines.push(m) },
    tuning,
  });

  const recreatedContacts = recreate.flatMap(([, cs]) => cs);
  const binnedContacts = bin.flatMap(([, cs]) => cs);
  assert.deepEqual(counts(r, 'Account'), { undeleted: 2, created: 3, updated: 0, skipped: snapAccounts.size - 5, failed: 0 }, lines.join('\n'));
  assert.deepEqual(counts(r, 'Contact'), {
    undeleted: binnedContacts.length,
    created: recreatedContacts.length,
    updated: 0,
    skipped: snapContacts.size - recreatedContacts.length - binnedContacts.length,
    failed: 0,
  });
  assert.equal(await total('Account'), accountsBefore + 5);

  // Re-created: new Ids, the snapshot's values, lookups pointing at the new Ids.
  const map = idMap(results);
  assert.equal(map.size, 3 + recreatedContacts.length);
  for (const [acc, cs] of recreate) {
    const newId = map.get(acc) as string;
    assert.ok(newId && newId !== acc);
    const [a] = await soql<{ Name: string; ParentId: string | null }>(`SELECT Name, ParentId FROM Account WHERE Id = '${newId}'`);
    assert.equal(a?.Name, snapAccounts.get(acc)?.Name);
    if (acc === a2) assert.equal(a?.ParentId, map.get(a1), 'Account.ParentId names the new parent');
    for (const c of cs) {
      const [k] = await soql<{ LastName: string; AccountId: string; ReportsToId: string | null }>(
        `SELECT LastName, AccountId, ReportsToId FROM Contact WHERE Id = '${map.get(c)}'`,
      );
      assert.equal(k?.LastName, snapContacts.get(c)?.LastName);
      assert.equal(k?.AccountId, newId, 'Contact.AccountId names the re-created Account');
    }
  }
  const [k1] = await soql<{ ReportsToId: string }>(`SELECT ReportsToId FROM Contact WHERE Id = '${map.get(c1)}'`);
  const [k3] = await soql<{ ReportsToId: string }>(`SELECT ReportsToId FROM Contact WHERE Id = '${map.get(c3)}'`);
  assert.equal(k1?.ReportsToId, map.get(c2), 'a lookup to a record created later in the same job is set by the second pass');
  assert.equal(k3?.ReportsToId, map.get(c1));
  // Undeleted: the same Ids, their Contacts back on them.
  for (const [acc, cs] of bin) {
    const kids = await soql<{ Id: string }>(`SELECT Id FROM Contact WHERE AccountId = '${acc}' ORDER BY Id`);
    assert.deepEqual(kids.map((k) => k.Id).sort(), [...cs].sort());
  }
  const rows = resultRows(results, 'Contact');
  assert.equal(rows.length, snapContacts.size, 'a result for every planned record');
  assert.deepEqual(
    rows
      .filter((x) => x.outcome === 'created')
      .map((x) => [x.oldId, x.newId])
      .sort(),
    recreatedContacts.map((c) => [c, map.get(c)]).sort(),
  );

  // The same plan again over the same results: nothing is sent twice.
  const contactsAfter = await total('Contact');
  const again = await applyPlan({ planDir, snapshotDir: snapshot, session, resultsDir: results, log: quiet, tuning });
  assert.deepEqual(counts(again, 'Account'), counts(r, 'Account'));
  assert.deepEqual(counts(again, 'Contact'), counts(r, 'Contact'));
  assert.equal(await total('Account'), accountsBefore + 5);
  assert.equal(await total('Contact'), contactsAfter);
  assert.deepEqual(idMap(results), map);
});

test('a job that breaks halfway, and a run that dies before reading its job, leave results from which a second run completes without duplicates', async () => {
  const families = [...(await accountsWithContacts()).entries()].filter(([, cs]) => cs.length >= 2).slice(0, 3);
  snapshot = await backup();
  for (const [acc] of families) await del('Account', acc);
  await control(emu, 'POST', '/orgs/prod/recyclebin/purge', {});
  const accounts = await total('Account');
  const contacts = await total('Contact');
  const actions = { Account: new Map<string, RecordAction>(), Contact: new Map<string, RecordAction>() };
  for (const [acc, cs] of families) {
    actions.Account.set(acc, 'create');
    for (const c of cs) actions.Contact.set(c, 'create');
  }
  const nContacts = families.reduce((n, [, cs]) => n + cs.length, 0);
  const planDir = path.join(work, 'plan-2');
  await writePlan(planDir, snapshot, actions);
  const results = path.join(work, 'results-2');

  // Run 1: the Contact job fails after two rows.
  await control(emu, 'POST', '/bulk/rules', { kind: 'ingest', object: 'Contact', operation: 'insert', failAfterRows: 2 });
  const first = await applyPlan({ planDir, snapshotDir: snapshot, session, resultsDir: results, log: quiet, tuning });
  assert.equal(counts(first, 'Account')?.created, 3);
  assert.equal(counts(first, 'Contact')?.created, 2);
  assert.equal(counts(first, 'Contact')?.failed, nContacts - 2);
  assert.ok(resultRows(results, 'Contact').some((x) => x.outcome === 'failed' && /not processed/.test(x.error ?? '')));

  // Run 2 dies before it reads its job's results: Salesforce ran the job, the run never learns the new Ids.
  await control(emu, 'POST', '/faults', { method: 'GET', path: '^/services/data/v[0-9.]+/jobs/ingest/[^/]+/successfulResults/?$', status: 503, times: 0 });
  await assert.rejects(
    applyPlan({
      planDir,
      snapshotDir: snapshot,
      session,
      resultsDir: results,
      log: quiet,
      tuning: { ...tuning, retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 1 } },
    }),
    /503/,
  );
  await control(emu, 'DELETE', '/faults');
  assert.ok(
    resultRows(results, 'Contact').some((x) => x.outcome === 'failed'),
    'results are written even when a run dies',
  );

  // Run 3 reads the job run 2 left, sends nothing twice, and finishes.
  const third = await applyPlan({ planDir, snapshotDir: snapshot, session, resultsDir: results, log: quiet, tuning });
  assert.equal(counts(third, 'Account')?.created, 3);
  assert.equal(counts(third, 'Contact')?.created, nContacts);
  assert.equal(counts(third, 'Contact')?.failed, 0);
  assert.equal(await total('Account'), accounts + 3);
  assert.equal(await total('Contact'), contacts + nContacts, 'no Contact was created twice');
  const map = idMap(results);
  for (const [acc, cs] of families) {
    for (const c of cs) {
      const [k] = await soql<{ AccountId: string }>(`SELECT AccountId FROM Contact WHERE Id = '${map.get(c)}'`);
      assert.equal(k?.AccountId, map.get(acc));
    }
  }
});

test('a snapshot that fails verification is refused before anything is written', async () => {
  const copy = path.join(work, 'damaged');
  cpSync(snapshot, copy, { recursive: true });
  const file = (await loadManifest(copy)).objects.find((o) => o.name === 'Account')?.files[0]?.path as string;
  const bytes = readFileSync(path.join(copy, file));
  bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 1;
  writeFileSync(path.join(copy, file), bytes);
  const planDir = path.join(work, 'plan-3');
  const firstId = (parse(bytes.toString('latin1')) as string[][])[1]?.[0] as string;
  await writePlan(planDir, copy, { Account: new Map([[firstId, 'create']]) });
  const jobsBefore = (await control<unknown[]>(emu, 'GET', '/bulk/jobs?org=prod')).length;
  await assert.rejects(applyPlan({ planDir, snapshotDir: copy, session, resultsDir: path.join(work, 'results-3'), log: quiet, tuning }), (err) => {
    assert.equal(failureState(err), 'corrupt');
    return true;
  });
  assert.equal((await control<unknown[]>(emu, 'GET', '/bulk/jobs?org=prod')).length, jobsBefore);
});

test('a results folder of another restore (another snapshot) is refused before anything is written', async () => {
  const other = await backup();
  assert.notEqual(other, snapshot);
  const [first] = (await soql<{ Id: string }>('SELECT Id FROM Account ORDER BY Id LIMIT 1')) as { Id: string }[];
  const planDir = path.join(work, 'plan-4');
  await writePlan(planDir, other, { Account: new Map([[first?.Id as string, 'update']]) });
  const jobsBefore = (await control<unknown[]>(emu, 'GET', '/bulk/jobs?org=prod')).length;
  // results-1 holds the first test's restore of the first snapshot.
  await assert.rejects(applyPlan({ planDir, snapshotDir: other, session, resultsDir: path.join(work, 'results-1'), log: quiet, tuning }), (err) => {
    assert.equal((err as { reason?: string }).reason, 'other_restore');
    assert.match((err as Error).message, /holds the results of restoring the snapshot of .* into org/);
    assert.match((err as { remedy?: string }).remedy ?? '', /another --report DIR/);
    return true;
  });
  assert.equal((await control<unknown[]>(emu, 'GET', '/bulk/jobs?org=prod')).length, jobsBefore);
  // A folder of its own is fine.
  const r = await applyPlan({ planDir, snapshotDir: other, session, resultsDir: path.join(work, 'results-4'), log: quiet, tuning });
  assert.equal(counts(r, 'Account')?.failed, 0);
});
