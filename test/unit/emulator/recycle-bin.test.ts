// What a restore meets in the Recycle Bin, through real jsforce 3: an Account's delete takes its
// Contacts, Opportunities, Cases, activities and attachments along; lookups from outside are
// cleared; SOAP undelete() brings the whole group back with the original Ids and sets back the
// lookups Salesforce restores; emptyRecycleBin() and the control surface purge for good.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import type { SaveResult } from '../../emulators/salesforce/store/dml.ts';
import { API_VERSION, control, emulator, raw, refreshConnection, sessionConnection } from '../../helpers/emulator.ts';
import { orgOf } from './soql-helpers.ts';

let emu: Emulator;
let org: Org;
let conn: Connection;

type Rec = Record<string, unknown>;
interface SoapResult {
  id: string | null;
  success: boolean;
  errors: { statusCode: string; message: string }[];
}

async function create(type: string, values: Rec): Promise<string> {
  const r = (await conn.sobject(type).create(values)) as SaveResult;
  assert.equal(r.success, true, JSON.stringify(r));
  return r.id as string;
}

/** The row whatever its state, as queryAll shows it (undefined once purged). */
async function anyState(type: string, id: string, fields = 'Id, IsDeleted'): Promise<Rec | undefined> {
  const res = await conn.query<Rec>(`SELECT ${fields} FROM ${type} WHERE Id = '${id}'`, { scanAll: true });
  return res.records[0];
}

async function isDeleted(type: string, id: string): Promise<boolean | undefined> {
  const row = await anyState(type, id);
  return row === undefined ? undefined : (row.IsDeleted as boolean);
}

async function undelete(ids: string[]): Promise<SoapResult[]> {
  return (await conn.soap.undelete(ids)) as unknown as SoapResult[];
}

interface Family {
  account: string;
  contact: string;
  opportunity: string;
  caseId: string;
  taskOnAccount: string;
  taskOnContact: string;
  taskOnOpportunity: string;
  attachment: string;
  /** Outside the cascade, pointing in. */
  childAccount: string;
  project: string;
  otherOpportunity: string;
  reportingContact: string;
}

let seq = 0;
async function family(): Promise<Family> {
  seq += 1;
  const account = await create('Account', { Name: `Family ${seq}` });
  const contact = await create('Contact', { LastName: `Member ${seq}`, AccountId: account });
  const opportunity = await create('Opportunity', { Name: `Deal ${seq}`, StageName: 'Prospecting', CloseDate: '2030-01-01', AccountId: account });
  const caseId = await create('Case', { Subject: `Issue ${seq}`, AccountId: account, ContactId: contact });
  const taskOnAccount = await create('Task', { Subject: 'Call', WhatId: account });
  const taskOnContact = await create('Task', { Subject: 'Call', WhoId: contact });
  const taskOnOpportunity = await create('Task', { Subject: 'Send Quote', WhatId: opportunity });
  const attachment = await create('Attachment', { Name: 'a.txt', Body: Buffer.from('hello').toString('base64'), ParentId: account });
  const childAccount = await create('Account', { Name: `Subsidiary ${seq}`, ParentId: account });
  const project = await create('Project__c', { Name: `Project ${seq}`, Account__c: account });
  const elsewhere = await create('Account', { Name: `Elsewhere ${seq}` });
  const otherOpportunity = await create('Opportunity', {
    Name: `Other deal ${seq}`,
    StageName: 'Prospecting',
    CloseDate: '2030-01-01',
    AccountId: elsewhere,
    ContactId: contact,
  });
  const reportingContact = await create('Contact', { LastName: `Report ${seq}`, AccountId: elsewhere, ReportsToId: contact });
  return {
    account,
    contact,
    opportunity,
    caseId,
    taskOnAccount,
    taskOnContact,
    taskOnOpportunity,
    attachment,
    childAccount,
    project,
    otherOpportunity,
    reportingContact,
  };
}

const CASCADE: [keyof Family, string][] = [
  ['account', 'Account'],
  ['contact', 'Contact'],
  ['opportunity', 'Opportunity'],
  ['caseId', 'Case'],
  ['taskOnAccount', 'Task'],
  ['taskOnContact', 'Task'],
  ['taskOnOpportunity', 'Task'],
  ['attachment', 'Attachment'],
];

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'bin', records: 0 }] });
  org = orgOf(emu, 'bin');
  conn = await sessionConnection(emu, 'bin');
});

after(async () => {
  await emu?.close();
});

