// compileForBulk (soql/api.ts): the SQL and CSV header contract the Bulk API 2.0 query jobs build on
// (spec §3.1 restrictions, §3.3 headers).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { ApiError } from '../../emulators/salesforce/http/respond.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { type CompiledQuery, compileForBulk } from '../../emulators/salesforce/soql/api.ts';
import type { SqlValue } from '../../emulators/salesforce/store/values.ts';
import { emulator } from '../../helpers/emulator.ts';
import { insertRow, orgOf, setClock, softDelete } from './soql-helpers.ts';

let emu: Emulator;
let org: Org;
const NOW = Date.parse('2024-03-20T12:00:00.000Z');
const id: Record<string, string> = {};

function compile(soql: string, allRows = false): CompiledQuery {
  return compileForBulk(org, soql, { allRows, now: NOW });
}

function run(c: CompiledQuery): Record<string, SqlValue>[] {
  return org.store.db.prepare(c.sql).all(...c.params) as Record<string, SqlValue>[];
}

function refusal(soql: string): ApiError {
  try {
    compile(soql);
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.status, 400);
    return err;
  }
  throw new Error(`expected ${soql} to be refused`);
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'b', records: 0 }] });
  org = orgOf(emu, 'b');
  setClock(emu, '2024-03-20T12:00:00.000Z');
  id.acme = insertRow(emu, org, 'Account', { Name: 'Acme', SLAExpirationDate__c: '2024-03-20', Active__c: true });
  id.globex = insertRow(emu, org, 'Account', { Name: 'Globex', SLAExpirationDate__c: '2024-03-21' });
  id.gone = insertRow(emu, org, 'Account', { Name: 'Gone' });
  softDelete(emu, org, 'Account', id.gone);
  id.ann = insertRow(emu, org, 'Contact', { LastName: 'Ann', Name: 'Ann', AccountId: id.acme });
  id.bob = insertRow(emu, org, 'Contact', { LastName: 'Bob', Name: 'Bob' });
  id.case = insertRow(emu, org, 'Case', { Subject: 'S', CaseNumber: '00000042' });
  id.t1 = insertRow(emu, org, 'Task', { Subject: 'on account', WhatId: id.acme });
  id.t2 = insertRow(emu, org, 'Task', { Subject: 'on case', WhatId: id.case });
  id.t3 = insertRow(emu, org, 'Task', { Subject: 'on nothing' });
});

after(async () => {
  await emu?.close();
});

