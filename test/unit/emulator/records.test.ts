// Record writes (spec §0.2, §0.5, §2.6, §2.9–§2.13, §4.5, §4.6, §5.3): single-record REST resources,
// sObject Collections and composite tree through real jsforce 3, exact wire shapes through fetch,
// the Recycle Bin, and the write layer's CSV conventions that Bulk ingest relies on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { deleteRecord, insertRecord, type SaveResult, updateRecord, upsertRecord } from '../../emulators/salesforce/store/dml.ts';
import { API_VERSION, control, emulator, raw, sessionConnection } from '../../helpers/emulator.ts';
import { adminOf, objectOf, orgOf } from './soql-helpers.ts';

let emu: Emulator;
let org: Org;
let conn: Connection;
let token: string;
const base = `/services/data/v${API_VERSION}`;

type Rec = Record<string, unknown>;
type Wire = { status: number; headers: Headers; text: string; body: unknown };

async function wire(method: string, path: string, body?: unknown, version = API_VERSION): Promise<Wire> {
  const p = path.startsWith('/services') ? path : `/services/data/v${version}${path}`;
  const res = await raw(`${org.instanceUrl}${p}`, {
    method,
    token,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, text: res.text, body: parsed };
}

async function rejects(p: Promise<unknown>): Promise<Error & { errorCode?: string; data?: Rec }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { errorCode?: string; data?: Rec };
  }
  assert.fail('expected the call to fail');
}

async function create(type: string, values: Rec): Promise<string> {
  const r = (await conn.sobject(type).create(values)) as SaveResult;
  assert.equal(r.success, true, JSON.stringify(r));
  return r.id as string;
}

async function read(type: string, id: string): Promise<Rec> {
  return (await conn.sobject(type).retrieve(id)) as Rec;
}

let seq = 0;
function uniq(prefix: string): string {
  seq += 1;
  return `${prefix}-${seq}`;
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'rec', records: 0 }] });
  org = orgOf(emu, 'rec');
  conn = await sessionConnection(emu, 'rec');
  token = conn.accessToken as string;
});

after(async () => {
  await emu?.close();
});