describe('deleting an Account', () => {
  it('takes its contacts, opportunities, cases, activities and attachments to the Recycle Bin', async () => {
    const f = await family();
    await conn.sobject('Account').destroy(f.account);
    for (const [key, type] of CASCADE) assert.equal(await isDeleted(type, f[key]), true, `${key} is in the Recycle Bin`);
    for (const [key, type] of CASCADE) {
      assert.equal((await conn.query(`SELECT Id FROM ${type} WHERE Id = '${f[key]}'`)).totalSize, 0, `${key} is gone from query`);
    }
    // Records deleted along keep their relationship fields, so an undelete relinks them.
    const contact = await anyState('Contact', f.contact, 'Id, AccountId');
    assert.equal(contact?.AccountId, f.account);
    const task = await anyState('Task', f.taskOnOpportunity, 'Id, WhatId');
    assert.equal(task?.WhatId, f.opportunity);
  });

  it('clears the lookups of live records that pointed into the cascade', async () => {
    const f = await family();
    await conn.sobject('Account').destroy(f.account);
    const child = await conn.sobject('Account').retrieve(f.childAccount);
    assert.equal(child.ParentId, null);
    assert.equal((await conn.sobject('Project__c').retrieve(f.project)).Account__c, null);
    assert.equal((await conn.sobject('Opportunity').retrieve(f.otherOpportunity)).ContactId, null);
    assert.equal((await conn.sobject('Contact').retrieve(f.reportingContact)).ReportsToId, null);
  });

  it('shows the cascade to Bulk API 2.0 queryAll, IsDeleted true, and hides it from query', async () => {
    const f = await family();
    await conn.sobject('Account').destroy(f.account);
    const all = (await (await conn.bulk2.query(`SELECT Id, IsDeleted FROM Contact WHERE AccountId = '${f.account}'`, { scanAll: true })).toArray()) as Rec[];
    assert.deepEqual(
      all.map((r) => [r.Id, String(r.IsDeleted)]),
      [[f.contact, 'true']],
    );
    const live = (await (await conn.bulk2.query(`SELECT Id FROM Contact WHERE AccountId = '${f.account}'`)).toArray()) as Rec[];
    assert.deepEqual(live, []);
  });
});

