// What a restore knows and must not forget, on disk (SQLite in the results folder) so memory stays
// flat in the number of records and a second run over the same folder picks up where the first
// stopped: the Id map (old Id of a re-created record → its new Id), every planned record's outcome,
// lookups left empty until their target exists (the second pass), and the Bulk API jobs sent with
// the rows each carried, so a job whose results were never read is read before anything is sent
// again (that is what keeps a re-run from creating duplicates).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { RecordAction, RecordOutcome } from './contracts.ts';

export const LEDGER_FILE = 'restore.sqlite';

/** What a results folder restores: from which snapshot into which org. */
export interface RestoreIdentity {
  targetOrgId: string;
  snapshotOrgId: string;
  snapshotFinishedAt: string;
}

export function identityOf(plan: { target: { orgId: string }; snapshot: { orgId: string; finishedAt: string } }): RestoreIdentity {
  return { targetOrgId: plan.target.orgId.slice(0, 15), snapshotOrgId: plan.snapshot.orgId.slice(0, 15), snapshotFinishedAt: plan.snapshot.finishedAt };
}

export function sameIdentity(a: RestoreIdentity, b: RestoreIdentity): boolean {
  return a.targetOrgId === b.targetOrgId && a.snapshotOrgId === b.snapshotOrgId && a.snapshotFinishedAt === b.snapshotFinishedAt;
}

export interface OutcomeRow {
  object: string;
  oldId: string;
  seq: number;
  action: RecordAction;
  newId: string | null;
  outcome: RecordOutcome | null;
  error: string | null;
}

