// The backup-branch target against the GitHub emulator's git smart HTTP and its bare repository.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createStorageTarget, type StorageContext, StorageError } from '../../../src/storage/index.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { readTree, snapshotFiles, stage } from './helpers.ts';

let emu: GitHubEmulator;
let tmp: string;
const logs: string[] = [];
const masked: string[] = [];

function fresh(name: string): string {
  return mkdtempSync(path.join(tmp, `${name}-`));
}

function context(token = emu.token): StorageContext {
  return {
    token,
    repository: `${emu.owner}/${emu.repo}`,
    tempDir: tmp,
    log: { info: (m) => logs.push(m), warning: (m) => logs.push(`warning: ${m}`) },
    mask: (s) => masked.push(s),
  };
}

function target(opts: { token?: string; branch?: string; repo?: string } = {}) {
  return createStorageTarget(
    { type: 'branch', ...(opts.branch ? { branch: opts.branch } : {}), remoteUrl: emu.gitUrl(emu.owner, opts.repo ?? emu.repo) },
    context(opts.token),
  );
}

/** Reads the bare repository directly: what GitHub would hold. */
function bare(args: string[], repo = emu.repo): string {
  return execFileSync('git', ['--git-dir', emu.bareRepoPath(emu.owner, repo), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  }).trim();
}

before(async () => {
  emu = await startGitHubEmulator();
  tmp = mkdtempSync(path.join(tmpdir(), 'storage-branch-'));
});

