// A restore that did not finish, continued in GitHub Actions: each run starts on a fresh runner, so
// the Id map of the first run reaches the second only through the report artifact the action uploads.
// Dispatches go through .github/workflows/restore.yml's `with:` as in restore-action.test.ts. The
// first applying run fails part way (an injected Bulk API fault), a second dispatch with resume-from
// finishes it, and every record is in the org exactly once (counted by what identifies it to a
// person, since re-created records get new Ids). A resume-from that names no such run, or a run that
// restored another snapshot, is refused before anything is written.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { control, creds, emulator, sessionConnection } from '../helpers/emulator.ts';
import { type RestoreRunner, restoreRunner } from './restore-support.ts';

let emu: Emulator;
let gh: GitHubEmulator;
let work: string;
let secrets: Record<string, string>;
let runner: RestoreRunner;

before(async () => {
  [emu, gh] = await Promise.all([emulator({ orgs: [{ alias: 'prod', records: 200, seed: 21 }] }), startGitHubEmulator()]);
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'restore-resume-'));
  const c = creds(emu, 'prod');
  secrets = { SF_CLIENT_ID: c.clientId, SF_CLIENT_SECRET: c.clientSecret, SF_REFRESH_TOKEN_PROD: c.refreshToken };
  runner = restoreRunner({ gh, work, config, secrets: () => secrets });
});
after(async () => {
  await Promise.all([emu.close(), gh.close()]);
  rmSync(work, { recursive: true, force: true });
});

function config(): string {
  return `orgs:\n  - alias: prod\n    type: ${creds(emu, 'prod').loginUrl}\n    refresh-token-secret: SF_REFRESH_TOKEN_PROD\n    objects: { include: [Account, Contact] }\n    storage: { kind: branch }\n`;
}

async function backup() {
  const ran = await runner.step({
    command: 'backup',
    org: 'prod',
    secrets: JSON.stringify(secrets),
    'github-token': gh.token,
    'backup-remote': gh.gitUrl(),
    'publish-status': 'false',
    'open-issues': 'false',
  });
  assert.equal(ran.code, 0, ran.stdout + ran.stderr);
  return ran;
}

