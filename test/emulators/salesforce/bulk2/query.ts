// Bulk API 2.0 query jobs: /services/data/vXX.X/jobs/query (spec §3).
import { ApiError, sendEmpty } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import type { Org } from '../model.ts';
import { apiVersion } from '../rest/version.ts';
import type { EmulatorState } from '../state.ts';
import { compileForBulk } from './compile.ts';
import { isColumnDelimiter, isLineEnding } from './csv.ts';
import {
  advanceOnPoll,
  applyRules,
  authOf,
  bulkVersion,
  findJob,
  invalidState,
  jobDetail,
  jobJson,
  jobStore,
  jobSummary,
  newJobId,
  type QueryJob,
  readJobRequest,
  sendJobJson,
  sendJobList,
  TERMINAL_STATES,
  touch,
} from './jobs.ts';
import { dropSnapshot, materialise, writeRows } from './snapshot.ts';

/** Bulk API 2.0 query appeared in API 47.0. */
const MIN_VERSION = 47;

function invalidJob(message: string): ApiError {
  return new ApiError(400, 'INVALIDJOB', message);
}

/** Results must be read with the API version that created the job (documented 409). */
function sameVersion(ctx: Ctx, job: QueryJob): void {
  const v = apiVersion(ctx);
  if (v !== job.apiVersion) {
    throw new ApiError(409, 'INVALIDJOB', `The job ${job.id} was created with API version ${job.apiVersion}: access it with v${job.apiVersion}, not v${v}.`);
  }
}

/** The job runs: its result becomes a snapshot that later writes do not change. */
export function runQueryJob(state: EmulatorState, org: Org, job: QueryJob): void {
  if (job.directives.fail !== undefined) {
    job.errorMessage = job.directives.fail;
    touch(state, job, 'Failed');
    return;
  }
  try {
    job.snapshot = materialise(org, job, state.bulk);
    job.numberRecordsProcessed = job.snapshot.rows;
    touch(state, job, 'JobComplete');
  } catch (err) {
    process.stderr.write(`emulator: bulk query job ${job.id} failed: ${(err as Error).stack ?? String(err)}\n`);
    job.errorMessage = (err as Error).message;
    touch(state, job, 'Failed');
  }
}

/** Locators are base64 of the next row offset, like Salesforce's (`MTAwMDA` = 10000). */
function encodeLocator(offset: number): string {
  return Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
}

function decodeLocator(locator: string, rows: number): number {
  const text = Buffer.from(locator, 'base64').toString('utf8');
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n <= 0 || n >= rows || encodeLocator(n) !== locator.replace(/=+$/, '')) {
    throw new ApiError(400, 'INVALIDLOCATOR', `Invalid locator: ${locator}`);
  }
  return n;
}

async function create(ctx: Ctx): Promise<void> {
  const version = bulkVersion(ctx, MIN_VERSION);
  const { org, user } = authOf(ctx);
  const body = await readJobRequest(ctx);
  const operation = body.operation;
  if (operation !== 'query' && operation !== 'queryAll') throw invalidJob(`Invalid operation for a query job: ${String(operation)}. Use query or queryAll.`);
  if (typeof body.query !== 'string' || body.query.trim() === '') throw invalidJob('A query job needs a query.');
  if (body.contentType !== undefined && body.contentType !== 'CSV')
    throw invalidJob(`Unsupported contentType: ${String(body.contentType)}. Only CSV is supported.`);
  const columnDelimiter = body.columnDelimiter ?? 'COMMA';
  if (!isColumnDelimiter(columnDelimiter)) throw invalidJob(`Invalid columnDelimiter: ${String(columnDelimiter)}`);
  const lineEnding = body.lineEnding ?? 'LF';
  if (!isLineEnding(lineEnding)) throw invalidJob(`Invalid lineEnding: ${String(lineEnding)}`);
  const now = ctx.state.clock.now();
  const compiled = compileForBulk(org, body.query, { allRows: operation === 'queryAll', now });
  if (!compiled.object.bulkQueryable) throw new ApiError(400, 'API_ERROR', `Entity '${compiled.object.name}' is not supported by the Bulk API.`);
  const job: QueryJob = {
    kind: 'query',
    id: newJobId(ctx.state, org),
    orgId: org.id,
    operation,
    object: compiled.object.name,
    createdById: user.id,
    createdDate: now,
    systemModstamp: now,
    state: 'UploadComplete',
    apiVersion: version,
    columnDelimiter,
    lineEnding,
    pollsLeft: ctx.state.bulk.pollsBeforeComplete,
    directives: {},
    numberRecordsProcessed: 0,
    totalProcessingTime: 0,
    pkChunking: compiled.object.pkChunking,
    compiled,
  };
  applyRules(ctx.state, job);
  jobStore(ctx.state).jobs.set(job.id, job);
  sendJobJson(ctx.res, 200, jobJson(jobSummary(job)));
}

