// Bulk API 2.0 ingest jobs (spec §4) through real jsforce 3 and on the wire.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Connection } from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { getObject, type ObjectDef } from '../../emulators/salesforce/schema/types.ts';
import type { Row } from '../../emulators/salesforce/store/db.ts';
import { insertRecord } from '../../emulators/salesforce/store/dml.ts';
import { API_VERSION, control, emulator, raw, sessionConnection } from '../../helpers/emulator.ts';

/** jsforce types result rows by the object's schema; these tests read them as plain CSV records. */
type ResultRow = Record<string, string>;

function rowsOf(res: { successfulResults: unknown; failedResults: unknown; unprocessedRecords: unknown }): {
  ok: ResultRow[];
  failed: ResultRow[];
  unprocessed: ResultRow[];
} {
  const list = (v: unknown): ResultRow[] => {
    assert.ok(Array.isArray(v), `a parsed result file, not ${typeof v}`);
    return v as ResultRow[];
  };
  return { ok: list(res.successfulResults), failed: list(res.failedResults), unprocessed: list(res.unprocessedRecords) };
}

let emu: Emulator;
let org: Org;
let conn: Connection;
let token: string;
let account: ObjectDef;
let contact: ObjectDef;

function adminId(): string {
  const u = [...emu.state.users.values()].find((x) => x.orgId === org.id);
  assert.ok(u);
  return u.id;
}

function seedAccount(values: Record<string, unknown>): string {
  const r = insertRecord(org, account, values, { userId: adminId(), source: 'json' });
  assert.ok(r.success, JSON.stringify(r.errors));
  return r.id as string;
}

/** The stored row, deleted rows included; undefined once purged. */
function stored(obj: ObjectDef, id: string): Row | undefined {
  return org.store.get(obj, id, { includeDeleted: true });
}

function byName(name: string): Row[] {
  return org.store.db.prepare('SELECT * FROM "Account" WHERE "Name" = ?').all(name) as Row[];
}

interface Reply {
  status: number;
  text: string;
  headers: Headers;
  json: () => unknown;
}

function call(method: string, path: string, body?: string, contentType = 'application/json; charset=utf-8', version = API_VERSION): Promise<Reply> {
  return raw(`${org.instanceUrl}/services/data/v${version}/jobs/ingest${path}`, {
    method,
    token,
    ...(body !== undefined ? { body, headers: { 'content-type': contentType } } : {}),
  });
}

function errorOf(r: Reply): { errorCode: string; message: string } {
  const body = r.json() as { errorCode: string; message: string }[];
  assert.ok(Array.isArray(body) && body.length === 1, r.text);
  return body[0] as { errorCode: string; message: string };
}

async function openJob(spec: Record<string, unknown>): Promise<string> {
  const r = await call('POST', '', JSON.stringify(spec));
  assert.equal(r.status, 200, r.text);
  return (r.json() as { id: string }).id;
}

async function poll(id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 20; i++) {
    const r = await call('GET', `/${id}`);
    assert.equal(r.status, 200, r.text);
    const info = r.json() as Record<string, unknown>;
    if (info.state === 'JobComplete' || info.state === 'Failed' || info.state === 'Aborted') return info;
  }
  throw new Error(`job ${id} never finished`);
}

/** Create, upload, close and wait, on the wire; returns the final job info. */
async function runJob(spec: Record<string, unknown>, csv: string): Promise<{ id: string; info: Record<string, unknown> }> {
  const id = await openJob(spec);
  const put = await call('PUT', `/${id}/batches`, csv, 'text/csv');
  assert.equal(put.status, 201, put.text);
  const close = await call('PATCH', `/${id}`, '{"state":"UploadComplete"}');
  assert.equal(close.status, 200, close.text);
  return { id, info: await poll(id) };
}

