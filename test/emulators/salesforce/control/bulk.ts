// Bulk API 2.0 test knobs: fail or abort a job, change how many polls it takes, and rules that
// hand those directives to jobs a client is about to create (tests rarely know job ids up front).
// The shared settings (page size, polls, chunk shuffle) are at POST /__emu/bulk (control/routes.ts).
import { type Job, type JobDirectives, type JobRule, jobStore, TERMINAL_STATES, touch } from '../bulk2/jobs.ts';
import { ApiError, sendJson } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import { controlBody, findOrg } from './routes.ts';

function summary(job: Job) {
  return {
    id: job.id,
    orgId: job.orgId,
    kind: job.kind,
    operation: job.operation,
    object: job.object,
    state: job.state,
    apiVersion: job.apiVersion,
    pollsLeft: job.pollsLeft,
    directives: job.directives,
    numberRecordsProcessed: job.numberRecordsProcessed,
    ...(job.kind === 'ingest' ? { numberRecordsFailed: job.numberRecordsFailed, uploads: job.uploads.length } : {}),
    ...(job.kind === 'query' && job.snapshot ? { rows: job.snapshot.rows, shuffled: job.snapshot.order !== undefined } : {}),
    ...(job.errorMessage !== undefined ? { errorMessage: job.errorMessage } : {}),
  };
}

function nonNegativeInt(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ApiError(400, 'BAD_REQUEST', `${name} must be a non-negative integer`);
  return v;
}

/** `fail: true` uses a default message; a string is the job's errorMessage. */
function directivesFrom(b: Record<string, unknown>): JobDirectives {
  const d: JobDirectives = {};
  if (b.fail === true) d.fail = 'InternalServerError : the job failed (emulator fault injection)';
  else if (typeof b.fail === 'string') d.fail = b.fail;
  const after = nonNegativeInt(b.failAfterRows, 'failAfterRows');
  if (after !== undefined) d.failAfterRows = after;
  const polls = nonNegativeInt(b.pollsBeforeComplete, 'pollsBeforeComplete');
  if (polls !== undefined) d.pollsBeforeComplete = polls;
  if (b.abort === true) d.abortOnPoll = true;
  return d;
}

export function registerBulkControl(router: Router): void {
  const opts = { scope: 'any' as const };

  // Jobs of every org, or of one (`?org=<alias|id>`).
  router.add(
    'GET',
    '/__emu/bulk/jobs',
    (ctx) => {
      const key = ctx.url.searchParams.get('org');
      const orgId = key ? findOrg(ctx, key).id : undefined;
      const jobs = [...jobStore(ctx.state).jobs.values()].filter((j) => !orgId || j.orgId === orgId);
      sendJson(ctx.res, 200, jobs.map(summary));
    },
    opts,
  );

  router.add(
    'GET',
    '/__emu/bulk/jobs/:jobId',
    (ctx) => {
      const job = jobStore(ctx.state).jobs.get(ctx.params.jobId ?? '');
      if (!job) throw new ApiError(404, 'NOT_FOUND', `no bulk job ${ctx.params.jobId}`);
      sendJson(ctx.res, 200, summary(job));
    },
    opts,
  );

  // {abort: true} aborts now; {fail, failAfterRows} fail it when it runs ({failNow: true}: now);
  // {pollsBeforeComplete: n} sets the polls it has left.
  router.add(
    'POST',
    '/__emu/bulk/jobs/:jobId',
    async (ctx) => {
      const job = jobStore(ctx.state).jobs.get(ctx.params.jobId ?? '');
      if (!job) throw new ApiError(404, 'NOT_FOUND', `no bulk job ${ctx.params.jobId}`);
      const b = await controlBody(ctx);
      if (TERMINAL_STATES.has(job.state)) throw new ApiError(409, 'CONFLICT', `job ${job.id} is already ${job.state}`);
      const { abortOnPoll: _ignored, ...d } = directivesFrom(b);
      job.directives = { ...job.directives, ...d };
      if (d.pollsBeforeComplete !== undefined) job.pollsLeft = d.pollsBeforeComplete;
      if (b.abort === true) {
        touch(ctx.state, job, 'Aborted');
      } else if (b.failNow === true) {
        job.errorMessage = job.directives.fail ?? 'InternalServerError : the job failed (emulator fault injection)';
        touch(ctx.state, job, 'Failed');
      }
      sendJson(ctx.res, 200, summary(job));
    },
    opts,
  );

  router.add('GET', '/__emu/bulk/rules', (ctx) => sendJson(ctx.res, 200, jobStore(ctx.state).rules), opts);

  // A rule for jobs to come: {kind?, object?, operation?, times? (1; 0 = until cleared),
  // fail?, failAfterRows?, pollsBeforeComplete?, abort? (the job aborts at its first poll)}.
  router.add(
    'POST',
    '/__emu/bulk/rules',
    async (ctx) => {
      const b = await controlBody(ctx);
      if (b.kind !== undefined && b.kind !== 'query' && b.kind !== 'ingest') throw new ApiError(400, 'BAD_REQUEST', 'kind is query or ingest');
      const rule: JobRule = {
        ...directivesFrom(b),
        ...(b.kind === 'query' || b.kind === 'ingest' ? { kind: b.kind } : {}),
        ...(typeof b.object === 'string' ? { object: b.object } : {}),
        ...(typeof b.operation === 'string' ? { operation: b.operation } : {}),
        times: nonNegativeInt(b.times, 'times') ?? 1,
        applied: 0,
      };
      jobStore(ctx.state).rules.push(rule);
      sendJson(ctx.res, 201, rule);
    },
    opts,
  );

  router.add(
    'DELETE',
    '/__emu/bulk/rules',
    (ctx) => {
      jobStore(ctx.state).rules.length = 0;
      sendJson(ctx.res, 200, { cleared: true });
    },
    opts,
  );
}
