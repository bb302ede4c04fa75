// Carrying out a restore plan: records back into the org with their relationships intact.
//
// Per run: (1) jobs an earlier run over the same results folder sent and never read are read first;
// (2) the plan's records are registered in the ledger (src/restore/idmap.ts), keeping the outcomes
// of an earlier run; (3) records still in the Recycle Bin are undeleted (SOAP), objects in the plan's
// order, parents first, so an undeleted parent brings back what was deleted with it; (4) per object
// in order, creates, updates and upserts go out as Bulk API 2.0 jobs, every lookup to a record
// re-created by this restore rewritten to its new Id, and lookups to a record not created yet (an
// object's lookup to itself, a cycle) left empty and noted; (5) a second pass sets those lookups by
// update once every object is written; (6) the outcome of every planned record is written as CSV.
//
// Everything streams: the plan's records CSV and the snapshot's rows are read side by side, job
// files are written to the work folder, and the Id map lives in SQLite. Records that succeeded in an
// earlier run are not sent again; failed ones are.
import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OrgSession } from '../salesforce/auth/connection.ts';
import type { RetryPolicy } from '../salesforce/export/retry.ts';
import { IngestClient, type IngestOperation, MAX_UPLOAD_BYTES } from '../salesforce/ingest/jobs.ts';
import { OrgHttp } from '../salesforce/ingest/transport.ts';
import { undelete } from '../salesforce/ingest/undelete.ts';
import type { ObjectSchema } from '../snapshot/contracts.ts';
import { encodeRow } from '../snapshot/csv.ts';
import { readObjectSchema } from '../snapshot/reader.ts';
import { verifySnapshot } from '../snapshot/verify.ts';
import { RestoreError } from './apply-errors.ts';
import { planRecords, planWithRows, readPlan } from './apply-input.ts';
import { type JobContext, JobWriter, type ResultHandler, type ResultRow, recoverJobs } from './apply-jobs.ts';
import type { AppliedObject, PlanObject, RecordOutcome, RestorePlan, RestoreResult } from './contracts.ts';
import { externalIdFieldOf } from './fields.ts';
import { identityOf, RestoreLedger, sameIdentity } from './idmap.ts';
import { createMasker, type Masker, maskKeyFor } from './mask.ts';
import { TargetReferences } from './references.ts';

export interface ApplyLog {
  info(message: string): void;
  warning(message: string): void;
}

export interface ApplyInput {
  /** The folder a dry run wrote: plan.json and the records CSVs. */
  planDir: string;
  /** The snapshot the plan was made from. */
  snapshotDir: string;
  /** The org's folder in a snapshot holding several (default: the plan's `snapshot.alias`). */
  alias?: string;
  /** Scratch space for the job files (default: `work/` in the results folder); nothing in it is needed by a later run. */
  workDir?: string;
  /** A session on the target org (the plan's target). */
  session: OrgSession;
  /** Results, the Id map and the ledger; reuse the folder to finish or repeat a restore without duplicates. */
  resultsDir: string;
  log: ApplyLog;
  /** The masking key the plan was made with (PlanInput.maskKey); derived from the orgs' Ids when absent. */
  maskKey?: string;
  tuning?: {
    /** Raw bytes of one job's upload (default: what one Bulk API upload takes). */
    maxJobBytes?: number;
    pollIntervalMs?: number;
    maxPollIntervalMs?: number;
    retry?: RetryPolicy;
  };
}

/** A cell that sets a field to null on update (an empty cell leaves it as it is). */
const NULL_CELL = '#N/A';

export const ID_MAP_FILE = 'idmap.csv';
export const RESULT_FILE = 'result.json';
const WORK_DIR = 'work';

interface ObjectWork {
  plan: PlanObject;
  schema: ObjectSchema;
  lookups: Set<string>;
}

/** What every object's writes share: into another org, the references the plan resolved; the masking. */
interface WriteContext {
  refs: TargetReferences | undefined;
  masker: Masker;
}

