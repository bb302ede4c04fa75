// `sf data query` (REST /query, /queryAll, paging, columns=true) against the emulator; every row sf
// prints is compared with the org's SQLite store.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import {
  ALIAS,
  type ContactTruth,
  calls,
  contactsInStore,
  describeLog,
  lastSeq,
  loginWithAccessToken,
  objectDef,
  orgOf,
  requestLog,
  restDateTime,
  seedContacts,
  startInterop,
  storeRows,
} from './fixtures.ts';
import { assertNoSfLeftovers, describeRun, type SfHome, sf, sfOk } from './sf.ts';

// defect 10: sf leaves nothing running behind this file (a self-updater above all).
after(() => assertNoSfLeftovers());

interface Attributes {
  type: string;
  url?: string;
}

interface QueryResult<R> {
  totalSize: number;
  done: boolean;
  records: R[];
}

interface ContactRecord {
  attributes: Attributes;
  Id: string;
  FirstName: string | null;
  LastName: string;
  Email: string | null;
  Account: { attributes: Attributes; Name: string | null } | null;
  CreatedDate: string;
}

// More than one REST page (default batch 2000) without relying on any knob.
const CONTACTS = 2100;
const SOQL = 'SELECT Id, FirstName, LastName, Email, Account.Name, CreatedDate FROM Contact';

function byId<T extends { Id: string }>(rows: T[]): Map<string, T> {
  const m = new Map<string, T>();
  for (const r of rows) {
    assert.ok(!m.has(r.Id), `duplicate row ${r.Id}`);
    m.set(r.Id, r);
  }
  return m;
}

function assertContactMatches(rec: ContactRecord, truth: ContactTruth): void {
  const where = `Contact ${truth.Id}`;
  assert.equal(rec.attributes.type, 'Contact', where);
  assert.match(rec.attributes.url ?? '', new RegExp(`/services/data/v\\d+\\.0/sobjects/Contact/${truth.Id}$`), where);
  assert.deepEqual(Object.keys(rec), ['attributes', 'Id', 'FirstName', 'LastName', 'Email', 'Account', 'CreatedDate'], `${where}: keys in SELECT order`);
  assert.equal(rec.FirstName, truth.FirstName, `${where} FirstName`);
  assert.equal(rec.LastName, truth.LastName, `${where} LastName`);
  assert.equal(rec.Email, truth.Email, `${where} Email`);
  assert.equal(rec.CreatedDate, restDateTime(truth.CreatedDate), `${where} CreatedDate`);
  if (truth.AccountId === null) {
    assert.equal(rec.Account, null, `${where}: no parent is null, not an object of nulls`);
  } else {
    assert.ok(rec.Account, `${where} Account`);
    assert.equal(rec.Account.attributes.type, 'Account', where);
    assert.match(rec.Account.attributes.url ?? '', new RegExp(`/sobjects/Account/${truth.AccountId}$`), where);
    assert.equal(rec.Account.Name, truth.AccountName, `${where} Account.Name`);
  }
}