async function resultFile(id: string, file: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): Promise<Reply> {
  const r = await call('GET', `/${id}/${file}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'text/csv');
  return r;
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'i', records: 0 }], bulk: { pollsBeforeComplete: 0 } });
  org = [...emu.state.orgs.values()][0] as Org;
  conn = await sessionConnection(emu, 'i');
  conn.bulk2.pollInterval = 20;
  token = conn.accessToken as string;
  account = getObject(org.store.schema, 'Account') as ObjectDef;
  contact = getObject(org.store.schema, 'Contact') as ObjectDef;
  assert.ok(account && contact);
});

after(async () => {
  await emu?.close();
});

describe('create', () => {
  it('answers the job info of §4.1, contentUrl without a leading slash', async () => {
    const r = await call('POST', '', JSON.stringify({ object: 'account', operation: 'upsert', externalIdFieldName: 'ext_id__c', lineEnding: 'LF' }));
    assert.equal(r.status, 200, r.text);
    const j = r.json() as Record<string, unknown>;
    assert.deepEqual(Object.keys(j), [
      'id',
      'operation',
      'object',
      'createdById',
      'createdDate',
      'systemModstamp',
      'state',
      'externalIdFieldName',
      'concurrencyMode',
      'contentType',
      'apiVersion',
      'contentUrl',
      'lineEnding',
      'columnDelimiter',
    ]);
    assert.match(j.id as string, /^750[A-Za-z0-9]{15}$/);
    assert.equal(j.object, 'Account');
    assert.equal(j.state, 'Open');
    assert.equal(j.externalIdFieldName, 'Ext_Id__c');
    assert.equal(j.contentUrl, `services/data/v${API_VERSION}/jobs/ingest/${j.id}/batches`);
    assert.match(r.text, /"apiVersion":62\.0,/);
    assert.equal(j.columnDelimiter, 'COMMA');
  });

  it('rejects an unknown operation with INVALIDJOB', async () => {
    const r = await call('POST', '', JSON.stringify({ object: 'Account', operation: 'merge' }));
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).errorCode, 'INVALIDJOB');
  });

  it('rejects an upsert without externalIdFieldName, or with a field that is no external id', async () => {
    const blank = await call('POST', '', JSON.stringify({ object: 'Account', operation: 'upsert' }));
    assert.equal(blank.status, 400);
    assert.deepEqual(errorOf(blank), {
      errorCode: 'INVALIDJOB',
      message: 'External ID was blank for Account. An External ID must be specified for upsert.',
    });
    const wrong = await call('POST', '', JSON.stringify({ object: 'Account', operation: 'upsert', externalIdFieldName: 'Description' }));
    assert.equal(wrong.status, 400);
    assert.equal(errorOf(wrong).errorCode, 'INVALIDJOB');
  });

  it('rejects an unknown object', async () => {
    const r = await call('POST', '', JSON.stringify({ object: 'Nope__c', operation: 'insert' }));
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).errorCode, 'INVALIDJOB');
  });

  it('answers FEATURENOTENABLED for hardDelete without the permission', async () => {
    await control(emu, 'POST', `/orgs/${org.alias}/settings`, { allowHardDelete: false });
    try {
      const r = await call('POST', '', JSON.stringify({ object: 'Account', operation: 'hardDelete' }));
      assert.equal(r.status, 400);
      assert.equal(errorOf(r).errorCode, 'FEATURENOTENABLED');
      await assert.rejects(
        conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'hardDelete', input: 'Id\n001000000000000AAA\n' }),
        (err: Error) => err.name === 'FEATURENOTENABLED',
      );
    } finally {
      await control(emu, 'POST', `/orgs/${org.alias}/settings`, { allowHardDelete: true });
    }
  });

  it('does not exist before API 41.0', async () => {
    const r = await call('POST', '', JSON.stringify({ object: 'Account', operation: 'insert' }), undefined, '40.0');
    assert.equal(r.status, 404);
  });
});

describe('jsforce loadAndWaitForResults', () => {
  it('inserts, reporting failing rows without stopping the others', async () => {
    const res = rowsOf(
      await conn.bulk2.loadAndWaitForResults({
        object: 'Account',
        operation: 'insert',
        input: [
          { Name: 'Bulk One', Description: 'with "quotes", commas\nand a line break', NumberOfEmployees: 10 },
          { Name: null, Description: 'no name', NumberOfEmployees: 3 },
          { Name: 'Bulk Three 日本語', Description: '', NumberOfEmployees: 'many' },
          { Name: 'Bulk Four', Description: 'ok', NumberOfEmployees: 4 },
        ],
      }),
    );
    assert.equal(res.ok.length, 2);
    assert.equal(res.failed.length, 2);
    assert.equal(res.unprocessed.length, 0);
    for (const s of res.ok) {
      assert.match(s.sf__Id as string, /^001[A-Za-z0-9]{15}$/);
      assert.equal(s.sf__Created, 'true');
      const row = stored(account, s.sf__Id as string);
      assert.ok(row);
      assert.equal(row.Name, s.Name);
    }
    const one = res.ok.find((s) => s.Name === 'Bulk One');
    assert.ok(one);
    assert.equal(one.Description, 'with "quotes", commas\nand a line break', 'original columns are echoed verbatim');
    assert.equal(stored(account, one.sf__Id as string)?.Description, 'with "quotes", commas\nand a line break');
    assert.equal(stored(account, one.sf__Id as string)?.NumberOfEmployees, 10);
    const noName = res.failed.find((f) => f.Description === 'no name');
    assert.ok(noName);
    assert.equal(noName.sf__Id, '');
    assert.equal(noName.Name, '#N/A', 'jsforce sends null as #N/A; it comes back verbatim');
    assert.match(noName.sf__Error as string, /^REQUIRED_FIELD_MISSING:Required fields are missing: \[Name\]:Name --$/);
    const badNumber = res.failed.find((f) => f.Name === 'Bulk Three 日本語');
    assert.ok(badNumber);
    assert.match(badNumber.sf__Error as string, /^[A-Z_]+:.+:NumberOfEmployees --$/);
    assert.equal(byName('Bulk Three 日本語').length, 0);
  });

  it('updates by Id: #N/A clears a field, an empty cell leaves it, unknown ids fail', async () => {
    const a = seedAccount({ Name: 'Upd A', Description: 'keep me', Phone: '111' });
    const b = seedAccount({ Name: 'Upd B', Description: 'clear me', Phone: '222' });
    const res = rowsOf(
      await conn.bulk2.loadAndWaitForResults({
        object: 'Account',
        operation: 'update',
        input: `Id,Name,Description,Phone\n${a},Upd A2,,#N/A\n${b},Upd B2,#N/A,\n001A0000000zzzzAAA,Ghost,,\n`,
      }),
    );
    assert.equal(res.ok.length, 2);
    assert.ok(res.ok.every((s) => s.sf__Created === 'false'));
    assert.equal(res.failed.length, 1);
    assert.equal(res.failed[0]?.sf__Id, '001A0000000zzzzAAA');
    assert.match(res.failed[0]?.sf__Error as string, /^(INVALID_CROSS_REFERENCE_KEY|ENTITY_IS_DELETED|MALFORMED_ID):/);
    const ra = stored(account, a);
    const rb = stored(account, b);
    assert.equal(ra?.Name, 'Upd A2');
    assert.equal(ra?.Description, 'keep me');
    assert.equal(ra?.Phone, null);
    assert.equal(rb?.Name, 'Upd B2');
    assert.equal(rb?.Description, null);
    assert.equal(rb?.Phone, '222');
  });

  it('upserts on an external id: sf__Created tells inserts from updates', async () => {
    const existing = seedAccount({ Name: 'Ups Existing', Ext_Id__c: 'EXT-1' });
    const res = rowsOf(
      await conn.bulk2.loadAndWaitForResults({
        object: 'Account',
        operation: 'upsert',
        externalIdFieldName: 'Ext_Id__c',
        input: [
          { Ext_Id__c: 'EXT-1', Name: 'Ups Existing Renamed' },
          { Ext_Id__c: 'EXT-2', Name: 'Ups New' },
        ],
      }),
    );
    assert.equal(res.failed.length, 0, JSON.stringify(res.failed));
    const byExt = new Map(res.ok.map((s) => [s.Ext_Id__c as string, s]));
    assert.equal(byExt.get('EXT-1')?.sf__Id, existing);
    assert.equal(byExt.get('EXT-1')?.sf__Created, 'false');
    assert.equal(byExt.get('EXT-2')?.sf__Created, 'true');
    assert.equal(stored(account, existing)?.Name, 'Ups Existing Renamed');
    assert.equal(stored(account, byExt.get('EXT-2')?.sf__Id as string)?.Ext_Id__c, 'EXT-2');
  });

  it('inserts children with a parent looked up by external id (Account.Ext_Id__c)', async () => {
    const parent = seedAccount({ Name: 'Parent By Ext', Ext_Id__c: 'PARENT-1' });
    const res = rowsOf(
      await conn.bulk2.loadAndWaitForResults({
        object: 'Contact',
        operation: 'insert',
        input: 'LastName,Account.Ext_Id__c\nChild One,PARENT-1\nChild Two,NO-SUCH-PARENT\n',
      }),
    );
    assert.equal(res.ok.length, 1, JSON.stringify(res.failed));
    assert.equal(stored(contact, res.ok[0]?.sf__Id as string)?.AccountId, parent);
    assert.equal(res.failed.length, 1);
    assert.equal(res.failed[0]?.['Account.Ext_Id__c'], 'NO-SUCH-PARENT');
  });

  it('deletes to the Recycle Bin and hard-deletes for good', async () => {
    const soft = seedAccount({ Name: 'Soft Delete Me' });
    const hard = seedAccount({ Name: 'Hard Delete Me' });
    const del = rowsOf(await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'delete', input: [{ Id: soft }] }));
    assert.equal(del.ok.length, 1);
    assert.equal(del.ok[0]?.sf__Id, soft);
    assert.equal(del.ok[0]?.sf__Created, 'false');
    assert.equal(stored(account, soft)?.IsDeleted, 1, 'the row is in the Recycle Bin');
    const hd = rowsOf(await conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'hardDelete', input: `Id\n${hard}\n${soft}\n` }));
    assert.equal(hd.ok.length, 1);
    assert.equal(hd.ok[0]?.sf__Id, hard);
    assert.equal(stored(account, hard), undefined, 'hard-deleted rows are gone');
    assert.equal(hd.failed.length, 1, 'a record already in the Recycle Bin cannot be deleted again');
    assert.match(hd.failed[0]?.sf__Error as string, /^ENTITY_IS_DELETED:entity is deleted:--$/);
  });
});