describe('compileForBulk: columns and SQL', () => {
  it('columns are the SELECT items in order, dotted canonical headers, with their leaf fields', () => {
    const c = compile('select account.owner.name, id, account.name, lastname from contact order by lastname');
    assert.deepEqual(
      c.columns.map((x) => x.header),
      ['Account.Owner.Name', 'Id', 'Account.Name', 'LastName'],
    );
    assert.deepEqual(
      c.columns.map((x) => x.field.name),
      ['Name', 'Id', 'Name', 'LastName'],
    );
    assert.equal(c.object.name, 'Contact');
    assert.equal(c.hasOrderBy, true);
    assert.equal(c.hasLimit, false);
  });

  it('the SQL returns exactly those columns, storage values, null for a missing parent', () => {
    const rows = run(compile('SELECT Id, Account.Name, LastName FROM Contact ORDER BY LastName'));
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [
        { Id: id.ann, 'Account.Name': 'Acme', LastName: 'Ann' },
        { Id: id.bob, 'Account.Name': null, LastName: 'Bob' },
      ],
    );
    const flags = run(compile("SELECT Active__c FROM Account WHERE Name = 'ACME'"));
    assert.deepEqual(
      flags.map((r) => ({ ...r })),
      [{ Active__c: 1 }],
    );
  });

  it('polymorphic parents: What.Name over every candidate object, What.Type', () => {
    const rows = run(compile('SELECT Subject, What.Name, What.Type FROM Task ORDER BY Subject'));
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [
        { Subject: 'on account', 'What.Name': 'Acme', 'What.Type': 'Account' },
        { Subject: 'on case', 'What.Name': '00000042', 'What.Type': 'Case' },
        { Subject: 'on nothing', 'What.Name': null, 'What.Type': null },
      ],
    );
  });

  it('query excludes soft-deleted rows, queryAll includes them', () => {
    assert.deepEqual(
      run(compile('SELECT Name FROM Account ORDER BY Name')).map((r) => r.Name),
      ['Acme', 'Globex'],
    );
    assert.deepEqual(
      run(compile('SELECT Name, IsDeleted FROM Account ORDER BY Name', true)).map((r) => [r.Name, r.IsDeleted]),
      [
        ['Acme', 0],
        ['Globex', 0],
        ['Gone', 1],
      ],
    );
  });

  it('date literals use the given now, not the emulator clock', () => {
    assert.deepEqual(
      run(compile('SELECT Name FROM Account WHERE SLAExpirationDate__c = TODAY')).map((r) => r.Name),
      ['Acme'],
    );
    const later = compileForBulk(org, 'SELECT Name FROM Account WHERE SLAExpirationDate__c = TODAY', { allRows: false, now: NOW + 86_400_000 });
    assert.deepEqual(
      run(later).map((r) => r.Name),
      ['Globex'],
    );
  });

  it('LIMIT is applied and flagged; rows keep a stable order when the statement is paged', () => {
    const c = compile('SELECT Id FROM Task LIMIT 2');
    assert.equal(c.hasLimit, true);
    assert.equal(c.hasOrderBy, false);
    assert.equal(run(c).length, 2);
    const all = compile('SELECT Id FROM Task');
    const whole = run(all).map((r) => r.Id);
    const paged: SqlValue[] = [];
    for (let off = 0; off < 3; off++) {
      const page = org.store.db.prepare(`SELECT * FROM (${all.sql}) LIMIT 1 OFFSET ?`).all(...all.params, off) as Record<string, SqlValue>[];
      paged.push(...page.map((r) => r.Id ?? null));
    }
    assert.deepEqual(paged, whole);
    assert.deepEqual(whole, [id.t1, id.t2, id.t3]);
  });
});

describe('compileForBulk: what Bulk API 2.0 refuses', () => {
  for (const soql of [
    'SELECT Name, COUNT(Id) FROM Account GROUP BY Name',
    'SELECT COUNT() FROM Account',
    'SELECT MAX(Name) FROM Account',
    'SELECT Id FROM Account OFFSET 5',
    'SELECT TYPEOF What WHEN Account THEN Name END FROM Task',
    'SELECT Id, (SELECT Id FROM Contacts) FROM Account',
    'SELECT Id, BillingAddress FROM Account',
    'SELECT Geo__c FROM Project__c',
    'SELECT Id, Body FROM Attachment',
    'SELECT FIELDS(STANDARD) FROM Account',
  ]) {
    it(`API_ERROR: ${soql}`, () => {
      assert.equal(refusal(soql).errorCode, 'API_ERROR');
    });
  }

  it('address components are fine (what a backup selects instead)', () => {
    const c = compile('SELECT BillingStreet, BillingCity, BillingLatitude FROM Account');
    assert.deepEqual(
      c.columns.map((x) => x.header),
      ['BillingStreet', 'BillingCity', 'BillingLatitude'],
    );
  });

  it('objects Bulk API does not support', () => {
    const e = refusal('SELECT Id FROM OpportunityStage');
    assert.equal(e.errorCode, 'INVALIDENTITY');
    assert.equal(e.message, "Entity 'OpportunityStage' is not supported by the Bulk API.");
  });

  it('plain SOQL errors keep their REST codes and messages', () => {
    const field = refusal('SELECT Nope FROM Account');
    assert.equal(field.errorCode, 'INVALID_FIELD');
    assert.match(field.message, /^\nSELECT Nope FROM Account\n {7}\^\nERROR at Row:1:Column:8\nNo such column 'Nope' on entity 'Account'\./);
    assert.equal(refusal('SELECT Id FROM Nope__c').errorCode, 'INVALID_TYPE');
    assert.equal(refusal('SELECT Id FROM').errorCode, 'MALFORMED_QUERY');
    assert.equal(refusal('SELECT Id, Id FROM Account').errorCode, 'INVALID_FIELD');
  });
});
