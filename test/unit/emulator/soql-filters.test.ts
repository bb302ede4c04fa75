// The SOQL subset of spec §2.8 evaluated over an org's store, through real jsforce 3: operators,
// literals, date literals against the emulator clock, relationships, compound and binary fields,
// aggregates and the errors Salesforce gives for each misuse.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { API_VERSION, control, emulator, sessionConnection } from '../../helpers/emulator.ts';
import { insertRow, objectOf, orgOf, setClock } from './soql-helpers.ts';

type Rec = Record<string, unknown>;

let emu: Emulator;
let org: Org;
let conn: Connection;
const id: Record<string, string> = {};
let queueId = '';
let queueName = '';

async function records(soql: string): Promise<Rec[]> {
  const r = await conn.query<Rec>(soql, { autoFetch: true });
  return r.records;
}

async function names(soql: string): Promise<string[]> {
  return (await records(soql)).map((r) => r.Name as string);
}

async function sortedNames(soql: string): Promise<string[]> {
  return (await names(soql)).sort();
}

async function failure(soql: string): Promise<{ errorCode: string; message: string }> {
  try {
    await conn.query(soql);
  } catch (err) {
    const e = err as { errorCode: string; message: string };
    return { errorCode: e.errorCode, message: e.message };
  }
  throw new Error(`expected ${soql} to fail`);
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'f', records: 0 }] });
  org = orgOf(emu, 'f');
  setClock(emu, '2024-03-20T12:00:00.000Z');
  const queue = org.store.db.prepare(`SELECT "Id", "Name" FROM "Group" WHERE "Type" = 'Queue' ORDER BY "Name" LIMIT 1`).get() as { Id: string; Name: string };
  queueId = queue.Id;
  queueName = queue.Name;
  const acc = (key: string, values: Rec) => {
    id[key] = insertRow(emu, org, 'Account', values);
  };
  acc('acme', {
    Name: 'Acme Corp',
    Industry: 'Banking',
    AnnualRevenue: 1000,
    NumberOfEmployees: 10,
    Active__c: true,
    SLAExpirationDate__c: '2024-03-20',
    BillingCity: 'Paris',
    BillingCountry: 'France',
    BillingLatitude: 48.8566,
    BillingLongitude: 2.3522,
  });
  acc('labs', { Name: 'acme labs', Industry: 'Biotechnology', AnnualRevenue: 2500, Active__c: false, SLAExpirationDate__c: '2024-03-19' });
  acc('globex', { Name: 'Globex 100% Pure', NumberOfEmployees: 300, Active__c: true, SLAExpirationDate__c: '2024-03-21' });
  acc('under', { Name: 'Under_score', Industry: 'Banking', AnnualRevenue: 50, NumberOfEmployees: 5, SLAExpirationDate__c: '2024-02-10', ParentId: id.acme });
  acc('obrien', { Name: "O'Brien & Sons", SLAExpirationDate__c: '2023-12-31', ParentId: id.under });
  acc('zed', { Name: 'Zed', SLAExpirationDate__c: '2024-04-02', ParentId: id.obrien });
  const con = (key: string, values: Rec) => {
    id[key] = insertRow(emu, org, 'Contact', values);
  };
  con('ann', { LastName: 'Ann', Name: 'Ann', AccountId: id.acme, Email: 'ann@example.com', Birthdate: '1990-05-01' });
  con('bob', { LastName: 'Bob', Name: 'Bob', AccountId: id.acme });
  con('cy', { LastName: 'Cy', Name: 'Cy', AccountId: id.zed });
  con('orphan', { LastName: 'Orphan', Name: 'Orphan' });
  const proj = (key: string, values: Rec) => {
    id[key] = insertRow(emu, org, 'Project__c', values);
  };
  proj('p1', { Name: 'P1', Tags__c: 'Migration;Analytics', Kickoff__c: '2024-03-20T00:00:00.000Z', Geo__Latitude__s: 37.97, Geo__Longitude__s: 23.72 });
  proj('p2', { Name: 'P2', Tags__c: 'Training', Kickoff__c: '2024-03-19T23:59:59.999Z' });
  proj('p3', { Name: 'P3', Kickoff__c: '2024-03-21T00:00:00.000Z' });
  proj('p4', { Name: 'P4', Tags__c: 'Analytics;Support' });
  id.case = insertRow(emu, org, 'Case', { Subject: 'Broken', CaseNumber: '00001234', OwnerId: queueId, AccountId: id.acme });
  const task = (key: string, values: Rec) => {
    id[key] = insertRow(emu, org, 'Task', values);
  };
  task('t1', { Subject: 'Call', WhatId: id.acme, WhoId: id.ann });
  task('t2', { Subject: 'Send Letter', WhatId: id.case });
  task('t3', { Subject: 'Other' });
  task('t4', { Subject: 'Send Quote', WhatId: id.p1 });
  id.att = insertRow(emu, org, 'Attachment', { Name: 'hello.txt', ParentId: id.acme, Body: Buffer.from('hello').toString('base64') });
  id.att2 = insertRow(emu, org, 'Attachment', { Name: 'empty.txt', ParentId: id.acme });
  conn = await sessionConnection(emu, 'f');
});

