// Restore paths beyond the basic round trip, each planned by the real dry run and applied against
// the emulator: polymorphic lookups (Task.WhatId to Accounts and Opportunities, Task.WhoId to
// Contacts), one object cut into several ingest jobs, upsert by external id fields, and lookups that
// can only be set in a second pass (an Account hierarchy, two Contacts reporting to each other).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { orgCredentialsSchema } from '../../../src/config/credentials.ts';
import { applyPlan } from '../../../src/restore/apply.ts';
import type { RestoreMode, RestoreResult, RestoreSelection } from '../../../src/restore/contracts.ts';
import { type Plan, planRestore } from '../../../src/restore/plan.ts';
import { connect, type OrgSession } from '../../../src/salesforce/auth/connection.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../../helpers/emulator.ts';
import { backupSnapshot, liveRows } from './helpers.ts';

let emu: Emulator;
let work: string;
let session: OrgSession;
const _quiet = { info: () => {}, warning: () => {} };
const OBJECTS = ['Account', 'Contact', 'Opportunity', 'Case', 'Task', 'Project__c'];

type Row = Record<string, string>;

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 500, seed: 23 }] });
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'restore-paths-'));
  session = await connect(orgCredentialsSchema.parse(creds(emu, 'prod')));
});
after(async () => {
  await emu?.close();
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;

/** A full backup of the objects a restore here touches; returns the snapshot folder. */
async function backup(): Promise<string> {
  runs++;
  return backupSnapshot(emu, { out: path.join(work, `out-${runs}`), workDir: path.join(work, `backup-${runs}`), include: OBJECTS });
}

interface Restored {
  plan: Plan;
  result: RestoreResult;
  results: string;
  log: string[];
}

/** The dry run, then applying its plan: what `sfbackup restore --apply` does. */
async function restore(
  snapshot: string,
  mode: RestoreMode,
  selection: RestoreSelection,
  opts: { maxJobBytes?: number; results?: string } = {},
): Promise<Restored> {
  const n = ++runs;
  const planDir = path.join(work, `plan-${n}`);
  const log: string[] = [];
  const sink = { info: (m: string) => log.push(m), warning: (m: string) => log.push(`warning: ${m}`) };
  const plan = await planRestore({
    snapshotDir: snapshot,
    session,
    mode,
    selection,
    planDir,
    workDir: path.join(work, `plan-work-${n}`),
    log: sink,
    tuning: { pollIntervalMs: 1, maxPollIntervalMs: 1 },
  });
  const results = opts.results ?? path.join(work, `results-${n}`);
  const result = await applyPlan({
    planDir,
    snapshotDir: snapshot,
    session,
    resultsDir: results,
    log: sink,
    tuning: { pollIntervalMs: 1, maxPollIntervalMs: 5, ...(opts.maxJobBytes !== undefined ? { maxJobBytes: opts.maxJobBytes } : {}) },
  });
  return { plan, result, results, log };
}

async function soql<T extends Record<string, unknown>>(q: string): Promise<T[]> {
  const res = await session.conn.query<T>(q);
  return res.done ? res.records : [...res.records, ...(await session.conn.queryMore<T>(res.nextRecordsUrl as string)).records];
}

/** Records by Id (any number of Ids), with the fields asked for. */
async function byIds<T extends { Id: string }>(object: string, fields: string, ids: readonly string[]): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for (let i = 0; i < ids.length; i += 100) {
    const part = ids.slice(i, i + 100);
    for (const r of await soql<T>(`SELECT Id, ${fields} FROM ${object} WHERE Id IN ('${part.join("','")}')`)) out.set(r.Id, r);
  }
  return out;
}

async function total(object: string): Promise<number> {
  return (await session.conn.query(`SELECT COUNT() FROM ${object}`)).totalSize;
}

function csvRows(file: string): Row[] {
  return parse(readFileSync(file), { columns: true }) as Row[];
}

function idMap(results: string): Map<string, string> {
  return new Map(csvRows(path.join(results, 'idmap.csv')).map((r) => [r.oldId as string, r.newId as string]));
}

function counts(r: Restored, object: string): Record<string, number> | undefined {
  return r.result.objects.find((o) => o.name === object)?.counts;
}

function planned(r: Restored, object: string): Record<string, number> | undefined {
  return r.plan.objects.find((o) => o.name === object)?.counts;
}

async function del(object: string, id: string): Promise<void> {
  await control(emu, 'DELETE', `/orgs/prod/records/${object}/${id}`);
}

async function purgeBin(): Promise<void> {
  await control(emu, 'POST', '/orgs/prod/recyclebin/purge', {});
}

async function patch(object: string, id: string, values: Record<string, unknown>): Promise<void> {
  await control(emu, 'PATCH', `/orgs/prod/records/${object}/${id}`, { values });
}

/** Ingest jobs the emulator ran (kept: the client's DELETE of a finished job is refused meanwhile). */
interface JobSummary {
  id: string;
  kind: string;
  object: string;
  operation: string;
  numberRecordsProcessed: number;
}

async function keepingJobs<T>(fn: () => Promise<T>): Promise<{ out: T; jobs: JobSummary[] }> {
  const known = new Set((await control<JobSummary[]>(emu, 'GET', '/bulk/jobs?org=prod')).map((j) => j.id));
  await control(emu, 'POST', '/faults', { method: 'DELETE', path: '/jobs/ingest/[^/]+/?$', status: 400, times: 0 });
  try {
    const out = await fn();
    const jobs = (await control<JobSummary[]>(emu, 'GET', '/bulk/jobs?org=prod')).filter((j) => j.kind === 'ingest' && !known.has(j.id));
    return { out, jobs };
  } finally {
    await control(emu, 'DELETE', '/faults');
  }
}

/** What a lookup of a restored record must hold: the re-created target's new Id, or the same Id. */
function expectedTarget(map: ReadonlyMap<string, string>, old: string): string {
  return old === '' ? '' : (map.get(old) ?? old);
}

test('missing: re-created Tasks point through WhatId and WhoId at the re-created Account, Opportunity or Contact they were about', async () => {
  const snapshot = await backup();
  const accounts = await liveRows(snapshot, 'Account');
  const contacts = await liveRows(snapshot, 'Contact');
  const opps = await liveRows(snapshot, 'Opportunity');
  const cases = await liveRows(snapshot, 'Case');
  const tasks = await liveRows(snapshot, 'Task');
  const taskList = [...tasks.values()];

  // Three Accounts to lose: one a Task is about, one whose Opportunity a Task is about, one whose
  // Contact a Task concerns. Deleting an Account takes its Contacts, Opportunities, Cases and their
  // activities to the Recycle Bin; the bin is then emptied.
  const onAccount = taskList.find((t) => accounts.has(t.WhatId ?? ''));
  const onOpp = taskList.find(
    (t) => opps.has(t.WhatId ?? '') && opps.get(t.WhatId as string)?.AccountId && opps.get(t.WhatId as string)?.AccountId !== onAccount?.WhatId,
  );
  const oppAccount = onOpp ? (opps.get(onOpp.WhatId as string)?.AccountId as string) : '';
  const taken = new Set([onAccount?.WhatId, oppAccount]);
  const onWho = taskList.find((t) => {
    const acc = contacts.get(t.WhoId ?? '')?.AccountId;
    return acc !== undefined && acc !== '' && !taken.has(acc);
  });
  assert.ok(onAccount && onOpp && onWho, 'the seeded org has Tasks on Accounts, on Opportunities and on Contacts');
  const lost = [onAccount.WhatId as string, oppAccount, contacts.get(onWho.WhoId as string)?.AccountId as string];
  // And one Task on its own, about records that stay: its lookups keep their Ids.
  const alone = taskList.find(
    (t) =>
      t !== onAccount &&
      t !== onOpp &&
      t !== onWho &&
      accounts.has(t.WhatId ?? '') &&
      !lost.includes(t.WhatId as string) &&
      contacts.has(t.WhoId ?? '') &&
      !lost.includes(contacts.get(t.WhoId as string)?.AccountId ?? ''),
  );
  assert.ok(alone, 'a Task about records that are not deleted');
  await del('Task', alone.Id as string);
  for (const a of lost) await del('Account', a);
  await purgeBin();
  for (const t of [onAccount, onOpp, onWho, alone]) {
    assert.equal((await byIds('Task', 'Subject', [t.Id as string])).size, 0, 'the Task is gone');
  }

  const r = await restore(snapshot, 'missing', { objects: ['Account', 'Contact', 'Opportunity', 'Case', 'Task'] });
  assert.deepEqual(r.plan.order, ['Account', 'Contact', 'Case', 'Opportunity', 'Task']);
  for (const o of r.plan.objects) {
    const c = counts(r, o.name);
    assert.equal(c?.failed, 0, `${o.name}: ${r.log.join('\n')}`);
    assert.equal(c?.created, o.counts.create, o.name);
  }
  const map = idMap(r.results);
  const recreated = taskList.filter((t) => map.has(t.Id as string));
  assert.equal(recreated.length, planned(r, 'Task')?.create);
  for (const t of [onAccount, onOpp, onWho, alone]) assert.ok(map.has(t.Id as string), `Task ${t.Id} was re-created`);

  // Every re-created Task: its own values, and lookups to the right record of the right object.
  const live = await byIds<{ Id: string; Subject: string | null; WhatId: string | null; WhoId: string | null }>(
    'Task',
    'Subject, WhatId, WhoId',
    recreated.map((t) => map.get(t.Id as string) as string),
  );
  for (const [object, field, snap] of [
    ['Account', 'Name', accounts],
    ['Opportunity', 'Name', opps],
    ['Case', 'Subject', cases],
    ['Contact', 'LastName', contacts],
  ] as const) {
    const ids = recreated.flatMap((t) => [t.WhatId, t.WhoId]).filter((id): id is string => snap.has(id ?? ''));
    const rows = await byIds<{ Id: string } & Record<string, string>>(object, field, [...new Set(ids.map((id) => expectedTarget(map, id)))]);
    for (const id of ids) {
      const now = rows.get(expectedTarget(map, id));
      assert.ok(now, `${object} ${id} (now ${expectedTarget(map, id)}) is in the org`);
      assert.equal(now[field], snap.get(id)?.[field], `${object} ${id}: ${field}`);
    }
  }
  let onAccounts = 0;
  let onOpps = 0;
  let onContacts = 0;
  for (const t of recreated) {
    const now = live.get(map.get(t.Id as string) as string);
    assert.ok(now, `Task ${t.Id} is in the org`);
    assert.equal(now.Subject ?? '', t.Subject ?? '');
    for (const f of ['WhatId', 'WhoId'] as const) {
      const old = t[f] ?? '';
      const want = expectedTarget(map, old);
      assert.equal(now[f] ?? '', want, `Task ${t.Id}.${f}: ${old} → ${want}`);
      if (old !== '') assert.equal(want.slice(0, 3), old.slice(0, 3), `${f} names a record of the same object`);
    }
    if (map.has(t.WhatId ?? '') && t.WhatId?.startsWith('001')) onAccounts++;
    if (map.has(t.WhatId ?? '') && t.WhatId?.startsWith('006')) onOpps++;
    if (map.has(t.WhoId ?? '') && t.WhoId?.startsWith('003')) onContacts++;
  }
  assert.ok(onAccounts >= 1 && onOpps >= 1 && onContacts >= 1, `re-created parents: ${onAccounts} Accounts, ${onOpps} Opportunities, ${onContacts} Contacts`);
  // The Task about records that stayed points at them, by their own Ids.
  const aloneNow = live.get(map.get(alone.Id as string) as string);
  assert.equal(aloneNow?.WhatId, alone.WhatId);
  assert.equal(aloneNow?.WhoId, alone.WhoId);
  // The Task on a re-created Opportunity: that Opportunity hangs under the re-created Account.
  const [opp] = await soql<{ AccountId: string; Name: string }>(`SELECT AccountId, Name FROM Opportunity WHERE Id = '${map.get(onOpp.WhatId as string)}'`);
  assert.equal(opp?.AccountId, map.get(oppAccount));
  assert.equal(opp?.Name, opps.get(onOpp.WhatId as string)?.Name);
});

test('missing: Contacts cut into several ingest jobs are each re-created once, with their Account and ReportsTo lookups, and a result each', async () => {
  const before = await backup();
  const contacts = await liveRows(before, 'Contact');
  const families = new Map<string, string[]>();
  for (const c of contacts.values()) if (c.AccountId) families.set(c.AccountId, [...(families.get(c.AccountId) ?? []), c.Id as string]);
  const lost = [...families.entries()].filter(([, cs]) => cs.length >= 2).slice(0, 4);
  assert.equal(lost.length, 4);
  // Lookups between the lost Contacts that cross jobs both ways: to one in a later job (second
  // pass) and to one in an earlier job (its new Id is known by then).
  const order = [...contacts.keys()];
  const lostContacts = lost.flatMap(([, cs]) => cs).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const first = lostContacts[0] as string;
  const last = lostContacts.at(-1) as string;
  await patch('Contact', first, { ReportsToId: last });
  await patch('Contact', last, { ReportsToId: lostContacts[1] });
  const snapshot = await backup();
  const snap = await liveRows(snapshot, 'Contact');
  const accounts = await liveRows(snapshot, 'Account');
  const contactsBefore = await total('Contact');
  for (const [acc] of lost) await del('Account', acc);
  await purgeBin();
  assert.equal(await total('Contact'), contactsBefore - lostContacts.length);

  const { out: r, jobs } = await keepingJobs(() => restore(snapshot, 'missing', { objects: ['Account', 'Contact'] }, { maxJobBytes: 1500 }));
  const inserts = jobs.filter((j) => j.object === 'Contact' && j.operation === 'insert');
  assert.ok(inserts.length >= 3, `${inserts.length} Contact insert jobs`);
  assert.ok(
    inserts.some((j) => j.numberRecordsProcessed >= 2),
    'a job carries several rows',
  );
  assert.equal(
    inserts.reduce((n, j) => n + j.numberRecordsProcessed, 0),
    lostContacts.length,
    'every Contact sent once',
  );
  assert.equal(await total('Contact'), contactsBefore, 'each Contact re-created once');
  assert.deepEqual(counts(r, 'Contact'), { undeleted: 0, created: lostContacts.length, updated: 0, skipped: snap.size - lostContacts.length, failed: 0 });

  // The results: a row per planned record, the new Ids distinct and in the org.
  const rows = csvRows(path.join(r.results, 'Contact.csv'));
  assert.deepEqual(
    rows.map((x) => x.oldId),
    [...snap.keys()],
  );
  const created = rows.filter((x) => x.outcome === 'created');
  assert.deepEqual(created.map((x) => x.oldId).sort(), [...lostContacts].sort());
  const newIds = created.map((x) => x.newId as string);
  assert.equal(new Set(newIds).size, newIds.length);
  const map = idMap(r.results);
  const now = await byIds<{ Id: string; LastName: string; Email: string | null; AccountId: string; ReportsToId: string | null }>(
    'Contact',
    'LastName, Email, AccountId, ReportsToId',
    newIds,
  );
  assert.equal(now.size, lostContacts.length);
  for (const old of lostContacts) {
    const c = now.get(map.get(old) as string);
    const s = snap.get(old) as Row;
    assert.ok(c, `Contact ${old} is in the org`);
    assert.equal(c.LastName, s.LastName);
    assert.equal(c.Email ?? '', s.Email);
    assert.equal(c.AccountId, map.get(s.AccountId as string), 'AccountId names the re-created Account');
    assert.equal(c.ReportsToId ?? '', expectedTarget(map, s.ReportsToId ?? ''), `Contact ${old}.ReportsToId`);
  }
  assert.equal(now.get(map.get(first) as string)?.ReportsToId, map.get(last), 'a lookup to a Contact of a later job');
  assert.equal(now.get(map.get(last) as string)?.ReportsToId, map.get(lostContacts[1] as string), 'a lookup to a Contact of an earlier job');
  for (const [acc, cs] of lost) {
    const kids = await soql<{ LastName: string }>(`SELECT LastName FROM Contact WHERE AccountId = '${map.get(acc)}'`);
    assert.deepEqual(kids.map((k) => k.LastName).sort(), cs.map((c) => snap.get(c)?.LastName).sort());
    assert.equal(
      (await byIds<{ Id: string; Name: string }>('Account', 'Name', [map.get(acc) as string])).get(map.get(acc) as string)?.Name,
      accounts.get(acc)?.Name,
    );
  }
});

/** Accounts nobody's ParentId names, with an external id: deleting one changes no other Account. */
function leafAccounts(accounts: ReadonlyMap<string, Row>): Row[] {
  const parents = new Set([...accounts.values()].map((a) => a.ParentId));
  return [...accounts.values()].filter((a) => !parents.has(a.Id) && a.Ext_Id__c !== '');
}

test('upsert by Account.Ext_Id__c: a changed Account is updated back, a purged one created again, unchanged ones skipped', async () => {
  const snapshot = await backup();
  const accounts = await liveRows(snapshot, 'Account');
  const [changed, purged, untouched] = leafAccounts(accounts);
  assert.ok(changed && purged && untouched);
  await patch('Account', changed.Id as string, { Name: 'Renamed by a bad load', Phone: '555-0199', Description: null });
  await control(emu, 'DELETE', `/orgs/prod/records/Account/${purged.Id}?hard=true`);
  const accountsBefore = await total('Account');

  const r = await restore(snapshot, 'upsert', { objects: ['Account'], externalIdField: 'Account.Ext_Id__c', fields: ['Name', 'Phone', 'Description'] });
  const noKey = [...accounts.values()].filter((a) => a.Ext_Id__c === '').length;
  assert.deepEqual(planned(r, 'Account'), { undelete: 0, create: 0, update: 0, upsert: 2, skip: accounts.size - 2 });
  assert.deepEqual(r.plan.objects[0]?.skipped, { ...(noKey > 0 ? { no_external_id: noKey } : {}), unchanged: accounts.size - 2 - noKey });
  assert.deepEqual(counts(r, 'Account'), { undeleted: 0, created: 1, updated: 1, skipped: accounts.size - 2, failed: 0 }, r.log.join('\n'));
  assert.equal(await total('Account'), accountsBefore + 1);

  const [back] = await soql<{ Id: string; Name: string; Phone: string | null; Description: string | null }>(
    `SELECT Id, Name, Phone, Description FROM Account WHERE Ext_Id__c = '${changed.Ext_Id__c}'`,
  );
  assert.equal(back?.Id, changed.Id, 'updated in place');
  assert.equal(back?.Name, changed.Name);
  assert.equal(back?.Phone ?? '', changed.Phone);
  assert.equal(back?.Description ?? '', changed.Description);
  const again = await soql<{ Id: string; Name: string; Phone: string | null }>(`SELECT Id, Name, Phone FROM Account WHERE Ext_Id__c = '${purged.Ext_Id__c}'`);
  assert.equal(again.length, 1);
  assert.notEqual(again[0]?.Id, purged.Id, 'created again, with a new Id');
  assert.equal(again[0]?.Name, purged.Name);
  assert.equal(again[0]?.Phone ?? '', purged.Phone);

  const rows = new Map(csvRows(path.join(r.results, 'Account.csv')).map((x) => [x.oldId, x]));
  assert.deepEqual(rows.get(changed.Id as string), { oldId: changed.Id, newId: changed.Id, outcome: 'updated', error: '' });
  assert.deepEqual(rows.get(purged.Id as string), { oldId: purged.Id, newId: again[0]?.Id, outcome: 'created', error: '' });
  assert.deepEqual(rows.get(untouched.Id as string), { oldId: untouched.Id, newId: '', outcome: 'skipped', error: 'unchanged' });
  assert.equal(idMap(r.results).get(purged.Id as string), again[0]?.Id);
});

test('upsert with an external id per object: Accounts, Contacts by Legacy_Id__c and Projects by Ext_Id__c, lookups to the re-created Account rewritten', async () => {
  const snapshot = await backup();
  const accounts = await liveRows(snapshot, 'Account');
  const contacts = await liveRows(snapshot, 'Contact');
  const projects = await liveRows(snapshot, 'Project__c');
  const legacyUses = new Map<string, number>();
  for (const c of contacts.values()) if (c.Legacy_Id__c) legacyUses.set(c.Legacy_Id__c, (legacyUses.get(c.Legacy_Id__c) ?? 0) + 1);
  const keyed = (c: Row) => c.Legacy_Id__c !== '' && legacyUses.get(c.Legacy_Id__c as string) === 1;
  const contactsOf = (acc: string) => [...contacts.values()].filter((c) => c.AccountId === acc);
  const projectsOf = (acc: string) => [...projects.values()].filter((p) => p.Account__c === acc && p.Ext_Id__c !== '');
  const leaves = leafAccounts(accounts);
  // An Account with keyed Contacts and keyed Projects goes for good (its Contacts with it, its
  // Projects' Account__c cleared); another is renamed; a Contact and a Project elsewhere change.
  const purged = leaves.find(
    (a) =>
      contactsOf(a.Id as string).some(keyed) && contactsOf(a.Id as string).every((c) => !c.Legacy_Id__c || keyed(c)) && projectsOf(a.Id as string).length > 0,
  );
  assert.ok(purged, 'an Account with keyed Contacts and Projects');
  const changed = leaves.find((a) => a !== purged) as Row;
  const contact = [...contacts.values()].find((c) => keyed(c) && c.AccountId !== '' && c.AccountId !== purged.Id) as Row;
  const project = [...projects.values()].find((p) => p.Ext_Id__c !== '' && p.Account__c !== purged.Id) as Row;
  assert.ok(contact && project);
  const recreatedContacts = contactsOf(purged.Id as string).filter(keyed);
  const relinkedProjects = projectsOf(purged.Id as string);

  await patch('Account', changed.Id as string, { Name: 'Renamed by a bad load' });
  await patch('Contact', contact.Id as string, { Title: 'Overwritten', LastName: 'Overwritten' });
  await patch('Project__c', project.Id as string, { Budget__c: 1 });
  await control(emu, 'DELETE', `/orgs/prod/records/Account/${purged.Id}?hard=true`);
  for (const p of relinkedProjects) {
    const st = await control<{ record: { Account__c: string | null } }>(emu, 'GET', `/orgs/prod/records/Project__c/${p.Id}`);
    assert.equal(st.record.Account__c, null, 'the purge cleared the Project’s Account');
  }
  const accountsBefore = await total('Account');
  const contactsBefore = await total('Contact');
  const projectsBefore = await total('Project__c');

  const selection: RestoreSelection = {
    objects: ['Account', 'Contact', 'Project__c'],
    externalIdField: 'Account.Ext_Id__c,Contact.Legacy_Id__c,Project__c.Ext_Id__c',
    fields: ['Account.Name', 'Account.Phone', 'Contact.LastName', 'Contact.Title', 'Contact.AccountId', 'Project__c.Budget__c', 'Project__c.Account__c'],
  };
  const r = await restore(snapshot, 'upsert', selection);
  assert.equal(planned(r, 'Account')?.upsert, 2);
  assert.equal(planned(r, 'Contact')?.upsert, 1 + recreatedContacts.length);
  assert.equal(planned(r, 'Project__c')?.upsert, 1 + relinkedProjects.length);
  const log = r.log.join('\n');
  assert.deepEqual(counts(r, 'Account'), { undeleted: 0, created: 1, updated: 1, skipped: accounts.size - 2, failed: 0 }, log);
  assert.deepEqual(
    counts(r, 'Contact'),
    { undeleted: 0, created: recreatedContacts.length, updated: 1, skipped: contacts.size - 1 - recreatedContacts.length, failed: 0 },
    log,
  );
  assert.deepEqual(
    counts(r, 'Project__c'),
    { undeleted: 0, created: 0, updated: 1 + relinkedProjects.length, skipped: projects.size - 1 - relinkedProjects.length, failed: 0 },
    log,
  );
  assert.equal(await total('Account'), accountsBefore + 1);
  assert.equal(await total('Contact'), contactsBefore + recreatedContacts.length);
  assert.equal(await total('Project__c'), projectsBefore);

  const [again] = await soql<{ Id: string; Name: string }>(`SELECT Id, Name FROM Account WHERE Ext_Id__c = '${purged.Ext_Id__c}'`);
  assert.ok(again && again.Id !== purged.Id);
  assert.equal(again.Name, purged.Name);
  const [renamed] = await soql<{ Name: string }>(`SELECT Name FROM Account WHERE Id = '${changed.Id}'`);
  assert.equal(renamed?.Name, changed.Name);
  for (const c of recreatedContacts) {
    const found = await soql<{ Id: string; LastName: string; Title: string | null; AccountId: string }>(
      `SELECT Id, LastName, Title, AccountId FROM Contact WHERE Legacy_Id__c = '${c.Legacy_Id__c}'`,
    );
    assert.equal(found.length, 1, `Contact ${c.Legacy_Id__c} once`);
    assert.notEqual(found[0]?.Id, c.Id);
    assert.equal(found[0]?.LastName, c.LastName);
    assert.equal(found[0]?.Title ?? '', c.Title);
    assert.equal(found[0]?.AccountId, again.Id, 'AccountId names the re-created Account');
  }
  const [back] = await soql<{ Id: string; LastName: string; Title: string | null; AccountId: string }>(
    `SELECT Id, LastName, Title, AccountId FROM Contact WHERE Id = '${contact.Id}'`,
  );
  assert.equal(back?.LastName, contact.LastName);
  assert.equal(back?.Title ?? '', contact.Title);
  assert.equal(back?.AccountId, contact.AccountId);
  for (const p of relinkedProjects) {
    const [now] = await soql<{ Account__c: string | null }>(`SELECT Account__c FROM Project__c WHERE Id = '${p.Id}'`);
    assert.equal(now?.Account__c, again.Id, `Project ${p.Ext_Id__c}.Account__c names the re-created Account`);
  }
  const [budget] = await soql<{ Budget__c: number | null }>(`SELECT Budget__c FROM Project__c WHERE Id = '${project.Id}'`);
  assert.equal(String(budget?.Budget__c ?? ''), String(Number(project.Budget__c) || ''), 'Budget__c back');

  // Again over the same results: nothing is created twice.
  await restore(snapshot, 'upsert', selection, { results: r.results });
  assert.equal(await total('Account'), accountsBefore + 1);
  assert.equal(await total('Contact'), contactsBefore + recreatedContacts.length);
});

test('missing: an Account hierarchy and two Contacts reporting to each other are re-created with every lookup naming the re-created record', async () => {
  const first = await backup();
  const firstAccounts = await liveRows(first, 'Account');
  const leaves = leafAccounts(firstAccounts);
  const [x1, x2, x3, x4] = leaves.slice(0, 4).map((a) => a.Id as string) as [string, string, string, string];
  const outside = leaves[4]?.Id as string;
  assert.ok(x4 && outside);
  // In snapshot order x1 < x2 < x3 < x4: x1 → x3 → x2 → x4 → an Account that stays. With one row
  // per job, x3's parent is created before it (its new Id is known), x1's and x2's after (second pass).
  await patch('Account', x1, { ParentId: x3 });
  await patch('Account', x3, { ParentId: x2 });
  await patch('Account', x2, { ParentId: x4 });
  await patch('Account', x4, { ParentId: outside });
  const someContacts = [...(await liveRows(first, 'Contact')).values()].filter((c) => c.AccountId && ![x1, x2, x3, x4].includes(c.AccountId as string));
  const [c1, c2] = someContacts.slice(0, 2).map((c) => c.Id as string) as [string, string];
  await patch('Contact', c1, { AccountId: x1, ReportsToId: c2 });
  await patch('Contact', c2, { AccountId: x3, ReportsToId: c1 });

  const snapshot = await backup();
  const accounts = await liveRows(snapshot, 'Account');
  const contacts = await liveRows(snapshot, 'Contact');
  const order = [...accounts.keys()];
  assert.ok(order.indexOf(x1) < order.indexOf(x2) && order.indexOf(x2) < order.indexOf(x3) && order.indexOf(x3) < order.indexOf(x4));
  const accountsBefore = await total('Account');
  const contactsBefore = await total('Contact');
  const lostContacts = [...contacts.values()].filter((c) => [x1, x2, x3, x4].includes(c.AccountId as string)).map((c) => c.Id as string);
  for (const a of [x1, x2, x3, x4]) await del('Account', a);
  await purgeBin();

  const results = path.join(work, 'results-hierarchy');
  const r = await restore(snapshot, 'missing', { objects: ['Account', 'Contact'] }, { maxJobBytes: 1, results });
  assert.equal(counts(r, 'Account')?.created, 4, r.log.join('\n'));
  assert.equal(counts(r, 'Contact')?.created, lostContacts.length);
  assert.equal(counts(r, 'Account')?.failed, 0);
  assert.equal(counts(r, 'Contact')?.failed, 0);
  const map = idMap(r.results);
  const names = await byIds<{ Id: string; Name: string; ParentId: string | null }>(
    'Account',
    'Name, ParentId',
    [x1, x2, x3, x4].map((x) => map.get(x) as string),
  );
  const parentName = async (id: string | null | undefined): Promise<string | undefined> =>
    id ? (await byIds<{ Id: string; Name: string }>('Account', 'Name', [id])).get(id)?.Name : undefined;
  for (const [child, parent] of [
    [x1, x3],
    [x3, x2],
    [x2, x4],
    [x4, outside],
  ] as const) {
    const now = names.get(map.get(child) as string);
    assert.equal(now?.Name, accounts.get(child)?.Name);
    assert.equal(now?.ParentId, expectedTarget(map, parent), `${accounts.get(child)?.Name}'s parent`);
    assert.equal(await parentName(now?.ParentId), accounts.get(parent)?.Name, 'the parent is the one of the snapshot, by name');
  }
  assert.equal(names.get(map.get(x4) as string)?.ParentId, outside, 'a parent that was never deleted keeps its Id');
  const people = await byIds<{ Id: string; LastName: string; AccountId: string; ReportsToId: string | null }>(
    'Contact',
    'LastName, AccountId, ReportsToId',
    [c1, c2].map((c) => map.get(c) as string),
  );
  const p1 = people.get(map.get(c1) as string);
  const p2 = people.get(map.get(c2) as string);
  assert.equal(p1?.LastName, contacts.get(c1)?.LastName);
  assert.equal(p1?.AccountId, map.get(x1));
  assert.equal(p1?.ReportsToId, map.get(c2), 'each names the other, re-created');
  assert.equal(p2?.ReportsToId, map.get(c1));
  assert.equal(p2?.AccountId, map.get(x3));
  // The second pass left no record with a lookup it could not set.
  for (const object of ['Account', 'Contact']) {
    const noted = csvRows(path.join(r.results, `${object}.csv`)).filter((x) => x.outcome === 'created' && x.error !== '');
    assert.deepEqual(noted, [], object);
  }
  assert.equal(await total('Account'), accountsBefore);
  assert.equal(await total('Contact'), contactsBefore);

  // The same restore again over the same results: the plan still sees the old Ids missing, but
  // nothing is created twice.
  const again = await restore(snapshot, 'missing', { objects: ['Account', 'Contact'] }, { maxJobBytes: 1, results });
  assert.equal(planned(again, 'Account')?.create, 4);
  assert.equal(await total('Account'), accountsBefore);
  assert.equal(await total('Contact'), contactsBefore);
  assert.deepEqual(idMap(results), map);
  const [x1Again] = await soql<{ ParentId: string }>(`SELECT ParentId FROM Account WHERE Id = '${map.get(x1)}'`);
  assert.equal(x1Again?.ParentId, map.get(x3));
});
