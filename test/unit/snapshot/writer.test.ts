import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { bucketName, chooseHexChars, idHash } from '../../../src/snapshot/buckets.ts';
import { createSnapshotWriter, IncrementalNotPossibleError, loadManifest, readObjectRows, verifySnapshot } from '../../../src/snapshot/index.ts';
import { dataFiles, FIELDS, makeId, row, run, schemaOf, tempDir, writeFull } from './helpers.ts';

const NASTY = [
  'plain',
  'comma, inside',
  'quote " inside',
  '"fully quoted"',
  'line\nfeed',
  'carriage\r\nreturn',
  'lone\rcr',
  'Ünïcødé – Ελληνικά – 日本語 – עברית',
  'emoji 😀🎉👍🏽',
  '',
  '   leading and trailing spaces   ',
  '\ttab',
  '=SUM(A1)',
  'null',
  "'single'",
];

test('nasty values survive a write and read back cell for cell', async (t) => {
  const staging = await tempDir(t);
  const fields = ['Id', 'Value', 'Other'];
  const rows = NASTY.map((v, i) => [makeId(i), v, i % 2 ? '' : v]);
  await writeFull(staging, rows, { fields, object: 'Contact' });
  const back = [];
  for await (const r of readObjectRows(staging, 'Contact')) back.push(r);
  assert.deepEqual(
    back,
    rows.map(([Id, Value, Other]) => ({ Id, Value, Other })),
  );
  const csv = await readFile(join(staging, 'prod', 'data', 'Contact', 'all.csv'), 'utf8');
  assert.ok(csv.startsWith('Id,Value,Other\n'), 'header line of field names, LF');
  assert.ok(csv.includes('"comma, inside"'));
  assert.ok(csv.includes('"quote "" inside"'));
  assert.ok(csv.includes('"lone\rcr"'), 'a lone CR is quoted so no parser splits the record');
  assert.ok(csv.includes(`,   leading and trailing spaces   ,`), 'spaces kept, not quoted');
  assert.ok(!csv.includes('\uFEFF'), 'no BOM');
  await verifySnapshot(staging);
});

test('rows are sorted by Id within each file and duplicates keep the last one given', async (t) => {
  const staging = await tempDir(t);
  const writer = await createSnapshotWriter(staging, run());
  const sink = writer.object(schemaOf('Account', FIELDS));
  await sink.writeRows([row(5), row(3), row(9, 1)]);
  await sink.writeRows([row(1), row(9, 2)]);
  await sink.close({ api: 'rest', countCheck: 4, watermark: null });
  const m = await writer.finish({ toolVersion: 't' });
  const ids = [];
  for await (const r of readObjectRows(staging, 'Account')) ids.push([r.Id, r.Description]);
  assert.deepEqual(ids, [
    [makeId(1), ''],
    [makeId(3), ''],
    [makeId(5), ''],
    [makeId(9), 'v2'],
  ]);
  assert.equal(m.objects[0]?.rows, 4);
  assert.deepEqual(m.objects[0]?.bucketScheme, { kind: 'sha1-id15-prefix', hexChars: 0 });
});

test('bucket assignment depends only on the 15-char Id', () => {
  const id = makeId(42);
  assert.equal(idHash(id), idHash(id.slice(0, 15)));
  assert.equal(bucketName(idHash(id), 0), 'all');
  assert.equal(bucketName(idHash(id), 2), idHash(id).slice(0, 2));
  assert.equal(chooseHexChars(20_000, undefined), 0);
  assert.equal(chooseHexChars(20_001, undefined), 1);
  assert.equal(chooseHexChars(400_000, undefined), 2);
  assert.equal(chooseHexChars(70_000, 0), 0, 'keeps the previous scheme until 4x');
  assert.equal(chooseHexChars(80_001, 0), 1);
});

