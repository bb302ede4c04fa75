// `command: watchdog` through the action as the runner starts it (dist/index.js; the sources with
// SFBACKUP_TEST_FROM_SOURCE=1), against the GitHub emulator: a backup workflow GitHub disabled for
// inactivity is enabled again and started once, and the record lands on the status branch; one a
// person disabled is reported and left; a token that may not enable it gets a failed step with the
// exact permission to add.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import { ACTION_ENTRY, parseOutputFile, runNode } from '../helpers/dist.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ACTION = process.env.SFBACKUP_TEST_FROM_SOURCE === '1' ? path.join(ROOT, 'src/action/main.ts') : ACTION_ENTRY;
const STATUS_BRANCH = 'salesforce-backup-status';

let gh: GitHubEmulator;
let work: string;

before(async () => {
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'backups' });
  work = mkdtempSync(path.join(tmpdir(), 'watchdog-action-'));
});
after(async () => {
  await gh?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

let runs = 0;
async function watchdog(inputs: Record<string, string>, token = gh.token): Promise<Ran> {
  const dir = path.join(work, `run-${++runs}`);
  mkdirSync(path.join(dir, 'temp'), { recursive: true });
  const files = Object.fromEntries(['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH'].map((k) => [k, path.join(dir, k)]));
  for (const f of Object.values(files)) writeFileSync(f, '');
  const run = await gh.createRun();
  const env: Record<string, string> = { ...run.env({ token }), ...files, GITHUB_WORKSPACE: dir, RUNNER_TEMP: path.join(dir, 'temp') };
  for (const [k, v] of Object.entries({ command: 'watchdog', 'github-token': token, 'status-remote': gh.gitUrl(), ...inputs })) {
    env[`INPUT_${k.toUpperCase()}`] = v;
  }
  const ran = await runNode(ACTION, [], env);
  return {
    ...ran,
    outputs: parseOutputFile(readFileSync(files.GITHUB_OUTPUT as string, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY as string, 'utf8'),
  };
}

interface WatchdogRecord {
  schemaVersion: number;
  workflows: Array<{
    workflow: string;
    state: string | null;
    action: string;
    reason: string | null;
    message: string;
    remedy: string | null;
    dispatched: boolean;
    runUrl: string | null;
    reEnables: Array<{ at: string; from: string; dispatched: boolean }>;
  }>;
}

function record(): WatchdogRecord {
  const text = execFileSync('git', ['--git-dir', gh.bareRepoPath(), 'show', `${STATUS_BRANCH}:watchdog.json`], { encoding: 'utf8' });
  return JSON.parse(text) as WatchdogRecord;
}

function entry(workflow: string): WatchdogRecord['workflows'][number] {
  const e = record().workflows.find((w) => w.workflow === workflow);
  assert.ok(e, `watchdog.json has ${workflow}`);
  return e;
}

describe('command: watchdog', () => {
  test('a workflow GitHub disabled for inactivity is enabled again, started once on the default branch, and recorded', async () => {
    gh.addWorkflow({ path: 'backup.yml', name: 'Salesforce backup', state: 'disabled_inactivity' });
    const r = await watchdog({ workflow: 'backup.yml' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.outputs['workflow-state'], 'disabled_inactivity');
    assert.equal(r.outputs['watchdog-action'], 're-enabled');
    assert.match(r.stdout, /::warning title=Backups were disabled::Workflow backup\.yml was disabled by GitHub for inactivity/);
    assert.match(r.summary, /Backup workflow backup\.yml enabled again/);

    const wf = gh.workflow('backup.yml');
    assert.equal(wf?.state, 'active');
    assert.deepEqual(
      wf?.dispatches.map((d) => d.ref),
      ['main'],
    );

    const e = entry('backup.yml');
    assert.equal(record().schemaVersion, 1);
    assert.equal(e.state, 'disabled_inactivity');
    assert.equal(e.action, 're-enabled');
    assert.equal(e.dispatched, true);
    assert.match(e.message, /after 60 days without repository activity; the watchdog enabled it again\. It started one run on main/);
    assert.match(e.runUrl ?? '', /^https:\/\/github\.com\/acme\/backups\/actions\/runs\/\d+$/);
    assert.deepEqual(
      e.reEnables.map((x) => ({ from: x.from, dispatched: x.dispatched })),
      [{ from: 'disabled_inactivity', dispatched: true }],
    );
    // Only watchdog.json: the record does not invent org data or a campaign list.
    const files = execFileSync('git', ['--git-dir', gh.bareRepoPath(), 'ls-tree', '-r', '--name-only', STATUS_BRANCH], { encoding: 'utf8' });
    assert.deepEqual(files.trim().split('\n'), ['watchdog.json']);

    // The next run finds it active: nothing to do, the history of the re-enable stays.
    const again = await watchdog({ workflow: 'backup.yml' });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.outputs['workflow-state'], 'active');
    assert.equal(again.outputs['watchdog-action'], 'none');
    assert.equal(gh.workflow('backup.yml')?.dispatches.length, 1, 'no second run started');
    const later = entry('backup.yml');
    assert.equal(later.state, 'active');
    assert.equal(later.action, 'none');
    assert.equal(later.reEnables.length, 1);
  });

  test('a workflow a person disabled is reported and left as it is; the step does not fail', async () => {
    gh.addWorkflow({ path: 'nightly.yml', state: 'disabled_manually' });
    const r = await watchdog({ workflow: 'nightly.yml' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.outputs['workflow-state'], 'disabled_manually');
    assert.equal(r.outputs['watchdog-action'], 'none');
    assert.match(r.stdout, /::warning title=Backups are not scheduled::Workflow nightly\.yml was disabled by a person; the watchdog leaves it so/);
    assert.match(r.stdout, /Enable workflow \(or `gh workflow enable nightly\.yml --repo acme\/backups`\)/);
    const wf = gh.workflow('nightly.yml');
    assert.equal(wf?.state, 'disabled_manually');
    assert.equal(wf?.dispatches.length, 0);
    const e = entry('nightly.yml');
    assert.equal(e.state, 'disabled_manually');
    assert.equal(e.action, 'none');
    assert.match(e.remedy ?? '', /Actions → nightly\.yml → Enable workflow/);
    // The other workflow's record is still there.
    assert.equal(entry('backup.yml').state, 'active');
  });

  test('a token without actions: write fails the step with the permission to add, and the record says so', async () => {
    gh.addWorkflow({ path: 'weekly.yml', state: 'disabled_inactivity' });
    const reader = gh.createToken({ permissions: { actions: 'read', contents: 'write' } });
    const r = await watchdog({ workflow: 'weekly.yml' }, reader);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.outputs['workflow-state'], 'disabled_inactivity');
    assert.equal(r.outputs['watchdog-action'], 'cannot-enable');
    assert.match(r.stdout, /::error::Enabling workflow weekly\.yml of acme\/backups: Resource not accessible by integration \(HTTP 403\)/);
    assert.match(r.stdout, /To fix: Give the job `permissions: actions: write`/);
    assert.equal(gh.workflow('weekly.yml')?.state, 'disabled_inactivity');
    const e = entry('weekly.yml');
    assert.equal(e.action, 'cannot-enable');
    assert.equal(e.reason, 'permission_denied');
    assert.match(e.remedy ?? '', /actions: write.*Enable workflow/s);
    for (const t of [r.stdout, r.stderr, r.summary, JSON.stringify(record())]) {
      assert.ok(!t.split('\n').some((l) => l.includes(reader) && l !== `::add-mask::${reader}`), 'the token is never shown');
    }
  });

  test('an unknown workflow file: the state cannot be read, the step fails naming the file', async () => {
    const r = await watchdog({ workflow: 'missing.yml', 'publish-status': 'false' });
    assert.equal(r.code, 1);
    assert.equal(r.outputs['workflow-state'], 'unknown');
    assert.equal(r.outputs['watchdog-action'], 'cannot-check');
    assert.match(r.stdout, /Reading workflow missing\.yml of acme\/backups: Not Found \(HTTP 404\)/);
    assert.match(r.stdout, /Check the workflow's file name \(missing\.yml/);
    assert.ok(!record().workflows.some((w) => w.workflow === 'missing.yml'), 'publish-status: false records nothing');
  });
});
