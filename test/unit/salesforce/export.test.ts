// exportOrg against the Salesforce emulator with real jsforce: every exportable object arrives
// with the emulator's rows cell for cell (nasty strings included), over several Bulk result pages,
// the object Bulk refuses comes through REST, and object/field selection does what the config says.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MisconfiguredError } from '../../../src/runtime/auth-errors.ts';
import { createParsePool } from '../../../src/salesforce/bulk-csv/parse-pool.ts';
import { SelectionError } from '../../../src/salesforce/export/describe.ts';
import { type ExportProgress, type ExportResult, exportOrg } from '../../../src/salesforce/export/export.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { control, emulator, refreshConnection } from '../../helpers/emulator.ts';
import { assertSameAsOrg, MemSnapshot, orgOf } from './export-helpers.ts';

const FAST = { pollIntervalMs: 10, retry: { retries: 4, minTimeoutMs: 5, maxTimeoutMs: 50 } };

let emu: Emulator;
let org: Org;

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 500 }] });
  org = orgOf(emu, 'prod');
  // Several result pages per object: the exporter must follow Sforce-Locator to the literal null.
  await control(emu, 'POST', '/bulk', { defaultMaxRecords: 25 });
});

after(async () => {
  await emu?.close();
});

describe('full export', () => {
  let snap: MemSnapshot;
  let result: ExportResult;
  const progress: ExportProgress[] = [];
  let softDeleted: string;

  before(async () => {
    // One Account in the Recycle Bin: it must come along, marked IsDeleted.
    const acc = org.store.db.prepare(`SELECT "Id" FROM "Account" WHERE "IsDeleted" = 0 LIMIT 1`).get() as { Id: string };
    softDeleted = acc.Id;
    await control(emu, 'DELETE', `/orgs/prod/records/Account/${softDeleted}`);
    snap = new MemSnapshot();
    result = await exportOrg(refreshConnection(emu, 'prod'), snap.factory, { ...FAST, progressIntervalMs: 0, onProgress: (p) => progress.push(p) });
  });

  it('exports every queryable, retrieveable object, and only those', () => {
    const names = result.objects.map((o) => o.name).sort();
    assert.ok(names.includes('Account') && names.includes('Contact') && names.includes('Project__c') && names.includes('OpportunityStage'));
    assert.ok(!names.includes('AggregateResult'), 'AggregateResult is not queryable');
    assert.ok(result.objects.every((o) => o.status === 'ok' && o.fullExport));
  });

  it('gives each object the same rows and cells as the org, counted by SELECT COUNT()', () => {
    assertSameAsOrg(org, snap, result);
    const contacts = result.objects.find((o) => o.name === 'Contact');
    assert.ok(contacts && contacts.rows > 25, 'Contact spans several result pages');
  });

  it('keeps Recycle Bin rows, marked by IsDeleted', () => {
    const acc = snap.objects.get('Account');
    assert.ok(acc);
    const isDeleted = acc.schema.fields.findIndex((f) => f.name === 'IsDeleted');
    assert.equal(acc.rows.get(softDeleted)?.[isDeleted], 'true');
  });

  it('takes the object Bulk API 2.0 refuses through REST, with the same cell format', () => {
    const stage = result.objects.find((o) => o.name === 'OpportunityStage');
    assert.equal(stage?.api, 'rest');
    assert.ok(stage.rows > 0);
    assert.equal(result.objects.find((o) => o.name === 'Account')?.api, 'bulk');
  });

  it('puts Id first, drops compound and base64 fields and keeps their components', () => {
    const acc = snap.objects.get('Account')?.schema.fields.map((f) => f.name) ?? [];
    assert.equal(acc[0], 'Id');
    assert.ok(!acc.includes('BillingAddress'));
    assert.ok(acc.includes('BillingStreet') && acc.includes('BillingCity'));
    const att = snap.objects.get('Attachment')?.schema.fields ?? [];
    assert.ok(att.length > 0 && att.every((f) => f.type !== 'base64'));
  });

  it('records a SystemModstamp watermark per object', () => {
    const acc = snap.objects.get('Account');
    const stamp = acc?.schema.fields.findIndex((f) => f.name === 'SystemModstamp') ?? -1;
    const max = [...(acc?.rows.values() ?? [])]
      .map((r) => r[stamp] ?? '')
      .sort()
      .at(-1);
    assert.equal(acc?.info?.watermark, max);
  });

  it('reports progress per object and the API calls it made', () => {
    const acc = progress.filter((p) => p.object === 'Contact');
    assert.equal(acc[0]?.phase, 'started');
    assert.equal(acc.at(-1)?.phase, 'done');
    assert.ok(acc.some((p) => p.phase === 'rows' && p.rows > 0));
    assert.ok(result.apiCallsUsed > result.objects.length * 4);
    assert.ok(result.apiRemaining !== null && result.apiMax === 15_000 && result.apiRemaining < 15_000);
  });

  it('deletes its Bulk jobs', async () => {
    const jobs = await control<{ state: string }[]>(emu, 'GET', '/bulk/jobs?org=prod');
    assert.equal(jobs.length, 0, JSON.stringify(jobs.slice(0, 2)));
  });
});