test('a larger object is split into stable buckets recorded in the manifest', async (t) => {
  const a = await tempDir(t);
  const b = await tempDir(t);
  const rows = Array.from({ length: 45_000 }, (_, i) => row(i));
  await writeFull(a, rows);
  const m = await loadManifest(a);
  const obj = m.objects[0];
  assert.equal(obj?.bucketScheme.hexChars, 1);
  assert.equal(obj?.files.length, 16);
  assert.equal(obj?.rows, 45_000);
  for (const f of obj?.files ?? []) {
    const bucket = f.path.slice(-'x.csv'.length, -'.csv'.length);
    const text = await readFile(join(a, 'prod', f.path), 'utf8');
    for (const line of text.split('\n').slice(1, 50)) {
      if (line) assert.equal(idHash(line.slice(0, 18))[0], bucket);
    }
  }
  // The same rows given in another order and another chunking give the same bytes.
  const writer = await createSnapshotWriter(b, run());
  const sink = writer.object(schemaOf('Account', FIELDS));
  for (let i = 0; i < rows.length; i += 777) await sink.writeRows(rows.slice(i, i + 777));
  await sink.close({ api: 'bulk', countCheck: rows.length, watermark: '2026-11-01T00:00:00.000Z' });
  await writer.finish({ toolVersion: 'test' });
  assert.deepEqual(await dataFiles(join(b, 'prod')), await dataFiles(join(a, 'prod')));
});

async function incremental(staging: string, base: string, upserts: string[][], deletes: string[]): Promise<void> {
  const writer = await createSnapshotWriter(staging, run('incremental'), { base });
  const sink = writer.object(schemaOf('Account', FIELDS), { incremental: true });
  await sink.writeRows(upserts);
  await sink.deleteIds(deletes);
  await sink.close({ api: 'bulk', countCheck: null, watermark: upserts.length ? '2026-11-02T00:00:00.000Z' : null });
  await writer.finish({ toolVersion: 'test' });
}

test('an incremental merge equals a full write of the same final rows, byte for byte', async (t) => {
  const base = await tempDir(t);
  const inc = await tempDir(t);
  const full = await tempDir(t);
  const n = 45_000;
  await writeFull(
    base,
    Array.from({ length: n }, (_, i) => row(i)),
  );
  const updated = [10, 2000, 30_000, 44_999];
  const deleted = [5, 777, 2991, 12_345, 40_000];
  const inserted = [n, n + 1, n + 2];
  await incremental(inc, base, [...updated.map((i) => row(i, 7)), ...inserted.map((i) => row(i, 1))], [...deleted.map((i) => makeId(i)), makeId(999_999)]);
  const finalRows = [];
  for (let i = 0; i < n + 3; i++) {
    if (deleted.includes(i)) continue;
    finalRows.push(row(i, updated.includes(i) ? 7 : inserted.includes(i) ? 1 : 0));
  }
  await writeFull(full, finalRows);
  const incFiles = await dataFiles(join(inc, 'prod'));
  assert.deepEqual([...incFiles.keys()].sort(), [...(await dataFiles(join(full, 'prod'))).keys()].sort());
  assert.deepEqual(incFiles, await dataFiles(join(full, 'prod')));
  const mi = await loadManifest(inc);
  const mf = await loadManifest(full);
  assert.deepEqual(mi.objects[0]?.files, mf.objects[0]?.files);
  assert.equal(mi.objects[0]?.rows, n - 2);
  assert.equal(mi.objects[0]?.deletedRows, mf.objects[0]?.deletedRows);
  assert.ok((mf.objects[0]?.deletedRows ?? 0) > 40);
  assert.equal(mi.mode, 'incremental');
  assert.equal(mi.runsSinceFull, 1);
  assert.equal(mi.base?.finishedAt, '2026-11-23T20:05:00.000Z');
  assert.equal(mi.objects[0]?.watermark, '2026-11-02T00:00:00.000Z');
  await verifySnapshot(inc);
});

test('buckets untouched by an incremental change keep the base bytes and sha256', async (t) => {
  const base = await tempDir(t);
  const inc = await tempDir(t);
  await writeFull(
    base,
    Array.from({ length: 45_000 }, (_, i) => row(i)),
  );
  await incremental(inc, base, [row(123, 3)], []);
  const before = await loadManifest(base);
  const after = await loadManifest(inc);
  const touched = idHash(makeId(123))[0];
  const changed = (after.objects[0]?.files ?? []).filter((f) => before.objects[0]?.files.find((g) => g.path === f.path)?.sha256 !== f.sha256);
  assert.deepEqual(
    changed.map((f) => f.path),
    [`data/Account/${touched}.csv`],
  );
  const baseFiles = await dataFiles(join(base, 'prod'));
  for (const [path, bytes] of await dataFiles(join(inc, 'prod'))) {
    if (path !== `Account/${touched}.csv`) assert.deepEqual(bytes, baseFiles.get(path));
  }
  // No change at all: every file is the base's.
  const none = await tempDir(t);
  await incremental(none, base, [], []);
  assert.deepEqual(await dataFiles(join(none, 'prod')), baseFiles);
  assert.equal((await loadManifest(none)).objects[0]?.watermark, '2026-11-01T00:00:00.000Z');
});

