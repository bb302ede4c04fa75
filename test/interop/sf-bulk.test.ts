// `sf data export bulk` / `import bulk` / `upsert bulk` / `delete bulk` / `bulk results` (Bulk API
// 2.0) against the emulator. Exports are compared cell by cell with the org's SQLite store; what sf
// imports is read back from the store.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import type { RequestLogEntry } from '../emulators/salesforce/state.ts';
import {
  ALIAS,
  type ContactTruth,
  calls,
  cell,
  contactsInStore,
  control,
  describeLog,
  lastSeq,
  loginWithAccessToken,
  NASTY_STRINGS,
  objectDef,
  orgOf,
  requestLog,
  type Seeded,
  seedContacts,
  startInterop,
  storeRows,
} from './fixtures.ts';
import { assertNoSfLeftovers, describeRun, type SfHome, sf, sfOk } from './sf.ts';

// defect 10: sf leaves nothing running behind this file (a self-updater above all).
after(() => assertNoSfLeftovers());

const PAGE = 50;
const CONTACTS = 300;
const SOQL = 'SELECT Id, FirstName, LastName, Email, Account.Name, CreatedDate FROM Contact';
const HEADER = ['Id', 'FirstName', 'LastName', 'Email', 'Account.Name', 'CreatedDate'];

function expectedCells(t: ContactTruth): Record<string, string> {
  return {
    Id: t.Id,
    FirstName: cell(t.FirstName),
    LastName: t.LastName,
    Email: cell(t.Email),
    'Account.Name': cell(t.AccountName),
    // Bulk CSV datetimes are UTC with a Z, as stored.
    CreatedDate: t.CreatedDate,
  };
}

function assertRowsMatchStore(rows: Record<string, string>[], truth: ContactTruth[], what: string): void {
  assert.equal(rows.length, truth.length, `${what}: one row per live contact`);
  const got = new Map<string, Record<string, string>>();
  for (const r of rows) {
    assert.ok(!got.has(r.Id as string), `${what}: duplicate row ${r.Id}`);
    got.set(r.Id as string, r);
  }
  for (const t of truth) {
    const r = got.get(t.Id);
    assert.ok(r, `${what}: missing ${t.Id}`);
    assert.deepEqual(r, expectedCells(t), `${what}: ${t.Id}`);
  }
}

function resultsPages(log: RequestLogEntry[]): RequestLogEntry[] {
  return calls(log, 'GET', /\/jobs\/query\/750[A-Za-z0-9]{15}\/results$/);
}

