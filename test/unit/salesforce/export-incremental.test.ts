// Incremental exports: after inserts, updates, soft deletes and hard deletes in the org, an
// incremental run merged into the previous run's rows equals the org row for row; objects that
// cannot be merged (not replicateable, new, changed fields) are exported in full and say so.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ExportResult, exportOrg } from '../../../src/salesforce/export/export.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { control, emulator, refreshConnection } from '../../helpers/emulator.ts';
import { assertSameAsOrg, MemSnapshot, orgOf } from './export-helpers.ts';

const FAST = { pollIntervalMs: 10, retry: { retries: 4, minTimeoutMs: 5, maxTimeoutMs: 50 } };

let emu: Emulator;
let org: Org;

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 300 }] });
  org = orgOf(emu, 'prod');
  await control(emu, 'POST', '/bulk', { defaultMaxRecords: 40 });
});

after(async () => {
  await emu?.close();
});

function someId(object: string, offset = 0): string {
  const r = org.store.db.prepare(`SELECT "Id" FROM "${object}" WHERE "IsDeleted" = 0 ORDER BY "Id" LIMIT 1 OFFSET ?`).get(offset) as { Id: string };
  return r.Id;
}

describe('incremental export', () => {
  let full: MemSnapshot;
  let inc: MemSnapshot;
  let result: ExportResult;
  const ids: Record<string, string> = {};

  before(async () => {
    full = new MemSnapshot();
    const first = await exportOrg(refreshConnection(emu, 'prod'), full.factory, FAST);
    assert.ok(first.objects.every((o) => o.status === 'ok'));

    await control(emu, 'POST', '/clock', { advanceSec: 60 });
    const created = await control<{ id: string }>(emu, 'POST', '/orgs/prod/records/Account', { values: { Name: 'Ünïcødé "new", Inc.\nline two' } });
    ids.inserted = created.id;
    ids.updated = someId('Contact', 3);
    await control(emu, 'PATCH', `/orgs/prod/records/Contact/${ids.updated}`, { values: { LastName: 'O\'Brien, "Jr."' } });
    ids.softDeleted = someId('Contact', 5);
    await control(emu, 'DELETE', `/orgs/prod/records/Contact/${ids.softDeleted}`);
    ids.hardDeleted = someId('Opportunity', 2);
    await control(emu, 'DELETE', `/orgs/prod/records/Opportunity/${ids.hardDeleted}?hard=true`);
    // getDeleted answers at minute granularity, a little behind the clock.
    await control(emu, 'POST', '/clock', { advanceSec: 600 });

    inc = new MemSnapshot(full);
    result = await exportOrg(refreshConnection(emu, 'prod'), inc.factory, { ...FAST, base: full.asBase() });
  });

  it('equals the org row for row after the changes', () => {
    assertSameAsOrg(org, inc, result);
  });

  it('merges only what changed into the previous rows', () => {
    const acc = result.objects.find((o) => o.name === 'Account');
    assert.equal(acc?.fullExport, false);
    assert.equal(acc?.rows, 1, 'only the inserted Account is fetched');
    assert.ok(inc.objects.get('Account')?.rows.has(ids.inserted as string));
    const contact = result.objects.find((o) => o.name === 'Contact');
    assert.equal(contact?.fullExport, false);
    assert.equal(contact?.rows, 2, 'the updated and the soft-deleted Contact');
  });

  it('keeps soft-deleted rows marked and removes hard-deleted ones', () => {
    const contacts = inc.objects.get('Contact');
    const isDeleted = contacts?.schema.fields.findIndex((f) => f.name === 'IsDeleted') ?? -1;
    assert.equal(contacts?.rows.get(ids.softDeleted as string)?.[isDeleted], 'true');
    assert.deepEqual(contacts?.deleted, []);
    const opp = inc.objects.get('Opportunity');
    assert.ok(!opp?.rows.has(ids.hardDeleted as string));
    assert.deepEqual(opp?.deleted, [ids.hardDeleted]);
    assert.equal(result.objects.find((o) => o.name === 'Opportunity')?.deletedIds, 1);
  });

  it('advances the watermark past the changes', () => {
    const before = full.objects.get('Contact')?.info?.watermark ?? '';
    const after = inc.objects.get('Contact')?.info?.watermark ?? '';
    assert.ok(Date.parse(after) > Date.parse(before));
  });

  it('exports objects whose deletions Salesforce does not report in full, and says why', () => {
    const history = result.objects.find((o) => o.name === 'AccountHistory');
    assert.equal(history?.fullExport, true);
    assert.match(history?.fullReason ?? '', /replicateable/);
  });

  it('exports an object in full when its field list changed', async () => {
    const again = new MemSnapshot(inc);
    const r = await exportOrg(refreshConnection(emu, 'prod'), again.factory, {
      ...FAST,
      include: ['Account', 'Contact'],
      excludeFields: ['Contact.Description'],
      base: inc.asBase(),
    });
    const contact = r.objects.find((o) => o.name === 'Contact');
    assert.equal(contact?.fullExport, true);
    assert.match(contact?.fullReason ?? '', /fields changed/);
    assert.equal(r.objects.find((o) => o.name === 'Account')?.fullExport, false);
    assertSameAsOrg(org, again, r);
  });
});