after(async () => {
  await emu?.close();
});

describe('comparison operators', () => {
  it('= and IN on text are case-insensitive', async () => {
    assert.deepEqual(await names("SELECT Name FROM Account WHERE Name = 'ACME CORP'"), ['Acme Corp']);
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE Name IN ('acme corp', 'ZED')"), ['Acme Corp', 'Zed']);
    assert.deepEqual(await names("SELECT Name FROM Account WHERE Industry = 'banking' ORDER BY Name"), ['Acme Corp', 'Under_score']);
  });

  it('!= and NOT IN keep rows whose value is null (null is a value in SOQL)', async () => {
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE Industry != 'Banking'"), ['Globex 100% Pure', "O'Brien & Sons", 'Zed', 'acme labs']);
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE Industry NOT IN ('BANKING', 'Biotechnology')"), [
      'Globex 100% Pure',
      "O'Brien & Sons",
      'Zed',
    ]);
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE Industry <> 'Banking' AND Industry != null"), ['acme labs']);
  });

  it('= null and != null', async () => {
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE AnnualRevenue = null'), ['Globex 100% Pure', "O'Brien & Sons", 'Zed']);
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE AnnualRevenue != null'), ['Acme Corp', 'Under_score', 'acme labs']);
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE Industry IN ('Banking', null)"), [
      'Acme Corp',
      'Globex 100% Pure',
      "O'Brien & Sons",
      'Under_score',
      'Zed',
    ]);
  });

  it('numbers: < <= > >= and decimals', async () => {
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE AnnualRevenue > 1000'), ['acme labs']);
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE AnnualRevenue >= 1000'), ['Acme Corp', 'acme labs']);
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE AnnualRevenue < 100'), ['Under_score']);
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE AnnualRevenue <= 1000.0'), ['Acme Corp', 'Under_score']);
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE AnnualRevenue = 2500.0'), ['acme labs']);
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE NumberOfEmployees IN (5, 300)'), ['Globex 100% Pure', 'Under_score']);
  });

  it('booleans', async () => {
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE Active__c = true'), ['Acme Corp', 'Globex 100% Pure']);
    assert.equal((await names('SELECT Name FROM Account WHERE Active__c = FALSE')).length, 4);
  });

  it('text ranges compare case-insensitively', async () => {
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE Name > 'o' AND Name < 'V'"), ["O'Brien & Sons", 'Under_score']);
  });

  it('LIKE: % and _ wildcards, \\% and \\_ escapes, case-insensitive', async () => {
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE Name LIKE 'acme%'"), ['Acme Corp', 'acme labs']);
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE Name LIKE '_CME%'"), ['Acme Corp', 'acme labs']);
    assert.deepEqual(await names("SELECT Name FROM Account WHERE Name LIKE '%100\\%%'"), ['Globex 100% Pure']);
    assert.deepEqual(await names("SELECT Name FROM Account WHERE Name LIKE 'under\\_score'"), ['Under_score']);
    assert.deepEqual(await names("SELECT Name FROM Account WHERE Name LIKE 'Unde_score'"), []);
    assert.deepEqual(await names("SELECT Name FROM Account WHERE Name LIKE 'Unde__score'"), ['Under_score']);
    assert.deepEqual(await names("SELECT Name FROM Account WHERE NOT Name LIKE '%e%'"), []);
  });

  it("string escapes: \\' inside literals", async () => {
    assert.deepEqual(await names("SELECT Name FROM Account WHERE Name = 'o\\'brien & sons'"), ["O'Brien & Sons"]);
  });

  it('ids: 15 or 18 characters; a malformed id is INVALID_QUERY_FILTER_OPERATOR', async () => {
    const acme = id.acme as string;
    assert.deepEqual(await names(`SELECT Name FROM Account WHERE Id = '${acme.slice(0, 15)}'`), ['Acme Corp']);
    assert.deepEqual(await names(`SELECT Name FROM Account WHERE Id IN ('${acme}')`), ['Acme Corp']);
    assert.deepEqual(await sortedNames(`SELECT Name FROM Account WHERE ParentId = '${acme}'`), ['Under_score']);
    const bad = await failure("SELECT Name FROM Account WHERE Id = 'nope'");
    assert.equal(bad.errorCode, 'INVALID_QUERY_FILTER_OPERATOR');
    assert.match(bad.message, /invalid ID field: nope$/);
  });

  it('INCLUDES and EXCLUDES on multi-select picklists', async () => {
    assert.deepEqual(await sortedNames("SELECT Name FROM Project__c WHERE Tags__c INCLUDES ('analytics')"), ['P1', 'P4']);
    assert.deepEqual(await sortedNames("SELECT Name FROM Project__c WHERE Tags__c INCLUDES ('Analytics;Migration')"), ['P1']);
    assert.deepEqual(await sortedNames("SELECT Name FROM Project__c WHERE Tags__c INCLUDES ('Training', 'Support')"), ['P2', 'P4']);
    assert.deepEqual(await sortedNames("SELECT Name FROM Project__c WHERE Tags__c EXCLUDES ('Analytics')"), ['P2', 'P3']);
    const wrong = await failure("SELECT Name FROM Account WHERE Name INCLUDES ('x')");
    assert.equal(wrong.errorCode, 'INVALID_QUERY_FILTER_OPERATOR');
  });
});

