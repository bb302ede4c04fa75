// getUpdated / getDeleted (spec §5): windows at minute granularity, latestDateCovered, the 30-day
// limit, soft and hard deletes in the deletion log, through real jsforce 3 with the emulator clock
// moved by the control API, and the exact wire shapes through fetch.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import type { SaveResult } from '../../emulators/salesforce/store/dml.ts';
import { API_VERSION, control, emulator, raw, sessionConnection } from '../../helpers/emulator.ts';
import { orgOf } from './soql-helpers.ts';

let emu: Emulator;
let org: Org;
let conn: Connection;
let token: string;

type Updated = { ids: string[]; latestDateCovered: string };
type Deleted = { deletedRecords: { id: string; deletedDate: string }[]; earliestDateAvailable: string; latestDateCovered: string };

async function clock(body: Record<string, unknown>): Promise<void> {
  await control(emu, 'POST', '/clock', body);
  if (body.set !== undefined) {
    // A jump of days outlives the session's idle timeout: log in again at the new time.
    conn = await sessionConnection(emu, 'repl');
    token = conn.accessToken as string;
  }
}

async function create(type: string, values: Record<string, unknown>): Promise<string> {
  const r = (await conn.sobject(type).create(values)) as SaveResult;
  assert.equal(r.success, true, JSON.stringify(r));
  return r.id as string;
}

async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await raw(`${org.instanceUrl}/services/data/v${API_VERSION}${path}`, { token });
  return { status: res.status, body: JSON.parse(res.text) as unknown };
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'repl', records: 0 }] });
  org = orgOf(emu, 'repl');
  conn = await sessionConnection(emu, 'repl');
  token = conn.accessToken as string;
});

after(async () => {
  await emu?.close();
});

describe('getUpdated', () => {
  it('lists ids by SystemModstamp at minute granularity and reports latestDateCovered', async () => {
    await clock({ set: '2030-01-01T10:00:05Z' });
    const a = await create('Account', { Name: 'A' });
    const b = await create('Account', { Name: 'B' });
    await clock({ advanceSec: 60 });
    await conn.sobject('Account').update({ Id: b, Phone: '1' });
    await clock({ advanceSec: 120 });

    // Seconds are ignored: 10:00:30 reads as 10:00.
    const all = (await conn.sobject('Account').updated('2030-01-01T10:00:30Z', '2030-01-01T10:05:00Z')) as Updated;
    assert.deepEqual(all.ids, [a, b]);
    // The data is complete up to the last minute boundary the clock has passed, not up to `end`.
    assert.equal(all.latestDateCovered, '2030-01-01T10:03:00.000+0000');

    const first = (await conn.sobject('Account').updated('2030-01-01T10:00:00Z', '2030-01-01T10:01:00Z')) as Updated;
    assert.deepEqual(first.ids, [a], 'B moved out of this window when it was modified at 10:01');
    assert.equal(first.latestDateCovered, '2030-01-01T10:01:00.000+0000');
    const second = (await conn.sobject('Account').updated('2030-01-01T10:01:00Z', '2030-01-01T10:03:00Z')) as Updated;
    assert.deepEqual(second.ids, [b]);

    await conn.sobject('Account').destroy(a);
    await clock({ advanceSec: 60 });
    const afterDelete = (await conn.sobject('Account').updated('2030-01-01T10:00:00Z', '2030-01-01T10:10:00Z')) as Updated;
    assert.deepEqual(afterDelete.ids, [b], 'soft-deleted rows are not "updated"');
  });

  it('chains runs from latestDateCovered without gap or overlap', async () => {
    await clock({ set: '2030-01-02T08:00:10Z' });
    const now = () => new Date(emu.state.clock.now()).toISOString();
    const x = await create('Project__c', { Name: 'X' });
    await clock({ advanceSec: 80 });
    // Written in the minute that is still running when run 1 asks: it belongs to run 2.
    const z = await create('Project__c', { Name: 'Z' });
    const run1 = (await conn.sobject('Project__c').updated('2030-01-02T08:00:00Z', now())) as Updated;
    assert.deepEqual(run1.ids, [x]);
    assert.equal(run1.latestDateCovered, '2030-01-02T08:01:00.000+0000');
    const y = await create('Project__c', { Name: 'Y' });
    await clock({ advanceSec: 60 });
    const run2 = (await conn.sobject('Project__c').updated(run1.latestDateCovered, now())) as Updated;
    assert.deepEqual(run2.ids, [z, y]);
    assert.equal(run2.latestDateCovered, '2030-01-02T08:02:00.000+0000');
    await clock({ advanceSec: 60 });
    const run3 = (await conn.sobject('Project__c').updated(run2.latestDateCovered, now())) as Updated;
    assert.deepEqual(run3.ids, []);
  });

  it('accepts the date forms clients send and a trailing slash', async () => {
    await clock({ set: '2030-01-03T09:00:05Z' });
    const id = await create('Account', { Name: 'forms' });
    await clock({ advanceSec: 120 });
    const forms = [
      'start=2030-01-03T09%3A00%3A00%2B00%3A00&end=2030-01-03T09%3A02%3A00%2B00%3A00',
      'start=2030-01-03T09:00:00Z&end=2030-01-03T09:02:00Z',
      'start=2030-01-03T09:00:00.000+0000&end=2030-01-03T09:02:00.000+0000',
      'start=2030-01-03T09:00:00+00:00&end=2030-01-03T09:02:00+00:00',
    ];
    for (const q of forms) {
      for (const path of [`/sobjects/Account/updated?${q}`, `/sobjects/Account/updated/?${q}`]) {
        const res = await get(path);
        assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
        assert.deepEqual(res.body, { ids: [id], latestDateCovered: '2030-01-03T09:02:00.000+0000' });
      }
    }
  });

  it('lets latestDateCovered trail the clock (lagSec knob)', async () => {
    await clock({ set: '2030-01-04T09:10:05Z' });
    await control(emu, 'POST', '/orgs/repl/replication', { lagSec: 120 });
    try {
      const res = (await conn.sobject('Account').updated('2030-01-04T09:00:00Z', '2030-01-04T09:30:00Z')) as Updated;
      assert.equal(res.latestDateCovered, '2030-01-04T09:08:00.000+0000');
    } finally {
      await control(emu, 'POST', '/orgs/repl/replication', { lagSec: 0 });
    }
  });
});