export async function applyPlan(input: ApplyInput): Promise<RestoreResult> {
  const startedAt = new Date().toISOString();
  const { log, session } = input;
  const plan = await readPlan(input.planDir);
  if (plan.target.orgId.slice(0, 15) !== session.orgId.slice(0, 15)) {
    throw new RestoreError(
      'wrong_org',
      `The plan was made for org ${plan.target.orgId}, but the session is on org ${session.orgId}.`,
      'Log in to the org the plan names, or make a plan for this org with a dry run.',
    );
  }
  // A snapshot that fails verification throws SnapshotCorruptError (state `corrupt`): nothing is written.
  const alias = input.alias ?? plan.snapshot.alias;
  await verifySnapshot(input.snapshotDir, { alias, checksumsOnly: true });

  const http = new OrgHttp(session.conn);
  const ingest = new IngestClient(http, {
    ...(input.tuning?.pollIntervalMs !== undefined ? { pollIntervalMs: input.tuning.pollIntervalMs } : {}),
    ...(input.tuning?.maxPollIntervalMs !== undefined ? { maxPollIntervalMs: input.tuning.maxPollIntervalMs } : {}),
    ...(input.tuning?.retry ? { retry: input.tuning.retry } : {}),
    onRetry: (err, attempt) => log.warning(`Salesforce call failed (${(err as Error).message}); try ${attempt + 1} follows.`),
  });
  const maxBytes = Math.min(input.tuning?.maxJobBytes ?? MAX_UPLOAD_BYTES, MAX_UPLOAD_BYTES);
  const ledger = new RestoreLedger(input.resultsDir);
  const held = ledger.claim(identityOf(plan));
  if (!sameIdentity(held, identityOf(plan))) {
    ledger.close();
    throw new RestoreError(
      'other_restore',
      `${input.resultsDir} holds the results of restoring the snapshot of ${held.snapshotFinishedAt} (org ${held.snapshotOrgId}) into org ${held.targetOrgId}; this plan restores the snapshot of ${plan.snapshot.finishedAt} (org ${plan.snapshot.orgId.slice(0, 15)}) into org ${plan.target.orgId.slice(0, 15)}.`,
      'Give this restore a results folder of its own (another --report DIR), or continue that restore with its own snapshot and org. Continuing it with another would map records it did not create.',
    );
  }
  const ctx: JobContext = { ledger, ingest, workDir: input.workDir ? join(input.workDir, 'restore-jobs') : join(input.resultsDir, WORK_DIR), log };

  const byName = new Map(plan.objects.map((o) => [o.name, o]));
  const order = [...plan.order.filter((n) => byName.has(n)), ...plan.objects.map((o) => o.name).filter((n) => !plan.order.includes(n))];
  let failure: unknown;
  try {
    const work = new Map<string, ObjectWork>();
    for (const name of order) {
      const p = byName.get(name) as PlanObject;
      const schema = await readObjectSchema(input.snapshotDir, name, { alias });
      const lookups = new Set(schema.fields.filter((f) => f.referenceTo.length > 0 && f.name !== 'Id').map((f) => f.name));
      work.set(name, { plan: p, schema, lookups });
    }

    const masker = createMasker(
      plan.selection.mask,
      new Map([...work].map(([n, w]) => [n, w.schema])),
      input.maskKey ?? maskKeyFor(plan.snapshot.orgId, plan.target.orgId),
    );
    // Into another org, a lookup to a record the restore does not write takes the target's Id the
    // plan found (references.csv); one the plan did not find is left empty and reported.
    const refs = !plan.target.sameOrg && plan.references ? await TargetReferences.load(ledger.db, join(input.planDir, plan.references)) : undefined;
    const wctx: WriteContext = { refs, masker };

    const recovered = await recoverJobs(ctx, (phase, object) => (phase === 'write' ? writeHandler(ledger, object) : relinkHandler(ledger, object)));
    if (recovered > 0) log.info(`Read the results of ${recovered} jobs an earlier run had sent.`);

    await register(input.planDir, order, work, ledger);
    await undeletePhase(input.planDir, order, work, ledger, http, session, log);
    for (const name of order) await writeObject(input, plan, work.get(name) as ObjectWork, ledger, ctx, maxBytes, alias, wctx);
    await relinkPhase(order, ledger, ctx, maxBytes, log);
  } catch (err) {
    // The results so far are written all the same: they say what is done, and the next run over
    // this folder carries on from the ledger.
    failure = err;
  }
  ledger.commit();
  const result = await writeResults(input.resultsDir, plan, order, ledger, startedAt);
  ledger.close();
  if (failure !== undefined) throw failure;
  await rm(ctx.workDir, { recursive: true, force: true });
  return result;
}

