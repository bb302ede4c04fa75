// REST query resources: /query, /queryAll (and their locators), column metadata, explain, and the
// Tooling API query the sf CLI sends after login.
import { ApiError, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import type { AuthContext } from '../oauth/sessions.ts';
import { columnMetadata } from '../soql/columns.ts';
import { compileRest, countRows, nextPage, runQuery } from '../soql/engine.ts';
import { parseSoql } from '../soql/parse.ts';
import type { QueryPlan } from '../soql/plan.ts';
import { apiVersion } from './version.ts';

const MIN_BATCH = 200;
const MAX_BATCH = 2000;

/** `Sforce-Query-Options: batchSize=N` clamped to 200..2000; otherwise the emulator's default. */
export function pageSize(ctx: Ctx): number {
  const header = ctx.req.headers['sforce-query-options'];
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const m = /batchSize\s*=\s*(\d+)/i.exec(text);
  if (!m) return ctx.state.query.defaultBatchSize;
  return Math.min(MAX_BATCH, Math.max(MIN_BATCH, Number(m[1])));
}

function session(ctx: Ctx): AuthContext {
  if (!ctx.auth) throw new ApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  return ctx.auth;
}

function noQuery(): ApiError {
  return new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
}

function explain(ctx: Ctx, auth: AuthContext, soql: string): void {
  const plan = compileRest(ctx.state, auth.org, soql, false);
  const obj = plan.plan.obj;
  const table = auth.org.store.tables().includes(obj) ? auth.org.store.count(obj) : 0;
  const cardinality = plan.kind === 'aggregate' ? 1 : countRows(auth.org, plan.plan);
  sendJson(ctx.res, 200, {
    plans: [
      {
        cardinality,
        fields: [],
        leadingOperationType: 'TableScan',
        notes: [],
        relativeCost: table > 0 ? Math.round((cardinality / table) * 1000) / 1000 : 1,
        sobjectCardinality: table,
        sobjectType: obj.name,
      },
    ],
  });
}

function handleQuery(ctx: Ctx, allRows: boolean): void {
  const version = apiVersion(ctx);
  const auth = session(ctx);
  const params = ctx.url.searchParams;
  const explainSoql = params.get('explain');
  if (explainSoql !== null) {
    explain(ctx, auth, explainSoql);
    return;
  }
  const soql = params.get('q');
  if (soql === null || soql.trim() === '') throw noQuery();
  const plan: QueryPlan = compileRest(ctx.state, auth.org, soql, allRows);
  if (params.get('columns') === 'true') {
    sendJson(ctx.res, 200, columnMetadata(plan.plan.obj, plan));
    return;
  }
  const result = runQuery(ctx.state, plan, { org: auth.org, userId: auth.user.id, allRows, version, pageSize: pageSize(ctx) });
  sendJson(ctx.res, 200, result);
}

function handleLocator(ctx: Ctx): void {
  const version = apiVersion(ctx);
  const auth = session(ctx);
  const result = nextPage(ctx.state, ctx.params.locator ?? '', { org: auth.org, userId: auth.user.id, version, pageSize: pageSize(ctx) });
  sendJson(ctx.res, 200, result);
}

/**
 * The Tooling API is not emulated beyond what the sf CLI asks after login: SandboxProcess (an org
 * with no sandboxes in progress) answers empty; any other object is unknown.
 */
function handleTooling(ctx: Ctx): void {
  apiVersion(ctx);
  session(ctx);
  const soql = ctx.url.searchParams.get('q');
  if (soql === null || soql.trim() === '') throw noQuery();
  const parsed = parseSoql(soql);
  const name = parsed.query.sObject as string;
  if (name.toLowerCase() !== 'sandboxprocess') throw parsed.errors.unsupportedType({ name, from: parsed.src.keyword('FROM') }, name);
  sendJson(ctx.res, 200, { size: 0, totalSize: 0, done: true, queryLocator: null, entityTypeName: 'SandboxProcess', records: [] });
}

export function registerQueryRoutes(router: Router): void {
  const opts = { auth: 'bearer' as const };
  router.add('GET', '/services/data/:version/query', (ctx) => handleQuery(ctx, false), opts);
  router.add('GET', '/services/data/:version/queryAll', (ctx) => handleQuery(ctx, true), opts);
  // A queryAll cursor is also read through /query/ (jsforce always continues there), and vice versa.
  router.add('GET', '/services/data/:version/query/:locator', handleLocator, opts);
  router.add('GET', '/services/data/:version/queryAll/:locator', handleLocator, opts);
  router.add('GET', '/services/data/:version/tooling/query', handleTooling, opts);
}
