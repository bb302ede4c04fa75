// Values compared the way the snapshot encodes them (Bulk API 2.0 CSV): `''` is null, booleans
// `true`/`false`, datetimes ISO-8601. The live side may come through REST, whose numbers and
// datetimes are spelled differently for the same value, so both sides are normalised by type first.
import { bulkDateTime } from '../salesforce/export/rest-export.ts';

const NUMERIC = new Set(['double', 'currency', 'percent', 'int', 'long']);

export function normalise(value: string, type: string | undefined): string {
  if (value === '') return '';
  if (type === 'datetime') return bulkDateTime(value);
  if (type === 'boolean') return value.toLowerCase();
  if (type !== undefined && NUMERIC.has(type)) {
    const n = Number(value);
    return Number.isFinite(n) ? String(n) : value;
  }
  return value;
}

export function sameValue(a: string, b: string, type: string | undefined): boolean {
  return a === b || normalise(a, type) === normalise(b, type);
}

/** Is `stamp` (a SystemModstamp) later than `than`? Unparseable stamps are not. */
export function later(stamp: string, than: string): boolean {
  const a = Date.parse(bulkDateTime(stamp));
  const b = Date.parse(than);
  return !Number.isNaN(a) && !Number.isNaN(b) && a > b;
}