/** Every planned record into the ledger; an earlier run's outcomes stay. Creates are noted for lookups. */
async function register(planDir: string, order: string[], work: Map<string, ObjectWork>, ledger: RestoreLedger): Promise<void> {
  for (const name of order) {
    const { plan } = work.get(name) as ObjectWork;
    ledger.ensureTx();
    for await (const rec of planRecords(planDir, plan.records)) {
      ledger.addOutcome(name, rec.id, rec.seq, rec.action);
      if (rec.action === 'create' || rec.action === 'upsert') ledger.plan(name, rec.id);
      if (rec.action === 'skip' && ledger.outcome(name, rec.id)?.outcome == null) ledger.setOutcome(name, rec.id, 'skipped', null, rec.reason || null);
    }
    ledger.commit();
  }
}

/** Whether a record still needs sending: never done, or failed last time. */
function pending(ledger: RestoreLedger, object: string, id: string): boolean {
  const o = ledger.outcome(object, id)?.outcome;
  return o == null || o === 'failed';
}

async function undeletePhase(
  planDir: string,
  order: string[],
  work: Map<string, ObjectWork>,
  ledger: RestoreLedger,
  http: OrgHttp,
  session: OrgSession,
  log: ApplyLog,
): Promise<void> {
  for (const name of order) {
    const { plan } = work.get(name) as ObjectWork;
    if (!plan.counts.undelete) continue;
    let batch: string[] = [];
    let done = 0;
    let failed = 0;
    const send = async () => {
      if (batch.length === 0) return;
      const results = await undelete(http, batch);
      const refused = results.filter((r) => !r.success);
      // A record deleted together with its parent comes back with the parent's undelete, so its own
      // undelete is refused: if it is live now, it is back.
      const live = refused.length
        ? await liveIds(
            session,
            name,
            refused.map((r) => r.id),
          )
        : new Set<string>();
      ledger.ensureTx();
      results.forEach((r, i) => {
        const id = batch[i] as string;
        if (r.success || live.has(id.slice(0, 15))) {
          ledger.setOutcome(name, id, 'undeleted', id, r.success ? null : 'back already: restored with the record it was deleted with');
          done++;
        } else {
          ledger.setOutcome(name, id, 'failed', null, r.errors.join('; ') || 'undelete refused');
          failed++;
        }
      });
      ledger.commit();
      batch = [];
    };
    for await (const rec of planRecords(planDir, plan.records)) {
      if (rec.action !== 'undelete' || !pending(ledger, name, rec.id)) continue;
      batch.push(rec.id);
      if (batch.length >= 200) await send();
    }
    await send();
    if (done + failed > 0) (failed ? log.warning : log.info)(`${name}: ${done} undeleted, ${failed} could not be undeleted.`);
  }
}

/** Which of `ids` are live records of `object` (by their 15-character form). */
async function liveIds(session: OrgSession, object: string, ids: string[]): Promise<Set<string>> {
  const quoted = ids.filter((id) => /^[a-zA-Z0-9]{15,18}$/.test(id)).map((id) => `'${id}'`);
  if (quoted.length === 0) return new Set();
  const res = await session.conn.query<{ Id: string }>(`SELECT Id FROM ${object} WHERE Id IN (${quoted.join(',')})`);
  return new Set(res.records.map((r) => r.Id.slice(0, 15)));
}

function writeHandler(ledger: RestoreLedger, object: string): ResultHandler {
  return (r: ResultRow) => {
    const action = ledger.outcome(object, r.oldId)?.action;
    if (r.kind !== 'successfulResults') {
      ledger.setOutcome(object, r.oldId, 'failed', null, r.error || 'failed');
      return;
    }
    if (action === 'create' || action === 'upsert') {
      ledger.setNewId(object, r.oldId, r.sfId);
      const outcome: RecordOutcome = action === 'create' || r.created ? 'created' : 'updated';
      ledger.setOutcome(object, r.oldId, outcome, r.sfId, null);
    } else {
      ledger.setOutcome(object, r.oldId, 'updated', r.sfId || r.oldId, null);
    }
  };
}

function relinkHandler(ledger: RestoreLedger, object: string): ResultHandler {
  return (r: ResultRow) => {
    if (r.kind === 'successfulResults') ledger.undefer(object, r.oldId);
    else ledger.note(object, r.oldId, `lookups to re-created records not set: ${r.error}`);
  };
}

