// Compiling a condition tree into closures over snapshot rows. Each condition is checked once against
// the snapshot's schema (the field, its type, the operators and values that fit it), so a filter that
// cannot hold fails before any row is read, and the per-row path does no checking at all.
import type { LiteralType } from '@jetstreamapp/soql-parser-js';
import { closestNames } from '../../salesforce/export/describe.ts';
import type { RestorePlanError } from '../plan-errors.ts';
import { dateLiteralRange } from './dates.ts';
import { compare, idTest, like, multiTest, stringLiterals, type Test, textTest } from './operators.ts';
import type { FilterSource } from './source.ts';
import type { CondText, Leaf, Node } from './tree.ts';
import {
  booleanKey,
  dayKey,
  dayOrInstantLit,
  type FieldRef,
  idLit,
  instantKey,
  type Kind,
  type Lit,
  numberKey,
  numberLit,
  type Row,
  unquote,
} from './values.ts';

const KIND_OF: Readonly<Record<string, Kind>> = {
  multipicklist: 'multi',
  int: 'number',
  long: 'number',
  double: 'number',
  currency: 'number',
  percent: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  id: 'id',
  reference: 'id',
};
/** Compound and binary fields have no comparable cell in the snapshot (SOQL cannot filter them either). */
const UNFILTERABLE = new Set(['base64', 'address', 'location', 'complexvalue']);

const OPERATORS: Readonly<Record<Kind, readonly string[]>> = {
  text: ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'IN', 'NOT IN'],
  multi: ['=', '!=', 'INCLUDES', 'EXCLUDES'],
  number: ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN'],
  boolean: ['=', '!=', 'IN', 'NOT IN'],
  date: ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN'],
  datetime: ['=', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN'],
  id: ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'IN', 'NOT IN'],
};

const VALUE_FORM: Readonly<Record<Kind, string>> = {
  text: "text in single quotes ('Banking')",
  multi: "values in single quotes, several joined by ; ('Red;Blue')",
  number: 'a number without quotes (1000 or 12.5)',
  boolean: 'true or false',
  date: 'a date without quotes (2026-01-31) or a date literal (TODAY, LAST_N_DAYS:30)',
  datetime: 'a date and time with its zone, without quotes (2026-01-31T00:00:00Z), or a date literal (TODAY, LAST_N_DAYS:30)',
  id: "a record Id of 15 or 18 characters in single quotes ('001000000000001AAA')",
};

export class Compiler {
  readonly used = new Set<string>();
  private readonly src: FilterSource;
  private readonly fields: ReadonlyMap<string, string>;
  private readonly byLower: Map<string, string>;
  private readonly now: number;

  constructor(src: FilterSource, fields: ReadonlyMap<string, string>, now: number) {
    this.src = src;
    this.fields = fields;
    this.byLower = new Map([...fields.keys()].map((n) => [n.toLowerCase(), n]));
    this.now = now;
  }

  node(n: Node): Test {
    switch (n.kind) {
      case 'leaf':
        return this.leaf(n.leaf);
      case 'not': {
        const inner = this.node(n.item);
        return (row) => !inner(row);
      }
      default: {
        // Nested pairs rather than a loop over an array: V8 inlines these on the per-row path.
        const parts = n.items.map((item) => this.node(item));
        const and = n.kind === 'and';
        return parts.reduce((a, b) => (and ? (row: Row) => a(row) && b(row) : (row: Row) => a(row) || b(row)));
      }
    }
  }

  private field(raw: string, at: number): FieldRef {
    const src = this.src;
    if (raw.includes('.')) {
      const [head, ...rest] = raw.split('.');
      const own = head?.toLowerCase() === src.object.toLowerCase();
      throw src.fail(
        `names ${raw}, a field of a related record, which ${src.object}'s snapshot rows do not hold`,
        own
          ? `Name ${src.object}'s fields without the object: ${rest.join('.')}.`
          : `Filter on ${src.object}'s own fields; for the parent, compare its lookup with the parent's Ids (${head?.endsWith('__r') ? `${head.slice(0, -3)}__c` : `${head}Id`} IN ('001…')).`,
        at,
      );
    }
    const name = this.byLower.get(raw.toLowerCase());
    if (name === undefined) {
      // A custom field typed without its suffix is the likeliest slip, and too far for edit distance.
      const custom = this.byLower.get(`${raw.toLowerCase()}__c`);
      const close = [...new Set([...(custom ? [custom] : []), ...closestNames(raw, [...this.fields.keys()])])].slice(0, 3);
      throw src.fail(
        `names ${raw}, a field ${src.object} does not have in the snapshot${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''}`,
        `Use the API names of ${src.object}'s fields (custom fields end in __c); schema/${src.object}.json of the snapshot lists them.`,
        at,
      );
    }
    const type = this.fields.get(name) as string;
    if (UNFILTERABLE.has(type)) {
      throw src.fail(
        `compares ${name}, ${article(type)} field, which has no single value to compare`,
        type === 'address' || type === 'location'
          ? `Compare its parts instead (BillingCity, BillingCountry, …); schema/${src.object}.json of the snapshot lists them.`
          : 'Filter on other fields of the object.',
        at,
      );
    }
    this.used.add(name);
    return { name, type, kind: KIND_OF[type] ?? 'text' };
  }