describe('getDeleted', () => {
  it('lists soft deletes, hard deletes, purged rows and cascaded children', async () => {
    await clock({ set: '2030-01-05T10:00:05Z' });
    const soft = await create('Account', { Name: 'soft' });
    const hard = await create('Account', { Name: 'hard' });
    const purged = await create('Account', { Name: 'purged' });
    const project = await create('Project__c', { Name: 'master' });
    const member = await create('Project_Member__c', { Project__c: project });
    await clock({ advanceSec: 60 });
    await conn.sobject('Account').destroy(soft);
    await control(emu, 'DELETE', `/orgs/repl/records/Account/${hard}?hard=true`);
    await conn.sobject('Account').destroy(purged);
    await control(emu, 'POST', '/orgs/repl/recyclebin/purge', {});
    await conn.sobject('Project__c').destroy(project);
    await clock({ advanceSec: 120 });

    const res = (await conn.sobject('Account').deleted('2030-01-05T10:00:00Z', '2030-01-05T10:10:00Z')) as Deleted;
    assert.deepEqual(
      res.deletedRecords.map((d) => d.id),
      [soft, hard, purged],
    );
    for (const d of res.deletedRecords) assert.match(d.deletedDate, /^2030-01-05T10:01:05\.\d{3}\+0000$/);
    assert.equal(res.latestDateCovered, '2030-01-05T10:03:00.000+0000');
    assert.ok(res.earliestDateAvailable <= '2030-01-05T10:00:00.000+0000', res.earliestDateAvailable);
    assert.match(res.earliestDateAvailable, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000\+0000$/);

    const members = (await conn.sobject('Project_Member__c').deleted('2030-01-05T10:00:00Z', '2030-01-05T10:10:00Z')) as Deleted;
    assert.deepEqual(
      members.deletedRecords.map((d) => d.id),
      [member],
    );
    const before = (await conn.sobject('Account').deleted('2030-01-05T10:00:00Z', '2030-01-05T10:01:00Z')) as Deleted;
    assert.deepEqual(before.deletedRecords, []);
    const updated = (await conn.sobject('Account').updated('2030-01-05T10:00:00Z', '2030-01-05T10:10:00Z')) as Updated;
    assert.deepEqual(updated.ids, []);
  });

  it('forgets deletion history on request and moves earliestDateAvailable', async () => {
    await clock({ set: '2030-01-06T10:00:05Z' });
    const early = await create('Account', { Name: 'early' });
    const late = await create('Account', { Name: 'late' });
    await control(emu, 'DELETE', `/orgs/repl/records/Account/${early}?hard=true`);
    await clock({ advanceSec: 120 });
    await control(emu, 'DELETE', `/orgs/repl/records/Account/${late}?hard=true`);
    await clock({ advanceSec: 120 });
    await control(emu, 'POST', '/orgs/repl/replication', { forgetDeletedBefore: '2030-01-06T10:01:00Z' });
    try {
      const res = (await conn.sobject('Account').deleted('2030-01-06T10:00:00Z', '2030-01-06T10:10:00Z')) as Deleted;
      assert.deepEqual(
        res.deletedRecords.map((d) => d.id),
        [late],
      );
      assert.equal(res.earliestDateAvailable, '2030-01-06T10:01:00.000+0000');
    } finally {
      await control(emu, 'POST', '/orgs/repl/replication', { earliestDateAvailable: null });
    }
  });

  it('drops undeleted records from the list; they come back as updated', async () => {
    await clock({ set: '2030-01-07T10:00:05Z' });
    const id = await create('Account', { Name: 'phoenix' });
    await conn.sobject('Account').destroy(id);
    await clock({ advanceSec: 60 });
    await control(emu, 'POST', `/orgs/repl/records/Account/${id}/undelete`, {});
    await clock({ advanceSec: 60 });
    const del = (await conn.sobject('Account').deleted('2030-01-07T10:00:00Z', '2030-01-07T10:05:00Z')) as Deleted;
    assert.deepEqual(del.deletedRecords, []);
    const upd = (await conn.sobject('Account').updated('2030-01-07T10:01:00Z', '2030-01-07T10:05:00Z')) as Updated;
    assert.deepEqual(upd.ids, [id]);
  });
});

