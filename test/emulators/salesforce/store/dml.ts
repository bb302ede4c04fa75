// The record-write layer: every write path (REST sObject rows, sObject Collections, composite tree,
// Bulk API 2.0 ingest, the control surface) validates and writes through here, so all of them
// report the same Salesforce errors for the same mistakes.
import { createHash } from 'node:crypto';
import { isValidIdShape, to18 } from '../ids.ts';
import type { Org } from '../model.ts';
import { SYSTEM_FIELDS } from '../schema/define.ts';
import { OPPORTUNITY_STAGES } from '../schema/objects/system.ts';
import { type FieldDef, getField, type ObjectDef } from '../schema/types.ts';
import { type OrgStore, q, type Row } from './db.ts';
import { FieldValueError, type SqlValue, toStorage } from './values.ts';

export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export interface SaveResult {
  id?: string;
  success: boolean;
  /** insert/upsert: whether a record was created. */
  created?: boolean;
  errors: SaveError[];
}

export interface DmlOptions {
  userId: string;
  /**
   * `json`: REST bodies (null = set null). `csv`: Bulk ingest cells (empty = no value / leave as is,
   * `#N/A` = set null). Keys may be relationship paths by external id: `Account.Ext_Id__c`,
   * polymorphic `Owner:User.Username`.
   */
  source: 'json' | 'csv';
  /** Lets this insert set the audit fields even when the org permission is off (control surface). */
  allowAuditFields?: boolean;
}

/** The CSV cell that means "set this field to null". */
export const CSV_NULL = '#N/A';

const AUDIT_ON_CREATE = new Set(['createddate', 'createdbyid', 'lastmodifieddate', 'lastmodifiedbyid']);
const SYSTEM = new Set(SYSTEM_FIELDS.map((f) => f.toLowerCase()));

export function saveError(statusCode: string, message: string, fields: string[] = []): SaveError {
  return { statusCode, message, fields };
}

function failed(errors: SaveError[], id?: string): SaveResult {
  return id ? { id, success: false, errors } : { success: false, errors };
}

export const ENTITY_IS_DELETED = (): SaveError => saveError('ENTITY_IS_DELETED', 'entity is deleted');
const INVALID_CROSS_REFERENCE = (): SaveError => saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');

export function noSuchColumn(obj: ObjectDef, key: string): SaveError {
  return saveError('INVALID_FIELD', `No such column '${key}' on sobject of type ${obj.name}`);
}

export function notExternalIdField(obj: ObjectDef, name: string): SaveError {
  return saveError('INVALID_FIELD', `Field name provided, ${name} is not an External ID or indexed field for ${obj.name}`);
}

function malformedId(obj: ObjectDef, id: string): SaveError {
  const idField = getField(obj, 'Id');
  return saveError('MALFORMED_ID', `${idField?.label ?? `${obj.label} ID`}: id value of incorrect type: ${id}`, ['Id']);
}

// ---------------------------------------------------------------------------------------------
// Columns

/** What a key of a record body (or a CSV header) writes to. */
export type WriteColumn =
  | { kind: 'field'; field: FieldDef }
  /** A parent looked up by one of its idLookup fields; the reference field gets the parent's id. */
  | { kind: 'parent'; field: FieldDef; target: ObjectDef; lookup: FieldDef };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function parentColumn(store: OrgStore, obj: ObjectDef, rel: string, typeName: string | undefined, lookupName: string, key: string): WriteColumn | SaveError {
  const field = obj.relationshipMap.get(rel.toLowerCase());
  if (!field) return noSuchColumn(obj, key);
  let targetName = typeName;
  if (!targetName) {
    if (field.referenceTo.length !== 1) return noSuchColumn(obj, key);
    targetName = field.referenceTo[0] as string;
  }
  const target = store.object(targetName);
  if (!target || !field.referenceTo.some((r) => r.toLowerCase() === targetName.toLowerCase())) return noSuchColumn(obj, key);
  const lookup = getField(target, lookupName);
  if (!lookup) return noSuchColumn(obj, key);
  if (!lookup.idLookup) return notExternalIdField(target, lookup.name);
  return { kind: 'parent', field, target, lookup };
}