test('an incremental sink refuses a changed field list or an object missing from the base', async (t) => {
  const base = await tempDir(t);
  await writeFull(base, [row(1)]);
  const staging = await tempDir(t);
  const writer = await createSnapshotWriter(staging, run('incremental'), { base });
  assert.throws(
    () => writer.object(schemaOf('Account', [...FIELDS, 'NewField__c']), { incremental: true }),
    (err: unknown) => err instanceof IncrementalNotPossibleError && err.blocker === 'fields_changed',
  );
  assert.throws(
    () => writer.object(schemaOf('Lead', FIELDS), { incremental: true }),
    (err: unknown) => err instanceof IncrementalNotPossibleError && err.blocker === 'not_in_base',
  );
  // The caller falls back to a full export of the object.
  const sink = writer.object(schemaOf('Account', [...FIELDS, 'NewField__c']));
  await sink.writeRows([[...row(1), 'x']]);
  await sink.close({ api: 'bulk', countCheck: 1, watermark: null });
  const m = await writer.finish({ toolVersion: 't' });
  assert.equal(m.objects[0]?.mode, 'full');
  await verifySnapshot(staging);
});

test('an aborted object is reported failed and the others are kept', async (t) => {
  const staging = await tempDir(t);
  const writer = await createSnapshotWriter(staging, run());
  const good = writer.object(schemaOf('Account', FIELDS));
  const bad = writer.object(schemaOf('Case', FIELDS));
  await good.writeRows([row(1)]);
  await bad.writeRows([row(2)]);
  await bad.abort('Bulk job failed: InvalidBatch');
  await good.close({ api: 'bulk', countCheck: 1, watermark: null });
  const m = await writer.finish({ toolVersion: 't', failedObjects: [{ name: 'Task', error: 'describe failed' }] });
  assert.deepEqual(
    m.objects.map((o) => [o.name, o.status]),
    [
      ['Account', 'ok'],
      ['Case', 'failed'],
    ],
  );
  assert.deepEqual(m.failedObjects, [
    { name: 'Case', error: 'Bulk job failed: InvalidBatch' },
    { name: 'Task', error: 'describe failed' },
  ]);
  await verifySnapshot(staging);
});

test('deleted rows kept from the recycle bin are counted', async (t) => {
  const staging = await tempDir(t);
  const rows = [row(1), row(2), [makeId(3), 'gone', '', 'true', '2026-11-01T00:00:00.000Z']];
  await writeFull(staging, rows);
  assert.equal((await loadManifest(staging)).objects[0]?.deletedRows, 1);
});

test('an object that outgrows its bucket scheme is re-bucketed like a full write', async (t) => {
  const base = await tempDir(t);
  const inc = await tempDir(t);
  const full = await tempDir(t);
  await writeFull(
    base,
    Array.from({ length: 100 }, (_, i) => row(i)),
  );
  const added = Array.from({ length: 90_000 }, (_, i) => row(100 + i));
  await incremental(inc, base, added, [makeId(0)]);
  await writeFull(full, Array.from({ length: 90_100 }, (_, i) => row(i)).slice(1));
  const m = await loadManifest(inc);
  assert.equal(m.objects[0]?.bucketScheme.hexChars, 1);
  assert.equal(m.objects[0]?.rows, 90_099);
  assert.equal(m.objects[0]?.deletedRows, (await loadManifest(full)).objects[0]?.deletedRows);
  assert.deepEqual(await dataFiles(join(inc, 'prod')), await dataFiles(join(full, 'prod')));
});

test('an empty object has no data files and verifies; an incremental run can add its first rows', async (t) => {
  const base = await tempDir(t);
  await writeFull(base, []);
  const m = await loadManifest(base);
  assert.deepEqual(m.objects[0]?.files, []);
  assert.equal(m.objects[0]?.rows, 0);
  await verifySnapshot(base);
  const inc = await tempDir(t);
  await incremental(inc, base, [row(1)], []);
  const rows = [];
  for await (const r of readObjectRows(inc, 'Account')) rows.push(r.Id);
  assert.deepEqual(rows, [makeId(1)]);
  await verifySnapshot(inc);
});
