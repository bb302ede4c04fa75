// Mass-delete detection compares live rows (rows minus Recycle Bin rows) per object between snapshots.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findMassDeletes, formatMassDeletes } from '../../../src/backup/mass-delete.ts';
import type { Manifest } from '../../../src/snapshot/index.ts';

function manifest(objects: [string, number, number, ('ok' | 'failed')?][]): Manifest {
  return {
    objects: objects.map(([name, rows, deletedRows, status]) => ({ name, rows, deletedRows, status: status ?? 'ok' })),
  } as unknown as Manifest;
}

const rule = { share: 0.1, minRows: 100 };

test('a drop above the share and the minimum is a mass delete; rows moved to the Recycle Bin count as dropped', () => {
  const before = manifest([
    ['Account', 2000, 0],
    ['Contact', 5000, 10],
    ['Task', 300, 0],
    ['Lead', 50, 0],
  ]);
  const after = manifest([
    ['Account', 2000, 400], // 400 deleted to the bin: 2000 → 1600 live
    ['Contact', 4500, 10], // purged: 4990 → 4490 live
    ['Task', 250, 0], // 50 rows: under the minimum
    ['Lead', 0, 0], // all gone, but only 50 rows
  ]);
  const found = findMassDeletes(before, after, rule);
  assert.deepEqual(found, [
    { object: 'Account', before: 2000, after: 1600, dropped: 400 },
    { object: 'Contact', before: 4990, after: 4490, dropped: 500 },
  ]);
  assert.equal(formatMassDeletes(found), 'Account:-400,Contact:-500');
});

test('small shares, growth, objects that left the snapshot and failed objects are not mass deletes', () => {
  const before = manifest([
    ['Account', 10000, 0],
    ['Gone', 5000, 0],
    ['Broken', 5000, 0],
  ]);
  const after = manifest([
    ['Account', 9500, 0],
    ['Broken', 0, 0, 'failed'],
  ]);
  assert.deepEqual(findMassDeletes(before, after, rule), []);
  assert.deepEqual(findMassDeletes(before, manifest([['Account', 12000, 0]]), rule), []);
});
