// What the backup e2e tests share: nasty values to plant in an org, reading a snapshot back, and the
// one assertion that matters: every object's CSV equals the emulator's store row for row and field
// for field (read straight from its SQLite tables, not through any API).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { toCsv } from '../emulators/salesforce/store/values.ts';
import { control } from '../helpers/emulator.ts';

/** Values that break naive CSV writers, parsers and Excel, kept exactly. */
export const NASTY = [
  'Comma, Inc.',
  'Quote "Unquote" Ltd',
  'Line one\nline two',
  'CRLF\r\nsecond',
  '  leading and trailing spaces  ',
  'Ünïcødé 東京 🚀',
  '=HYPERLINK("http://x")',
  'tab\there',
  'back\\slash',
  'null',
  '""',
  "O'Brien; semi",
];

export async function plantNasty(emu: Emulator, alias: string): Promise<string[]> {
  const res = await control<{ results: { id: string; success: boolean }[] }>(emu, 'POST', `/orgs/${alias}/records/Account`, {
    records: NASTY.map((name, i) => ({ Name: name, Description: `${name}\n${NASTY[(i + 1) % NASTY.length]}` })),
  });
  assert.ok(
    res.results.every((r) => r.success),
    JSON.stringify(res),
  );
  return res.results.map((r) => r.id);
}

export interface SnapshotManifest {
  orgId: string;
  mode: string;
  objects: { name: string; status: string; fields: string[]; rows: number; deletedRows: number; files: { path: string; sha256: string; rows: number }[] }[];
  failedObjects: { name: string; error: string }[];
  totals: { objects: number; rows: number; files: number; bytes: number };
}

export function readManifest(aliasDir: string): SnapshotManifest {
  return JSON.parse(readFileSync(path.join(aliasDir, 'manifest.json'), 'utf8')) as SnapshotManifest;
}

/** Rows of one object as the snapshot holds them, header first. */
export function readObjectCsv(aliasDir: string, object: string): { header: string[]; rows: string[][] } {
  const m = readManifest(aliasDir);
  const entry = m.objects.find((o) => o.name === object);
  assert.ok(entry, `${object} is not in the snapshot`);
  const rows: string[][] = [];
  for (const f of entry.files) {
    const records = parse(readFileSync(path.join(aliasDir, f.path)), { relax_column_count: false }) as string[][];
    assert.deepEqual(records[0], entry.fields, `${f.path} header`);
    rows.push(...records.slice(1));
  }
  return { header: entry.fields, rows };
}

/**
 * Every object of the snapshot equals the org's table: same Ids, and every stored field's value as
 * Bulk CSV formats it. Returns how many cells were compared (so a test can check it was not vacuous).
 */
export function assertSnapshotEqualsStore(emu: Emulator, alias: string, aliasDir: string): number {
  const org = [...emu.state.orgs.values()].find((o) => o.alias === alias);
  assert.ok(org, `no org ${alias}`);
  const m = readManifest(aliasDir);
  assert.deepEqual(m.failedObjects, []);
  let cells = 0;
  for (const entry of m.objects) {
    const obj = org.store.object(entry.name);
    assert.ok(obj, `${entry.name} is not an emulator object`);
    const { header, rows } = readObjectCsv(aliasDir, entry.name);
    const fields = header.map((name) => obj.fields.find((f) => f.name === name));
    header.forEach((name, i) => {
      assert.ok(fields[i], `${entry.name}.${name} is not a field of the object`);
    });
    const stored = org.store.db.prepare(`SELECT * FROM "${entry.name}"`).all() as Record<string, unknown>[];
    const byId = new Map(stored.map((r) => [String(r.Id), r]));
    assert.equal(rows.length, stored.length, `${entry.name}: ${rows.length} rows in the snapshot, ${stored.length} in the org`);
    const ids = rows.map((r) => r[0] as string);
    assert.deepEqual(ids, [...ids].sort(), `${entry.name}: rows are not sorted by Id`);
    for (const row of rows) {
      const dbRow = byId.get(row[0] as string);
      assert.ok(dbRow, `${entry.name} ${row[0]} is not in the org`);
      header.forEach((name, i) => {
        const f = fields[i];
        if (!f?.stored) return;
        const expected = toCsv(f, (dbRow[name] ?? null) as Parameters<typeof toCsv>[1]);
        assert.equal(row[i], expected, `${entry.name} ${row[0]} ${name}`);
        cells++;
      });
    }
  }
  return cells;
}

/** Every file under the alias dir except the manifest (which records run times), by sha256. */
export function dataFiles(aliasDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(aliasDir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = path.relative(aliasDir, path.join(e.parentPath, e.name));
    if (rel === 'manifest.json') continue;
    out[rel] = createHash('sha256')
      .update(readFileSync(path.join(aliasDir, rel)))
      .digest('hex');
  }
  return out;
}
