// Bulk API 2.0 ingest jobs: /services/data/vXX.X/jobs/ingest (spec §4).
import { ApiError, sendEmpty } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { getField, getObject } from '../schema/types.ts';
import { COLUMN_DELIMITERS, csvLine, isColumnDelimiter, isLineEnding, LINE_ENDINGS } from './csv.ts';
import { abortedResults, runIngestJob } from './ingest-process.ts';
import {
  advanceOnPoll,
  applyRules,
  authOf,
  bulkVersion,
  findJob,
  type IngestJob,
  type IngestOperation,
  type IngestResults,
  invalidState,
  jobDetail,
  jobJson,
  jobStore,
  jobSummary,
  newJobId,
  readJobRequest,
  sendJobJson,
  sendJobList,
  TERMINAL_STATES,
  touch,
} from './jobs.ts';
import { writePiece } from './stream.ts';

/** Bulk API 2.0 ingest appeared in API 41.0. */
const MIN_VERSION = 41;

const OPERATIONS: ReadonlySet<string> = new Set<IngestOperation>(['insert', 'update', 'upsert', 'delete', 'hardDelete']);

function invalidJob(message: string): ApiError {
  return new ApiError(400, 'INVALIDJOB', message);
}

async function create(ctx: Ctx): Promise<void> {
  const version = bulkVersion(ctx, MIN_VERSION);
  const { org, user } = authOf(ctx);
  const body = await readJobRequest(ctx);
  const operation = body.operation;
  if (typeof operation !== 'string' || !OPERATIONS.has(operation)) {
    throw invalidJob(`InvalidJob : Invalid operation: ${String(operation)}. Use insert, update, upsert, delete or hardDelete.`);
  }
  const objectName = typeof body.object === 'string' ? body.object : '';
  const obj = getObject(ctx.state.schema, objectName);
  if (!obj || obj.virtual || !obj.keyPrefix || !obj.flags.createable) throw invalidJob(`Entity '${objectName}' is not supported by the Bulk API.`);
  if (operation === 'hardDelete' && !org.allowHardDelete) {
    throw new ApiError(400, 'FEATURENOTENABLED', 'Bulk API Hard Delete is not enabled: the user needs the "Bulk API Hard Delete" permission.');
  }
  let externalIdFieldName: string | undefined;
  if (operation === 'upsert') {
    const given = typeof body.externalIdFieldName === 'string' ? body.externalIdFieldName : '';
    if (!given) throw invalidJob(`External ID was blank for ${obj.name}. An External ID must be specified for upsert.`);
    const field = getField(obj, given);
    if (!field || !(field.externalId || field.idLookup || field.name === 'Id')) {
      throw invalidJob(`The field ${given} is not an External ID, Salesforce Id, or idLookup field for ${obj.name}.`);
    }
    externalIdFieldName = field.name;
  }
  if (body.contentType !== undefined && body.contentType !== 'CSV')
    throw invalidJob(`Unsupported contentType: ${String(body.contentType)}. Only CSV is supported.`);
  const columnDelimiter = body.columnDelimiter ?? 'COMMA';
  if (!isColumnDelimiter(columnDelimiter)) throw invalidJob(`Invalid columnDelimiter: ${String(columnDelimiter)}`);
  const lineEnding = body.lineEnding ?? 'LF';
  if (!isLineEnding(lineEnding)) throw invalidJob(`Invalid lineEnding: ${String(lineEnding)}`);
  const now = ctx.state.clock.now();
  const job: IngestJob = {
    kind: 'ingest',
    id: newJobId(ctx.state, org),
    orgId: org.id,
    operation: operation as IngestOperation,
    object: obj.name,
    createdById: user.id,
    createdDate: now,
    systemModstamp: now,
    state: 'Open',
    apiVersion: version,
    columnDelimiter,
    lineEnding,
    pollsLeft: ctx.state.bulk.pollsBeforeComplete,
    directives: {},
    numberRecordsProcessed: 0,
    numberRecordsFailed: 0,
    totalProcessingTime: 0,
    pkChunking: false,
    uploads: [],
    ...(externalIdFieldName ? { externalIdFieldName } : {}),
  };
  applyRules(ctx.state, job);
  jobStore(ctx.state).jobs.set(job.id, job);
  sendJobJson(ctx.res, 200, jobJson(jobSummary(job)));
}

async function upload(ctx: Ctx): Promise<void> {
  bulkVersion(ctx, MIN_VERSION);
  const job = findJob(ctx, 'ingest');
  // Drain the body first: answering mid-upload would break a client still streaming it.
  const data = await ctx.body();
  if (job.state !== 'Open') throw invalidState(`Job ${job.id} is ${job.state}: data can only be uploaded to an Open job.`);
  job.uploads.push(data);
  sendEmpty(ctx.res, 201);
}

