// The local-folder target: dated snapshots under `<dir>/<alias>/`, `latest` swapped as the commit
// point, retention of the newest N with pinned snapshots kept, the old layout migrated, and what
// killed runs leave behind listed and cleaned up.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveSnapshotDir } from '../../../src/snapshot/index.ts';
import { createStorageTarget, LocalTarget, StorageError } from '../../../src/storage/index.ts';
import { compareStamps, leftoversAround, listLeftovers, snapshotStamp } from '../../../src/storage/local.ts';
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

/** A clock that moves one minute per call, from a fixed start. */
function clock(start = Date.parse('2026-12-02T16:50:00Z')): () => Date {
  let t = start;
  return () => {
    const d = new Date(t);
    t += 60_000;
    return d;
  };
}

async function publish(target: LocalTarget, tag: string, opts: { pinPrevious?: string; extra?: Record<string, string> } = {}) {
  const s = fresh('staging');
  stage(s, 'prod', snapshotFiles(tag, opts.extra));
  return target.publish('prod', s, tag, { disposable: true, ...(opts.pinPrevious ? { pinPrevious: opts.pinPrevious } : {}) });
}

const dated = (aliasDir: string) =>
  readdirSync(aliasDir)
    .filter((n) => /^\d{4}-/.test(n))
    .sort(compareStamps);