describe('sf data query against the emulator', () => {
  let emu: Emulator;
  let home: SfHome;

  before(async () => {
    ({ emu, home } = await startInterop());
    seedContacts(emu, CONTACTS);
    await loginWithAccessToken(emu, home);
  });

  after(async () => {
    await emu?.close();
    home?.remove();
  });

  it('returns every contact with parent fields and hostile values, across several pages', async () => {
    const since = await lastSeq(emu);
    const { result } = await sfOk<QueryResult<ContactRecord>>(home, ['data', 'query', '-q', SOQL, '--target-org', ALIAS], { timeoutMs: 180_000 });
    const truth = contactsInStore(emu);
    assert.ok(truth.length > 2000, 'the data set is larger than one page');
    assert.equal(result.totalSize, truth.length);
    assert.equal(result.done, true);
    assert.equal(result.records.length, truth.length);
    const got = byId(result.records);
    for (const t of truth) {
      const rec = got.get(t.Id);
      assert.ok(rec, `sf is missing ${t.Id}`);
      assertContactMatches(rec, t);
    }

    const log = await requestLog(emu, since);
    const first = calls(log, 'GET', /\/services\/data\/v\d+\.0\/query$/).filter((e) => !e.query.includes('columns=true'));
    assert.equal(first.length, 1, describeLog(log));
    assert.equal(decodeURIComponent(new URLSearchParams(first[0]?.query).get('q') ?? ''), SOQL);
    const more = calls(log, 'GET', /\/services\/data\/v\d+\.0\/query\/[^/]+$/);
    assert.ok(more.length >= 1, `sf followed nextRecordsUrl:\n${describeLog(log)}`);
    for (const e of more) assert.equal(e.status, 200, describeLog(log));
    const columns = calls(log, 'GET', /\/query$/).filter((e) => e.query.includes('columns=true'));
    assert.equal(columns.length, 1, `sf asks for column metadata after a non-empty query:\n${describeLog(log)}`);
    assert.equal(columns[0]?.status, 200, describeLog(log));
  });

  it('--result-format csv lays the rows out by the columns=true metadata (Account.Name)', async () => {
    const out = path.join(home.cwd, 'query.csv');
    await sfOk(home, ['data', 'query', '-q', SOQL, '--target-org', ALIAS, '--result-format', 'csv', '--output-file', out], { timeoutMs: 180_000 });
    const rows = parse(readFileSync(out, 'utf8'), { columns: true, relax_column_count: false }) as Record<string, string>[];
    const header = Object.keys(rows[0] ?? {});
    assert.deepEqual(header, ['Id', 'FirstName', 'LastName', 'Email', 'Account.Name', 'CreatedDate']);
    const truth = contactsInStore(emu);
    assert.equal(rows.length, truth.length);
    const got = new Map(rows.map((r) => [r.Id, r]));
    for (const t of truth) {
      const r = got.get(t.Id);
      assert.ok(r, `missing ${t.Id}`);
      // sf writes null as an empty cell; its own escaping keeps everything else verbatim.
      assert.equal(r.FirstName, t.FirstName ?? '', `${t.Id} FirstName`);
      assert.equal(r.LastName, t.LastName, `${t.Id} LastName`);
      assert.equal(r.Email, t.Email ?? '', `${t.Id} Email`);
      assert.equal(r['Account.Name'], t.AccountName ?? '', `${t.Id} Account.Name`);
      assert.equal(r.CreatedDate, restDateTime(t.CreatedDate), `${t.Id} CreatedDate`);
    }
  });

  it('--all-rows goes to /queryAll and includes soft-deleted rows; a plain query does not', async () => {
    const org = orgOf(emu);
    const contact = objectDef(emu, 'Contact');
    const victims = storeRows(emu, `SELECT "Id" FROM "Contact" WHERE "IsDeleted" = 0 AND "LastName" LIKE 'Interop-%' ORDER BY "Id" LIMIT 3`).map(
      (r) => r.Id as string,
    );
    const userId = [...emu.state.users.values()].find((u) => u.orgId === org.id)?.id as string;
    for (const id of victims) org.store.softDelete(contact, id, { userId });

    const soql = 'SELECT Id, LastName, IsDeleted FROM Contact';
    const since = await lastSeq(emu);
    const all = await sfOk<QueryResult<{ Id: string; LastName: string; IsDeleted: boolean }>>(
      home,
      ['data', 'query', '-q', soql, '--all-rows', '--target-org', ALIAS],
      {
        timeoutMs: 180_000,
      },
    );
    const truthAll = contactsInStore(emu, { includeDeleted: true });
    assert.equal(all.result.totalSize, truthAll.length);
    const got = byId(all.result.records);
    for (const t of truthAll) {
      const r = got.get(t.Id);
      assert.ok(r, `missing ${t.Id}`);
      assert.equal(r.IsDeleted, t.IsDeleted === 1, `${t.Id} IsDeleted is a JSON boolean`);
      assert.equal(r.LastName, t.LastName);
    }
    for (const id of victims) assert.equal(got.get(id)?.IsDeleted, true);
    const log = await requestLog(emu, since);
    assert.equal(calls(log, 'GET', /\/queryAll$/).filter((e) => !e.query.includes('columns=true')).length, 1, describeLog(log));

    const live = await sfOk<QueryResult<{ Id: string }>>(home, ['data', 'query', '-q', soql, '--target-org', ALIAS], { timeoutMs: 180_000 });
    assert.equal(live.result.totalSize, truthAll.length - truthAll.filter((t) => t.IsDeleted === 1).length);
    const liveIds = new Set(live.result.records.map((r) => r.Id));
    for (const id of victims) assert.ok(!liveIds.has(id), `${id} is in the Recycle Bin`);
  });

  it('child subqueries come back per parent (null when there are no children)', async () => {
    const { result } = await sfOk<QueryResult<{ Id: string; Name: string; Contacts: QueryResult<{ Id: string }> | null }>>(
      home,
      ['data', 'query', '-q', 'SELECT Id, Name, (SELECT Id FROM Contacts) FROM Account', '--target-org', ALIAS],
      { timeoutMs: 180_000 },
    );
    const accounts = storeRows(emu, 'SELECT "Id", "Name" FROM "Account" WHERE "IsDeleted" = 0');
    assert.equal(result.totalSize, accounts.length);
    const kids = new Map<string, Set<string>>();
    for (const r of storeRows(emu, 'SELECT "Id", "AccountId" FROM "Contact" WHERE "IsDeleted" = 0 AND "AccountId" IS NOT NULL')) {
      const set = kids.get(r.AccountId as string) ?? new Set<string>();
      set.add(r.Id as string);
      kids.set(r.AccountId as string, set);
    }
    const got = byId(result.records);
    for (const a of accounts) {
      const rec = got.get(a.Id as string);
      assert.ok(rec, `missing account ${a.Id}`);
      assert.equal(rec.Name, a.Name);
      const want = kids.get(a.Id as string);
      if (!want) {
        assert.equal(rec.Contacts, null, `${a.Id}: no children is null`);
        continue;
      }
      assert.ok(rec.Contacts, `${a.Id} Contacts`);
      assert.equal(rec.Contacts.totalSize, want.size, `${a.Id} Contacts.totalSize`);
      for (const c of rec.Contacts.records) assert.ok(want.has(c.Id), `${c.Id} is a child of ${a.Id}`);
      if (rec.Contacts.done) assert.equal(rec.Contacts.records.length, want.size);
    }
  });

  it('COUNT() and an aliased aggregate', async () => {
    const n = contactsInStore(emu).length;
    const count = await sfOk<QueryResult<unknown>>(home, ['data', 'query', '-q', 'SELECT COUNT() FROM Contact', '--target-org', ALIAS]);
    assert.equal(count.result.totalSize, n);
    assert.deepEqual(count.result.records, []);
    const agg = await sfOk<QueryResult<{ attributes: Attributes; total: number }>>(home, [
      'data',
      'query',
      '-q',
      'SELECT COUNT(Id) total FROM Contact',
      '--target-org',
      ALIAS,
    ]);
    assert.equal(agg.result.records.length, 1);
    assert.equal(agg.result.records[0]?.attributes.type, 'AggregateResult');
    assert.equal(agg.result.records[0]?.total, n);
  });

  it('a bad field is reported with the Salesforce error code and message', async () => {
    const run = await sf(home, ['data', 'query', '-q', 'SELECT Id, Nope__c FROM Contact', '--target-org', ALIAS, '--json']);
    assert.deepEqual(run.blocked, [], describeRun(run));
    assert.equal(run.code, 1, describeRun(run));
    assert.equal(run.json?.name, 'INVALID_FIELD', describeRun(run));
    assert.match(run.json?.message ?? '', /No such column 'Nope__c' on entity 'Contact'/, describeRun(run));
  });
});
