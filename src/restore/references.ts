// Into another org (a sandbox seeded from production, an org refreshed since the backup), the
// records a restore writes point at records it does not write: owners, record types, queues, an
// Account a Contact hangs off. Their Ids are the snapshot org's and mean nothing in the target, so
// each is looked up there by what identifies it across orgs:
// - users by username: the same, or with the sandbox suffix added (`a@acme.com` → `a@acme.com.uat`)
//   or removed; an inactive or unmatched user becomes the fallback user (by default the one
//   restoring), so every record keeps an owner;
// - setup records by their developer name (record types per object, queues and groups);
// - other records by an external id field the snapshot's describe marks;
// - what has none of these, or no match, is left empty, and the plan and the results say so.
// This runs when the plan is made, so the dry run shows how every reference will be resolved;
// the outcome is references.csv beside the plan, which applying reads into its ledger.
//
// Memory: the references wanted and the target's keys are kept in SQLite in the work folder; only
// users (a few thousand at most in any org) are held in memory.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { OrgSession } from '../salesforce/auth/connection.ts';
import type { SalesforceApi } from '../salesforce/export/api-client.ts';
import { readLiveRecords } from '../salesforce/export/live-records.ts';
import type { ObjectSchema } from '../snapshot/contracts.ts';
import { planRecords, planWithRows } from './apply-input.ts';
import type { ReferenceMapping } from './contracts.ts';
import { CsvOut } from './plan-csv.ts';
import { RestorePlanError } from './plan-errors.ts';
import { csvFileRecords, snapshotRows } from './rows.ts';

export const REFERENCES_FILE = 'references.csv';

/** How a reference was resolved (the `how` column). */
export type ReferenceHow = 'username' | 'developer_name' | 'external_id' | 'fallback_user' | 'unmatched' | 'unknown_object';

/** Setup objects and the fields that name a record of them in every org. */
const NATURAL_KEYS: Readonly<Record<string, readonly string[]>> = {
  RecordType: ['SobjectType', 'DeveloperName'],
  Group: ['Type', 'DeveloperName'],
  UserRole: ['DeveloperName'],
  Profile: ['Name'],
  BusinessHours: ['Name'],
  Pricebook2: ['Name'],
};

export interface RestoredObject {
  name: string;
  schema: ObjectSchema;
  /** The fields written: only their lookups need resolving. */
  fields: readonly string[];
  /** The plan's records CSV of the object, relative to the plan folder. */
  records: string;
}

export interface ReferenceInput {
  api: SalesforceApi;
  session: OrgSession;
  snapDir: string;
  alias: string;
  /** Every object of the snapshot by name (for the key prefix of an Id and the rows of its records). */
  snapshotSchemas: ReadonlyMap<string, ObjectSchema>;
  restored: readonly RestoredObject[];
  /** Per object, the external id field chosen for the restore (upsert), preferred for matching. */
  keys: ReadonlyMap<string, string>;
  mapping: ReferenceMapping;
  planDir: string;
  workDir: string;
  log: { info(message: string): void; warning(message: string): void };
}

export interface ReferenceSummary {
  /** Per referenced object: how many records each way was resolved. */
  byObject: Record<string, Partial<Record<ReferenceHow, number>>>;
  /** The user unmatched and inactive users became. */
  fallbackUser: { id: string; username: string };
}

/** Resolves every reference of the restored records into `<planDir>/references.csv`. */
export async function mapReferences(input: ReferenceInput): Promise<ReferenceSummary> {
  const dbPath = join(input.workDir, 'references.sqlite');
  rmSync(dbPath, { force: true });
  const db = new DatabaseSync(dbPath);
  db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
  db.exec(`CREATE TABLE planned (id15 TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE wanted (id15 TEXT PRIMARY KEY, id TEXT NOT NULL, object TEXT, skey TEXT, newId TEXT, how TEXT) WITHOUT ROWID;
    CREATE TABLE target (object TEXT NOT NULL, tkey TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (object, tkey)) WITHOUT ROWID;`);
  try {
    const byPrefix = new Map<string, string>();
    for (const s of input.snapshotSchemas.values()) if (s.keyPrefix) byPrefix.set(s.keyPrefix, s.name);
    await collect(input, db, byPrefix);

    const objects = (db.prepare('SELECT DISTINCT object FROM wanted WHERE object IS NOT NULL ORDER BY object').all() as { object: string }[]).map(
      (r) => r.object,
    );
    const users = await loadUsers(input);
    const fallback = resolveFallback(input, users);
    for (const object of objects) await resolveObject(input, db, object, users, fallback);

    const out = new CsvOut(join(input.planDir, REFERENCES_FILE), ['object', 'oldId', 'newId', 'how']);
    const byObject: ReferenceSummary['byObject'] = {};
    for (const r of db.prepare('SELECT id, object, newId, how FROM wanted ORDER BY object, id').iterate() as Iterable<{
      id: string;
      object: string | null;
      newId: string | null;
      how: ReferenceHow | null;
    }>) {
      const object = r.object ?? '(unknown)';
      const how: ReferenceHow = r.how ?? (r.object ? 'unmatched' : 'unknown_object');
      const counts = byObject[object] ?? {};
      counts[how] = (counts[how] ?? 0) + 1;
      byObject[object] = counts;
      await out.row([object, r.id, r.newId ?? '', how]);
    }
    await out.close();
    for (const [object, counts] of Object.entries(byObject)) {
      const missing = (counts.unmatched ?? 0) + (counts.unknown_object ?? 0);
      if (missing > 0)
        input.log.warning(
          `${missing} ${object} record(s) the restored records point at have no match in the target org: those lookups are left empty (${REFERENCES_FILE} lists them).`,
        );
    }
    return { byObject, fallbackUser: { id: fallback.id, username: fallback.username } };
  } finally {
    db.close();
    rmSync(dbPath, { force: true });
  }
}

