// `command: restore` of the built action, started the way the example workflow
// (.github/workflows/restore.yml) starts it from a workflow_dispatch event as GitHub sends it: the
// event's inputs go through that workflow's `with:` expressions into INPUT_* variables. The org is
// backed up by the action into a backup branch, Accounts are deleted, the dry-run dispatch plans and
// writes nothing, the applying dispatch brings them back; each uploads its report as an artifact.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { ACTION_ENTRY, parseOutputFile, runNode } from '../helpers/dist.ts';
import { control, creds, emulator, sessionConnection } from '../helpers/emulator.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
// SFBACKUP_TEST_FROM_SOURCE=1 runs the sources, so the test needs no rebuild while developing.
const ACTION = process.env.SFBACKUP_TEST_FROM_SOURCE === '1' ? path.join(ROOT, 'src/action/main.ts') : ACTION_ENTRY;
let emu: Emulator;
let gh: GitHubEmulator;
let work: string;
let secrets: Record<string, string>;

before(async () => {
  [emu, gh] = await Promise.all([emulator({ orgs: [{ alias: 'prod', records: 200, seed: 9 }] }), startGitHubEmulator()]);
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'restore-action-'));
  const c = creds(emu, 'prod');
  secrets = { SF_CLIENT_ID: c.clientId, SF_CLIENT_SECRET: c.clientSecret, SF_REFRESH_TOKEN_PROD: c.refreshToken };
});
after(async () => {
  await Promise.all([emu.close(), gh.close()]);
  rmSync(work, { recursive: true, force: true });
});

function config(): string {
  return `orgs:\n  - alias: prod\n    type: ${creds(emu, 'prod').loginUrl}\n    refresh-token-secret: SF_REFRESH_TOKEN_PROD\n    objects: { include: [Account, Contact] }\n    storage: { kind: branch }\n`;
}

let runs = 0;
async function step(inputs: Record<string, string>, eventInputs?: Record<string, string>) {
  const dir = path.join(work, `run-${++runs}`);
  const workspace = path.join(dir, 'workspace');
  const temp = path.join(dir, 'temp');
  mkdirSync(path.join(workspace, '.github'), { recursive: true });
  mkdirSync(temp, { recursive: true });
  writeFileSync(path.join(workspace, '.github/salesforce-backup.yml'), config());
  const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH'].map((k) => [k, path.join(dir, k)]));
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = { ...(await gh.createRun()).env(), ...files, GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp };
  if (eventInputs) {
    const event = path.join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ inputs: eventInputs, ref: 'refs/heads/main', workflow: '.github/workflows/restore.yml' }));
    Object.assign(env, { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_EVENT_PATH: event });
  }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const ran = await runNode(ACTION, [], env);
  return {
    ...ran,
    outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT as string, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY as string, 'utf8'),
  };
}

/** The restore step's `with:` of the example workflow, evaluated for a dispatch as the runner does. */
function dispatchInputs(event: Record<string, string>): Record<string, string> {
  const wf = parseYaml(readFileSync(path.join(ROOT, '.github/workflows/restore.yml'), 'utf8')) as {
    on: { workflow_dispatch: { inputs: Record<string, { default?: unknown }> } };
    jobs: { restore: { steps: { uses?: string; with?: Record<string, string> }[] } };
  };
  const declared = wf.on.workflow_dispatch.inputs;
  const value = (name: string) => event[name] ?? String(declared[name]?.default ?? '');
  const stepWith = wf.jobs.restore.steps.find((s) => s.uses === './')?.with ?? {};
  const out: Record<string, string> = {};
  for (const [k, expr] of Object.entries(stepWith)) {
    out[k] = String(expr).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
      if (e === 'toJSON(secrets)') return JSON.stringify(secrets);
      if (e.startsWith('inputs.')) return value(e.slice('inputs.'.length));
      if (e.startsWith('secrets.')) return secrets[e.slice('secrets.'.length)] ?? '';
      throw new Error(`unhandled expression ${e}`);
    });
  }
  return { ...out, 'github-token': gh.token, 'backup-remote': gh.gitUrl() };
}

test('a workflow_dispatch of restore.yml: the dry run plans, the applying run restores', async () => {
  const backedUp = await step({
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
  const dry = await step(dispatchInputs(event), event);
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
  const applied = await step(dispatchInputs(applyEvent), applyEvent);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  assert.equal(JSON.parse(applied.outputs.applied ?? '{}').undeleted, undeletes, applied.outputs.applied);
  assert.equal(await total(), before);
  assert.equal(applied.outputs['report-artifact'], 'salesforce-restore-prod');
  for (const id of gone) assert.equal((await conn.query(`SELECT COUNT() FROM Account WHERE Id = '${id}'`)).totalSize, 1, 'undeleted with its Id');
});
