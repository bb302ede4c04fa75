// The local-folder target: publish replaces `<dir>/<alias>/` as a whole, or not at all.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createStorageTarget, StorageError } from '../../../src/storage/index.ts';
import { readTree, snapshotFiles, stage } from './helpers.ts';

let tmp: string;

before(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'storage-local-'));
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function fresh(name: string): string {
  return mkdtempSync(path.join(tmp, `${name}-`));
}

describe('local storage', () => {
  test('publish then fetchPrevious gives back the same files; a second publish replaces the first', async () => {
    const dir = path.join(tmp, 'backups');
    const target = createStorageTarget({ type: 'local', dir });
    assert.equal(target.kind, 'local');
    assert.equal(await target.fetchPrevious('prod', fresh('work')), undefined, 'nothing before the first publish');

    const s1 = fresh('staging');
    stage(s1, 'prod', snapshotFiles('one', { 'data/Contact/00.csv': 'Id\n003000000000001AAA\n' }));
    const r1 = await target.publish('prod', s1, 'backup 1');
    assert.equal(r1.path, path.join(dir, 'prod'));

    const prev = await target.fetchPrevious('prod', fresh('work'));
    assert.ok(prev);
    assert.deepEqual(readTree(path.join(prev.dir, 'prod')), readTree(path.join(s1, 'prod')));

    const s2 = fresh('staging');
    stage(s2, 'prod', snapshotFiles('two'));
    await target.publish('prod', s2, 'backup 2');
    const after2 = readTree(path.join(dir, 'prod'));
    assert.deepEqual(after2, readTree(path.join(s2, 'prod')));
    assert.equal(after2['data/Contact/00.csv'], undefined, 'a file the new snapshot lacks is gone');
    assert.deepEqual(readdirSync(dir), ['prod'], 'no temp or old copies left behind');
  });

  test('a disposable staged snapshot is moved into place, not copied, and replaces the previous one', async () => {
    const dir = path.join(tmp, 'backups-move');
    const target = createStorageTarget({ type: 'local', dir });
    const s1 = fresh('staging');
    stage(s1, 'prod', snapshotFiles('one'));
    await target.publish('prod', s1, 'backup 1', { disposable: true });
    const s2 = fresh('staging');
    stage(s2, 'prod', snapshotFiles('two', { 'data/Lead/00.csv': 'Id\n00Q000000000001AAA\n' }));
    const expected = readTree(path.join(s2, 'prod'));
    await target.publish('prod', s2, 'backup 2', { disposable: true });
    assert.deepEqual(readTree(path.join(dir, 'prod')), expected);
    assert.equal(existsSync(path.join(s2, 'prod')), false, 'moved, not copied');
    assert.deepEqual(readdirSync(dir), ['prod'], 'no temp or old copies left behind');
  });

  test('a publish that fails halfway leaves the previous snapshot untouched', async () => {
    const dir = path.join(tmp, 'backups-fail');
    const target = createStorageTarget({ type: 'local', dir });
    const good = fresh('staging');
    stage(good, 'prod', snapshotFiles('good'));
    await target.publish('prod', good, 'good');

    // A FIFO cannot be copied: the copy fails after other files were already written.
    const bad = fresh('staging');
    stage(bad, 'prod', snapshotFiles('bad'));
    execFileSync('mkfifo', [path.join(bad, 'prod', 'data', 'Account', 'zz.csv')]);
    await assert.rejects(target.publish('prod', bad, 'bad'), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.reason, 'io');
      assert.match(err.remedy, /previous snapshot there is unchanged/);
      return true;
    });
    assert.deepEqual(readTree(path.join(dir, 'prod')), readTree(path.join(good, 'prod')));
    assert.deepEqual(readdirSync(dir), ['prod'], 'the partial copy was removed');
  });

  test('a staged snapshot without its manifest is refused and replaces nothing', async () => {
    const dir = path.join(tmp, 'backups-partial');
    const target = createStorageTarget({ type: 'local', dir });
    const good = fresh('staging');
    stage(good, 'prod', snapshotFiles('good'));
    await target.publish('prod', good, 'good');

    const partial = fresh('staging');
    stage(partial, 'prod', { 'data/Account/00.csv': 'Id\n' });
    await assert.rejects(target.publish('prod', partial, 'partial'), (err: unknown) => err instanceof StorageError && err.reason === 'snapshot_missing');
    assert.deepEqual(readTree(path.join(dir, 'prod')), readTree(path.join(good, 'prod')));
  });

  test('a swap interrupted after moving the old copy aside is repaired before the next read', async () => {
    const dir = path.join(tmp, 'backups-crash');
    const target = createStorageTarget({ type: 'local', dir });
    const good = fresh('staging');
    stage(good, 'prod', snapshotFiles('good'));
    await target.publish('prod', good, 'good');
    // What a process killed between the two renames leaves behind.
    execFileSync('mv', [path.join(dir, 'prod'), path.join(dir, '.prod.old-1234-abcd')]);
    const prev = await target.fetchPrevious('prod', fresh('work'));
    assert.ok(prev);
    assert.deepEqual(readTree(path.join(prev.dir, 'prod')), readTree(path.join(good, 'prod')));
    assert.ok(!existsSync(path.join(dir, '.prod.old-1234-abcd')));
  });

  test('aliases that would escape the folder are refused', async () => {
    const target = createStorageTarget({ type: 'local', dir: path.join(tmp, 'x') });
    await assert.rejects(target.publish('../etc', tmp, 'x'), (err: unknown) => err instanceof StorageError && err.reason === 'bad_config');
  });

  test('invalid settings fail with a remedy', () => {
    assert.throws(
      () => createStorageTarget({ type: 'branch', branch: 'bad..name' }),
      (err: unknown) => err instanceof StorageError && err.reason === 'bad_config' && /branch/.test(err.message),
    );
  });
});
