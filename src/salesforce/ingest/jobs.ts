// Bulk API 2.0 ingest jobs: create, upload one CSV (streamed from a file), close, poll until the
// job ends, then stream its three result files. Salesforce takes one upload per job of at most
// 150 MB once base64-encoded (about 100 MB raw), so a caller splits larger work into several jobs
// (MAX_UPLOAD_BYTES). Every call is retried on transient failures; a POST that failed after
// Salesforce acted on it leaves at most an empty Open job behind, which Salesforce discards.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { doubling } from '../../runtime/backoff.ts';
import { csvRecords } from '../bulk-csv/csv-records.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from '../export/retry.ts';
import type { OrgHttp } from './transport.ts';

export const INGEST_OPERATIONS = ['insert', 'update', 'upsert', 'delete'] as const;
export type IngestOperation = (typeof INGEST_OPERATIONS)[number];

/** Raw bytes of one upload: 150 MB after base64 is 112.5 MB raw; the margin covers multi-byte text. */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

export const TERMINAL_JOB_STATES = ['JobComplete', 'Failed', 'Aborted'] as const;

const JobInfoSchema = z.looseObject({
  id: z.string(),
  object: z.string(),
  operation: z.string(),
  state: z.string(),
  numberRecordsProcessed: z.number().optional(),
  numberRecordsFailed: z.number().optional(),
  errorMessage: z.string().optional(),
});
export type IngestJobInfo = z.infer<typeof JobInfoSchema>;

export interface IngestJobSpec {
  object: string;
  operation: IngestOperation;
  externalIdFieldName?: string;
}

export type ResultKind = 'successfulResults' | 'failedResults' | 'unprocessedrecords';

export interface IngestOptions {
  retry?: RetryPolicy;
  /** The first pause between polls; it doubles up to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** How long a job may take before waiting for it is given up (the job itself keeps running). */
  jobTimeoutMs?: number;
  onRetry?: (err: unknown, attempt: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** The records of a result file that download() saved, as results() yields them. */
export async function* readResults(file: string): AsyncGenerator<string[]> {
  yield* resultRecords(createReadStream(file, { highWaterMark: 1 << 20 }));
}

// The exporter's scanner (Bulk writes the same dialect both ways): a result file holds a row per
// record sent, and csv-parse's state machine cost more than the rest of reading it.
async function* resultRecords(source: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
  for await (const batch of csvRecords(source)) {
    for (const record of batch) {
      // An empty line is no record (a BOM is dropped by the decoder).
      if (record.length === 1 && record[0] === '') continue;
      yield record;
    }
  }
}

/** Waiting for a job ran out of time; it may still finish at Salesforce's end. */
export class IngestJobTimeoutError extends Error {
  override readonly name = 'IngestJobTimeoutError';
  readonly jobId: string;

  constructor(jobId: string, ms: number) {
    super(`Bulk API job ${jobId} did not finish within ${Math.round(ms / 1000)} s`);
    this.jobId = jobId;
  }
}

export class IngestClient {
  private readonly http: OrgHttp;
  private readonly o: Required<Omit<IngestOptions, 'onRetry'>> & Pick<IngestOptions, 'onRetry'>;

  constructor(http: OrgHttp, options: IngestOptions = {}) {
    this.http = http;
    this.o = {
      retry: options.retry ?? DEFAULT_RETRY,
      pollIntervalMs: options.pollIntervalMs ?? 500,
      maxPollIntervalMs: options.maxPollIntervalMs ?? 10_000,
      jobTimeoutMs: options.jobTimeoutMs ?? 4 * 3600_000,
      sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    };
  }

  private retried<T>(fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, this.o.retry, this.o.onRetry);
  }

  async create(spec: IngestJobSpec): Promise<IngestJobInfo> {
    const body = {
      object: spec.object,
      operation: spec.operation,
      contentType: 'CSV',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
      ...(spec.externalIdFieldName ? { externalIdFieldName: spec.externalIdFieldName } : {}),
    };
    return JobInfoSchema.parse(await this.retried(() => this.http.json({ method: 'POST', path: '/jobs/ingest', json: body })));
  }

  /** Streams the file as the job's one upload. */
  async upload(jobId: string, file: string): Promise<void> {
    const { size } = await stat(file);
    if (size > MAX_UPLOAD_BYTES) throw new RangeError(`${file} holds ${size} bytes, more than one Bulk API upload takes (${MAX_UPLOAD_BYTES})`);
    await this.retried(async () => {
      const res = await this.http.send({
        method: 'PUT',
        path: `/jobs/ingest/${jobId}/batches`,
        contentType: 'text/csv',
        body: () => Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      });
      await res.body?.cancel();
    });
  }

  async setState(jobId: string, state: 'UploadComplete' | 'Aborted'): Promise<IngestJobInfo> {
    return JobInfoSchema.parse(await this.retried(() => this.http.json({ method: 'PATCH', path: `/jobs/ingest/${jobId}`, json: { state } })));
  }

  async info(jobId: string): Promise<IngestJobInfo> {
    return JobInfoSchema.parse(await this.retried(() => this.http.json({ method: 'GET', path: `/jobs/ingest/${jobId}` })));
  }

  /** Polls with doubling pauses until the job is JobComplete, Failed or Aborted. */
  async wait(jobId: string): Promise<IngestJobInfo> {
    const started = Date.now();
    const pause = doubling(this.o.pollIntervalMs);
    for (let attempt = 1; ; attempt++) {
      const info = await this.info(jobId);
      if ((TERMINAL_JOB_STATES as readonly string[]).includes(info.state)) return info;
      if (Date.now() - started > this.o.jobTimeoutMs) throw new IngestJobTimeoutError(jobId, this.o.jobTimeoutMs);
      await this.o.sleep(Math.min(pause(attempt), this.o.maxPollIntervalMs));
    }
  }

  /** Create, upload, close and wait: the job's final info (row outcomes are in its result files). */
  async run(spec: IngestJobSpec, file: string, onCreated?: (job: IngestJobInfo) => void | Promise<void>): Promise<IngestJobInfo> {
    const job = await this.create(spec);
    await onCreated?.(job);
    await this.upload(job.id, file);
    await this.setState(job.id, 'UploadComplete');
    return this.wait(job.id);
  }

  /**
   * One result file, record by record: the header first (`sf__Id`, `sf__Created` or `sf__Error`,
   * then the uploaded columns), then a row per record. Rows are in no particular order.
   */
  async *results(jobId: string, kind: ResultKind): AsyncGenerator<string[]> {
    const res = await this.retried(() => this.http.send({ method: 'GET', path: `/jobs/ingest/${jobId}/${kind}`, headers: { accept: 'text/csv' } }));
    if (!res.body) return;
    yield* resultRecords(res.body as AsyncIterable<Uint8Array>);
  }

  /**
   * Saves one result file as it comes (no parsing), to read later with readResults: the download is
   * over quickly, and reading it can then go on while Salesforce works on the next job.
   */
  async download(jobId: string, kind: ResultKind, file: string): Promise<void> {
    await this.retried(async () => {
      const res = await this.http.send({ method: 'GET', path: `/jobs/ingest/${jobId}/${kind}`, headers: { accept: 'text/csv' } });
      const out = createWriteStream(file);
      if (res.body) await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), out);
      else await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    });
  }

  /** Removes a finished job at Salesforce's end (its results go with it). */
  async remove(jobId: string): Promise<void> {
    await this.retried(async () => {
      const res = await this.http.send({ method: 'DELETE', path: `/jobs/ingest/${jobId}` });
      await res.body?.cancel();
    });
  }
}
