// The dry run of a restore is a real comparison with the live org: back up an emulated org, change
// it (records to the Recycle Bin, records purged, fields changed before and after the snapshot),
// and the plan says per record what a restore would do and why, with the fields that would change.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { backupOrg } from '../../../src/backup/run.ts';
import { orgCredentialsSchema } from '../../../src/config/credentials.ts';
import type { RestoreMode, RestoreSelection } from '../../../src/restore/contracts.ts';
import { AUDIT_NOT_ALLOWED } from '../../../src/restore/fields.ts';
import { formatPlan } from '../../../src/restore/format.ts';
import { type Plan, planRestore } from '../../../src/restore/plan.ts';
import { RestorePlanError } from '../../../src/restore/plan-errors.ts';
import { connect, type OrgSession } from '../../../src/salesforce/auth/connection.ts';
import { parseCsv } from '../../../src/snapshot/csv.ts';
import { loadManifest, readObjectRows, SnapshotCorruptError } from '../../../src/snapshot/index.ts';
import { LocalTarget } from '../../../src/storage/local.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../../helpers/emulator.ts';

let emu: Emulator;
let work: string;
let snapshot: string;
let session: OrgSession;
let finishedAt: string;
/** Accounts of the snapshot, by role in the story. */
const acc = { binned: '', purged: '', changedBefore: '', changedAfter: '', keyChanged: '', noKey: '' };
const original = { changedBefore: '', changedAfter: '', keyChangedName: '' };
let accountRows = 0;
let accountIds: string[] = [];

async function account(id: string): Promise<Record<string, unknown>> {
  return (await control<{ record: Record<string, unknown> }>(emu, 'GET', `/orgs/prod/records/Account/${id}`)).record;
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 300, seed: 7 }] });
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'restore-plan-'));
  const credentials = orgCredentialsSchema.parse(creds(emu, 'prod'));
  const r = await backupOrg({
    alias: 'prod',
    credentials,
    target: new LocalTarget({ dir: path.join(work, 'out') }),
    workDir: path.join(work, 'backup-work'),
    fullEvery: 1,
    apiBudgetShare: 1,
    massDelete: { share: 0.5, minRows: 100 },
    toolVersion: 'test',
    exportTuning: { pollIntervalMs: 1, maxPollIntervalMs: 1 },
    log: { info: () => {}, warning: () => {} },
    progress: () => {},
  });
  assert.ok(r.published);
  const backedUp = realpathSync(path.join(work, 'out', 'prod', 'latest'));
  session = await connect(credentials);

  // Accounts that are nobody's parent, so deleting one changes no other Account (Salesforce clears
  // the ParentId of the children of a deleted Account).
  const rows: Record<string, string>[] = [];
  for await (const row of readObjectRows(backedUp, 'Account')) rows.push(row);
  const parents = new Set(rows.map((r) => r.ParentId));
  const live = rows.filter((r) => r.IsDeleted !== 'true');
  accountRows = live.length;
  accountIds = live.map((r) => r.Id as string);
  const leaves = live.filter((r) => !parents.has(r.Id) && r.Ext_Id__c !== '');
  const [binned, purged, changedBefore, changedAfter, keyChanged] = leaves;
  const noKey = live.find((r) => r.Ext_Id__c === '');
  assert.ok(binned && purged && changedBefore && changedAfter && keyChanged && noKey, 'the seeded org has enough Accounts');
  Object.assign(acc, {
    binned: binned.Id,
    purged: purged.Id,
    changedBefore: changedBefore.Id,
    changedAfter: changedAfter.Id,
    keyChanged: keyChanged.Id,
    noKey: noKey.Id,
  });
  original.changedBefore = changedBefore.Description ?? '';
  original.changedAfter = changedAfter.Description ?? '';
  original.keyChangedName = keyChanged.Name ?? '';

  // The org after the backup: one Account in the Recycle Bin, one gone for good, one changed while
  // the backup still ran (below), one changed an hour after it, one renamed (the upsert compares by
  // external id).
  await control(emu, 'DELETE', `/orgs/prod/records/Account/${acc.binned}`);
  await control(emu, 'DELETE', `/orgs/prod/records/Account/${acc.purged}?hard=true`);
  await control(emu, 'PATCH', `/orgs/prod/records/Account/${acc.changedBefore}`, { values: { Description: 'Overwritten by a bad load' } });
  const stamp = String((await account(acc.changedBefore)).SystemModstamp);
  await control(emu, 'POST', '/clock', { advanceSec: 3600 });
  await control(emu, 'PATCH', `/orgs/prod/records/Account/${acc.changedAfter}`, { values: { Description: 'Edited by a user since' } });
  await control(emu, 'PATCH', `/orgs/prod/records/Account/${acc.keyChanged}`, { values: { Name: 'Renamed since' } });

  // The emulator's stamps only move forward, so "changed while the backup ran" (after Account was
  // exported, before the run finished) is the same snapshot finishing just after that change.
  snapshot = path.join(work, 'snapshot');
  cpSync(backedUp, snapshot, { recursive: true });
  const manifestFile = path.join(snapshot, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { finishedAt: string };
  manifest.finishedAt = new Date(Date.parse(stamp.replace(/\+0000$/, 'Z')) + 1).toISOString();
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  finishedAt = manifest.finishedAt;
});

