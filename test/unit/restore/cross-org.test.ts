// A restore into another org: production's backup seeds a sandbox made from it. The sandbox has
// production's users under its own suffix (`.full`), its own record type Ids and its own records,
// so every reference the restored records carry is looked up there (users by username, record
// types by developer name, Accounts by their external id), the audit fields come along where the
// org allows them, and masked fields arrive with no trace of their original values.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { orgCredentialsSchema } from '../../../src/config/credentials.ts';
import { applyPlan } from '../../../src/restore/apply.ts';
import { formatPlan } from '../../../src/restore/format.ts';
import { planRestore } from '../../../src/restore/plan.ts';
import { connect, type OrgSession } from '../../../src/salesforce/auth/connection.ts';
import { readObjectRows } from '../../../src/snapshot/index.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../../helpers/emulator.ts';
import { backupSnapshot } from './helpers.ts';

let emu: Emulator;
let work: string;
let snapshot: string;
let sandbox: OrgSession;
const quiet = { info: () => {}, warning: () => {} };
const tuning = { pollIntervalMs: 1, maxPollIntervalMs: 5 };

type Row = Record<string, string>;

before(async () => {
  emu = await emulator({
    orgs: [
      { alias: 'prod', records: 240, seed: 7 },
      { alias: 'full', sandbox: true, records: 60, seed: 7, copyOf: 'prod' },
    ],
  });
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'restore-xorg-'));
  snapshot = await backupSnapshot(emu, { out: path.join(work, 'out'), workDir: path.join(work, 'backup') });
  sandbox = await connect(orgCredentialsSchema.parse(creds(emu, 'full')));
});
after(async () => {
  await emu.close();
  rmSync(work, { recursive: true, force: true });
});

async function rows(object: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const r of readObjectRows(snapshot, object)) out.push(r);
  return out;
}

async function inSandbox<T extends Record<string, unknown>>(q: string): Promise<T[]> {
  return (await sandbox.conn.query<T>(q)).records;
}

