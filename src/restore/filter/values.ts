// A snapshot cell and a filter's literal as comparable keys. The per-row path only compares keys:
// each cell becomes one (a number, a day, a canonical UTC instant, a 15-character Id, or null for '')
// by the cheapest route, and each literal is checked against its field's type and made the same kind
// of key once, when the filter is compiled.
import type { LiteralType } from '@jetstreamapp/soql-parser-js';
import type { RestorePlanError } from '../plan-errors.ts';

export type Row = Readonly<Record<string, string>>;

/** How a field's cells compare; every describe type maps to one (text when it is none of the others). */
export type Kind = 'text' | 'multi' | 'number' | 'boolean' | 'date' | 'datetime' | 'id';

export interface FieldRef {
  name: string;
  type: string;
  kind: Kind;
}

/** A literal as a cell's comparable key: a value, null, or a day range of a date literal (half-open). */
export type Lit<K> = { kind: 'null' } | { kind: 'value'; v: K } | { kind: 'range'; lo: K; hi: K };

// ---- cells as keys ------------------------------------------------------------------------

export function numberKey(cell: string): number | null {
  return cell === '' ? null : Number(cell);
}

/** A checkbox is never null on Salesforce: an empty cell is false. */
export function booleanKey(cell: string): number {
  return cell === 'true' || cell.toLowerCase() === 'true' ? 1 : 0;
}

export function dayKey(cell: string): string | null {
  return cell === '' ? null : cell.length === 10 ? cell : cell.slice(0, 10);
}

/**
 * A datetime cell as its canonical ISO-8601 UTC text, which orders as the instants do. The snapshot
 * holds that form (`2026-11-30T08:15:00.000Z`), so the per-row path is a length and character check.
 */
export function instantKey(cell: string): string | null {
  if (cell === '') return null;
  if (cell.length === 24 && cell.charCodeAt(23) === 90 && cell.charCodeAt(10) === 84) return cell;
  const ms = Date.parse(cell.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(ms) ? cell : new Date(ms).toISOString();
}

/** Ids compare by their first 15 characters (case-sensitive), whether 15 or 18 are given. */
export function idKey(cell: string): string | null {
  return cell === '' ? null : cell.length > 15 ? cell.slice(0, 15) : cell;
}

// ---- literals -----------------------------------------------------------------------------

const ID_SHAPE = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

export function idLit(raw: string, type: LiteralType, wrongValue: (raw: string, why?: string) => RestorePlanError): string | null {
  if (type !== 'STRING') throw wrongValue(raw);
  const id = unquote(raw);
  if (id === '') return null;
  if (!ID_SHAPE.test(id)) throw wrongValue(raw, 'that is not a record Id');
  return id.slice(0, 15);
}

export function numberLit(
  raw: string,
  type: LiteralType,
  f: FieldRef,
  wrongValue: (raw: string, why?: string) => RestorePlanError,
  problem: (what: string, remedy: string) => RestorePlanError,
): number {
  if (type === 'INTEGER_WITH_CURRENCY_PREFIX' || type === 'DECIMAL_WITH_CURRENCY_PREFIX') {
    throw problem(
      `compares ${f.name} with ${raw}, an amount in a named currency, which the snapshot cannot convert`,
      `Write the amount without its currency code (${raw.replace(/^[A-Za-z]{3}/, '')}); in an org with several currencies, add a condition on CurrencyIsoCode ('${raw.slice(0, 3).toUpperCase()}').`,
    );
  }
  if (type !== 'INTEGER' && type !== 'DECIMAL') throw wrongValue(raw);
  const n = Number(raw);
  if (!Number.isFinite(n)) throw wrongValue(raw);
  return n;
}

export function dayOrInstantLit(
  raw: string,
  type: LiteralType,
  kind: 'date' | 'datetime',
  wrongValue: (raw: string, why?: string) => RestorePlanError,
): string {
  if (kind === 'date') {
    if (type !== 'DATE') throw wrongValue(raw, type === 'DATETIME' ? 'a date field takes a date without a time' : undefined);
    if (!validDay(raw)) throw wrongValue(raw, 'there is no such day');
    return raw;
  }
  if (type !== 'DATETIME') throw wrongValue(raw, type === 'DATE' ? 'a datetime field takes a date and a time, as SOQL requires' : undefined);
  const iso = instant(raw);
  if (iso === undefined) throw wrongValue(raw, 'there is no such date and time');
  return iso;
}

function validDay(raw: string): boolean {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(raw);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === raw;
}

/** `2026-11-30T08:15:00Z`, `…:00.5+01:00` or `…:00-0500` as `2026-11-30T08:15:00.000Z`. */
function instant(raw: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|([+-])(\d\d):?(\d\d))$/i.exec(raw);
  if (!m || !validDay(m[1] as string)) return undefined;
  const [h, min, s] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (h > 23 || min > 59 || s > 59) return undefined;
  const ms = Number(((m[5] ?? '') + '000').slice(0, 3));
  const offset = m[7] === undefined ? 0 : (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return new Date(Date.parse(`${m[1]}T00:00:00.000Z`) + ((h * 60 + min) * 60 + s) * 1000 + ms - offset).toISOString();
}

/** The text of a SOQL string literal (`'a\'b'` → `a'b`); `like` keeps `\%`, `\_` and `\\` escaped. */
export function unquote(literal: string, like = false): string {
  const body = literal.length >= 2 && literal.startsWith("'") && literal.endsWith("'") ? literal.slice(1, -1) : literal;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\' || i === body.length - 1) {
      out += c;
      continue;
    }
    const n = body[++i] as string;
    if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 't') out += '\t';
    else if (n === 'b') out += '\b';
    else if (n === 'f') out += '\f';
    else if (like && (n === '%' || n === '_' || n === '\\')) out += `\\${n}`;
    else out += n;
  }
  return out;
}
