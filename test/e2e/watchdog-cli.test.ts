// `sfbackup watchdog` as a person or a scheduler runs it (dist/cli.js; the sources with
// SFBACKUP_TEST_FROM_SOURCE=1) against the GitHub emulator: what it prints, its exit codes, and
// what it changes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import { CLI_ENTRY, type Ran, runNode } from '../helpers/dist.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = process.env.SFBACKUP_TEST_FROM_SOURCE === '1' ? path.join(ROOT, 'src/cli/bin.ts') : CLI_ENTRY;

let gh: GitHubEmulator;

before(async () => {
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'backups' });
});
after(async () => {
  await gh?.close();
});

function sfbackup(args: string[], token = gh.token): Promise<Ran> {
  return runNode(CLI, ['watchdog', '--repo', 'acme/backups', '--remote', gh.gitUrl(), ...args], {
    GH_TOKEN: token,
    GITHUB_API_URL: gh.apiUrl,
    HOME: process.env.HOME ?? '/tmp',
  });
}

describe('sfbackup watchdog', () => {
  test('enables a workflow GitHub disabled for inactivity; --no-dispatch starts no run; the record goes to the status branch', async () => {
    gh.addWorkflow({ path: 'backup.yml', state: 'disabled_inactivity' });
    const r = await sfbackup(['--workflow', '.github/workflows/backup.yml', '--no-dispatch']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^backup\.yml: disabled_inactivity; re-enabled\.\n/);
    assert.match(r.stdout, /Recorded on the status branch salesforce-backup-status \([0-9a-f]{12}\)\./);
    assert.match(r.stderr, /Warning: Workflow backup\.yml was disabled by GitHub for inactivity/);
    assert.equal(gh.workflow('backup.yml')?.state, 'active');
    assert.equal(gh.workflow('backup.yml')?.dispatches.length, 0);
    const text = execFileSync('git', ['--git-dir', gh.bareRepoPath(), 'show', 'salesforce-backup-status:watchdog.json'], { encoding: 'utf8' });
    const rec = JSON.parse(text) as { workflows: Array<{ workflow: string; action: string; dispatched: boolean; runUrl: string | null }> };
    assert.deepEqual(rec.workflows, [{ ...rec.workflows[0], workflow: 'backup.yml', action: 're-enabled', dispatched: false, runUrl: null }]);
  });

  test('--json: one object; a manually disabled workflow is reported with exit 0 and left', async () => {
    gh.addWorkflow({ path: 'manual.yml', state: 'disabled_manually' });
    const r = await sfbackup(['--workflow', 'manual.yml', '--json', '--no-status']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(out.ok, true);
    assert.equal(out.state, 'disabled_manually');
    assert.equal(out.action, 'none');
    assert.equal(out.status, null);
    assert.match(String(out.remedy), /gh workflow enable manual\.yml --repo acme\/backups/);
    assert.equal(gh.workflow('manual.yml')?.state, 'disabled_manually');
  });

  test('a token that may not enable it: exit 2 with the permission to add; an unknown workflow: exit 2 naming it', async () => {
    gh.addWorkflow({ path: 'weekly.yml', state: 'disabled_inactivity' });
    const reader = gh.createToken({ kind: 'fine_grained', permissions: { actions: 'read' } });
    const denied = await sfbackup(['--workflow', 'weekly.yml', '--no-status'], reader);
    assert.equal(denied.code, 2, denied.stderr);
    assert.match(denied.stderr, /sfbackup: Enabling workflow weekly\.yml of acme\/backups: Resource not accessible by personal access token/);
    assert.match(denied.stderr, /To fix: Give the job `permissions: actions: write`.*"Actions: Read and write" on acme\/backups/);
    assert.ok(!denied.stderr.includes(reader) && !denied.stdout.includes(reader));
    assert.equal(gh.workflow('weekly.yml')?.state, 'disabled_inactivity');

    const missing = await sfbackup(['--workflow', 'nope.yml', '--no-status', '--json']);
    assert.equal(missing.code, 2);
    const failure = JSON.parse(missing.stdout) as Record<string, unknown>;
    assert.equal(failure.ok, false);
    assert.equal(failure.reason, 'not_found');
    assert.match(String(failure.message), /Reading workflow nope\.yml of acme\/backups: Not Found/);
  });

  test('usage errors: no token, a path that is not a workflow file', async () => {
    const noToken = await runNode(CLI, ['watchdog', '--repo', 'acme/backups'], { HOME: process.env.HOME ?? '/tmp' });
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /watchdog needs a GitHub token/);
    const bad = await sfbackup(['--workflow', 'scripts/run.sh']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--workflow scripts\/run\.sh: expected the file name of the backup workflow/);
  });
});
