// getUpdated / getDeleted: `GET /sobjects/{Obj}/updated|deleted?start=&end=`. Minute granularity,
// a window of at most 30 days back, `latestDateCovered` as the next run's start. Updated ids come
// from SystemModstamp of live rows; deleted ids from the store's deletion log, which outlives
// purges (hard deletes stay listed).
import { isoDateTime, parseSfDateTime, sfDateTime } from '../clock.ts';
import { ApiError, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import type { Org } from '../model.ts';
import type { ObjectDef } from '../schema/types.ts';
import { type EmulatorState, extSlot } from '../state.ts';
import { q } from '../store/db.ts';
import { pathObject, session } from './records.ts';
import { apiVersion } from './version.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const MAX_IDS = 600_000;

export interface ReplicationSettings {
  /** How far `latestDateCovered` trails the clock (Salesforce: "a minute or two"). */
  lagSec: number;
  /** Deletion history before this is gone (knob); unset = as old as the org's data. */
  earliestDateAvailable?: number;
}

export function replicationSettings(state: EmulatorState, org: Org): ReplicationSettings {
  const all = extSlot(state, 'records.replication', () => new Map<string, ReplicationSettings>());
  let s = all.get(org.id);
  if (!s) {
    s = { lagSec: 0 };
    all.set(org.id, s);
  }
  return s;
}

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

function replicationError(message: string): ApiError {
  return new ApiError(400, 'INVALID_REPLICATION_DATE', message);
}

interface Window {
  start: number;
  /** Exclusive upper bound of what this answer covers: latestDateCovered. */
  latest: number;
}

function window(ctx: Ctx, org: Org): Window {
  const params = ctx.url.searchParams;
  const rawStart = params.get('start');
  const rawEnd = params.get('end');
  if (rawStart === null || rawEnd === null) {
    throw new ApiError(400, 'MISSING_ARGUMENT', `Missing required parameter: ${rawStart === null ? 'start' : 'end'}`);
  }
  const start = parseSfDateTime(rawStart);
  const end = parseSfDateTime(rawEnd);
  if (start === undefined) throw replicationError(`Invalid start date: ${rawStart}`);
  if (end === undefined) throw replicationError(`Invalid end date: ${rawEnd}`);
  const s = floorMinute(start);
  const e = floorMinute(end);
  if (s >= e) throw replicationError('startDate must chronologically precede endDate');
  const now = ctx.state.clock.now();
  // "No more than 30 days previous to the day the call is executed."
  const oldest = Math.floor(now / DAY) * DAY - 30 * DAY;
  if (s < oldest) throw replicationError(`startDate cannot be more than 30 days ago: ${sfDateTime(s)}`);
  const settings = replicationSettings(ctx.state, org);
  const covered = floorMinute(now - settings.lagSec * 1000);
  return { start: s, latest: Math.max(s, Math.min(e, covered)) };
}

function replicableObject(ctx: Ctx): ObjectDef {
  const obj = pathObject(ctx);
  if (obj.virtual || !obj.keyPrefix || !obj.flags.replicateable) {
    throw new ApiError(400, 'INVALID_TYPE', `sObject type '${obj.name}' is not supported for replication.`);
  }
  return obj;
}

function tooMany(): ApiError {
  return new ApiError(400, 'EXCEEDED_ID_LIMIT', `More than ${MAX_IDS} ids found. Use a shorter time span.`);
}

/** Oldest point of the deletion history: the knob, else the org's oldest record or deletion. */
function earliestDateAvailable(ctx: Ctx, org: Org): number {
  const set = replicationSettings(ctx.state, org).earliestDateAvailable;
  if (set !== undefined) return set;
  let oldest = ctx.state.clock.now();
  const user = org.store.object('User');
  if (user && org.store.tables().includes(user)) {
    const r = org.store.prepare(`SELECT MIN("CreatedDate") AS d FROM ${q(user.name)}`).get() as { d: string | null };
    if (r.d) oldest = Math.min(oldest, Date.parse(r.d));
  }
  const d = org.store.prepare('SELECT MIN(deletedDate) AS d FROM _deleted').get() as { d: string | null };
  if (d.d) oldest = Math.min(oldest, Date.parse(d.d));
  return floorMinute(oldest);
}

export function registerReplicationRoutes(router: Router): void {
  const opts = { auth: 'bearer' as const };

  router.add(
    'GET',
    '/services/data/:version/sobjects/:sobject/updated',
    (ctx) => {
      apiVersion(ctx);
      const { org } = session(ctx);
      const obj = replicableObject(ctx);
      const w = window(ctx, org);
      const rows = org.store
        .prepare(
          `SELECT "Id" FROM ${q(obj.name)} WHERE "IsDeleted" = 0 AND "SystemModstamp" >= ? AND "SystemModstamp" < ? ORDER BY "SystemModstamp", "Id" LIMIT ${MAX_IDS + 1}`,
        )
        .all(isoDateTime(w.start), isoDateTime(w.latest)) as { Id: string }[];
      if (rows.length > MAX_IDS) throw tooMany();
      sendJson(ctx.res, 200, { ids: rows.map((r) => r.Id), latestDateCovered: sfDateTime(w.latest) });
    },
    opts,
  );

  router.add(
    'GET',
    '/services/data/:version/sobjects/:sobject/deleted',
    (ctx) => {
      apiVersion(ctx);
      const { org } = session(ctx);
      const obj = replicableObject(ctx);
      const w = window(ctx, org);
      const rows = org.store
        .prepare(`SELECT Id, deletedDate FROM _deleted WHERE object = ? AND deletedDate >= ? AND deletedDate < ? ORDER BY deletedDate, Id LIMIT ${MAX_IDS + 1}`)
        .all(obj.name, isoDateTime(w.start), isoDateTime(w.latest)) as { Id: string; deletedDate: string }[];
      if (rows.length > MAX_IDS) throw tooMany();
      sendJson(ctx.res, 200, {
        deletedRecords: rows.map((r) => ({ id: r.Id, deletedDate: sfDateTime(Date.parse(r.deletedDate)) })),
        earliestDateAvailable: sfDateTime(earliestDateAvailable(ctx, org)),
        latestDateCovered: sfDateTime(w.latest),
      });
    },
    opts,
  );
}
