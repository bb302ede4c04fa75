import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSnapshotWriter, diffSnapshots } from '../../../src/snapshot/index.ts';
import { FIELDS, makeId, row, run, schemaOf, tempDir, writeFull, writeObjects } from './helpers.ts';

test('diff counts added, changed and deleted rows per object', async (t) => {
  const a = await tempDir(t);
  const b = await tempDir(t);
  const n = 30_000;
  await writeFull(
    a,
    Array.from({ length: n }, (_, i) => row(i)),
  );
  const next = Array.from({ length: n + 2 }, (_, i) => row(i, i === 7 || i === 20_000 ? 2 : 0)).filter((_, i) => i !== 3);
  await writeFull(b, next);
  const d = await diffSnapshots(a, b, { idLimit: 10 });
  assert.deepEqual(d.totals, { added: 2, changed: 2, deleted: 1, oldRows: n, newRows: n + 1 });
  const acc = d.objects[0];
  assert.equal(acc?.name, 'Account');
  assert.deepEqual(acc?.addedIds, [makeId(n), makeId(n + 1)].sort());
  assert.deepEqual(acc?.changedIds, [makeId(7), makeId(20_000)].sort());
  assert.deepEqual(acc?.deletedIds, [makeId(3)]);
  assert.deepEqual(d.objectsAdded, []);
});

test('diff works across bucket schemes and reports objects added and removed', async (t) => {
  const a = await tempDir(t);
  const b = await tempDir(t);
  await writeObjects(a, { Account: Array.from({ length: 100 }, (_, i) => row(i)), Lead: [row(1)] });
  // 30k rows: one file before, 16 buckets after.
  await writeObjects(b, {
    Account: Array.from({ length: 30_000 }, (_, i) => row(i, i === 50 ? 1 : 0)),
    Case: [row(1)],
  });
  const d = await diffSnapshots(a, b);
  const acc = d.objects.find((o) => o.name === 'Account');
  assert.equal(acc?.added, 29_900);
  assert.equal(acc?.changed, 1);
  assert.equal(acc?.deleted, 0);
  assert.deepEqual(d.objectsAdded, ['Case']);
  assert.deepEqual(d.objectsRemoved, ['Lead']);
});

test('an object that failed in the new snapshot is skipped, not reported as deleted', async (t) => {
  const a = await tempDir(t);
  const b = await tempDir(t);
  await writeObjects(a, { Account: [row(1), row(2)], Case: [row(3)] });
  const writer = await createSnapshotWriter(b, run());
  const acc = writer.object(schemaOf('Account', FIELDS));
  await acc.writeRows([row(1), row(2)]);
  await acc.close({ api: 'bulk', countCheck: 2, watermark: null });
  await writer.object(schemaOf('Case', FIELDS)).abort('job failed');
  await writer.finish({ toolVersion: 't' });
  const d = await diffSnapshots(a, b);
  assert.deepEqual(d.objectsSkipped, ['Case']);
  assert.deepEqual(d.objectsRemoved, []);
  assert.equal(d.totals.deleted, 0);
});
