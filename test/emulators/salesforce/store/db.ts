import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Clock } from '../clock.ts';
import { isoDateTime } from '../clock.ts';
import { makeId } from '../ids.ts';
import { getObject, type ObjectDef, type Schema } from '../schema/types.ts';
import { columnType, type SqlValue } from './values.ts';

export type Row = Record<string, SqlValue>;

export interface WriteContext {
  userId: string;
  /** Audit fields given by the caller are kept (restore with "Set Audit Fields upon Record Creation"). */
  keepAuditFields?: boolean;
}

/**
 * The lookups Salesforce sets back when the record they pointed at is undeleted: parent account,
 * parent case, Reports To, and every custom lookup (Salesforce Help, "Restore Deleted Records").
 * Other standard lookups stay empty.
 */
const RESTORED_STANDARD_LOOKUPS = new Set(['Account.ParentId', 'Case.ParentId', 'Contact.ReportsToId']);

export function restoredOnUndelete(object: string, field: string): boolean {
  return field.endsWith('__c') || RESTORED_STANDARD_LOOKUPS.has(`${object}.${field}`);
}

export function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * One org's records in SQLite. Every queryable, non-virtual object has a table whose columns are
 * its stored fields; values are kept as `store/values.ts` describes (datetimes as ISO-8601 UTC
 * strings with milliseconds, so string order is time order). The store maintains Id, the audit
 * fields and SystemModstamp, the Recycle Bin and the deletion log that getDeleted reads.
 */
export class OrgStore {
  readonly db: DatabaseSync;
  readonly schema: Schema;
  private readonly clock: Clock;
  private readonly pod: string;
  private readonly counters = new Map<string, number>();
  private readonly stmtCache = new Map<string, StatementSync>();
  private lastStamp = 0;

