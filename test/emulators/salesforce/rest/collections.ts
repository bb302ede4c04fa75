// sObject Collections (`/composite/sobjects`): up to 200 records per call, one result per input in
// input order, per-record errors with `statusCode`, and allOrNone rollback.
import { ApiError, notFound, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { isValidIdShape, to18 } from '../ids.ts';
import type { Org } from '../model.ts';
import { getObject, type ObjectDef } from '../schema/types.ts';
import { atomically, deleteRecord, insertRecord, recordState, type SaveError, type SaveResult, saveError, updateRecord, upsertRecord } from '../store/dml.ts';
import { isPlainObject, pathObject, recordBody, recordJson, rejectUnknownColumns, selectedFields, session } from './records.ts';
import { apiVersion } from './version.ts';

const MAX_RECORDS = 200;
const MAX_RETRIEVE_IDS = 2000;

const ROLLED_BACK: SaveError = saveError(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
);

/** Collections exist from API 42.0 (upsert from 46.0); older versions have no such resource. */
function requireVersion(ctx: Ctx, min: number): string {
  const v = apiVersion(ctx);
  if (Number(v) < min) throw notFound();
  return v;
}

function tooMany(): ApiError {
  return new ApiError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`);
}

interface Batch {
  allOrNone: boolean;
  records: Record<string, unknown>[];
}

async function batchBody(ctx: Ctx): Promise<Batch> {
  const body = await recordBody(ctx);
  const records = body.records;
  if (!Array.isArray(records)) throw new ApiError(400, 'JSON_PARSER_ERROR', 'records is required and must be an array');
  if (records.length > MAX_RECORDS) throw tooMany();
  for (const r of records) {
    if (!isPlainObject(r)) throw new ApiError(400, 'JSON_PARSER_ERROR', 'Each element of records must be a JSON object');
  }
  return { allOrNone: body.allOrNone === true, records: records as Record<string, unknown>[] };
}

function declaredType(rec: Record<string, unknown>): string | undefined {
  const attrs = rec.attributes;
  return isPlainObject(attrs) && typeof attrs.type === 'string' ? attrs.type : undefined;
}

function objectNamed(ctx: Ctx, name: string): ObjectDef {
  const obj = getObject(ctx.state.schema, name);
  if (!obj) {
    throw new ApiError(
      400,
      'INVALID_TYPE',
      `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return obj;
}

function requireType(ctx: Ctx, rec: Record<string, unknown>): ObjectDef {
  const type = declaredType(rec);
  if (!type) throw new ApiError(400, 'INVALID_FIELD', 'No SObject Type defined in record');
  return objectNamed(ctx, type);
}

/** The JSON result element: `id` (when known), `success`, `errors`, and `created` for upserts. */
function element(r: SaveResult, withCreated: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (r.id) out.id = r.id;
  out.success = r.success;
  out.errors = r.errors;
  if (withCreated && r.success) out.created = r.created === true;
  return out;
}

/**
 * Runs one write per record inside a savepoint. With allOrNone any failure rolls back every write;
 * failed records keep their error and the others report ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
function runBatch(org: Org, allOrNone: boolean, writes: (() => SaveResult)[]): SaveResult[] {
  const results = atomically(
    org,
    () => writes.map((w) => w()),
    (rs) => !allOrNone || rs.every((r) => r.success),
  );
  if (!allOrNone || results.every((r) => r.success)) return results;
  return results.map((r) => {
    if (!r.success) return r;
    // A rolled-back insert never got its id.
    const { created: _created, ...rest } = r;
    return { ...rest, ...(r.created ? { id: undefined } : {}), success: false, errors: [ROLLED_BACK] };
  });
}

function send(ctx: Ctx, results: SaveResult[], withCreated = false): void {
  sendJson(
    ctx.res,
    200,
    results.map((r) => element(r, withCreated)),
  );
}

export function registerCollectionRoutes(router: Router): void {
  const opts = { auth: 'bearer' as const };

  router.add(
    ['POST', 'PATCH', 'DELETE'],
    '/services/data/:version/composite/sobjects',
    async (ctx) => {
      requireVersion(ctx, 42);
      const { org, user } = session(ctx);
      const method = ctx.req.method?.toUpperCase();
      const dml = { userId: user.id, source: 'json' as const };

      if (method === 'DELETE') {
        const raw = ctx.url.searchParams.get('ids') ?? '';
        const ids = raw.split(',').filter((s) => s.length > 0);
        if (ids.length === 0) throw new ApiError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
        if (ids.length > MAX_RECORDS) throw tooMany();
        const allOrNone = ctx.url.searchParams.get('allOrNone') === 'true';
        const seen = new Set<string>();
        const writes = ids.map((id) => (): SaveResult => {
          const obj = isValidIdShape(id) ? org.store.objectOfId(id) : undefined;
          if (!obj) return { id, success: false, errors: [saveError('MALFORMED_ID', `malformed id ${id}`)] };
          const key = to18(id.slice(0, 15));
          if (seen.has(key)) return { id, success: false, errors: [saveError('INVALID_ID_FIELD', `Duplicate Id in list: ${id}`)] };
          seen.add(key);
          return deleteRecord(org, obj, id, dml);
        });
        send(ctx, runBatch(org, allOrNone, writes));
        return;
      }

      const batch = await batchBody(ctx);
      if (method === 'POST') {
        const objs = batch.records.map((r) => requireType(ctx, r));
        batch.records.forEach((r, i) => {
          rejectUnknownColumns(org, objs[i] as ObjectDef, r);
        });
        const writes = batch.records.map((r, i) => () => insertRecord(org, objs[i] as ObjectDef, r, dml));
        send(ctx, runBatch(org, batch.allOrNone, writes));
        return;
      }

      // PATCH: update by id (`id` is what jsforce sends; `Id` works too).
      const seen = new Set<string>();
      const plans = batch.records.map((r) => {
        const idValue = r.id ?? r.Id;
        const values: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) if (k !== 'id' && k !== 'Id') values[k] = v;
        const type = declaredType(r);
        const obj = type ? objectNamed(ctx, type) : typeof idValue === 'string' && isValidIdShape(idValue) ? org.store.objectOfId(idValue) : undefined;
        if (obj) rejectUnknownColumns(org, obj, values);
        return { idValue, values, obj };
      });
      const writes = plans.map((p) => (): SaveResult => {
        if (typeof p.idValue !== 'string' || p.idValue === '') {
          return { success: false, errors: [saveError('MISSING_ARGUMENT', 'Id not specified in an update call')] };
        }
        if (!p.obj) return { id: p.idValue, success: false, errors: [saveError('MALFORMED_ID', `malformed id ${p.idValue}`)] };
        const key = isValidIdShape(p.idValue) ? to18(p.idValue.slice(0, 15)) : p.idValue;
        if (seen.has(key)) return { id: p.idValue, success: false, errors: [saveError('INVALID_ID_FIELD', `Duplicate Id in list: ${p.idValue}`)] };
        seen.add(key);
        return updateRecord(org, p.obj, p.idValue, p.values, dml);
      });
      send(ctx, runBatch(org, batch.allOrNone, writes));
    },
    opts,
  );

  router.add(
    ['GET', 'POST'],
    '/services/data/:version/composite/sobjects/:sobject',
    async (ctx) => {
      const version = requireVersion(ctx, 42);
      const { org } = session(ctx);
      const obj = pathObject(ctx);
      let ids: unknown;
      let fieldNames: unknown;
      if (ctx.req.method?.toUpperCase() === 'GET') {
        ids = (ctx.url.searchParams.get('ids') ?? '').split(',').filter((s) => s);
        fieldNames = (ctx.url.searchParams.get('fields') ?? '').split(',').filter((s) => s);
      } else {
        const body = await recordBody(ctx);
        ids = body.ids;
        fieldNames = body.fields;
      }
      if (!Array.isArray(ids) || ids.length === 0 || !ids.every((x) => typeof x === 'string')) {
        throw new ApiError(400, 'MISSING_ARGUMENT', 'ids is required');
      }
      if (!Array.isArray(fieldNames) || fieldNames.length === 0 || !fieldNames.every((x) => typeof x === 'string')) {
        throw new ApiError(400, 'MISSING_ARGUMENT', 'fields is required');
      }
      if (ids.length > MAX_RETRIEVE_IDS) throw new ApiError(400, 'EXCEEDED_ID_LIMIT', `cannot retrieve more than ${MAX_RETRIEVE_IDS} records in a call`);
      const fields = selectedFields(obj, fieldNames as string[]);
      const out = (ids as string[]).map((id) => {
        const st = recordState(org, obj, id);
        if ('statusCode' in st) throw new ApiError(400, 'MALFORMED_ID', `malformed id ${id}`);
        return st.state === 'live' ? recordJson(obj, st.row, version, fields) : null;
      });
      sendJson(ctx.res, 200, out);
    },
    opts,
  );

  router.add(
    'PATCH',
    '/services/data/:version/composite/sobjects/:sobject/:field',
    async (ctx) => {
      requireVersion(ctx, 46);
      const { org, user } = session(ctx);
      const obj = pathObject(ctx);
      const field = obj.fieldMap.get((ctx.params.field ?? '').toLowerCase());
      if (!field?.idLookup) {
        throw new ApiError(400, 'INVALID_FIELD', `Field name provided, ${ctx.params.field} is not an External ID or indexed field for ${obj.name}`);
      }
      const batch = await batchBody(ctx);
      for (const r of batch.records) {
        const type = declaredType(r);
        if (type && objectNamed(ctx, type) !== obj) {
          throw new ApiError(400, 'INVALID_TYPE', `sObject type '${type}' does not match the sObject type '${obj.name}' of the request`);
        }
        rejectUnknownColumns(org, obj, r);
      }
      const writes = batch.records.map((r) => () => upsertRecord(org, obj, field.name, r, { userId: user.id, source: 'json' }));
      send(ctx, runBatch(org, batch.allOrNone, writes), true);
    },
    opts,
  );
}