describe('single-record resources', () => {
  it('creates, reads (all fields, compound address, attributes first) and derives platform fields', async () => {
    const res = await wire('POST', '/sobjects/Account', { Name: 'Acme Corp', BillingCity: 'Paris', BillingCountry: 'France', AnnualRevenue: 1234.5 });
    assert.equal(res.status, 201);
    const created = res.body as Rec;
    assert.deepEqual(Object.keys(created), ['id', 'success', 'errors']);
    assert.match(created.id as string, /^001[A-Za-z0-9]{15}$/);
    assert.equal(created.success, true);

    const rec = await read('Account', created.id as string);
    assert.equal(Object.keys(rec)[0], 'attributes');
    assert.deepEqual(rec.attributes, { type: 'Account', url: `${base}/sobjects/Account/${created.id}` });
    assert.equal(rec.Name, 'Acme Corp');
    assert.equal(rec.AnnualRevenue, 1234.5);
    assert.equal(rec.IsDeleted, false);
    assert.equal(rec.OwnerId, adminOf(emu, org));
    assert.match(rec.CreatedDate as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.equal(rec.SystemModstamp, rec.CreatedDate);
    assert.deepEqual(rec.BillingAddress, {
      city: 'Paris',
      country: 'France',
      geocodeAccuracy: null,
      latitude: null,
      longitude: null,
      postalCode: null,
      state: null,
      street: null,
    });
    assert.equal(rec.ShippingAddress, null);
    assert.equal(rec.Active__c, false, 'checkboxes default to false');

    const contact = await create('Contact', { FirstName: 'Ada', LastName: 'Lovelace', AccountId: created.id });
    assert.equal((await read('Contact', contact)).Name, 'Ada Lovelace');
    const opp = await create('Opportunity', { Name: 'Deal', StageName: 'Closed Won', CloseDate: '2024-05-01' });
    const o = await read('Opportunity', opp);
    assert.deepEqual([o.IsClosed, o.IsWon, o.Probability, o.ForecastCategoryName], [true, true, 100, 'Closed']);
  });

  it('reads the selected fields only, with Id appended', async () => {
    const id = await create('Account', { Name: 'Fields Inc', Phone: '555' });
    const rec = (await conn.sobject('Account').retrieve(id, { fields: ['Name', 'Phone'] })) as Rec;
    assert.deepEqual(rec, { attributes: { type: 'Account', url: `${base}/sobjects/Account/${id}` }, Name: 'Fields Inc', Phone: '555', Id: id });
    const bad = await wire('GET', `/sobjects/Account/${id}?fields=Name,Nope__c`);
    assert.equal(bad.status, 400);
    assert.equal((bad.body as Rec[])[0]?.errorCode, 'INVALID_FIELD');
    assert.match((bad.body as Rec[])[0]?.message as string, /^No such column 'Nope__c' on entity 'Account'/);
  });

  it('updates with 204 and bumps LastModifiedDate and SystemModstamp', async () => {
    const id = await create('Account', { Name: 'Before' });
    const before = await read('Account', id);
    await control(emu, 'POST', '/clock', { advanceSec: 5 });
    const res = await wire('PATCH', `/sobjects/Account/${id}`, { Name: 'After', Phone: null });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    const viaJsforce = await conn.sobject('Account').update({ Id: id, Website: 'https://example.com' });
    assert.deepEqual(viaJsforce, { id, success: true, errors: [] });
    const rec = await read('Account', id);
    assert.equal(rec.Name, 'After');
    assert.equal(rec.Website, 'https://example.com');
    assert.ok((rec.SystemModstamp as string) > (before.SystemModstamp as string));
    assert.ok((rec.LastModifiedDate as string) > (before.LastModifiedDate as string));
    assert.equal(rec.CreatedDate, before.CreatedDate);
  });

  it('answers the error shapes of create and update', async () => {
    const unknown = await wire('POST', '/sobjects/Account', { Name: 'x', Foo: 1 });
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body, [{ message: "No such column 'Foo' on sobject of type Account", errorCode: 'INVALID_FIELD' }]);

    const missing = await rejects(conn.sobject('Opportunity').create({ Name: 'no stage' }));
    assert.equal(missing.errorCode, 'REQUIRED_FIELD_MISSING');
    assert.deepEqual(missing.data, {
      message: 'Required fields are missing: [StageName, CloseDate]',
      errorCode: 'REQUIRED_FIELD_MISSING',
      fields: ['StageName', 'CloseDate'],
    });

    const readOnly = await wire('POST', '/sobjects/Account', { Name: 'x', CreatedDate: '2020-01-01T00:00:00Z', LastActivityDate: '2020-01-01' });
    assert.equal(readOnly.status, 400);
    assert.deepEqual(readOnly.body, [
      {
        message:
          'Unable to create/update fields: CreatedDate, LastActivityDate. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        fields: ['CreatedDate', 'LastActivityDate'],
      },
    ]);

    const picklist = await wire('POST', '/sobjects/Opportunity', { Name: 'x', StageName: 'Dreaming', CloseDate: '2024-01-01' });
    assert.deepEqual(picklist.body, [
      { message: 'Stage: bad value for restricted picklist field: Dreaming', errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['StageName'] },
    ]);

    const tooLong = await wire('POST', '/sobjects/Account', { Name: 'x', Site: 'y'.repeat(81) });
    assert.equal((tooLong.body as Rec[])[0]?.errorCode, 'STRING_TOO_LONG');
    assert.deepEqual((tooLong.body as Rec[])[0]?.fields, ['Site']);

    const badType = await wire('POST', '/sobjects/Account', { Name: 'x', NumberOfEmployees: 'many' });
    assert.deepEqual(badType.body, [
      { message: 'Employees: value not of required type: many', errorCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', fields: ['NumberOfEmployees'] },
    ]);

    const id = await create('Account', { Name: 'Keep' });
    const nulled = await wire('PATCH', `/sobjects/Account/${id}`, { Name: null });
    assert.deepEqual(nulled.body, [{ message: 'Required fields are missing: [Name]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['Name'] }]);
    const notUpdateable = await wire('PATCH', `/sobjects/Account/${id}`, { Id: '001000000000000AAA' });
    assert.equal((notUpdateable.body as Rec[])[0]?.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');

    const notJson = await wire('POST', '/sobjects/Account', '{"Name": ');
    assert.equal(notJson.status, 400);
    assert.equal((notJson.body as Rec[])[0]?.errorCode, 'JSON_PARSER_ERROR');
  });

  it('validates references: wrong object type, missing and deleted parents', async () => {
    const acct = await create('Account', { Name: 'Parent' });
    const contact = await create('Contact', { LastName: 'Kid' });
    const wrongType = await wire('POST', '/sobjects/Contact', { LastName: 'x', AccountId: contact });
    assert.deepEqual(wrongType.body, [{ message: `Account ID: id value of incorrect type: ${contact}`, errorCode: 'MALFORMED_ID', fields: ['AccountId'] }]);
    const malformed = await wire('POST', '/sobjects/Contact', { LastName: 'x', AccountId: 'abc' });
    assert.equal((malformed.body as Rec[])[0]?.errorCode, 'MALFORMED_ID');
    const missing = await wire('POST', '/sobjects/Contact', { LastName: 'x', AccountId: '001A0000009999ZIAQ' });
    assert.deepEqual(missing.body, [{ message: 'invalid cross reference id', errorCode: 'INVALID_CROSS_REFERENCE_KEY', fields: [] }]);
    await conn.sobject('Account').destroy(acct);
    const deleted = await wire('POST', '/sobjects/Contact', { LastName: 'x', AccountId: acct });
    assert.equal((deleted.body as Rec[])[0]?.errorCode, 'INVALID_CROSS_REFERENCE_KEY');
    // Polymorphic lookups take any of their targets.
    const opp = await create('Opportunity', { Name: 'o', StageName: 'Prospecting', CloseDate: '2024-01-01' });
    const task = await create('Task', { Subject: 'Call', WhatId: opp, WhoId: contact });
    assert.equal((await read('Task', task)).WhatId, opp);
    const badWhat = await wire('POST', '/sobjects/Task', { Subject: 'Call', WhatId: contact });
    assert.equal((badWhat.body as Rec[])[0]?.errorCode, 'MALFORMED_ID');
    // A record type must belong to the object.
    const rts = await conn.query<{ Id: string; SobjectType: string }>("SELECT Id, SobjectType FROM RecordType WHERE SobjectType IN ('Account', 'Opportunity')");
    const oppType = rts.records.find((r) => r.SobjectType === 'Opportunity');
    const acctType = rts.records.find((r) => r.SobjectType === 'Account');
    assert.ok(oppType && acctType);
    assert.ok(await create('Account', { Name: 'typed', RecordTypeId: acctType.Id }));
    const wrongRt = await wire('POST', '/sobjects/Account', { Name: 'typed', RecordTypeId: oppType.Id });
    assert.equal((wrongRt.body as Rec[])[0]?.errorCode, 'INVALID_CROSS_REFERENCE_KEY');
  });

  it('resolves parents by external id in JSON bodies', async () => {
    const ext = uniq('ACC');
    const acct = await create('Account', { Name: 'By Ext', Ext_Id__c: ext });
    const contact = await create('Contact', { LastName: 'Linked', Account: { Ext_Id__c: ext } });
    assert.equal((await read('Contact', contact)).AccountId, acct);
    const task = await create('Task', { Subject: 'Other', What: { attributes: { type: 'Account' }, Ext_Id__c: ext } });
    assert.equal((await read('Task', task)).WhatId, acct);
    const missing = await wire('POST', '/sobjects/Contact', { LastName: 'x', Account: { Ext_Id__c: 'nope' } });
    assert.deepEqual(missing.body, [
      { message: 'Foreign key external ID: nope not found for field Ext_Id__c in entity Account', errorCode: 'INVALID_FIELD', fields: [] },
    ]);
  });

  it('rejects duplicates of unique fields, case-insensitively', async () => {
    const ext = uniq('DUP');
    const first = await create('Account', { Name: 'one', Ext_Id__c: ext });
    const dup = await wire('POST', '/sobjects/Account', { Name: 'two', Ext_Id__c: ext.toLowerCase() });
    assert.deepEqual(dup.body, [
      { message: `duplicate value found: Ext_Id__c duplicates value on record with id: ${first}`, errorCode: 'DUPLICATE_VALUE', fields: [] },
    ]);
    // Saving a record with its own value is no duplicate.
    assert.equal((await wire('PATCH', `/sobjects/Account/${first}`, { Ext_Id__c: ext })).status, 204);
  });

  it('sets audit fields on create only with the org permission', async () => {
    const body = { Name: 'Old', CreatedDate: '2015-06-01T08:00:00.000Z', CreatedById: adminOf(emu, org) };
    assert.equal((await wire('POST', '/sobjects/Account', body)).status, 400);
    await control(emu, 'POST', '/orgs/rec/settings', { allowAuditFieldsOnCreate: true });
    try {
      const id = ((await wire('POST', '/sobjects/Account', body)).body as Rec).id as string;
      const rec = await read('Account', id);
      assert.equal(rec.CreatedDate, '2015-06-01T08:00:00.000+0000');
      assert.equal(rec.LastModifiedDate, '2015-06-01T08:00:00.000+0000');
      assert.notEqual(rec.SystemModstamp, rec.CreatedDate, 'SystemModstamp is always the server time');
      const update = await wire('PATCH', `/sobjects/Account/${id}`, { CreatedDate: '2016-01-01T00:00:00Z' });
      assert.equal((update.body as Rec[])[0]?.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
    } finally {
      await control(emu, 'POST', '/orgs/rec/settings', { allowAuditFieldsOnCreate: false });
    }
  });

  it('gives auto-number fields the next number', async () => {
    const a = await create('Project__c', { Name: 'A' });
    const b = await create('Project__c', { Name: 'B' });
    const codeA = (await read('Project__c', a)).Code__c as string;
    const codeB = (await read('Project__c', b)).Code__c as string;
    assert.match(codeA, /^PRJ-\d{5}$/);
    assert.equal(Number(codeB.slice(4)), Number(codeA.slice(4)) + 1);
    const member = await create('Project_Member__c', { Project__c: a });
    assert.match((await read('Project_Member__c', member)).Name as string, /^PM-\d{6}$/);
    const c = await create('Case', { Subject: 'broken' });
    const caseRec = await read('Case', c);
    assert.match(caseRec.CaseNumber as string, /^\d{8}$/);
    assert.deepEqual([caseRec.Status, caseRec.Priority, caseRec.IsClosed], ['New', 'Medium', false]);
    const custom = await wire('POST', '/sobjects/Project__c', { Name: 'C', Code__c: 'PRJ-99999' });
    assert.equal((custom.body as Rec[])[0]?.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  it('answers 404, 400 MALFORMED_ID and 405 for bad paths', async () => {
    const id = await create('Account', { Name: 'Paths' });
    const notAnId = await wire('GET', '/sobjects/Account/hello');
    assert.equal(notAnId.status, 404);
    assert.deepEqual(notAnId.body, [{ errorCode: 'NOT_FOUND', message: 'Provided external ID field does not exist or is not accessible: hello' }]);
    const contact = await create('Contact', { LastName: 'c' });
    const wrongPrefix = await wire('GET', `/sobjects/Account/${contact}`);
    assert.equal(wrongPrefix.status, 400);
    assert.deepEqual(wrongPrefix.body, [{ message: `Account ID: id value of incorrect type: ${contact}`, errorCode: 'MALFORMED_ID', fields: ['Id'] }]);
    const unknownId = await wire('GET', '/sobjects/Account/001A0000009999ZIAQ');
    assert.equal(unknownId.status, 404);
    assert.deepEqual(unknownId.body, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    const notFound = await rejects(conn.sobject('Account').retrieve('001A0000009999ZIAQ'));
    assert.equal(notFound.errorCode, 'NOT_FOUND');
    const unknownObject = await wire('GET', `/sobjects/Nope__c/${id}`);
    assert.equal(unknownObject.status, 404);
    const put = await wire('PUT', `/sobjects/Account/${id}`, { Name: 'x' });
    assert.equal(put.status, 405);
    assert.deepEqual(put.body, [{ errorCode: 'METHOD_NOT_ALLOWED', message: "HTTP Method 'PUT' not allowed. Allowed are GET,PATCH,DELETE" }]);
    const describe = await wire('PATCH', '/sobjects/Account/describe', {});
    assert.equal(describe.status, 405);
    assert.equal((await wire('GET', '/sobjects/Account/describe')).status, 200);
    // A 15-character id works as well as the 18-character one.
    assert.equal((await read('Account', id.slice(0, 15))).Id, id);
  });

  it('serves the object basic info with recent items (jsforce recent)', async () => {
    const id = await create('Account', { Name: 'Recent One' });
    const res = await wire('GET', '/sobjects/Account');
    assert.equal(res.status, 200);
    const body = res.body as { objectDescribe: Rec; recentItems: Rec[] };
    assert.equal(body.objectDescribe.name, 'Account');
    assert.equal(body.objectDescribe.keyPrefix, '001');
    assert.deepEqual((body.objectDescribe.urls as Rec).rowTemplate, `${base}/sobjects/Account/{ID}`);
    const recent = (await conn.recent('Account')) as Rec[];
    assert.deepEqual(recent[0], { attributes: { type: 'Account', url: `${base}/sobjects/Account/${id}` }, Id: id, Name: 'Recent One' });
    assert.equal((await wire('GET', '/sobjects/Nope__c')).status, 404);
  });

  it('reads a user the way sf does after login (v51.0)', async () => {
    const userId = adminOf(emu, org);
    const res = await wire('GET', `/services/data/v51.0/sobjects/User/${userId}`);
    assert.equal(res.status, 200);
    assert.equal((res.body as Rec).Username, emu.credentials.find((c) => c.alias === 'rec')?.username);
  });
});

describe('upsert by external id', () => {
  it('creates with 201 and created:true, then updates with 200 and created:false', async () => {
    const ext = uniq('UPS');
    const first = await wire('PATCH', `/sobjects/Account/Ext_Id__c/${ext}`, { Name: 'Upserted' });
    assert.equal(first.status, 201);
    const id = (first.body as Rec).id as string;
    assert.deepEqual(first.body, { id, success: true, errors: [], created: true });
    const second = await wire('PATCH', `/sobjects/Account/Ext_Id__c/${ext}`, { Name: 'Again' });
    assert.equal(second.status, 200);
    assert.deepEqual(second.body, { id, success: true, errors: [], created: false });
    assert.equal((await read('Account', id)).Name, 'Again');
    // jsforce's single upsert uses the same resource.
    const viaJsforce = (await conn.sobject('Account').upsert({ Ext_Id__c: ext, Phone: '1' }, 'Ext_Id__c')) as SaveResult;
    assert.deepEqual(viaJsforce, { id, success: true, errors: [], created: false });
    // Read and delete by external id too.
    const got = await wire('GET', `/sobjects/Account/Ext_Id__c/${ext}`);
    assert.equal((got.body as Rec).Id, id);
    assert.equal((await wire('DELETE', `/sobjects/Account/Ext_Id__c/${ext}`)).status, 204);
    assert.equal((await wire('GET', `/sobjects/Account/Ext_Id__c/${ext}`)).status, 404);
  });

  it('answers 204 on update before API 46', async () => {
    const ext = uniq('OLD');
    const created = await wire('PATCH', `/sobjects/Account/Ext_Id__c/${ext}`, { Name: 'v45' }, '45.0');
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body as Rec), ['id', 'success', 'errors']);
    const updated = await wire('PATCH', `/sobjects/Account/Ext_Id__c/${ext}`, { Name: 'v45b' }, '45.0');
    assert.equal(updated.status, 204);
  });

  it('answers 300 with the matching record URLs when the external id is not unique', async () => {
    const legacy = uniq('LEG');
    const a = await create('Contact', { LastName: 'a', Legacy_Id__c: legacy });
    const b = await create('Contact', { LastName: 'b', Legacy_Id__c: legacy });
    const res = await wire('PATCH', `/sobjects/Contact/Legacy_Id__c/${legacy}`, { LastName: 'c' });
    assert.equal(res.status, 300);
    assert.deepEqual(res.body, [`${base}/sobjects/Contact/${a}`, `${base}/sobjects/Contact/${b}`]);
    const err = await rejects(conn.sobject('Contact').upsert({ Legacy_Id__c: legacy, LastName: 'c' }, 'Legacy_Id__c'));
    assert.equal(err.errorCode, 'MULTIPLE_CHOICES');
    assert.equal((await wire('GET', `/sobjects/Contact/Legacy_Id__c/${legacy}`)).status, 300);
  });

  it('refuses fields that are not external ids', async () => {
    const res = await wire('PATCH', '/sobjects/Account/Phone/123', { Name: 'x' });
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, [{ errorCode: 'NOT_FOUND', message: 'Provided external ID field does not exist or is not accessible: Phone' }]);
  });
});

describe('blobs', () => {
  it('publishes a file and serves its exact bytes (jsforce stream)', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10, 0x80, 0x0d, 0x0a]);
    const id = await create('ContentVersion', { Title: 'logo', PathOnClient: 'img/logo.png', VersionData: bytes.toString('base64') });
    const version = await read('ContentVersion', id);
    assert.equal(version.VersionData, `${base}/sobjects/ContentVersion/${id}/VersionData`);
    assert.deepEqual([version.FileType, version.FileExtension, version.ContentSize, version.VersionNumber, version.IsLatest], ['PNG', 'png', 10, '1', true]);
    const doc = await read('ContentDocument', version.ContentDocumentId as string);
    assert.equal(doc.LatestPublishedVersionId, id);
    assert.equal(doc.Title, 'logo');

    const chunks: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      conn
        .request({ method: 'GET', url: version.VersionData as string })
        .stream()
        .on('data', (d: Buffer) => chunks.push(d))
        .on('end', () => resolve())
        .on('error', reject);
    });
    assert.deepEqual(Buffer.concat(chunks), bytes);
    const res = await raw(`${org.instanceUrl}${version.VersionData}`, { token });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');

    // A second version of the same document becomes the latest.
    const v2 = await create('ContentVersion', {
      Title: 'logo v2',
      PathOnClient: 'logo.png',
      VersionData: 'AAEC',
      ContentDocumentId: version.ContentDocumentId,
    });
    assert.equal((await read('ContentVersion', v2)).VersionNumber, '2');
    assert.equal((await read('ContentVersion', id)).IsLatest, false);
    assert.equal((await read('ContentDocument', version.ContentDocumentId as string)).LatestPublishedVersionId, v2);
  });

  it('serves attachment bodies and 404s for non-blob fields', async () => {
    const parent = await create('Account', { Name: 'with attachment' });
    const att = await create('Attachment', { ParentId: parent, Name: 'a.txt', Body: Buffer.from('hello, world').toString('base64') });
    const rec = await read('Attachment', att);
    assert.equal(rec.BodyLength, 12);
    const res = await raw(`${org.instanceUrl}${rec.Body}`, { token });
    assert.equal(res.text, 'hello, world');
    assert.equal((await wire('GET', `/sobjects/Attachment/${att}/Name`)).status, 404);
  });
});

describe('sObject Collections', () => {
  it('creates arrays; failures are per record with statusCode', async () => {
    const res = (await conn.sobject('Account').create([{ Name: 'c1' }, { Phone: '1' }, { Name: 'c3' }])) as SaveResult[];
    assert.equal(res.length, 3);
    assert.equal(res[0]?.success, true);
    assert.deepEqual(res[1], {
      success: false,
      errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name]', fields: ['Name'] }],
    });
    assert.equal(res[2]?.success, true);
    const rows = (await conn.sobject('Account').retrieve([res[0]?.id as string, res[2]?.id as string], { fields: ['Name'] })) as Rec[];
    assert.deepEqual(
      rows.map((r) => r.Name),
      ['c1', 'c3'],
    );
  });

  it('rolls everything back with allOrNone', async () => {
    const ext = uniq('AON');
    const res = (await conn.sobject('Account').create([{ Name: 'kept?', Ext_Id__c: ext }, { Phone: '1' }], { allOrNone: true })) as SaveResult[];
    assert.deepEqual(res, [
      {
        success: false,
        errors: [
          {
            statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
            message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
            fields: [],
          },
        ],
      },
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name]', fields: ['Name'] }] },
    ]);
    assert.equal((await wire('GET', `/sobjects/Account/Ext_Id__c/${ext}`)).status, 404, 'nothing persisted');

    const id = await create('Account', { Name: 'stable' });
    const upd = (await conn.sobject('Account').update(
      [
        { Id: id, Name: 'changed' },
        { Id: id.replace(/^001/, '003'), Name: 'bad' },
      ],
      { allOrNone: true },
    )) as SaveResult[];
    assert.equal(upd[0]?.errors[0]?.statusCode, 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
    assert.equal(upd[0]?.id, id);
    assert.equal((await read('Account', id)).Name, 'stable');
  });

  it('updates, upserts, retrieves and destroys arrays', async () => {
    const ids = ((await conn.sobject('Account').create([{ Name: 'u1' }, { Name: 'u2' }])) as SaveResult[]).map((r) => r.id as string);
    const upd = (await conn.sobject('Account').update(ids.map((Id, i) => ({ Id, Name: `u${i}!` })))) as SaveResult[];
    assert.deepEqual(
      upd,
      ids.map((id) => ({ id, success: true, errors: [] })),
    );
    const dup = await wire('PATCH', '/composite/sobjects', {
      allOrNone: false,
      records: [
        { attributes: { type: 'Account' }, id: ids[0], Name: 'x' },
        { attributes: { type: 'Account' }, id: ids[0], Name: 'y' },
        { attributes: { type: 'Account' }, Name: 'no id' },
      ],
    });
    const dupBody = dup.body as SaveResult[];
    assert.equal(dupBody[0]?.success, true);
    assert.equal(dupBody[1]?.errors[0]?.statusCode, 'INVALID_ID_FIELD');
    assert.deepEqual(dupBody[2], { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] });

    const ext = uniq('UPA');
    await create('Account', { Name: 'exists', Ext_Id__c: `${ext}-1` });
    const ups = (await conn.sobject('Account').upsert(
      [
        { Ext_Id__c: `${ext}-1`, Name: 'updated' },
        { Ext_Id__c: `${ext}-2`, Name: 'inserted' },
      ],
      'Ext_Id__c',
    )) as SaveResult[];
    assert.deepEqual(
      ups.map((r) => [r.success, r.created]),
      [
        [true, false],
        [true, true],
      ],
    );

    const got = (await conn.sobject('Account').retrieve([ids[0] as string, '001A0000009999ZIAQ'], { fields: ['Name'] })) as (Rec | null)[];
    assert.deepEqual(got[0], { attributes: { type: 'Account', url: `${base}/sobjects/Account/${ids[0]}` }, Name: 'x', Id: ids[0] });
    assert.equal(got[1], null);
    // Without fields jsforce describes the object and asks for every field, compound ones included.
    const full = (await conn.sobject('Account').retrieve([ids[0] as string])) as Rec[];
    assert.equal(full[0]?.Name, 'x');
    assert.ok('BillingAddress' in (full[0] as Rec));

    const del = (await conn.sobject('Account').destroy([...ids, ids[0] as string])) as SaveResult[];
    assert.deepEqual(
      del.slice(0, 2),
      ids.map((id) => ({ id, success: true, errors: [] })),
    );
    assert.equal(del[2]?.errors[0]?.statusCode, 'INVALID_ID_FIELD');
    const again = (await conn.sobject('Account').destroy(ids)) as SaveResult[];
    assert.deepEqual(again[0], { id: ids[0], success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] });
  });

  it('limits a call to 200 records; jsforce allowRecursive splits larger arrays', async () => {
    const records = Array.from({ length: 250 }, (_, i) => ({ Name: `bulkish ${i}` }));
    const tooMany = await rejects(conn.sobject('Account').create(records));
    assert.equal(tooMany.errorCode, 'EXCEEDED_ID_LIMIT');
    const res = (await conn.sobject('Account').create(records, { allowRecursive: true })) as SaveResult[];
    assert.equal(res.length, 250);
    assert.ok(res.every((r) => r.success));
    const calls = emu.state.requestLog.filter((e) => e.path === `${base}/composite/sobjects` && e.method === 'POST').slice(-2);
    assert.equal(calls.length, 2);
    const deleted = (await conn.sobject('Account').destroy(
      res.map((r) => r.id as string),
      { allowRecursive: true },
    )) as SaveResult[];
    assert.ok(deleted.every((r) => r.success));
  });

  it('rejects unknown columns, missing types and old API versions for the whole request', async () => {
    const unknown = await wire('POST', '/composite/sobjects', { records: [{ attributes: { type: 'Account' }, Name: 'x', Bogus__c: 1 }] });
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body, [{ message: "No such column 'Bogus__c' on sobject of type Account", errorCode: 'INVALID_FIELD' }]);
    const untyped = await wire('POST', '/composite/sobjects', { records: [{ Name: 'x' }] });
    assert.equal(untyped.status, 400);
    assert.equal((untyped.body as Rec[])[0]?.errorCode, 'INVALID_FIELD');
    assert.equal((await wire('POST', '/composite/sobjects', { records: [] }, '41.0')).status, 404);
    assert.equal((await wire('PATCH', '/composite/sobjects/Account/Ext_Id__c', { records: [] }, '45.0')).status, 404);
    const notExt = await wire('PATCH', '/composite/sobjects/Account/Phone', { records: [{ attributes: { type: 'Account' }, Phone: '1' }] });
    assert.equal((notExt.body as Rec[])[0]?.errorCode, 'INVALID_FIELD');
  });
});

