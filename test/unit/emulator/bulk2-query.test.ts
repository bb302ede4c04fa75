// Bulk API 2.0 query jobs (spec §3) through real jsforce 3 and on the wire.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Connection } from 'jsforce';
import { QueryJobV2 } from 'jsforce/lib/api/bulk2.js';
import { HttpApi } from 'jsforce/lib/http-api.js';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org } from '../../emulators/salesforce/model.ts';
import { getObject } from '../../emulators/salesforce/schema/types.ts';
import { deleteRecord, insertRecord } from '../../emulators/salesforce/store/dml.ts';
import { API_VERSION, control, emulator, raw, sessionConnection } from '../../helpers/emulator.ts';

const DELIMITERS = { BACKQUOTE: '`', CARET: '^', COMMA: ',', PIPE: '|', SEMICOLON: ';', TAB: '\t' } as const;

/** Values chosen to break naive CSV writers and readers. */
const TRICKY = [
  { Name: 'Acme "Quoted" Ltd', Description: 'first line\nsecond line, with comma' },
  { Name: 'Société Générale 日本語 Ελληνικά 🚀', Description: 'tab\there | pipe ^ caret ` backquote ; semicolon' },
  { Name: 'Only "quotes" "" here', Description: 'CRLF inside\r\nkept' },
  { Name: 'Plain', Description: null },
];

const ROWS = 137;

let emu: Emulator;
let org: Org;
let conn: Connection;
let token: string;
let base: string;
/** Name → Description of every live Account seeded. */
const seeded = new Map<string, string>();

function adminId(): string {
  const u = [...emu.state.users.values()].find((x) => x.orgId === org.id);
  assert.ok(u);
  return u.id;
}

function insertAccount(values: Record<string, unknown>): string {
  const account = getObject(org.store.schema, 'Account');
  assert.ok(account);
  const r = insertRecord(org, account, values, { userId: adminId(), source: 'json' });
  assert.ok(r.success, JSON.stringify(r.errors));
  return r.id as string;
}

async function createJob(body: Record<string, unknown>, version = API_VERSION): Promise<{ status: number; text: string; json: Record<string, unknown> }> {
  const res = await raw(`${org.instanceUrl}/services/data/v${version}/jobs/query`, {
    method: 'POST',
    token,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    // error bodies are arrays; tests read `text`
  }
  return { status: res.status, text: res.text, json };
}

async function jobInfo(id: string, version = API_VERSION): Promise<Record<string, unknown>> {
  const res = await raw(`${org.instanceUrl}/services/data/v${version}/jobs/query/${id}`, { token });
  assert.equal(res.status, 200, res.text);
  return res.json() as Record<string, unknown>;
}

async function runToCompletion(id: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 20; i++) {
    const info = await jobInfo(id);
    if (info.state === 'JobComplete' || info.state === 'Failed' || info.state === 'Aborted') return info;
  }
  throw new Error(`job ${id} never completed`);
}

/** A completed job for `query` (extra create options allowed). */
async function completedJob(query: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await createJob({ operation: 'query', query, ...extra });
  assert.equal(created.status, 200, created.text);
  const info = await runToCompletion(created.json.id as string);
  assert.equal(info.state, 'JobComplete');
  return created.json.id as string;
}

interface Page {
  status: number;
  text: string;
  locator: string | null;
  count: string | null;
  contentType: string | null;
}

async function page(id: string, params: Record<string, string> = {}, version = API_VERSION): Promise<Page> {
  const qs = new URLSearchParams(params).toString();
  const res = await raw(`${org.instanceUrl}/services/data/v${version}/jobs/query/${id}/results${qs ? `?${qs}` : ''}`, { token });
  return {
    status: res.status,
    text: res.text,
    locator: res.headers.get('sforce-locator'),
    count: res.headers.get('sforce-numberofrecords'),
    contentType: res.headers.get('content-type'),
  };
}

/** Every page of a job, following Sforce-Locator until the literal `null`. */
async function allPages(id: string, maxRecords?: number): Promise<Page[]> {
  const pages: Page[] = [];
  let locator: string | undefined;
  for (;;) {
    const p = await page(id, { ...(locator ? { locator } : {}), ...(maxRecords ? { maxRecords: String(maxRecords) } : {}) });
    assert.equal(p.status, 200, p.text);
    pages.push(p);
    assert.ok(p.locator, 'every page carries Sforce-Locator');
    if (p.locator === 'null') return pages;
    locator = p.locator;
    assert.ok(pages.length < 1000, 'paging does not end');
  }
}