describe('SOAP undelete()', () => {
  it('brings the Account back with its cascade, original Ids, and the lookups Salesforce restores', async () => {
    const f = await family();
    await conn.sobject('Account').destroy(f.account);
    const [result, ...rest] = await undelete([f.account]);
    assert.deepEqual(rest, []);
    assert.equal(result?.success, true, JSON.stringify(result));
    assert.equal(result?.id, f.account);
    for (const [key, type] of CASCADE) assert.equal(await isDeleted(type, f[key]), false, `${key} is back`);
    assert.equal((await conn.sobject('Contact').retrieve(f.contact)).AccountId, f.account);
    assert.equal((await conn.sobject('Task').retrieve(f.taskOnContact)).WhoId, f.contact);
    // Parent account, Reports To and custom lookups come back; other standard lookups stay empty.
    assert.equal((await conn.sobject('Account').retrieve(f.childAccount)).ParentId, f.account);
    assert.equal((await conn.sobject('Project__c').retrieve(f.project)).Account__c, f.account);
    assert.equal((await conn.sobject('Contact').retrieve(f.reportingContact)).ReportsToId, f.contact);
    assert.equal((await conn.sobject('Opportunity').retrieve(f.otherOpportunity)).ContactId, null);
  });

  it('leaves a lookup that was pointed elsewhere meanwhile', async () => {
    const f = await family();
    await conn.sobject('Account').destroy(f.account);
    const other = await create('Account', { Name: 'New parent' });
    await conn.sobject('Account').update({ Id: f.childAccount, ParentId: other });
    assert.equal((await undelete([f.account]))[0]?.success, true);
    assert.equal((await conn.sobject('Account').retrieve(f.childAccount)).ParentId, other);
  });

  it('does not bring back a child that was deleted before, on its own', async () => {
    const f = await family();
    await conn.sobject('Contact').destroy(f.contact);
    await conn.sobject('Account').destroy(f.account);
    assert.equal((await undelete([f.account]))[0]?.success, true);
    assert.equal(await isDeleted('Contact', f.contact), true, 'the contact stays in the bin');
    assert.equal(await isDeleted('Opportunity', f.opportunity), false);
    assert.equal((await undelete([f.contact]))[0]?.success, true, 'and comes back by itself');
    assert.equal(await isDeleted('Task', f.taskOnContact), false, 'with its own cascade');
  });

  it('answers per id: not in the bin, deleted along with another, purged, unknown, malformed', async () => {
    const f = await family();
    const live = await create('Account', { Name: 'Alive' });
    const purged = await create('Account', { Name: 'Purged' });
    await conn.sobject('Account').destroy(purged);
    await control(emu, 'POST', '/orgs/bin/recyclebin/purge', { ids: [purged] });
    await conn.sobject('Account').destroy(f.account);
    const unknown = `${f.account.slice(0, 3)}000000000000`; // a valid 15-character id nobody has
    const results = await undelete([live, f.contact, purged, unknown, 'nonsense']);
    assert.deepEqual(
      results.map((r) => [r.success, r.errors[0]?.statusCode, r.errors[0]?.message]),
      [
        [false, 'UNDELETE_FAILED', 'Entity is not in the recycle bin'],
        [false, 'UNDELETE_FAILED', 'Entity is not in the recycle bin'],
        [false, 'UNDELETE_FAILED', 'Entity is not in the recycle bin'],
        [false, 'INVALID_ID_FIELD', 'invalid record id'],
        [false, 'MALFORMED_ID', 'malformed id nonsense'],
      ],
    );
    assert.equal(results[0]?.id, live);
    assert.equal(await isDeleted('Contact', f.contact), true, 'a failed undelete changes nothing');
  });

  it('succeeds for a cascaded child listed with its parent, in any order', async () => {
    const f = await family();
    await conn.sobject('Account').destroy(f.account);
    const results = await undelete([f.contact, f.account.slice(0, 15)]);
    assert.deepEqual(
      results.map((r) => [r.id, r.success]),
      [
        [f.contact, true],
        [f.account, true],
      ],
    );
  });

  it('asks for the parent first when a record deleted on its own waits for it', async () => {
    const f = await family();
    await conn.sobject('Contact').destroy(f.contact);
    await conn.sobject('Account').destroy(f.account);
    const [r] = await undelete([f.contact]);
    assert.equal(r?.success, false);
    assert.equal(r?.errors[0]?.statusCode, 'UNDELETE_FAILED');
    assert.equal(r?.errors[0]?.message, `Undelete failed. First undelete Account, Id: ${f.account}`);
  });

  it('rolls the call back under AllOrNoneHeader when one id fails', async () => {
    const a = await create('Account', { Name: 'All or none' });
    await conn.sobject('Account').destroy(a);
    const live = await create('Account', { Name: 'Still alive' });
    const envelope = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header xmlns="urn:partner.soap.sforce.com"><SessionHeader><sessionId>${conn.accessToken}</sessionId></SessionHeader><AllOrNoneHeader><allOrNone>true</allOrNone></AllOrNoneHeader></soapenv:Header><soapenv:Body xmlns="urn:partner.soap.sforce.com"><undelete><ids>${a}</ids><ids>${live}</ids></undelete></soapenv:Body></soapenv:Envelope>`;
    const res = await raw(`${org.instanceUrl}/services/Soap/u/${API_VERSION}`, {
      method: 'POST',
      body: envelope,
      headers: { 'content-type': 'text/xml', soapaction: '""' },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/xml/);
    assert.match(
      res.text,
      /<undeleteResponse><result><errors><message>Record rolled back[^<]*<\/message><statusCode>ALL_OR_NONE_OPERATION_ROLLED_BACK<\/statusCode><\/errors><id>/,
    );
    assert.equal(await isDeleted('Account', a), true);
  });

  it('answers a dead session with the fault jsforce refreshes on, then succeeds', async () => {
    const viaRefresh = refreshConnection(emu, 'bin');
    const a = await create('Account', { Name: 'After refresh' });
    await conn.sobject('Account').destroy(a);
    await viaRefresh.query('SELECT Id FROM Account LIMIT 1');
    const before = viaRefresh.accessToken;
    await control(emu, 'POST', '/sessions/expire', { org: 'bin' });
    const [r] = (await viaRefresh.soap.undelete([a])) as unknown as SoapResult[];
    assert.equal(r?.success, true);
    assert.notEqual(viaRefresh.accessToken, before, 'jsforce refreshed the session');
    conn = await sessionConnection(emu, 'bin');
  });

  it('refuses more than 200 ids and unknown operations as a whole, with SOAP faults', async () => {
    const tooMany = Array.from({ length: 201 }, () => '001000000000000');
    await assert.rejects(conn.soap.undelete(tooMany), (err: Error & { errorCode?: string }) => {
      assert.equal(err.errorCode, 'sf:EXCEEDED_ID_LIMIT');
      return true;
    });
    await assert.rejects(conn.soap.getServerTimestamp(), (err: Error & { errorCode?: string }) => {
      assert.equal(err.errorCode, 'soapenv:Client');
      assert.match(err.message, /No operation available for request \{urn:partner\.soap\.sforce\.com\}getServerTimestamp/);
      return true;
    });
  });
});

describe('purging', () => {
  it('SOAP emptyRecycleBin() purges a record with its cascade: gone from queryAll, no undelete', async () => {
    const f = await family();
    await conn.sobject('Account').destroy(f.account);
    const results = (await conn.soap.emptyRecycleBin([f.contact, f.account])) as unknown as SoapResult[];
    assert.deepEqual(
      results.map((r) => [r.id, r.success, r.errors[0]?.statusCode]),
      [
        [f.contact, false, 'INVALID_ID_FIELD'],
        [f.account, true, undefined],
      ],
    );
    for (const [key, type] of CASCADE) assert.equal(await anyState(type, f[key]), undefined, `${key} is purged`);
    assert.equal((await undelete([f.account]))[0]?.errors[0]?.statusCode, 'UNDELETE_FAILED');
    const state = await control<{ state: string }>(emu, 'GET', `/orgs/bin/records/Contact/${f.contact}`);
    assert.equal(state.state, 'purged', 'the deletion log keeps the ids');
  });

  it('the control surface purges some roots of the bin and leaves the rest undeletable', async () => {
    const first = await family();
    const second = await family();
    await conn.sobject('Account').destroy(first.account);
    await conn.sobject('Account').destroy(second.account);
    const out = await control<{ purged: string[] }>(emu, 'POST', '/orgs/bin/recyclebin/purge', { ids: [first.account, second.contact] });
    assert.deepEqual(new Set(out.purged), new Set(CASCADE.map(([k]) => first[k])), 'a record deleted along is purged with its root only');
    assert.equal((await undelete([second.account]))[0]?.success, true);
    assert.equal(await isDeleted('Contact', second.contact), false);
  });
});

describe('Bulk API 2.0 ingest for a restore', () => {
  it('deletes with the cascade, hardDeletes for good, and inserts activities with polymorphic ids', async () => {
    const f = await family();
    const g = await family();
    const del = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'delete', input: `Id\n${f.account}\n` });
    assert.equal(del.successfulResults.length, 1);
    assert.equal(await isDeleted('Contact', f.contact), true);
    const hard = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'hardDelete', input: `Id\n${g.account}\n` });
    assert.equal(hard.successfulResults.length, 1);
    assert.equal(await anyState('Contact', g.contact), undefined, 'hardDelete purges the cascade too');

    const live = await family();
    const input = `Subject,WhatId,WhoId\nFollow up,${live.opportunity},${live.contact}\nBad,${live.contact},\n`;
    const ins = await conn.bulk2.loadAndWaitForResults({ object: 'Task', operation: 'insert', input });
    assert.equal(ins.successfulResults.length, 1);
    const ok = ins.successfulResults[0] as Rec;
    assert.equal(ok.sf__Created, 'true');
    const task = await conn.sobject('Task').retrieve(ok.sf__Id as string);
    assert.deepEqual([task.WhatId, task.WhoId], [live.opportunity, live.contact]);
    assert.equal(ins.failedResults.length, 1);
    assert.match(String((ins.failedResults[0] as Rec).sf__Error), /^MALFORMED_ID:Related To ID: id value of incorrect type/);
  });
});

describe('audit fields on insert ("Set Audit Fields upon Record Creation")', () => {
  const CREATED = '2020-05-04T03:02:01.000Z';

  async function auditField(name: string): Promise<{ createable: boolean; updateable: boolean }> {
    const d = await conn.sobject('Account').describe();
    const f = d.fields.find((x) => x.name === name);
    assert.ok(f);
    return { createable: f.createable, updateable: f.updateable };
  }

  it('refuses them while the org setting is off, and describe says they are not createable', async () => {
    await control(emu, 'POST', '/orgs/bin/settings', { allowAuditFieldsOnCreate: false });
    assert.deepEqual(await auditField('CreatedDate'), { createable: false, updateable: false });
    await assert.rejects(conn.sobject('Account').create({ Name: 'Backdated', CreatedDate: CREATED }), { errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' });
  });

  it('keeps them on insert while it is on, never on update', async () => {
    await control(emu, 'POST', '/orgs/bin/settings', { allowAuditFieldsOnCreate: true });
    try {
      for (const name of ['CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById']) {
        assert.deepEqual(await auditField(name), { createable: true, updateable: false }, name);
      }
      assert.deepEqual(await auditField('SystemModstamp'), { createable: false, updateable: false });
      const res = await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'insert', input: `Name,CreatedDate\nBackdated,${CREATED}\n` });
      const id = (res.successfulResults[0] as Rec | undefined)?.sf__Id as string;
      assert.ok(id, JSON.stringify(res.failedResults));
      assert.equal(new Date((await conn.sobject('Account').retrieve(id)).CreatedDate as string).toISOString(), CREATED);
      await assert.rejects(conn.sobject('Account').update({ Id: id, CreatedDate: '2021-01-01T00:00:00.000Z' }), {
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      });
    } finally {
      await control(emu, 'POST', '/orgs/bin/settings', { allowAuditFieldsOnCreate: false });
    }
  });
});