describe('logic', () => {
  it('AND, OR, NOT and parentheses', async () => {
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE (Industry = 'Banking' OR Active__c = true) AND NumberOfEmployees > 6"), [
      'Acme Corp',
      'Globex 100% Pure',
    ]);
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE NOT (Industry = 'Banking' OR Industry = null)"), ['acme labs']);
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE NOT Industry = 'Banking' AND Active__c = true"), ['Globex 100% Pure']);
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE Name = 'Zed' OR (Industry = 'Banking' AND (NOT AnnualRevenue > 100))"), [
      'Under_score',
      'Zed',
    ]);
  });

  it('AND mixed with OR without parentheses is MALFORMED_QUERY', async () => {
    const r = await failure("SELECT Name FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'");
    assert.equal(r.errorCode, 'MALFORMED_QUERY');
    assert.match(r.message, /unexpected token: 'OR'$/);
  });

  it('semi-joins and anti-joins', async () => {
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact)'), ['Acme Corp', 'Zed']);
    assert.deepEqual(await sortedNames("SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastName = 'cy')"), ['Zed']);
    assert.equal((await names('SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)')).length, 4);
    assert.deepEqual(await sortedNames("SELECT Name FROM Contact WHERE AccountId IN (SELECT Id FROM Account WHERE Industry = 'Banking')"), ['Ann', 'Bob']);
  });
});