  private leaf(leaf: Leaf): Test {
    const c = leaf.cond as CondText;
    const f = this.field(c.field, leaf.at);
    const op = c.operator.toUpperCase() === '<>' ? '!=' : c.operator.toUpperCase();
    const problem = (what: string, remedy: string) => this.src.fail(what, remedy, leaf.at);
    if (!OPERATORS[f.kind].includes(op)) {
      throw problem(
        `compares ${f.name}, ${article(f.type)} field, with ${op}, which does not apply to it`,
        `Use one of ${OPERATORS[f.kind].join(', ')} with ${f.name}${f.kind === 'multi' ? " (INCLUDES ('a;b', 'c') matches records with a and b selected, or c)" : ''}.`,
      );
    }
    const list = op === 'IN' || op === 'NOT IN' || op === 'INCLUDES' || op === 'EXCLUDES';
    if (list !== Array.isArray(c.value)) {
      throw problem(
        list ? `gives ${op} a single value` : `gives ${op} a list`,
        list ? `Put ${op}'s values in parentheses: ${f.name} ${op} ('a', 'b').` : `Compare with one value, or use IN for a list: ${f.name} IN ('a', 'b').`,
      );
    }
    const raws = Array.isArray(c.value) ? c.value : [c.value];
    const types: LiteralType[] = Array.isArray(c.literalType) ? c.literalType : raws.map(() => (c.literalType as LiteralType | undefined) ?? 'STRING');
    const wrongValue = (raw: string, why?: string) =>
      problem(
        `compares ${f.name}, ${article(f.type)} field, with ${raw}${why ? `: ${why}` : ''}`,
        `Compare ${f.name} with ${VALUE_FORM[f.kind]}; schema/${this.src.object}.json of the snapshot lists each field's type.`,
      );
    if (op === 'LIKE' && types[0] !== 'STRING') throw wrongValue(raws[0] as string, 'LIKE takes a pattern in single quotes');
    if (!list && !(op === '=' || op === '!=') && types[0] === 'NULL') {
      throw problem(`compares ${f.name} ${op} null`, `Only = null and != null test for an empty value: ${f.name} = null.`);
    }
    const get = f.name;
    switch (f.kind) {
      case 'text':
        return op === 'LIKE' ? like(get, unquote(raws[0] as string, true)) : textTest(get, op, stringLiterals(raws, types, wrongValue));
      case 'id':
        if (op === 'LIKE') return like(get, unquote(raws[0] as string, true));
        return idTest(
          get,
          op,
          this.lits(raws, types, wrongValue, (raw, t) => idLit(raw, t, wrongValue)),
        );
      case 'multi':
        return multiTest(get, op, stringLiterals(raws, types, wrongValue));
      case 'number':
        return compare(
          get,
          numberKey,
          op,
          this.lits(raws, types, wrongValue, (raw, t) => numberLit(raw, t, f, wrongValue, problem)),
        );
      case 'boolean':
        return compare(
          get,
          booleanKey,
          op,
          this.lits(raws, types, wrongValue, (raw, t) => {
            if (t !== 'BOOLEAN') throw wrongValue(raw);
            return raw.toUpperCase() === 'TRUE' ? 1 : 0;
          }),
        );
      case 'date':
      case 'datetime': {
        const kind = f.kind;
        const lits = this.lits(
          raws,
          types,
          wrongValue,
          (raw, t) => dayOrInstantLit(raw, t, kind, wrongValue),
          (raw) => {
            const r = this.dateLiteral(raw, problem);
            return kind === 'date' ? r : { lo: `${r.lo}T00:00:00.000Z`, hi: `${r.hi}T00:00:00.000Z` };
          },
        );
        return compare(get, kind === 'date' ? dayKey : instantKey, op, lits);
      }
    }
  }

  /** The literals of a condition as keys; `range` reads date literals (only date fields take them). */
  private lits<K>(
    raws: readonly string[],
    types: readonly LiteralType[],
    wrongValue: (raw: string, why?: string) => RestorePlanError,
    value: (raw: string, type: LiteralType) => K | null,
    range?: (raw: string) => { lo: K; hi: K },
  ): Lit<K>[] {
    return raws.map((raw, i) => {
      const t = types[i] ?? 'STRING';
      if (t === 'NULL') return { kind: 'null' };
      if (t === 'DATE_LITERAL' || t === 'DATE_N_LITERAL') {
        if (!range) throw wrongValue(raw);
        return { kind: 'range', ...range(raw) };
      }
      const v = value(raw, t);
      return v === null ? { kind: 'null' } : { kind: 'value', v };
    });
  }

  private dateLiteral(raw: string, problem: (what: string, remedy: string) => RestorePlanError): { lo: string; hi: string } {
    const r = dateLiteralRange(raw, this.now);
    if (!r) {
      throw problem(
        `uses ${raw}, a date literal this filter does not know or a range too far from today`,
        'Use TODAY, YESTERDAY, TOMORROW, LAST/THIS/NEXT_WEEK, _MONTH, _QUARTER, _YEAR, LAST_90_DAYS, LAST_N_DAYS:n, NEXT_N_DAYS:n, N_DAYS_AGO:n (and the same with WEEKS, MONTHS, QUARTERS, YEARS), or a date.',
      );
    }
    return r;
  }
}

function article(type: string): string {
  return `${/^[aeiou]/i.test(type) ? 'an' : 'a'} ${type}`;
}