after(async () => {
  await emu?.close();
  rmSync(work, { recursive: true, force: true });
});

let runs = 0;
async function plan(mode: RestoreMode, selection: RestoreSelection, dir = snapshot): Promise<{ plan: Plan; planDir: string; warnings: string[] }> {
  const planDir = path.join(work, `plan-${++runs}`);
  const warnings: string[] = [];
  const p = await planRestore({
    snapshotDir: dir,
    session,
    mode,
    selection,
    planDir,
    workDir: path.join(work, `plan-work-${runs}`),
    log: { info: () => {}, warning: (m) => warnings.push(m) },
    tuning: { pollIntervalMs: 1, maxPollIntervalMs: 1 },
  });
  return { plan: p, planDir, warnings };
}

function csv(file: string): string[][] {
  return parseCsv(readFileSync(file, 'utf8'));
}

/** Id → [action, reason] from an object's plan CSV. */
function actions(planDir: string, object: string): Map<string, [string, string]> {
  const rows = csv(path.join(planDir, `${object}.csv`));
  assert.deepEqual(rows[0], ['Id', 'action', 'reason']);
  return new Map(rows.slice(1).map((r) => [r[0] as string, [r[1] as string, r[2] as string]]));
}

test('missing: a record in the Recycle Bin is undeleted, a purged one re-created, the rest are already there', async () => {
  const { plan: p, planDir } = await plan('missing', { objects: ['Account'] });
  const o = p.objects[0];
  assert.ok(o);
  assert.equal(o.name, 'Account');
  assert.deepEqual(o.counts, { undelete: 1, create: 1, update: 0, upsert: 0, skip: accountRows - 2 });
  assert.deepEqual(o.skipped, { exists: accountRows - 2 });
  const rows = actions(planDir, 'Account');
  assert.deepEqual(rows.get(acc.binned), ['undelete', '']);
  assert.deepEqual(rows.get(acc.purged), ['create', '']);
  assert.deepEqual(rows.get(acc.changedBefore), ['skip', 'exists']);
  // Every live row of the snapshot, in the snapshot's order.
  assert.deepEqual([...rows.keys()], accountIds);
  assert.equal(o.changes, undefined);
  // A create writes createable fields; what Salesforce sets itself is reported, not written.
  assert.ok(o.fields.includes('Name') && o.fields.includes('ParentId') && o.fields.includes('Description'));
  for (const f of ['Id', 'CreatedDate', 'SystemModstamp', 'IsDeleted', 'LastActivityDate']) assert.ok(!o.fields.includes(f), f);
  const why = new Map(o.skippedFields.map((f) => [f.name, f.why]));
  assert.equal(why.get('CreatedDate'), AUDIT_NOT_ALLOWED);
  assert.equal(why.get('CreatedById'), AUDIT_NOT_ALLOWED);
  assert.equal(why.get('SystemModstamp'), 'system field: set by Salesforce');
  assert.deepEqual(p.order, ['Account']);
  assert.equal(p.target.sameOrg, true);
  assert.equal(p.snapshot.finishedAt, finishedAt);
  const written = JSON.parse(readFileSync(path.join(planDir, 'plan.json'), 'utf8')) as Plan;
  assert.deepEqual(written, JSON.parse(JSON.stringify(p)));
});