function csv(file: string): Row[] {
  return parse(readFileSync(file), { columns: true }) as Row[];
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

const quote = (ids: readonly string[]) => ids.map((i) => `'${i}'`).join(',');

test('seeding a sandbox copy: owners by username with the sandbox suffix, record types by developer name, audit fields kept, masked fields unrecognisable', async () => {
  await control(emu, 'POST', '/orgs/full/settings', { allowAuditFieldsOnCreate: true });
  // Production Accounts whose external id the sandbox does not hold already (it is unique), with their Contacts.
  const taken = new Set((await inSandbox<{ Ext_Id__c: string | null }>('SELECT Ext_Id__c FROM Account')).map((a) => a.Ext_Id__c));
  const accounts = (await rows('Account')).filter((a) => a.IsDeleted !== 'true' && !taken.has(a.Ext_Id__c || null)).slice(0, 12);
  const accountIds = new Set(accounts.map((a) => a.Id));
  const contacts = (await rows('Contact')).filter((c) => c.IsDeleted !== 'true' && accountIds.has(c.AccountId ?? ''));
  assert.ok(accounts.length >= 8 && contacts.length >= 5, `${accounts.length} accounts, ${contacts.length} contacts`);

  const planDir = path.join(work, 'seed', 'plan');
  const plan = await planRestore({
    snapshotDir: snapshot,
    session: sandbox,
    mode: 'missing',
    selection: {
      objects: ['Account', 'Contact'],
      ids: [...accounts.map((a) => a.Id as string), ...contacts.map((c) => c.Id as string)],
      mask: { 'Contact.Email': 'fake', 'Contact.Phone': 'blank', 'Contact.Title': 'hash', 'Account.Phone': 'fake' },
    },
    planDir,
    workDir: path.join(work, 'seed', 'work'),
    log: quiet,
    tuning,
  });
  assert.equal(plan.target.sameOrg, false);
  const account = plan.objects.find((o) => o.name === 'Account');
  assert.equal(account?.counts.create, accounts.length);
  // The sandbox allows setting audit fields: they are written, not skipped.
  assert.ok(account?.fields.includes('CreatedDate') && account.fields.includes('CreatedById'), account?.fields.join(','));
  const byHow = plan.referenceSummary?.byObject;
  assert.ok((byHow?.User?.username ?? 0) > 0, JSON.stringify(byHow));
  assert.ok((byHow?.RecordType?.developer_name ?? 0) > 0, JSON.stringify(byHow));
  const text = formatPlan(plan);
  assert.match(text, /References into the target org: .*User: \d+ by username/);
  assert.match(text, /Masked on the way in: Contact\.Email \(fake\), Contact\.Phone \(blank\)/);

  const resultsDir = path.join(work, 'seed', 'results');
  const result = await applyPlan({ planDir, snapshotDir: snapshot, session: sandbox, resultsDir, log: quiet, tuning });
  assert.equal(result.objects.find((o) => o.name === 'Account')?.counts.created, accounts.length);
  assert.equal(result.objects.find((o) => o.name === 'Contact')?.counts.created, contacts.length);
  const newId = new Map(csv(path.join(resultsDir, 'idmap.csv')).map((r) => [r.oldId as string, r.newId as string]));

  // Owners: production's user under the sandbox's username, or the one restoring when inactive.
  const prodUsers = new Map((await rows('User')).map((u) => [u.Id as string, u]));
  const users = await inSandbox<{ Id: string; Username: string; IsActive: boolean }>('SELECT Id, Username, IsActive FROM User');
  const byUsername = new Map(users.map((u) => [u.Username, u]));
  const owner = (prodUserId: string) => {
    const u = byUsername.get(`${prodUsers.get(prodUserId)?.Username}.full`);
    return u?.IsActive ? u.Id : sandbox.userId;
  };
  const prodTypes = new Map((await rows('RecordType')).map((t) => [t.Id as string, t.DeveloperName]));
  const types = await inSandbox<{ Id: string; DeveloperName: string }>("SELECT Id, DeveloperName FROM RecordType WHERE SobjectType = 'Account'");
  const created = await inSandbox<{
    Id: string;
    Name: string;
    OwnerId: string;
    RecordTypeId: string | null;
    CreatedDate: string;
    CreatedById: string;
    Phone: string | null;
  }>(`SELECT Id, Name, OwnerId, RecordTypeId, CreatedDate, CreatedById, Phone FROM Account WHERE Id IN (${quote([...newId.values()])})`);
  assert.equal(created.length, accounts.length);
  let mappedByUsername = 0;
  for (const a of accounts) {
    const got = created.find((c) => c.Id === newId.get(a.Id as string));
    assert.ok(got, `${a.Name} created`);
    assert.equal(got.Name, a.Name);
    assert.equal(got.OwnerId, owner(a.OwnerId as string), `${a.Name}: owner`);
    if (got.OwnerId !== sandbox.userId) mappedByUsername++;
    assert.equal(got.CreatedById, owner(a.CreatedById as string), `${a.Name}: created by`);
    assert.equal(Date.parse(got.CreatedDate), Date.parse(a.CreatedDate as string), `${a.Name}: created date kept`);
    if (a.RecordTypeId) {
      const want = types.find((t) => t.DeveloperName === prodTypes.get(a.RecordTypeId as string));
      assert.ok(want, `record type ${a.RecordTypeId} exists in the sandbox`);
      assert.notEqual(want.Id, a.RecordTypeId, "the sandbox's record type Ids are its own");
      assert.equal(got.RecordTypeId, want.Id, `${a.Name}: record type by developer name`);
    }
    if (a.Phone) assert.match(got.Phone ?? '', /^\+1 555-01\d\d-\d{4}$/);
  }
  assert.ok(mappedByUsername > 0, 'some owners were found by username');

  // Contacts: under their re-created Account; masked fields carry nothing of the original.
  const got = await inSandbox<{ Id: string; AccountId: string; Email: string | null; Phone: string | null; Title: string | null; LastName: string }>(
    `SELECT Id, AccountId, Email, Phone, Title, LastName FROM Contact WHERE Id IN (${quote(contacts.map((c) => newId.get(c.Id as string) ?? ''))})`,
  );
  assert.equal(got.length, contacts.length);
  const originals = new Set<string>();
  for (const c of contacts) {
    const g = got.find((x) => x.Id === newId.get(c.Id as string));
    assert.ok(g);
    assert.equal(g.LastName, c.LastName);
    assert.equal(g.AccountId, newId.get(c.AccountId as string));
    assert.equal(g.Phone, null);
    if (c.Email) {
      originals.add(c.Email);
      assert.match(g.Email ?? '', /^user\.[0-9a-f]{12}@example\.invalid$/);
    } else assert.equal(g.Email, null);
    if (c.Title) {
      originals.add(c.Title);
      assert.match(g.Title ?? '', /^[0-9a-f]+$/);
    }
    if (c.Phone) originals.add(c.Phone);
  }
  assert.ok(originals.size > 0);
  // Two Contacts that shared an address share the stand-in (deterministic), no restored Contact holds an original.
  for (const g of got) for (const o of originals) assert.ok(g.Email !== o && g.Title !== o && g.Phone !== o, `${o} reached the sandbox`);
  // Nor does any file the restore wrote (the plan's changes, the results, the references).
  for (const f of allFiles(path.join(work, 'seed')).filter((p) => !p.endsWith('.sqlite') && !p.includes(`${path.sep}work${path.sep}`))) {
    const text = readFileSync(f, 'utf8');
    for (const o of originals) assert.ok(!text.includes(o), `${path.basename(f)} holds ${o}`);
  }
});

test('lookups to records not restored: found by external id, or left empty and reported', async () => {
  // Contacts of production Accounts the sandbox holds too (same external id) and of ones it does not.
  const sandboxKeys = new Map(
    (await inSandbox<{ Id: string; Ext_Id__c: string | null }>('SELECT Id, Ext_Id__c FROM Account WHERE Ext_Id__c != null')).map((a) => [a.Ext_Id__c, a.Id]),
  );
  const prodAccounts = new Map((await rows('Account')).map((a) => [a.Id as string, a]));
  const contacts = (await rows('Contact')).filter((c) => c.IsDeleted !== 'true' && c.AccountId);
  const matched = contacts.filter((c) => sandboxKeys.has(prodAccounts.get(c.AccountId as string)?.Ext_Id__c ?? '')).slice(0, 4);
  const unmatched = contacts.filter((c) => !sandboxKeys.has(prodAccounts.get(c.AccountId as string)?.Ext_Id__c ?? '')).slice(0, 3);
  assert.ok(matched.length > 0 && unmatched.length > 0, `${matched.length} matched, ${unmatched.length} unmatched`);

  const dir = path.join(work, 'contacts');
  const plan = await planRestore({
    snapshotDir: snapshot,
    session: sandbox,
    mode: 'missing',
    selection: { objects: ['Contact'], ids: [...matched, ...unmatched].map((c) => c.Id as string) },
    planDir: path.join(dir, 'plan'),
    workDir: path.join(dir, 'work'),
    log: quiet,
    tuning,
  });
  assert.ok((plan.referenceSummary?.byObject.Account?.external_id ?? 0) >= 1, JSON.stringify(plan.referenceSummary));
  assert.ok((plan.referenceSummary?.byObject.Account?.unmatched ?? 0) >= 1, JSON.stringify(plan.referenceSummary));
  const refs = csv(path.join(dir, 'plan', 'references.csv'));
  for (const c of unmatched) assert.deepEqual(refs.find((r) => r.oldId === c.AccountId)?.how, 'unmatched');

  const resultsDir = path.join(dir, 'results');
  await applyPlan({ planDir: path.join(dir, 'plan'), snapshotDir: snapshot, session: sandbox, resultsDir, log: quiet, tuning });
  const results = csv(path.join(resultsDir, 'Contact.csv'));
  for (const c of matched) {
    const r = results.find((x) => x.oldId === c.Id);
    assert.equal(r?.outcome, 'created');
    const [g] = await inSandbox<{ AccountId: string }>(`SELECT AccountId FROM Contact WHERE Id = '${r?.newId}'`);
    assert.equal(g?.AccountId, sandboxKeys.get(prodAccounts.get(c.AccountId as string)?.Ext_Id__c ?? ''));
  }
  for (const c of unmatched) {
    const r = results.find((x) => x.oldId === c.Id);
    assert.equal(r?.outcome, 'created');
    assert.match(r?.error ?? '', new RegExp(`AccountId left empty: ${c.AccountId} has no match in the target org`));
    const [g] = await inSandbox<{ AccountId: string | null }>(`SELECT AccountId FROM Contact WHERE Id = '${r?.newId}'`);
    assert.equal(g?.AccountId, null);
  }
});

test('a masking rule that cannot hold is refused before anything is read from the org', async () => {
  await assert.rejects(
    planRestore({
      snapshotDir: snapshot,
      session: sandbox,
      mode: 'missing',
      selection: { objects: ['Contact'], mask: { 'Contact.LastName': 'blank', 'Contact.AccountId': 'hash', 'Contact.Birthdate': 'fake' } },
      planDir: path.join(work, 'bad', 'plan'),
      workDir: path.join(work, 'bad', 'work'),
      log: quiet,
    }),
    (err: Error & { reason?: string }) => {
      assert.equal(err.reason, 'bad_selection');
      assert.match(err.message, /Contact\.LastName is required, so it cannot be blank/);
      assert.match(err.message, /Contact\.AccountId is a lookup/);
      assert.match(err.message, /Contact\.Birthdate is a date field: only text fields take fake/);
      return true;
    },
  );
});
