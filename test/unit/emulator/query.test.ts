// REST query resources (spec §2.7, §2.12, §5.3, §5.4, §6): paging and cursors through real jsforce
// 3, and the exact wire shapes through fetch.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { API_VERSION, control, emulator, raw, sessionConnection } from '../../helpers/emulator.ts';
import { insertRow, objectOf, orgOf, setClock, softDelete } from './soql-helpers.ts';

const PROJECTS = 2345;
const DELETED = 7;

let emu: Emulator;
let org: Org;
let conn: Connection;
let token: string;
let base: string;
const projectIds: string[] = [];
const deletedIds: string[] = [];

type QueryBody = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: Record<string, unknown>[] };

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; body: unknown }> {
  const res = await raw(`${org.instanceUrl}${path}`, { token, headers });
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    body = undefined;
  }
  return { status: res.status, text: res.text, body };
}

async function query(soql: string, opts: { all?: boolean; headers?: Record<string, string> } = {}): Promise<QueryBody> {
  const res = await get(`${base}/${opts.all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`, opts.headers);
  assert.equal(res.status, 200, res.text);
  return res.body as QueryBody;
}

function requestsSince(seq: number): { path: string; query: string; status?: number }[] {
  return emu.state.requestLog.filter((e) => e.seq > seq && e.path.startsWith('/services/data'));
}

function lastSeq(): number {
  return emu.state.requestLog.at(-1)?.seq ?? 0;
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'q', records: 0 }] });
  org = orgOf(emu, 'q');
  base = `/services/data/v${API_VERSION}`;
  setClock(emu, '2024-03-20T12:00:00.000Z');
  for (let i = 0; i < PROJECTS; i++) {
    projectIds.push(insertRow(emu, org, 'Project__c', { Name: `P${String(i).padStart(5, '0')}`, Budget__c: i }));
  }
  for (let i = 0; i < DELETED; i++) {
    const id = projectIds[i * 100] as string;
    softDelete(emu, org, 'Project__c', id);
    deletedIds.push(id);
  }
  conn = await sessionConnection(emu, 'q');
  token = conn.accessToken as string;
});

after(async () => {
  await emu?.close();
});

beforeEach(async () => {
  await control(emu, 'POST', '/soql', { defaultBatchSize: 2000, cursorIdleMs: 15 * 60 * 1000, maxOpenCursorsPerUser: 10, childBatchSize: 200 });
});

const LIVE = PROJECTS - DELETED;

