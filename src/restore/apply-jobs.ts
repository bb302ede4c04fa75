// Rows to Bulk API jobs and results back to records. Rows are appended to a CSV in the work folder
// and remembered in the ledger (by the hash of the row as written) before anything is sent; when the
// file reaches one upload's worth (or MAX_JOB_ROWS rows) it becomes a job. Salesforce returns
// results in no particular order but echoes every row as uploaded, so each result row finds its
// record by that hash.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { type IngestClient, type IngestJobInfo, type IngestOperation, type ResultKind, readResults } from '../salesforce/ingest/jobs.ts';
import { encodeRow } from '../snapshot/csv.ts';
import type { RestoreLedger } from './idmap.ts';

export interface ResultRow {
  kind: ResultKind;
  oldId: string;
  /** `sf__Id`: the record's Id (new for an insert); empty for a failed insert. */
  sfId: string;
  created: boolean;
  /** `sf__Error`, or why an unprocessed row was not processed. */
  error: string;
}

export type ResultHandler = (r: ResultRow) => void;

export interface JobContext {
  ledger: RestoreLedger;
  ingest: IngestClient;
  workDir: string;
  log: { info(message: string): void; warning(message: string): void };
}

export function rowHash(cells: readonly string[]): string {
  return hashRecord(encodeRow(cells));
}

/** rowHash of a row already encoded (without its line end). */
function hashRecord(record: string): string {
  return createHash('sha1').update(record).digest('base64');
}

const RESULT_KINDS = ['successfulResults', 'failedResults', 'unprocessedrecords'] as const satisfies readonly ResultKind[];

/** A finished job's three result files, saved in the work folder. */
export interface ResultFiles {
  files: Record<ResultKind, string>;
  remove(): void;
}

/** Downloads a finished job's result files next to its upload (`<batch>.<kind>.csv`). */
export async function downloadResults(ctx: JobContext, batch: string, jobId: string): Promise<ResultFiles> {
  const files = Object.fromEntries(RESULT_KINDS.map((k) => [k, join(ctx.workDir, `${batch}.${k}.csv`)])) as Record<ResultKind, string>;
  const remove = () => {
    for (const f of Object.values(files)) rmSync(f, { force: true });
  };
  try {
    for (const kind of RESULT_KINDS) await ctx.ingest.download(jobId, kind, files[kind]);
  } catch (err) {
    remove();
    throw err;
  }
  return { files, remove };
}

/** `A JobComplete` or `Failed (InvalidBatch : …)`: a job's end for a log line or a record's error. */
function jobEnd(info: IngestJobInfo): string {
  return info.errorMessage ? `${info.state} (${info.errorMessage})` : info.state;
}

/**
 * Reads a finished job's three result files into `onRow`, then marks the batch collected. Runs in
 * one transaction: a run that dies halfway reads the whole job again next time.
 */
export async function collectJob(
  ctx: JobContext,
  batch: string,
  info: IngestJobInfo,
  onRow: ResultHandler,
  /** The job's result files, downloaded already (ResultFiles); read from Salesforce when absent. */
  saved?: ResultFiles,
): Promise<void> {
  const { ledger } = ctx;
  ledger.commit();
  ledger.db.exec('BEGIN');
  try {
    let unmatched = 0;
    for (const kind of RESULT_KINDS) {
      let sfCols = -1;
      for await (const rec of saved ? readResults(saved.files[kind]) : ctx.ingest.results(info.id, kind)) {
        if (sfCols < 0) {
          sfCols = rec.filter((h) => h.startsWith('sf__')).length;
          continue;
        }
        const cells = rec.slice(sfCols);
        const oldId = ledger.takeJobRow(batch, rowHash(cells));
        if (oldId === undefined) {
          unmatched++;
          continue;
        }
        const sf = rec.slice(0, sfCols);
        onRow({
          kind,
          oldId,
          sfId: kind === 'unprocessedrecords' ? '' : (sf[0] ?? ''),
          created: kind === 'successfulResults' && sf[1] === 'true',
          error: kind === 'failedResults' ? (sf[1] ?? '') : kind === 'unprocessedrecords' ? `not processed: the job ended ${jobEnd(info)}` : '',
        });
      }
    }
    for (const oldId of ledger.unmatchedJobRows(batch)) {
      onRow({
        kind: 'unprocessedrecords',
        oldId,
        sfId: '',
        created: false,
        error: `Salesforce reported no result for this record (job ${info.id}, ${jobEnd(info)})`,
      });
    }
    if (unmatched > 0) ctx.log.warning(`${unmatched} result rows of job ${info.id} matched no row that was sent; they are ignored.`);
    ledger.markCollected(batch);
    ledger.db.exec('COMMIT');
  } catch (err) {
    ledger.db.exec('ROLLBACK');
    throw err;
  }
  await ctx.ingest.remove(info.id).catch(() => {
    // Tidying only: Salesforce deletes finished jobs after a week anyway.
  });
}