function info(ctx: Ctx): void {
  const job = findJob(ctx, 'query');
  sameVersion(ctx, job);
  const org = authOf(ctx).org;
  advanceOnPoll(ctx.state, job, () => runQueryJob(ctx.state, org, job));
  sendJobJson(ctx.res, 200, jobJson(jobDetail(job)));
}

async function results(ctx: Ctx): Promise<void> {
  const job = findJob(ctx, 'query');
  sameVersion(ctx, job);
  const snap = job.snapshot;
  if (job.state !== 'JobComplete' || !snap) {
    throw invalidState(`Results are available once the job is JobComplete; job ${job.id} is ${job.state}.`);
  }
  const params = ctx.url.searchParams;
  const locator = params.get('locator');
  const offset = locator === null || locator === '' ? 0 : decodeLocator(locator, snap.rows);
  const maxParam = params.get('maxRecords');
  let max = ctx.state.bulk.defaultMaxRecords;
  if (maxParam !== null && maxParam !== '') {
    max = /^\d+$/.test(maxParam) ? Number(maxParam) : Number.NaN;
    if (!Number.isSafeInteger(max) || max <= 0) throw new ApiError(400, 'INVALIDINPUT', `maxRecords must be a positive integer: ${maxParam}`);
  }
  const count = Math.max(0, Math.min(max, snap.rows - offset));
  const next = offset + count < snap.rows ? encodeLocator(offset + count) : 'null';
  const org = authOf(ctx).org;
  ctx.res.writeHead(200, {
    'Content-Type': 'text/csv',
    'Sforce-NumberOfRecords': String(count),
    'Sforce-Locator': next,
  });
  ctx.res.write(snap.header);
  await writeRows(org, snap, offset, count, ctx.res);
  ctx.res.end();
}

async function abort(ctx: Ctx): Promise<void> {
  bulkVersion(ctx, MIN_VERSION);
  const job = findJob(ctx, 'query');
  const body = await readJobRequest(ctx);
  if (body.state !== 'Aborted') throw invalidState(`A query job can only be set to Aborted, not ${String(body.state)}.`);
  if (TERMINAL_STATES.has(job.state)) throw invalidState(`Job ${job.id} is already ${job.state} and cannot be aborted.`);
  touch(ctx.state, job, 'Aborted');
  sendJobJson(ctx.res, 200, jobJson(jobSummary(job)));
}

function remove(ctx: Ctx): void {
  bulkVersion(ctx, MIN_VERSION);
  const job = findJob(ctx, 'query');
  if (!TERMINAL_STATES.has(job.state)) {
    throw new ApiError(400, 'API_ERROR', 'Error encountered when deleting the job because the job is not terminated');
  }
  if (job.snapshot) dropSnapshot(authOf(ctx).org, job.snapshot);
  jobStore(ctx.state).jobs.delete(job.id);
  sendEmpty(ctx.res, 204);
}

function list(ctx: Ctx): void {
  bulkVersion(ctx, MIN_VERSION);
  const orgId = authOf(ctx).org.id;
  sendJobList(
    ctx.res,
    [...jobStore(ctx.state).jobs.values()].filter((j) => j.kind === 'query' && j.orgId === orgId),
  );
}

export function registerQueryJobRoutes(router: Router): void {
  const opts = { auth: 'bearer' as const };
  const base = '/services/data/:version/jobs/query';
  router.add('POST', base, create, opts);
  router.add('GET', base, list, opts);
  router.add('GET', `${base}/:jobId`, info, opts);
  router.add('PATCH', `${base}/:jobId`, abort, opts);
  router.add('DELETE', `${base}/:jobId`, remove, opts);
  router.add('GET', `${base}/:jobId/results`, results, opts);
}
