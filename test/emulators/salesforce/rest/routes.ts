import { notFound, sendJson } from '../http/respond.ts';
import type { Router } from '../http/router.ts';
import { describeGlobalEntry, describeObject } from '../schema/describe.ts';
import { getObject } from '../schema/types.ts';
import { registerQueryRoutes } from './query.ts';
import { registerRecordRoutes } from './records.ts';
import { apiVersion, dataBase } from './version.ts';

const RELEASES: Record<number, string> = { 0: 'Spring', 1: 'Summer', 2: 'Winter' };

function releaseLabel(version: number): string {
  // v20.0 was Winter '11; three releases a year.
  const k = version - 20;
  const season = RELEASES[(k + 2) % 3] as string;
  const year = 11 + Math.floor((k + 2) / 3) - (season === 'Winter' ? 1 : 0);
  return `${season} '${String(year).padStart(2, '0')}`;
}

export function registerRestRoutes(router: Router): void {
  router.add('GET', '/services/data', (ctx) => {
    const out = [];
    for (let v = ctx.state.apiVersions.min; v <= ctx.state.apiVersions.max; v++) {
      out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
    }
    sendJson(ctx.res, 200, out);
  });

  router.add(
    'GET',
    '/services/data/:version',
    (ctx) => {
      const v = apiVersion(ctx);
      const base = dataBase(v);
      const auth = ctx.auth;
      const loginBase =
        ctx.state.listeners.find((l) => l.kind === (auth?.org.isSandbox ? 'test' : 'login') && l.scheme === ctx.listener.scheme)?.baseUrl ??
        ctx.listener.baseUrl;
      sendJson(ctx.res, 200, {
        tooling: `${base}/tooling`,
        metadata: `${base}/metadata`,
        eclair: `${base}/eclair`,
        folders: `${base}/folders`,
        prechatForms: `${base}/prechatForms`,
        chatter: `${base}/chatter`,
        tabs: `${base}/tabs`,
        appMenu: `${base}/appMenu`,
        quickActions: `${base}/quickActions`,
        queryAll: `${base}/queryAll`,
        commerce: `${base}/commerce`,
        wave: `${base}/wave`,
        analytics: `${base}/analytics`,
        search: `${base}/search`,
        identity: `${loginBase}/id/${auth?.org.id}/${auth?.user.id}`,
        composite: `${base}/composite`,
        parameterizedSearch: `${base}/parameterizedSearch`,
        theme: `${base}/theme`,
        nouns: `${base}/nouns`,
        recent: `${base}/recent`,
        licensing: `${base}/licensing`,
        limits: `${base}/limits`,
        async: `${base}/async`,
        query: `${base}/query`,
        jobs: `${base}/jobs`,
        sobjects: `${base}/sobjects`,
        actions: `${base}/actions`,
        support: `${base}/support`,
      });
    },
    { auth: 'bearer' },
  );

  router.add(
    'GET',
    '/services/data/:version/limits',
    (ctx) => {
      apiVersion(ctx);
      const org = ctx.auth?.org;
      if (!org) throw notFound();
      const l = org.limits;
      const fixed = (max: number, remaining = max) => ({ Max: max, Remaining: remaining });
      sendJson(ctx.res, 200, {
        ConcurrentAsyncGetReportInstances: fixed(200),
        ConcurrentSyncReportRuns: fixed(20),
        DailyApiRequests: fixed(l.dailyApiMax, Math.max(0, l.dailyApiMax - l.used)),
        DailyAsyncApexExecutions: fixed(250000),
        DailyBulkApiBatches: fixed(15000),
        DailyBulkV2QueryFileStorageMB: fixed(976562),
        DailyBulkV2QueryJobs: fixed(10000),
        DataStorageMB: fixed(5, 5),
        FileStorageMB: fixed(20, 20),
        HourlyODataCallout: fixed(20000),
        SingleEmail: fixed(15),
      });
    },
    { auth: 'bearer' },
  );

  router.add(
    'GET',
    '/services/data/:version/sobjects',
    (ctx) => {
      const v = apiVersion(ctx);
      sendJson(ctx.res, 200, {
        encoding: 'UTF-8',
        maxBatchSize: 200,
        sobjects: ctx.state.schema.objects.map((o) => describeGlobalEntry(o, v)),
      });
    },
    { auth: 'bearer' },
  );

  router.add(
    'GET',
    '/services/data/:version/sobjects/:sobject/describe',
    (ctx) => {
      const v = apiVersion(ctx);
      const obj = getObject(ctx.state.schema, ctx.params.sobject ?? '');
      if (!obj) throw notFound();
      sendJson(
        ctx.res,
        200,
        describeObject(obj, v, { auditFieldsOnCreate: ctx.auth?.org.allowAuditFieldsOnCreate === true, ...(ctx.auth ? { pod: ctx.auth.org.pod } : {}) }),
      );
    },
    { auth: 'bearer' },
  );

  registerQueryRoutes(router);
  registerRecordRoutes(router);
}