let batchCounter = 0;

/**
 * Rows per job: Salesforce processes an ingest job in internal batches of 10,000 records, and each
 * counts against the daily batch allowance however the rows are spread over jobs, so jobs of that
 * size cost nothing extra. Smaller jobs let the next one be written while Salesforce works on this one.
 */
export const MAX_JOB_ROWS = 10_000;

interface InFlight {
  batch: string;
  file: string;
  rows: number;
  /** Upload, close and wait: settles with the job's final info. */
  done: Promise<IngestJobInfo>;
}

/**
 * One object's rows for one operation, cut into jobs of at most `maxBytes` and MAX_JOB_ROWS rows.
 * A full job is sent and left to run while the rows of the next are written. When the next is
 * full, the first one's results are saved, the next is sent, and the saved results are read while
 * it runs: one job at Salesforce at a time, and the ledger is written from this side only (job
 * Ids, result rows), job by job in the order they were sent.
 */
export class JobWriter {
  private readonly ctx: JobContext;
  private readonly object: string;
  private readonly operation: IngestOperation;
  private readonly header: string[];
  private readonly externalIdFieldName: string | undefined;
  private readonly phase: 'write' | 'relink';
  private readonly maxBytes: number;
  private readonly maxRows: number;
  private readonly onRow: ResultHandler;
  private fd: number | undefined;
  private file = '';
  private batch = '';
  private bytes = 0;
  private rows = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private inFlight: InFlight | undefined;
  /** Jobs sent, rows sent. */
  jobs = 0;
  sent = 0;

  constructor(
    ctx: JobContext,
    o: {
      object: string;
      operation: IngestOperation;
      header: string[];
      externalIdFieldName?: string;
      phase: 'write' | 'relink';
      maxBytes: number;
      /** Rows per job (default MAX_JOB_ROWS). */
      maxRows?: number;
      onRow: ResultHandler;
    },
  ) {
    this.ctx = ctx;
    this.object = o.object;
    this.operation = o.operation;
    this.header = o.header;
    this.externalIdFieldName = o.externalIdFieldName;
    this.phase = o.phase;
    this.maxBytes = o.maxBytes;
    this.maxRows = o.maxRows ?? MAX_JOB_ROWS;
    this.onRow = o.onRow;
  }

  private open(): void {
    mkdirSync(this.ctx.workDir, { recursive: true });
    this.batch = `${this.object}-${this.operation}-${Date.now().toString(36)}-${process.pid}-${batchCounter++}`;
    this.file = join(this.ctx.workDir, `${this.batch}.csv`);
    this.fd = openSync(this.file, 'w');
    const head = `${encodeRow(this.header)}\n`;
    writeSync(this.fd, head);
    this.bytes = Buffer.byteLength(head);
    this.rows = 0;
    this.ctx.ledger.addJob(this.batch, this.object, this.operation, this.phase);
  }

