// Publishing status to the data branch of the GitHub emulator's bare repository, through the real
// git binary. A `git` shim first on PATH records every git command line, its environment and the
// work tree's .git/config, and can hold the first pushes of two jobs until both are ready, so the
// "two matrix jobs finish together" race happens on every run of this test, not by chance.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readStatusDir } from '../../../src/status/files.ts';
import { campaignProgress, startCampaign } from '../../../src/status/index.ts';
import { publishStatus, StatusPublishError, type StatusPublishOptions } from '../../../src/status/publish.ts';
import { StatusSecretError } from '../../../src/status/secrets.ts';
import type { StorageContext } from '../../../src/storage/index.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { backup, FP_NEW, FP_OLD, failedAuth, run } from './fixtures.ts';

let emu: GitHubEmulator;
let tmp: string;
let shimDir: string;
const logs: string[] = [];
const SECRET = 'SECRET-refresh-5Aep861TSESvWeug';
const REAL_GIT = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
let branchSeq = 0;

function context(token = emu.token): StorageContext {
  return { token, tempDir: tmp, log: { info: (m) => logs.push(m), warning: (m) => logs.push(`warning: ${m}`) }, mask: () => {} };
}

function options(branch: string, extra: Partial<StatusPublishOptions> = {}): StatusPublishOptions {
  return { branch, remoteUrl: emu.gitUrl(), context: context(), secretValues: [SECRET], ...extra };
}

function freshBranch(): string {
  return `status-${++branchSeq}`;
}

function bare(args: string[]): string {
  return execFileSync(REAL_GIT, ['--git-dir', emu.bareRepoPath(), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  }).trim();
}

