// The one branch publisher (src/git/branch.ts) against a local bare repository. Another job's push
// is made to land between our fetch and our push from inside `apply`, so the "branch moved" path
// runs on every run of this test, not by chance.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { BranchKeptMovingError, type BranchWorktree, publishToBranch } from '../../../src/git/branch.ts';
import type { GitRemote } from '../../../src/git/git.ts';

let tmp: string;
let bareDir: string;
let remote: GitRemote;
const GIT_ENV = { PATH: process.env.PATH ?? '', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: tmpdir() };

function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: GIT_ENV }).trim();
}

/** Another job: commits `file` to `branch` of the bare repository and pushes it. */
function otherJobPushes(branch: string, file: string): void {
  const dir = mkdtempSync(path.join(tmp, 'other-'));
  git(['clone', '-q', '--branch', branch, pathToFileURL(bareDir).href, dir]);
  writeFileSync(path.join(dir, file), `${file}\n`);
  git(['add', file], dir);
  git(['-c', 'user.name=other', '-c', 'user.email=o@example.com', 'commit', '-q', '-m', `other ${file}`], dir);
  git(['push', '-q', 'origin', `HEAD:refs/heads/${branch}`], dir);
  rmSync(dir, { recursive: true, force: true });
}

async function writeOrg(tree: BranchWorktree, alias: string, content: string): Promise<void> {
  await mkdir(path.join(tree.dir, alias), { recursive: true });
  await writeFile(path.join(tree.dir, alias, 'data.txt'), content);
}

before(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'git-branch-'));
  bareDir = path.join(tmp, 'remote.git');
  git(['init', '-q', '--bare', bareDir]);
  remote = { url: pathToFileURL(bareDir).href, token: undefined, tempDir: tmp, mask: () => {} };
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('publishToBranch', () => {
  test('creates an orphan branch, then redoes the change on the tip another job moved', async () => {
    const first = await publishToBranch({
      remote,
      branch: 'data',
      dirs: ['prod'],
      apply: async (tree) => {
        assert.equal(tree.tip, undefined, 'no branch yet');
        await writeOrg(tree, 'prod', 'one\n');
      },
      message: 'prod 1',
      maxAttempts: 3,
      label: 'test',
    });
    assert.equal(first.attempts, 1);
    assert.equal(git(['--git-dir', bareDir, 'rev-list', '--count', 'data']), '1', 'an orphan root');

    const seen: Array<{ attempt: number; tip: string | undefined; had: string }> = [];
    const pauses: number[] = [];
    const races: number[] = [];
    const second = await publishToBranch({
      remote,
      branch: 'data',
      dirs: ['prod'],
      apply: async (tree) => {
        seen.push({ attempt: tree.attempt, tip: tree.tip, had: readFileSync(path.join(tree.dir, 'prod', 'data.txt'), 'utf8') });
        if (tree.attempt === 1) otherJobPushes('data', 'uat.txt');
        await writeOrg(tree, 'prod', 'two\n');
      },
      message: 'prod 2',
      maxAttempts: 3,
      onRace: (attempt) => races.push(attempt),
      label: 'test',
      sleep: async (ms) => {
        pauses.push(ms);
      },
    });
    assert.equal(second.attempts, 2);
    assert.deepEqual(races, [1]);
    assert.equal(pauses.length, 1);
    assert.ok((pauses[0] as number) >= 150 && (pauses[0] as number) <= 300, `a jittered first pause, got ${pauses[0]}`);
    assert.deepEqual(
      seen.map((s) => [s.attempt, s.had]),
      [
        [1, 'one\n'],
        [2, 'one\n'],
      ],
      'each attempt starts from the tip, not from the previous attempt',
    );
    assert.notEqual(seen[0]?.tip, seen[1]?.tip, 'the redo is applied on the new tip');
    assert.deepEqual(git(['--git-dir', bareDir, 'log', '--format=%s', 'data']).split('\n'), ['prod 2', 'other uat.txt', 'prod 1']);
    assert.equal(git(['--git-dir', bareDir, 'show', 'data:prod/data.txt']), 'two');
    assert.equal(git(['--git-dir', bareDir, 'show', 'data:uat.txt']), 'uat.txt', "the other job's file is kept");
  });

  test('gives up with BranchKeptMovingError when every push is refused, and the branch keeps what others wrote', async () => {
    let n = 0;
    await assert.rejects(
      publishToBranch({
        remote,
        branch: 'data',
        dirs: ['prod'],
        apply: async (tree) => {
          otherJobPushes('data', `job-${++n}.txt`);
          await writeOrg(tree, 'prod', 'three\n');
        },
        message: 'prod 3',
        maxAttempts: 2,
        label: 'test',
        sleep: async () => {},
      }),
      (err: unknown) => err instanceof BranchKeptMovingError && err.attempts === 2,
    );
    assert.equal(n, 2);
    assert.equal(git(['--git-dir', bareDir, 'show', 'data:prod/data.txt']), 'two', 'nothing of the failed run landed');
    assert.deepEqual(git(['--git-dir', bareDir, 'ls-tree', '--name-only', 'data']).split('\n').sort(), ['job-1.txt', 'job-2.txt', 'prod', 'uat.txt']);
  });
});