describe('wire', () => {
  it('PUT answers 201 with an empty body; job info carries the counters', async () => {
    const id = await openJob({ object: 'Account', operation: 'insert' });
    const put = await call('PUT', `/${id}/batches`, 'Name\nWire One\nWire Two\n', 'text/csv');
    assert.equal(put.status, 201);
    assert.equal(put.text, '');
    const open = (await call('GET', `/${id}`)).json() as Record<string, unknown>;
    assert.equal(open.state, 'Open');
    assert.equal(open.contentUrl, `services/data/v${API_VERSION}/jobs/ingest/${id}/batches`);
    const close = await call('PATCH', `/${id}/`, '{"state":"UploadComplete"}');
    assert.equal(close.status, 200);
    assert.equal((close.json() as { state: string }).state, 'UploadComplete');
    const info = await poll(id);
    assert.deepEqual(Object.keys(info), [
      'id',
      'operation',
      'object',
      'createdById',
      'createdDate',
      'systemModstamp',
      'state',
      'concurrencyMode',
      'contentType',
      'apiVersion',
      'jobType',
      'lineEnding',
      'columnDelimiter',
      'numberRecordsProcessed',
      'numberRecordsFailed',
      'retries',
      'totalProcessingTime',
      'apiActiveProcessingTime',
      'apexProcessingTime',
      'isPkChunkingSupported',
    ]);
    assert.equal(info.state, 'JobComplete');
    assert.equal(info.jobType, 'V2Ingest');
    assert.equal(info.numberRecordsProcessed, 2);
    assert.equal(info.numberRecordsFailed, 0);
    assert.equal(info.isPkChunkingSupported, false);
  });

  it('writes result files with every field quoted and the uploaded cells verbatim', async () => {
    const csv = 'Name,Description,Phone\n"Raw ""One""","multi\nline",#N/A\n,missing name,\n';
    const { id, info } = await runJob({ object: 'Account', operation: 'insert' }, csv);
    assert.equal(info.numberRecordsProcessed, 2);
    assert.equal(info.numberRecordsFailed, 1);
    const ok = (await resultFile(id, 'successfulResults')).text;
    const [header, ...rest] = ok.split('\n');
    assert.equal(header, '"sf__Id","sf__Created","Name","Description","Phone"');
    assert.match(rest.join('\n'), /^"001[A-Za-z0-9]{15}","true","Raw ""One""","multi\nline","#N\/A"\n$/);
    const failed = (await resultFile(id, 'failedResults')).text;
    assert.equal(
      failed,
      '"sf__Id","sf__Error","Name","Description","Phone"\n"","REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --","","missing name",""\n',
    );
    const unprocessed = (await resultFile(id, 'unprocessedrecords')).text;
    assert.equal(unprocessed, '"Name","Description","Phone"\n');
    const camel = await call('GET', `/${id}/unprocessedRecords`);
    assert.equal(camel.status, 404, 'the path is all lower case');
  });

  it('reads every delimiter and CRLF, and answers in the same format', async () => {
    const delimiters = { BACKQUOTE: '`', CARET: '^', COMMA: ',', PIPE: '|', SEMICOLON: ';', TAB: '\t' } as const;
    for (const [name, d] of Object.entries(delimiters)) {
      const csv = `Name${d}Description\r\nDelim ${name}${d}"a${d}b"\r\n`;
      const { id, info } = await runJob({ object: 'Account', operation: 'insert', columnDelimiter: name, lineEnding: 'CRLF' }, csv);
      assert.equal(info.state, 'JobComplete', `${name}: ${String(info.errorMessage)}`);
      assert.equal(info.numberRecordsFailed, 0, name);
      const ok = (await resultFile(id, 'successfulResults')).text;
      assert.ok(ok.startsWith(`"sf__Id"${d}"sf__Created"${d}"Name"${d}"Description"\r\n`), `${name}: ${ok}`);
      const rows = parse(ok, { delimiter: d }) as string[][];
      assert.deepEqual(rows[1]?.slice(1), ['true', `Delim ${name}`, `a${d}b`]);
      assert.equal(byName(`Delim ${name}`)[0]?.Description, `a${d}b`);
    }
  });

  it('refuses uploads to a job that is not Open', async () => {
    const { id } = await runJob({ object: 'Account', operation: 'insert' }, 'Name\nLate Upload Base\n');
    const put = await call('PUT', `/${id}/batches`, 'Name\nToo Late\n', 'text/csv');
    assert.equal(put.status, 400);
    assert.equal(errorOf(put).errorCode, 'INVALIDJOBSTATE');
    assert.equal(byName('Too Late').length, 0);
  });

  it('fails the close after a second PUT, with Salesforce’s "multipe" message', async () => {
    const id = await openJob({ object: 'Account', operation: 'insert' });
    assert.equal((await call('PUT', `/${id}/batches`, 'Name\nTwice A\n', 'text/csv')).status, 201);
    assert.equal((await call('PUT', `/${id}/batches`, 'Name\nTwice B\n', 'text/csv')).status, 201);
    const close = await call('PATCH', `/${id}`, '{"state":"UploadComplete"}');
    assert.equal(close.status, 400);
    assert.deepEqual(errorOf(close), {
      errorCode: 'INVALIDJOB',
      message: `Found multipe contents for job: <${id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`,
    });
  });

  it('rejects an invalid state change with INVALIDJOBSTATE', async () => {
    const id = await openJob({ object: 'Account', operation: 'insert' });
    const r = await call('PATCH', `/${id}`, '{"state":"JobComplete"}');
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).errorCode, 'INVALIDJOBSTATE');
  });

  it('aborts: nothing is written and every row is unprocessed', async () => {
    await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 3 });
    try {
      const id = await openJob({ object: 'Account', operation: 'insert' });
      await call('PUT', `/${id}/batches`, 'Name,Description\nAborted One,"x,y"\nAborted Two,z\n', 'text/csv');
      await call('PATCH', `/${id}`, '{"state":"UploadComplete"}');
      const abort = await call('PATCH', `/${id}`, '{"state":"Aborted"}');
      assert.equal(abort.status, 200);
      assert.equal((abort.json() as { state: string }).state, 'Aborted');
      assert.equal(((await call('GET', `/${id}`)).json() as { state: string }).state, 'Aborted');
      assert.equal((await resultFile(id, 'unprocessedrecords')).text, '"Name","Description"\n"Aborted One","x,y"\n"Aborted Two","z"\n');
      assert.equal((await resultFile(id, 'successfulResults')).text, '"sf__Id","sf__Created","Name","Description"\n');
      assert.equal(byName('Aborted One').length, 0);
    } finally {
      await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
    }
  });

  it('deletes only jobs that are not Open or InProgress', async () => {
    const id = await openJob({ object: 'Account', operation: 'insert' });
    const early = await call('DELETE', `/${id}`);
    assert.equal(early.status, 400);
    assert.equal(errorOf(early).errorCode, 'API_ERROR');
    await call('PUT', `/${id}/batches`, 'Name\nDeleted Job Row\n', 'text/csv');
    await call('PATCH', `/${id}`, '{"state":"UploadComplete"}');
    await poll(id);
    const del = await call('DELETE', `/${id}`);
    assert.equal(del.status, 204);
    assert.equal((await call('GET', `/${id}`)).status, 404);
    assert.equal((await call('GET', `/${id}/successfulResults`)).status, 404);
  });

  it('lists the org’s ingest jobs', async () => {
    const id = await openJob({ object: 'Account', operation: 'insert' });
    const r = await call('GET', '');
    assert.equal(r.status, 200);
    const body = r.json() as { done: boolean; records: { id: string; state: string }[]; nextRecordsUrl: null };
    assert.equal(body.done, true);
    assert.equal(body.records.find((x) => x.id === id)?.state, 'Open');
  });

  it('keeps query and ingest jobs apart', async () => {
    const id = await openJob({ object: 'Account', operation: 'insert' });
    const asQuery = await raw(`${org.instanceUrl}/services/data/v${API_VERSION}/jobs/query/${id}`, { token });
    assert.equal(asQuery.status, 404);
  });
});

