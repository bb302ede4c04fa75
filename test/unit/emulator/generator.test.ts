// The generated org data: sizes, determinism, deletions, audit fields, referential integrity, and
// the value classes that break careless backups (spec §0.3, §2.5, §3.3, §5.3).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Connection } from 'jsforce';
import { Clock } from '../../emulators/salesforce/clock.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import type { Org, User } from '../../emulators/salesforce/model.ts';
import type { ObjectDef } from '../../emulators/salesforce/schema/types.ts';
import { OrgStore, q } from '../../emulators/salesforce/store/db.ts';
import { generateOrgData, planRecords, userCount } from '../../emulators/salesforce/store/generator.ts';
import { creds, emulator, refreshConnection } from '../../helpers/emulator.ts';

const RECORDS = 3000;
const DAY = 86_400_000;

let emu: Emulator;
let org: Org;
let sandbox: Org;
let conn: Connection;
let dir: string;

type Row = Record<string, unknown>;

function orgOf(alias: string): Org {
  const o = [...emu.state.orgs.values()].find((x) => x.alias === alias);
  assert.ok(o, alias);
  return o;
}

function rows(o: Org, table: string, where = ''): Row[] {
  return o.store.db.prepare(`SELECT * FROM ${q(table)} ${where}`).all() as Row[];
}

function count(o: Org, sql: string, ...params: (string | number)[]): number {
  return Number((o.store.db.prepare(sql).get(...params) as { n: number }).n);
}

function tables(o: Org): ObjectDef[] {
  return o.store.tables();
}

const dataObjects = () => Object.keys(planRecords(RECORDS));

/** Every text value of the org, for the value-class checks. */
function allText(o: Org): string[] {
  const out: string[] = [];
  for (const t of tables(o)) {
    for (const f of t.fields) {
      if (!f.stored || !['string', 'textarea', 'picklist', 'multipicklist', 'combobox', 'email', 'phone', 'url', 'encryptedstring'].includes(f.type)) continue;
      for (const r of o.store.db.prepare(`SELECT ${q(f.name)} AS v FROM ${q(t.name)} WHERE ${q(f.name)} IS NOT NULL`).all() as { v: string }[]) {
        out.push(r.v);
      }
    }
  }
  return out;
}

/** The whole store as plain data, blobs as hex, for equality checks. */
function dump(store: OrgStore): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const t of store.tables()) {
    out[t.name] = (store.db.prepare(`SELECT * FROM ${q(t.name)} ORDER BY "Id"`).all() as Row[]).map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v])),
    );
  }
  out._deleted = store.db.prepare('SELECT * FROM _deleted ORDER BY Id').all() as Row[];
  return out;
}

/** Generates into a fresh store with a fixed clock, as createOrg would. */
function generateFresh(name: string, records: number, seed: number, at: number): OrgStore {
  // A stopped clock: generation reads "now" once, and two runs must see the same instant.
  const clock = new Clock();
  clock.now = () => at;
  const store = new OrgStore({ path: path.join(dir, `${name}.sqlite`), schema: emu.state.schema, clock, pod: org.pod });
  const admin = emu.state.users.get(creds(emu, 'prod').userId) as User;
  generateOrgData({ ...org, store }, { ...emu.state, clock }, { records, seed, adminUser: admin });
  return store;
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gen-test-'));
  emu = await emulator({
    orgs: [
      { alias: 'prod', records: RECORDS, seed: 11, name: 'Generated Co' },
      { alias: 'empty', sandbox: true, records: 0, seed: 3 },
    ],
  });
  org = orgOf('prod');
  sandbox = orgOf('empty');
  conn = refreshConnection(emu);
});