after(async () => {
  await emu?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('branch storage', () => {
  test('two publishes are two commits on an orphan branch; the second replaces the files', async () => {
    const t = target();
    assert.equal(t.kind, 'branch');
    assert.equal(await t.fetchPrevious('prod', fresh('work')), undefined, 'no branch yet');

    const s1 = fresh('staging');
    stage(s1, 'prod', snapshotFiles('one', { 'data/Contact/00.csv': 'Id\n003000000000001AAA\n' }));
    const r1 = await t.publish('prod', s1, 'Backup prod 1');
    assert.match(r1.commit ?? '', /^[0-9a-f]{40}$/);
    assert.equal(r1.location, `branch salesforce-backups@${r1.commit}`);

    const s2 = fresh('staging');
    stage(s2, 'prod', snapshotFiles('two'));
    const r2 = await t.publish('prod', s2, 'Backup prod 2');

    assert.equal(bare(['rev-parse', 'refs/heads/salesforce-backups']), r2.commit);
    assert.deepEqual(bare(['log', '--format=%s', 'salesforce-backups']).split('\n'), ['Backup prod 2', 'Backup prod 1']);
    assert.equal(bare(['rev-list', '--max-parents=0', 'salesforce-backups']), r1.commit, 'the first commit is a root: no history shared with main');
    assert.equal(
      bare(['log', '-1', '--format=%an <%ae>', 'salesforce-backups']),
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>',
    );
    assert.deepEqual(
      bare(['ls-tree', '-r', '--name-only', r1.commit ?? ''])
        .split('\n')
        .sort(),
      ['prod/data/Account/00.csv', 'prod/data/Contact/00.csv', 'prod/manifest.json', 'prod/schema/Account.json'],
    );
    assert.deepEqual(bare(['ls-tree', '-r', '--name-only', 'salesforce-backups']).split('\n').sort(), [
      'prod/data/Account/00.csv',
      'prod/manifest.json',
      'prod/schema/Account.json',
    ]);
    assert.equal(bare(['show', 'salesforce-backups:prod/manifest.json']), readFileSync(path.join(s2, 'prod/manifest.json'), 'utf8'));
    assert.ok(bare(['rev-parse', 'refs/heads/main']), 'main is untouched');

    const prev = await t.fetchPrevious('prod', fresh('work'));
    assert.ok(prev);
    assert.equal(prev.location, `branch salesforce-backups@${r2.commit}`);
    const got = readTree(path.join(prev.dir, 'prod'));
    assert.deepEqual(got, readTree(path.join(s2, 'prod')));
  });

  test('publish commits in the work tree fetchPrevious checked out; a branch moved meanwhile is fetched again, staged links stay intact', async () => {
    const branch = 'reuse-moved';
    const first = fresh('staging');
    stage(first, 'prod', snapshotFiles('base', { 'data/Contact/00.csv': 'Id\n003000000000001AAA\n' }));
    await target({ branch }).publish('prod', first, 'Backup prod base');

    // The run: fetch the previous snapshot, hard-link an unchanged file into staging as the writer does.
    const t = target({ branch });
    const work = fresh('work');
    const previous = await t.fetchPrevious('prod', work);
    assert.ok(previous);
    const staging = fresh('staging');
    stage(staging, 'prod', snapshotFiles('next'));
    const unchanged = path.join(previous.dir, 'prod/data/Contact/00.csv');
    mkdirSync(path.join(staging, 'prod/data/Contact'), { recursive: true });
    linkSync(unchanged, path.join(staging, 'prod/data/Contact/00.csv'));

    // Another job pushes another org meanwhile.
    const other = fresh('staging');
    stage(other, 'uat', snapshotFiles('uat'));
    await target({ branch }).publish('uat', other, 'Backup uat');

    const r = await t.publish('prod', staging, 'Backup prod next');
    assert.equal(bare(['rev-parse', `refs/heads/${branch}`]), r.commit);
    assert.deepEqual(bare(['log', '--format=%s', branch]).split('\n'), ['Backup prod next', 'Backup uat', 'Backup prod base']);
    assert.match(bare(['show', `${branch}:prod/data/Account/00.csv`]), /Acme, next/);
    assert.equal(bare(['show', `${branch}:prod/data/Contact/00.csv`]), 'Id\n003000000000001AAA');
    assert.match(bare(['show', `${branch}:uat/data/Account/00.csv`]), /Acme, uat/, "the other job's org is kept");
    assert.equal(readFileSync(path.join(staging, 'prod/data/Contact/00.csv'), 'utf8'), 'Id\n003000000000001AAA\n', 'the staged link is untouched');
  });

  test('concurrent publishes of several orgs all land (non-fast-forward pushes are redone)', async () => {
    await emu.createRepo({ owner: emu.owner, name: 'matrix' });
    const aliases = ['alpha', 'beta', 'gamma', 'delta'];
    const results = await Promise.all(
      aliases.map((alias) => {
        const s = fresh('staging');
        stage(s, alias, snapshotFiles(alias));
        return target({ repo: 'matrix', branch: 'backups/sf' }).publish(alias, s, `Backup ${alias}`);
      }),
    );
    const subjects = bare(['log', '--format=%s', 'backups/sf'], 'matrix').split('\n').sort();
    assert.deepEqual(subjects, aliases.map((a) => `Backup ${a}`).sort());
    const tip = bare(['rev-parse', 'refs/heads/backups/sf'], 'matrix');
    assert.ok(results.some((r) => r.commit === tip));
    for (const alias of aliases) {
      assert.match(bare(['show', `backups/sf:${alias}/manifest.json`], 'matrix'), new RegExp(alias));
    }
    assert.ok(
      logs.some((l) => /moved while pushing/.test(l)),
      'at least one push had to be redone',
    );

    // Each org reads back only its own directory.
    const prev = await target({ repo: 'matrix', branch: 'backups/sf' }).fetchPrevious('beta', fresh('work'));
    assert.ok(prev);
    assert.deepEqual(
      readdirSync(prev.dir).filter((n) => n !== '.git'),
      ['beta'],
    );
  });

  test('a wrong token fails with a typed error and a remedy, and the branch does not move', async () => {
    const before = bare(['rev-parse', 'refs/heads/salesforce-backups']);
    const s = fresh('staging');
    stage(s, 'prod', snapshotFiles('three'));
    const wrong = 'ghs_wrongwrongwrongwrongwrongwrong0123';
    await assert.rejects(target({ token: wrong }).publish('prod', s, 'Backup prod 3'), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.reason, 'auth_failed');
      assert.equal(err.state, 'misconfigured');
      assert.match(err.remedy, /github\.token/);
      assert.ok(!err.message.includes(wrong));
      return true;
    });
    await assert.rejects(
      target({ token: wrong }).fetchPrevious('prod', fresh('work')),
      (err: unknown) => err instanceof StorageError && err.reason === 'auth_failed',
    );
    assert.equal(bare(['rev-parse', 'refs/heads/salesforce-backups']), before);
  });

  test('a read-only token is told to ask for contents: write', async () => {
    const readOnly = emu.createToken({ permissions: { contents: 'read', actions: 'read' } });
    const s = fresh('staging');
    stage(s, 'prod', snapshotFiles('ro'));
    await assert.rejects(target({ token: readOnly }).publish('prod', s, 'ro'), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.reason, 'permission_denied');
      assert.match(err.remedy, /permissions: contents: write/);
      return true;
    });
  });

  test('the token never shows up in logs, errors, request logs or leftover files', async () => {
    const basic = Buffer.from(`x-access-token:${emu.token}`).toString('base64');
    assert.ok(masked.includes(emu.token) && masked.includes(basic), 'both the token and its base64 form are masked');
    const everything = [...logs, JSON.stringify(emu.requests())].join('\n');
    assert.ok(!everything.includes(emu.token));
    assert.ok(!everything.includes(basic));
    // The temp git config holding the credential is removed after each operation.
    const leftovers = readdirSync(tmp, { recursive: true, encoding: 'utf8' }).filter((p) => p.includes('sfbackup-'));
    assert.deepEqual(leftovers, []);
    // Nor is it in any file left behind, such as the .git/config of fetched checkouts.
    for (const rel of readdirSync(tmp, { recursive: true, encoding: 'utf8' })) {
      const p = path.join(tmp, rel);
      if (!statSync(p).isFile()) continue;
      const text = readFileSync(p, 'latin1');
      assert.ok(!text.includes(emu.token) && !text.includes(basic), `${rel} holds the credential`);
    }
  });

  test('a file GitHub would refuse is stopped before the push', async () => {
    const s = fresh('staging');
    stage(s, 'prod', snapshotFiles('big'));
    execFileSync('truncate', ['-s', `${101 * 1024 * 1024}`, path.join(s, 'prod', 'data', 'Account', 'huge.csv')]);
    await assert.rejects(
      target().publish('prod', s, 'big'),
      (err: unknown) => err instanceof StorageError && err.reason === 'file_too_large' && /artifact/.test(err.remedy),
    );
  });
});
