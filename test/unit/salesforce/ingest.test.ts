// The write side's Salesforce client against the emulator: Bulk API 2.0 ingest jobs (one streamed
// upload, close, poll, the three result files) and the SOAP undelete call, with a session that
// ends halfway.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { orgCredentialsSchema } from '../../../src/config/credentials.ts';
import { connect, type OrgSession } from '../../../src/salesforce/auth/connection.ts';
import { IngestClient, MAX_UPLOAD_BYTES } from '../../../src/salesforce/ingest/jobs.ts';
import { OrgHttp } from '../../../src/salesforce/ingest/transport.ts';
import { parseUndeleteResponse, undelete } from '../../../src/salesforce/ingest/undelete.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../../helpers/emulator.ts';

let emu: Emulator;
let work: string;
let session: OrgSession;
let client: IngestClient;
let http: OrgHttp;

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 20, seed: 3 }] });
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 1 });
  work = mkdtempSync(path.join(tmpdir(), 'ingest-'));
  session = await connect(orgCredentialsSchema.parse(creds(emu, 'prod')));
  http = new OrgHttp(session.conn);
  client = new IngestClient(http, { pollIntervalMs: 5, maxPollIntervalMs: 20 });
});
after(async () => {
  await emu.close();
  rmSync(work, { recursive: true, force: true });
});

async function collect(jobId: string, kind: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const r of client.results(jobId, kind)) rows.push(r);
  return rows;
}

async function accountNamed(name: string): Promise<{ Id: string; Name: string; Phone: string | null }[]> {
  const r = await session.conn.query<{ Id: string; Name: string; Phone: string | null }>(`SELECT Id, Name, Phone FROM Account WHERE Name = '${name}'`);
  return r.records;
}

test('an insert job creates the rows and reports each one: new Ids for the good rows, the error for the bad', async () => {
  const file = path.join(work, 'insert.csv');
  writeFileSync(file, 'Name,Phone\nIngest One,555-0101\n"Ingest, Two",\n,555-0103\n');
  const info = await client.run({ object: 'Account', operation: 'insert' }, file);
  assert.equal(info.state, 'JobComplete');
  assert.equal(info.numberRecordsProcessed, 3);
  assert.equal(info.numberRecordsFailed, 1);

  const ok = await collect(info.id, 'successfulResults');
  assert.deepEqual(ok[0], ['sf__Id', 'sf__Created', 'Name', 'Phone']);
  const byName = new Map(ok.slice(1).map((r) => [r[2], r]));
  assert.equal(byName.get('Ingest One')?.[1], 'true');
  const [one] = await accountNamed('Ingest One');
  assert.equal(byName.get('Ingest One')?.[0], one?.Id, 'sf__Id is the new record');
  assert.equal(one?.Phone, '555-0101');
  assert.equal((await accountNamed('Ingest, Two')).length, 1, 'a quoted cell arrives whole');

  const failed = await collect(info.id, 'failedResults');
  assert.deepEqual(failed[0], ['sf__Id', 'sf__Error', 'Name', 'Phone']);
  assert.equal(failed.length, 2);
  assert.match(failed[1]?.[1] ?? '', /^REQUIRED_FIELD_MISSING:/);
  assert.deepEqual(failed[1]?.slice(2), ['', '555-0103'], 'the row comes back as it was sent');
  assert.deepEqual(await collect(info.id, 'unprocessedrecords'), [['Name', 'Phone']]);
});

test('an update job sets values, and #N/A empties a field; a session that ended is refreshed and the upload sent again', async () => {
  const [one] = await accountNamed('Ingest One');
  assert.ok(one);
  const file = path.join(work, 'update.csv');
  writeFileSync(file, `Id,Phone,Site\n${one.Id},#N/A,Restored\n`);
  const job = await client.create({ object: 'Account', operation: 'update' });
  await control(emu, 'POST', '/sessions/expire', { org: 'prod' });
  const tokenBefore = session.conn.accessToken;
  await client.upload(job.id, file);
  assert.notEqual(session.conn.accessToken, tokenBefore, 'the connection logged in again');
  await client.setState(job.id, 'UploadComplete');
  const info = await client.wait(job.id);
  assert.equal(info.state, 'JobComplete');
  const ok = await collect(info.id, 'successfulResults');
  assert.deepEqual(ok[1], [one.Id, 'false', one.Id, '#N/A', 'Restored']);
  const r = await session.conn.query<{ Phone: string | null; Site: string | null }>(`SELECT Phone, Site FROM Account WHERE Id = '${one.Id}'`);
  assert.deepEqual(
    r.records.map((x) => [x.Phone, x.Site]),
    [[null, 'Restored']],
  );
});

