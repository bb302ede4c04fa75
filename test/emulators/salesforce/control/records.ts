// Record knobs under /__emu: write data as a given user (an admin changing things between two
// backups), look at a row whatever its state, undelete, purge the Recycle Bin, and tune what
// getUpdated/getDeleted report.
import { parseSfDateTime } from '../clock.ts';
import { ApiError, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import type { Org, User } from '../model.ts';
import { findUser } from '../oauth/users.ts';
import { recordJson } from '../rest/records.ts';
import { replicationSettings } from '../rest/replication.ts';
import { getObject, type ObjectDef } from '../schema/types.ts';
import { orgUsers } from '../state.ts';
import { type DmlOptions, deleteRecord, insertRecord, purgeRecycleBin, recordState, type SaveResult, undeleteRecord, updateRecord } from '../store/dml.ts';
import { controlBody, findOrg } from './routes.ts';

const VERSION = '62.0';

function actingUser(ctx: Ctx, org: Org, key: unknown): User {
  if (key === undefined || key === null) {
    const admin = orgUsers(ctx.state, org.id)[0];
    if (!admin) throw new ApiError(404, 'NOT_FOUND', 'org has no user');
    return admin;
  }
  const user = typeof key === 'string' ? findUser(ctx.state, key) : undefined;
  if (!user || user.orgId !== org.id) throw new ApiError(404, 'NOT_FOUND', `no user ${String(key)} in org ${org.alias}`);
  return user;
}

function object(ctx: Ctx): ObjectDef {
  const obj = getObject(ctx.state.schema, ctx.params.sobject ?? '');
  if (!obj) throw new ApiError(404, 'NOT_FOUND', `no object ${ctx.params.sobject}`);
  return obj;
}

function values(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ApiError(400, 'BAD_REQUEST', 'values must be a JSON object');
  return v as Record<string, unknown>;
}

function sendResult(ctx: Ctx, res: SaveResult, okStatus = 200): void {
  sendJson(ctx.res, res.success ? okStatus : 400, res);
}

function isoOrThrow(v: unknown, name: string): string {
  const ms = typeof v === 'string' ? parseSfDateTime(v) : typeof v === 'number' ? v : undefined;
  if (ms === undefined) throw new ApiError(400, 'BAD_REQUEST', `${name} must be an ISO datetime or epoch ms`);
  return new Date(ms).toISOString();
}

export function registerRecordControl(router: Router): void {
  const opts = { scope: 'any' as const };
  const base = '/__emu/orgs/:org/records/:sobject';

  // `{values}` → one result; `{records: [...]}` → `{results}`. `asUser`: id or username.
  router.add(
    'POST',
    base,
    async (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const obj = object(ctx);
      const b = await controlBody(ctx);
      const user = actingUser(ctx, org, b.asUser);
      const dml: DmlOptions = { userId: user.id, source: 'json', ...(b.allowAuditFields === true ? { allowAuditFields: true } : {}) };
      if (Array.isArray(b.records)) {
        sendJson(ctx.res, 200, { results: b.records.map((r) => insertRecord(org, obj, values(r), dml)) });
        return;
      }
      sendResult(ctx, insertRecord(org, obj, values(b.values), dml), 201);
    },
    opts,
  );

  // The row as REST would show it, also when it is in the Recycle Bin, plus its deletion-log entry.
  router.add(
    'GET',
    `${base}/:id`,
    (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const obj = object(ctx);
      const st = recordState(org, obj, ctx.params.id ?? '');
      if ('statusCode' in st) throw new ApiError(400, st.statusCode, st.message);
      const log = org.store.prepare('SELECT deletedDate, purged FROM _deleted WHERE Id = ?').get(st.id) as { deletedDate: string; purged: number } | undefined;
      const row = st.state === 'missing' ? undefined : st.row;
      if (!row && !log) throw new ApiError(404, 'NOT_FOUND', `no record ${st.id}`);
      sendJson(ctx.res, 200, {
        state: st.state === 'deleted' && !row ? 'purged' : st.state,
        record: row ? recordJson(obj, row, VERSION) : null,
        deleted: log ? { deletedDate: log.deletedDate, purged: Number(log.purged) === 1 } : null,
      });
    },
    opts,
  );

  router.add(
    'PATCH',
    `${base}/:id`,
    async (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const obj = object(ctx);
      const b = await controlBody(ctx);
      const user = actingUser(ctx, org, b.asUser);
      sendResult(ctx, updateRecord(org, obj, ctx.params.id ?? '', values(b.values), { userId: user.id, source: 'json' }));
    },
    opts,
  );

  // `?hard=true` purges at once; `?asUser=`.
  router.add(
    'DELETE',
    `${base}/:id`,
    (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const obj = object(ctx);
      const user = actingUser(ctx, org, ctx.url.searchParams.get('asUser') ?? undefined);
      const hard = ctx.url.searchParams.get('hard') === 'true';
      sendResult(ctx, deleteRecord(org, obj, ctx.params.id ?? '', { userId: user.id, source: 'json', hard }));
    },
    opts,
  );

  router.add(
    'POST',
    `${base}/:id/undelete`,
    async (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const obj = object(ctx);
      const b = await controlBody(ctx);
      const user = actingUser(ctx, org, b.asUser);
      sendResult(ctx, undeleteRecord(org, obj, ctx.params.id ?? '', { userId: user.id }));
    },
    opts,
  );

  // Empties the Recycle Bin: everything, one `id`, some `ids`, or rows deleted before `deletedBefore` /
  // `olderThanDays` ago; a record deleted along with another goes with that one only.
  router.add(
    'POST',
    '/__emu/orgs/:org/recyclebin/purge',
    async (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const b = await controlBody(ctx);
      const o: { id?: string; ids?: string[]; deletedBefore?: string } = {};
      if (typeof b.id === 'string') o.id = b.id;
      if (Array.isArray(b.ids)) o.ids = b.ids.filter((i): i is string => typeof i === 'string');
      if (b.deletedBefore !== undefined) o.deletedBefore = isoOrThrow(b.deletedBefore, 'deletedBefore');
      if (typeof b.olderThanDays === 'number') o.deletedBefore = new Date(ctx.state.clock.now() - b.olderThanDays * 86_400_000).toISOString();
      sendJson(ctx.res, 200, { purged: purgeRecycleBin(org, o) });
    },
    opts,
  );

  // getUpdated/getDeleted: `lagSec` (latestDateCovered behind the clock), `earliestDateAvailable`
  // (ISO, or null for the default), `forgetDeletedBefore` (drops purged rows' deletion history
  // older than that and moves earliestDateAvailable there).
  router.add(
    'POST',
    '/__emu/orgs/:org/replication',
    async (ctx) => {
      const org = findOrg(ctx, ctx.params.org);
      const b = await controlBody(ctx);
      const s = replicationSettings(ctx.state, org);
      if (typeof b.lagSec === 'number' && b.lagSec >= 0) s.lagSec = b.lagSec;
      if (b.earliestDateAvailable === null) delete s.earliestDateAvailable;
      else if (b.earliestDateAvailable !== undefined) s.earliestDateAvailable = Date.parse(isoOrThrow(b.earliestDateAvailable, 'earliestDateAvailable'));
      if (b.forgetDeletedBefore !== undefined) {
        const before = isoOrThrow(b.forgetDeletedBefore, 'forgetDeletedBefore');
        org.store.prepare('DELETE FROM _deleted WHERE purged = 1 AND deletedDate < ?').run(before);
        s.earliestDateAvailable = Math.floor(Date.parse(before) / 60_000) * 60_000;
      }
      sendJson(ctx.res, 200, { lagSec: s.lagSec, earliestDateAvailable: s.earliestDateAvailable ?? null });
    },
    opts,
  );
}