/** The Ids the restored records point at and the restore does not write itself. */
async function collect(input: ReferenceInput, db: DatabaseSync, byPrefix: ReadonlyMap<string, string>): Promise<void> {
  const plan = db.prepare('INSERT OR IGNORE INTO planned (id15) VALUES (?)');
  const want = db.prepare('INSERT OR IGNORE INTO wanted (id15, id, object) VALUES (?, ?, ?)');
  const isPlanned = db.prepare('SELECT 1 AS x FROM planned WHERE id15 = ?');
  for (const o of input.restored) {
    db.exec('BEGIN');
    for await (const rec of planRecords(input.planDir, o.records)) if (rec.action === 'create' || rec.action === 'upsert') plan.run(rec.id.slice(0, 15));
    db.exec('COMMIT');
  }
  for (const o of input.restored) {
    const lookups = o.schema.fields.filter((f) => f.referenceTo.length > 0 && o.fields.includes(f.name)).map((f) => f.name);
    if (lookups.length === 0) continue;
    db.exec('BEGIN');
    let n = 0;
    for await (const rec of planWithRows(input.planDir, o.records, input.snapDir, o.name, input.alias)) {
      if (rec.action !== 'create' && rec.action !== 'update' && rec.action !== 'upsert') continue;
      for (const f of lookups) {
        const v = rec.row[f] ?? '';
        if (v === '' || isPlanned.get(v.slice(0, 15))) continue;
        want.run(v.slice(0, 15), v, byPrefix.get(v.slice(0, 3)) ?? null);
      }
      if (++n % 10_000 === 0) {
        db.exec('COMMIT');
        db.exec('BEGIN');
      }
    }
    db.exec('COMMIT');
  }
}

interface TargetUser {
  id: string;
  username: string;
  active: boolean;
}

async function loadUsers(input: ReferenceInput): Promise<Map<string, TargetUser>> {
  const users = new Map<string, TargetUser>();
  await readLiveRecords(input.api, { object: 'User', fields: ['Id', 'Username', 'IsActive'], types: new Map([['IsActive', 'boolean']]) }, async (rows) => {
    for (const r of rows) users.set((r.cells[1] ?? '').toLowerCase(), { id: r.id, username: r.cells[1] ?? '', active: r.cells[2] === 'true' });
  });
  return users;
}

function resolveFallback(input: ReferenceInput, users: ReadonlyMap<string, TargetUser>): TargetUser {
  const wanted = input.mapping.fallbackUser;
  if (wanted === undefined) {
    const me = [...users.values()].find((u) => u.id.slice(0, 15) === input.session.userId.slice(0, 15));
    return me ?? { id: input.session.userId, username: '(the user restoring)', active: true };
  }
  const u = users.get(wanted.toLowerCase());
  if (!u?.active) {
    throw new RestorePlanError({
      reason: 'bad_selection',
      message: `The fallback user ${wanted} is ${u ? 'inactive' : 'not a user'} in the target org.`,
      remedy: 'Name the username of an active user of the target org (or leave it out: records then fall back to the user restoring).',
    });
  }
  return u;
}

/** Candidate target usernames for a snapshot username, best first. */
function usernameCandidates(username: string, suffix: string | undefined): string[] {
  const u = username.toLowerCase();
  const out: string[] = [];
  if (suffix) out.push(`${u}${suffix.startsWith('.') ? suffix : `.${suffix}`}`.toLowerCase());
  out.push(u);
  // A sandbox's username is production's plus `.<sandbox name>`: from a sandbox, drop it.
  const at = u.indexOf('@');
  const last = u.lastIndexOf('.');
  if (at > 0 && last > u.indexOf('.', at)) out.push(u.slice(0, last));
  return out;
}

