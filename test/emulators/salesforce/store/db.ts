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
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS _deleted (object TEXT NOT NULL, Id TEXT PRIMARY KEY, deletedDate TEXT NOT NULL, purged INTEGER NOT NULL DEFAULT 0)',
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
   * Soft delete: the row goes to the Recycle Bin (IsDeleted = true, SystemModstamp bumped),
   * master-detail children go with it, lookups pointing at it are cleared. Returns every id deleted.
   */
  softDelete(obj: ObjectDef, id: string, ctx: WriteContext): string[] {
    const deleted: string[] = [];
    const visit = (o: ObjectDef, rid: string) => {
      const now = this.stamp();
      this.prepare(`UPDATE ${q(o.name)} SET "IsDeleted" = 1, "SystemModstamp" = ?, "LastModifiedDate" = ?, "LastModifiedById" = ? WHERE "Id" = ?`).run(
        now,
        now,
        ctx.userId,
        rid,
      );
      this.prepare('INSERT OR REPLACE INTO _deleted (object, Id, deletedDate, purged) VALUES (?, ?, ?, 0)').run(o.name, rid, now);
      deleted.push(rid);
      for (const rel of o.childRelationships) {
        const child = this.object(rel.childSObject);
        if (!child || child.virtual || !child.keyPrefix) continue;
        const kids = this.prepare(`SELECT "Id" FROM ${q(child.name)} WHERE ${q(rel.field)} = ? AND "IsDeleted" = 0`).all(rid) as { Id: string }[];
        if (rel.cascadeDelete) {
          for (const k of kids) visit(child, k.Id);
        } else if (kids.length) {
          const stampNow = this.stamp();
          this.prepare(`UPDATE ${q(child.name)} SET ${q(rel.field)} = NULL, "SystemModstamp" = ? WHERE ${q(rel.field)} = ? AND "IsDeleted" = 0`).run(
            stampNow,
            rid,
          );
        }
      }
    };
    visit(obj, id);
    return deleted;
  }

  /** Restores a soft-deleted row and the children deleted with it (test knob: undelete). */
  undelete(obj: ObjectDef, id: string, ctx: WriteContext): void {
    const now = this.stamp();
    this.prepare(`UPDATE ${q(obj.name)} SET "IsDeleted" = 0, "SystemModstamp" = ?, "LastModifiedDate" = ?, "LastModifiedById" = ? WHERE "Id" = ?`).run(
      now,
      now,
      ctx.userId,
      id,
    );
    this.prepare('DELETE FROM _deleted WHERE Id = ?').run(id);
    for (const rel of obj.childRelationships) {
      if (!rel.cascadeDelete) continue;
      const child = this.object(rel.childSObject);
      if (!child) continue;
      const kids = this.prepare(`SELECT "Id" FROM ${q(child.name)} WHERE ${q(rel.field)} = ? AND "IsDeleted" = 1`).all(id) as { Id: string }[];
      for (const k of kids) this.undelete(child, k.Id, ctx);
    }
  }

  /** Hard delete / purge: the row is gone even from queryAll; getDeleted still reports it. */
  purge(obj: ObjectDef, id: string): void {
    const row = this.get(obj, id, { includeDeleted: true });
    if (!row) return;
    const deletedDate = Number(row.IsDeleted) ? undefined : this.stamp();
    this.prepare(`DELETE FROM ${q(obj.name)} WHERE "Id" = ?`).run(id);
    if (deletedDate) {
      this.prepare('INSERT OR REPLACE INTO _deleted (object, Id, deletedDate, purged) VALUES (?, ?, ?, 1)').run(obj.name, id, deletedDate);
    } else {
      this.prepare('UPDATE _deleted SET purged = 1 WHERE Id = ?').run(id);
    }
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