/** The creates, updates and upserts of one object, as Bulk API jobs. */
async function writeObject(
  input: ApplyInput,
  plan: RestorePlan,
  w: ObjectWork,
  ledger: RestoreLedger,
  ctx: JobContext,
  maxBytes: number,
  alias: string,
  wctx: WriteContext,
): Promise<void> {
  const { plan: p, schema } = w;
  const masked = wctx.masker.masks(p.name);
  const name = p.name;
  if (!p.counts.create && !p.counts.update && !p.counts.upsert) return;
  const known = new Set(schema.fields.map((f) => f.name));
  const fields = p.fields.filter((f) => f !== 'Id' && known.has(f));
  const extId = externalIdFieldOf(plan.selection.externalIdField, name);
  const writers = new Map<'create' | 'update' | 'upsert', { writer: JobWriter; header: string[] }>();
  const writerFor = (action: 'create' | 'update' | 'upsert') => {
    let entry = writers.get(action);
    if (!entry) {
      const operation: IngestOperation = action === 'create' ? 'insert' : action;
      const header = action === 'create' ? fields : action === 'update' ? ['Id', ...fields] : [...new Set([extId ?? 'Id', ...fields])];
      entry = {
        header,
        writer: new JobWriter(ctx, {
          object: name,
          operation,
          header,
          ...(action === 'upsert' && extId ? { externalIdFieldName: extId } : {}),
          phase: 'write',
          maxBytes,
          onRow: writeHandler(ledger, name),
        }),
      };
      writers.set(action, entry);
    }
    return entry;
  };
  if (p.counts.upsert && !extId) {
    throw new RestoreError(
      'plan_invalid',
      `The plan upserts ${name} but names no external id field for it.`,
      'Make the plan again with an external id field for every object (Object.Field).',
    );
  }
  ledger.ensureTx();
  for await (const rec of planWithRows(input.planDir, p.records, input.snapshotDir, name, alias)) {
    if (rec.action !== 'create' && rec.action !== 'update' && rec.action !== 'upsert') continue;
    if (!pending(ledger, name, rec.id)) continue;
    const { writer, header } = writerFor(rec.action);
    const cells = header.map((f) => {
      const v = masked ? wctx.masker.apply(name, f, rec.row[f] ?? '') : (rec.row[f] ?? '');
      if (f === 'Id') return rec.id;
      if (v !== '' && w.lookups.has(f)) {
        const out = mapLookup(ledger, name, rec.id, f, v, wctx.refs);
        return out === '' && rec.action !== 'create' ? NULL_CELL : out;
      }
      return v === '' && rec.action !== 'create' ? NULL_CELL : v;
    });
    ledger.ensureTx();
    await writer.add(rec.id, cells);
  }
  for (const { writer } of writers.values()) await writer.flush();
  ledger.commit();
}

/**
 * A lookup's value on the way out: the new Id when its target was re-created; empty (and deferred
 * to the second pass) when its target is still to be created by this restore; in the same org,
 * unchanged otherwise (a record in the org, or one undeleted with its Id); into another org, the
 * target's record the plan matched, or empty with a note. Polymorphic lookups need nothing more:
 * an Id names one record whatever object it is.
 */
function mapLookup(ledger: RestoreLedger, object: string, oldId: string, field: string, value: string, refs: TargetReferences | undefined): string {
  const mapped = ledger.newId(value);
  if (mapped) return mapped;
  if (ledger.isPlanned(value)) {
    ledger.defer(object, oldId, field, value);
    return '';
  }
  if (!refs) return value;
  const ref = refs.resolve(value);
  if (ref?.newId) return ref.newId;
  // Noted once the record's outcome is known (the end of the second pass), like a target that failed.
  ledger.defer(object, oldId, field, value);
  return '';
}