describe('date and datetime literals', () => {
  it('dates: fixed values and relative literals on the emulator clock (2024-03-20)', async () => {
    const q = (where: string) => sortedNames(`SELECT Name FROM Account WHERE SLAExpirationDate__c ${where}`);
    assert.deepEqual(await q('= 2024-03-20'), ['Acme Corp']);
    assert.deepEqual(await q('> 2024-03-20'), ['Globex 100% Pure', 'Zed']);
    assert.deepEqual(await q('= TODAY'), ['Acme Corp']);
    assert.deepEqual(await q('= YESTERDAY'), ['acme labs']);
    assert.deepEqual(await q('= TOMORROW'), ['Globex 100% Pure']);
    assert.deepEqual(await q('= LAST_N_DAYS:1'), ['Acme Corp', 'acme labs']);
    assert.deepEqual(await q('= NEXT_N_DAYS:1'), ['Globex 100% Pure']);
    assert.deepEqual(await q('= N_DAYS_AGO:1'), ['acme labs']);
    assert.deepEqual(await q('= THIS_MONTH'), ['Acme Corp', 'Globex 100% Pure', 'acme labs']);
    assert.deepEqual(await q('= LAST_MONTH'), ['Under_score']);
    assert.deepEqual(await q('= NEXT_MONTH'), ['Zed']);
    assert.deepEqual(await q('= LAST_YEAR'), ["O'Brien & Sons"]);
    assert.deepEqual(await q('< THIS_MONTH'), ["O'Brien & Sons", 'Under_score']);
    assert.deepEqual(await q('> THIS_MONTH'), ['Zed']);
    assert.deepEqual(await q('>= TODAY'), ['Acme Corp', 'Globex 100% Pure', 'Zed']);
    assert.deepEqual(await q('<= YESTERDAY'), ["O'Brien & Sons", 'Under_score', 'acme labs']);
    assert.deepEqual(await q('!= THIS_YEAR'), ["O'Brien & Sons"]);
    assert.deepEqual(await q('IN (TODAY, LAST_YEAR)'), ['Acme Corp', "O'Brien & Sons"]);
    assert.deepEqual(await q('= LAST_N_MONTHS:2'), ['Under_score']);
    assert.deepEqual(await q('= THIS_QUARTER'), ['Acme Corp', 'Globex 100% Pure', 'Under_score', 'acme labs']);
  });

  it('datetime fields compare with date literals by whole UTC days', async () => {
    const q = (where: string) => sortedNames(`SELECT Name FROM Project__c WHERE Kickoff__c ${where}`);
    assert.deepEqual(await q('= TODAY'), ['P1']);
    assert.deepEqual(await q('= YESTERDAY'), ['P2']);
    assert.deepEqual(await q('= TOMORROW'), ['P3']);
    assert.deepEqual(await q('> TODAY'), ['P3']);
    assert.deepEqual(await q('< TODAY'), ['P2']);
    assert.deepEqual(await q('= LAST_N_DAYS:1'), ['P1', 'P2']);
    assert.deepEqual(await q('> 2024-03-19T23:59:59.999Z'), ['P1', 'P3']);
    assert.deepEqual(await q('>= 2024-03-19T23:59:59.999Z'), ['P1', 'P2', 'P3']);
  });

  it('TODAY moves with the emulator clock', async () => {
    await control(emu, 'POST', '/clock', { advanceMs: 24 * 60 * 60 * 1000 });
    // A one-day jump outlives the session (2 h), as it would on Salesforce.
    conn = await sessionConnection(emu, 'f');
    assert.deepEqual(await sortedNames('SELECT Name FROM Account WHERE SLAExpirationDate__c = TODAY'), ['Globex 100% Pure']);
    assert.deepEqual(await sortedNames('SELECT Name FROM Project__c WHERE Kickoff__c = YESTERDAY'), ['P1']);
    setClock(emu, '2024-03-20T12:00:00.000Z');
    conn = await sessionConnection(emu, 'f');
  });

  it('a literal of the wrong kind is INVALID_QUERY_FILTER_OPERATOR', async () => {
    const dt = await failure('SELECT Id FROM Account WHERE CreatedDate > 2024-01-01');
    assert.equal(dt.errorCode, 'INVALID_QUERY_FILTER_OPERATOR');
    assert.match(dt.message, /value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes$/);
    const quoted = await failure("SELECT Id FROM Account WHERE SLAExpirationDate__c = '2024-01-01'");
    assert.match(quoted.message, /must be of type date and should not be enclosed in quotes$/);
    const num = await failure('SELECT Id FROM Account WHERE Name = 5');
    assert.match(num.message, /field 'Name' must be of type string and should be enclosed in quotes$/);
    const bool = await failure("SELECT Id FROM Account WHERE Active__c = 'true'");
    assert.match(bool.message, /field 'Active__c' must be of type boolean and should not be enclosed in quotes$/);
  });
});