describe('object and field selection', () => {
  it('honours include patterns, excludes and excluded fields', async () => {
    const snap = new MemSnapshot();
    const result = await exportOrg(refreshConnection(emu, 'prod'), snap.factory, {
      ...FAST,
      include: ['Account', 'Contact', '*__c'],
      exclude: ['Project_Member__c'],
      excludeFields: ['Account.Phone', '*.Description'],
    });
    assert.deepEqual(result.objects.map((o) => o.name).sort(), ['Account', 'Contact', 'Project__c']);
    const acc = snap.objects.get('Account')?.schema.fields.map((f) => f.name) ?? [];
    assert.ok(!acc.includes('Phone') && !acc.includes('Description') && acc.includes('Name'));
    assertSameAsOrg(org, snap, result);
  });

  it('gives the same rows and cells when result pages are parsed on a worker thread', async () => {
    const pool = createParsePool(2);
    try {
      const threaded = new MemSnapshot();
      const r = await exportOrg(refreshConnection(emu, 'prod'), threaded.factory, { ...FAST, parsePool: pool });
      assertSameAsOrg(org, threaded, r);
      assert.ok((r.objects.find((o) => o.name === 'Contact')?.rows ?? 0) > 25, 'several pages per object');
    } finally {
      await pool.close();
    }
  });

  it('names every unknown included object, the closest names and the fix', async () => {
    // A selection typo is a configuration error, not an authorization one (the login worked).
    await assert.rejects(
      exportOrg(refreshConnection(emu, 'prod'), new MemSnapshot().factory, { ...FAST, include: ['Acount', 'Contact', 'Contcat', 'Zzz*'] }),
      (err: unknown) =>
        err instanceof SelectionError &&
        err.state === 'misconfigured' &&
        /Acount does not exist in this org .*; did you mean Account\?/.test(err.message) &&
        /Contcat does not exist in this org .*; did you mean Contact\?/.test(err.message) &&
        /Zzz\* matched nothing/.test(err.message) &&
        /Exportable objects in this org \(\d+\): .*Account/.test(err.message) &&
        /__c/.test(err.remedy),
    );
  });

  it('names an unknown excluded field and the fix', async () => {
    await assert.rejects(
      exportOrg(refreshConnection(emu, 'prod'), new MemSnapshot().factory, { ...FAST, include: ['Account'], excludeFields: ['Account.SSN__c'] }),
      (err: unknown) => err instanceof MisconfiguredError && /Account\.SSN__c/.test(err.message) && /Object Manager/.test(err.remedy),
    );
  });
});
