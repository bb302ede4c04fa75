// The exporter feeding the real snapshot writer: a full run and an incremental run merged into it
// both read back as the org's rows, and the manifest carries the exporter's counts and watermarks.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ExportResult, exportOrg } from '../../../src/salesforce/export/export.ts';
import { createSnapshotWriter, type Manifest, readObjectRows } from '../../../src/snapshot/index.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { control, creds, emulator, refreshConnection } from '../../helpers/emulator.ts';
import { orgOf, storeRows } from './export-helpers.ts';

const FAST = { pollIntervalMs: 10, retry: { retries: 4, minTimeoutMs: 5, maxTimeoutMs: 50 } };

let emu: Emulator;
let org: Org;
let root: string;

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 300 }] });
  org = orgOf(emu, 'prod');
  root = await mkdtemp(join(tmpdir(), 'sfbackup-export-'));
  await control(emu, 'POST', '/bulk', { defaultMaxRecords: 40 });
});

after(async () => {
  await emu?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

async function run(dir: string, base?: { dir: string; manifest: Manifest }): Promise<{ result: ExportResult; manifest: Manifest }> {
  const c = creds(emu, 'prod');
  const startedAt = new Date().toISOString();
  const writer = await createSnapshotWriter(
    dir,
    { orgId: c.orgId, alias: 'prod', instanceUrl: c.instanceUrl, apiVersion: '62.0', mode: base ? 'incremental' : 'full', startedAt },
    base ? { base: base.dir } : {},
  );
  const result = await exportOrg(refreshConnection(emu, 'prod'), (schema, opts) => writer.object(schema, opts), {
    ...FAST,
    ...(base ? { base: base.manifest } : {}),
  });
  const manifest = await writer.finish({ toolVersion: 'test' });
  return { result, manifest };
}

async function assertSnapshotEqualsOrg(dir: string, manifest: Manifest): Promise<void> {
  for (const entry of manifest.objects) {
    assert.equal(entry.status, 'ok', entry.name);
    const schema = { name: entry.name, label: entry.name, keyPrefix: null, fields: entry.fields.map((name) => ({ name })) };
    const want = storeRows(org, schema as never);
    let n = 0;
    for await (const row of readObjectRows(dir, entry.name)) {
      n++;
      const cells = want.get(row.Id as string);
      assert.ok(cells, `${entry.name}: ${row.Id} not in the org`);
      entry.fields.forEach((f, i) => {
        if (cells[i] !== '\u0000unstored') assert.equal(row[f], cells[i], `${entry.name}.${f} of ${row.Id}`);
      });
    }
    assert.equal(n, want.size, `${entry.name}: rows`);
    assert.equal(entry.countCheck, want.size, `${entry.name}: countCheck`);
  }
}

describe('exporter into the snapshot writer', () => {
  it('writes a full snapshot equal to the org, then an incremental one after changes', async () => {
    const first = await run(join(root, 'full'));
    assert.ok(first.result.objects.every((o) => o.status === 'ok'));
    await assertSnapshotEqualsOrg(join(root, 'full'), first.manifest);
    assert.ok(first.manifest.objects.find((o) => o.name === 'Account')?.watermark);

    await control(emu, 'POST', '/clock', { advanceSec: 60 });
    await control(emu, 'POST', '/orgs/prod/records/Account', { values: { Name: 'Zed "quoted", Ltd.' } });
    const contact = org.store.db.prepare(`SELECT "Id" FROM "Contact" WHERE "IsDeleted" = 0 LIMIT 1 OFFSET 4`).get() as { Id: string };
    await control(emu, 'PATCH', `/orgs/prod/records/Contact/${contact.Id}`, { values: { LastName: 'Changed' } });
    const opp = org.store.db.prepare(`SELECT "Id" FROM "Opportunity" WHERE "IsDeleted" = 0 LIMIT 1`).get() as { Id: string };
    await control(emu, 'DELETE', `/orgs/prod/records/Opportunity/${opp.Id}?hard=true`);
    await control(emu, 'POST', '/clock', { advanceSec: 600 });

    const second = await run(join(root, 'inc'), { dir: join(root, 'full'), manifest: first.manifest });
    assert.ok(second.result.objects.every((o) => o.status === 'ok'));
    assert.equal(second.result.objects.find((o) => o.name === 'Account')?.fullExport, false);
    await assertSnapshotEqualsOrg(join(root, 'inc'), second.manifest);
  });
});