export interface JobRow {
  batch: string;
  jobId: string | null;
  object: string;
  operation: string;
  /** `write`: the plan's creates/updates/upserts; `relink`: the second pass over deferred lookups. */
  phase: 'write' | 'relink';
  collected: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idmap (oldId TEXT PRIMARY KEY, object TEXT NOT NULL, newId TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outcome (
  object TEXT NOT NULL, oldId TEXT NOT NULL, seq INTEGER NOT NULL, action TEXT NOT NULL,
  newId TEXT, outcome TEXT, error TEXT, PRIMARY KEY (object, oldId)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS outcome_seq ON outcome (object, seq);
CREATE TABLE IF NOT EXISTS planned (oldId TEXT PRIMARY KEY, object TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deferred (
  object TEXT NOT NULL, oldId TEXT NOT NULL, field TEXT NOT NULL, target TEXT NOT NULL,
  PRIMARY KEY (object, oldId, field)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS jobs (
  batch TEXT PRIMARY KEY, jobId TEXT, object TEXT NOT NULL, operation TEXT NOT NULL, phase TEXT NOT NULL,
  collected INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS jobrows (batch TEXT NOT NULL, hash TEXT NOT NULL, seq INTEGER NOT NULL, oldId TEXT NOT NULL,
  PRIMARY KEY (batch, hash, seq)) WITHOUT ROWID;
`;

export class RestoreLedger {
  readonly db: DatabaseSync;
  private readonly s: Record<string, StatementSync>;

  constructor(resultsDir: string) {
    mkdirSync(resultsDir, { recursive: true });
    this.db = new DatabaseSync(join(resultsDir, LEDGER_FILE));
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    this.db.exec(SCHEMA);
    const p = (sql: string) => this.db.prepare(sql);
    this.s = {
      newId: p('SELECT newId FROM idmap WHERE oldId = ?'),
      setId: p('INSERT OR REPLACE INTO idmap (oldId, object, newId) VALUES (?, ?, ?)'),
      isPlanned: p('SELECT 1 AS x FROM planned WHERE oldId = ?'),
      plan: p('INSERT OR IGNORE INTO planned (oldId, object) VALUES (?, ?)'),
      // A later plan over the same folder (an overwrite after a missing, a wider selection) may
      // write a record an earlier one skipped: that skip is not an outcome of the new plan.
      addOutcome: p(`INSERT INTO outcome (object, oldId, seq, action) VALUES (?, ?, ?, ?) ON CONFLICT (object, oldId) DO UPDATE SET
        seq = excluded.seq, action = excluded.action,
        error = CASE WHEN excluded.action <> 'skip' AND outcome = 'skipped' THEN NULL ELSE error END,
        outcome = CASE WHEN excluded.action <> 'skip' AND outcome = 'skipped' THEN NULL ELSE outcome END`),
      outcome: p('SELECT * FROM outcome WHERE object = ? AND oldId = ?'),
      setOutcome: p('UPDATE outcome SET newId = ?, outcome = ?, error = ? WHERE object = ? AND oldId = ?'),
      // A second run over the same folder notes the same things again: each note is kept once.
      noteOutcome: p(
        "UPDATE outcome SET error = CASE WHEN error IS NULL OR error = '' THEN ?1 ELSE error || '; ' || ?1 END WHERE object = ?2 AND oldId = ?3 AND (error IS NULL OR instr(error, ?1) = 0)",
      ),
      defer: p('INSERT OR REPLACE INTO deferred (object, oldId, field, target) VALUES (?, ?, ?, ?)'),
      // Only the lookups the second pass set: one left empty for want of a target stays, to be reported.
      undefer: p('DELETE FROM deferred WHERE object = ? AND oldId = ? AND target IN (SELECT oldId FROM idmap)'),
      addJob: p('INSERT OR REPLACE INTO jobs (batch, jobId, object, operation, phase, collected) VALUES (?, NULL, ?, ?, ?, 0)'),
      setJobId: p('UPDATE jobs SET jobId = ? WHERE batch = ?'),
      collected: p('UPDATE jobs SET collected = 1 WHERE batch = ?'),
      addRow: p('INSERT INTO jobrows (batch, hash, seq, oldId) VALUES (?, ?, ?, ?)'),
      matchRow: p('SELECT seq, oldId FROM jobrows WHERE batch = ? AND hash = ? ORDER BY seq LIMIT 1'),
      dropRow: p('DELETE FROM jobrows WHERE batch = ? AND hash = ? AND seq = ?'),
      dropRows: p('DELETE FROM jobrows WHERE batch = ?'),
    };
  }

  close(): void {
    this.db.close();
  }

  /**
   * Which restore the folder belongs to (target org, snapshot): set by the first run, returned to
   * the next, so a folder is never continued by a restore of something else.
   */
  claim(identity: RestoreIdentity): RestoreIdentity {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'identity'").get() as { value: string } | undefined;
    if (row) return JSON.parse(row.value) as RestoreIdentity;
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('identity', ?)").run(JSON.stringify(identity));
    return identity;
  }

  /** Opens a transaction unless one is open: thousands of rows per commit, not one each. */
  ensureTx(): void {
    if (!this.db.isTransaction) this.db.exec('BEGIN');
  }

  commit(): void {
    if (this.db.isTransaction) this.db.exec('COMMIT');
  }

  newId(oldId: string): string | undefined {
    return (this.s.newId?.get(oldId) as { newId: string } | undefined)?.newId;
  }

  setNewId(object: string, oldId: string, newId: string): void {
    this.s.setId?.run(oldId, object, newId);
  }

  /** Whether `oldId` is a record this restore creates (or upserts), in any object. */
  isPlanned(oldId: string): boolean {
    return this.s.isPlanned?.get(oldId) !== undefined;
  }

  plan(object: string, oldId: string): void {
    this.s.plan?.run(oldId, object);
  }

  /** Registers a planned record; the outcome of an earlier run is kept. */
  addOutcome(object: string, oldId: string, seq: number, action: RecordAction): void {
    this.s.addOutcome?.run(object, oldId, seq, action);
  }

  outcome(object: string, oldId: string): OutcomeRow | undefined {
    return this.s.outcome?.get(object, oldId) as OutcomeRow | undefined;
  }

  setOutcome(object: string, oldId: string, outcome: RecordOutcome, newId: string | null, error: string | null): void {
    this.s.setOutcome?.run(newId, outcome, error, object, oldId);
  }

  /** Adds a remark to a record's error column (a lookup left empty, a relink that failed). */
  note(object: string, oldId: string, text: string): void {
    this.s.noteOutcome?.run(text, object, oldId);
  }

  defer(object: string, oldId: string, field: string, target: string): void {
    this.s.defer?.run(object, oldId, field, target);
  }

  undefer(object: string, oldId: string): void {
    this.s.undefer?.run(object, oldId);
  }

  addJob(batch: string, object: string, operation: string, phase: JobRow['phase']): void {
    this.s.addJob?.run(batch, object, operation, phase);
  }

  setJobId(batch: string, jobId: string): void {
    this.s.setJobId?.run(jobId, batch);
  }

  markCollected(batch: string): void {
    this.s.collected?.run(batch);
    this.s.dropRows?.run(batch);
  }

  uncollectedJobs(): JobRow[] {
    return this.db.prepare('SELECT * FROM jobs WHERE collected = 0 ORDER BY rowid').all() as unknown as JobRow[];
  }

  addJobRow(batch: string, hash: string, seq: number, oldId: string): void {
    this.s.addRow?.run(batch, hash, seq, oldId);
  }

  /**
   * The planned record a result row belongs to, by the hash of the row as uploaded (Salesforce echoes
   * it). Rows identical in every written cell are matched first-in first-out: such records differ in
   * nothing the restore writes, so either assignment leaves the org the same up to which new Id is which.
   */
  takeJobRow(batch: string, hash: string): string | undefined {
    const row = this.s.matchRow?.get(batch, hash) as { seq: number; oldId: string } | undefined;
    if (!row) return undefined;
    this.s.dropRow?.run(batch, hash, row.seq);
    return row.oldId;
  }

  /** Rows of a batch that no result file mentioned. */
  unmatchedJobRows(batch: string): string[] {
    return (this.db.prepare('SELECT oldId FROM jobrows WHERE batch = ? ORDER BY seq').all(batch) as { oldId: string }[]).map((r) => r.oldId);
  }
}

/**
 * An earlier run's Id map, read while a new plan is made over the same results folder: records it
 * re-created are not planned again, and lookups to them compare by their new Ids.
 */
export class EarlierIdMap {
  private readonly db: DatabaseSync;
  private readonly get: StatementSync;

  private constructor(db: DatabaseSync) {
    this.db = db;
    this.get = db.prepare('SELECT newId FROM idmap WHERE oldId = ?');
  }

  /**
   * undefined when the folder holds no ledger (a first run), or one of another restore (applying
   * refuses that folder; the plan does not read it).
   */
  static open(resultsDir: string, identity: RestoreIdentity): EarlierIdMap | undefined {
    const file = join(resultsDir, LEDGER_FILE);
    if (!existsSync(file)) return undefined;
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'identity'").get() as { value: string } | undefined;
      if (row && !sameIdentity(JSON.parse(row.value) as RestoreIdentity, identity)) {
        db.close();
        return undefined;
      }
    } catch {
      // A ledger from before identities were kept: read it as this restore's.
    }
    return new EarlierIdMap(db);
  }

  newId(oldId: string): string | undefined {
    return (this.get.get(oldId) as { newId: string } | undefined)?.newId;
  }

  close(): void {
    this.db.close();
  }
}
