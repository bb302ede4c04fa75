// The org's current rows of one object while a plan is made, on disk (SQLite in the work folder):
// the live side of the comparison is the whole object, and memory must not grow with it. Keyed by
// the 15-character Id, so a snapshot Id, a live Id and a user's Id match in either spelling.
import { rmSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { LiveRecord } from '../salesforce/export/live-records.ts';

export interface LiveRow {
  deleted: boolean;
  cells: string[];
}

export class LiveStore {
  private readonly db: DatabaseSync;
  private readonly path: string;
  private readonly insert: StatementSync;
  private readonly byId: StatementSync;
  private readonly byKey: StatementSync;
  private readonly keyAt: number;

  /** `keyAt`: the cell holding the upsert key (external id), indexed for `getByKey`; -1 for none. */
  constructor(path: string, keyAt = -1) {
    this.path = path;
    this.keyAt = keyAt;
    rmSync(path, { force: true });
    this.db = new DatabaseSync(path);
    // A scratch copy: losing it to a crash costs only a re-read, so no journal and no fsync.
    this.db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
    this.db.exec('CREATE TABLE live (id15 TEXT PRIMARY KEY, deleted INTEGER NOT NULL, ukey TEXT, cells TEXT NOT NULL) WITHOUT ROWID');
    this.insert = this.db.prepare('INSERT OR REPLACE INTO live (id15, deleted, ukey, cells) VALUES (?, ?, ?, ?)');
    this.byId = this.db.prepare('SELECT deleted, cells FROM live WHERE id15 = ?');
    // Upsert matches records the org has, not Recycle Bin ones: the first live one by Id wins.
    this.byKey = this.db.prepare('SELECT id15, cells FROM live WHERE ukey = ? AND deleted = 0 ORDER BY id15 LIMIT 1');
  }

  add(records: readonly LiveRecord[]): void {
    this.db.exec('BEGIN');
    try {
      for (const r of records) {
        const key = this.keyAt >= 0 ? r.cells[this.keyAt] || null : null;
        this.insert.run(r.id.slice(0, 15), r.deleted ? 1 : 0, key, JSON.stringify(r.cells));
      }
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Builds the upsert key index once every row is in (cheaper than keeping it while inserting). */
  indexKeys(): void {
    if (this.keyAt >= 0) this.db.exec('CREATE INDEX live_ukey ON live (ukey)');
  }

  get(id: string): LiveRow | undefined {
    const row = this.byId.get(id.slice(0, 15)) as { deleted: number; cells: string } | undefined;
    return row ? { deleted: row.deleted === 1, cells: JSON.parse(row.cells) as string[] } : undefined;
  }

  /** The record of the org (not in the Recycle Bin) whose upsert key is `key`. */
  getByKey(key: string): LiveRow | undefined {
    const row = this.byKey.get(key) as { cells: string } | undefined;
    return row ? { deleted: false, cells: JSON.parse(row.cells) as string[] } : undefined;
  }

  close(): void {
    this.db.close();
    rmSync(this.path, { force: true });
  }
}