test('a restore that failed part way is finished by a dispatch with resume-from: every record once; a wrong resume-from is refused', async () => {
  const backedUp = await backup();
  const conn = await sessionConnection(emu, 'prod');
  type Acc = { Id: string; Name: string };
  type Con = { Id: string; FirstName: string | null; LastName: string; Email: string | null; AccountId: string };
  const contacts = (await conn.query<Con>('SELECT Id, FirstName, LastName, Email, AccountId FROM Contact WHERE AccountId != null ORDER BY Id')).records;
  const byAccount = new Map<string, Con[]>();
  for (const c of contacts) byAccount.set(c.AccountId, [...(byAccount.get(c.AccountId) ?? []), c]);
  const families = [...byAccount.entries()].filter(([, cs]) => cs.length >= 2).slice(0, 3);
  assert.equal(families.length, 3, 'the org has Accounts with Contacts');
  const accounts = (await conn.query<Acc>(`SELECT Id, Name FROM Account WHERE Id IN (${families.map(([id]) => `'${id}'`).join(',')})`)).records;
  const gone = families.flatMap(([, cs]) => cs);

  // Re-created records get new Ids: a person finds them by name (and a Contact by e-mail).
  const q = (s: string | null) => (s === null ? 'null' : `'${s.replace(/'/g, "\\'")}'`);
  const accountCount = async (a: Acc) => (await conn.query(`SELECT COUNT() FROM Account WHERE Name = ${q(a.Name)}`)).totalSize;
  const contactCount = async (c: Con) =>
    (await conn.query(`SELECT COUNT() FROM Contact WHERE FirstName = ${q(c.FirstName)} AND LastName = ${q(c.LastName)} AND Email = ${q(c.Email)}`)).totalSize;
  const counts = async () => ({ accounts: await Promise.all(accounts.map(accountCount)), contacts: await Promise.all(gone.map(contactCount)) });
  const expected = await counts();

  // Deleted and purged from the Recycle Bin: the restore must re-create them, with new Ids.
  for (const [id] of families) await control(emu, 'DELETE', `/orgs/prod/records/Account/${id}`);
  await control(emu, 'POST', '/orgs/prod/recyclebin/purge', {});
  const deleted = await counts();
  assert.deepEqual(deleted, { accounts: expected.accounts.map((n) => n - 1), contacts: expected.contacts.map((n) => n - 1) }, 'the families are gone');

  // Run 1: the Contact insert job breaks after two rows.
  await control(emu, 'POST', '/bulk/rules', { kind: 'ingest', object: 'Contact', operation: 'insert', failAfterRows: 2 });
  const event = { org: 'prod', snapshot: 'latest', mode: 'missing', objects: 'Account,Contact', 'dry-run': 'false', 'allow-production': 'true' };
  const first = await runner.step(runner.dispatchInputs(event), { event });
  assert.notEqual(first.code, 0, 'records failed: the step fails');
  const applied1 = JSON.parse(first.outputs.applied ?? '{}') as Record<string, number>;
  assert.equal(applied1.created, accounts.length + 2, first.outputs.applied);
  assert.equal(applied1.failed, gone.length - 2, first.outputs.applied);
  assert.equal(first.outputs['report-artifact'], 'salesforce-restore-prod');
  assert.match(first.errors, new RegExp(`resume-from: ${first.run.id}\\b`), 'the failure names the way to retry');
  const commit = /@([0-9a-f]{40})/.exec(readFileSync(path.join(first.outputs['report-dir'] ?? '', 'restore-run.json'), 'utf8'))?.[1];
  assert.ok(commit, 'the report records the backup commit it restored from');
  assert.match(first.errors, new RegExp(`snapshot: ${commit}`), 'the retry is pinned to the snapshot this run restored');
  const afterFirst = await counts();
  assert.deepEqual(afterFirst.accounts, expected.accounts);

  // A run that has no restore report for this org (the backup run) is refused; nothing is written.
  const wrongRun = { ...event, 'resume-from': String(backedUp.run.id) };
  const refused = await runner.step(runner.dispatchInputs(wrongRun), { event: wrongRun });
  assert.notEqual(refused.code, 0);
  assert.match(refused.errors, new RegExp(`Run ${backedUp.run.id} has no artifact salesforce-restore-prod`));
  assert.match(refused.errors, new RegExp(`To fix: .*resume-from.*${first.run.id}`), 'the remedy names the runs that can be continued');
  assert.deepEqual(await counts(), afterFirst);

  // A backup runs before the retry: `latest` is now another snapshot, which run 1's Id map does not fit.
  await backup();
  const latest = { ...event, 'resume-from': String(first.run.id) };
  const otherSnapshot = await runner.step(runner.dispatchInputs(latest), { event: latest });
  assert.notEqual(otherSnapshot.code, 0);
  assert.match(otherSnapshot.errors, new RegExp(`Run ${first.run.id} restored from the snapshot taken`));
  assert.match(otherSnapshot.errors, new RegExp(`To fix: Run again with snapshot: ${commit} and resume-from: ${first.run.id}`));
  assert.equal(otherSnapshot.outputs.applied, undefined, 'nothing was applied');
  assert.deepEqual(await counts(), afterFirst);

  // The retry as run 1's failure message says: every record restored exactly once.
  const resume = { ...event, snapshot: commit, 'resume-from': String(first.run.id) };
  const second = await runner.step(runner.dispatchInputs(resume), { event: resume });
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.equal(second.outputs['resumed-from'], String(first.run.id));
  const applied2 = JSON.parse(second.outputs.applied ?? '{}') as Record<string, number>;
  assert.equal(applied2.created, accounts.length + gone.length, second.outputs.applied);
  assert.equal(applied2.failed, 0);
  assert.deepEqual(await counts(), expected, 'no record created twice, none missing');
  assert.match(second.summary, new RegExp(`Continued from run ${first.run.id}: ${accounts.length + 2} record\\(s\\) it had restored`));

  // Its results say which new record each old Id became, those of run 1 included, and the
  // Contacts point at their re-created Accounts.
  const results = readFileSync(path.join(second.outputs['report-dir'] ?? '', 'results', 'idmap.csv'), 'utf8');
  const newId = new Map(
    results
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .map(([, oldId, id]) => [oldId as string, id as string]),
  );
  for (const [acc, cs] of families) {
    for (const c of cs) {
      const [row] = (await conn.query<{ AccountId: string }>(`SELECT AccountId FROM Contact WHERE Id = '${newId.get(c.Id)}'`)).records;
      assert.equal(row?.AccountId, newId.get(acc));
    }
  }

  // "Re-run failed jobs" on the finished run: its earlier attempt's report is picked up unasked, so
  // nothing is sent again, and the report artifact of the run is replaced.
  const rerun = await runner.step(runner.dispatchInputs(resume), { event: resume, run: second.run, attempt: 2 });
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  assert.equal(rerun.outputs['resumed-from'], String(second.run.id));
  assert.deepEqual(await counts(), expected);
  assert.equal(rerun.outputs['report-artifact'], 'salesforce-restore-prod');
});