test('overwrite: changed fields go back unless the org changed the record after the snapshot; absent and binned records are skipped', async () => {
  const { plan: p, planDir } = await plan('overwrite', { objects: ['Account'] });
  const o = p.objects[0];
  assert.ok(o);
  assert.deepEqual(o.counts, { undelete: 0, create: 0, update: 1, upsert: 0, skip: accountRows - 1 });
  assert.deepEqual(o.skipped, { not_in_org: 1, deleted_in_org: 1, changed_after_snapshot: 2, unchanged: accountRows - 5 });
  const rows = actions(planDir, 'Account');
  assert.deepEqual(rows.get(acc.purged), ['skip', 'not_in_org']);
  assert.deepEqual(rows.get(acc.binned), ['skip', 'deleted_in_org']);
  assert.deepEqual(rows.get(acc.changedBefore), ['update', '']);
  assert.deepEqual(rows.get(acc.changedAfter), ['skip', 'changed_after_snapshot']);
  assert.deepEqual(rows.get(acc.keyChanged), ['skip', 'changed_after_snapshot']);
  assert.equal(o.changes, 'Account.changes.csv');
  assert.deepEqual(csv(path.join(planDir, 'Account.changes.csv')), [
    ['Id', 'field', 'before', 'after'],
    [acc.changedBefore, 'Description', 'Overwritten by a bad load', original.changedBefore],
  ]);
  assert.deepEqual(o.changedFields, { Description: 1 });
  // An update writes updateable fields only.
  assert.ok(o.fields.includes('Description') && !o.fields.includes('CreatedDate'));
});

test('overwrite with overwriteNewer replaces what the org changed since, restricted to the chosen fields', async () => {
  const { plan: p, planDir } = await plan('overwrite', { objects: ['Account'], fields: ['Account.Description'], overwriteNewer: true });
  const o = p.objects[0];
  assert.ok(o);
  assert.deepEqual(o.fields, ['Description']);
  // The rename is not a change of the chosen field.
  assert.deepEqual(o.skipped, { not_in_org: 1, deleted_in_org: 1, unchanged: accountRows - 4 });
  assert.equal(o.counts.update, 2);
  const changes = csv(path.join(planDir, 'Account.changes.csv')).slice(1);
  assert.deepEqual(
    changes.sort((a, b) => (a[0] as string).localeCompare(b[0] as string)),
    [
      [acc.changedBefore, 'Description', 'Overwritten by a bad load', original.changedBefore],
      [acc.changedAfter, 'Description', 'Edited by a user since', original.changedAfter],
    ].sort((a, b) => (a[0] as string).localeCompare(b[0] as string)),
  );
  assert.equal(actions(planDir, 'Account').get(acc.keyChanged)?.[0], 'skip');
});

test('upsert by the external id: no key is skipped, an unchanged record too, a differing one is upserted with its changes', async () => {
  const { plan: p, planDir } = await plan('upsert', { objects: ['Account'], externalIdField: 'Account.Ext_Id__c', fields: ['Name', 'Description'] });
  const o = p.objects[0];
  assert.ok(o);
  assert.deepEqual(o.fields, ['Name', 'Description', 'Ext_Id__c']);
  const rows = actions(planDir, 'Account');
  assert.deepEqual(rows.get(acc.noKey), ['skip', 'no_external_id']);
  assert.deepEqual(rows.get(acc.binned), ['upsert', '']);
  assert.deepEqual(rows.get(acc.purged), ['upsert', '']);
  assert.deepEqual(rows.get(acc.keyChanged), ['upsert', '']);
  assert.deepEqual(rows.get(acc.changedAfter), ['upsert', '']);
  const noKey = [...rows.values()].filter(([, r]) => r === 'no_external_id').length;
  assert.equal(o.counts.upsert, 5);
  assert.deepEqual(o.skipped, { no_external_id: noKey, unchanged: accountRows - 5 - noKey });
  const changes = csv(path.join(planDir, 'Account.changes.csv')).slice(1);
  assert.ok(changes.some((c) => c[0] === acc.keyChanged && c[1] === 'Name' && c[2] === 'Renamed since' && c[3] === original.keyChangedName));
  assert.ok(changes.some((c) => c[0] === acc.changedAfter && c[1] === 'Description'));
  assert.equal(changes.length, 3);
});