/**
 * Resolves a body key or CSV header: a field name, a CSV parent path (`Account.Ext_Id__c`,
 * `Owner:User.Username`), or, for JSON, a relationship name whose value is `{"Ext_Id__c": "x"}`
 * (with `attributes.type` for polymorphic ones).
 */
export function resolveColumn(store: OrgStore, obj: ObjectDef, key: string, jsonValue?: unknown): WriteColumn | SaveError {
  const field = getField(obj, key);
  if (field) return { kind: 'field', field };
  const m = /^([A-Za-z0-9_]+)(?::([A-Za-z0-9_]+))?\.([A-Za-z0-9_]+)$/.exec(key);
  if (m) return parentColumn(store, obj, m[1] as string, m[2], m[3] as string, key);
  if (isPlainObject(jsonValue) && obj.relationshipMap.has(key.toLowerCase())) {
    const attrs = jsonValue.attributes;
    const type = isPlainObject(attrs) && typeof attrs.type === 'string' ? attrs.type : undefined;
    const keys = Object.keys(jsonValue).filter((k) => k !== 'attributes');
    if (keys.length !== 1) return noSuchColumn(obj, key);
    return parentColumn(store, obj, key, type, keys[0] as string, key);
  }
  return noSuchColumn(obj, key);
}

/** The first key of a JSON record body that names nothing on the object (REST rejects the request). */
export function firstUnknownKey(store: OrgStore, obj: ObjectDef, values: Record<string, unknown>): string | undefined {
  for (const [k, v] of Object.entries(values)) {
    if (k === 'attributes') continue;
    const col = resolveColumn(store, obj, k, v);
    if ('statusCode' in col && col.message.startsWith('No such column')) return k;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Lookups

function ensureLookupIndex(store: OrgStore, obj: ObjectDef, field: FieldDef): void {
  // Unique and external-id checks run once per written row; without an index a Bulk load is quadratic.
  const collate = isText(field) && !field.caseSensitive ? ' COLLATE NOCASE' : '';
  store.db.exec(`CREATE INDEX IF NOT EXISTS ${q(`${obj.name}_${field.name}_lk`)} ON ${q(obj.name)} (${q(field.name)}${collate})`);
}

function isText(field: FieldDef): boolean {
  return columnIsText(field.type);
}

function columnIsText(t: FieldDef['type']): boolean {
  return !['boolean', 'int', 'long', 'double', 'currency', 'percent', 'base64'].includes(t);
}

/** Live (not deleted) rows whose `field` equals `stored`, case-insensitively unless the field is case-sensitive. */
function matchLive(store: OrgStore, obj: ObjectDef, field: FieldDef, stored: SqlValue, limit = 1000): string[] {
  if (field.name !== 'Id') ensureLookupIndex(store, obj, field);
  const collate = isText(field) && !field.caseSensitive && field.name !== 'Id' ? ' COLLATE NOCASE' : '';
  const rows = store
    .prepare(`SELECT "Id" FROM ${q(obj.name)} WHERE ${q(field.name)} = ?${collate} AND "IsDeleted" = 0 ORDER BY "Id" LIMIT ${limit}`)
    .all(stored) as { Id: string }[];
  return rows.map((r) => r.Id);
}

/** Ids of live records whose external-id (or other idLookup) field equals `value`. */
export function findByExternalId(org: Org, obj: ObjectDef, field: FieldDef, value: unknown): string[] {
  let stored: SqlValue;
  try {
    stored = toStorage(field, value);
  } catch {
    return [];
  }
  if (stored === null) return [];
  return matchLive(org.store, obj, field, stored);
}

export type RecordState = { state: 'live'; id: string; row: Row } | { state: 'deleted'; id: string; row?: Row } | { state: 'missing'; id: string };

/** Normalises an id of `obj` and says whether it is live, deleted (recycle bin or purged) or unknown. */
export function recordState(org: Org, obj: ObjectDef, id: string): RecordState | SaveError {
  if (!isValidIdShape(id) || id.slice(0, 3) !== obj.keyPrefix) return malformedId(obj, id);
  const nid = to18(id.slice(0, 15));
  const row = org.store.get(obj, nid, { includeDeleted: true });
  if (row) return Number(row.IsDeleted) ? { state: 'deleted', id: nid, row } : { state: 'live', id: nid, row };
  const gone = org.store.prepare('SELECT 1 AS x FROM _deleted WHERE Id = ?').get(nid);
  return gone ? { state: 'deleted', id: nid } : { state: 'missing', id: nid };
}

// ---------------------------------------------------------------------------------------------
// Validation

function isSaveError(v: unknown): v is SaveError {
  return isPlainObject(v) && typeof v.statusCode === 'string';
}

function writable(org: Org, field: FieldDef, mode: 'insert' | 'update', opts: DmlOptions): boolean {
  if (!field.stored) return false;
  if (mode === 'update') return field.updateable;
  if (field.createable) return true;
  return (opts.allowAuditFields ?? org.allowAuditFieldsOnCreate) && AUDIT_ON_CREATE.has(field.name.toLowerCase());
}

function requiredOnInsert(field: FieldDef): boolean {
  return field.stored && field.createable && !field.nillable && !field.defaultedOnCreate && field.type !== 'boolean' && field.type !== 'id';
}

interface Entry {
  key: string;
  col: WriteColumn;
  value: unknown;
}

/** Input value after the source's conventions: undefined = not given, null = set null. */
function inputValue(raw: unknown, source: DmlOptions['source']): unknown {
  if (source === 'csv') {
    if (raw === undefined || raw === '') return undefined;
    if (raw === CSV_NULL) return null;
  }
  return raw;
}

function checkReference(store: OrgStore, field: FieldDef, id: string, owner?: ObjectDef): SaveError | undefined {
  const target = store.objectOfId(id);
  if (!target || !field.referenceTo.some((r) => r.toLowerCase() === target.name.toLowerCase())) {
    return saveError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${id}`, [field.name]);
  }
  if (target.virtual || !target.keyPrefix) return undefined;
  // Only what the check needs: a parent's whole row (long text areas included) per lookup would
  // make every insert of a child pay for its parent's size.
  const cols = target.name === 'RecordType' ? '"IsDeleted", "SobjectType"' : '"IsDeleted"';
  const row = store.prepare(`SELECT ${cols} FROM ${q(target.name)} WHERE "Id" = ?`).get(id) as Row | undefined;
  if (!row || Number(row.IsDeleted) !== 0) return INVALID_CROSS_REFERENCE();
  if (field.name === 'RecordTypeId' && owner && typeof row.SobjectType === 'string' && row.SobjectType !== owner.name) {
    return saveError('INVALID_CROSS_REFERENCE_KEY', `${field.label}: this ID value isn't valid for the user: ${id}`, [field.name]);
  }
  return undefined;
}

/**
 * Turns a record body into storage values for one insert or update, or the errors Salesforce would
 * report, in its order: unknown columns, read-only columns, bad values, missing required fields,
 * dangling references, duplicates.
 */
function prepareRow(
  org: Org,
  obj: ObjectDef,
  values: Record<string, unknown>,
  opts: DmlOptions,
  mode: 'insert' | 'update',
  selfId?: string,
): Row | SaveError[] {
  const store = org.store;
  const entries: Entry[] = [];
  const readOnly: string[] = [];
  for (const [key, raw] of Object.entries(values)) {
    if (opts.source === 'json' && key === 'attributes') continue;
    const value = inputValue(raw, opts.source);
    if (value === undefined) continue;
    const col = resolveColumn(store, obj, key, value);
    if (isSaveError(col)) return [col];
    if (col.field.name === 'Id') {
      if (value === null || (mode === 'update' && typeof value === 'string' && selfId && value.slice(0, 15) === selfId.slice(0, 15))) continue;
    }
    if (!writable(org, col.field, mode, opts)) {
      if (!readOnly.includes(col.field.name)) readOnly.push(col.field.name);
      continue;
    }
    entries.push({ key, col, value });
  }
  if (readOnly.length) {
    return [
      saveError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        readOnly,
      ),
    ];
  }

  const row: Row = {};
  const errors: SaveError[] = [];
  const setNull: FieldDef[] = [];
  for (const e of entries) {
    const f = e.col.field;
    if (e.col.kind === 'parent') {
      if (e.value === null) {
        row[f.name] = null;
        setNull.push(f);
        continue;
      }
      const lookupValue = isPlainObject(e.value) ? (e.value[e.col.lookup.name] ?? Object.entries(e.value).find(([k]) => k !== 'attributes')?.[1]) : e.value;
      const ids = findByExternalId(org, e.col.target, e.col.lookup, lookupValue);
      if (ids.length === 0) {
        errors.push(
          saveError('INVALID_FIELD', `Foreign key external ID: ${String(lookupValue)} not found for field ${e.col.lookup.name} in entity ${e.col.target.name}`),
        );
      } else if (ids.length > 1) {
        errors.push(saveError('DUPLICATE_EXTERNAL_ID', `${e.col.lookup.label}: more than one record found for external id field: [${ids.join(', ')}]`));
      } else {
        row[f.name] = ids[0] as string;
      }
      continue;
    }
    try {
      // The API stores a null checkbox as false.
      const v = f.type === 'boolean' && e.value === null ? 0 : toStorage(f, e.value);
      row[f.name] = v;
      if (v === null) setNull.push(f);
    } catch (err) {
      if (!(err instanceof FieldValueError)) throw err;
      errors.push(saveError(err.statusCode, err.message, err.fields));
    }
  }
  if (errors.length) return errors;

  if (mode === 'insert') {
    for (const f of obj.fields) {
      if (!f.stored || f.name in row || SYSTEM.has(f.name.toLowerCase()) || f.calculated || f.autoNumber) continue;
      if (f.defaultValue !== null && f.defaultValue !== undefined) row[f.name] = toStorage(f, f.defaultValue);
      else if (f.type === 'boolean') row[f.name] = 0;
    }
    const missing = obj.fields.filter((f) => requiredOnInsert(f) && (row[f.name] === undefined || row[f.name] === null)).map((f) => f.name);
    if (missing.length) return [saveError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing)];
  } else {
    const missing = setNull.filter((f) => !f.nillable && f.type !== 'boolean').map((f) => f.name);
    if (missing.length) return [saveError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing)];
  }

  for (const e of entries) {
    const f = e.col.field;
    const v = row[f.name];
    if (f.type !== 'reference' || typeof v !== 'string') continue;
    const bad = checkReference(store, f, v, obj);
    if (bad) return [bad];
  }

  for (const f of obj.fields) {
    if (!f.unique || !f.stored) continue;
    const v = row[f.name];
    if (v === undefined || v === null) continue;
    const other = matchLive(store, obj, f, v, 2).find((id) => id !== selfId);
    if (other) return [saveError('DUPLICATE_VALUE', `duplicate value found: ${f.name} duplicates value on record with id: ${other}`)];
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// Auto-number

function autoNumberPattern(format: string | null): RegExp {
  if (!format) return /^(\d+)$/;
  let src = '';
  let rest = format;
  while (rest.length) {
    const m = /\{(0+|YYYY|YY|MM|DD)\}/.exec(rest);
    if (!m) {
      src += rest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      break;
    }
    src += rest.slice(0, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    src += (m[1] as string).startsWith('0') ? '(\\d+)' : '\\d+';
    rest = rest.slice(m.index + m[0].length);
  }
  return new RegExp(`^${src}$`);
}

function formatAutoNumber(format: string | null, n: number): string {
  if (!format) return String(n);
  const d = new Date();
  return format
    .replace(/\{(0+)\}/, (_, zeros: string) => String(n).padStart(zeros.length, '0'))
    .replace('{YYYY}', String(d.getUTCFullYear()))
    .replace('{YY}', String(d.getUTCFullYear()).slice(2))
    .replace('{MM}', String(d.getUTCMonth() + 1).padStart(2, '0'))
    .replace('{DD}', String(d.getUTCDate()).padStart(2, '0'));
}

/** The next number of an auto-number field; kept in SQLite so a rolled-back insert gives it back. */
function nextAutoNumber(store: OrgStore, obj: ObjectDef, field: FieldDef): string {
  store.db.exec('CREATE TABLE IF NOT EXISTS _autonumber (object TEXT NOT NULL, field TEXT NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (object, field))');
  const got = store.prepare('SELECT last FROM _autonumber WHERE object = ? AND field = ?').get(obj.name, field.name) as { last: number } | undefined;
  let last = got ? Number(got.last) : 0;
  if (!got) {
    // Rows written by the generator or the store directly already carry numbers: continue after them.
    const re = autoNumberPattern(field.displayFormat);
    for (const r of store.prepare(`SELECT ${q(field.name)} AS v FROM ${q(obj.name)}`).all() as { v: SqlValue }[]) {
      const m = typeof r.v === 'string' ? re.exec(r.v) : null;
      if (m?.[1]) last = Math.max(last, Number(m[1]));
    }
  }
  last += 1;
  store.prepare('INSERT OR REPLACE INTO _autonumber (object, field, last) VALUES (?, ?, ?)').run(obj.name, field.name, last);
  return formatAutoNumber(field.displayFormat, last);
}

// ---------------------------------------------------------------------------------------------
// Fields the platform maintains (what triggers and formulas do in a real org), kept consistent
// with the generator so restored rows look like generated ones.

const FILE_TYPES: Record<string, string> = {
  png: 'PNG',
  jpg: 'JPG',
  jpeg: 'JPEG',
  gif: 'GIF',
  pdf: 'PDF',
  txt: 'TEXT',
  csv: 'CSV',
  zip: 'ZIP',
  doc: 'WORD',
  docx: 'WORD_X',
  xls: 'EXCEL',
  xlsx: 'EXCEL_X',
  ppt: 'POWER_POINT',
  pptx: 'POWER_POINT_X',
  json: 'JSON',
  xml: 'XML',
  html: 'HTML',
};

type Derive = (org: Org, row: Row, current: Row | undefined) => void;

function merged(row: Row, current: Row | undefined, name: string): SqlValue | undefined {
  return name in row ? row[name] : current?.[name];
}

const personName: Derive = (_org, row, current) => {
  if (current && !('FirstName' in row) && !('LastName' in row)) return;
  const first = merged(row, current, 'FirstName');
  const last = merged(row, current, 'LastName');
  row.Name = first ? `${String(first)} ${String(last ?? '')}`.trim() : last === undefined ? null : last;
};

const DERIVE: Record<string, Derive> = {
  Contact: personName,
  Lead: personName,
  User: personName,
  Opportunity: (org, row, current) => {
    if (!('StageName' in row)) return;
    const stage = OPPORTUNITY_STAGES.find((s) => s.name === row.StageName);
    if (!stage) return;
    row.IsClosed = stage.closed ? 1 : 0;
    row.IsWon = stage.won ? 1 : 0;
    if (row.Probability === undefined || row.Probability === null) row.Probability = stage.probability;
    if (row.ForecastCategoryName === undefined || row.ForecastCategoryName === null) row.ForecastCategoryName = stage.forecast;
    if (!current || current.StageName !== row.StageName) row.LastStageChangeDate = org.store.stamp();
  },
  Case: (org, row, current) => {
    if (!('Status' in row)) return;
    const closed = row.Status === 'Closed';
    row.IsClosed = closed ? 1 : 0;
    if (closed && !current?.ClosedDate) row.ClosedDate = org.store.stamp();
    if (!closed) row.ClosedDate = null;
  },
  Task: (_org, row, current) => {
    if ('Status' in row) row.IsClosed = row.Status === 'Completed' ? 1 : 0;
    if ('Priority' in row) row.IsHighPriority = row.Priority === 'High' ? 1 : 0;
    if (!current && (row.TaskSubtype === undefined || row.TaskSubtype === null)) row.TaskSubtype = 'Task';
  },
  Attachment: (_org, row) => {
    if (row.Body instanceof Uint8Array) row.BodyLength = row.Body.length;
  },
};

function bytesOf(v: SqlValue | undefined): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array();
}

/**
 * Inserting a ContentVersion publishes a file: without ContentDocumentId it creates the
 * ContentDocument (version 1); with one it adds the next version and makes it the latest.
 */
function insertContentVersion(org: Org, obj: ObjectDef, row: Row, opts: DmlOptions, keepAuditFields: boolean): string {
  const store = org.store;
  const docObj = store.object('ContentDocument');
  const data = bytesOf(row.VersionData);
  const path = typeof row.PathOnClient === 'string' ? row.PathOnClient : '';
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase() ?? '';
  const file = { FileType: FILE_TYPES[ext] ?? 'UNKNOWN', FileExtension: ext || null, ContentSize: data.length };
  Object.assign(row, file, { IsLatest: 1, Checksum: createHash('md5').update(data).digest('hex') });
  const ctx = { userId: opts.userId, keepAuditFields };
  if (!docObj) return store.insert(obj, { ...row, VersionNumber: '1' }, ctx);
  const docId = typeof row.ContentDocumentId === 'string' ? row.ContentDocumentId : undefined;
  if (!docId) {
    const doc = store.insert(
      docObj,
      { OwnerId: row.OwnerId ?? opts.userId, Title: row.Title ?? null, Description: row.Description ?? null, ...file, PublishStatus: 'P' },
      { userId: opts.userId },
    );
    const id = store.insert(obj, { ...row, ContentDocumentId: doc, VersionNumber: '1' }, ctx);
    store.update(docObj, doc, { LatestPublishedVersionId: id }, { userId: opts.userId });
    return id;
  }
  const versions = store.prepare(`SELECT "Id", "IsLatest" FROM ${q(obj.name)} WHERE "ContentDocumentId" = ?`).all(docId) as { Id: string; IsLatest: number }[];
  for (const v of versions) if (Number(v.IsLatest)) store.update(obj, v.Id, { IsLatest: 0 }, { userId: opts.userId });
  const id = store.insert(obj, { ...row, VersionNumber: String(versions.length + 1) }, ctx);
  store.update(docObj, docId, { LatestPublishedVersionId: id, Title: row.Title ?? null, ...file }, { userId: opts.userId });
  return id;
}

// ---------------------------------------------------------------------------------------------
// Transactions

let savepointSeq = 0;

/**
 * Runs `fn` inside a savepoint and rolls everything it wrote back when `keep` says so (allOrNone,
 * composite tree) or when it throws. Savepoints nest, also inside a caller's `store.transaction`.
 */
export function atomically<T>(org: Org, fn: () => T, keep: (out: T) => boolean = () => true): T {
  const name = `dml_${++savepointSeq}`;
  const db = org.store.db;
  db.exec(`SAVEPOINT ${name}`);
  let out: T;
  try {
    out = fn();
  } catch (err) {
    db.exec(`ROLLBACK TO ${name}`);
    db.exec(`RELEASE ${name}`);
    throw err;
  }
  if (!keep(out)) db.exec(`ROLLBACK TO ${name}`);
  db.exec(`RELEASE ${name}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Operations

function objectError(obj: ObjectDef, op: 'insert' | 'update' | 'delete'): SaveError | undefined {
  if (obj.virtual || !obj.keyPrefix) return saveError('INVALID_TYPE', `sObject type '${obj.name}' is not supported.`);
  const allowed = op === 'insert' ? obj.flags.createable : op === 'update' ? obj.flags.updateable : obj.flags.deletable;
  if (!allowed) return saveError('INVALID_TYPE_FOR_OPERATION', `entity type ${obj.name} does not support ${op}`);
  return undefined;
}

export function insertRecord(org: Org, obj: ObjectDef, values: Record<string, unknown>, opts: DmlOptions): SaveResult {
  const bad = objectError(obj, 'insert');
  if (bad) return failed([bad]);
  const row = prepareRow(org, obj, values, opts, 'insert');
  if (Array.isArray(row)) return failed(row);
  for (const f of obj.fields) {
    if (f.autoNumber && f.stored) row[f.name] = nextAutoNumber(org.store, obj, f);
  }
  DERIVE[obj.name]?.(org, row, undefined);
  const keepAuditFields = Object.keys(row).some((k) => AUDIT_ON_CREATE.has(k.toLowerCase()));
  const id =
    obj.name === 'ContentVersion'
      ? insertContentVersion(org, obj, row, opts, keepAuditFields)
      : org.store.insert(obj, row, { userId: opts.userId, keepAuditFields });
  return { id, success: true, created: true, errors: [] };
}

function liveRecord(org: Org, obj: ObjectDef, id: string): { id: string; row: Row } | SaveError {
  const st = recordState(org, obj, id);
  if (isSaveError(st)) return st;
  if (st.state === 'deleted') return ENTITY_IS_DELETED();
  if (st.state === 'missing') return INVALID_CROSS_REFERENCE();
  return { id: st.id, row: st.row };
}

export function updateRecord(org: Org, obj: ObjectDef, id: string, values: Record<string, unknown>, opts: DmlOptions): SaveResult {
  const bad = objectError(obj, 'update');
  if (bad) return failed([bad]);
  const rec = liveRecord(org, obj, id);
  if (isSaveError(rec)) return failed([rec], isValidIdShape(id) ? id : undefined);
  const row = prepareRow(org, obj, values, opts, 'update', rec.id);
  if (Array.isArray(row)) return failed(row, rec.id);
  DERIVE[obj.name]?.(org, row, rec.row);
  org.store.update(obj, rec.id, row, { userId: opts.userId });
  return { id: rec.id, success: true, errors: [] };
}

/** Upsert by an external-id (or idLookup) field; `Id` as the key updates by id. */
export function upsertRecord(org: Org, obj: ObjectDef, keyField: string, values: Record<string, unknown>, opts: DmlOptions): SaveResult {
  const bad = objectError(obj, 'insert');
  if (bad) return failed([bad]);
  const key = getField(obj, keyField);
  if (!key) return failed([noSuchColumn(obj, keyField)]);
  if (!key.idLookup) return failed([notExternalIdField(obj, key.name)]);
  const rest: Record<string, unknown> = {};
  let keyValue: unknown;
  for (const [k, v] of Object.entries(values)) {
    if (k.toLowerCase() === key.name.toLowerCase()) keyValue = inputValue(v, opts.source);
    else rest[k] = v;
  }
  const blank = keyValue === undefined || keyValue === null || keyValue === '';
  if (key.name === 'Id') {
    if (blank) return insertRecord(org, obj, rest, opts);
    const res = updateRecord(org, obj, String(keyValue), rest, opts);
    return { ...res, created: false };
  }
  if (blank) return insertRecord(org, obj, rest, opts);
  const matches = findByExternalId(org, obj, key, keyValue);
  if (matches.length > 1) {
    return failed([saveError('DUPLICATE_EXTERNAL_ID', `${key.label}: more than one record found for external id field: [${matches.join(', ')}]`)]);
  }
  if (matches.length === 1) {
    const res = updateRecord(org, obj, matches[0] as string, rest, opts);
    return res.success ? { ...res, created: false } : res;
  }
  return insertRecord(org, obj, { ...rest, [key.name]: keyValue }, opts);
}

/** Soft delete to the Recycle Bin (with the cascade), or hard delete (purge) when `hard` is set. */
export function deleteRecord(org: Org, obj: ObjectDef, id: string, opts: DmlOptions & { hard?: boolean }): SaveResult {
  const bad = objectError(obj, 'delete');
  if (bad) return failed([bad]);
  const rec = liveRecord(org, obj, id);
  if (isSaveError(rec)) return failed([rec], isValidIdShape(id) ? id : undefined);
  if (opts.hard && !org.allowHardDelete) return failed([saveError('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id')], rec.id);
  const out = org.store.softDeleteChecked(obj, rec.id, { userId: opts.userId });
  if ('blockedBy' in out) {
    const { object: child, ids } = out.blockedBy;
    return failed(
      [
        saveError(
          'DELETE_FAILED',
          `Your attempt to delete ${obj.label} ${rec.id} could not be completed because it is associated with the following ${child.labelPlural.toLowerCase()}.: ${ids.join(', ')}`,
        ),
      ],
      rec.id,
    );
  }
  if (opts.hard) org.store.purge(obj, rec.id);
  return { id: rec.id, success: true, errors: [] };
}

const NOT_IN_RECYCLE_BIN = (): SaveError => saveError('UNDELETE_FAILED', 'Entity is not in the recycle bin');

/**
 * Undelete (SOAP `undelete()`, the control surface): a record deleted by itself comes back with its
 * original Id and brings back what was deleted along with it. A record deleted along with another is
 * not in the Recycle Bin on its own: it comes back with that record only. `restoredInCall` holds the
 * ids an earlier id of the same call already brought back (they succeed again).
 */
export function undeleteRecord(org: Org, obj: ObjectDef, id: string, opts: Pick<DmlOptions, 'userId'>, restoredInCall?: Set<string>): SaveResult {
  const st = recordState(org, obj, id);
  if (isSaveError(st)) return failed([st]);
  if (st.state === 'missing') return failed([saveError('INVALID_ID_FIELD', 'invalid record id')], st.id);
  if (st.state === 'live') return restoredInCall?.has(st.id) ? { id: st.id, success: true, errors: [] } : failed([NOT_IN_RECYCLE_BIN()], st.id);
  if (!st.row) return failed([NOT_IN_RECYCLE_BIN()], st.id);
  if (!obj.flags.undeletable) return failed([saveError('INVALID_TYPE_FOR_OPERATION', `entity type ${obj.name} does not support undelete`)], st.id);
  if (org.store.deletedWith(st.id)) return failed([NOT_IN_RECYCLE_BIN()], st.id);
  // A record deleted by itself whose parent went to the bin later must wait for that parent.
  for (const f of obj.fields) {
    if (f.type !== 'reference' || !(f.cascadeDelete || f.deletedWithParent)) continue;
    const parentId = st.row[f.name];
    if (typeof parentId !== 'string') continue;
    const parentObj = org.store.objectOfId(parentId);
    if (!parentObj || parentObj.virtual || !parentObj.keyPrefix) continue;
    const parent = recordState(org, parentObj, parentId);
    if (isSaveError(parent) || parent.state === 'live') continue;
    if (parent.state === 'deleted' && parent.row) {
      return failed([saveError('UNDELETE_FAILED', `Undelete failed. First undelete ${parentObj.label}, Id: ${parent.id}`)], st.id);
    }
    if (!f.nillable) return failed([saveError('UNDELETE_FAILED', `Undelete failed. ${f.label}: the parent record was permanently deleted`)], st.id);
  }
  const restored = org.store.undelete(obj, st.id, { userId: opts.userId });
  for (const f of obj.fields) {
    // A nillable lookup to a parent purged meanwhile comes back empty.
    if (f.type !== 'reference' || !(f.cascadeDelete || f.deletedWithParent) || !f.nillable) continue;
    const parentId = st.row[f.name];
    if (typeof parentId === 'string' && !org.store.exists(parentId, { includeDeleted: true })) {
      org.store.prepare(`UPDATE ${q(obj.name)} SET ${q(f.name)} = NULL WHERE "Id" = ?`).run(st.id);
    }
  }
  for (const r of restored) restoredInCall?.add(r);
  return { id: st.id, success: true, errors: [] };
}

/**
 * SOAP `emptyRecycleBin()` for one id: a record deleted by itself is purged with everything deleted
 * along with it. Ids of records deleted along with another, of live records and of purged ones fail.
 */
export function emptyRecycleBinRecord(org: Org, id: string): SaveResult {
  const obj = isValidIdShape(id) ? org.store.objectOfId(id) : undefined;
  if (!obj || obj.virtual || !obj.keyPrefix) return failed([saveError('MALFORMED_ID', `malformed id ${id}`)]);
  const st = recordState(org, obj, id);
  if (isSaveError(st)) return failed([st]);
  if (st.state === 'missing') return failed([saveError('INVALID_ID_FIELD', 'invalid record id')], st.id);
  if (st.state === 'live' || !st.row || org.store.deletedWith(st.id)) return failed([saveError('INVALID_ID_FIELD', 'Entity is not in the recycle bin')], st.id);
  org.store.purge(obj, st.id);
  return { id: st.id, success: true, errors: [] };
}

/**
 * Empties the Recycle Bin, or part of it (control surface): records deleted by themselves, each with
 * what was deleted along with it. Returns every id purged.
 */
export function purgeRecycleBin(org: Org, opts: { id?: string; ids?: string[]; deletedBefore?: string } = {}): string[] {
  const store = org.store;
  const purged: string[] = [];
  const wanted = [...(opts.id ? [opts.id] : []), ...(opts.ids ?? [])].filter(isValidIdShape).map((i) => to18(i.slice(0, 15)));
  const where = ['purged = 0', 'cascadeOf IS NULL'];
  const params: SqlValue[] = [];
  if (opts.id !== undefined || opts.ids !== undefined) where.push(`Id IN (${wanted.map(() => '?').join(', ') || 'NULL'})`);
  params.push(...wanted);
  if (opts.deletedBefore) {
    where.push('deletedDate < ?');
    params.push(opts.deletedBefore);
  }
  const roots = store.prepare(`SELECT object, Id FROM _deleted WHERE ${where.join(' AND ')} ORDER BY deletedDate, Id`).all(...params) as {
    object: string;
    Id: string;
  }[];
  for (const r of roots) {
    const obj = store.object(r.object);
    if (obj) purged.push(...store.purge(obj, r.Id));
  }
  return purged;
}