  private drain(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Adds a record's row (cells in header order); sends a job when the file is full. */
  async add(oldId: string, cells: string[]): Promise<void> {
    const record = encodeRow(cells);
    const line = `${record}\n`;
    const size = Buffer.byteLength(line);
    if (this.fd !== undefined && this.rows > 0 && (this.bytes + size > this.maxBytes || this.rows >= this.maxRows)) await this.send();
    if (this.fd === undefined) this.open();
    this.ctx.ledger.addJobRow(this.batch, hashRecord(record), this.rows, oldId);
    this.pending.push(line);
    this.pendingBytes += size;
    this.bytes += size;
    this.rows++;
    if (this.pendingBytes > 1 << 20) this.drain();
  }

  /** Sends what is written so far as one job and reads the results of every job sent. */
  async flush(): Promise<void> {
    if (this.fd !== undefined) await this.send();
    const last = await this.finish();
    if (last) await this.read(last);
  }

  /**
   * Starts the written file as a job and leaves it running. The job in flight is waited for and its
   * results saved first; they are read after the new job is under way, so reading them overlaps
   * with Salesforce's work on the next one. The job is created, and its Id stored, before anything
   * is uploaded: a run that dies later finds it in the ledger and reads it instead of sending its
   * rows again.
   */
  private async send(): Promise<void> {
    if (this.fd === undefined) return;
    this.drain();
    closeSync(this.fd);
    this.fd = undefined;
    const previous = await this.finish();
    try {
      const { batch, file, rows } = this;
      const { ledger, ingest } = this.ctx;
      // The ledger must know the rows before Salesforce does.
      ledger.commit();
      const spec = { object: this.object, operation: this.operation, ...(this.externalIdFieldName ? { externalIdFieldName: this.externalIdFieldName } : {}) };
      const job = await ingest.create(spec);
      ledger.setJobId(batch, job.id);
      const done = (async () => {
        await ingest.upload(job.id, file);
        await ingest.setState(job.id, 'UploadComplete');
        return ingest.wait(job.id);
      })();
      // Awaited in finish(); until then a failure must not count as unhandled.
      done.catch(() => undefined);
      this.inFlight = { batch, file, rows, done };
    } finally {
      if (previous) await this.read(previous);
    }
  }

  /** Waits for the job in flight, if any, and saves its result files. */
  private async finish(): Promise<{ job: InFlight; info: IngestJobInfo; saved: ResultFiles } | undefined> {
    const job = this.inFlight;
    if (!job) return undefined;
    this.inFlight = undefined;
    const info = await job.done;
    const failed = info.numberRecordsFailed ?? 0;
    const line = `${this.object}: ${this.operation} job ${info.id} ${jobEnd(info)}, ${job.rows} rows sent, ${failed} failed.`;
    if (info.state === 'JobComplete') this.ctx.log.info(line);
    else this.ctx.log.warning(line);
    const saved = await downloadResults(this.ctx, job.batch, info.id);
    return { job, info, saved };
  }

  /** Reads a finished job's saved results into the ledger. */
  private async read(f: { job: InFlight; info: IngestJobInfo; saved: ResultFiles }): Promise<void> {
    try {
      await collectJob(this.ctx, f.job.batch, f.info, this.onRow, f.saved);
    } finally {
      f.saved.remove();
    }
    rmSync(f.job.file, { force: true });
    this.jobs++;
    this.sent += f.job.rows;
  }
}

/**
 * Jobs an earlier run sent and never read: read them now, before anything is sent again, or the
 * records they created would be created twice. A job still Open (the run died while uploading)
 * never ran: it is aborted and its records stay to be sent.
 */
export async function recoverJobs(ctx: JobContext, handlers: (phase: 'write' | 'relink', object: string, operation: string) => ResultHandler): Promise<number> {
  let recovered = 0;
  for (const job of ctx.ledger.uncollectedJobs()) {
    if (!job.jobId) {
      ctx.ledger.markCollected(job.batch);
      continue;
    }
    let info = await ctx.ingest.info(job.jobId).catch((err: unknown) => {
      ctx.log.warning(`Job ${job.jobId} of an earlier run cannot be read (${(err as Error).message}); its records are sent again.`);
      return undefined;
    });
    if (info?.state === 'Open') {
      // Never closed, so never run: its records are sent again.
      await ctx.ingest.setState(job.jobId, 'Aborted').catch(() => undefined);
      info = undefined;
    }
    if (!info) {
      ctx.ledger.markCollected(job.batch);
      continue;
    }
    info = await ctx.ingest.wait(job.jobId);
    ctx.log.info(`${job.object}: reading the results of ${job.operation} job ${job.jobId} of an earlier run (${jobEnd(info)}).`);
    await collectJob(ctx, job.batch, info, handlers(job.phase, job.object, job.operation));
    recovered++;
  }
  return recovered;
}