function rowsOf(text: string, delimiter = ','): string[][] {
  return parse(text, { delimiter, relax_column_count: false }) as string[][];
}

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'q', records: 0 }], bulk: { pollsBeforeComplete: 0 } });
  org = [...emu.state.orgs.values()][0] as Org;
  conn = await sessionConnection(emu, 'q');
  conn.bulk2.pollInterval = 20;
  token = conn.accessToken as string;
  base = `${org.instanceUrl}/services/data/v${API_VERSION}/jobs/query`;
  // The org may come with generated accounts; start from a known set.
  for (const r of org.store.db.prepare('SELECT "Id" FROM "Account"').all() as { Id: string }[]) {
    org.store.db.prepare('DELETE FROM "Account" WHERE "Id" = ?').run(r.Id);
  }
  for (const t of TRICKY) {
    insertAccount(t);
    seeded.set(t.Name, t.Description ?? '');
  }
  for (let i = seeded.size; i < ROWS; i++) {
    const name = `Account ${String(i).padStart(4, '0')}`;
    insertAccount({ Name: name, Description: `row ${i}` });
    seeded.set(name, `row ${i}`);
  }
});

after(async () => {
  await emu?.close();
});

describe('create', () => {
  it('answers exactly the job info of §3.1', async () => {
    const res = await createJob({ query: 'SELECT Id, Name FROM account', operation: 'query', columnDelimiter: 'COMMA', lineEnding: 'LF' });
    assert.equal(res.status, 200, res.text);
    const j = res.json;
    assert.deepEqual(Object.keys(j), [
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
      'lineEnding',
      'columnDelimiter',
    ]);
    assert.match(j.id as string, /^750[A-Za-z0-9]{15}$/);
    assert.equal(j.operation, 'query');
    assert.equal(j.object, 'Account', 'object is the canonical FROM object');
    assert.equal(j.createdById, adminId());
    assert.match(j.createdDate as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.equal(j.state, 'UploadComplete');
    assert.equal(j.concurrencyMode, 'Parallel');
    assert.equal(j.contentType, 'CSV');
    assert.match(res.text, /"apiVersion":62\.0,/, 'apiVersion is the JSON number 62.0');
    assert.equal(j.lineEnding, 'LF');
    assert.equal(j.columnDelimiter, 'COMMA');
    assert.ok(!('query' in j), 'the query is not echoed');
  });

  it('defaults to COMMA and LF', async () => {
    const res = await createJob({ query: 'SELECT Id FROM Account', operation: 'queryAll' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.operation, 'queryAll');
    assert.equal(res.json.columnDelimiter, 'COMMA');
    assert.equal(res.json.lineEnding, 'LF');
  });

  it('rejects an unknown operation with INVALIDJOB', async () => {
    const res = await createJob({ query: 'SELECT Id FROM Account', operation: 'select' });
    assert.equal(res.status, 400);
    const body = JSON.parse(res.text) as { errorCode: string; message: string }[];
    assert.equal(body.length, 1);
    assert.equal(body[0]?.errorCode, 'INVALIDJOB');
  });

  it('rejects a bad delimiter or line ending', async () => {
    for (const extra of [{ columnDelimiter: 'COLON' }, { lineEnding: 'CR' }, { contentType: 'JSON' }]) {
      const res = await createJob({ query: 'SELECT Id FROM Account', operation: 'query', ...extra });
      assert.equal(res.status, 400, JSON.stringify(extra));
      assert.equal((JSON.parse(res.text) as { errorCode: string }[])[0]?.errorCode, 'INVALIDJOB');
    }
  });

  it('rejects SOQL that Bulk API 2.0 does not run', async () => {
    for (const query of [
      'SELECT COUNT() FROM Account',
      'SELECT Name, COUNT(Id) FROM Account GROUP BY Name',
      'SELECT Id FROM Account OFFSET 5',
      'SELECT Id FROM Nope__c',
    ]) {
      const res = await createJob({ query, operation: 'query' });
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      const body = JSON.parse(res.text) as { errorCode: string; message: string }[];
      assert.equal(body.length, 1);
      assert.ok(body[0]?.errorCode && body[0].message, query);
    }
  });

  it('does not exist before API 47.0', async () => {
    const res = await createJob({ query: 'SELECT Id FROM Account', operation: 'query' }, '46.0');
    assert.equal(res.status, 404);
    assert.deepEqual(JSON.parse(res.text), [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  });

  it('accepts the paths sf sends: leading // and a trailing slash', async () => {
    const res = await raw(`${org.instanceUrl}//services/data/v${API_VERSION}/jobs/query/`, {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Account' }),
    });
    assert.equal(res.status, 200, res.text);
    const id = (res.json() as { id: string }).id;
    const info = await raw(`${org.instanceUrl}//services/data/v${API_VERSION}/jobs/query/${id}/`, { token });
    assert.equal(info.status, 200);
  });
});

describe('job info and states', () => {
  it('goes UploadComplete -> InProgress -> JobComplete over pollsBeforeComplete polls', async () => {
    await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 2 });
    try {
      const created = await createJob({ operation: 'query', query: 'SELECT Id FROM Account' });
      const id = created.json.id as string;
      assert.equal(created.json.state, 'UploadComplete');
      const early = await page(id);
      assert.equal(early.status, 400);
      assert.equal((JSON.parse(early.text) as { errorCode: string }[])[0]?.errorCode, 'INVALIDJOBSTATE');
      const first = await jobInfo(id);
      assert.equal(first.state, 'InProgress');
      assert.equal((await jobInfo(id)).state, 'InProgress');
      const done = await jobInfo(id);
      assert.equal(done.state, 'JobComplete');
      assert.deepEqual(Object.keys(done), [
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
        'retries',
        'totalProcessingTime',
        'isPkChunkingSupported',
      ]);
      assert.equal(done.jobType, 'V2Query');
      assert.equal(done.numberRecordsProcessed, ROWS);
      assert.equal(done.isPkChunkingSupported, true);
      assert.equal(done.retries, 0);
    } finally {
      await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
    }
  });

  it('answers 404 NOT_FOUND for an unknown job', async () => {
    const res = await raw(`${base}/750A0000000zzzzIAA`, { token });
    assert.equal(res.status, 404);
    assert.deepEqual(res.json(), [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  });

  it('answers 409 when read with another API version than the one that created it', async () => {
    const id = await completedJob('SELECT Id FROM Account');
    const info = await raw(`${org.instanceUrl}/services/data/v61.0/jobs/query/${id}`, { token });
    assert.equal(info.status, 409);
    assert.equal((info.json() as { errorCode: string }[]).length, 1);
    const results = await page(id, {}, '61.0');
    assert.equal(results.status, 409);
    assert.equal((await page(id)).status, 200);
  });
});

describe('results', () => {
  it('pages a large result manually: every row exactly once, exact values, header on every page', async () => {
    const job = new QueryJobV2(conn, {
      bodyParams: { query: 'SELECT Id, Name, Description FROM Account', operation: 'query' },
      pollingOptions: { pollInterval: 20, pollTimeout: 10000 },
    });
    await job.open();
    await job.poll();
    const info = job.getInfo();
    assert.equal(info.numberRecordsProcessed, ROWS);
    const pages = await allPages(job.id as string, 25);
    assert.equal(pages.length, Math.ceil(ROWS / 25));
    const seen = new Map<string, string>();
    const ids = new Set<string>();
    pages.forEach((p, i) => {
      assert.equal(p.contentType, 'text/csv');
      assert.ok(p.text.startsWith('"Id","Name","Description"\n'), `page ${i} starts with the header`);
      const rows = rowsOf(p.text);
      assert.deepEqual(rows[0], ['Id', 'Name', 'Description']);
      assert.equal(Number(p.count), rows.length - 1, 'Sforce-NumberOfRecords counts the data rows of the page');
      assert.equal(p.locator === 'null', i === pages.length - 1, 'only the last page has the locator "null"');
      for (const [id, name, description] of rows.slice(1) as [string, string, string][]) {
        assert.ok(!ids.has(id), `row ${id} arrives once`);
        ids.add(id);
        seen.set(name, description);
      }
    });
    assert.equal(ids.size, ROWS);
    assert.deepEqual(seen, seeded);
    // Byte-level: every field quoted, quotes doubled, line breaks kept inside quotes, UTF-8 without BOM.
    const body = pages.map((p) => p.text).join('');
    assert.ok(body.includes('"Acme ""Quoted"" Ltd","first line\nsecond line, with comma"\n'));
    assert.ok(body.includes('"Only ""quotes"" """" here","CRLF inside\r\nkept"\n'));
    assert.ok(body.includes('"Société Générale 日本語 Ελληνικά 🚀"'));
    assert.ok(body.includes(',"Plain",""\n'), 'null is an empty quoted field');
    assert.notEqual(pages[0]?.text.charCodeAt(0), 0xfeff);
  });

  it('pages through jsforce HttpApi, reading sforce-locator from the response event (§8.2)', async () => {
    const id = await completedJob('SELECT Id, Name, Description FROM Account');
    const bodies: string[] = [];
    let locator: string | undefined;
    do {
      const api = new HttpApi(conn, { responseType: 'text/plain' });
      api.on('response', (res: { headers: Record<string, string> }) => {
        locator = res.headers['sforce-locator'];
      });
      const url = `${base}/${id}/results?maxRecords=40${locator ? `&locator=${locator}` : ''}`;
      bodies.push((await api.request({ method: 'GET', url })) as string);
      assert.ok(bodies.length < 100);
    } while (locator !== 'null');
    assert.equal(bodies.length, Math.ceil(ROWS / 40));
    const rows = bodies.flatMap((b, i) => {
      const parsed = rowsOf(b);
      assert.deepEqual(parsed[0], ['Id', 'Name', 'Description'], `page ${i} has the header`);
      return parsed.slice(1);
    });
    assert.deepEqual(new Map(rows.map((r) => [r[1] as string, r[2] as string])), seeded);
  });

  it('uses state.bulk.defaultMaxRecords when the client gives no maxRecords', async () => {
    await control(emu, 'POST', '/bulk', { defaultMaxRecords: 50 });
    try {
      const id = await completedJob('SELECT Id FROM Account');
      const pages = await allPages(id);
      assert.deepEqual(
        pages.map((p) => Number(p.count)),
        [50, 50, ROWS - 100],
      );
    } finally {
      await control(emu, 'POST', '/bulk', { defaultMaxRecords: 10000 });
    }
  });

  it('lets jsforce bulk2.query read a single-page result', async () => {
    const stream = await conn.bulk2.query('SELECT Id, Name, Description FROM Account');
    const records = (await stream.toArray()) as Record<string, string>[];
    assert.equal(records.length, ROWS);
    const byName = new Map(records.map((r) => [r.Name as string, r.Description as string]));
    assert.deepEqual(byName, seeded);
  });

  it('serves the same page again for a reused locator', async () => {
    const id = await completedJob('SELECT Id FROM Account ORDER BY Id');
    const first = await page(id, { maxRecords: '40' });
    const second = await page(id, { maxRecords: '40', locator: first.locator as string });
    const again = await page(id, { maxRecords: '40', locator: first.locator as string });
    assert.equal(second.text, again.text);
    assert.equal(first.locator, Buffer.from('40').toString('base64').replace(/=+$/, ''), 'locators look like Salesforce ones');
  });

  it('answers 400 INVALIDLOCATOR for a locator it never issued', async () => {
    const id = await completedJob('SELECT Id FROM Account');
    const p = await page(id, { locator: 'bm9wZQ' });
    assert.equal(p.status, 400);
    assert.equal((JSON.parse(p.text) as { errorCode: string }[])[0]?.errorCode, 'INVALIDLOCATOR');
  });

  it('answers an empty result with the header, zero records and the null locator', async () => {
    const id = await completedJob("SELECT Id, Name FROM Account WHERE Name = 'no such account'");
    const p = await page(id);
    assert.equal(p.status, 200);
    assert.equal(p.text, '"Id","Name"\n');
    assert.equal(p.count, '0');
    assert.equal(p.locator, 'null');
    assert.equal((await jobInfo(id)).numberRecordsProcessed, 0);
  });

  it('keeps ORDER BY order across pages', async () => {
    await control(emu, 'POST', '/bulk', { chunkSize: 10, shuffleChunks: true });
    try {
      const id = await completedJob('SELECT Name FROM Account ORDER BY Name DESC');
      const names = (await allPages(id, 30)).flatMap((p) =>
        rowsOf(p.text)
          .slice(1)
          .map((r) => r[0] as string),
      );
      const sorted = [...seeded.keys()].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
      assert.deepEqual(names, sorted);
    } finally {
      await control(emu, 'POST', '/bulk', { chunkSize: 2500 });
    }
  });

  it('shuffles PK chunks when there is no ORDER BY', async () => {
    await control(emu, 'POST', '/bulk', { chunkSize: 10, shuffleChunks: true });
    try {
      const id = await completedJob('SELECT Id FROM Account');
      const ids = (await allPages(id, 30)).flatMap((p) =>
        rowsOf(p.text)
          .slice(1)
          .map((r) => r[0] as string),
      );
      const natural = [...ids].sort();
      assert.equal(new Set(ids).size, ROWS);
      assert.notDeepEqual(ids, natural, 'rows do not come back in natural order');
      // Each chunk of 10 is still served whole and in order.
      const chunkStarts = new Set(natural.filter((_, i) => i % 10 === 0));
      for (let i = 0; i < ids.length; i++) {
        if (chunkStarts.has(ids[i] as string)) continue;
        assert.equal(natural.indexOf(ids[i] as string), natural.indexOf(ids[i - 1] as string) + 1);
      }
    } finally {
      await control(emu, 'POST', '/bulk', { chunkSize: 2500 });
    }
  });

  it('does not shuffle when shuffleChunks is off', async () => {
    await control(emu, 'POST', '/bulk', { chunkSize: 10, shuffleChunks: false });
    try {
      const id = await completedJob('SELECT Id FROM Account');
      const ids = (await allPages(id, 30)).flatMap((p) =>
        rowsOf(p.text)
          .slice(1)
          .map((r) => r[0] as string),
      );
      assert.deepEqual(ids, [...ids].sort());
    } finally {
      await control(emu, 'POST', '/bulk', { chunkSize: 2500, shuffleChunks: true });
    }
  });

  for (const [name, delimiter] of Object.entries(DELIMITERS)) {
    for (const lineEnding of ['LF', 'CRLF'] as const) {
      it(`writes ${name} / ${lineEnding}`, async () => {
        const id = await completedJob('SELECT Name, Description FROM Account ORDER BY Name', { columnDelimiter: name, lineEnding });
        const pages = await allPages(id, 60);
        const eol = lineEnding === 'CRLF' ? '\r\n' : '\n';
        for (const p of pages) {
          assert.ok(p.text.startsWith(`"Name"${delimiter}"Description"${eol}`), p.text.slice(0, 40));
          assert.ok(p.text.endsWith(`"${eol}`));
        }
        const rows = pages.flatMap((p) => rowsOf(p.text, delimiter).slice(1));
        assert.deepEqual(new Map(rows.map((r) => [r[0] as string, r[1] as string])), seeded);
        if (lineEnding === 'LF')
          assert.ok(
            !pages
              .map((p) => p.text)
              .join('')
              .includes('"\r\n"'),
          );
      });
    }
  }

  it('writes booleans, numbers, dates and datetimes as Salesforce does', async () => {
    const id = insertAccount({
      Name: 'Typed values',
      Active__c: true,
      AnnualRevenue: 1250000,
      NumberOfEmployees: 42,
      NumberofLocations__c: 2.5,
      SLAExpirationDate__c: '2024-03-20',
    });
    seeded.set('Typed values', '');
    try {
      const job = await completedJob(
        `SELECT Id, Active__c, AnnualRevenue, NumberOfEmployees, NumberofLocations__c, SLAExpirationDate__c, CreatedDate FROM Account WHERE Id = '${id}'`,
      );
      const rows = rowsOf((await page(job)).text);
      const [row] = rows.slice(1) as string[][];
      assert.ok(row);
      assert.deepEqual(row.slice(0, 6), [id, 'true', '1250000', '42', '2.5', '2024-03-20']);
      assert.match(row[6] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const falsy = await completedJob(`SELECT Active__c FROM Account WHERE Name = 'Plain'`);
      assert.equal((await page(falsy)).text, '"Active__c"\n"false"\n');
    } finally {
      const account = getObject(org.store.schema, 'Account');
      assert.ok(account);
      org.store.purge(account, id);
      seeded.delete('Typed values');
    }
  });

  it('writes parent fields under their dotted header, empty when there is no parent', async () => {
    const parentId = insertAccount({ Name: 'Parent "Co"' });
    const childId = insertAccount({ Name: 'Child', ParentId: parentId });
    try {
      const id = await completedJob('SELECT Id, Parent.Name FROM Account ORDER BY Name');
      const text = (await allPages(id)).map((p) => p.text).join('');
      assert.equal(text.split('\n')[0], '"Id","Parent.Name"');
      assert.ok(text.includes(`"${childId}","Parent ""Co"""\n`));
      assert.ok(text.includes(`"${parentId}",""\n`));
    } finally {
      const account = getObject(org.store.schema, 'Account');
      assert.ok(account);
      org.store.purge(account, childId);
      org.store.purge(account, parentId);
    }
  });

  it('writes wide rows, built from several printf calls', async () => {
    const account = getObject(org.store.schema, 'Account');
    assert.ok(account);
    const plain = account.fields.filter((f) => f.stored && !['base64', 'address', 'location'].includes(f.type)).map((f) => f.name);
    const select = [...plain, ...plain.map((f) => `Parent.${f}`), ...plain.map((f) => `Parent.Parent.${f}`)];
    assert.ok(select.length > 100, `${select.length} columns`);
    const id = await completedJob(`SELECT ${select.join(', ')} FROM Account ORDER BY Name`);
    const rows = (await allPages(id)).flatMap((p, i) => rowsOf(p.text).slice(i === 0 ? 0 : 1));
    assert.deepEqual(rows[0], select);
    assert.equal(rows.length, ROWS + 1);
    const nameAt = select.indexOf('Name');
    assert.deepEqual(new Set(rows.slice(1).map((r) => r[nameAt])), new Set(seeded.keys()));
    assert.ok(rows.slice(1).every((r) => r.length === select.length));
  });

  it('is a snapshot: writes after the job ran do not change its pages', async () => {
    const id = await completedJob('SELECT Id, Name FROM Account ORDER BY Name');
    const before = (await allPages(id, 50)).map((p) => p.text);
    const extra = insertAccount({ Name: 'AAA written later' });
    try {
      const after = (await allPages(id, 50)).map((p) => p.text);
      assert.deepEqual(after, before);
      assert.equal((await jobInfo(id)).numberRecordsProcessed, ROWS);
    } finally {
      const account = getObject(org.store.schema, 'Account');
      assert.ok(account);
      org.store.purge(account, extra);
    }
  });

  it('includes soft-deleted rows with queryAll only', async () => {
    const doomed = insertAccount({ Name: 'Deleted soon' });
    const account = getObject(org.store.schema, 'Account');
    assert.ok(account);
    assert.ok(deleteRecord(org, account, doomed, { userId: adminId(), source: 'json' }).success);
    try {
      const live = await completedJob('SELECT Id, IsDeleted FROM Account');
      const liveRows = (await allPages(live)).flatMap((p) => rowsOf(p.text).slice(1));
      assert.equal(liveRows.length, ROWS);
      assert.ok(!liveRows.some((r) => r[0] === doomed));
      const all = await completedJob('SELECT Id, IsDeleted FROM Account', { operation: 'queryAll' });
      const allRows = (await allPages(all)).flatMap((p) => rowsOf(p.text).slice(1));
      assert.equal(allRows.length, ROWS + 1);
      assert.deepEqual(
        allRows.find((r) => r[0] === doomed),
        [doomed, 'true'],
      );
      const viaJsforce = (await (await conn.bulk2.query('SELECT Id FROM Account', { scanAll: true })).toArray()) as { Id: string }[];
      assert.ok(viaJsforce.some((r) => r.Id === doomed));
    } finally {
      org.store.purge(account, doomed);
    }
  });

  it('writes headers alphabetically before API 50.0', async () => {
    const created = await createJob({ operation: 'query', query: "SELECT Name, Id, Description FROM Account WHERE Name = 'Plain'" }, '49.0');
    const id = created.json.id as string;
    for (let i = 0; i < 5 && (await jobInfo(id, '49.0')).state !== 'JobComplete'; i++);
    const p = await page(id, {}, '49.0');
    const rows = rowsOf(p.text);
    assert.deepEqual(rows[0], ['Description', 'Id', 'Name']);
    assert.equal(rows[1]?.[2], 'Plain');
  });
});

describe('abort, delete, list', () => {
  it('aborts a queued job; results then answer INVALIDJOBSTATE', async () => {
    await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 5 });
    try {
      const created = await createJob({ operation: 'query', query: 'SELECT Id FROM Account' });
      const id = created.json.id as string;
      const job = new QueryJobV2(conn, { id, pollingOptions: { pollInterval: 20, pollTimeout: 1000 } });
      const aborted = await job.abort();
      assert.equal(aborted.state, 'Aborted');
      assert.equal((await jobInfo(id)).state, 'Aborted');
      const p = await page(id);
      assert.equal(p.status, 400);
      assert.equal((JSON.parse(p.text) as { errorCode: string }[])[0]?.errorCode, 'INVALIDJOBSTATE');
      await assert.rejects(job.poll(20, 1000), /Job has been aborted/);
      const again = await raw(`${base}/${id}`, {
        method: 'PATCH',
        token,
        headers: { 'content-type': 'application/json' },
        body: '{"state":"Aborted"}',
      });
      assert.equal(again.status, 400);
      assert.equal((again.json() as { errorCode: string }[])[0]?.errorCode, 'INVALIDJOBSTATE');
    } finally {
      await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
    }
  });

  it('deletes only terminal jobs', async () => {
    await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 1 });
    try {
      const created = await createJob({ operation: 'query', query: 'SELECT Id FROM Account' });
      const id = created.json.id as string;
      const early = await raw(`${base}/${id}`, { method: 'DELETE', token });
      assert.equal(early.status, 400);
      assert.deepEqual(early.json(), [{ message: 'Error encountered when deleting the job because the job is not terminated', errorCode: 'API_ERROR' }]);
      await runToCompletion(id);
      const del = await raw(`${base}/${id}`, { method: 'DELETE', token });
      assert.equal(del.status, 204);
      assert.equal(del.text, '');
      assert.equal((await raw(`${base}/${id}`, { token })).status, 404);
      assert.equal((await page(id)).status, 404);
    } finally {
      await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
    }
  });

  it('lists the org’s query jobs', async () => {
    const id = await completedJob('SELECT Id FROM Account');
    const res = await raw(base, { token });
    assert.equal(res.status, 200);
    const body = res.json() as { done: boolean; nextRecordsUrl: null; records: { id: string; state: string }[] };
    assert.equal(body.done, true);
    assert.equal(body.nextRecordsUrl, null);
    const entry = body.records.find((r) => r.id === id);
    assert.equal(entry?.state, 'JobComplete');
    assert.equal((entry as unknown as Record<string, unknown>).jobType, 'V2Query');
  });
});

describe('control knobs', () => {
  it('fails the next matching job; jsforce reports "Query job failed to complete"', async () => {
    await control(emu, 'POST', '/bulk/rules', { kind: 'query', object: 'Account', fail: true });
    await assert.rejects(conn.bulk2.query('SELECT Id FROM Account'), /Query job failed to complete/);
    const after = (await (await conn.bulk2.query('SELECT Id FROM Account')).toArray()) as unknown[];
    assert.equal(after.length, ROWS, 'the rule applied once');
  });

  it('fails or aborts a given job and sets its polls', async () => {
    const slow = await createJob({ operation: 'query', query: 'SELECT Id FROM Account' });
    const id = slow.json.id as string;
    await control(emu, 'POST', `/bulk/jobs/${id}`, { pollsBeforeComplete: 2 });
    assert.equal((await jobInfo(id)).state, 'InProgress');
    assert.equal((await jobInfo(id)).state, 'InProgress');
    assert.equal((await jobInfo(id)).state, 'JobComplete');
    const other = await createJob({ operation: 'query', query: 'SELECT Id FROM Account' });
    const summary = await control<{ state: string }>(emu, 'POST', `/bulk/jobs/${other.json.id}`, { abort: true });
    assert.equal(summary.state, 'Aborted');
    assert.equal((await jobInfo(other.json.id as string)).state, 'Aborted');
    const third = await createJob({ operation: 'query', query: 'SELECT Id FROM Account' });
    await control(emu, 'POST', `/bulk/jobs/${third.json.id}`, { fail: 'boom' });
    const failed = await jobInfo(third.json.id as string);
    assert.equal(failed.state, 'Failed');
    assert.equal(failed.errorMessage, 'boom');
  });
});
