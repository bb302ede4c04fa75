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

/**
 * A fixed-size Bloom filter over the stored Ids (1 MB, 3 probes): a snapshot row whose Id the org
 * never had, the common case when restoring deleted records, is answered without a query. About 3 %
 * false positives at a million rows (they only cost the query); the size does not grow with N.
 */
const BLOOM_BITS = 1 << 23;

function probes(id15: string): [number, number, number] {
  // Two FNV-1a style hashes of the 15 characters, combined (Kirsch–Mitzenmacher).
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < id15.length; i++) {
    const c = id15.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  const mask = BLOOM_BITS - 1;
  return [(a >>> 0) & mask, ((a + b) >>> 0) & mask, ((a + 2 * b) >>> 0) & mask];
}

export class LiveStore {
  private readonly db: DatabaseSync;
  private readonly bloom = new Uint8Array(BLOOM_BITS / 8);
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
        const id15 = r.id.slice(0, 15);
        for (const bit of probes(id15)) this.bloom[bit >>> 3] = (this.bloom[bit >>> 3] as number) | (1 << (bit & 7));
        this.insert.run(id15, r.deleted ? 1 : 0, key, JSON.stringify(r.cells));
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
    const id15 = id.slice(0, 15);
    for (const bit of probes(id15)) if (((this.bloom[bit >>> 3] as number) & (1 << (bit & 7))) === 0) return undefined;
    const row = this.byId.get(id15) as { deleted: number; cells: string } | undefined;
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