test('an upsert without an external id field for an object is refused', async () => {
  await assert.rejects(plan('upsert', { objects: ['Account'], externalIdField: 'Name' }), (err: unknown) => {
    assert.ok(err instanceof RestorePlanError);
    assert.match(err.message, /Account\.Name is not an external id field/);
    return true;
  });
});

test('Ids select records (15 or 18 characters) and read only those from the org', async () => {
  const since = (await control<{ seq: number }[]>(emu, 'GET', '/requests')).at(-1)?.seq ?? 0;
  const { plan: p, planDir, warnings } = await plan('missing', { ids: [acc.binned.slice(0, 15), acc.purged, acc.changedAfter, 'zzz000000000000AAA'] });
  const calls = await control<{ path: string; query: string }[]>(emu, 'GET', `/requests?since=${since}`);
  assert.ok(!calls.some((c) => c.path.includes('/jobs/query')), 'no Bulk job over the whole object');
  const queries = calls.filter((c) => c.path.includes('/queryAll'));
  assert.equal(queries.length, 1);
  assert.match(
    new URLSearchParams(queries[0]?.query ?? '').get('q') ?? '',
    new RegExp(`WHERE Id IN \\('${[acc.binned, acc.purged, acc.changedAfter].map((id) => id.slice(0, 15)).join("','")}'\\)$`),
  );
  assert.deepEqual(p.order, ['Account']);
  assert.deepEqual(p.objects[0]?.counts, { undelete: 1, create: 1, update: 0, upsert: 0, skip: 1 });
  assert.deepEqual(
    [...actions(planDir, 'Account').entries()].sort(),
    [
      [acc.binned, ['undelete', '']],
      [acc.purged, ['create', '']],
      [acc.changedAfter, ['skip', 'exists']],
    ].sort(),
  );
  assert.deepEqual(warnings, ['1 Id belong to no selected object and are left out: zzz000000000000AAA.']);
});

test('objects are ordered parents first; formula and audit fields are reported as not written', async () => {
  const { plan: p } = await plan('missing', { objects: ['Opportunity', 'Contact', 'Account'] });
  assert.deepEqual(p.order, ['Account', 'Contact', 'Opportunity']);
  assert.deepEqual(
    p.objects.map((o) => o.name),
    ['Account', 'Contact', 'Opportunity'],
  );
  const opp = p.objects.find((o) => o.name === 'Opportunity');
  const why = new Map(opp?.skippedFields.map((f) => [f.name, f.why]));
  assert.equal(why.get('IsWon'), 'formula field: Salesforce computes it');
  assert.equal(why.get('IsClosed'), 'formula field: Salesforce computes it');
  assert.equal(why.get('CreatedDate'), AUDIT_NOT_ALLOWED);
  const text = formatPlan(p);
  assert.match(text, /^Restore plan, mode missing: snapshot prod of .* into the same org/);
  assert.match(text, /Order \(parents first\): Account, Contact, Opportunity\./);
  assert.match(text, /^Account: 1 undelete, 1 create; \d+ skipped\.$/m);
  assert.match(text, /- skipped \d+ records: already in the org/);
  assert.match(text, /- not written \(formula field: Salesforce computes it\): .*IsWon/);
  assert.ok(text.includes(`- not written (${AUDIT_NOT_ALLOWED}): CreatedDate, CreatedById`), text);
});

test('the summary names the fields that would change and the records kept because the org changed them', async () => {
  const { plan: p } = await plan('overwrite', { objects: ['Account'] });
  const text = formatPlan(p);
  assert.match(text, /^Account: 1 update; \d+ skipped\.$/m);
  assert.match(text, /- skipped 2 records: changed in the org after the snapshot/);
  assert.match(text, /- skipped 1 record: not in the org \(restore them with mode missing\)/);
  assert.match(text, /- fields that would change: Description \(1\)/);
});