describe('relationships', () => {
  it('parent paths up to five levels, in canonical case, null when there is no parent', async () => {
    const [rec] = await records(`select id, name, account.name, account.parent.parent.owner.profile.name from contact where id = '${id.cy}'`);
    assert.ok(rec);
    assert.deepEqual(Object.keys(rec), ['attributes', 'Id', 'Name', 'Account']);
    const account = rec.Account as Rec;
    assert.deepEqual(Object.keys(account), ['attributes', 'Name', 'Parent']);
    assert.deepEqual(account.attributes, { type: 'Account', url: `/services/data/v${API_VERSION}/sobjects/Account/${id.zed}` });
    const grand = (account.Parent as Rec).Parent as Rec;
    assert.equal(((grand.Owner as Rec).Profile as Rec).Name, 'System Administrator');
    const [top] = await records(`SELECT Name, Parent.Name, Parent.Parent.Name FROM Account WHERE Id = '${id.acme}'`);
    assert.deepEqual(top, { attributes: top?.attributes, Name: 'Acme Corp', Parent: null });
    const [orphan] = await records(`SELECT Account.Name, Account.Owner.Name FROM Contact WHERE Id = '${id.orphan}'`);
    assert.equal(orphan?.Account, null);
  });

  it('more than five levels is refused', async () => {
    const r = await failure('SELECT Account.Parent.Parent.Parent.Owner.Profile.Name FROM Contact');
    assert.equal(r.errorCode, 'MALFORMED_QUERY');
  });

  it('an unknown relationship is INVALID_FIELD', async () => {
    const r = await failure('SELECT Acount.Name FROM Contact');
    assert.equal(r.errorCode, 'INVALID_FIELD');
    assert.match(r.message, /Didn't understand relationship 'Acount' in field path/);
  });

  it('filters and sorts on parent fields', async () => {
    assert.deepEqual(await sortedNames("SELECT Name FROM Contact WHERE Account.Industry = 'banking'"), ['Ann', 'Bob']);
    assert.deepEqual(await names('SELECT Name FROM Contact ORDER BY Account.Name DESC NULLS LAST, Name'), ['Cy', 'Ann', 'Bob', 'Orphan']);
  });

  it('polymorphic What/Who/Owner: the actual parent type, its name, Type', async () => {
    const rows = await records('SELECT Subject, What.Name, What.Type, Who.Name FROM Task ORDER BY Subject');
    const by = new Map(rows.map((r) => [r.Subject as string, r]));
    assert.deepEqual(by.get('Call')?.What, {
      attributes: { type: 'Account', url: `/services/data/v${API_VERSION}/sobjects/Account/${id.acme}` },
      Name: 'Acme Corp',
      Type: 'Account',
    });
    assert.equal((by.get('Call')?.Who as Rec | undefined)?.Name, 'Ann');
    assert.deepEqual(by.get('Send Letter')?.What, {
      attributes: { type: 'Case', url: `/services/data/v${API_VERSION}/sobjects/Case/${id.case}` },
      Name: '00001234',
      Type: 'Case',
    });
    assert.equal(((by.get('Send Quote')?.What as Rec | undefined)?.attributes as Rec | undefined)?.type, 'Project__c');
    assert.equal(by.get('Other')?.What, null);
    assert.equal(by.get('Other')?.Who, null);
    assert.deepEqual(
      (await records("SELECT Subject FROM Task WHERE What.Type = 'case'")).map((r) => r.Subject),
      ['Send Letter'],
    );
    assert.deepEqual(
      (await records('SELECT Subject FROM Task WHERE WhatId IN (SELECT Id FROM Account)')).map((r) => r.Subject),
      ['Call'],
    );
    const [c] = await records(`SELECT Owner.Name, Owner.Type FROM Case WHERE Id = '${id.case}'`);
    assert.deepEqual(c?.Owner, {
      attributes: { type: 'Group', url: `/services/data/v${API_VERSION}/sobjects/Group/${queueId}` },
      Name: queueName,
      Type: 'Group',
    });
    const unknown = await failure('SELECT What.Industry FROM Task');
    assert.match(unknown.message, /No such column 'Industry' on entity 'Name'/);
  });

  it('child subqueries with WHERE, ORDER BY and parent paths', async () => {
    const [acme] = await records(
      `SELECT Name, (SELECT Name, Account.Name FROM Contacts WHERE Email = null ORDER BY Name), (SELECT Subject FROM Cases) FROM Account WHERE Id = '${id.acme}'`,
    );
    const contacts = acme?.Contacts as { totalSize: number; records: Rec[] };
    assert.equal(contacts.totalSize, 1);
    assert.equal(contacts.records[0]?.Name, 'Bob');
    assert.equal((contacts.records[0]?.Account as Rec | undefined)?.Name, 'Acme Corp');
    assert.equal((acme?.Cases as { totalSize: number } | undefined)?.totalSize, 1);
    const bad = await failure('SELECT Name, (SELECT Id FROM Kontacts) FROM Account');
    assert.equal(bad.errorCode, 'INVALID_TYPE');
    assert.match(bad.message, /Didn't understand relationship 'Kontacts' in FROM part of query call/);
  });
});

describe('field kinds', () => {
  it('compound address and location fields are JSON objects, null when empty', async () => {
    const rows = await records(`SELECT Name, BillingAddress FROM Account WHERE Id IN ('${id.acme}', '${id.labs}') ORDER BY Name`);
    assert.deepEqual(rows[0]?.BillingAddress, {
      city: 'Paris',
      country: 'France',
      geocodeAccuracy: null,
      latitude: 48.8566,
      longitude: 2.3522,
      postalCode: null,
      state: null,
      street: null,
    });
    assert.equal(rows[1]?.BillingAddress, null);
    const [p1] = await records(`SELECT Geo__c FROM Project__c WHERE Id = '${id.p1}'`);
    assert.deepEqual(p1?.Geo__c, { latitude: 37.97, longitude: 23.72 });
    const filter = await failure("SELECT Id FROM Account WHERE BillingAddress = 'x'");
    assert.equal(filter.errorCode, 'INVALID_FIELD');
  });

  it('base64 fields are the blob URL (null when empty)', async () => {
    const rows = await records(`SELECT Name, Body FROM Attachment WHERE ParentId = '${id.acme}' ORDER BY Name`);
    assert.deepEqual(
      rows.map((r) => [r.Name, r.Body]),
      [
        ['empty.txt', null],
        ['hello.txt', `/services/data/v${API_VERSION}/sobjects/Attachment/${id.att}/Body`],
      ],
    );
  });

  it('FIELDS(ALL|STANDARD|CUSTOM)', async () => {
    const account = objectOf(org, 'Account');
    const [all] = await records(`SELECT FIELDS(ALL) FROM Account WHERE Id = '${id.acme}' LIMIT 1`);
    assert.deepEqual(Object.keys(all ?? {}), ['attributes', ...account.fields.map((f) => f.name)]);
    const [custom] = await records('SELECT FIELDS(CUSTOM) FROM Account LIMIT 200');
    assert.deepEqual(Object.keys(custom ?? {}), ['attributes', ...account.fields.filter((f) => f.custom).map((f) => f.name)]);
    const standard = await records('SELECT FIELDS(STANDARD) FROM Account');
    assert.equal(standard.length, 6);
    assert.ok(!Object.keys(standard[0] ?? {}).some((k) => k.endsWith('__c')));
    const unbounded = await failure('SELECT FIELDS(ALL) FROM Account');
    assert.equal(unbounded.errorCode, 'MALFORMED_QUERY');
    assert.match(unbounded.message, /The SOQL FIELDS function must have a LIMIT of at most 200$/);
    const dup = await failure('SELECT Id, FIELDS(ALL) FROM Account LIMIT 200');
    assert.equal(dup.errorCode, 'INVALID_FIELD');
    assert.match(dup.message, /duplicate field selected: Id$/);
  });

  it('values come back typed: numbers, booleans, dates, datetimes', async () => {
    const [acme] = await records(`SELECT AnnualRevenue, NumberOfEmployees, Active__c, SLAExpirationDate__c, CreatedDate FROM Account WHERE Id = '${id.acme}'`);
    assert.equal(acme?.AnnualRevenue, 1000);
    assert.equal(acme?.NumberOfEmployees, 10);
    assert.equal(acme?.Active__c, true);
    assert.equal(acme?.SLAExpirationDate__c, '2024-03-20');
    assert.match(acme?.CreatedDate as string, /^2024-03-20T12:00:0\d\.\d{3}\+0000$/);
  });
});

describe('ORDER BY, LIMIT, OFFSET', () => {
  it('defaults: ASC puts nulls first, DESC puts them last; NULLS FIRST/LAST override', async () => {
    assert.deepEqual((await names('SELECT Name FROM Account ORDER BY AnnualRevenue, Name')).slice(0, 3), ['Globex 100% Pure', "O'Brien & Sons", 'Zed']);
    assert.deepEqual((await names('SELECT Name FROM Account ORDER BY AnnualRevenue DESC, Name')).slice(0, 3), ['acme labs', 'Acme Corp', 'Under_score']);
    assert.deepEqual((await names('SELECT Name FROM Account ORDER BY AnnualRevenue ASC NULLS LAST, Name')).slice(0, 3), [
      'Under_score',
      'Acme Corp',
      'acme labs',
    ]);
    assert.deepEqual((await names('SELECT Name FROM Account ORDER BY AnnualRevenue DESC NULLS FIRST, Name DESC')).slice(0, 3), [
      'Zed',
      "O'Brien & Sons",
      'Globex 100% Pure',
    ]);
  });

  it('text sorts case-insensitively', async () => {
    assert.deepEqual(await names('SELECT Name FROM Account ORDER BY Name'), [
      'Acme Corp',
      'acme labs',
      'Globex 100% Pure',
      "O'Brien & Sons",
      'Under_score',
      'Zed',
    ]);
  });

  it('LIMIT and OFFSET; OFFSET above 2000 is refused', async () => {
    assert.deepEqual(await names('SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1'), ['acme labs', 'Globex 100% Pure']);
    const r = await failure('SELECT Name FROM Account OFFSET 2001');
    assert.equal(r.errorCode, 'NUMBER_OUTSIDE_VALID_RANGE');
    assert.equal(r.message, 'Maximum SOQL offset allowed is 2000');
  });

  it('sorting on a long text area is INVALID_FIELD', async () => {
    const r = await failure('SELECT Id FROM Account ORDER BY Description');
    assert.equal(r.errorCode, 'INVALID_FIELD');
    assert.match(r.message, /field 'Description' can not be sorted in a query call$/);
  });
});

describe('aggregates', () => {
  it('COUNT, COUNT_DISTINCT, SUM, AVG, MIN, MAX with aliases and exprN', async () => {
    const [r] = await records(
      'SELECT COUNT(Id) total, COUNT(Industry), COUNT_DISTINCT(Industry), SUM(AnnualRevenue), AVG(NumberOfEmployees), MIN(Name), MAX(SLAExpirationDate__c), MIN(CreatedDate) FROM Account',
    );
    assert.ok(r);
    assert.deepEqual(Object.keys(r), ['attributes', 'total', 'expr0', 'expr1', 'expr2', 'expr3', 'expr4', 'expr5', 'expr6']);
    assert.deepEqual(r.attributes, { type: 'AggregateResult' });
    assert.equal(r.total, 6);
    assert.equal(r.expr0, 3);
    assert.equal(r.expr1, 2);
    assert.equal(r.expr2, 3550);
    assert.equal(r.expr3, 105);
    assert.equal(r.expr4, 'Acme Corp');
    assert.equal(r.expr5, '2024-04-02');
    assert.match(r.expr6 as string, /^2024-03-20T12:00:0\d\.\d{3}\+0000$/);
  });

  it('GROUP BY, HAVING, ORDER BY an aggregate, grouped parent fields', async () => {
    const rows = await records('SELECT Industry, COUNT(Id) n FROM Account GROUP BY Industry HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC, Industry');
    assert.deepEqual(
      rows.map((r) => [r.Industry, r.n]),
      [
        [null, 3],
        ['Banking', 2],
      ],
    );
    const byAccount = await records('SELECT Account.Name, COUNT(Id) FROM Contact WHERE AccountId != null GROUP BY Account.Name ORDER BY Account.Name');
    assert.deepEqual(byAccount, [
      { attributes: { type: 'AggregateResult' }, Name: 'Acme Corp', expr0: 2 },
      { attributes: { type: 'AggregateResult' }, Name: 'Zed', expr0: 1 },
    ]);
    const years = await records(
      'SELECT CALENDAR_YEAR(SLAExpirationDate__c) y, COUNT(Id) FROM Account GROUP BY CALENDAR_YEAR(SLAExpirationDate__c) ORDER BY CALENDAR_YEAR(SLAExpirationDate__c)',
    );
    assert.deepEqual(
      years.map((r) => [r.y, r.expr0]),
      [
        [2023, 1],
        [2024, 5],
      ],
    );
  });

  it('COUNT() with a filter answers totalSize only', async () => {
    const r = await conn.query("SELECT COUNT() FROM Account WHERE Name LIKE 'a%'");
    assert.equal(r.totalSize, 2);
    assert.deepEqual(r.records, []);
  });

  it('a field neither grouped nor aggregated is MALFORMED_QUERY', async () => {
    const r = await failure('SELECT Name, COUNT(Id) FROM Account GROUP BY Industry');
    assert.equal(r.errorCode, 'MALFORMED_QUERY');
    assert.match(r.message, /Field must be grouped or aggregated: Name$/);
    const sum = await failure('SELECT SUM(Name) FROM Account');
    assert.equal(sum.errorCode, 'INVALID_FIELD');
  });
});
