// The test of each operator, built once per condition and run on every row of the snapshot: so each
// picks the cheapest closure it can (a prefix for Ids, a length check for ASCII text) over the keys
// of values.ts. The semantics are SOQL's: null ('') equals only null and is never before or after
// anything, and text compares case-insensitively.
import type { LiteralType } from '@jetstreamapp/soql-parser-js';
import type { RestorePlanError } from '../plan-errors.ts';
import { idKey, type Lit, type Row, unquote } from './values.ts';

export type Test = (row: Row) => boolean;

/** `=`, `!=`, `<` … and IN over keys; a null cell (key null) is equal only to null, and never ordered. */
export function compare<K extends string | number>(name: string, key: (cell: string) => K | null, op: string, lits: readonly Lit<K>[]): Test {
  const cellOf = (row: Row): K | null => key(row[name] ?? '');
  const one = lits[0] as Lit<K>;
  switch (op) {
    case '=':
    case '!=': {
      const eq = equals(cellOf, one);
      return op === '=' ? eq : (row) => !eq(row);
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (one.kind === 'null') return () => false;
      // A date literal is a day range: before it is before its first day, after it is from its end on.
      if (one.kind === 'range') {
        const { lo, hi } = one;
        if (op === '<') return ordered(cellOf, (k) => k < lo);
        if (op === '<=') return ordered(cellOf, (k) => k < hi);
        if (op === '>') return ordered(cellOf, (k) => k >= hi);
        return ordered(cellOf, (k) => k >= lo);
      }
      const v = one.v;
      if (op === '<') return ordered(cellOf, (k) => k < v);
      if (op === '<=') return ordered(cellOf, (k) => k <= v);
      if (op === '>') return ordered(cellOf, (k) => k > v);
      return ordered(cellOf, (k) => k >= v);
    }
    default: {
      // IN / NOT IN; NOT IN is IN's negation, so a null cell passes NOT IN unless null is listed.
      const values = new Set<K>();
      const ranges: { lo: K; hi: K }[] = [];
      let hasNull = false;
      for (const l of lits) {
        if (l.kind === 'null') hasNull = true;
        else if (l.kind === 'value') values.add(l.v);
        else ranges.push(l);
      }
      const within = (k: K): boolean => {
        for (const r of ranges) if (k >= r.lo && k < r.hi) return true;
        return false;
      };
      const any =
        ranges.length === 0
          ? (row: Row) => {
              const k = cellOf(row);
              return k === null ? hasNull : values.has(k);
            }
          : (row: Row) => {
              const k = cellOf(row);
              return k === null ? hasNull : values.has(k) || within(k);
            };
      return op === 'IN' ? any : (row) => !any(row);
    }
  }
}

/** A null cell is never before or after anything. */
function ordered<K extends string | number>(cellOf: (row: Row) => K | null, holds: (k: K) => boolean): Test {
  return (row) => {
    const k = cellOf(row);
    return k !== null && holds(k);
  };
}

/**
 * Ids: a cell equals a 15-character value when it starts with it, which spares cutting every 18-character
 * cell for the common `=` and short IN lists; the rest goes through the keys.
 */
export function idTest(name: string, op: string, lits: readonly Lit<string>[]): Test {
  const values = lits.flatMap((l) => (l.kind === 'value' ? [l.v] : []));
  const short = values.length === lits.length && values.length <= 16;
  if (!short || !(op === '=' || op === '!=' || op === 'IN' || op === 'NOT IN')) return compare(name, idKey, op, lits);
  const first = values[0] as string;
  const any: Test =
    values.length === 1
      ? (row) => (row[name] ?? '').startsWith(first)
      : (row) => {
          const cell = row[name] ?? '';
          for (const v of values) if (cell.startsWith(v)) return true;
          return false;
        };
  return op === '=' || op === 'IN' ? any : (row) => !any(row);
}

