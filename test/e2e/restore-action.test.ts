// `command: restore` of the built action, started the way the example workflow
// (.github/workflows/restore.yml) starts it from a workflow_dispatch event as GitHub sends it: the
// event's inputs go through that workflow's `with:` expressions into INPUT_* variables. The org is
// backed up by the action into a backup branch, Accounts are deleted, the dry-run dispatch plans and
// writes nothing, the applying dispatch brings them back; each uploads its report as an artifact.
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
  [emu, gh] = await Promise.all([emulator({ orgs: [{ alias: 'prod', records: 200, seed: 9 }] }), startGitHubEmulator()]);
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'restore-action-'));
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

test('a workflow_dispatch of restore.yml: the dry run plans, the applying run restores', async () => {
  const backedUp = await runner.step({
    command: 'backup',
    org: 'prod',
    secrets: JSON.stringify(secrets),
    'github-token': gh.token,
    'backup-remote': gh.gitUrl(),
    'publish-status': 'false',
    'open-issues': 'false',
  });
  assert.equal(backedUp.code, 0, backedUp.stdout + backedUp.stderr);

  const conn = await sessionConnection(emu, 'prod');
  const total = async () => (await conn.query('SELECT COUNT() FROM Account')).totalSize;
  const before = await total();
  const gone = (await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Id LIMIT 4')).records.map((r) => r.Id);
  for (const id of gone) await control(emu, 'DELETE', `/orgs/prod/records/Account/${id}`);

  const event = { org: 'prod', snapshot: 'latest', mode: 'missing', objects: 'Account,Contact' };
  const dry = await runner.step(runner.dispatchInputs(event), { event });
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  const plan = JSON.parse(readFileSync(path.join(dry.outputs['report-dir'] ?? '', 'plan', 'plan.json'), 'utf8')) as {
    objects: { name: string; counts: { undelete: number } }[];
  };
  // The four Accounts, and the Contacts that went to the Recycle Bin with them.
  assert.equal(plan.objects.find((o) => o.name === 'Account')?.counts.undelete, 4);
  const undeletes = JSON.parse(dry.outputs.planned ?? '{}').undelete as number;
  assert.equal(undeletes, 4 + (plan.objects.find((o) => o.name === 'Contact')?.counts.undelete ?? 0));
  assert.match(dry.summary, /plan \(dry run\)/);
  assert.match(dry.summary, /Nothing was written to the org/);
  // The action uploads its report itself; a plan-only one under a name resume-from never picks.
  assert.equal(dry.outputs['report-artifact'], 'salesforce-restore-prod.plan');
  assert.ok(readFileSync(path.join(dry.outputs['report-dir'] ?? '', 'plan', 'plan.json'), 'utf8').includes('"mode": "missing"'));
  assert.equal(await total(), before - 4);

  const applyEvent = { ...event, 'dry-run': 'false', 'allow-production': 'true' };
  const applied = await runner.step(runner.dispatchInputs(applyEvent), { event: applyEvent });
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  assert.equal(JSON.parse(applied.outputs.applied ?? '{}').undeleted, undeletes, applied.outputs.applied);
  assert.equal(await total(), before);
  assert.equal(applied.outputs['report-artifact'], 'salesforce-restore-prod');
  for (const id of gone) assert.equal((await conn.query(`SELECT COUNT() FROM Account WHERE Id = '${id}'`)).totalSize, 1, 'undeleted with its Id');
});