function ingestJobId(log: RequestLogEntry[]): string {
  const put = calls(log, 'PUT', /\/jobs\/ingest\/750[A-Za-z0-9]{15}\/batches$/).at(-1);
  const id = put?.path.match(/\/jobs\/ingest\/(750[A-Za-z0-9]{15})\//)?.[1];
  assert.ok(id, `no ingest upload in:\n${describeLog(log)}`);
  return id;
}

describe('sf data bulk commands against the emulator', () => {
  let emu: Emulator;
  let home: SfHome;
  let seeded: Seeded;
  let adminId: string;

  before(async () => {
    ({ emu, home } = await startInterop());
    seeded = seedContacts(emu, CONTACTS);
    adminId = [...emu.state.users.values()].find((u) => u.orgId === orgOf(emu).id)?.id as string;
    await loginWithAccessToken(emu, home);
    await control(emu, 'POST', '/bulk', { defaultMaxRecords: PAGE, pollsBeforeComplete: 0 });
  });

  after(async () => {
    await emu?.close();
    home?.remove();
  });

  it('export bulk (CSV) writes every contact, hostile values intact, across several result pages', async () => {
    // One poll in InProgress: sf waits its 5 s and polls again.
    await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 1 });
    const out = path.join(home.cwd, 'contacts.csv');
    const since = await lastSeq(emu);
    try {
      const { result } = await sfOk<{ totalSize: number; filePath: string }>(home, [
        'data',
        'export',
        'bulk',
        '-q',
        SOQL,
        '--output-file',
        out,
        '--wait',
        '10',
        '--target-org',
        ALIAS,
      ]);
      const truth = contactsInStore(emu);
      assert.equal(result.totalSize, truth.length);
      const text = readFileSync(out, 'utf8');
      const records = parse(text, { columns: false }) as string[][];
      assert.deepEqual(records[0], HEADER, 'header row as written in the SELECT, once');
      const rows = parse(text, { columns: true }) as Record<string, string>[];
      assertRowsMatchStore(rows, truth, 'csv export');

      const log = await requestLog(emu, since);
      const pages = resultsPages(log);
      assert.equal(pages.length, Math.ceil(truth.length / PAGE), `one GET per page of ${PAGE}:\n${describeLog(log)}`);
      assert.equal(pages[0]?.query, '', 'the first page has no locator');
      for (const p of pages.slice(1)) assert.match(p.query, /^\?locator=[^&]+$/);
      for (const p of pages) assert.equal(p.status, 200);
      const polls = calls(log, 'GET', /\/jobs\/query\/750[A-Za-z0-9]{15}$/);
      assert.ok(polls.length >= 2, `sf polled until JobComplete:\n${describeLog(log)}`);
    } finally {
      await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
    }
  });

  it('export bulk --result-format json is valid JSON with every row', async () => {
    const out = path.join(home.cwd, 'contacts.json');
    const { result } = await sfOk<{ totalSize: number }>(home, [
      'data',
      'export',
      'bulk',
      '-q',
      SOQL,
      '--output-file',
      out,
      '--result-format',
      'json',
      '--wait',
      '10',
      '--target-org',
      ALIAS,
    ]);
    const truth = contactsInStore(emu);
    assert.equal(result.totalSize, truth.length);
    const text = readFileSync(out, 'utf8');
    let rows: Record<string, string>[];
    try {
      rows = JSON.parse(text) as Record<string, string>[];
    } catch (err) {
      assert.fail(`sf wrote invalid JSON (numberRecordsProcessed must equal the rows served): ${(err as Error).message}\n${text.slice(-300)}`);
    }
    assertRowsMatchStore(rows, truth, 'json export');
  });

  it('export bulk --all-rows --column-delimiter PIPE includes the Recycle Bin, booleans as true/false', async () => {
    const org = orgOf(emu);
    const contact = objectDef(emu, 'Contact');
    const victims = seeded.contactIds.slice(0, 2);
    for (const id of victims) org.store.softDelete(contact, id, { userId: adminId });
    const out = path.join(home.cwd, 'all.csv');
    const since = await lastSeq(emu);
    await sfOk(home, [
      'data',
      'export',
      'bulk',
      '-q',
      'SELECT Id, LastName, IsDeleted FROM Contact',
      '--all-rows',
      '--column-delimiter',
      'PIPE',
      '--output-file',
      out,
      '--wait',
      '10',
      '--target-org',
      ALIAS,
    ]);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true, delimiter: '|' }) as Record<string, string>[];
    const truth = contactsInStore(emu, { includeDeleted: true });
    assert.equal(rows.length, truth.length);
    const got = new Map(rows.map((r) => [r.Id, r]));
    for (const t of truth) {
      assert.deepEqual(got.get(t.Id), { Id: t.Id, LastName: t.LastName, IsDeleted: t.IsDeleted ? 'true' : 'false' }, t.Id);
    }
    for (const id of victims) assert.equal(got.get(id)?.IsDeleted, 'true');
    assert.ok(resultsPages(await requestLog(emu, since)).length > 1);
  });

  it('export bulk with a bad field fails with the Salesforce error code and message', async () => {
    const run = await sf(home, [
      'data',
      'export',
      'bulk',
      '-q',
      'SELECT Id, Nope__c FROM Contact',
      '--output-file',
      path.join(home.cwd, 'never.csv'),
      '--wait',
      '10',
      '--target-org',
      ALIAS,
      '--json',
    ]);
    assert.deepEqual(run.blocked, [], describeRun(run));
    assert.equal(run.code, 1, describeRun(run));
    assert.equal(run.json?.name, 'INVALID_FIELD', describeRun(run));
    assert.match(run.json?.message ?? '', /No such column 'Nope__c' on entity 'Contact'/, describeRun(run));
  });

  it('import bulk inserts contacts with exactly the values of the file', async () => {
    const file = path.join(home.cwd, 'new-contacts.csv');
    const rows = NASTY_STRINGS.filter((s) => !/^\s|\s$/.test(s)).map((nasty, i) => ({
      FirstName: nasty,
      LastName: `Imported-${String(i).padStart(3, '0')} ${nasty}`,
      Email: i % 3 === 0 ? '' : `imported.${i}@example.com`,
      AccountId: i % 2 === 0 ? (seeded.accountIds[i % seeded.accountIds.length] as string) : '',
    }));
    writeFileSync(file, stringify(rows, { header: true, columns: ['FirstName', 'LastName', 'Email', 'AccountId'] }));
    const since = await lastSeq(emu);
    const { result } = await sfOk<{ jobId: string; processedRecords: number; successfulRecords: number; failedRecords: number }>(home, [
      'data',
      'import',
      'bulk',
      '-s',
      'Contact',
      '-f',
      file,
      '--wait',
      '10',
      '--target-org',
      ALIAS,
    ]);
    assert.match(result.jobId, /^750[A-Za-z0-9]{15}$/);
    assert.equal(result.processedRecords, rows.length);
    assert.equal(result.successfulRecords, rows.length);
    assert.equal(result.failedRecords, 0);
    const log = await requestLog(emu, since);
    assert.equal(ingestJobId(log), result.jobId);

    const stored = storeRows(
      emu,
      `SELECT "Id", "FirstName", "LastName", "Email", "AccountId", "CreatedById", "IsDeleted" FROM "Contact" WHERE "LastName" LIKE 'Imported-%'`,
    );
    assert.equal(stored.length, rows.length);
    const byLast = new Map(stored.map((r) => [r.LastName, r]));
    for (const r of rows) {
      const s = byLast.get(r.LastName);
      assert.ok(s, `not in the org: ${JSON.stringify(r.LastName)}`);
      assert.equal(s.FirstName, r.FirstName, `FirstName of ${JSON.stringify(r.LastName)}`);
      assert.equal(s.Email, r.Email === '' ? null : r.Email, 'an empty cell on insert is no value');
      assert.equal(s.AccountId, r.AccountId === '' ? null : r.AccountId);
      assert.equal(s.CreatedById, adminId);
      assert.equal(s.IsDeleted, 0);
    }

    // sf data bulk results: the success file names every created id with the uploaded columns.
    const res = await sfOk<{ processedRecords: number; successfulRecords: number; failedRecords: number; status: string; successFilePath: string }>(home, [
      'data',
      'bulk',
      'results',
      '--job-id',
      result.jobId,
      '--target-org',
      ALIAS,
    ]);
    assert.equal(res.result.status, 'JobComplete');
    assert.equal(res.result.successfulRecords, rows.length);
    const success = parse(readFileSync(path.join(home.cwd, res.result.successFilePath), 'utf8'), { columns: true }) as Record<string, string>[];
    assert.equal(success.length, rows.length);
    for (const s of success) {
      assert.deepEqual(Object.keys(s), ['sf__Id', 'sf__Created', 'FirstName', 'LastName', 'Email', 'AccountId']);
      assert.equal(s.sf__Created, 'true');
      assert.equal(byLast.get(s.LastName)?.Id, s.sf__Id, `sf__Id of ${JSON.stringify(s.LastName)}`);
    }
  });

  it('import bulk with a failing row reports it; the good rows still arrive', async () => {
    const file = path.join(home.cwd, 'with-failure.csv');
    writeFileSync(file, 'FirstName,LastName,Email\nGood,Partial-OK-1,ok1@example.com\nBad,,bad@example.com\n"Also, good",Partial-OK-2,\n');
    const since = await lastSeq(emu);
    const run = await sf(home, ['data', 'import', 'bulk', '-s', 'Contact', '-f', file, '--wait', '10', '--target-org', ALIAS, '--json']);
    assert.deepEqual(run.blocked, [], describeRun(run));
    assert.equal(run.code, 1, describeRun(run));
    assert.equal(run.json?.name, 'FailedRecordDetailsError', describeRun(run));
    assert.match(run.json?.message ?? '', /failed to process 1 records/, describeRun(run));
    const jobId = ingestJobId(await requestLog(emu, since));

    const ok = storeRows(emu, `SELECT "FirstName", "LastName", "Email" FROM "Contact" WHERE "LastName" LIKE 'Partial-OK-%' ORDER BY "LastName"`);
    assert.deepEqual(
      ok.map((r) => ({ ...r })),
      [
        { FirstName: 'Good', LastName: 'Partial-OK-1', Email: 'ok1@example.com' },
        { FirstName: 'Also, good', LastName: 'Partial-OK-2', Email: null },
      ],
    );
    assert.equal(Number(storeRows(emu, `SELECT COUNT(*) AS n FROM "Contact" WHERE "FirstName" = 'Bad'`)[0]?.n), 0);

    const res = await sfOk<{ processedRecords: number; failedRecords: number; successfulRecords: number; failedFilePath: string }>(home, [
      'data',
      'bulk',
      'results',
      '--job-id',
      jobId,
      '--target-org',
      ALIAS,
    ]);
    assert.equal(res.result.processedRecords, 3);
    assert.equal(res.result.failedRecords, 1);
    assert.equal(res.result.successfulRecords, 2);
    const failed = parse(readFileSync(path.join(home.cwd, res.result.failedFilePath), 'utf8'), { columns: true }) as Record<string, string>[];
    assert.equal(failed.length, 1);
    assert.deepEqual(Object.keys(failed[0] ?? {}), ['sf__Id', 'sf__Error', 'FirstName', 'LastName', 'Email']);
    assert.equal(failed[0]?.sf__Id, '');
    assert.equal(failed[0]?.FirstName, 'Bad');
    assert.match(failed[0]?.sf__Error ?? '', /^REQUIRED_FIELD_MISSING:Required fields are missing: \[LastName\]:LastName --$/);
  });

  it('upsert bulk on Id updates in place: new values, #N/A clears, an empty cell leaves the value', async () => {
    // Seeded rows 30, 32 and 34 all have a FirstName and an Email to change.
    const picked = [30, 32, 34].map((n) => seeded.contactIds[n] as string);
    const targets = storeRows(emu, `SELECT "Id", "FirstName", "LastName", "Email" FROM "Contact" WHERE "Id" IN (?, ?, ?) ORDER BY "Id"`, picked);
    assert.equal(targets.length, 3);
    const [a, b, c] = targets as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    const file = path.join(home.cwd, 'upsert.csv');
    writeFileSync(
      file,
      stringify(
        [
          { Id: a.Id, FirstName: 'Updated, "quoted"\nname', Email: 'updated.a@example.com' },
          { Id: b.Id, FirstName: '', Email: '#N/A' },
          { Id: c.Id, FirstName: 'Ünïcødé 🚀', Email: '' },
        ],
        { header: true, columns: ['Id', 'FirstName', 'Email'] },
      ),
    );
    const { result } = await sfOk<{
      jobInfo: { operation: string; numberRecordsProcessed: number; numberRecordsFailed: number; externalIdFieldName?: string };
      records: { successfulResults: Record<string, string>[]; failedResults: unknown[] };
    }>(home, ['data', 'upsert', 'bulk', '-s', 'Contact', '-f', file, '-i', 'Id', '--wait', '10', '--target-org', ALIAS]);
    assert.equal(result.jobInfo.operation, 'upsert');
    assert.equal(result.jobInfo.numberRecordsProcessed, 3);
    assert.equal(result.jobInfo.numberRecordsFailed, 0);
    assert.equal(result.records.successfulResults.length, 3);
    for (const s of result.records.successfulResults) assert.equal(s.sf__Created, 'false', 'matched on Id: updated, not created');

    const after = new Map(
      storeRows(emu, `SELECT "Id", "FirstName", "LastName", "Email" FROM "Contact" WHERE "Id" IN (?, ?, ?)`, [a.Id, b.Id, c.Id] as string[]).map((r) => [
        r.Id,
        r,
      ]),
    );
    assert.deepEqual(
      { ...after.get(a.Id as string) },
      { Id: a.Id, FirstName: 'Updated, "quoted"\nname', LastName: a.LastName, Email: 'updated.a@example.com' },
    );
    assert.deepEqual({ ...after.get(b.Id as string) }, { Id: b.Id, FirstName: b.FirstName, LastName: b.LastName, Email: null });
    assert.deepEqual({ ...after.get(c.Id as string) }, { Id: c.Id, FirstName: 'Ünïcødé 🚀', LastName: c.LastName, Email: c.Email });
  });

  it('delete bulk moves the rows to the Recycle Bin', async () => {
    const ids = seeded.contactIds.slice(40, 42);
    assert.equal(storeRows(emu, `SELECT "Id" FROM "Contact" WHERE "Id" IN (?, ?) AND "IsDeleted" = 0`, ids).length, 2);
    const file = path.join(home.cwd, 'delete.csv');
    writeFileSync(file, `Id\n${ids.join('\n')}\n`);
    const { result } = await sfOk<{ jobInfo: { operation: string; numberRecordsProcessed: number }; records: { successfulResults: { sf__Id: string }[] } }>(
      home,
      ['data', 'delete', 'bulk', '-s', 'Contact', '-f', file, '--wait', '10', '--target-org', ALIAS],
    );
    assert.equal(result.jobInfo.operation, 'delete');
    assert.equal(result.jobInfo.numberRecordsProcessed, 2);
    assert.deepEqual(result.records.successfulResults.map((s) => s.sf__Id).sort(), [...ids].sort());
    const rows = storeRows(emu, `SELECT "IsDeleted" FROM "Contact" WHERE "Id" IN (?, ?)`, ids);
    assert.deepEqual(
      rows.map((r) => Number(r.IsDeleted)),
      [1, 1],
    );
  });

  it('update bulk changes only the columns of the file', async () => {
    const target = storeRows(emu, `SELECT "Id", "FirstName", "LastName", "Email" FROM "Contact" WHERE "Id" = ?`, [seeded.contactIds[20] as string])[0];
    assert.ok(target);
    const file = path.join(home.cwd, 'update.csv');
    writeFileSync(file, stringify([{ Id: target.Id, LastName: 'Updated; semi | pipe, comma' }], { header: true, columns: ['Id', 'LastName'] }));
    const { result } = await sfOk<{ jobId: string; processedRecords: number; successfulRecords: number; failedRecords: number }>(home, [
      'data',
      'update',
      'bulk',
      '-s',
      'Contact',
      '-f',
      file,
      '--wait',
      '10',
      '--target-org',
      ALIAS,
    ]);
    assert.match(result.jobId, /^750[A-Za-z0-9]{15}$/);
    assert.equal(result.processedRecords, 1);
    assert.equal(result.successfulRecords, 1);
    assert.equal(result.failedRecords, 0);
    const row = storeRows(emu, `SELECT "Id", "FirstName", "LastName", "Email" FROM "Contact" WHERE "Id" = ?`, [target.Id as string])[0];
    assert.deepEqual({ ...row }, { ...target, LastName: 'Updated; semi | pipe, comma' });
  });

  it('delete bulk --hard-delete needs the permission, then purges the rows', async () => {
    const ids = seeded.contactIds.slice(10, 12);
    const file = path.join(home.cwd, 'hard-delete.csv');
    writeFileSync(file, `Id\n${ids.join('\n')}\n`);
    const args = ['data', 'delete', 'bulk', '-s', 'Contact', '-f', file, '--hard-delete', '--wait', '10', '--target-org', ALIAS];
    await control(emu, 'POST', '/orgs/prod/settings', { allowHardDelete: false });
    try {
      const denied = await sf(home, [...args, '--json']);
      assert.deepEqual(denied.blocked, [], describeRun(denied));
      assert.equal(denied.code, 1, describeRun(denied));
      // sf recognises the FEATURENOTENABLED error code and says what is missing.
      assert.equal(denied.json?.name, 'HardDeletePermissionError', describeRun(denied));
    } finally {
      await control(emu, 'POST', '/orgs/prod/settings', { allowHardDelete: true });
    }
    assert.equal(storeRows(emu, `SELECT "Id" FROM "Contact" WHERE "Id" IN (?, ?) AND "IsDeleted" = 0`, ids).length, 2);

    const { result } = await sfOk<{ jobInfo: { operation: string; numberRecordsProcessed: number } }>(home, args);
    assert.equal(result.jobInfo.operation, 'hardDelete');
    assert.equal(result.jobInfo.numberRecordsProcessed, 2);
    assert.equal(storeRows(emu, `SELECT "Id" FROM "Contact" WHERE "Id" IN (?, ?)`, ids).length, 0, 'gone even from queryAll');
    assert.deepEqual(
      storeRows(emu, `SELECT "Id", "purged" FROM "_deleted" WHERE "Id" IN (?, ?) ORDER BY "Id"`, ids).map((r) => ({ ...r })),
      [...ids].sort().map((Id) => ({ Id, purged: 1 })),
      'getDeleted still knows them',
    );
  });
});