describe('local storage', () => {
  test('stamps are UTC times without colons and sort oldest first, same-second ones by their suffix', () => {
    assert.equal(snapshotStamp(new Date('2026-12-02T16:50:00.123Z')), '2026-12-02T16-50-00Z');
    assert.deepEqual(['2026-12-02T16-50-00Z-2', '2026-12-02T16-50-01Z', '2026-12-02T16-50-00Z', '2026-12-02T16-50-00Z-10'].sort(compareStamps), [
      '2026-12-02T16-50-00Z',
      '2026-12-02T16-50-00Z-2',
      '2026-12-02T16-50-00Z-10',
      '2026-12-02T16-50-01Z',
    ]);
  });

  test('publish writes a dated snapshot and points latest at it; fetchPrevious reads the newest', async () => {
    const dir = path.join(tmp, 'backups');
    const target = createStorageTarget({ type: 'local', dir });
    assert.equal(target.kind, 'local');
    assert.equal(await target.fetchPrevious('prod', fresh('work')), undefined, 'nothing before the first publish');

    const s1 = fresh('staging');
    stage(s1, 'prod', snapshotFiles('one', { 'data/Contact/00.csv': 'Id\n003000000000001AAA\n' }));
    const r1 = await target.publish('prod', s1, 'backup 1');
    const aliasDir = path.join(dir, 'prod');
    assert.equal(path.dirname(r1.path ?? ''), aliasDir);
    assert.match(path.basename(r1.path ?? ''), /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(-\d+)?$/);
    assert.equal(readlinkSync(path.join(aliasDir, 'latest')), path.basename(r1.path ?? ''), 'a relative link');

    const prev = await target.fetchPrevious('prod', fresh('work'));
    assert.ok(prev);
    assert.equal(prev.dir, r1.path);
    assert.deepEqual(readTree(prev.dir), readTree(path.join(s1, 'prod')));

    const s2 = fresh('staging');
    stage(s2, 'prod', snapshotFiles('two'));
    const r2 = await target.publish('prod', s2, 'backup 2');
    assert.notEqual(r2.path, r1.path, 'two runs in one second still get folders of their own');
    assert.deepEqual(readTree(path.join(aliasDir, 'latest')), readTree(path.join(s2, 'prod')));
    assert.deepEqual(readTree(r1.path ?? ''), readTree(path.join(s1, 'prod')), 'the earlier snapshot stays');
    assert.deepEqual(readdirSync(dir), ['prod'], 'no temp copies left next to the org folder');
    assert.deepEqual(readdirSync(aliasDir).sort(), [...dated(aliasDir), 'latest'].sort(), 'no temp copies inside it');
    assert.equal(resolveSnapshotDir(dir), r2.path);
    assert.equal(resolveSnapshotDir(aliasDir), r2.path);
    assert.equal(resolveSnapshotDir(path.join(aliasDir, 'latest')), r2.path);
    assert.equal(resolveSnapshotDir(r1.path ?? ''), r1.path);
    assert.equal(resolveSnapshotDir(dir, 'prod'), r2.path);
  });

  test('a disposable staged snapshot is moved into place, not copied', async () => {
    const dir = path.join(tmp, 'backups-move');
    const target = new LocalTarget({ dir }, clock());
    await publish(target, 'one');
    const s2 = fresh('staging');
    stage(s2, 'prod', snapshotFiles('two', { 'data/Lead/00.csv': 'Id\n00Q000000000001AAA\n' }));
    const expected = readTree(path.join(s2, 'prod'));
    const r = await target.publish('prod', s2, 'backup 2', { disposable: true });
    assert.deepEqual(readTree(r.path ?? ''), expected);
    assert.equal(existsSync(path.join(s2, 'prod')), false, 'moved, not copied');
  });

  test('retention keeps the newest N and latest; a pinned snapshot survives any number of later runs', async () => {
    const dir = path.join(tmp, 'backups-keep');
    const target = new LocalTarget({ dir, keep: 2 }, clock());
    const aliasDir = path.join(dir, 'prod');
    const r1 = await publish(target, 'one');
    const r2 = await publish(target, 'two');
    const r3 = await publish(target, 'three', { pinPrevious: 'the run after it dropped 1 object(s) (Lead)' });
    assert.equal(r3.pinned?.path, r2.path);
    assert.deepEqual(r3.pruned, [r1.path]);
    const kept = JSON.parse(readFileSync(path.join(r2.path ?? '', 'KEPT.json'), 'utf8')) as { reason: string; pinnedAt: string };
    assert.match(kept.reason, /dropped 1 object/);
    assert.ok(Date.parse(kept.pinnedAt) > 0);
    for (const tag of ['four', 'five', 'six']) await publish(target, tag);
    const left = dated(aliasDir);
    assert.equal(left.length, 3, left.join(', '));
    assert.ok(left.includes(path.basename(r2.path ?? '')), 'the pinned snapshot is kept');
    assert.equal(readlinkSync(path.join(aliasDir, 'latest')), left.at(-1));
  });

  test('an old-layout folder is moved into a dated folder by the first publish', async () => {
    const dir = path.join(tmp, 'backups-old');
    const old = fresh('staging');
    stage(old, 'prod', {
      ...snapshotFiles('old'),
      'manifest.json': JSON.stringify({ formatVersion: 1, tag: 'old', finishedAt: '2026-11-30T03:00:00.000Z' }),
    });
    mkdirSync(dir);
    execFileSync('cp', ['-r', path.join(old, 'prod'), path.join(dir, 'prod')]);
    const target = new LocalTarget({ dir }, clock());
    const prev = await target.fetchPrevious('prod', fresh('work'));
    assert.equal(prev?.dir, path.join(dir, 'prod'), 'read in place before the migration');
    assert.equal(resolveSnapshotDir(dir), path.join(dir, 'prod'));

    const r = await publish(target, 'new', { pinPrevious: 'the run after it dropped objects' });
    const aliasDir = path.join(dir, 'prod');
    assert.deepEqual(dated(aliasDir), ['2026-11-30T03-00-00Z', path.basename(r.path ?? '')]);
    assert.equal(r.pinned?.path, path.join(aliasDir, '2026-11-30T03-00-00Z'));
    assert.deepEqual(readTree(path.join(aliasDir, '2026-11-30T03-00-00Z')), {
      ...readTree(path.join(old, 'prod')),
      'KEPT.json': readTree(aliasDir)['2026-11-30T03-00-00Z/KEPT.json'],
    });
    assert.equal(existsSync(path.join(aliasDir, 'manifest.json')), false);
    assert.deepEqual(readdirSync(dir), ['prod']);
  });

  test('a migration killed after moving the old folder aside is rolled back before the next read', async () => {
    const dir = path.join(tmp, 'backups-crash');
    const good = fresh('staging');
    stage(good, 'prod', snapshotFiles('good'));
    mkdirSync(dir);
    // What a process killed between the renames leaves behind (pid 999999 is not running).
    execFileSync('cp', ['-r', path.join(good, 'prod'), path.join(dir, '.prod.old-999999-abcd')]);
    mkdirSync(path.join(dir, '.prod.new-999999-abcd'));
    symlinkSync('2026-01-01T00-00-00Z', path.join(dir, '.prod.new-999999-abcd', 'latest'));
    const target = new LocalTarget({ dir }, clock());
    const prev = await target.fetchPrevious('prod', fresh('work'));
    assert.ok(prev);
    assert.deepEqual(readTree(prev.dir), readTree(path.join(good, 'prod')));
    assert.deepEqual(readdirSync(dir), ['prod']);
  });

  test('leftovers of a killed publish are listed (verify) and removed by the next start; a running one is left alone', async () => {
    const dir = path.join(tmp, 'backups-leftovers');
    const target = new LocalTarget({ dir }, clock());
    const r1 = await publish(target, 'one');
    const aliasDir = path.join(dir, 'prod');
    // Killed while copying in, and killed after the rename to the stamp but before the swap.
    mkdirSync(path.join(aliasDir, '.incoming-2026-12-02T17-00-00Z-999999', 'data'), { recursive: true });
    mkdirSync(path.join(aliasDir, '2099-01-01T00-00-00Z', 'data'), { recursive: true });
    mkdirSync(path.join(dir, '.prod.tmp-999999-beef'));
    mkdirSync(path.join(aliasDir, `.incoming-2026-12-02T17-00-00Z-${process.ppid}`));
    const found = leftoversAround(r1.path ?? '');
    assert.deepEqual(
      found.map((l) => path.basename(l.path)).sort(),
      ['.incoming-2026-12-02T17-00-00Z-999999', `.incoming-2026-12-02T17-00-00Z-${process.ppid}`, '.prod.tmp-999999-beef', '2099-01-01T00-00-00Z'].sort(),
    );
    assert.equal(found.find((l) => l.pid === process.ppid)?.running, true);
    assert.match(found.find((l) => l.path.endsWith('2099-01-01T00-00-00Z'))?.what ?? '', /never published/);

    const prev = await target.fetchPrevious('prod', fresh('work'));
    assert.equal(prev?.dir, r1.path, 'latest, not the unpublished newer folder');
    assert.deepEqual(
      listLeftovers(dir, 'prod').map((l) => path.basename(l.path)),
      [`.incoming-2026-12-02T17-00-00Z-${process.ppid}`],
      'only the running one stays',
    );
    rmSync(path.join(aliasDir, `.incoming-2026-12-02T17-00-00Z-${process.ppid}`), { recursive: true });
  });

  test('a publish that fails halfway leaves the previous snapshot and latest untouched', async () => {
    const dir = path.join(tmp, 'backups-fail');
    const target = new LocalTarget({ dir }, clock());
    const good = await publish(target, 'good');
    const aliasDir = path.join(dir, 'prod');
    const before = readTree(aliasDir);

    // A FIFO cannot be copied: the copy fails after other files were already written.
    const bad = fresh('staging');
    stage(bad, 'prod', snapshotFiles('bad'));
    execFileSync('mkfifo', [path.join(bad, 'prod', 'data', 'Account', 'zz.csv')]);
    await assert.rejects(target.publish('prod', bad, 'bad', { pinPrevious: 'x' }), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.reason, 'io');
      assert.match(err.remedy, /previous snapshot there is unchanged/);
      return true;
    });
    assert.deepEqual(readTree(aliasDir), before);
    assert.equal(readlinkSync(path.join(aliasDir, 'latest')), path.basename(good.path ?? ''));
    assert.deepEqual(readdirSync(aliasDir).sort(), [path.basename(good.path ?? ''), 'latest'].sort(), 'the partial copy was removed');
  });

  test('a staged snapshot without its manifest is refused and replaces nothing', async () => {
    const dir = path.join(tmp, 'backups-partial');
    const target = new LocalTarget({ dir }, clock());
    await publish(target, 'good');
    const before = readTree(path.join(dir, 'prod'));
    const partial = fresh('staging');
    stage(partial, 'prod', { 'data/Account/00.csv': 'Id\n' });
    await assert.rejects(target.publish('prod', partial, 'partial'), (err: unknown) => err instanceof StorageError && err.reason === 'snapshot_missing');
    assert.deepEqual(readTree(path.join(dir, 'prod')), before);
  });

  test('a first publish killed before its org folder was renamed into place published nothing, and is removed', async () => {
    const dir = path.join(tmp, 'backups-first');
    const staged = fresh('staging');
    stage(staged, 'prod', snapshotFiles('first'));
    const building = path.join(dir, '.prod.first-999999-cafe');
    mkdirSync(building, { recursive: true });
    renameSync(path.join(staged, 'prod'), path.join(building, '2026-12-01T00-00-00Z'));
    symlinkSync('2026-12-01T00-00-00Z', path.join(building, 'latest'));
    assert.match(listLeftovers(dir, 'prod')[0]?.what ?? '', /unfinished first snapshot/);
    const target = new LocalTarget({ dir }, clock());
    assert.equal(await target.fetchPrevious('prod', fresh('work')), undefined);
    assert.deepEqual(readdirSync(dir), []);
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
    assert.throws(
      () => createStorageTarget({ type: 'local', dir: 'x', keep: 0 }),
      (err: unknown) => err instanceof StorageError && err.reason === 'bad_config',
    );
  });
});
