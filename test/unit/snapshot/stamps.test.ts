// Stamps (src/snapshot/stamps.ts): a file checked once and unchanged since is trusted without
// reading it again; any write to it, or a copy of it, is hashed again and a damaged one is refused.
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  createSnapshotWriter,
  type FileStamp,
  loadManifest,
  SnapshotCorruptError,
  stampFiles,
  stampsPathFor,
  verifySnapshot,
  writeStamps,
} from '../../../src/snapshot/index.ts';
import { FIELDS, row, run, schemaOf, tempDir, writeFull } from './helpers.ts';

const ROWS = Array.from({ length: 21_000 }, (_, i) => row(i + 1));

function flipByte(file: string): void {
  const bytes = readFileSync(file);
  bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0x01;
  writeFileSync(file, bytes);
}

test('stamps let a check skip unchanged files, and a file written since is hashed and caught', async (t) => {
  const base = await tempDir(t);
  await writeFull(base, ROWS);
  const dir = join(base, 'prod');
  const m = await loadManifest(dir);
  const files = m.objects.flatMap((o) => o.files);
  assert.ok(files.length > 2, `${files.length} files`);
  await writeStamps(stampsPathFor(dir), await stampFiles(dir, files));

  const trusted = await verifySnapshot(dir, { checksumsOnly: true, trustStamps: true });
  assert.equal(trusted.trustedFiles, files.length);
  // Without asking for stamps every file is read.
  assert.equal((await verifySnapshot(dir, { checksumsOnly: true })).trustedFiles, undefined);

  const damaged = files[1]?.path as string;
  flipByte(join(dir, damaged));
  await assert.rejects(
    verifySnapshot(dir, { checksumsOnly: true, trustStamps: true }),
    (err: unknown) => err instanceof SnapshotCorruptError && err.problems.some((p) => p.file === damaged),
  );
});

test('a base file damaged after the run checked it is hashed before it is linked, and refused', async (t) => {
  const base = await tempDir(t);
  await writeFull(base, ROWS);
  const dir = join(base, 'prod');
  const stamps = new Map<string, FileStamp>();
  await verifySnapshot(dir, { checksumsOnly: true, stampsOut: stamps });
  const files = (await loadManifest(dir)).objects.flatMap((o) => o.files);
  assert.equal(stamps.size, files.length);

  // Unchanged base: the incremental writer links every untouched bucket without reading it.
  const good = await tempDir(t);
  const w1 = await createSnapshotWriter(good, run('incremental'), { base, baseStamps: stamps });
  const s1 = w1.object(schemaOf('Account', FIELDS), { incremental: true });
  await s1.writeRows([row(5, 2)]);
  await s1.close({ api: 'bulk', countCheck: null, watermark: null });
  await w1.finish({ toolVersion: 't' });
  assert.equal(w1.linked.size, files.length - 1);
  for (const p of w1.linked.keys()) assert.equal(statSync(join(good, 'prod', p)).ino, statSync(join(dir, p)).ino);
  const report = await verifySnapshot(good, { checksumsOnly: true, trust: w1.linked });
  assert.equal(report.trustedFiles, files.length - 1);

  // A file written after the check (its mtime moved): hashed before it is linked, and refused.
  const touched = files.map((f) => f.path).find((p) => !w1.linked.has(p)) as string;
  const victim = files.map((f) => f.path).find((p) => p !== touched) as string;
  flipByte(join(dir, victim));
  const bad = await tempDir(t);
  const w2 = await createSnapshotWriter(bad, run('incremental'), { base, baseStamps: stamps });
  const s2 = w2.object(schemaOf('Account', FIELDS), { incremental: true });
  await s2.writeRows([row(5, 3)]);
  await assert.rejects(s2.close({ api: 'bulk', countCheck: null, watermark: null }), /does not match its sha256/);
  const m2 = await w2.finish({ toolVersion: 't' });
  assert.equal(m2.objects[0]?.status, 'failed');
});