async function changeState(ctx: Ctx): Promise<void> {
  bulkVersion(ctx, MIN_VERSION);
  const job = findJob(ctx, 'ingest');
  const body = await readJobRequest(ctx);
  if (body.state === 'UploadComplete') {
    if (job.state !== 'Open') throw invalidState(`Job ${job.id} is ${job.state}: only an Open job can be closed.`);
    if (job.uploads.length > 1) {
      throw invalidJob(
        `Found multipe contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`,
      );
    }
    job.pollsLeft = job.directives.pollsBeforeComplete ?? ctx.state.bulk.pollsBeforeComplete;
    touch(ctx.state, job, 'UploadComplete');
  } else if (body.state === 'Aborted') {
    if (TERMINAL_STATES.has(job.state)) throw invalidState(`Job ${job.id} is already ${job.state} and cannot be aborted.`);
    touch(ctx.state, job, 'Aborted');
  } else {
    throw invalidState(`Invalid state for an ingest job: ${String(body.state)}. Use UploadComplete or Aborted.`);
  }
  sendJobJson(ctx.res, 200, jobJson(jobSummary(job)));
}

function info(ctx: Ctx): void {
  bulkVersion(ctx, MIN_VERSION);
  const job = findJob(ctx, 'ingest');
  const org = authOf(ctx).org;
  advanceOnPoll(ctx.state, job, () => runIngestJob(ctx.state, org, job));
  sendJobJson(ctx.res, 200, jobJson(jobDetail(job)));
}

function remove(ctx: Ctx): void {
  bulkVersion(ctx, MIN_VERSION);
  const job = findJob(ctx, 'ingest');
  if (job.state === 'Open' || job.state === 'InProgress') {
    throw new ApiError(400, 'API_ERROR', 'Error encountered when deleting the job because the job is not terminated');
  }
  jobStore(ctx.state).jobs.delete(job.id);
  sendEmpty(ctx.res, 204);
}

function list(ctx: Ctx): void {
  bulkVersion(ctx, MIN_VERSION);
  const orgId = authOf(ctx).org.id;
  sendJobList(
    ctx.res,
    [...jobStore(ctx.state).jobs.values()].filter((j) => j.kind === 'ingest' && j.orgId === orgId),
  );
}

type ResultFile = 'successful' | 'failed' | 'unprocessed';

const SF_COLUMNS: Record<ResultFile, string[]> = {
  successful: ['sf__Id', 'sf__Created'],
  failed: ['sf__Id', 'sf__Error'],
  unprocessed: [],
};

function resultsOf(job: IngestJob): IngestResults {
  if (job.results) return job.results;
  // Aborted before it ran: nothing was attempted.
  job.results = abortedResults(job);
  return job.results;
}

function resultRoute(file: ResultFile) {
  return async (ctx: Ctx): Promise<void> => {
    bulkVersion(ctx, MIN_VERSION);
    const job = findJob(ctx, 'ingest');
    if (!TERMINAL_STATES.has(job.state)) throw invalidState(`Job ${job.id} is ${job.state}: results are available once the job has finished.`);
    const results = resultsOf(job);
    const delimiter = COLUMN_DELIMITERS[job.columnDelimiter];
    const eol = LINE_ENDINGS[job.lineEnding];
    const columns = [...SF_COLUMNS[file], ...results.columns];
    const lines = results[file];
    ctx.res.writeHead(200, { 'Content-Type': 'text/csv' });
    if (columns.length) ctx.res.write(csvLine(columns, delimiter, eol));
    // Joined in slices: one write per few thousand rows keeps large files cheap.
    for (let i = 0; i < lines.length; i += 5000) {
      if (!(await writePiece(ctx.res, lines.slice(i, i + 5000).join('')))) return;
    }
    ctx.res.end();
  };
}

export function registerIngestJobRoutes(router: Router): void {
  const opts = { auth: 'bearer' as const };
  const base = '/services/data/:version/jobs/ingest';
  router.add('POST', base, create, opts);
  router.add('GET', base, list, opts);
  router.add('GET', `${base}/:jobId`, info, opts);
  router.add('PATCH', `${base}/:jobId`, changeState, opts);
  router.add('DELETE', `${base}/:jobId`, remove, opts);
  router.add('PUT', `${base}/:jobId/batches`, upload, opts);
  router.add('GET', `${base}/:jobId/successfulResults`, resultRoute('successful'), opts);
  router.add('GET', `${base}/:jobId/failedResults`, resultRoute('failed'), opts);
  router.add('GET', `${base}/:jobId/unprocessedrecords`, resultRoute('unprocessed'), opts);
}
