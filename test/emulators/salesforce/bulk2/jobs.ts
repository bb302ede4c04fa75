// The Bulk API 2.0 job store: ids, states, the poll-driven state machine, job info JSON.
import type { ServerResponse } from 'node:http';
import { sfDateTime } from '../clock.ts';
import { ApiError, JSON_TYPE, notFound } from '../http/respond.ts';
import type { Ctx } from '../http/router.ts';
import { makeId } from '../ids.ts';
import type { Org } from '../model.ts';
import type { AuthContext } from '../oauth/sessions.ts';
import { apiVersion } from '../rest/version.ts';
import type { CompiledQuery } from '../soql/api.ts';
import { type EmulatorState, extSlot } from '../state.ts';
import type { ColumnDelimiter, LineEnding } from './csv.ts';

export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['JobComplete', 'Failed', 'Aborted']);

export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';

/** Test-control directives a job carries (see control/bulk.ts). */
export interface JobDirectives {
  /** The job ends Failed when it runs, with this errorMessage. */
  fail?: string;
  /** Ingest: rows processed before the forced failure (the rest are unprocessed). */
  failAfterRows?: number;
  /** The job turns Aborted at the next poll. */
  abortOnPoll?: boolean;
  /** Polls spent in UploadComplete/InProgress instead of state.bulk.pollsBeforeComplete. */
  pollsBeforeComplete?: number;
}

/** A directive set for jobs not created yet: the next `times` jobs that match get it. */
export interface JobRule extends JobDirectives {
  kind?: 'query' | 'ingest';
  /** Object API name, case-insensitive. */
  object?: string;
  operation?: string;
  /** How many jobs it applies to; 0 = until cleared. */
  times: number;
  applied: number;
}

interface JobBase {
  id: string;
  orgId: string;
  object: string;
  createdById: string;
  createdDate: number;
  systemModstamp: number;
  state: JobState;
  /** `62.0` */
  apiVersion: string;
  columnDelimiter: ColumnDelimiter;
  lineEnding: LineEnding;
  /** Polls left in UploadComplete/InProgress before the job runs. */
  pollsLeft: number;
  directives: JobDirectives;
  numberRecordsProcessed: number;
  totalProcessingTime: number;
  errorMessage?: string;
  pkChunking: boolean;
}

export interface QueryJob extends JobBase {
  kind: 'query';
  operation: 'query' | 'queryAll';
  compiled: CompiledQuery;
  /** Set once the job ran: the snapshot table holding one CSV line per row. */
  snapshot?: QuerySnapshot;
}

export interface QuerySnapshot {
  /** Qualified SQLite table name. */
  table: string;
  /** The header line, line ending included. */
  header: string;
  rows: number;
  chunkSize: number;
  /** Order in which the PK chunks are served: chunk `order[i]` is the i-th one out. */
  order: number[] | undefined;
}

export interface IngestJob extends JobBase {
  kind: 'ingest';
  operation: IngestOperation;
  externalIdFieldName?: string;
  uploads: Buffer[];
  numberRecordsFailed: number;
  results?: IngestResults;
}

/** Result file bodies, line ending included in every line. */
export interface IngestResults {
  /** Original header cells, for the result files' column lists. */
  columns: string[];
  successful: string[];
  failed: string[];
  unprocessed: string[];
}

export type Job = QueryJob | IngestJob;

interface JobStore {
  jobs: Map<string, Job>;
  seq: Map<string, number>;
  rules: JobRule[];
}

export function jobStore(state: EmulatorState): JobStore {
  return extSlot(state, 'bulk2.jobs', () => ({ jobs: new Map(), seq: new Map(), rules: [] }));
}

/** Hands a new job the directives of the first rule that matches it. */
export function applyRules(state: EmulatorState, job: Job): void {
  const store = jobStore(state);
  for (const rule of store.rules) {
    if (rule.times !== 0 && rule.applied >= rule.times) continue;
    if (rule.kind && rule.kind !== job.kind) continue;
    if (rule.object && rule.object.toLowerCase() !== job.object.toLowerCase()) continue;
    if (rule.operation && rule.operation !== job.operation) continue;
    rule.applied++;
    const { kind: _k, object: _o, operation: _op, times: _t, applied: _a, ...directives } = rule;
    job.directives = { ...directives };
    if (directives.pollsBeforeComplete !== undefined) job.pollsLeft = directives.pollsBeforeComplete;
    return;
  }
}

export function authOf(ctx: Ctx): AuthContext {
  if (!ctx.auth) throw new ApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  return ctx.auth;
}