/** The branch as the site's workflow would check it out. */
function checkout(branch: string): string {
  const dir = mkdtempSync(path.join(tmp, 'site-'));
  execFileSync(REAL_GIT, ['clone', '-q', '--branch', branch, emu.bareRepoPath(), dir], {
    env: { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  return dir;
}

/** Holds the next two pushes until both arrived: two jobs that committed on the same tip. */
function armPushBarrier(): void {
  rmSync(path.join(shimDir, 'waiting'), { recursive: true, force: true });
  mkdirSync(path.join(shimDir, 'waiting'));
  writeFileSync(path.join(shimDir, 'barrier'), '');
}

before(async () => {
  emu = await startGitHubEmulator();
  tmp = mkdtempSync(path.join(tmpdir(), 'status-publish-'));
  shimDir = mkdtempSync(path.join(tmpdir(), 'status-git-shim-'));
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = `#!/bin/sh
D=${q(shimDir)}
printf '%s\\n' "$*" >> "$D/argv.log"
env >> "$D/env.log"
if [ "$1" = push ]; then
  cat .git/config >> "$D/gitconfig.log" 2>/dev/null
  if [ -e "$D/barrier" ]; then
    touch "$D/waiting/$$"
    i=0
    while [ "$(ls "$D/waiting" | wc -l)" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done
    rm -f "$D/barrier"
  fi
fi
exec ${q(REAL_GIT)} "$@"
`;
  mkdirSync(path.join(shimDir, 'bin'));
  writeFileSync(path.join(shimDir, 'bin', 'git'), script);
  chmodSync(path.join(shimDir, 'bin', 'git'), 0o755);
  process.env.PATH = `${path.join(shimDir, 'bin')}:${process.env.PATH ?? ''}`;
});

after(async () => {
  await emu?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (shimDir) rmSync(shimDir, { recursive: true, force: true });
});

describe('publishing status to the data branch', () => {
  test('the first publish creates an orphan branch with valid status, history and campaigns', async () => {
    const branch = freshBranch();
    const r = await publishStatus({ runs: [run('prod', '2026-02-01T03:00:00Z', { backup: backup() })] }, options(branch));
    assert.equal(r.attempts, 1);
    assert.equal(bare(['rev-parse', `refs/heads/${branch}`]), r.commit);
    assert.equal(bare(['rev-list', '--count', branch]), '1', 'an orphan: no history shared with main');
    assert.deepEqual(bare(['ls-tree', '-r', '--name-only', branch]).split('\n'), ['campaigns.json', 'orgs/prod/history.json', 'orgs/prod/status.json']);
    const index = await readStatusDir(checkout(branch));
    assert.equal(index.orgs[0]?.status.auth.state, 'ok');
    assert.equal(index.orgs[0]?.status.lastBackup?.rows, 3400);
    assert.equal(index.orgs[0]?.history.entries.length, 1);
    assert.match(bare(['log', '-1', '--format=%s%n%b', branch]), /^Status: prod ok\n+https:\/\/github\.com\/acme\/backups\/actions\/runs\/1001/);
  });

  test('two orgs publishing at the same moment both land: two commits, both statuses and histories', async () => {
    const branch = freshBranch();
    await publishStatus({ runs: [run('prod', '2026-02-01T03:00:00Z')] }, options(branch));
    await publishStatus({ runs: [run('uat', '2026-02-01T03:00:00Z')] }, options(branch));
    const before = Number(bare(['rev-list', '--count', branch]));

    armPushBarrier();
    const [a, b] = await Promise.all([
      publishStatus({ runs: [run('prod', '2026-02-02T03:00:00Z', { backup: backup({ rows: 1 }) })] }, options(branch)),
      publishStatus({ runs: [run('uat', '2026-02-02T03:00:01Z', { auth: failedAuth('uat', '2026-02-02T03:00:01Z') })] }, options(branch)),
    ]);
    assert.deepEqual([a.attempts, b.attempts].sort(), [1, 2], 'one job was refused as out of date and redid its commit');
    assert.equal(Number(bare(['rev-list', '--count', branch])), before + 2, 'one commit per run');

    const index = await readStatusDir(checkout(branch));
    const prod = index.orgs.find((o) => o.status.alias === 'prod');
    const uat = index.orgs.find((o) => o.status.alias === 'uat');
    assert.equal(prod?.status.lastBackup?.rows, 1);
    assert.equal(prod?.history.entries.length, 2);
    assert.equal(uat?.status.auth.state, 'reauth_required');
    assert.equal(uat?.status.auth.lastOkAt, '2026-02-01T03:00:00Z');
    assert.equal(uat?.history.entries.length, 2);
    assert.ok(logs.some((l) => /moved meanwhile \(attempt 1\); re-applying/.test(l)));
  });

  test('the same org published twice at once keeps both history entries', async () => {
    const branch = freshBranch();
    armPushBarrier();
    const first = run('prod', '2026-02-01T03:00:00Z', { runUrl: 'https://github.com/acme/backups/actions/runs/1' });
    const second = run('prod', '2026-02-01T03:05:00Z', {
      runUrl: 'https://github.com/acme/backups/actions/runs/2',
      auth: failedAuth('prod', '2026-02-01T03:05:00Z'),
    });
    await Promise.all([publishStatus({ runs: [first] }, options(branch)), publishStatus({ runs: [second] }, options(branch))]);
    const index = await readStatusDir(checkout(branch));
    assert.deepEqual(
      index.orgs[0]?.history.entries.map((e) => e.runUrl?.split('/').pop()),
      ['1', '2'],
    );
    assert.equal(bare(['rev-list', '--count', branch]), '2');

    // Later runs in sequence: the status keeps since while the state holds.
    await publishStatus({ runs: [run('prod', '2026-02-02T03:00:00Z', { auth: failedAuth('prod', '2026-02-02T03:00:00Z') })] }, options(branch));
    const later = await readStatusDir(checkout(branch));
    assert.equal(later.orgs[0]?.status.auth.since, '2026-02-01T03:05:00Z');
    assert.equal(later.orgs[0]?.history.entries.length, 3);
  });

  test('a campaign started by rotate-app completes as orgs re-authorize in concurrent jobs', async () => {
    const branch = freshBranch();
    const at = '2026-02-01T03:00:00Z';
    const aliases = ['prod', 'uat'];
    const rotate = await publishStatus(
      {
        runs: aliases.map((alias) => ({ ...run(alias, at), auth: failedAuth(alias, at, 'app_changed') })),
        campaigns: (c) => startCampaign(c, { previousFingerprint: FP_OLD, newFingerprint: FP_NEW, aliases, at }).campaigns,
      },
      options(branch),
    );
    assert.deepEqual(campaignProgress(rotate.campaigns[0] ?? assert.fail('no campaign')), { done: 0, total: 2 });

    armPushBarrier();
    const reauthorized = (alias: string, t: string) => {
      const r = run(alias, t);
      r.identity.appFingerprint = FP_NEW;
      return r;
    };
    await Promise.all([
      publishStatus({ runs: [reauthorized('prod', '2026-02-01T04:00:00Z')] }, options(branch)),
      publishStatus({ runs: [reauthorized('uat', '2026-02-01T04:00:01Z')] }, options(branch)),
    ]);
    const index = await readStatusDir(checkout(branch));
    const campaign = index.campaigns.campaigns[0] ?? assert.fail('no campaign');
    assert.deepEqual(campaignProgress(campaign), { done: 2, total: 2 });
    assert.equal(campaign.completedAt, '2026-02-01T04:00:01Z');
    assert.deepEqual(
      index.orgs.map((o) => [o.status.alias, o.status.auth.state, o.status.appFingerprint]),
      [
        ['prod', 'ok', FP_NEW],
        ['uat', 'ok', FP_NEW],
      ],
    );
  });

  test('a campaigns-only update leaves every org as it was', async () => {
    const branch = freshBranch();
    await publishStatus({ runs: [run('prod', '2026-02-01T03:00:00Z')] }, options(branch));
    const at = '2026-02-01T05:00:00Z';
    await publishStatus(
      { runs: [], campaigns: (c) => startCampaign(c, { previousFingerprint: FP_OLD, newFingerprint: FP_NEW, aliases: ['prod'], at }).campaigns },
      options(branch),
    );
    const index = await readStatusDir(checkout(branch));
    assert.equal(index.orgs[0]?.status.alias, 'prod');
    assert.equal(index.orgs[0]?.history.entries.length, 1);
    assert.equal(index.campaigns.campaigns.length, 1);
    assert.equal(bare(['log', '-1', '--format=%s', branch]), 'Status: campaigns');
  });

  test('redact: true publishes no username, instance URL or My Domain host', async () => {
    const branch = freshBranch();
    await publishStatus(
      { runs: [run('prod', '2026-02-01T03:00:00Z', { auth: failedAuth('prod', '2026-02-01T03:00:00Z') })] },
      options(branch, { redact: true }),
    );
    const dir = checkout(branch);
    const text = readFileSync(path.join(dir, 'orgs', 'prod', 'status.json'), 'utf8');
    assert.ok(!text.includes('admin@acme.example'));
    assert.ok(!text.includes('acme.my.salesforce.com'));
    const index = await readStatusDir(dir);
    assert.equal(index.orgs[0]?.status.redacted, true);
    assert.equal(index.orgs[0]?.status.loginHost, 'my-domain');
  });

  test('a secret value in the data is refused and nothing is pushed', async () => {
    const branch = freshBranch();
    await publishStatus({ runs: [run('prod', '2026-02-01T03:00:00Z')] }, options(branch));
    const tip = bare(['rev-parse', branch]);
    const leaky = run('prod', '2026-02-02T03:00:00Z', {
      auth: { ...failedAuth('prod', '2026-02-02T03:00:00Z'), message: `refresh token ${SECRET} was refused` },
    });
    await assert.rejects(publishStatus({ runs: [leaky] }, options(branch)), (err: unknown) => {
      assert.ok(err instanceof StatusSecretError);
      assert.match(err.message, /orgs\/prod\/status\.json: auth\.message/);
      assert.ok(!err.message.includes(SECRET));
      return true;
    });
    // The git token itself is always one of the guarded values.
    const tokenLeak = run('prod', '2026-02-02T03:00:00Z', { backup: backup({ location: `https://x-access-token:${emu.token}@example.com/` }) });
    await assert.rejects(publishStatus({ runs: [tokenLeak] }, options(branch)), StatusSecretError);
    assert.equal(bare(['rev-parse', branch]), tip);
  });

  test('a read-only token and a wrong token fail with a remedy, not the token', async () => {
    const branch = freshBranch();
    const readOnly = emu.createToken({ permissions: { contents: 'read', actions: 'read' } });
    await assert.rejects(publishStatus({ runs: [run('prod', '2026-02-01T03:00:00Z')] }, options(branch, { context: context(readOnly) })), (err: unknown) => {
      assert.ok(err instanceof StatusPublishError);
      assert.equal(err.reason, 'permission_denied');
      assert.match(err.remedy, /contents: write/);
      return true;
    });
    const wrong = 'ghs_wrongwrongwrongwrongwrong0000';
    await assert.rejects(publishStatus({ runs: [run('prod', '2026-02-01T03:00:00Z')] }, options(branch, { context: context(wrong) })), (err: unknown) => {
      assert.ok(err instanceof StatusPublishError);
      assert.equal(err.reason, 'auth_failed');
      assert.ok(!err.message.includes(wrong));
      return true;
    });
  });

  test('the token is never on a git command line, in its environment, in .git/config, or left on disk', () => {
    const basic = Buffer.from(`x-access-token:${emu.token}`).toString('base64');
    const argv = readFileSync(path.join(shimDir, 'argv.log'), 'utf8');
    const env = readFileSync(path.join(shimDir, 'env.log'), 'utf8');
    const gitConfig = readFileSync(path.join(shimDir, 'gitconfig.log'), 'utf8');
    assert.match(argv, /^push --porcelain origin HEAD:refs\/heads\/status-/m, 'the shim saw the pushes');
    assert.match(gitConfig, /\[remote "origin"\]/, 'the shim saw the work trees’ .git/config');
    for (const [what, text] of Object.entries({ argv, env, gitConfig, logs: logs.join('\n') })) {
      assert.ok(!text.includes(emu.token), `${what} holds the token`);
      assert.ok(!text.includes(basic), `${what} holds the encoded credential`);
    }
    assert.deepEqual(
      readdirSync(tmp).filter((p) => p.startsWith('sfbackup-')),
      [],
      'work trees and the credential config file are removed',
    );
    assert.ok(!existsSync(path.join(tmp, 'sfbackup-status-')));
  });
});