  constructor(opts: { path: string; schema: Schema; clock: Clock; pod: string }) {
    this.db = new DatabaseSync(opts.path);
    this.schema = opts.schema;
    this.clock = opts.clock;
    this.pod = opts.pod;
    // MEMORY, not OFF: with no journal, ROLLBACK (and ROLLBACK TO a savepoint) is undefined, and
    // allOrNone / composite tree / transaction() depend on it.
    this.db.exec('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE; PRAGMA cache_size = -65536;');
    for (const obj of this.tables()) {
      const cols = obj.fields.filter((f) => f.stored).map((f) => `${q(f.name)} ${columnType(f)}${f.name === 'Id' ? ' PRIMARY KEY' : ''}`);
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${q(obj.name)} (${cols.join(', ')})`);
    }
    // `cascadeOf`: the record whose delete took this one along (undelete brings the group back).
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS _deleted (object TEXT NOT NULL, Id TEXT PRIMARY KEY, deletedDate TEXT NOT NULL, purged INTEGER NOT NULL DEFAULT 0, cascadeOf TEXT)',
    );
    const cols = this.db.prepare('PRAGMA table_info(_deleted)').all() as { name: string }[];
    if (!cols.some((c) => c.name === 'cascadeOf')) this.db.exec('ALTER TABLE _deleted ADD COLUMN cascadeOf TEXT');
    this.db.exec('CREATE INDEX IF NOT EXISTS _deleted_cascade ON _deleted (cascadeOf)');
    // Lookups a delete cleared and an undelete of `deletedId` sets back.
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS _cleared (deletedId TEXT NOT NULL, object TEXT NOT NULL, Id TEXT NOT NULL, field TEXT NOT NULL, PRIMARY KEY (deletedId, Id, field))',
    );
  }

  /** Objects that have a table. */
  tables(): ObjectDef[] {
    return this.schema.objects.filter((o) => !o.virtual && o.keyPrefix);
  }

  /** Creates the secondary indexes; called after bulk generation (indexes slow bulk inserts down). */
  createIndexes(): void {
    for (const obj of this.tables()) {
      this.db.exec(`CREATE INDEX IF NOT EXISTS ${q(`${obj.name}_sms`)} ON ${q(obj.name)} ("SystemModstamp")`);
      for (const f of obj.fields) {
        if (f.type === 'reference' && f.name !== 'CreatedById' && f.name !== 'LastModifiedById') {
          this.db.exec(`CREATE INDEX IF NOT EXISTS ${q(`${obj.name}_${f.name}`)} ON ${q(obj.name)} (${q(f.name)})`);
        }
      }
    }
  }

  object(name: string): ObjectDef | undefined {
    return getObject(this.schema, name);
  }

  prepare(sql: string): StatementSync {
    let s = this.stmtCache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmtCache.set(sql, s);
    }
    return s;
  }

  transaction<T>(fn: () => T): T {
    this.db.exec('BEGIN');
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  newId(obj: ObjectDef): string {
    const prefix = obj.keyPrefix as string;
    let n = this.counters.get(prefix);
    if (n === undefined) {
      const row = this.db.prepare(`SELECT COUNT(*) AS n FROM ${q(obj.name)}`).get() as { n: number };
      const dead = this.db.prepare('SELECT COUNT(*) AS n FROM _deleted WHERE object = ? AND purged = 1').get(obj.name) as { n: number };
      n = Number(row.n) + Number(dead.n);
    }
    n += 1;
    this.counters.set(prefix, n);
    return makeId(prefix, this.pod, n);
  }

  /**
   * A strictly increasing timestamp: two writes in the same millisecond still get distinct,
   * ordered SystemModstamps, which the "no gap, no overlap" incremental tests depend on.
   */
  stamp(): string {
    let t = this.clock.now();
    if (t <= this.lastStamp) t = this.lastStamp + 1;
    this.lastStamp = t;
    return isoDateTime(t);
  }

  /** Inserts a row whose values are already in storage form; fills Id and audit fields. */
  insert(obj: ObjectDef, values: Row, ctx: WriteContext): string {
    const id = typeof values.Id === 'string' ? values.Id : this.newId(obj);
    const now = this.stamp();
    const row: Row = { ...values, Id: id, IsDeleted: 0 };
    if (!ctx.keepAuditFields || row.CreatedDate == null) row.CreatedDate = now;
    if (!ctx.keepAuditFields || row.CreatedById == null) row.CreatedById = ctx.userId;
    if (!ctx.keepAuditFields || row.LastModifiedDate == null) row.LastModifiedDate = row.CreatedDate;
    if (!ctx.keepAuditFields || row.LastModifiedById == null) row.LastModifiedById = row.CreatedById;
    row.SystemModstamp = now;
    if (obj.fieldMap.has('ownerid') && row.OwnerId == null) row.OwnerId = ctx.userId;
    this.insertRaw(obj, row);
    return id;
  }

  /** Inserts a complete storage row as is (generator and tests). */
  insertRaw(obj: ObjectDef, row: Row): void {
    const cols = Object.keys(row);
    const sql = `INSERT INTO ${q(obj.name)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
    this.prepare(sql).run(...cols.map((c) => row[c] as SqlValue));
  }

  /** Updates the given columns and bumps LastModified and SystemModstamp. */
  update(obj: ObjectDef, id: string, values: Row, ctx: WriteContext): void {
    const now = this.stamp();
    const row: Row = { ...values, LastModifiedDate: now, LastModifiedById: ctx.userId, SystemModstamp: now };
    const cols = Object.keys(row);
    const sql = `UPDATE ${q(obj.name)} SET ${cols.map((c) => `${q(c)} = ?`).join(', ')} WHERE "Id" = ?`;
    this.prepare(sql).run(...cols.map((c) => row[c] as SqlValue), id);
  }

  get(obj: ObjectDef, id: string, opts: { includeDeleted?: boolean } = {}): Row | undefined {
    const row = this.prepare(`SELECT * FROM ${q(obj.name)} WHERE "Id" = ?`).get(id) as Row | undefined;
    if (!row) return undefined;
    if (!opts.includeDeleted && Number(row.IsDeleted) !== 0) return undefined;
    return row;
  }

  /** Finds the object a record id belongs to by its key prefix. */
  objectOfId(id: string): ObjectDef | undefined {
    return this.schema.byPrefix.get(id.slice(0, 3));
  }

  exists(id: string, opts: { includeDeleted?: boolean } = {}): boolean {
    const obj = this.objectOfId(id);
    if (!obj || obj.virtual) return false;
    return this.get(obj, id, opts) !== undefined;
  }

  /**
   * Soft delete: the row goes to the Recycle Bin with everything the platform deletes along (its
   * cascade: master-detail children, and the lookups Salesforce deletes with their parent, such as
   * an Account's Contacts, Opportunities and activities), each logged with the record whose delete
   * took it along. Lookups from outside the cascade that point into it are cleared; the ones
   * Salesforce puts back on undelete are remembered. Returns every id deleted, the record first.
   */
  softDelete(obj: ObjectDef, id: string, ctx: WriteContext): string[] {
    this.collectCascade(obj, id);
    return this.deleteCascade(id, ctx);
  }

  /**
   * Like softDelete, but refuses (and changes nothing) when a record outside the cascade points at
   * one inside it through a restricted-delete relationship.
   */
  softDeleteChecked(obj: ObjectDef, id: string, ctx: WriteContext): { deleted: string[] } | { blockedBy: { object: ObjectDef; ids: string[] } } {
    this.collectCascade(obj, id);
    const blocked = this.restrictedChildren();
    if (blocked) return { blockedBy: blocked };
    return { deleted: this.deleteCascade(id, ctx) };
  }

  /** Fills the temp table `_cascade` with the record and every live record its delete takes along. */
  private collectCascade(obj: ObjectDef, id: string): void {
    this.db.exec('CREATE TEMP TABLE IF NOT EXISTS _cascade (Id TEXT PRIMARY KEY, object TEXT NOT NULL, level INTEGER NOT NULL)');
    this.prepare('DELETE FROM temp._cascade').run();
    this.prepare('INSERT INTO temp._cascade (Id, object, level) VALUES (?, ?, 0)').run(id, obj.name);
    // Breadth first, one level per round, in SQL: a parent with many children never sits in memory.
    for (let level = 0; ; level++) {
      let added = 0;
      for (const parent of this.cascadeObjects(level)) {
        for (const rel of parent.childRelationships) {
          if (!rel.cascadeDelete) continue;
          const child = this.object(rel.childSObject);
          if (!child || child.virtual || !child.keyPrefix) continue;
          const r = this.prepare(
            `INSERT OR IGNORE INTO temp._cascade (Id, object, level) SELECT "Id", ?, ? FROM ${q(child.name)} WHERE ${q(rel.field)} IN (SELECT Id FROM temp._cascade WHERE level = ? AND object = ?) AND "IsDeleted" = 0`,
          ).run(child.name, level + 1, level, parent.name);
          added += Number(r.changes);
        }
      }
      if (added === 0) break;
    }
  }

  private cascadeObjects(level?: number): ObjectDef[] {
    const rows = (
      level === undefined
        ? this.prepare('SELECT DISTINCT object FROM temp._cascade').all()
        : this.prepare('SELECT DISTINCT object FROM temp._cascade WHERE level = ?').all(level)
    ) as { object: string }[];
    return rows.map((r) => this.object(r.object)).filter((o): o is ObjectDef => o !== undefined);
  }

  /** The first live records outside the cascade that a restricted-delete relationship ties to it. */
  private restrictedChildren(): { object: ObjectDef; ids: string[] } | undefined {
    for (const parent of this.cascadeObjects()) {
      for (const rel of parent.childRelationships) {
        if (!rel.restrictedDelete) continue;
        const child = this.object(rel.childSObject);
        if (!child || child.virtual || !child.keyPrefix) continue;
        const kids = this.prepare(
          `SELECT "Id" FROM ${q(child.name)} WHERE ${q(rel.field)} IN (SELECT Id FROM temp._cascade WHERE object = ?) AND "IsDeleted" = 0 AND "Id" NOT IN (SELECT Id FROM temp._cascade) LIMIT 5`,
        ).all(parent.name) as { Id: string }[];
        if (kids.length) return { object: child, ids: kids.map((k) => k.Id) };
      }
    }
    return undefined;
  }

  private deleteCascade(rootId: string, ctx: WriteContext): string[] {
    const now = this.stamp();
    const objects = this.cascadeObjects();
    for (const o of objects) {
      this.prepare(
        `UPDATE ${q(o.name)} SET "IsDeleted" = 1, "SystemModstamp" = ?, "LastModifiedDate" = ?, "LastModifiedById" = ? WHERE "Id" IN (SELECT Id FROM temp._cascade WHERE object = ?)`,
      ).run(now, now, ctx.userId, o.name);
    }
    this.prepare(
      'INSERT OR REPLACE INTO _deleted (object, Id, deletedDate, purged, cascadeOf) SELECT object, Id, ?, 0, CASE WHEN Id = ? THEN NULL ELSE ? END FROM temp._cascade',
    ).run(now, rootId, rootId);
    for (const parent of objects) {
      for (const rel of parent.childRelationships) {
        if (rel.cascadeDelete) continue;
        const child = this.object(rel.childSObject);
        if (!child || child.virtual || !child.keyPrefix) continue;
        const pointing = `${q(rel.field)} IN (SELECT Id FROM temp._cascade WHERE object = ?) AND "IsDeleted" = 0`;
        if (restoredOnUndelete(child.name, rel.field)) {
          this.prepare(
            `INSERT OR REPLACE INTO _cleared (deletedId, object, Id, field) SELECT ${q(rel.field)}, ?, "Id", ? FROM ${q(child.name)} WHERE ${pointing}`,
          ).run(child.name, rel.field, parent.name);
        }
        this.prepare(`UPDATE ${q(child.name)} SET ${q(rel.field)} = NULL, "SystemModstamp" = ? WHERE ${pointing}`).run(now, parent.name);
      }
    }
    const ids = this.prepare('SELECT Id FROM temp._cascade ORDER BY level').all() as { Id: string }[];
    return ids.map((r) => r.Id);
  }

  /** The record a cascade child was deleted along with, or undefined for a record deleted itself. */
  deletedWith(id: string): string | undefined {
    const row = this.prepare('SELECT cascadeOf FROM _deleted WHERE Id = ? AND purged = 0').get(id) as { cascadeOf: string | null } | undefined;
    return row?.cascadeOf ?? undefined;
  }

  /**
   * Restores a record deleted by itself from the Recycle Bin, with its original Id, together with
   * every record deleted along with it, and sets back the lookups its delete cleared unless they
   * were pointed elsewhere since. Returns the ids restored.
   */
  undelete(obj: ObjectDef, id: string, ctx: WriteContext): string[] {
    const now = this.stamp();
    const group = `SELECT Id FROM _deleted WHERE purged = 0 AND (Id = ? OR cascadeOf = ?)`;
    const members = this.prepare(`SELECT object, Id FROM _deleted WHERE purged = 0 AND (Id = ? OR cascadeOf = ?)`).all(id, id) as {
      object: string;
      Id: string;
    }[];
    if (!members.some((m) => m.Id === id)) members.unshift({ object: obj.name, Id: id });
    for (const name of new Set(members.map((m) => m.object))) {
      const o = this.object(name);
      if (!o) continue;
      this.prepare(
        `UPDATE ${q(o.name)} SET "IsDeleted" = 0, "SystemModstamp" = ?, "LastModifiedDate" = ?, "LastModifiedById" = ? WHERE "Id" IN (${group}) OR "Id" = ?`,
      ).run(now, now, ctx.userId, id, id, id);
    }
    const cleared = this.prepare(`SELECT deletedId, object, Id, field FROM _cleared WHERE deletedId IN (${group})`).all(id, id) as {
      deletedId: string;
      object: string;
      Id: string;
      field: string;
    }[];
    for (const c of cleared) {
      const o = this.object(c.object);
      if (!o) continue;
      this.prepare(`UPDATE ${q(o.name)} SET ${q(c.field)} = ?, "SystemModstamp" = ? WHERE "Id" = ? AND ${q(c.field)} IS NULL`).run(c.deletedId, now, c.Id);
    }
    this.prepare(`DELETE FROM _cleared WHERE deletedId IN (${group})`).run(id, id);
    this.prepare('DELETE FROM _deleted WHERE purged = 0 AND (Id = ? OR cascadeOf = ?)').run(id, id);
    return members.map((m) => m.Id);
  }

  /**
   * Hard delete / purge: the row is gone even from queryAll; getDeleted still reports it. A record
   * in the Recycle Bin goes with everything deleted along with it.
   */
  purge(obj: ObjectDef, id: string): string[] {
    const row = this.get(obj, id, { includeDeleted: true });
    if (!row) return [];
    if (!Number(row.IsDeleted)) {
      const deletedDate = this.stamp();
      this.prepare(`DELETE FROM ${q(obj.name)} WHERE "Id" = ?`).run(id);
      this.prepare('INSERT OR REPLACE INTO _deleted (object, Id, deletedDate, purged, cascadeOf) VALUES (?, ?, ?, 1, NULL)').run(obj.name, id, deletedDate);
      return [id];
    }
    const members = this.prepare('SELECT object, Id FROM _deleted WHERE purged = 0 AND (Id = ? OR cascadeOf = ?)').all(id, id) as {
      object: string;
      Id: string;
    }[];
    if (!members.some((m) => m.Id === id)) members.unshift({ object: obj.name, Id: id });
    for (const m of members) {
      const o = this.object(m.object);
      if (o) this.prepare(`DELETE FROM ${q(o.name)} WHERE "Id" = ?`).run(m.Id);
      this.prepare('DELETE FROM _cleared WHERE deletedId = ?').run(m.Id);
    }
    this.prepare('UPDATE _deleted SET purged = 1 WHERE Id = ? OR cascadeOf = ?').run(id, id);
    return members.map((m) => m.Id);
  }

  count(obj: ObjectDef, opts: { includeDeleted?: boolean } = {}): number {
    const where = opts.includeDeleted ? '' : ' WHERE "IsDeleted" = 0';
    const row = this.prepare(`SELECT COUNT(*) AS n FROM ${q(obj.name)}${where}`).get() as { n: number };
    return Number(row.n);
  }

  close(): void {
    this.stmtCache.clear();
    this.db.close();
  }
}