after(async () => {
  await emu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('record plan', () => {
  it('spreads exactly N records over the data objects in realistic proportions', () => {
    for (const n of [0, 1, 7, 60, 200, 3000, 12345, 1_000_000]) {
      const plan = planRecords(n);
      assert.equal(
        Object.values(plan).reduce((a, b) => a + b, 0),
        n,
        `N=${n}`,
      );
      if (plan.Project_Member__c > 0) assert.ok(plan.Project__c > 0, `members need projects (N=${n})`);
    }
    const p = planRecords(100_000);
    assert.ok(p.Contact > 1.8 * p.Account && p.Contact < 2.2 * p.Account);
    assert.ok(p.Task > p.Contact);
    assert.ok(p.ContentVersion > 0 && p.ContentVersion <= 30);
  });

  it('fills each table with its planned count', () => {
    const plan = planRecords(RECORDS);
    for (const [name, n] of Object.entries(plan)) {
      assert.equal(count(org, `SELECT COUNT(*) AS n FROM ${q(name)}`), n, name);
    }
  });

  it('gives an org with no records only its setup data', () => {
    for (const name of dataObjects()) assert.equal(count(sandbox, `SELECT COUNT(*) AS n FROM ${q(name)}`), 0, name);
    assert.equal(count(sandbox, 'SELECT COUNT(*) AS n FROM "Organization"'), 1);
    assert.equal(count(sandbox, 'SELECT COUNT(*) AS n FROM "User"'), 1 + userCount(0));
  });
});

describe('setup data', () => {
  it('stores the admin user with exactly its id and username', () => {
    for (const alias of ['prod', 'empty']) {
      const c = creds(emu, alias);
      const o = orgOf(alias);
      const admin = rows(o, 'User', `WHERE "Id" = '${c.userId}'`);
      assert.equal(admin.length, 1, alias);
      assert.equal(admin[0]?.Username, c.username);
      assert.equal(admin[0]?.IsActive, 1);
    }
    assert.match(creds(emu, 'empty').username, /\.empty$/);
  });

  it('has one Organization row that matches the org', () => {
    for (const o of [org, sandbox]) {
      const r = rows(o, 'Organization');
      assert.equal(r.length, 1);
      assert.equal(r[0]?.Id, o.id);
      assert.equal(r[0]?.Name, o.name);
      assert.equal(r[0]?.IsSandbox, o.isSandbox ? 1 : 0);
      assert.equal(r[0]?.InstanceName, o.instanceName);
      assert.equal(r[0]?.OrganizationType, o.orgType);
    }
  });

  it('has unique usernames, some inactive users, queues and record types', () => {
    const users = rows(org, 'User');
    assert.equal(users.length, 1 + userCount(RECORDS));
    assert.equal(new Set(users.map((u) => String(u.Username).toLowerCase())).size, users.length);
    assert.ok(users.some((u) => u.IsActive === 0));
    for (const u of users) assert.match(String(u.Email), /^[^@\s]+@[^@\s]+\.[^@\s]+$/);
    assert.ok(count(org, `SELECT COUNT(*) AS n FROM "Group" WHERE "Type" = 'Queue'`) >= 2);
    assert.equal(count(org, `SELECT COUNT(*) AS n FROM "RecordType" WHERE "SobjectType" = 'Account'`), 2);
  });
});

describe('determinism', () => {
  it('gives the same rows for the same seed and size, other rows for another seed', () => {
    const at = Date.UTC(2025, 0, 15, 12, 0, 0);
    const a = generateFresh('a', 800, 5, at);
    const b = generateFresh('b', 800, 5, at);
    const c = generateFresh('c', 800, 6, at);
    try {
      const da = dump(a);
      assert.deepEqual(dump(b), da);
      assert.notDeepEqual(dump(c).Account, da.Account);
      assert.equal(da.Contact?.length, planRecords(800).Contact);
    } finally {
      a.close();
      b.close();
      c.close();
    }
  });

  it('leaves an existing store alone instead of generating twice', () => {
    const before = count(org, 'SELECT COUNT(*) AS n FROM "Account"');
    const admin = emu.state.users.get(creds(emu, 'prod').userId) as User;
    generateOrgData(org, emu.state, { records: 50, seed: 99, adminUser: admin });
    assert.equal(count(org, 'SELECT COUNT(*) AS n FROM "Account"'), before);
  });
});

describe('deletions and audit fields', () => {
  it('keeps about 2% of deletable rows in the Recycle Bin, each with its deletion-log row', () => {
    let deleted = 0;
    let total = 0;
    const now = emu.state.clock.now();
    for (const name of dataObjects()) {
      const obj = org.store.object(name) as ObjectDef;
      const d = rows(org, name, 'WHERE "IsDeleted" = 1');
      const n = count(org, `SELECT COUNT(*) AS n FROM ${q(name)}`);
      if (obj.flags.deletable) {
        deleted += d.length;
        total += n;
      } else {
        assert.ok(name === 'AccountHistory' || d.length === 0, `${name} is not deletable`);
      }
      for (const r of d) {
        const log = org.store.db.prepare('SELECT * FROM _deleted WHERE Id = ?').get(r.Id as string) as Row | undefined;
        assert.ok(log, `${name} ${r.Id} logged`);
        assert.equal(log.object, name);
        assert.equal(log.deletedDate, r.SystemModstamp);
        assert.equal(log.purged, 0);
        assert.equal(r.LastModifiedDate, r.SystemModstamp);
        assert.ok(Date.parse(String(r.SystemModstamp)) > now - 15 * DAY, 'still within the Recycle Bin retention');
      }
    }
    const share = deleted / total;
    assert.ok(share > 0.01 && share < 0.04, `deleted share ${share}`);
    const live = count(org, 'SELECT COUNT(*) AS n FROM _deleted');
    let flagged = 0;
    for (const t of tables(org)) flagged += count(org, `SELECT COUNT(*) AS n FROM ${q(t.name)} WHERE "IsDeleted" = 1`);
    assert.equal(live, flagged, 'every deletion-log row belongs to a deleted row');
  });

  it('deletes master-detail children with their master', () => {
    const orphans = count(
      org,
      `SELECT COUNT(*) AS n FROM "Project_Member__c" m JOIN "Project__c" p ON p."Id" = m."Project__c" WHERE p."IsDeleted" = 1 AND m."IsDeleted" = 0`,
    );
    assert.equal(orphans, 0);
    assert.ok(count(org, `SELECT COUNT(*) AS n FROM "Project_Member__c" m JOIN "Project__c" p ON p."Id" = m."Project__c" WHERE p."IsDeleted" = 1`) > 0);
  });

  it('orders the audit timestamps and keeps them in the last ~90 days', () => {
    const now = emu.state.clock.now();
    const users = new Set(rows(org, 'User').map((u) => u.Id));
    for (const name of dataObjects()) {
      const obj = org.store.object(name) as ObjectDef;
      for (const r of rows(org, name)) {
        const c = Date.parse(String(r.CreatedDate));
        const m = Date.parse(String(r.LastModifiedDate));
        const s = Date.parse(String(r.SystemModstamp));
        assert.ok(c <= m && m <= s, `${name} ${r.Id}: ${r.CreatedDate} ${r.LastModifiedDate} ${r.SystemModstamp}`);
        assert.ok(s < now && c > now - 91 * DAY, `${name} ${r.Id} in range`);
        assert.match(String(r.SystemModstamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.ok(users.has(r.CreatedById) && users.has(r.LastModifiedById), `${name} ${r.Id} audit users`);
        if (obj.fieldMap.has('ownerid')) assert.ok(users.has(r.OwnerId) || String(r.OwnerId).startsWith('00G'), `${name} ${r.Id} owner`);
      }
    }
    assert.ok(count(org, `SELECT COUNT(*) AS n FROM "Lead" WHERE "OwnerId" LIKE '00G%'`) > 0, 'some leads belong to queues');
    assert.ok(count(org, `SELECT COUNT(*) AS n FROM "Account" WHERE "LastModifiedDate" > "CreatedDate"`) > 0);
    assert.ok(count(org, `SELECT COUNT(*) AS n FROM "Account" WHERE "SystemModstamp" > "LastModifiedDate"`) > 0);
  });
});

describe('referential integrity', () => {
  it('points every non-null reference at an existing row of an allowed object, live rows at live rows', () => {
    const byPrefix = emu.state.schema.byPrefix;
    let checked = 0;
    for (const t of tables(org)) {
      for (const f of t.fields) {
        if (f.type !== 'reference') continue;
        const refs = org.store.db.prepare(`SELECT "Id", "IsDeleted", ${q(f.name)} AS ref FROM ${q(t.name)} WHERE ${q(f.name)} IS NOT NULL`).all() as {
          Id: string;
          IsDeleted: number;
          ref: string;
        }[];
        for (const r of refs) {
          const target = byPrefix.get(r.ref.slice(0, 3));
          assert.ok(target && f.referenceTo.includes(target.name), `${t.name}.${f.name} of ${r.Id} -> ${r.ref}`);
          const row = org.store.db.prepare(`SELECT "IsDeleted" FROM ${q(target.name)} WHERE "Id" = ?`).get(r.ref) as { IsDeleted: number } | undefined;
          assert.ok(row, `${t.name}.${f.name} of ${r.Id} -> missing ${r.ref}`);
          if (r.IsDeleted === 0) assert.equal(row.IsDeleted, 0, `live ${t.name} ${r.Id} points at deleted ${r.ref}`);
          checked++;
        }
      }
    }
    assert.ok(checked > RECORDS);
  });

  it('builds account hierarchies, leaves some lookups empty, and spreads polymorphic lookups', () => {
    assert.ok(count(org, `SELECT COUNT(*) AS n FROM "Account" WHERE "ParentId" IS NOT NULL`) > 5);
    assert.ok(count(org, `SELECT COUNT(*) AS n FROM "Contact" WHERE "AccountId" IS NULL`) > 0);
    assert.ok(count(org, `SELECT COUNT(*) AS n FROM "Contact" WHERE "ReportsToId" IS NOT NULL`) > 0);
    const whatPrefixes = org.store.db.prepare(`SELECT DISTINCT substr("WhatId", 1, 3) AS p FROM "Task" WHERE "WhatId" IS NOT NULL`).all() as { p: string }[];
    assert.deepEqual(whatPrefixes.map((r) => r.p).sort(), ['001', '006', '500', 'a00']);
    const whoPrefixes = org.store.db.prepare(`SELECT DISTINCT substr("WhoId", 1, 3) AS p FROM "Task" WHERE "WhoId" IS NOT NULL`).all() as { p: string }[];
    assert.deepEqual(whoPrefixes.map((r) => r.p).sort(), ['003', '00Q']);
    // Case contact and account agree, as the Case page would set them.
    const mismatched = count(
      org,
      `SELECT COUNT(*) AS n FROM "Case" c JOIN "Contact" k ON k."Id" = c."ContactId" WHERE c."IsDeleted" = 0 AND k."AccountId" IS NOT NULL AND c."AccountId" IS NOT k."AccountId"`,
    );
    assert.equal(mismatched, 0);
  });
});

describe('values', () => {
  it('fills every field of every data object somewhere, and never leaves a required field empty', () => {
    for (const name of dataObjects()) {
      const obj = org.store.object(name) as ObjectDef;
      for (const f of obj.fields) {
        if (!f.stored) continue;
        const filled = count(org, `SELECT COUNT(${q(f.name)}) AS n FROM ${q(name)}`);
        assert.ok(filled > 0, `${name}.${f.name} has values`);
        if (!f.nillable) assert.equal(filled, count(org, `SELECT COUNT(*) AS n FROM ${q(name)}`), `${name}.${f.name} is never null`);
      }
    }
  });

  it('uses every picklist value, stays inside restricted picklists, and joins multi-select values with ;', () => {
    for (const name of dataObjects()) {
      const obj = org.store.object(name) as ObjectDef;
      for (const f of obj.fields) {
        if (f.type !== 'picklist' && f.type !== 'multipicklist') continue;
        const allowed = f.picklistValues.map((p) => p.value);
        const seen = new Set<string>();
        for (const r of org.store.db.prepare(`SELECT DISTINCT ${q(f.name)} AS v FROM ${q(name)} WHERE ${q(f.name)} IS NOT NULL`).all() as { v: string }[]) {
          for (const part of f.type === 'multipicklist' ? r.v.split(';') : [r.v]) seen.add(part);
        }
        assert.deepEqual(
          allowed.filter((v) => !seen.has(v)),
          [],
          `${name}.${f.name} uses every value`,
        );
        assert.deepEqual(
          [...seen].filter((v) => !allowed.includes(v)),
          [],
          `${name}.${f.name} values are defined`,
        );
      }
    }
    assert.ok(count(org, `SELECT COUNT(*) AS n FROM "Project__c" WHERE "Tags__c" LIKE '%;%'`) > 0);
  });

  it('contains every value class that breaks careless CSV and JSON handling', () => {
    const text = allText(org);
    const has = (what: string, test: (s: string) => boolean) => assert.ok(text.some(test), what);
    has('comma', (s) => s.includes(','));
    has('double quote', (s) => s.includes('"'));
    has('LF newline', (s) => /(^|[^\r])\n/.test(s));
    has('CRLF newline', (s) => s.includes('\r\n'));
    has('leading space', (s) => s.startsWith(' '));
    has('trailing space', (s) => / $/.test(s));
    has('Japanese', (s) => /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u.test(s));
    has('Greek', (s) => /\p{Script=Greek}/u.test(s));
    has('emoji', (s) => /\p{Extended_Pictographic}/u.test(s));
    has('accented Latin', (s) => /[àáâãäåçèéêëìíîïñòóôõöùúûüýÿ]/i.test(s));
    has('tab', (s) => s.includes('\t'));
    has('the string "null"', (s) => s === 'null');
    has('long text of several KB', (s) => s.length >= 4096);
    has('text area with CRLF in an address', () => count(org, `SELECT COUNT(*) AS n FROM "Account" WHERE "BillingStreet" LIKE '%' || char(13, 10) || '%'`) > 0);
  });

  it('exercises every number, date and boolean shape', () => {
    const has = (what: string, sql: string) => assert.ok(count(org, `SELECT COUNT(*) AS n FROM ${sql}`) > 0, what);
    has('currency with cents', `"Opportunity" WHERE "Amount" != CAST("Amount" AS INTEGER)`);
    has('null currency', `"Opportunity" WHERE "Amount" IS NULL`);
    has('negative number', `"Project__c" WHERE "Hours_Variance__c" < 0`);
    has('percent with decimals', `"Project__c" WHERE "Completion__c" != CAST("Completion__c" AS INTEGER)`);
    has('integer', `"Account" WHERE "NumberOfEmployees" > 0`);
    has('datetime with milliseconds', `"Project__c" WHERE "Kickoff__c" NOT LIKE '%.000Z'`);
    has('datetime before 1970', `"Project__c" WHERE "Kickoff__c" < '1970'`);
    has('leap day', `"Contact" WHERE "Birthdate" = '2000-02-29'`);
    has('boolean true', `"Account" WHERE "Active__c" = 1`);
    has('boolean false', `"Account" WHERE "Active__c" = 0`);
    for (const r of rows(org, 'Contact', 'WHERE "Birthdate" IS NOT NULL')) assert.match(String(r.Birthdate), /^\d{4}-\d\d-\d\d$/);
    for (const r of rows(org, 'Project__c', 'WHERE "Daily_Standup__c" IS NOT NULL')) assert.match(String(r.Daily_Standup__c), /^\d\d:\d\d:\d\d\.\d{3}Z$/);
    for (const r of rows(org, 'Contact', 'WHERE "Email" IS NOT NULL')) assert.match(String(r.Email), /^[^@\s]+@[^@\s]+\.[^@\s]+$/);
    // Formula and derived fields agree with what they derive from.
    assert.equal(count(org, `SELECT COUNT(*) AS n FROM "Opportunity" WHERE "IsClosed" != ("StageName" IN ('Closed Won', 'Closed Lost'))`), 0);
    assert.equal(count(org, `SELECT COUNT(*) AS n FROM "Contact" WHERE "Name" != coalesce("FirstName" || ' ', '') || "LastName"`), 0);
  });

  it('stores small binary files whose size and checksum match', () => {
    const versions = rows(org, 'ContentVersion');
    assert.ok(versions.length > 0);
    for (const v of versions) {
      const data = v.VersionData as Uint8Array;
      assert.ok(data instanceof Uint8Array && data.length > 0 && data.length < 4096);
      assert.equal(v.ContentSize, data.length);
      assert.equal(v.Checksum, createHash('md5').update(data).digest('hex'));
      const doc = rows(org, 'ContentDocument', `WHERE "Id" = '${v.ContentDocumentId}'`)[0];
      assert.equal(doc?.LatestPublishedVersionId, v.Id);
    }
    assert.ok(rows(org, 'Attachment').every((a) => (a.Body as Uint8Array).length === a.BodyLength));
  });

  it('hands the values to a REST client unchanged', async () => {
    const stored = rows(org, 'Account', `WHERE "IsDeleted" = 0 AND ("Description" LIKE '%' || char(13, 10) || '%' OR "Name" LIKE '%"%') LIMIT 5`);
    assert.ok(stored.length > 0);
    const ids = stored.map((r) => `'${r.Id}'`).join(', ');
    const res = await conn.query<{ Id: string; Name: string; Description: string | null }>(`SELECT Id, Name, Description FROM Account WHERE Id IN (${ids})`);
    const byId = new Map(res.records.map((r) => [r.Id, r]));
    for (const r of stored) {
      assert.equal(byId.get(String(r.Id))?.Name, r.Name);
      assert.equal(byId.get(String(r.Id))?.Description, r.Description);
    }
  });
});
