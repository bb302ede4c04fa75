// sObject rows over REST: create, read (with ?fields=), update, delete, upsert and read by external
// id, blob downloads, and the object's basic-info resource. Collections, composite tree and
// getUpdated/getDeleted live in their own modules and are registered from here.
import { ApiError, NOT_FOUND_MESSAGE, notFound, sendEmpty, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { isValidIdShape } from '../ids.ts';
import type { Org } from '../model.ts';
import type { AuthContext } from '../oauth/sessions.ts';
import { describeGlobalEntry } from '../schema/describe.ts';
import { type FieldDef, getField, getObject, type ObjectDef } from '../schema/types.ts';
import { componentKey } from '../soql/compile.ts';
import type { Row } from '../store/db.ts';
import { q } from '../store/db.ts';
import {
  deleteRecord,
  findByExternalId,
  firstUnknownKey,
  insertRecord,
  type RecordState,
  recordState,
  type SaveError,
  updateRecord,
  upsertRecord,
} from '../store/dml.ts';
import { toJson } from '../store/values.ts';
import { registerCollectionRoutes } from './collections.ts';
import { registerReplicationRoutes } from './replication.ts';
import { registerTreeRoutes } from './tree.ts';
import { apiVersion, dataBase } from './version.ts';

export type JsonRecord = Record<string, unknown>;

export function session(ctx: Ctx): AuthContext {
  if (!ctx.auth) throw new ApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
  return ctx.auth;
}

/** The object named in the path, or 404 as Salesforce answers for an unknown sObject. */
export function pathObject(ctx: Ctx, name = ctx.params.sobject ?? ''): ObjectDef {
  const obj = getObject(ctx.state.schema, name);
  if (!obj) throw notFound();
  return obj;
}

/** DML errors in the REST envelope: `[{message, errorCode, fields}]`. */
export function restErrors(errors: SaveError[]): { message: string; errorCode: string; fields: string[] }[] {
  return errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields }));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function recordBody(ctx: Ctx): Promise<Record<string, unknown>> {
  const body = await ctx.json();
  if (!isPlainObject(body)) throw new ApiError(400, 'JSON_PARSER_ERROR', 'Cannot deserialize instance of sObject from a value that is not a JSON object');
  return body;
}