describe('errors', () => {
  it('rejects windows older than 30 days or not moving forward with INVALID_REPLICATION_DATE', async () => {
    await clock({ set: '2030-02-15T12:00:05Z' });
    const old = await get('/sobjects/Account/updated?start=2030-01-10T00:00:00Z&end=2030-02-15T00:00:00Z');
    assert.equal(old.status, 400);
    const body = old.body as { errorCode: string; message: string }[];
    assert.equal(body.length, 1);
    assert.equal(body[0]?.errorCode, 'INVALID_REPLICATION_DATE');
    assert.equal(typeof body[0]?.message, 'string');
    assert.equal((await get('/sobjects/Account/deleted?start=2030-01-20T00:00:00Z&end=2030-02-15T00:00:00Z')).status, 200);

    const backwards = await get('/sobjects/Account/deleted?start=2030-02-15T11:00:00Z&end=2030-02-15T10:00:00Z');
    assert.equal((backwards.body as { errorCode: string }[])[0]?.errorCode, 'INVALID_REPLICATION_DATE');
    const sameMinute = await get('/sobjects/Account/updated?start=2030-02-15T11:00:05Z&end=2030-02-15T11:00:55Z');
    assert.equal((sameMinute.body as { errorCode: string }[])[0]?.errorCode, 'INVALID_REPLICATION_DATE');

    const viaJsforce = await conn
      .sobject('Account')
      .updated('2029-01-01T00:00:00Z', '2030-02-15T00:00:00Z')
      .then(
        () => assert.fail('expected an error'),
        (e: { errorCode?: string }) => e,
      );
    assert.equal(viaJsforce.errorCode, 'INVALID_REPLICATION_DATE');
  });

  it('refuses objects that are not replicateable, unknown objects and missing parameters', async () => {
    const q = 'start=2030-02-15T10:00:00Z&end=2030-02-15T11:00:00Z';
    for (const obj of ['AccountHistory', 'Organization', 'AggregateResult']) {
      const res = await get(`/sobjects/${obj}/updated?${q}`);
      assert.equal(res.status, 400, obj);
      assert.equal((res.body as { errorCode: string }[])[0]?.errorCode, 'INVALID_TYPE');
    }
    const unknown = await get(`/sobjects/Nope__c/deleted?${q}`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    const missing = await get('/sobjects/Account/updated?start=2030-02-15T10:00:00Z');
    assert.equal(missing.status, 400);
    const garbage = await get('/sobjects/Account/updated?start=yesterday&end=2030-02-15T10:00:00Z');
    assert.equal((garbage.body as { errorCode: string }[])[0]?.errorCode, 'INVALID_REPLICATION_DATE');
  });
});