describe('composite tree', () => {
  it('creates a parent-child graph and lists results level by level', async () => {
    const ext = uniq('TREE');
    const res = (await conn.requestPost('/composite/tree/Account', {
      records: [
        {
          attributes: { type: 'Account', referenceId: 'acc1' },
          Name: 'Tree Co',
          Ext_Id__c: ext,
          Contacts: {
            records: [
              { attributes: { type: 'Contact', referenceId: 'c1' }, LastName: 'One' },
              { attributes: { type: 'Contact', referenceId: 'c2' }, LastName: 'Two' },
            ],
          },
          Projects__r: {
            records: [
              {
                attributes: { type: 'Project__c', referenceId: 'p1' },
                Name: 'Tree project',
                Project_Members__r: { records: [{ attributes: { type: 'Project_Member__c', referenceId: 'm1' }, Role__c: 'Lead' }] },
              },
            ],
          },
        },
        { attributes: { type: 'Account', referenceId: 'acc2' }, Name: 'Second' },
      ],
    })) as { hasErrors: boolean; results: { referenceId: string; id: string }[] };
    assert.equal(res.hasErrors, false);
    assert.deepEqual(
      res.results.map((r) => r.referenceId),
      ['acc1', 'acc2', 'c1', 'c2', 'p1', 'm1'],
    );
    const ids = Object.fromEntries(res.results.map((r) => [r.referenceId, r.id]));
    assert.equal((await read('Contact', ids.c2 as string)).AccountId, ids.acc1);
    assert.equal((await read('Project__c', ids.p1 as string)).Account__c, ids.acc1);
    assert.equal((await read('Project_Member__c', ids.m1 as string)).Project__c, ids.p1);
    const status = emu.state.requestLog.filter((e) => e.path === `${base}/composite/tree/Account`).at(-1)?.status;
    assert.equal(status, 201);
  });

  it('rolls the whole tree back when one record fails', async () => {
    const ext = uniq('TREEFAIL');
    const res = await wire('POST', '/composite/tree/Account', {
      records: [
        {
          attributes: { type: 'Account', referenceId: 'ok' },
          Name: 'Rolled back',
          Ext_Id__c: ext,
          Contacts: { records: [{ attributes: { type: 'Contact', referenceId: 'bad' }, FirstName: 'No last name' }] },
        },
      ],
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      hasErrors: true,
      results: [
        { referenceId: 'bad', errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] }] },
      ],
    });
    assert.equal((await wire('GET', `/sobjects/Account/Ext_Id__c/${ext}`)).status, 404);

    const dupRef = await wire('POST', '/composite/tree/Account', {
      records: [
        { attributes: { type: 'Account', referenceId: 'same' }, Name: 'a' },
        { attributes: { type: 'Account', referenceId: 'same' }, Name: 'b' },
      ],
    });
    assert.equal(dupRef.status, 400);
    assert.equal((dupRef.body as { hasErrors: boolean }).hasErrors, true);
  });

  it('fails the request with INVALID_FIELD on an unknown field (what sf turns into its FLS message)', async () => {
    const err = await rejects(
      conn.requestPost('/composite/tree/Account', { records: [{ attributes: { type: 'Account', referenceId: 'r' }, Name: 'x', Secret__c: 'y' }] }),
    );
    assert.equal(err.errorCode, 'INVALID_FIELD');
    assert.equal(err.message, "No such column 'Secret__c' on sobject of type Account");
  });

  it('enforces the 200-record and 5-level limits', async () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Account', referenceId: `r${i}` }, Name: `n${i}` }));
    const tooMany = await wire('POST', '/composite/tree/Account', { records: many });
    assert.equal(tooMany.status, 400);
    assert.equal((tooMany.body as Rec[])[0]?.errorCode, 'EXCEEDED_ID_LIMIT');
    let node: Rec = { attributes: { type: 'Account', referenceId: 'd6' }, Name: 'deep' };
    for (let d = 5; d >= 1; d--) node = { attributes: { type: 'Account', referenceId: `d${d}` }, Name: 'deep', ChildAccounts: { records: [node] } };
    const deep = await wire('POST', '/composite/tree/Account', { records: [node] });
    assert.equal(deep.status, 400);
  });
});