/** A job request body: a JSON object (jsforce and sf send `application/json; charset=utf-8`). */
export async function readJobRequest(ctx: Ctx): Promise<Record<string, unknown>> {
  const body = await ctx.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

export function newJobId(state: EmulatorState, org: Org): string {
  const store = jobStore(state);
  const n = (store.seq.get(org.id) ?? 0) + 1;
  store.seq.set(org.id, n);
  return makeId('750', org.pod, n);
}

/** The job named in the path, for the caller's org and of the route's kind, or 404. */
export function findJob<K extends Job['kind']>(ctx: Ctx, kind: K): Extract<Job, { kind: K }> {
  const id = ctx.params.jobId ?? '';
  const store = jobStore(ctx.state);
  const job = store.jobs.get(id) ?? (id.length === 15 ? [...store.jobs.values()].find((j) => j.id.slice(0, 15) === id) : undefined);
  if (!job || job.kind !== kind || job.orgId !== ctx.auth?.org.id) throw notFound();
  return job as Extract<Job, { kind: K }>;
}

/** `XX.0` of the path, 404 below the version that introduced the resource. */
export function bulkVersion(ctx: Ctx, min: number): string {
  const v = apiVersion(ctx);
  if (Number(v) < min) throw notFound();
  return v;
}

export function touch(state: EmulatorState, job: Job, next: JobState): void {
  job.state = next;
  job.systemModstamp = state.clock.now();
}

export function invalidState(message: string): ApiError {
  return new ApiError(400, 'INVALIDJOBSTATE', message);
}

/**
 * One status poll: a queued job spends `pollsLeft` polls InProgress, then runs (`run` returns the
 * final state). Polls of other states change nothing.
 */
export function advanceOnPoll(state: EmulatorState, job: Job, run: () => void): void {
  if (job.state !== 'UploadComplete' && job.state !== 'InProgress') return;
  if (job.directives.abortOnPoll) {
    touch(state, job, 'Aborted');
    return;
  }
  if (job.pollsLeft > 0) {
    job.pollsLeft--;
    if (job.state !== 'InProgress') touch(state, job, 'InProgress');
    return;
  }
  const started = Date.now();
  run();
  job.totalProcessingTime += Date.now() - started;
}

type JsonValue = string | number | boolean | null;

/** Fields every job info has, in Salesforce's order, up to and including contentType/apiVersion. */
function head(job: Job): [string, JsonValue][] {
  return [
    ['id', job.id],
    ['operation', job.operation],
    ['object', job.object],
    ['createdById', job.createdById],
    ['createdDate', sfDateTime(job.createdDate)],
    ['systemModstamp', sfDateTime(job.systemModstamp)],
    ['state', job.state],
  ];
}

function contentUrl(job: IngestJob): string {
  return `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`;
}

/** The short job info: create, close and abort responses, list entries. */
export function jobSummary(job: Job): [string, JsonValue][] {
  const out = head(job);
  if (job.kind === 'ingest' && job.externalIdFieldName) out.push(['externalIdFieldName', job.externalIdFieldName]);
  out.push(['concurrencyMode', 'Parallel'], ['contentType', 'CSV'], ['apiVersion', job.apiVersion]);
  if (job.kind === 'ingest' && job.state === 'Open') out.push(['contentUrl', contentUrl(job)]);
  out.push(['lineEnding', job.lineEnding], ['columnDelimiter', job.columnDelimiter]);
  return out;
}

/** The full job info of `GET /jobs/{kind}/{id}`. */
export function jobDetail(job: Job): [string, JsonValue][] {
  const out = head(job);
  if (job.kind === 'ingest' && job.externalIdFieldName) out.push(['externalIdFieldName', job.externalIdFieldName]);
  out.push(['concurrencyMode', 'Parallel'], ['contentType', 'CSV'], ['apiVersion', job.apiVersion], ['jobType', job.kind === 'query' ? 'V2Query' : 'V2Ingest']);
  if (job.kind === 'ingest' && job.state === 'Open') out.push(['contentUrl', contentUrl(job)]);
  out.push(['lineEnding', job.lineEnding], ['columnDelimiter', job.columnDelimiter], ['numberRecordsProcessed', job.numberRecordsProcessed]);
  if (job.kind === 'ingest') out.push(['numberRecordsFailed', job.numberRecordsFailed]);
  out.push(['retries', 0], ['totalProcessingTime', job.totalProcessingTime]);
  if (job.kind === 'ingest') out.push(['apiActiveProcessingTime', job.totalProcessingTime], ['apexProcessingTime', 0]);
  if (job.state === 'Failed' && job.errorMessage !== undefined) out.push(['errorMessage', job.errorMessage]);
  out.push(['isPkChunkingSupported', job.kind === 'query' && job.pkChunking]);
  return out;
}

/** JSON with `apiVersion` as the number Salesforce writes (`62.0`, which JSON.stringify cannot). */
export function jobJson(fields: [string, JsonValue][]): string {
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${k === 'apiVersion' ? String(v) : JSON.stringify(v)}`).join(',')}}`;
}

export function sendJobJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** A job in `GET /jobs/{kind}` lists: the short info plus its jobType. */
function listEntry(job: Job): [string, JsonValue][] {
  const out = jobSummary(job).filter(([k]) => k !== 'contentUrl');
  const at = out.findIndex(([k]) => k === 'apiVersion') + 1;
  out.splice(at, 0, ['jobType', job.kind === 'query' ? 'V2Query' : 'V2Ingest']);
  return out;
}

export function sendJobList(res: ServerResponse, jobs: Job[]): void {
  sendJobJson(res, 200, `{"done":true,"records":[${jobs.map((j) => jobJson(listEntry(j))).join(',')}],"nextRecordsUrl":null}`);
}
