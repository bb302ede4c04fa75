// The round trip the restore exists for: back an org up; lose a tenth of it (Accounts with their
// Contacts, Opportunities, Cases and activities through Salesforce's cascade, Leads, Contacts on
// their own), purge part of the Recycle Bin, change fields on other records; restore (missing, then
// overwrite over the same results); back up again. The second backup must equal the first except
// for the new Ids of re-created records, every lookup pointing at the right record.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { orgCredentialsSchema } from '../../../src/config/credentials.ts';
import { applyPlan } from '../../../src/restore/apply.ts';
import type { RestoreResult } from '../../../src/restore/contracts.ts';
import { planRestore } from '../../../src/restore/plan.ts';
import { connect, type OrgSession } from '../../../src/salesforce/auth/connection.ts';
import { readObjectSchema } from '../../../src/snapshot/index.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../../helpers/emulator.ts';
import { backupSnapshot, liveRows } from './helpers.ts';

const OBJECTS = ['Account', 'Contact', 'Opportunity', 'Case', 'Task', 'Lead'];
let emu: Emulator;
let work: string;
let session: OrgSession;
const quiet = { info: () => {}, warning: () => {} };
const tuning = { pollIntervalMs: 1, maxPollIntervalMs: 5 };
type Row = Record<string, string>;

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 400, seed: 11 }] });
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'restore-roundtrip-'));
  session = await connect(orgCredentialsSchema.parse(creds(emu, 'prod')));
});
after(async () => {
  await emu.close();
  rmSync(work, { recursive: true, force: true });
});

function backup(name: string): Promise<string> {
  return backupSnapshot(emu, { out: path.join(work, name), workDir: path.join(work, `${name}-work`), include: OBJECTS });
}

function every<T>(items: readonly T[], n: number, offset = 0): T[] {
  return items.filter((_, i) => i % n === offset);
}

async function restore(mode: 'missing' | 'overwrite', snapshot: string, resultsDir: string): Promise<RestoreResult> {
  const planDir = path.join(work, `plan-${mode}`);
  await planRestore({
    snapshotDir: snapshot,
    session,
    mode,
    selection: { objects: OBJECTS, ...(mode === 'overwrite' ? { overwriteNewer: true } : {}) },
    planDir,
    workDir: path.join(work, `plan-${mode}-work`),
    log: quiet,
    tuning,
  });
  return applyPlan({ planDir, snapshotDir: snapshot, session, resultsDir, log: quiet, tuning });
}

test('a tenth of the org lost, part purged, part changed: after the restore the org equals the snapshot but for new Ids', async () => {
  const before = await backup('before');
  const snap = new Map<string, Map<string, Row>>();
  for (const o of OBJECTS) snap.set(o, await liveRows(before, o));
  const ids = (o: string) => [...(snap.get(o) as Map<string, Row>).keys()];

  // The loss: Accounts (their Contacts, Opportunities, Cases and Tasks go with them), Leads, and
  // Contacts of other Accounts on their own.
  const accounts = every(ids('Account'), 10);
  const leads = every(ids('Lead'), 10);
  const gone = new Set(accounts);
  const contacts = every(
    ids('Contact').filter((c) => !gone.has(snap.get('Contact')?.get(c)?.AccountId ?? '')),
    10,
  );
  for (const id of accounts) await control(emu, 'DELETE', `/orgs/prod/records/Account/${id}`);
  for (const id of leads) await control(emu, 'DELETE', `/orgs/prod/records/Lead/${id}`);
  for (const id of contacts) await control(emu, 'DELETE', `/orgs/prod/records/Contact/${id}`);
  // Half of it gone for good (an Account's cascade goes with it); the rest still in the Recycle Bin.
  await control(emu, 'POST', '/orgs/prod/recyclebin/purge', { ids: [...every(accounts, 2), ...every(leads, 2), ...every(contacts, 2)] });
  const lost = (await session.conn.query('SELECT COUNT() FROM Contact')).totalSize;
  assert.ok(lost < (snap.get('Contact')?.size ?? 0), 'Contacts went with their Accounts');
  // Changes made after the snapshot on records nobody deleted, through the API as a user would.
  const keptAccounts = ids('Account')
    .filter((id) => !gone.has(id))
    .slice(0, 5);
  await session.conn.sobject('Account').update(keptAccounts.map((Id) => ({ Id, Name: `Renamed ${Id}` })));
  const keptLeads = ids('Lead')
    .filter((id) => !leads.includes(id))
    .slice(0, 5);
  await session.conn.sobject('Lead').update(keptLeads.map((Id) => ({ Id, Company: 'Overwritten Ltd' })));

  const resultsDir = path.join(work, 'results');
  const missing = await restore('missing', before, resultsDir);
  for (const o of missing.objects) assert.equal(o.counts.failed, 0, `${o.name}: ${JSON.stringify(o.counts)}`);
  const recreated = missing.objects.reduce((n, o) => n + o.counts.created, 0);
  const undeleted = missing.objects.reduce((n, o) => n + o.counts.undeleted, 0);
  assert.ok(recreated > 0 && undeleted > 0, `${recreated} re-created, ${undeleted} undeleted`);
  const overwrite = await restore('overwrite', before, resultsDir);
  for (const o of overwrite.objects) assert.equal(o.counts.failed, 0, `${o.name}: ${JSON.stringify(o.counts)}`);

  const after = await backup('after');
  const newId = new Map(
    (parse(readFileSync(path.join(resultsDir, 'idmap.csv')), { columns: true }) as Row[]).map((r) => [r.oldId as string, r.newId as string]),
  );
  const fieldsOf = JSON.parse(readFileSync(path.join(work, 'plan-missing', 'plan.json'), 'utf8')) as { objects: { name: string; fields: string[] }[] };
  let compared = 0;
  for (const o of OBJECTS) {
    const schema = await readObjectSchema(before, o);
    const lookups = new Set(schema.fields.filter((f) => f.referenceTo.length > 0).map((f) => f.name));
    const fields = fieldsOf.objects.find((x) => x.name === o)?.fields ?? [];
    assert.ok(fields.length > 0, o);
    const was = snap.get(o) as Map<string, Row>;
    const now = await liveRows(after, o);
    assert.equal(now.size, was.size, `${o}: as many records as in the snapshot`);
    for (const [id, row] of was) {
      const back = now.get(newId.get(id) ?? id);
      assert.ok(back, `${o} ${id} is back`);
      for (const f of fields) {
        const v = row[f] ?? '';
        const want = lookups.has(f) ? (newId.get(v) ?? v) : v;
        assert.equal(back[f] ?? '', want, `${o} ${id}.${f}`);
      }
      compared++;
    }
  }
  assert.ok(compared > 300, `${compared} records compared`);
  // Undeleted records kept their Ids; re-created ones did not.
  for (const id of every(accounts, 2, 1)) assert.ok(!newId.has(id), `${id} was undeleted, not re-created`);
  for (const id of every(accounts, 2)) assert.ok(newId.has(id), `${id} was re-created`);
});