function equals<K extends string | number>(cellOf: (row: Row) => K | null, lit: Lit<K>): Test {
  if (lit.kind === 'null') return (row) => cellOf(row) === null;
  if (lit.kind === 'value') {
    const v = lit.v;
    return (row) => cellOf(row) === v;
  }
  const { lo, hi } = lit;
  return (row) => {
    const k = cellOf(row);
    return k !== null && k >= lo && k < hi;
  };
}

/** The literals of a text condition, unquoted; null for NULL; anything but a string is refused. */
export function stringLiterals(
  raws: readonly string[],
  types: readonly LiteralType[],
  wrongValue: (raw: string, why?: string) => RestorePlanError,
): (string | null)[] {
  return raws.map((raw, i) => {
    const t = types[i] ?? 'STRING';
    if (t === 'NULL') return null;
    if (t !== 'STRING') throw wrongValue(raw);
    return unquote(raw);
  });
}

/** Text compares case-insensitively, as SOQL does; '' is null, in the snapshot and in a literal. */
export function textTest(name: string, op: string, literals: readonly (string | null)[]): Test {
  const values = literals.map((v) => v ?? '');
  if ((op === '=' || op === '!=') && values[0] !== '') {
    const exact = values[0] as string;
    const lower = exact.toLowerCase();
    // Only ASCII letters and the Kelvin sign lower-case into pure ASCII, one character each (İ gains
    // a combining dot): an ASCII value can only equal a cell of its own length, which skips most
    // cells without lower-casing them.
    const ascii = isAscii(exact);
    const eq: Test = ascii
      ? (row) => {
          const cell = row[name] ?? '';
          return cell.length === exact.length && (cell === exact || cell.toLowerCase() === lower);
        }
      : (row) => {
          const cell = row[name] ?? '';
          return cell === exact || (cell !== '' && cell.toLowerCase() === lower);
        };
    return op === '=' ? eq : (row) => !eq(row);
  }
  const lits: Lit<string>[] = values.map((v) => (v === '' ? { kind: 'null' } : { kind: 'value', v: v.toLowerCase() }));
  return compare(name, (cell) => (cell === '' ? null : cell.toLowerCase()), op, lits);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** LIKE: % any run, _ one character, `\%` `\_` `\\` themselves; case-insensitive; never a null cell. */
export function like(name: string, pattern: string): Test {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) re += escapeRegExp(pattern[++i] as string);
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += escapeRegExp(c);
  }
  const regexp = new RegExp(`${re}$`, 'isu');
  return (row) => {
    const cell = row[name] ?? '';
    return cell !== '' && regexp.test(cell);
  };
}

function escapeRegExp(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

/** Multi-select picklists: `=` is the same set of values, INCLUDES ('a;b', 'c') is (a and b) or c. */
export function multiTest(name: string, op: string, literals: readonly (string | null)[]): Test {
  const groups = literals.map((v) => (v === null ? null : [...new Set(items(v))]));
  if (op === '=' || op === '!=') {
    const g = groups[0];
    const want = g === null || g === undefined || g.length === 0 ? null : [...g].sort().join(';');
    const eq: Test =
      want === null
        ? (row) => (row[name] ?? '') === ''
        : (row) => {
            const cell = row[name] ?? '';
            return cell !== '' && items(cell).sort().join(';') === want;
          };
    return op === '=' ? eq : (row) => !eq(row);
  }
  const needles = groups.filter((g): g is string[] => g !== null && g.length > 0).map((g) => g.map((item) => `;${item};`));
  const includes = (row: Row): boolean => {
    const cell = row[name] ?? '';
    if (cell === '') return false;
    const wrapped = `;${cell.toLowerCase()};`;
    return needles.some((g) => g.every((n) => wrapped.includes(n)));
  };
  return op === 'INCLUDES' ? includes : (row) => !includes(row);
}

function items(value: string): string[] {
  return value
    .toLowerCase()
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
