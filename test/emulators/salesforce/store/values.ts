import { isoDateTime, parseSfDateTime, sfDateTime } from '../clock.ts';
import { isValidIdShape, to18 } from '../ids.ts';
import type { FieldDef } from '../schema/types.ts';

export type SqlValue = string | number | bigint | null | Uint8Array;

/** A value that does not fit its field: becomes a per-record error with a Salesforce status code. */
export class FieldValueError extends Error {
  readonly statusCode: string;
  readonly fields: string[];
  constructor(statusCode: string, message: string, fields: string[]) {
    super(message);
    this.statusCode = statusCode;
    this.fields = fields;
  }
}

const TEXT_TYPES = new Set(['string', 'textarea', 'picklist', 'multipicklist', 'combobox', 'email', 'phone', 'url', 'encryptedstring']);
const NUMBER_TYPES = new Set(['double', 'currency', 'percent']);
const INT_TYPES = new Set(['int', 'long']);

export function columnType(field: FieldDef): 'TEXT' | 'INTEGER' | 'REAL' | 'BLOB' {
  if (field.type === 'boolean' || INT_TYPES.has(field.type)) return 'INTEGER';
  if (NUMBER_TYPES.has(field.type)) return 'REAL';
  if (field.type === 'base64') return 'BLOB';
  return 'TEXT';
}

function typeError(field: FieldDef, value: unknown): FieldValueError {
  return new FieldValueError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.label}: value not of required type: ${String(value)}`, [field.name]);
}

/**
 * Converts a value from a JSON body (REST) or a CSV cell (Bulk) into what the store keeps.
 * For CSV, callers handle the empty cell (no value) and `#N/A` (null) before calling.
 */
export function toStorage(field: FieldDef, value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  const t = field.type;
  if (TEXT_TYPES.has(t)) {
    if (typeof value === 'object') throw typeError(field, JSON.stringify(value));
    const s = String(value);
    if (s === '') return null;
    // U+0000 is refused, the other C0 controls and DEL are kept. A text value has to survive every
    // Salesforce API, and SOAP (XML 1.0) cannot carry U+0000 at all, escaped or not; no Salesforce
    // document says what the REST API does with "\u0000", so the emulator takes the strict reading and
    // rejects the record rather than store a value a SOAP client could never read back. See
    // docs/snapshot-format.md (CSV dialect) and test/faults/hostile-data.test.ts.
    if (s.includes('\u0000')) {
      throw new FieldValueError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.label}: value not of required type: text cannot contain U+0000 (NUL)`, [
        field.name,
      ]);
    }
    if (field.length && s.length > field.length) {
      throw new FieldValueError('STRING_TOO_LONG', `${field.label}: data value too large: ${s.slice(0, 40)} (max length=${field.length})`, [field.name]);
    }
    if (t === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s)) {
      throw new FieldValueError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${s}`, [field.name]);
    }
    if ((t === 'picklist' || t === 'multipicklist') && field.restrictedPicklist) {
      const allowed = new Set(field.picklistValues.map((p) => p.value));
      const parts = t === 'multipicklist' ? s.split(';') : [s];
      const bad = parts.find((p) => !allowed.has(p));
      if (bad !== undefined) {
        throw new FieldValueError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${field.label}: bad value for restricted picklist field: ${bad}`, [field.name]);
      }
    }
    return s;
  }
  switch (t) {
    case 'id':
    case 'reference': {
      const s = String(value);
      if (s === '') return null;
      if (!isValidIdShape(s)) {
        throw new FieldValueError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${s}`, [field.name]);
      }
      return to18(s.slice(0, 15));
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value ? 1 : 0;
      const s = String(value).toLowerCase();
      if (s === 'true' || s === '1') return 1;
      if (s === 'false' || s === '0' || s === '') return 0;
      throw typeError(field, value);
    }
    case 'int':
    case 'long': {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (String(value).trim() === '') return null;
      if (!Number.isFinite(n) || !Number.isInteger(n)) throw typeError(field, value);
      return n;
    }
    case 'double':
    case 'currency':
    case 'percent': {
      if (typeof value === 'string' && value.trim() === '') return null;
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (!Number.isFinite(n)) throw typeError(field, value);
      return n;
    }
    case 'date': {
      const s = String(value).trim();
      if (s === '') return null;
      const m = /^(\d{4}-\d\d-\d\d)(T.*)?$/.exec(s);
      if (!m || Number.isNaN(Date.parse(`${m[1]}T00:00:00Z`))) throw typeError(field, value);
      return m[1] as string;
    }
    case 'datetime': {
      const s = String(value).trim();
      if (s === '') return null;
      const ms = parseSfDateTime(s);
      if (ms === undefined) throw typeError(field, value);
      return isoDateTime(ms);
    }
    case 'time': {
      const s = String(value).trim();
      if (s === '') return null;
      const m = /^(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?Z?$/.exec(s);
      if (!m) throw typeError(field, value);
      return `${m[1]}:${m[2]}:${m[3] ?? '00'}.${(m[4] ?? '000').padEnd(3, '0')}Z`;
    }
    case 'base64': {
      if (typeof value !== 'string') throw typeError(field, '(binary)');
      return Buffer.from(value, 'base64');
    }
    default:
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
  }
}

/** Stored value → REST JSON value. base64 fields become the blob URL, as Salesforce returns them. */
export function toJson(field: FieldDef, v: SqlValue, blobUrl?: string): unknown {
  if (v === null || v === undefined) return null;
  switch (field.type) {
    case 'boolean':
      return Number(v) !== 0;
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
      return Number(v);
    case 'datetime':
      return sfDateTime(Date.parse(String(v)));
    case 'base64':
      return blobUrl ?? null;
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

/** Stored value → Bulk CSV cell text (before quoting). Null and empty string are both ''. */
export function toCsv(field: FieldDef, v: SqlValue): string {
  if (v === null || v === undefined) return '';
  switch (field.type) {
    case 'boolean':
      return Number(v) !== 0 ? 'true' : 'false';
    case 'int':
    case 'long':
    case 'double':
    case 'currency':
    case 'percent':
      return String(Number(v));
    default:
      return typeof v === 'string' ? v : String(v);
  }
}