/** The second pass: lookups left empty because their target did not exist yet, set now by update. */
async function relinkPhase(order: string[], ledger: RestoreLedger, ctx: JobContext, maxBytes: number, log: ApplyLog): Promise<void> {
  ledger.commit();
  const rowsOf = ledger.db.prepare(`
    SELECT d.oldId AS oldId, d.field AS field, m.newId AS target, o.action AS action, o.outcome AS outcome, src.newId AS srcNew
    FROM deferred d JOIN idmap m ON m.oldId = d.target
    JOIN outcome o ON o.object = d.object AND o.oldId = d.oldId
    LEFT JOIN idmap src ON src.oldId = d.oldId
    WHERE d.object = ?1 AND d.oldId IN (SELECT DISTINCT oldId FROM deferred WHERE object = ?1 AND oldId > ?2 ORDER BY oldId LIMIT 1000)
    ORDER BY d.oldId, d.field`);
  const fieldsOf = ledger.db.prepare('SELECT DISTINCT field FROM deferred WHERE object = ? ORDER BY field');
  for (const name of order) {
    const fields = (fieldsOf.all(name) as { field: string }[]).map((r) => r.field);
    if (fields.length === 0) continue;
    const header = ['Id', ...fields];
    const writer = new JobWriter(ctx, { object: name, operation: 'update', header, phase: 'relink', maxBytes, onRow: relinkHandler(ledger, name) });
    // A page at a time (memory stays flat), one record's fields per row; a job may be sent, and the
    // deferred table change, between pages, which the keyset paging does not mind.
    let after = '';
    for (;;) {
      const rows = rowsOf.all(name, after) as { oldId: string; field: string; target: string; action: string; outcome: string | null; srcNew: string | null }[];
      if (rows.length === 0) break;
      let i = 0;
      while (i < rows.length) {
        const first = rows[i] as (typeof rows)[number];
        const cells = new Map<string, string>();
        let j = i;
        for (; j < rows.length && rows[j]?.oldId === first.oldId; j++)
          cells.set((rows[j] as (typeof rows)[number]).field, (rows[j] as (typeof rows)[number]).target);
        i = j;
        after = first.oldId;
        const id = first.action === 'update' ? first.oldId : first.srcNew;
        if (!id || (first.outcome !== 'created' && first.outcome !== 'updated')) continue;
        ledger.ensureTx();
        await writer.add(
          first.oldId,
          header.map((f) => (f === 'Id' ? id : (cells.get(f) ?? ''))),
        );
      }
    }
    await writer.flush();
    if (writer.sent) log.info(`${name}: ${writer.sent} records got lookups to records re-created after them.`);
  }
  // Lookups whose target could not be restored stay empty; the record's result says so.
  ledger.ensureTx();
  const orphaned = ledger.db.prepare(`
    SELECT d.object AS object, d.oldId AS oldId, d.field AS field, d.target AS target FROM deferred d
    JOIN outcome o ON o.object = d.object AND o.oldId = d.oldId
    WHERE NOT EXISTS (SELECT 1 FROM idmap m WHERE m.oldId = d.target) AND o.outcome IN ('created', 'updated')`);
  for (const r of orphaned.all() as { object: string; oldId: string; field: string; target: string }[]) {
    ledger.note(r.object, r.oldId, `${r.field} left empty: ${r.target} ${ledger.isPlanned(r.target) ? 'was not restored' : 'has no match in the target org'}`);
  }
  ledger.commit();
}

async function writeResults(resultsDir: string, plan: RestorePlan, order: string[], ledger: RestoreLedger, startedAt: string): Promise<RestoreResult> {
  const objects: AppliedObject[] = [];
  const rowsOf = ledger.db.prepare('SELECT oldId, newId, outcome, error FROM outcome WHERE object = ? ORDER BY seq');
  for (const name of order) {
    const counts: Record<RecordOutcome, number> = { undeleted: 0, created: 0, updated: 0, skipped: 0, failed: 0 };
    const file = `${name}.csv`;
    await writeCsv(join(resultsDir, file), ['oldId', 'newId', 'outcome', 'error'], function* () {
      for (const r of rowsOf.iterate(name) as Iterable<{ oldId: string; newId: string | null; outcome: RecordOutcome | null; error: string | null }>) {
        const outcome = r.outcome ?? 'failed';
        counts[outcome]++;
        yield [r.oldId, r.newId ?? '', outcome, r.outcome ? (r.error ?? '') : 'not attempted: the run stopped before this record'];
      }
    });
    objects.push({ name, counts, results: file });
  }
  const mapRows = ledger.db.prepare('SELECT object, oldId, newId FROM idmap ORDER BY object, oldId');
  await writeCsv(join(resultsDir, ID_MAP_FILE), ['object', 'oldId', 'newId'], function* () {
    for (const r of mapRows.iterate() as Iterable<{ object: string; oldId: string; newId: string }>) yield [r.object, r.oldId, r.newId];
  });
  const result: RestoreResult = { plan, objects, idMap: ID_MAP_FILE, startedAt, finishedAt: new Date().toISOString() };
  await writeFile(join(resultsDir, RESULT_FILE), `${JSON.stringify({ ...result, plan: undefined }, null, 2)}\n`);
  return result;
}

async function writeCsv(path: string, header: string[], rows: () => Iterable<string[]>): Promise<void> {
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(`${encodeRow(header)}\n`);
  for (const r of rows()) await write(`${encodeRow(r)}\n`);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