async function resolveObject(
  input: ReferenceInput,
  db: DatabaseSync,
  object: string,
  users: ReadonlyMap<string, TargetUser>,
  fallback: TargetUser,
): Promise<void> {
  const schema = input.snapshotSchemas.get(object) as ObjectSchema;
  const setResult = db.prepare('UPDATE wanted SET newId = ?, how = ? WHERE id15 = ?');
  const setKey = db.prepare('UPDATE wanted SET skey = ? WHERE id15 = ?');
  const isWanted = db.prepare('SELECT 1 AS x FROM wanted WHERE id15 = ?');

  if (object === 'User') {
    // Users by username; a target with the production's usernames plus a suffix matches too.
    const bySandboxBase = new Map<string, TargetUser>();
    for (const u of users.values()) {
      const last = u.username.lastIndexOf('.');
      const at = u.username.indexOf('@');
      if (at > 0 && last > u.username.indexOf('.', at)) bySandboxBase.set(u.username.slice(0, last).toLowerCase(), u);
    }
    db.exec('BEGIN');
    for await (const row of snapshotRows(input.snapDir, 'User', input.alias)) {
      const id = row.Id ?? '';
      if (!isWanted.get(id.slice(0, 15))) continue;
      const username = row.Username ?? '';
      const match =
        usernameCandidates(username, input.mapping.usernameSuffix)
          .map((c) => users.get(c))
          .find((u) => u !== undefined) ?? bySandboxBase.get(username.toLowerCase());
      if (match?.active) setResult.run(match.id, 'username', id.slice(0, 15));
      else setResult.run(fallback.id, 'fallback_user', id.slice(0, 15));
    }
    // Users the snapshot does not hold (it may leave User out) still get an owner.
    db.prepare("UPDATE wanted SET newId = ?, how = 'fallback_user' WHERE object = 'User' AND newId IS NULL").run(fallback.id);
    db.exec('COMMIT');
    return;
  }

  const natural = NATURAL_KEYS[object];
  const extId = input.keys.get(object) ?? schema.fields.find((f) => f.externalId && f.unique)?.name ?? schema.fields.find((f) => f.externalId)?.name;
  const keyFields = natural ?? (extId ? [extId] : undefined);
  if (!keyFields?.every((k) => schema.fields.some((f) => f.name === k))) return;
  const how: ReferenceHow = natural ? 'developer_name' : 'external_id';
  const keyOf = (cells: readonly string[]) => (cells.some((c) => c === '') ? undefined : JSON.stringify(cells));

  // The snapshot's key of every wanted record, then the target's records by key.
  db.exec('BEGIN');
  for await (const row of snapshotRows(input.snapDir, object, input.alias)) {
    const id = row.Id ?? '';
    if (!isWanted.get(id.slice(0, 15))) continue;
    const key = keyOf(keyFields.map((k) => row[k] ?? ''));
    if (key !== undefined) setKey.run(key, id.slice(0, 15));
  }
  db.exec('COMMIT');
  const insertTarget = db.prepare('INSERT OR IGNORE INTO target (object, tkey, id) VALUES (?, ?, ?)');
  try {
    await readLiveRecords(
      input.api,
      { object, fields: ['Id', ...keyFields, 'IsDeleted'], types: new Map(schema.fields.map((f) => [f.name, f.type])) },
      async (rows) => {
        db.exec('BEGIN');
        for (const r of rows) {
          if (r.deleted) continue;
          const key = keyOf(r.cells.slice(1, 1 + keyFields.length));
          if (key !== undefined) insertTarget.run(object, key, r.id);
        }
        db.exec('COMMIT');
      },
    );
  } catch (err) {
    input.log.warning(`${object} could not be read from the target org to match references (${(err as Error).message}): they are left empty.`);
    return;
  }
  db.prepare(`UPDATE wanted SET newId = (SELECT t.id FROM target t WHERE t.object = ?1 AND t.tkey = wanted.skey), how = ?2
    WHERE object = ?1 AND skey IS NOT NULL AND EXISTS (SELECT 1 FROM target t WHERE t.object = ?1 AND t.tkey = wanted.skey)`).run(object, how);
}

/**
 * The plan's references.csv, read into the restore's ledger database when applying: a lookup to a
 * record the restore does not write gets the target's Id from here. Kept on disk with the rest of
 * the ledger, so memory stays flat however many records are referenced.
 */
export class TargetReferences {
  private readonly get: ReturnType<DatabaseSync['prepare']>;

  private constructor(db: DatabaseSync) {
    this.get = db.prepare('SELECT newId, how FROM xref WHERE id15 = ?');
  }

  static async load(db: DatabaseSync, file: string): Promise<TargetReferences> {
    db.exec('DROP TABLE IF EXISTS xref; CREATE TABLE xref (id15 TEXT PRIMARY KEY, newId TEXT NOT NULL, how TEXT NOT NULL) WITHOUT ROWID');
    const insert = db.prepare('INSERT OR REPLACE INTO xref (id15, newId, how) VALUES (?, ?, ?)');
    db.exec('BEGIN');
    let header = true;
    for await (const rec of csvFileRecords(file)) {
      if (header) {
        header = false;
        continue;
      }
      insert.run((rec[1] ?? '').slice(0, 15), rec[2] ?? '', rec[3] ?? '');
    }
    db.exec('COMMIT');
    return new TargetReferences(db);
  }

  /** The target's Id for a snapshot Id ('' when nothing matched), or undefined when the plan never looked it up. */
  resolve(id: string): { newId: string; how: string } | undefined {
    return this.get.get(id.slice(0, 15)) as { newId: string; how: string } | undefined;
  }
}