test('a job that fails as a whole reports the rows it never processed', async () => {
  await control(emu, 'POST', '/bulk/rules', { kind: 'ingest', object: 'Account', operation: 'insert', failAfterRows: 1 });
  const file = path.join(work, 'fails.csv');
  writeFileSync(file, 'Name\nHalf One\nHalf Two\nHalf Three\n');
  const info = await client.run({ object: 'Account', operation: 'insert' }, file);
  assert.equal(info.state, 'Failed');
  assert.ok(info.errorMessage);
  assert.equal((await collect(info.id, 'successfulResults')).length, 2, 'the first row was created before the failure');
  assert.deepEqual(await collect(info.id, 'unprocessedrecords'), [['Name'], ['Half Two'], ['Half Three']]);
});

test('an upload larger than Salesforce takes is refused before anything is sent', async () => {
  const file = path.join(work, 'huge.csv');
  writeFileSync(file, '');
  const { truncateSync } = await import('node:fs');
  truncateSync(file, MAX_UPLOAD_BYTES + 1);
  await assert.rejects(client.upload('750000000000000AAA', file), /more than one Bulk API upload takes/);
});

test('undelete brings records back from the Recycle Bin with their Ids; one that cannot come back is an error of its own', async () => {
  const ids: string[] = [];
  for (const name of ['Bin One', 'Bin Two', 'Bin Three']) {
    const r = await session.conn.sobject('Account').create({ Name: name });
    assert.ok(r.success);
    ids.push(r.id);
    await session.conn.sobject('Account').destroy(r.id);
  }
  await control(emu, 'POST', '/orgs/prod/recyclebin/purge', { id: ids[2] });
  const live = await session.conn.query(`SELECT Id FROM Account WHERE Id IN ('${ids.join("','")}')`);
  assert.equal(live.totalSize, 0);

  await control(emu, 'POST', '/sessions/expire', { org: 'prod' });
  const results = await undelete(http, ids);
  assert.deepEqual(
    results.map((r) => [r.id.slice(0, 15), r.success]),
    ids.map((id, i) => [id.slice(0, 15), i < 2]),
  );
  assert.equal(results[2]?.errors.length, 1);
  assert.match(results[2]?.errors[0] ?? '', /^[A-Z_]+: /);
  const back = await session.conn.query<{ Id: string }>(`SELECT Id FROM Account WHERE Id IN ('${ids.join("','")}')`);
  assert.deepEqual(back.records.map((r) => r.Id).sort(), ids.slice(0, 2).sort(), 'the same Ids are live again');
});

test('undelete answers are read per result, errors with their status code, whatever the namespace prefixes', () => {
  const xml =
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><undeleteResponse>' +
    '<result><id>001000000000001AAA</id><success>true</success></result>' +
    '<result><errors><message>Entity is not in the recycle bin &amp; gone</message><statusCode>UNDELETE_FAILED</statusCode></errors><id xsi:nil="true"/><success>false</success></result>' +
    '</undeleteResponse></soapenv:Body></soapenv:Envelope>';
  assert.deepEqual(parseUndeleteResponse(xml, ['001000000000001AAA', '001000000000002AAA']), [
    { id: '001000000000001AAA', success: true, errors: [] },
    { id: '001000000000002AAA', success: false, errors: ['UNDELETE_FAILED: Entity is not in the recycle bin & gone'] },
  ]);
  assert.throws(() => parseUndeleteResponse(xml, ['001000000000001AAA']), /2 results for 1 Ids/);
});