describe('Recycle Bin', () => {
  it('soft-deletes: gone from reads and query, visible to queryAll; deleting again is ENTITY_IS_DELETED', async () => {
    const id = await create('Account', { Name: 'Doomed' });
    assert.equal((await wire('DELETE', `/sobjects/Account/${id}`)).status, 204);
    const gone = await wire('GET', `/sobjects/Account/${id}`);
    assert.equal(gone.status, 404);
    assert.equal((await conn.query(`SELECT Id FROM Account WHERE Id = '${id}'`)).totalSize, 0);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>(`SELECT Id, IsDeleted FROM Account WHERE Id = '${id}'`, { scanAll: true });
    assert.equal(all.records[0]?.IsDeleted, true);
    const again = await wire('DELETE', `/sobjects/Account/${id}`);
    assert.equal(again.status, 404);
    assert.deepEqual(again.body, [{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] }]);
    const patch = await wire('PATCH', `/sobjects/Account/${id}`, { Name: 'x' });
    assert.deepEqual(patch.body, [{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] }]);
    const err = await rejects(conn.sobject('Account').destroy(id));
    assert.equal(err.errorCode, 'ENTITY_IS_DELETED');
  });

  it('cascades to master-detail children, clears lookups, and undeletes both', async () => {
    const acct = await create('Account', { Name: 'Lookup parent' });
    const contact = await create('Contact', { LastName: 'Looked up' });
    const project = await create('Project__c', { Name: 'Master', Account__c: acct });
    const member = await create('Project_Member__c', { Project__c: project, Contact__c: contact });
    // A child account: its ParentId is a plain lookup, cleared when the parent goes.
    const childAccount = await create('Account', { Name: 'Lookup child', ParentId: acct });
    const before = await read('Account', childAccount);

    await conn.sobject('Project__c').destroy(project);
    assert.equal((await wire('GET', `/sobjects/Project_Member__c/${member}`)).status, 404);
    const memberState = await control<{ state: string; deleted: { purged: boolean } }>(emu, 'GET', `/orgs/rec/records/Project_Member__c/${member}`);
    assert.equal(memberState.state, 'deleted');
    assert.equal(memberState.deleted.purged, false);

    await conn.sobject('Account').destroy(acct);
    const after = await read('Account', childAccount);
    assert.equal(after.ParentId, null);
    assert.ok((after.SystemModstamp as string) > (before.SystemModstamp as string));

    await control(emu, 'POST', `/orgs/rec/records/Project__c/${project}/undelete`, {});
    assert.equal((await read('Project__c', project)).Name, 'Master');
    assert.equal((await read('Project_Member__c', member)).Project__c, project);
  });

  it('hard-deletes and purges: gone from queryAll, still in the deletion log', async () => {
    const keep = await create('Account', { Name: 'Purge me' });
    const hard = await create('Account', { Name: 'Hard delete me' });
    await conn.sobject('Account').destroy(keep);
    const purged = await control<{ purged: string[] }>(emu, 'POST', '/orgs/rec/recyclebin/purge', { id: keep });
    assert.deepEqual(purged.purged, [keep]);
    await control(emu, 'DELETE', `/orgs/rec/records/Account/${hard}?hard=true`);
    for (const id of [keep, hard]) {
      assert.equal((await conn.query(`SELECT Id FROM Account WHERE Id = '${id}'`, { scanAll: true })).totalSize, 0);
      const st = await control<{ state: string; deleted: { purged: boolean } }>(emu, 'GET', `/orgs/rec/records/Account/${id}`);
      assert.deepEqual([st.state, st.deleted.purged], ['purged', true]);
      const again = await wire('DELETE', `/sobjects/Account/${id}`);
      assert.equal((again.body as Rec[])[0]?.errorCode, 'ENTITY_IS_DELETED');
    }
  });

  it('refuses to delete objects that cannot be deleted', async () => {
    const user = await wire('DELETE', `/sobjects/User/${adminOf(emu, org)}`);
    assert.equal(user.status, 400);
    assert.equal((user.body as Rec[])[0]?.errorCode, 'INVALID_TYPE_FOR_OPERATION');
  });
});