test('unknown object names are refused with the list of what the snapshot has', async () => {
  await assert.rejects(plan('missing', { objects: ['Acount', 'Contact'] }), (err: unknown) => {
    assert.ok(err instanceof RestorePlanError);
    assert.equal(err.state, 'misconfigured');
    assert.match(err.message, /^The snapshot has no object Acount\. It has: .*\bAccount\b.*\bContact\b/);
    return true;
  });
  await assert.rejects(plan('overwrite', { objects: ['Account'], fields: ['Account.Nope__c'] }), /no object of the restore has the field Account\.Nope__c/i);
});

test('a snapshot that fails verification is refused before the org is read', async () => {
  const copy = path.join(work, 'corrupt');
  cpSync(snapshot, copy, { recursive: true });
  const manifest = await loadManifest(copy);
  const file = manifest.objects.find((o) => o.name === 'Account')?.files[0]?.path;
  assert.ok(file);
  const target = path.join(copy, file);
  writeFileSync(target, readFileSync(target, 'utf8').replace(/\n([^\n]*)\n$/, '\n'));
  await assert.rejects(plan('missing', { objects: ['Account'] }, copy), (err: unknown) => {
    assert.ok(err instanceof SnapshotCorruptError);
    assert.match(err.message, /failed verification/);
    return true;
  });
});

test('a SOQL condition over the snapshot selects the records: only matching ones are planned, with Ids both must hold', async () => {
  const rows: Record<string, string>[] = [];
  for await (const row of readObjectRows(snapshot, 'Account')) if (row.IsDeleted !== 'true') rows.push(row);
  // The purged Account's rating, or the commonest, so that several records match.
  const byRating = new Map<string, number>();
  for (const r of rows) if (r.Rating) byRating.set(r.Rating.toLowerCase(), (byRating.get(r.Rating.toLowerCase()) ?? 0) + 1);
  const rating = [...byRating].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
  const matching = rows.filter((r) => (r.Rating ?? '').toLowerCase() === rating).map((r) => r.Id as string);
  assert.ok(matching.length > 1 && matching.length < rows.length, `${matching.length} of ${rows.length}`);

  // Case-insensitive like SOQL: exactly the matching records are planned, each as it stands in the org.
  const { plan: p, planDir } = await plan('missing', { objects: ['Account'], where: `Rating = '${rating.toUpperCase()}'` });
  const planned = actions(planDir, 'Account');
  assert.deepEqual([...planned.keys()], matching);
  for (const id of matching) assert.equal(planned.get(id)?.[0], id === acc.purged ? 'create' : id === acc.binned ? 'undelete' : 'skip', id);
  assert.match(formatPlan(p), new RegExp(`^Records where: Rating = '${rating.toUpperCase()}'$`, 'm'));

  // With Ids, a record must match both.
  const other = rows.find((r) => !matching.includes(r.Id as string))?.Id as string;
  const both = await plan('missing', { objects: ['Account'], where: `Rating = '${rating}'`, ids: [matching[0] as string, other] });
  assert.deepEqual([...actions(both.planDir, 'Account').keys()], [matching[0]]);
});

test('a condition that cannot hold is refused before the org is read, naming the field', async () => {
  const log = await control<{ seq: number }[]>(emu, 'GET', '/requests');
  const since = log[log.length - 1]?.seq ?? 0;
  await assert.rejects(
    plan('missing', { objects: ['Account', 'Contact'], where: "Industry = 'Banking'" }),
    (err: Error & { reason?: string; remedy?: string }) => {
      assert.equal(err.reason, 'bad_selection');
      assert.match(err.message, /Contact/);
      assert.match(err.message, /Industry/);
      assert.ok(err.remedy);
      return true;
    },
  );
  const after = await control<{ path: string }[]>(emu, 'GET', `/requests?since=${since}`);
  assert.deepEqual(
    after.filter((e) => e.path.startsWith('/services/')),
    [],
    'nothing was read from the org',
  );
});
