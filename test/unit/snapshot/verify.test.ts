import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSnapshotWriter, loadManifest, readObjectRows, SnapshotCorruptError, SnapshotError, verifySnapshot } from '../../../src/snapshot/index.ts';
import { row, run, tempDir, writeFull } from './helpers.ts';

async function snapshot(t: Parameters<typeof tempDir>[0], n = 30_000): Promise<{ dir: string; file: string }> {
  const dir = await tempDir(t);
  await writeFull(
    dir,
    Array.from({ length: n }, (_, i) => row(i)),
  );
  const m = await loadManifest(dir);
  const file = join(dir, 'prod', m.objects[0]?.files[3]?.path ?? 'missing');
  return { dir, file };
}

async function problemsOf(dir: string): Promise<string> {
  try {
    await verifySnapshot(dir);
  } catch (err) {
    assert.ok(err instanceof SnapshotCorruptError, String(err));
    assert.match(err.remedy, /earlier/);
    assert.match(err.remedy, /full backup/);
    return err.message;
  }
  assert.fail('verify passed a corrupt snapshot');
}

test('a good snapshot verifies and reports its counts', async (t) => {
  const { dir } = await snapshot(t);
  const report = await verifySnapshot(dir);
  assert.equal(report.rows, 30_000);
  assert.equal(report.files, 16);
  assert.equal(report.objects[0]?.name, 'Account');
  // The alias directory itself works too.
  assert.equal((await verifySnapshot(join(dir, 'prod'))).rows, 30_000);
});

test('verify catches a flipped byte', async (t) => {
  const { dir, file } = await snapshot(t);
  const buf = await readFile(file);
  const at = buf.indexOf('Name ') + 5;
  buf[at] = (buf[at] ?? 0) ^ 1;
  await writeFile(file, buf);
  assert.match(await problemsOf(dir), /sha256 does not match/);
});

test('verify catches a missing file', async (t) => {
  const { dir, file } = await snapshot(t);
  await rm(file);
  const message = await problemsOf(dir);
  assert.match(message, /missing/);
  assert.match(message, /rows in the files, manifest.json says 30000/);
});

test('verify catches a removed row', async (t) => {
  const { dir, file } = await snapshot(t);
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines.splice(5, 1);
  await writeFile(file, lines.join('\n'));
  const message = await problemsOf(dir);
  assert.match(message, /rows, manifest.json says/);
  assert.match(message, /sha256/);
});

test('verify catches unsorted rows', async (t) => {
  const { dir, file } = await snapshot(t);
  const lines = (await readFile(file, 'utf8')).split('\n');
  const [a, b] = [lines[3] ?? '', lines[4] ?? ''];
  lines[3] = b;
  lines[4] = a;
  await writeFile(file, lines.join('\n'));
  assert.match(await problemsOf(dir), /out of Id order/);
});

test('verify and load reject a bad manifest with a clear message', async (t) => {
  const { dir } = await snapshot(t, 10);
  const path = join(dir, 'prod', 'manifest.json');
  const m = JSON.parse(await readFile(path, 'utf8'));
  m.objects[0].rows = 'ten';
  await writeFile(path, JSON.stringify(m));
  assert.match(await problemsOf(dir), /is not a snapshot manifest: objects\.0\.rows/);
  await assert.rejects(loadManifest(dir), (err: unknown) => {
    assert.ok(err instanceof SnapshotError);
    assert.match(err.message, /manifest\.json of .* is not a snapshot manifest: .* — the snapshot is corrupt or from a newer version/);
    return true;
  });
  m.formatVersion = 2;
  await writeFile(path, JSON.stringify(m));
  await assert.rejects(loadManifest(dir), /formatVersion 2/);
  await writeFile(path, '{not json');
  await assert.rejects(loadManifest(dir), /not JSON/);
});

test('verify flags a row count that disagrees with SELECT COUNT()', async (t) => {
  const { dir } = await snapshot(t, 10);
  const path = join(dir, 'prod', 'manifest.json');
  const m = JSON.parse(await readFile(path, 'utf8'));
  m.objects[0].countCheck = 11;
  await writeFile(path, JSON.stringify(m));
  assert.match(await problemsOf(dir), /SELECT COUNT\(\) said 11/);
});

test('a folder with several org snapshots needs the alias; a folder with none is refused', async (t) => {
  const dir = await tempDir(t);
  await writeFull(dir, [row(1)]);
  const writer = await createSnapshotWriter(dir, run('full', 'sandbox'));
  await writer.finish({ toolVersion: 't' });
  await assert.rejects(verifySnapshot(dir), (err: unknown) => err instanceof SnapshotError && err.reason === 'snapshot_ambiguous');
  assert.equal((await verifySnapshot(dir, { alias: 'prod' })).rows, 1);
  assert.equal((await verifySnapshot(join(dir, 'sandbox'))).rows, 0);
  // A folder that is there without a manifest is a snapshot that is not whole (defect 8: exit 7, not
  // 2); a path that is not there at all is a mistyped one.
  const empty = await tempDir(t);
  await assert.rejects(
    verifySnapshot(empty),
    (err: unknown) => err instanceof SnapshotCorruptError && err.problems.some((p) => p.file === 'manifest.json' && /missing/.test(p.message)),
  );
  await assert.rejects(verifySnapshot(join(empty, 'nope')), (err: unknown) => err instanceof SnapshotError && err.reason === 'snapshot_not_found');
  await assert.rejects(async () => {
    for await (const _ of readObjectRows(dir, 'Lead', { alias: 'prod' })) break;
  }, /has no data for Lead/);
});
