// The cheap check a backup runs on its own staged snapshot and on the previous one:
// checksums and row totals, no CSV parse. It must still catch what damage can do to files.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifest, SnapshotCorruptError, verifySnapshot } from '../../../src/snapshot/index.ts';
import { row, tempDir, writeFull } from './helpers.ts';

async function snapshot(t: Parameters<typeof tempDir>[0], n = 30_000): Promise<{ dir: string; file: string }> {
  const dir = await tempDir(t);
  await writeFull(
    dir,
    Array.from({ length: n }, (_, i) => row(i)),
  );
  const m = await loadManifest(dir);
  return { dir, file: join(dir, 'prod', m.objects[0]?.files[3]?.path ?? 'missing') };
}

async function problemsOf(dir: string): Promise<string> {
  try {
    await verifySnapshot(dir, { checksumsOnly: true });
  } catch (err) {
    assert.ok(err instanceof SnapshotCorruptError, String(err));
    return err.message;
  }
  assert.fail('the checksum check passed a corrupt snapshot');
}

test('a good snapshot passes the checksum check with the same report as the full one', async (t) => {
  const { dir } = await snapshot(t);
  assert.deepEqual(await verifySnapshot(dir, { checksumsOnly: true }), await verifySnapshot(dir));
});

test('the checksum check catches a flipped byte and a removed row', async (t) => {
  const { dir, file } = await snapshot(t);
  const buf = await readFile(file);
  const at = buf.indexOf('Name ') + 5;
  buf[at] = (buf[at] ?? 0) ^ 1;
  await writeFile(file, buf);
  assert.match(await problemsOf(dir), /sha256 does not match/);
  const lines = (await readFile(file, 'utf8')).split('\n');
  lines.splice(5, 1);
  await writeFile(file, lines.join('\n'));
  assert.match(await problemsOf(dir), /bytes, manifest.json says/);
});

test('the checksum check catches a missing file, a stray file and a count mismatch', async (t) => {
  const { dir, file } = await snapshot(t);
  await rm(file);
  await writeFile(join(dir, 'prod', 'data', 'Account', 'zz.csv'), 'Id\n');
  const path = join(dir, 'prod', 'manifest.json');
  const m = JSON.parse(await readFile(path, 'utf8'));
  m.objects[0].countCheck = 1;
  await writeFile(path, JSON.stringify(m));
  const message = await problemsOf(dir);
  assert.match(message, /missing/);
  assert.match(message, /not in manifest.json/);
  assert.match(message, /SELECT COUNT\(\) said 1/);
});