describe('control knobs', () => {
  it('writes as a given user and reports failures', async () => {
    const username = emu.credentials.find((c) => c.alias === 'rec')?.username as string;
    const created = await control<SaveResult>(emu, 'POST', '/orgs/rec/records/Account', { values: { Name: 'By control' }, asUser: username });
    assert.equal(created.success, true);
    const rec = await read('Account', created.id as string);
    assert.equal(rec.CreatedById, adminOf(emu, org));
    const updated = await control<SaveResult>(emu, 'PATCH', `/orgs/rec/records/Account/${created.id}`, { values: { Phone: '42' } });
    assert.equal(updated.success, true);
    assert.equal((await read('Account', created.id as string)).Phone, '42');
    await assert.rejects(control(emu, 'POST', '/orgs/rec/records/Account', { values: { Phone: '1' } }), /REQUIRED_FIELD_MISSING/);
    const many = await control<{ results: SaveResult[] }>(emu, 'POST', '/orgs/rec/records/Account', {
      records: [{ Name: 'old', CreatedDate: '2010-01-01T00:00:00Z' }],
      allowAuditFields: true,
    });
    assert.equal((await read('Account', many.results[0]?.id as string)).CreatedDate, '2010-01-01T00:00:00.000+0000');
  });
});

describe('write layer, CSV conventions (Bulk ingest)', () => {
  const csv = () => ({ userId: adminOf(emu, org), source: 'csv' as const });

  it('treats an empty cell as no value and #N/A as null', () => {
    const account = objectOf(org, 'Account');
    const ins = insertRecord(org, account, { Name: 'csv row', Phone: '', Website: 'https://a.example', NumberOfEmployees: '12', Active__c: 'true' }, csv());
    assert.equal(ins.success, true, JSON.stringify(ins));
    const row = org.store.get(account, ins.id as string);
    assert.deepEqual([row?.Phone, row?.Website, row?.NumberOfEmployees, row?.Active__c], [null, 'https://a.example', 12, 1]);
    const upd = updateRecord(org, account, ins.id as string, { Id: ins.id, Name: '', Website: '#N/A' }, csv());
    assert.equal(upd.success, true, JSON.stringify(upd));
    const after = org.store.get(account, ins.id as string);
    assert.deepEqual([after?.Name, after?.Website], ['csv row', null]);
    const required = updateRecord(org, account, ins.id as string, { Name: '#N/A' }, csv());
    assert.equal(required.errors[0]?.statusCode, 'REQUIRED_FIELD_MISSING');
  });

  it('resolves relationship columns by external id, also polymorphic ones', () => {
    const ext = uniq('CSVP');
    const account = objectOf(org, 'Account');
    const parent = insertRecord(org, account, { Name: 'csv parent', Ext_Id__c: ext }, csv()).id as string;
    const contact = insertRecord(org, objectOf(org, 'Contact'), { LastName: 'csv kid', 'Account.Ext_Id__c': ext }, csv());
    assert.equal(org.store.get(objectOf(org, 'Contact'), contact.id as string)?.AccountId, parent);
    const username = emu.credentials.find((c) => c.alias === 'rec')?.username as string;
    const task = insertRecord(org, objectOf(org, 'Task'), { Subject: 'Call', 'What:Account.Ext_Id__c': ext, 'Owner.Username': username }, csv());
    assert.equal(task.success, true, JSON.stringify(task));
    assert.equal(org.store.get(objectOf(org, 'Task'), task.id as string)?.WhatId, parent);
    const missing = insertRecord(org, objectOf(org, 'Contact'), { LastName: 'x', 'Account.Ext_Id__c': 'none' }, csv());
    assert.deepEqual(missing.errors, [
      { statusCode: 'INVALID_FIELD', message: 'Foreign key external ID: none not found for field Ext_Id__c in entity Account', fields: [] },
    ]);
    const unknown = insertRecord(org, objectOf(org, 'Contact'), { LastName: 'x', Foo__c: '1' }, csv());
    assert.deepEqual(unknown.errors, [{ statusCode: 'INVALID_FIELD', message: "No such column 'Foo__c' on sobject of type Contact", fields: [] }]);
  });

  it('upserts by external id and reports DUPLICATE_EXTERNAL_ID, ENTITY_IS_DELETED and MALFORMED_ID rows', () => {
    const contact = objectOf(org, 'Contact');
    const legacy = uniq('CSVL');
    const first = upsertRecord(org, contact, 'Legacy_Id__c', { Legacy_Id__c: legacy, LastName: 'one' }, csv());
    assert.deepEqual([first.success, first.created], [true, true]);
    const second = upsertRecord(org, contact, 'Legacy_Id__c', { Legacy_Id__c: legacy, LastName: 'two' }, csv());
    assert.deepEqual([second.success, second.created, second.id], [true, false, first.id]);
    insertRecord(org, contact, { LastName: 'clone', Legacy_Id__c: legacy }, csv());
    const dup = upsertRecord(org, contact, 'Legacy_Id__c', { Legacy_Id__c: legacy, LastName: 'three' }, csv());
    assert.equal(dup.errors[0]?.statusCode, 'DUPLICATE_EXTERNAL_ID');
    assert.match(dup.errors[0]?.message as string, /^Legacy ID: more than one record found for external id field: \[003/);

    assert.equal(deleteRecord(org, contact, first.id as string, csv()).success, true);
    const deleted = updateRecord(org, contact, first.id as string, { LastName: 'zombie' }, csv());
    assert.deepEqual(deleted, { id: first.id, success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] });
    const wrong = updateRecord(org, contact, '001A00000000001IAA', { LastName: 'x' }, csv());
    assert.deepEqual(wrong.errors, [{ statusCode: 'MALFORMED_ID', message: 'Contact ID: id value of incorrect type: 001A00000000001IAA', fields: ['Id'] }]);
    const hard = insertRecord(org, contact, { LastName: 'gone' }, csv());
    assert.equal(deleteRecord(org, contact, hard.id as string, { ...csv(), hard: true }).success, true);
    assert.equal(org.store.get(contact, hard.id as string, { includeDeleted: true }), undefined);
  });
});
