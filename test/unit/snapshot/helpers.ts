// Fixtures for the snapshot tests: schemas, Ids and rows without an org.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObjectSchema, SchemaField, SnapshotRunInfo } from '../../../src/snapshot/contracts.ts';
import { createSnapshotWriter } from '../../../src/snapshot/index.ts';

export function field(name: string): SchemaField {
  return {
    name,
    type: name === 'Id' ? 'id' : 'string',
    label: name,
    referenceTo: [],
    relationshipName: null,
    createable: name !== 'Id',
    updateable: name !== 'Id',
    nillable: name !== 'Id',
    externalId: false,
    unique: false,
    calculated: false,
    autoNumber: false,
    defaultedOnCreate: false,
    cascadeDelete: false,
    length: 255,
  };
}

export function schemaOf(name: string, fields: string[]): ObjectSchema {
  return { name, label: name, keyPrefix: '001', fields: fields.map(field) };
}

/** An 18-char Salesforce-like Id, unique by n. */
export function makeId(n: number, prefix = '001'): string {
  return `${prefix}${n.toString(36).padStart(12, '0')}AAA`;
}

export function run(mode: 'full' | 'incremental' = 'full', alias = 'prod'): SnapshotRunInfo {
  return {
    orgId: '00D000000000001EAA',
    alias,
    instanceUrl: 'https://example.my.salesforce.com',
    apiVersion: '62.0',
    mode,
    startedAt: '2026-11-23T20:00:00.000Z',
  };
}

export async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sfbackup-snap-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export const FIELDS = ['Id', 'Name', 'Description', 'IsDeleted', 'SystemModstamp'];

export function row(n: number, version = 0): string[] {
  // Every 997th row sits in the recycle bin, as queryAll returns it.
  const deleted = n > 0 && n % 997 === 0 ? 'true' : 'false';
  return [makeId(n), `Name ${n}`, version ? `v${version}` : '', deleted, '2026-11-01T00:00:00.000Z'];
}

/** Writes one full snapshot of `rows` for Account and returns the staging dir. */
export async function writeFull(staging: string, rows: string[][], opts: { base?: string; fields?: string[]; object?: string } = {}): Promise<string> {
  const writer = await createSnapshotWriter(staging, run('full'), opts.base ? { base: opts.base } : {});
  const sink = writer.object(schemaOf(opts.object ?? 'Account', opts.fields ?? FIELDS));
  // Arrive in pages, out of order, as Bulk results do.
  const shuffled = [...rows].reverse();
  for (let i = 0; i < shuffled.length; i += 5000) await sink.writeRows(shuffled.slice(i, i + 5000));
  await sink.close({ api: 'bulk', countCheck: rows.length, watermark: '2026-11-01T00:00:00.000Z' });
  await writer.finish({ toolVersion: 'test', finishedAt: '2026-11-23T20:05:00.000Z' });
  return staging;
}

/** path → file bytes of everything under `<dir>/data`. */
export async function dataFiles(aliasDir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const root = join(aliasDir, 'data');
  for (const obj of await readdir(root)) {
    for (const f of await readdir(join(root, obj))) out.set(`${obj}/${f}`, await readFile(join(root, obj, f)));
  }
  return out;
}

/** One full snapshot holding several objects (all with FIELDS). */
export async function writeObjects(staging: string, objects: Record<string, string[][]>): Promise<void> {
  const writer = await createSnapshotWriter(staging, run('full'));
  for (const [name, rows] of Object.entries(objects)) {
    const sink = writer.object(schemaOf(name, FIELDS));
    await sink.writeRows(rows);
    await sink.close({ api: 'bulk', countCheck: rows.length, watermark: null });
  }
  await writer.finish({ toolVersion: 'test' });
}