describe('whole-job failures', () => {
  it('fails the job on an unknown header: jsforce reports the errorMessage', async () => {
    await assert.rejects(conn.bulk2.loadAndWaitForResults({ object: 'Account', operation: 'insert', input: 'Name,Foo__c\nBad Header,1\n' }), {
      message: 'Ingest job failed to complete due to: InvalidBatch : Field name not found : Foo__c',
    });
    const { id, info } = await runJob({ object: 'Account', operation: 'insert' }, 'Name,Foo__c\nBad Header,1\nBad Header 2,2\n');
    assert.equal(info.state, 'Failed');
    assert.equal(info.errorMessage, 'InvalidBatch : Field name not found : Foo__c');
    assert.equal(info.numberRecordsProcessed, 0);
    assert.equal((await resultFile(id, 'unprocessedrecords')).text, '"Name","Foo__c"\n"Bad Header","1"\n"Bad Header 2","2"\n');
    assert.equal(byName('Bad Header').length, 0);
  });

  it('fails the job when the line ending does not match the job', async () => {
    const crlfOnLf = await runJob({ object: 'Account', operation: 'insert', lineEnding: 'LF' }, 'Name\r\nWrong Ending\r\n');
    assert.equal(crlfOnLf.info.state, 'Failed');
    assert.match(crlfOnLf.info.errorMessage as string, /LineEnding is invalid on user data\. Current LineEnding setting is LF/);
    const lfOnCrlf = await runJob({ object: 'Account', operation: 'insert', lineEnding: 'CRLF' }, 'Name\nWrong Ending\n');
    assert.equal(lfOnCrlf.info.state, 'Failed');
    assert.match(lfOnCrlf.info.errorMessage as string, /Current LineEnding setting is CRLF/);
    assert.equal(byName('Wrong Ending').length, 0);
  });

  it('fails an update without an Id column', async () => {
    const { info } = await runJob({ object: 'Account', operation: 'update' }, 'Name\nNo Id\n');
    assert.equal(info.state, 'Failed');
    assert.match(info.errorMessage as string, /^InvalidBatch : /);
  });

  it('fails a job mid-way on request: processed rows stay, the rest is unprocessed', async () => {
    await control(emu, 'POST', '/bulk/rules', { kind: 'ingest', failAfterRows: 1, fail: 'InternalServerError : injected' });
    const { id, info } = await runJob({ object: 'Account', operation: 'insert' }, 'Name\nHalf One\nHalf Two\n');
    assert.equal(info.state, 'Failed');
    assert.equal(info.errorMessage, 'InternalServerError : injected');
    assert.equal(info.numberRecordsProcessed, 1);
    assert.equal(byName('Half One').length, 1);
    assert.equal(byName('Half Two').length, 0);
    assert.equal((await resultFile(id, 'unprocessedrecords')).text, '"Name"\n"Half Two"\n');
    assert.equal((await resultFile(id, 'successfulResults')).text.split('\n').length, 3);
  });

  it('answers results only for finished jobs', async () => {
    const id = await openJob({ object: 'Account', operation: 'insert' });
    const r = await call('GET', `/${id}/successfulResults`);
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).errorCode, 'INVALIDJOBSTATE');
  });
});