/** JSON bodies are deserialised before any row is written: an unknown column fails the request. */
export function rejectUnknownColumns(org: Org, obj: ObjectDef, body: Record<string, unknown>): void {
  const key = firstUnknownKey(org.store, obj, body);
  if (key !== undefined) throw new ApiError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${obj.name}`);
}

export function recordUrl(version: string, type: string, id: string): string {
  return `${dataBase(version)}/sobjects/${type}/${id}`;
}

/** `?fields=A,B` (or a `fields` array) as field definitions; unknown names fail like SOQL does. */
export function selectedFields(obj: ObjectDef, names: string[] | undefined): FieldDef[] | undefined {
  if (!names) return undefined;
  const out: FieldDef[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    const f = getField(obj, name);
    if (!f) {
      throw new ApiError(
        400,
        'INVALID_FIELD',
        `No such column '${name}' on entity '${obj.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

/** A stored row as the REST sObject resources return it: every field (or the selected ones), Id last when selected. */
export function recordJson(obj: ObjectDef, row: Row, version: string, fields?: FieldDef[]): JsonRecord {
  const id = String(row.Id);
  const rec: JsonRecord = { attributes: { type: obj.name, url: recordUrl(version, obj.name, id) } };
  for (const f of fields ?? obj.fields) {
    if (f.type === 'address' || f.type === 'location') {
      const parts = obj.fields
        .filter((c) => c.compoundFieldName === f.name && c.stored)
        .map((c) => ({ key: componentKey(f, c), value: toJson(c, row[c.name] ?? null) }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      rec[f.name] = parts.some((p) => p.value !== null) ? Object.fromEntries(parts.map((p) => [p.key, p.value])) : null;
    } else if (f.type === 'base64') {
      rec[f.name] = row[f.name] === null || row[f.name] === undefined ? null : `${recordUrl(version, obj.name, id)}/${f.name}`;
    } else {
      rec[f.name] = toJson(f, row[f.name] ?? null);
    }
  }
  if (fields && !fields.some((f) => f.name === 'Id')) rec.Id = id;
  return rec;
}

function fieldsParam(ctx: Ctx): string[] | undefined {
  const raw = ctx.url.searchParams.get('fields');
  return raw === null ? undefined : raw.split(',');
}

/** Users the OAuth module knows but the store has no row for still answer `GET /sobjects/User/<id>` (sf reads Username). */
function userFallback(ctx: Ctx, obj: ObjectDef, id: string): Row | undefined {
  if (obj.name !== 'User') return undefined;
  const u = [...ctx.state.users.values()].find((x) => x.id.slice(0, 15) === id.slice(0, 15));
  if (!u) return undefined;
  return {
    Id: u.id,
    Username: u.username,
    LastName: u.lastName,
    FirstName: u.firstName,
    Name: `${u.firstName} ${u.lastName}`.trim(),
    Email: u.email,
    IsActive: u.active ? 1 : 0,
    TimeZoneSidKey: u.timezone,
    LocaleSidKey: u.locale,
  };
}

/** The record an id path segment names; non-ids are read as external-id field names by Salesforce. */
function pathRecord(org: Org, obj: ObjectDef, seg: string): RecordState {
  if (!isValidIdShape(seg)) throw new ApiError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${seg}`);
  const st = recordState(org, obj, seg);
  if ('statusCode' in st) throw new ApiError(400, st.statusCode, st.message, st.fields);
  return st;
}

function requireTable(obj: ObjectDef): void {
  if (obj.virtual || !obj.keyPrefix) throw notFound();
}

function entityIsDeleted(): ApiError {
  return new ApiError(404, 'ENTITY_IS_DELETED', 'entity is deleted', []);
}

function sendSaveFailure(ctx: Ctx, errors: SaveError[]): void {
  sendJson(ctx.res, 400, restErrors(errors));
}

const RESERVED = new Set(['describe', 'updated', 'deleted']);

function recentItems(org: Org, obj: ObjectDef, userId: string, version: string): JsonRecord[] {
  if (obj.virtual || !obj.keyPrefix) return [];
  const nameField = obj.fields.find((f) => f.nameField);
  const cols = nameField ? `"Id", ${q(nameField.name)}` : '"Id"';
  const rows = org.store
    .prepare(`SELECT ${cols} FROM ${q(obj.name)} WHERE "IsDeleted" = 0 AND "LastModifiedById" = ? ORDER BY "SystemModstamp" DESC LIMIT 25`)
    .all(userId) as Row[];
  return rows.map((r) => {
    const rec: JsonRecord = { attributes: { type: obj.name, url: recordUrl(version, obj.name, String(r.Id)) }, Id: r.Id };
    if (nameField) rec[nameField.name] = toJson(nameField, r[nameField.name] ?? null);
    return rec;
  });
}

function multipleChoices(ctx: Ctx, version: string, obj: ObjectDef, ids: string[]): void {
  sendJson(
    ctx.res,
    300,
    ids.map((id) => recordUrl(version, obj.name, id)),
  );
}

async function byExternalId(ctx: Ctx, version: string, org: Org, obj: ObjectDef, field: FieldDef, value: string, userId: string): Promise<void> {
  const method = ctx.req.method?.toUpperCase();
  if (method === 'PATCH') {
    const body = await recordBody(ctx);
    rejectUnknownColumns(org, obj, body);
    if (field.name !== 'Id') {
      const matches = findByExternalId(org, obj, field, value);
      if (matches.length > 1) return multipleChoices(ctx, version, obj, matches);
    }
    const values: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) if (k.toLowerCase() !== field.name.toLowerCase()) values[k] = v;
    values[field.name] = value;
    const res = upsertRecord(org, obj, field.name, values, { userId, source: 'json' });
    if (!res.success) {
      if (res.errors[0]?.statusCode === 'ENTITY_IS_DELETED') throw entityIsDeleted();
      return sendSaveFailure(ctx, res.errors);
    }
    const modern = Number(version) >= 46;
    if (res.created) {
      return sendJson(ctx.res, 201, modern ? { id: res.id, success: true, errors: [], created: true } : { id: res.id, success: true, errors: [] });
    }
    if (!modern) return sendEmpty(ctx.res, 204);
    return sendJson(ctx.res, 200, { id: res.id, success: true, errors: [], created: false });
  }
  const ids = field.name === 'Id' ? [pathRecord(org, obj, value)].filter((s) => s.state === 'live').map((s) => s.id) : findByExternalId(org, obj, field, value);
  if (ids.length === 0) throw notFound();
  if (ids.length > 1) return multipleChoices(ctx, version, obj, ids);
  const id = ids[0] as string;
  if (method === 'DELETE') {
    const res = deleteRecord(org, obj, id, { userId, source: 'json' });
    if (!res.success) return sendSaveFailure(ctx, res.errors);
    return sendEmpty(ctx.res, 204);
  }
  const row = org.store.get(obj, id);
  if (!row) throw notFound();
  sendJson(ctx.res, 200, recordJson(obj, row, version, selectedFields(obj, fieldsParam(ctx))));
}

function blob(ctx: Ctx, org: Org, obj: ObjectDef, id: string, field: FieldDef): void {
  const st = pathRecord(org, obj, id);
  if (st.state !== 'live') throw notFound();
  const v = st.row[field.name];
  if (!(v instanceof Uint8Array)) throw notFound();
  ctx.res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': v.byteLength });
  ctx.res.end(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
}

export function registerRecordRoutes(router: Router): void {
  const opts = { auth: 'bearer' as const };
  registerReplicationRoutes(router);
  registerCollectionRoutes(router);
  registerTreeRoutes(router);

  router.add(
    ['GET', 'POST'],
    '/services/data/:version/sobjects/:sobject',
    async (ctx) => {
      const version = apiVersion(ctx);
      const { org, user } = session(ctx);
      const obj = pathObject(ctx);
      if (ctx.req.method?.toUpperCase() === 'GET') {
        sendJson(ctx.res, 200, { objectDescribe: describeGlobalEntry(obj, version), recentItems: recentItems(org, obj, user.id, version) });
        return;
      }
      const body = await recordBody(ctx);
      rejectUnknownColumns(org, obj, body);
      const res = insertRecord(org, obj, body, { userId: user.id, source: 'json' });
      if (!res.success) return sendSaveFailure(ctx, res.errors);
      sendJson(ctx.res, 201, { id: res.id, success: true, errors: [] });
    },
    opts,
  );

  router.add(
    ['GET', 'PATCH', 'DELETE'],
    '/services/data/:version/sobjects/:sobject/:id',
    async (ctx) => {
      const version = apiVersion(ctx);
      const { org, user } = session(ctx);
      const obj = pathObject(ctx);
      const seg = ctx.params.id ?? '';
      const method = ctx.req.method?.toUpperCase() ?? 'GET';
      if (RESERVED.has(seg)) throw new ApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET`);
      if (method === 'GET') {
        const fields = selectedFields(obj, fieldsParam(ctx));
        const fallback = isValidIdShape(seg) && seg.startsWith(obj.keyPrefix ?? '#') ? userFallback(ctx, obj, seg) : undefined;
        requireTable(obj);
        const st = pathRecord(org, obj, seg);
        const row = st.state === 'live' ? st.row : st.state === 'missing' ? fallback : undefined;
        if (!row) throw notFound();
        sendJson(ctx.res, 200, recordJson(obj, row, version, fields));
        return;
      }
      requireTable(obj);
      const st = pathRecord(org, obj, seg);
      if (st.state === 'deleted') throw entityIsDeleted();
      if (st.state === 'missing') throw notFound();
      if (method === 'PATCH') {
        const body = await recordBody(ctx);
        rejectUnknownColumns(org, obj, body);
        const res = updateRecord(org, obj, st.id, body, { userId: user.id, source: 'json' });
        if (!res.success) return sendSaveFailure(ctx, res.errors);
        return sendEmpty(ctx.res, 204);
      }
      const res = deleteRecord(org, obj, st.id, { userId: user.id, source: 'json' });
      if (!res.success) return sendSaveFailure(ctx, res.errors);
      sendEmpty(ctx.res, 204);
    },
    opts,
  );

  router.add(
    ['GET', 'PATCH', 'DELETE'],
    '/services/data/:version/sobjects/:sobject/:a/:b',
    async (ctx) => {
      const version = apiVersion(ctx);
      const { org, user } = session(ctx);
      const obj = pathObject(ctx);
      requireTable(obj);
      const a = ctx.params.a ?? '';
      const b = ctx.params.b ?? '';
      const method = ctx.req.method?.toUpperCase() ?? 'GET';
      const field = getField(obj, a);
      if (field) {
        if (!field.idLookup) throw new ApiError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${a}`);
        return byExternalId(ctx, version, org, obj, field, b, user.id);
      }
      const blobField = getField(obj, b);
      if (isValidIdShape(a) && blobField?.type === 'base64') {
        if (method !== 'GET') throw new ApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET`);
        return blob(ctx, org, obj, a, blobField);
      }
      if (isValidIdShape(a)) throw new ApiError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
      throw new ApiError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${a}`);
    },
    opts,
  );
}
