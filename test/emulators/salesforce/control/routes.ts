// The test-control surface under /__emu: real clients never call it. Each module adds its own
// knobs through `registerControl*` functions; this file holds the shared ones.

import { ApiError, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import type { Org } from '../model.ts';
import { orgUsers } from '../state.ts';
import { registerControlExtensions } from './extensions.ts';
import type { FaultInput } from './faults.ts';

export function findOrg(ctx: Ctx, key: string | undefined): Org {
  for (const org of ctx.state.orgs.values()) {
    if (org.id === key || org.alias === key || org.id.slice(0, 15) === key) return org;
  }
  throw new ApiError(404, 'NOT_FOUND', `no org ${key}`);
}

async function jsonObject(ctx: Ctx): Promise<Record<string, unknown>> {
  const buf = await ctx.body();
  if (buf.length === 0) return {};
  const v = JSON.parse(buf.toString('utf8')) as unknown;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ApiError(400, 'BAD_REQUEST', 'expected a JSON object');
  return v as Record<string, unknown>;
}

export { jsonObject as controlBody };

export function registerControlRoutes(router: Router): void {
  const opts = { scope: 'any' as const };

  router.add(
    'GET',
    '/__emu/state',
    (ctx) => {
      const s = ctx.state;
      sendJson(ctx.res, 200, {
        now: s.clock.now(),
        listeners: s.listeners,
        apps: [...s.apps.values()].map((a) => ({ name: a.name, consumerKey: a.consumerKey, rotation: a.rotation, refreshTokenPolicy: a.refreshTokenPolicy })),
        orgs: [...s.orgs.values()].map((o) => ({
          id: o.id,
          alias: o.alias,
          isSandbox: o.isSandbox,
          instanceUrl: o.instanceUrl,
          instanceUrlHttps: o.instanceUrlHttps,
          limits: o.limits,
          users: orgUsers(s, o.id).map((u) => ({ id: u.id, username: u.username, active: u.active, frozen: u.frozen })),
        })),
        bulk: s.bulk,
        query: s.query,
      });
    },
    opts,
  );

  router.add(
    'POST',
    '/__emu/clock',
    async (ctx) => {
      const b = await jsonObject(ctx);
      if (typeof b.advanceMs === 'number') ctx.state.clock.advance(b.advanceMs);
      if (typeof b.advanceSec === 'number') ctx.state.clock.advance(b.advanceSec * 1000);
      if (typeof b.set === 'number') ctx.state.clock.set(b.set);
      if (typeof b.set === 'string') ctx.state.clock.set(Date.parse(b.set));
      sendJson(ctx.res, 200, { now: ctx.state.clock.now(), iso: new Date(ctx.state.clock.now()).toISOString() });
    },
    opts,
  );

  router.add('GET', '/__emu/faults', (ctx) => sendJson(ctx.res, 200, ctx.state.faults.list()), opts);
  router.add(
    'POST',
    '/__emu/faults',
    async (ctx) => {
      const b = (await jsonObject(ctx)) as unknown as FaultInput;
      if (typeof b.path !== 'string') throw new ApiError(400, 'BAD_REQUEST', 'a fault needs a path (regular expression)');
      sendJson(ctx.res, 201, ctx.state.faults.add(b));
    },
    opts,
  );
  router.add(
    'POST',
    '/__emu/faults/:id/release',
    (ctx) => {
      sendJson(ctx.res, 200, { released: ctx.state.faults.release(Number(ctx.params.id)) });
    },
    opts,
  );
  router.add(
    'DELETE',
    '/__emu/faults',
    (ctx) => {
      ctx.state.faults.clear();
      sendJson(ctx.res, 200, { cleared: true });
    },
    opts,
  );

  router.add(
    'GET',
    '/__emu/requests',
    (ctx) => {
      const since = Number(ctx.url.searchParams.get('since') ?? '0');
      sendJson(
        ctx.res,
        200,
        ctx.state.requestLog.filter((e) => e.seq > since),
      );
    },
    opts,
  );
  router.add(
    'DELETE',
    '/__emu/requests',
    (ctx) => {
      ctx.state.requestLog.length = 0;
      sendJson(ctx.res, 200, { cleared: true });
    },
    opts,
  );

  // A session without OAuth, for tests that exercise the data APIs on their own.
  router.add(
    'POST',
    '/__emu/orgs/:org/sessions',
    (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const user = orgUsers(ctx.state, org.id)[0];
      if (!user) throw new ApiError(404, 'NOT_FOUND', 'org has no user');
      const session = ctx.state.sessions.issue({ org, user, now: ctx.state.clock.now(), timeoutSec: 7200 });
      sendJson(ctx.res, 201, { accessToken: session.token, instanceUrl: org.instanceUrl, userId: user.id, orgId: org.id });
    },
    opts,
  );

  // Ends every live access token of the org (or of all orgs): the next data call answers 401.
  router.add(
    'POST',
    '/__emu/sessions/expire',
    async (ctx) => {
      const b = await jsonObject(ctx);
      const orgId = typeof b.org === 'string' ? findOrg(ctx, b.org).id : undefined;
      const n = ctx.state.sessions.expireWhere((s) => !orgId || s.orgId === orgId);
      sendJson(ctx.res, 200, { expired: n });
    },
    opts,
  );

  router.add(
    'POST',
    '/__emu/orgs/:org/settings',
    async (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const b = await jsonObject(ctx);
      if (typeof b.dailyApiMax === 'number') org.limits.dailyApiMax = b.dailyApiMax;
      if (typeof b.apiUsed === 'number') org.limits.used = b.apiUsed;
      if (typeof b.exceedAt === 'number') org.limits.exceedAt = b.exceedAt;
      if (b.exceedAt === null) delete org.limits.exceedAt;
      if (typeof b.apiDisabled === 'boolean') org.apiDisabled = b.apiDisabled;
      if (typeof b.allowAuditFieldsOnCreate === 'boolean') org.allowAuditFieldsOnCreate = b.allowAuditFieldsOnCreate;
      if (typeof b.allowHardDelete === 'boolean') org.allowHardDelete = b.allowHardDelete;
      sendJson(ctx.res, 200, {
        id: org.id,
        limits: org.limits,
        apiDisabled: org.apiDisabled,
        allowAuditFieldsOnCreate: org.allowAuditFieldsOnCreate,
        allowHardDelete: org.allowHardDelete,
      });
    },
    opts,
  );

  router.add(
    'POST',
    '/__emu/bulk',
    async (ctx) => {
      const b = await jsonObject(ctx);
      const bulk = ctx.state.bulk;
      if (typeof b.defaultMaxRecords === 'number') bulk.defaultMaxRecords = b.defaultMaxRecords;
      if (typeof b.pollsBeforeComplete === 'number') bulk.pollsBeforeComplete = b.pollsBeforeComplete;
      if (typeof b.shuffleChunks === 'boolean') bulk.shuffleChunks = b.shuffleChunks;
      if (typeof b.chunkSize === 'number') bulk.chunkSize = b.chunkSize;
      const query = ctx.state.query;
      if (typeof b.defaultBatchSize === 'number') query.defaultBatchSize = b.defaultBatchSize;
      sendJson(ctx.res, 200, { bulk, query });
    },
    opts,
  );

  registerControlExtensions(router);
}