describe('first page and paging', () => {
  it('answers the first page in Salesforce key order with a /query/<cursor>-<offset> nextRecordsUrl', async () => {
    const res = await get(`${base}/query?q=${encodeURIComponent('SELECT Id, Name FROM Project__c ORDER BY Name')}`);
    assert.equal(res.status, 200);
    const body = res.body as QueryBody;
    assert.deepEqual(Object.keys(body), ['totalSize', 'done', 'nextRecordsUrl', 'records']);
    assert.equal(body.totalSize, LIVE);
    assert.equal(body.done, false);
    assert.match(body.nextRecordsUrl as string, new RegExp(`^/services/data/v${API_VERSION}/query/[A-Za-z0-9]{15,18}-2000$`));
    assert.equal(body.records.length, 2000);
    const first = body.records[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(first), ['attributes', 'Id', 'Name']);
    assert.deepEqual(first.attributes, { type: 'Project__c', url: `/services/data/v${API_VERSION}/sobjects/Project__c/${first.Id}` });
    assert.equal(first.Name, 'P00001');
    assert.match(res.text, /^\{"totalSize":\d+,"done":false,"nextRecordsUrl":"[^"]+","records":\[\{"attributes":\{"type":"Project__c","url":/);
  });

  it('follows the locator to the last page, which has no nextRecordsUrl', async () => {
    const first = await query('SELECT Id, Name FROM Project__c ORDER BY Name');
    const next = await get(first.nextRecordsUrl as string);
    assert.equal(next.status, 200, next.text);
    const body = next.body as QueryBody;
    assert.deepEqual(Object.keys(body), ['totalSize', 'done', 'records']);
    assert.equal(body.totalSize, LIVE);
    assert.equal(body.done, true);
    assert.equal(body.records.length, LIVE - 2000);
    assert.equal((body.records[0] as { Name: string }).Name, 'P02007');
  });

  it('jsforce autoFetch walks every page in order (Sforce-Query-Options batchSize=500)', async () => {
    const seq = lastSeq();
    const names: string[] = [];
    const result = await conn.query<{ Name: string }>('SELECT Name FROM Project__c ORDER BY Name DESC', {
      autoFetch: true,
      maxFetch: 100000,
      headers: { 'Sforce-Query-Options': 'batchSize=500' },
    });
    for (const r of result.records) names.push(r.Name);
    assert.equal(result.totalSize, LIVE);
    assert.equal(names.length, LIVE);
    assert.deepEqual(names, [...names].sort().reverse());
    assert.equal(new Set(names).size, LIVE);
    const calls = requestsSince(seq);
    assert.equal(calls.length, Math.ceil(LIVE / 500));
    assert.equal(calls[0]?.path, `${base}/query`);
    for (const c of calls.slice(1)) assert.match(c.path, new RegExp(`^${base}/query/[A-Za-z0-9]+-\\d+$`));
  });

  it('jsforce maxFetch stops early', async () => {
    const seq = lastSeq();
    const result = await conn.query('SELECT Id FROM Project__c', {
      autoFetch: true,
      maxFetch: 450,
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    assert.equal(result.records.length, 450);
    assert.equal(result.totalSize, LIVE);
    assert.equal(requestsSince(seq).length, 3);
  });

  it('conn.queryMore continues from a locator', async () => {
    const first = await conn.query('SELECT Id FROM Project__c');
    assert.equal(first.done, false);
    assert.equal(first.records.length, 2000);
    const locator = (first.nextRecordsUrl as string).split('/').pop() as string;
    const second = await conn.queryMore(locator);
    assert.equal(second.done, true);
    assert.equal(second.records.length, LIVE - 2000);
    const ids = new Set([...first.records, ...second.records].map((r) => r.Id));
    assert.equal(ids.size, LIVE);
  });

  it('a locator may jump to any offset of its cursor', async () => {
    const first = await query('SELECT Name FROM Project__c ORDER BY Name');
    const url = (first.nextRecordsUrl as string).replace(/-2000$/, '-2300');
    const page = (await get(url)).body as QueryBody;
    assert.equal((page.records[0] as { Name: string }).Name, 'P02307');
    assert.equal(page.records.length, LIVE - 2300);
  });

  it('clamps Sforce-Query-Options batchSize to 200..2000', async () => {
    const small = await query('SELECT Id FROM Project__c', { headers: { 'Sforce-Query-Options': 'batchSize=10' } });
    assert.equal(small.records.length, 200);
    assert.match(small.nextRecordsUrl as string, /-200$/);
    const big = await query('SELECT Id FROM Project__c', { headers: { 'Sforce-Query-Options': 'batchSize=5000' } });
    assert.equal(big.records.length, 2000);
    const exact = await query('SELECT Id FROM Project__c', { headers: { 'sforce-query-options': 'batchSize=777' } });
    assert.equal(exact.records.length, 777);
    // The header also sizes the pages that follow.
    const next = (await get(exact.nextRecordsUrl as string, { 'Sforce-Query-Options': 'batchSize=300' })).body as QueryBody;
    assert.equal(next.records.length, 300);
    assert.match(next.nextRecordsUrl as string, /-1077$/);
  });

  it('uses the emulator default page size without the header', async () => {
    await control(emu, 'POST', '/soql', { defaultBatchSize: 1000 });
    const page = await query('SELECT Id FROM Project__c');
    assert.equal(page.records.length, 1000);
    assert.match(page.nextRecordsUrl as string, /-1000$/);
  });

  it('LIMIT and OFFSET bound totalSize and the pages', async () => {
    const page = await query('SELECT Name FROM Project__c ORDER BY Name LIMIT 2100 OFFSET 5', { headers: { 'Sforce-Query-Options': 'batchSize=1500' } });
    assert.equal(page.totalSize, 2100);
    assert.equal((page.records[0] as { Name: string }).Name, 'P00006');
    const rest = (await get(page.nextRecordsUrl as string)).body as QueryBody;
    assert.equal(rest.records.length, 600);
    assert.equal(rest.done, true);
    const small = await query('SELECT Name FROM Project__c ORDER BY Name LIMIT 3');
    assert.deepEqual(small, {
      totalSize: 3,
      done: true,
      records: small.records,
    });
    assert.equal(small.records.length, 3);
  });
});

describe('queryAll and the Recycle Bin', () => {
  it('/query hides soft-deleted rows even when asked for them; /queryAll shows them', async () => {
    const hidden = await query('SELECT Id FROM Project__c WHERE IsDeleted = true');
    assert.deepEqual(hidden, { totalSize: 0, done: true, records: [] });
    const shown = await query('SELECT Id, IsDeleted FROM Project__c WHERE IsDeleted = true ORDER BY Name', { all: true });
    assert.equal(shown.totalSize, DELETED);
    assert.deepEqual(
      shown.records.map((r) => r.Id),
      deletedIds,
    );
    assert.ok(shown.records.every((r) => r.IsDeleted === true));
  });

  it('queryAll cursors page under /queryAll/ and also under /query/ (jsforce continues there)', async () => {
    const first = await query('SELECT Id FROM Project__c', { all: true });
    assert.equal(first.totalSize, PROJECTS);
    assert.match(first.nextRecordsUrl as string, new RegExp(`^${base}/queryAll/[A-Za-z0-9]+-2000$`));
    const viaQuery = await get((first.nextRecordsUrl as string).replace('/queryAll/', '/query/'));
    assert.equal(viaQuery.status, 200);
    assert.equal((viaQuery.body as QueryBody).records.length, PROJECTS - 2000);
    const plain = await query('SELECT Id FROM Project__c');
    const viaQueryAll = await get((plain.nextRecordsUrl as string).replace('/query/', '/queryAll/'));
    assert.equal(viaQueryAll.status, 200);
    assert.equal((viaQueryAll.body as QueryBody).records.length, LIVE - 2000);
  });

  it('jsforce scanAll with autoFetch returns live and deleted rows', async () => {
    const seq = lastSeq();
    const result = await conn.query<{ Id: string; IsDeleted: boolean }>('SELECT Id, IsDeleted FROM Project__c', {
      scanAll: true,
      autoFetch: true,
      maxFetch: 1e6,
    });
    assert.equal(result.records.length, PROJECTS);
    assert.equal(result.records.filter((r) => r.IsDeleted).length, DELETED);
    const calls = requestsSince(seq);
    assert.equal(calls[0]?.path, `${base}/queryAll`);
    assert.match(calls[1]?.path ?? '', new RegExp(`^${base}/query/`));
    const viaMethod = await conn.query('SELECT Id FROM Project__c WHERE IsDeleted = true').scanAll(true);
    assert.equal(viaMethod.totalSize, DELETED);
  });
});

describe('cursors', () => {
  it('expire after cursorIdleMs without use on the emulator clock', async () => {
    await control(emu, 'POST', '/soql', { cursorIdleMs: 60_000 });
    const small = { 'Sforce-Query-Options': 'batchSize=200' };
    const first = await query('SELECT Id FROM Project__c', { headers: small });
    await control(emu, 'POST', '/clock', { advanceMs: 50_000 });
    const second = await get(first.nextRecordsUrl as string, small);
    assert.equal(second.status, 200);
    // Each use restarts the idle time.
    await control(emu, 'POST', '/clock', { advanceMs: 50_000 });
    const third = await get((second.body as QueryBody).nextRecordsUrl as string, small);
    assert.equal(third.status, 200);
    await control(emu, 'POST', '/clock', { advanceMs: 60_001 });
    const expired = await get((third.body as QueryBody).nextRecordsUrl as string, small);
    assert.equal(expired.status, 400);
    assert.deepEqual(expired.body, [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
  });

  it('opening one more than maxOpenCursorsPerUser invalidates the oldest', async () => {
    await control(emu, 'POST', '/soql', { maxOpenCursorsPerUser: 3 });
    await control(emu, 'DELETE', '/soql/cursors');
    const pages: QueryBody[] = [];
    for (let i = 0; i < 4; i++) pages.push(await query('SELECT Id FROM Project__c'));
    const oldest = await get(pages[0]?.nextRecordsUrl as string);
    assert.equal(oldest.status, 400);
    assert.deepEqual(oldest.body, [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
    for (const p of pages.slice(1)) assert.equal((await get(p.nextRecordsUrl as string)).status, 200);
  });

  it('jsforce surfaces INVALID_QUERY_LOCATOR for unknown and malformed locators', async () => {
    await assert.rejects(async () => conn.queryMore('01gA00000000zzzAAA-2000'), { name: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' });
    for (const bad of ['nonsense', '01gA00000000zzzAAA', '01gA00000000zzzAAA-x']) {
      const res = await get(`${base}/query/${bad}`);
      assert.equal(res.status, 400, bad);
      assert.deepEqual(res.body, [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
    }
  });

  it('the control surface lists and invalidates cursors', async () => {
    await control(emu, 'DELETE', '/soql/cursors');
    const first = await query('SELECT Id FROM Project__c');
    const open = await control<{ id: string; kind: string; total: number }[]>(emu, 'GET', '/soql/cursors');
    assert.deepEqual(
      open.map((c) => [c.kind, c.total]),
      [['main', LIVE]],
    );
    assert.ok((first.nextRecordsUrl as string).includes(`/${open[0]?.id}-`));
    assert.deepEqual(await control(emu, 'DELETE', '/soql/cursors'), { closed: 1 });
    assert.equal((await get(first.nextRecordsUrl as string)).status, 400);
  });

  it('a cursor is gone once its last page was read', async () => {
    const first = await query('SELECT Id FROM Project__c');
    const last = await get(first.nextRecordsUrl as string);
    assert.equal(last.status, 200);
    assert.equal((await get(first.nextRecordsUrl as string)).status, 400);
  });

  it('a locator works from another session of the same user', async () => {
    const first = await query('SELECT Id FROM Project__c');
    const other = await control<{ accessToken: string }>(emu, 'POST', '/orgs/q/sessions');
    assert.ok(other.accessToken);
    const sameUser = await raw(`${org.instanceUrl}${first.nextRecordsUrl}`, { token: other.accessToken });
    assert.equal(sameUser.status, 200);
  });
});

describe('wire details', () => {
  it('accepts //services/data paths (sf CLI) and trailing slashes', async () => {
    const soql = encodeURIComponent('SELECT Name FROM Project__c ORDER BY Name LIMIT 2');
    const plain = await get(`${base}/query?q=${soql}`);
    const doubled = await get(`/${base}/query?q=${soql}`);
    const trailing = await get(`${base}/query/?q=${soql}`);
    assert.equal(plain.status, 200);
    assert.equal(doubled.text, plain.text);
    assert.equal(trailing.text, plain.text);
    const first = await query('SELECT Id FROM Project__c');
    const next = await get(`/${first.nextRecordsUrl}/`);
    assert.equal(next.status, 200);
    assert.equal((next.body as QueryBody).records.length, LIVE - 2000);
  });

  it('answers JSON with Sforce-Limit-Info', async () => {
    const res = await raw(`${org.instanceUrl}${base}/query?q=${encodeURIComponent('SELECT Id FROM Project__c LIMIT 1')}`, { token });
    assert.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8');
    assert.match(res.headers.get('sforce-limit-info') ?? '', /^api-usage=\d+\/\d+$/);
  });

  it('needs a session (401) and a served version (404)', async () => {
    const noAuth = await raw(`${org.instanceUrl}${base}/query?q=${encodeURIComponent('SELECT Id FROM Project__c')}`);
    assert.equal(noAuth.status, 401);
    assert.deepEqual(JSON.parse(noAuth.text), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const old = await get(`/services/data/v20.0/query?q=${encodeURIComponent('SELECT Id FROM Project__c')}`);
    assert.equal(old.status, 404);
  });

  it('COUNT() answers only totalSize', async () => {
    const res = await get(`${base}/query?q=${encodeURIComponent('SELECT COUNT() FROM Project__c')}`);
    assert.equal(res.text, `{"totalSize":${LIVE},"done":true,"records":[]}`);
    const all = await query('SELECT COUNT() FROM Project__c', { all: true });
    assert.equal(all.totalSize, PROJECTS);
    assert.equal(await conn.query('SELECT COUNT() FROM Project__c WHERE Budget__c < 10').then((r) => r.totalSize), 10 - 1);
  });

  it('aggregate records are AggregateResult without url, keyed by alias or exprN', async () => {
    const res = await get(`${base}/query?q=${encodeURIComponent('SELECT COUNT(Id) CNT, MAX(Budget__c) FROM Project__c')}`);
    assert.equal(res.text, `{"totalSize":1,"done":true,"records":[{"attributes":{"type":"AggregateResult"},"CNT":${LIVE},"expr0":${PROJECTS - 1}}]}`);
  });

  it('accepts the clauses that change nothing for an admin, refuses FOR UPDATE', async () => {
    for (const soql of [
      'SELECT Id FROM Project__c USING SCOPE everything WHERE Budget__c < 3',
      'SELECT Id FROM Project__c WHERE Budget__c < 3 WITH SECURITY_ENFORCED',
      'SELECT Id FROM Project__c WHERE Budget__c < 3 FOR VIEW',
      'SELECT Id FROM Project__c WHERE Budget__c < 3 FOR REFERENCE',
    ]) {
      const r = await query(soql);
      assert.equal(r.totalSize, 2, soql);
    }
    const res = await get(`${base}/query?q=${encodeURIComponent('SELECT Id FROM Project__c FOR UPDATE')}`);
    assert.equal(res.status, 400);
    assert.match((res.body as { message: string }[])[0]?.message ?? '', /unexpected token: 'FOR'$/);
  });

  it('a missing q is MALFORMED_QUERY', async () => {
    const res = await get(`${base}/query`);
    assert.equal(res.status, 400);
    assert.equal((res.body as { errorCode: string }[])[0]?.errorCode, 'MALFORMED_QUERY');
  });

  it('explain= returns a plan', async () => {
    const res = await get(`${base}/query?explain=${encodeURIComponent('SELECT Id FROM Project__c WHERE Budget__c < 100')}`);
    assert.equal(res.status, 200);
    const plan = (res.body as { plans: Record<string, unknown>[] }).plans[0] as Record<string, unknown>;
    assert.equal(plan.sobjectType, 'Project__c');
    assert.equal(plan.leadingOperationType, 'TableScan');
    assert.equal(plan.cardinality, 100 - 1);
    assert.equal(plan.sobjectCardinality, LIVE);
  });
});

describe('SystemModstamp incremental windows (§5.4)', () => {
  const stamps: string[] = [];
  const ids: string[] = [];

  before(async () => {
    // Three Case rows written 1 ms apart at a known time; the jump ends the old session.
    setClock(emu, '2030-01-01T00:00:00.000Z');
    for (let i = 0; i < 3; i++) ids.push(insertRow(emu, org, 'Case', { Subject: `stamp ${i}` }));
    for (const id of ids) stamps.push(String(org.store.get(objectOf(org, 'Case'), id)?.SystemModstamp));
    conn = await sessionConnection(emu, 'q');
    token = conn.accessToken as string;
  });

  it('stores millisecond stamps that order the writes', () => {
    assert.equal(new Set(stamps).size, 3);
    assert.deepEqual([...stamps].sort(), stamps);
    assert.match(stamps[0] as string, /^2030-01-01T00:00:00\.\d{3}Z$/);
  });

  it('> is strict and >= inclusive at millisecond precision', async () => {
    const strict = await query(`SELECT Id FROM Case WHERE SystemModstamp > ${stamps[0]} ORDER BY SystemModstamp, Id`);
    assert.deepEqual(
      strict.records.map((r) => r.Id),
      ids.slice(1),
    );
    const inclusive = await query(`SELECT Id FROM Case WHERE SystemModstamp >= ${stamps[0]} ORDER BY SystemModstamp, Id`);
    assert.deepEqual(
      inclusive.records.map((r) => r.Id),
      ids,
    );
  });

  it('accepts Z, +hh:mm and no milliseconds in datetime literals', async () => {
    const before2030 = await query('SELECT COUNT() FROM Case WHERE SystemModstamp < 2030-01-01T00:00:00Z');
    assert.equal(before2030.totalSize, 0);
    const offset = await query('SELECT COUNT() FROM Case WHERE SystemModstamp >= 2030-01-01T01:00:00+01:00');
    assert.equal(offset.totalSize, 3);
    const negative = await query('SELECT COUNT() FROM Case WHERE SystemModstamp > 2029-12-31T18:59:59.999-05:00');
    assert.equal(negative.totalSize, 3);
  });

  it('returns datetimes as +0000 with milliseconds', async () => {
    const r = await query(`SELECT SystemModstamp FROM Case WHERE Id = '${ids[0]}'`);
    assert.equal(r.records[0]?.SystemModstamp, (stamps[0] as string).replace('Z', '+0000'));
  });
});

describe('child subqueries', () => {
  let accountId = '';
  let emptyId = '';

  before(() => {
    accountId = insertRow(emu, org, 'Account', { Name: 'Parent with many' });
    emptyId = insertRow(emu, org, 'Account', { Name: 'Parent with none' });
    for (let i = 0; i < 5; i++) insertRow(emu, org, 'Contact', { LastName: `Kid ${i}`, Name: `Kid ${i}`, AccountId: accountId });
  });

  it('inlines children, null when none', async () => {
    const r = await query(
      `SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC) FROM Account WHERE Id IN ('${accountId}', '${emptyId}') ORDER BY Name`,
    );
    assert.equal(r.records.length, 2);
    const [many, none] = r.records as Record<string, unknown>[];
    assert.equal(none?.Contacts, null);
    const block = many?.Contacts as QueryBody;
    assert.deepEqual(Object.keys(block), ['totalSize', 'done', 'records']);
    assert.equal(block.totalSize, 5);
    assert.equal(block.done, true);
    assert.deepEqual(
      block.records.map((c) => c.LastName),
      ['Kid 4', 'Kid 3', 'Kid 2', 'Kid 1', 'Kid 0'],
    );
    assert.equal((block.records[0]?.attributes as { type: string } | undefined)?.type, 'Contact');
  });

  it('pages children through their own nextRecordsUrl, which jsforce autoFetch follows', async () => {
    await control(emu, 'POST', '/soql', { childBatchSize: 2, defaultBatchSize: 2 });
    const soql = `SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account WHERE Id = '${accountId}'`;
    const r = await query(soql);
    const block = (r.records[0] as Record<string, unknown>).Contacts as QueryBody;
    assert.equal(block.totalSize, 5);
    assert.equal(block.done, false);
    assert.equal(block.records.length, 2);
    assert.match(block.nextRecordsUrl as string, new RegExp(`^${base}/query/[A-Za-z0-9]+-2$`));
    const more = (await get(block.nextRecordsUrl as string)).body as QueryBody;
    assert.equal(more.totalSize, 5);
    assert.deepEqual(
      more.records.map((c) => c.LastName),
      ['Kid 2', 'Kid 3'],
    );
    const viaJsforce = await conn.query<{ Contacts: { records: { LastName: string }[] } }>(soql, { autoFetch: true });
    assert.deepEqual(
      viaJsforce.records[0]?.Contacts.records.map((c) => c.LastName),
      ['Kid 0', 'Kid 1', 'Kid 2', 'Kid 3', 'Kid 4'],
    );
  });

  it('subquery LIMIT bounds the child totalSize', async () => {
    const r = await query(`SELECT (SELECT Id FROM Contacts LIMIT 3) FROM Account WHERE Id = '${accountId}'`);
    const block = (r.records[0] as Record<string, unknown>).Contacts as QueryBody;
    assert.equal(block.totalSize, 3);
    assert.equal(block.records.length, 3);
  });

  it('child subqueries work on every page of a paged parent query', async () => {
    const r = await conn.query<{ Name: string; Contacts: QueryBody | null }>('SELECT Name, (SELECT Id FROM Contacts) FROM Account ORDER BY Name', {
      autoFetch: true,
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    const withKids = r.records.find((a) => a.Name === 'Parent with many');
    assert.equal(withKids?.Contacts?.totalSize, 5);
  });
});

describe('column metadata (sf data query)', () => {
  it('describes fields, parent joins, child subqueries and aggregates', async () => {
    const soql = 'SELECT Id, Name, Owner.Name, (SELECT LastName FROM Contacts) FROM Account';
    const res = await get(`${base}/query?q=${encodeURIComponent(soql)}&columns=true`);
    assert.equal(res.status, 200);
    const meta = res.body as { columnMetadata: Record<string, unknown>[]; entityName: string; groupBy: boolean; idSelected: boolean; keyPrefix: string };
    assert.equal(meta.entityName, 'Account');
    assert.equal(meta.groupBy, false);
    assert.equal(meta.idSelected, true);
    assert.equal(meta.keyPrefix, '001');
    const [id, name, owner, contacts] = meta.columnMetadata;
    assert.deepEqual(id, {
      aggregate: false,
      apexType: 'Id',
      booleanType: false,
      columnName: 'Id',
      custom: false,
      displayName: 'Id',
      foreignKeyName: null,
      insertable: false,
      joinColumns: [],
      numberType: false,
      textType: false,
      updatable: false,
    });
    assert.equal(name?.apexType, 'String');
    assert.equal(name?.textType, true);
    assert.equal(owner?.columnName, 'Owner');
    assert.equal(owner?.foreignKeyName, 'OwnerId');
    assert.equal(owner?.aggregate, false);
    assert.deepEqual(
      (owner?.joinColumns as { columnName: string }[] | undefined)?.map((c) => c.columnName),
      ['Name'],
    );
    assert.equal(contacts?.columnName, 'Contacts');
    assert.equal(contacts?.aggregate, true);
    assert.deepEqual(
      (contacts?.joinColumns as { columnName: string }[] | undefined)?.map((c) => c.columnName),
      ['LastName'],
    );
    const agg = (await get(`${base}/query?q=${encodeURIComponent('SELECT AVG(Budget__c), COUNT(Id) n FROM Project__c')}&columns=true`)).body as {
      columnMetadata: Record<string, unknown>[];
    };
    assert.deepEqual(
      agg.columnMetadata.map((c) => [c.columnName, c.displayName, c.aggregate, c.numberType]),
      [
        ['expr0', 'avg(Budget__c)', true, true],
        ['n', 'count(Id)', true, true],
      ],
    );
  });
});

describe('errors (§2.7)', () => {
  async function error(soql: string): Promise<{ status: number; body: { message: string; errorCode: string }[] }> {
    const res = await get(`${base}/query?q=${encodeURIComponent(soql)}`);
    return { status: res.status, body: res.body as { message: string; errorCode: string }[] };
  }

  it('unknown field: INVALID_FIELD with the row/column excerpt', async () => {
    const r = await error('SELECT Foo FROM Account');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, [
      {
        message:
          "\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
        errorCode: 'INVALID_FIELD',
      },
    ]);
  });

  it('points at the row and column of multi-line queries', async () => {
    const r = await error('SELECT Id,\n  Name\nFROM Account\nWHERE Nope__c = 1');
    assert.equal(r.body[0]?.errorCode, 'INVALID_FIELD');
    assert.equal(r.body[0]?.message.split('\n').slice(0, 4).join('\n'), '\nWHERE Nope__c = 1\n      ^\nERROR at Row:4:Column:7');
  });

  it('long queries: the excerpt keeps the whole tokens within 50 characters of the error', async () => {
    const r = await error('SELECT Id, AccountNumber, AnnualRevenue, BillingCity, BillingCountry, Description, Industry, Name, Phone, Name FROM Account');
    assert.deepEqual(r.body, [
      {
        message: `\nDescription, Industry, Name, Phone, Name FROM Account\n${' '.repeat(36)}^\nERROR at Row:1:Column:107\nduplicate field selected: Name`,
        errorCode: 'INVALID_FIELD',
      },
    ]);
  });

  it('unknown object: INVALID_TYPE (what sf reads on ScratchOrgInfo)', async () => {
    const r = await error('SELECT Id FROM ScratchOrgInfo limit 1');
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, [
      {
        message:
          "\nSELECT Id FROM ScratchOrgInfo limit 1\n               ^\nERROR at Row:1:Column:16\nsObject type 'ScratchOrgInfo' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
        errorCode: 'INVALID_TYPE',
      },
    ]);
    await assert.rejects(async () => conn.query('SELECT Id FROM AggregateResult'), { name: 'INVALID_TYPE' });
  });

  it('syntax: MALFORMED_QUERY with the unexpected token', async () => {
    const r = await error('SELECT Id FROM Account WHERE');
    assert.equal(r.body[0]?.errorCode, 'MALFORMED_QUERY');
    assert.match(r.body[0]?.message ?? '', /\nERROR at Row:1:Column:\d+\nunexpected token: '<EOF>'$/);
    const orderless = await error('SELECT Id FROM Account WHERE Name = 1 OR Name = 2 AND Name = 3');
    assert.equal(orderless.body[0]?.errorCode, 'MALFORMED_QUERY');
    assert.match(orderless.body[0]?.message ?? '', /unexpected token: 'AND'$/);
    const allRows = await error('SELECT Id FROM Account ALL ROWS');
    assert.equal(allRows.body[0]?.errorCode, 'MALFORMED_QUERY');
  });

  it('jsforce turns them into named errors (SFDMU reads INVALID_FIELD on IsPersonAccount)', async () => {
    await assert.rejects(
      async () => conn.query('SELECT IsPersonAccount FROM Account LIMIT 1'),
      (err: Error & { errorCode?: string }) => {
        assert.equal(err.name, 'INVALID_FIELD');
        assert.equal(err.errorCode, 'INVALID_FIELD');
        assert.match(err.message, /No such column 'IsPersonAccount' on entity 'Account'/);
        return true;
      },
    );
  });
});

describe('queries the clients send (§2.8, §6.2)', () => {
  it('sf: Organization after login', async () => {
    const r = await query('SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization');
    assert.equal(r.totalSize, 1);
    const rec = r.records[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(rec), ['attributes', 'Name', 'InstanceName', 'IsSandbox', 'TrialExpirationDate', 'NamespacePrefix', 'OrganizationType']);
    assert.equal(rec.IsSandbox, false);
    assert.equal((rec.attributes as { url: string }).url, `${base}/sobjects/Organization/${org.id}`);
    const sfdmu = await query('SELECT Id, OrganizationType, IsSandbox FROM Organization LIMIT 1');
    assert.equal(sfdmu.records[0]?.Id, org.id);
  });

  it('sf: the Tooling API SandboxProcess query answers empty; other Tooling objects are INVALID_TYPE', async () => {
    const soql =
      "SELECT Id,Status,SandboxName,SandboxInfoId,LicenseType,CreatedDate,CopyProgress,SandboxOrganization,SourceId,Description,EndDate,Features FROM SandboxProcess WHERE SandboxOrganization='00DA000000001234' ORDER BY CreatedDate DESC";
    const res = await get(`/${base}/tooling/query?q=${encodeURIComponent(soql)}`);
    assert.equal(res.status, 200);
    assert.equal(res.text, '{"size":0,"totalSize":0,"done":true,"queryLocator":null,"entityTypeName":"SandboxProcess","records":[]}');
    const other = await get(`${base}/tooling/query?q=${encodeURIComponent('SELECT Id FROM ApexClass')}`);
    assert.equal(other.status, 400);
    assert.equal((other.body as { errorCode: string }[])[0]?.errorCode, 'INVALID_TYPE');
    const viaJsforce = await conn.tooling.query('SELECT Id, Status FROM SandboxProcess');
    assert.equal(viaJsforce.totalSize, 0);
  });

  it('sf tree import: RecordType by name and object; SFDMU: queues and COUNT(Id) CNT', async () => {
    const rt = await query("SELECT Id FROM RecordType WHERE Name = 'Customer' AND SobjectType = 'Account'");
    assert.equal(rt.totalSize, 1);
    assert.match(rt.records[0]?.Id as string, /^012/);
    const queues = await query("SELECT Id, Name, DeveloperName FROM Group WHERE Type = 'Queue'");
    assert.ok(queues.totalSize > 0);
    const count = await query('SELECT COUNT(Id) CNT FROM Project__c WHERE Budget__c >= 2000');
    assert.deepEqual(count.records, [{ attributes: { type: 'AggregateResult' }, CNT: PROJECTS - 2000 }]);
  });
});
