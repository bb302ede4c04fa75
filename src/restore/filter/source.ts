// Where things are in a filter's text, and its parse. The parser's AST has no positions and its
// messages speak of offsets in the query it was given, but a person needs the line and column of
// what they wrote: so the filter is tokenized here, and the parser's complaints are read back into
// a place in the text and a hint at the likely slip.
import type { Query } from '@jetstreamapp/soql-parser-js';
import { parseQuery } from '@jetstreamapp/soql-parser-js';
import { RestorePlanError } from '../plan-errors.ts';

export const SYNTAX_REMEDY =
  'Write the condition of a SOQL WHERE clause (without WHERE): Field operator value, combined with AND, OR, NOT and parentheses. ' +
  'Text and Ids go in single quotes; numbers, true/false, dates (2026-01-31), date-times with a zone (2026-01-31T00:00:00Z) and date literals (LAST_N_DAYS:30) go without. ' +
  "Example: Industry = 'Banking' AND CreatedDate >= 2026-01-01T00:00:00Z.";

/** The filter is parsed as the WHERE clause of this query; the object name plays no part in parsing. */
const PREFIX = 'SELECT Id FROM Snapshot WHERE ';

export interface Token {
  text: string;
  /** Offset in the filter as the user gave it. */
  start: number;
  end: number;
  isString: boolean;
}

/** The filter's text with its tokens: the parser's AST has no positions, but a person needs one. */
export class FilterSource {
  readonly where: string;
  readonly object: string;
  /** Where the condition starts in `where` (after a leading WHERE, which is accepted). */
  readonly skip: number;
  readonly body: string;
  readonly tokens: Token[];

  constructor(where: string, object: string) {
    this.where = where;
    this.object = object;
    this.skip = /^\s*WHERE\b/i.exec(where)?.[0].length ?? 0;
    this.body = where.slice(this.skip);
    this.tokens = tokenize(where, this.skip);
  }

  /** `column 12 ("AND OR Name …")`, or `line 2, column 3 (…)` for a filter of several lines. */
  at(offset: number): string {
    const before = this.where.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - (before.lastIndexOf('\n') + 1) + 1;
    const rest = this.where.slice(offset).replace(/\s+/g, ' ').trim();
    const near = rest === '' ? 'at its end' : `"${rest.length > 30 ? `${rest.slice(0, 30)}…` : rest}"`;
    return `${line > 1 ? `line ${line}, ` : ''}column ${col} (${near})`;
  }

  fail(what: string, remedy: string, offset?: number): RestorePlanError {
    const where = offset === undefined ? '' : ` at ${this.at(offset)}`;
    return new RestorePlanError({
      reason: 'bad_selection',
      message: `The record filter for ${this.object}${where} ${what}${what.endsWith('?') ? '' : '.'}`,
      remedy,
    });
  }
}

function tokenize(text: string, from: number): Token[] {
  const out: Token[] = [];
  let i = from;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      i++;
      while (i < text.length && text[i] !== "'") i += text[i] === '\\' ? 2 : 1;
      i = Math.min(i + 1, text.length);
      out.push({ text: text.slice(start, i), start, end: i, isString: true });
      continue;
    }
    if (/[A-Za-z0-9_.:+\-$]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_.:+\-$]/.test(text[i] as string)) i++;
    } else if ((c === '!' || c === '<' || c === '>') && (text[i + 1] === '=' || (c === '<' && text[i + 1] === '>'))) i += 2;
    else i++;
    out.push({ text: text.slice(start, i), start, end: i, isString: false });
  }
  return out;
}

// ---- parsing ------------------------------------------------------------------------------

/** Where the parser stopped: the text it found there ('' at the end), or a lexer offset. */
function parserStop(err: unknown): { found: string } | { offset: number } | undefined {
  const message = err instanceof Error ? err.message : String(err);
  const lex = /at offset: (\d+)/.exec(message);
  if (lex) return { offset: Number(lex[1]) - PREFIX.length };
  const m = /but found(?::| -->)\s*(.*?)\s*(?:<--)?\s*$/s.exec(message);
  if (!m) return undefined;
  let found = m[1] as string;
  // "Redundant input …" shows the token bare; the other messages quote it.
  if (!message.startsWith('Redundant input') && found.length >= 2 && found.startsWith("'") && found.endsWith("'")) found = found.slice(1, -1);
  return { found };
}

function tryParse(body: string): { query: Query } | { err: unknown } {
  try {
    return { query: parseQuery(PREFIX + body) };
  } catch (err) {
    return { err };
  }
}

export function parseFilter(src: FilterSource): Query {
  const parsed = tryParse(src.body);
  if ('err' in parsed) throw syntaxError(src, parsed.err);
  const query = parsed.query;
  // The grammar takes the rest of a query after WHERE; a filter is the condition alone.
  const extra = Object.entries(query).some(([k, v]) => v !== undefined && k !== 'fields' && k !== 'sObject' && k !== 'where');
  if (extra || !query.where) {
    const clause = src.tokens.find((t) => !t.isString && CLAUSES.has(t.text.toUpperCase()));
    const word = clause ? clause.text.toUpperCase() : 'a clause';
    throw src.fail(
      `has ${word === 'ORDER' || word === 'GROUP' ? `${word} BY` : word}, which is not part of a condition`,
      'Give only the condition that follows WHERE: a filter picks records, so ORDER BY, LIMIT, OFFSET, GROUP BY and WITH have no meaning here.',
      clause?.start ?? src.skip,
    );
  }
  return query;
}

const CLAUSES = new Set(['ORDER', 'LIMIT', 'OFFSET', 'GROUP', 'HAVING', 'WITH', 'FOR', 'UPDATE', 'USING']);

function syntaxError(src: FilterSource, err: unknown): RestorePlanError {
  const stop = parserStop(err);
  const hints: string[] = [];
  if (/\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?![\d.:]*(?:Z|[+-]\d))/i.test(src.body)) {
    hints.push('A date-time needs its zone: 2026-01-31T00:00:00Z (UTC) or 2026-01-31T00:00:00+01:00.');
  }
  if (stop === undefined) return src.fail('is not a SOQL condition', SYNTAX_REMEDY);
  if ('offset' in stop) {
    const ch = src.body[stop.offset] ?? '';
    if (ch === '"') hints.push('Text goes in single quotes, not double quotes.');
    if (ch === '&' || ch === '|') hints.push('Join conditions with AND and OR.');
    return src.fail(`has a character SOQL does not know: ${ch}`, [SYNTAX_REMEDY, ...hints].join(' '), src.skip + stop.offset);
  }
  if (stop.found === '') {
    const last = src.tokens[src.tokens.length - 1];
    return src.fail(`ends too early${last ? `, after ${last.text}` : ''}`, [SYNTAX_REMEDY, ...hints].join(' '), last?.end ?? src.where.length);
  }
  if (stop.found === '=' && /==/.test(src.body)) hints.push('Compare with = (not ==).');
  if (/^\d/.test(stop.found)) hints.push('Text and Ids go in single quotes.');
  const at = wordStart(src.body, locate(src.body, stop.found));
  const word = /^[A-Za-z0-9_]/.test(stop.found) ? (/^[A-Za-z0-9_]+/.exec(src.body.slice(at))?.[0] ?? stop.found) : stop.found;
  return src.fail(`has ${word} where SOQL does not expect it`, [SYNTAX_REMEDY, ...hints].join(' '), src.skip + at);
}

/**
 * Where in `body` the parser met `found`: the first occurrence at which the text up to and including
 * it fails on that very token (an earlier occurrence of the same word parses, or stops at the end).
 */
function locate(body: string, found: string): number {
  const lower = body.toLowerCase();
  const want = found.toLowerCase();
  let first = -1;
  for (let i = lower.indexOf(want); i >= 0; i = lower.indexOf(want, i + 1)) {
    if (first < 0) first = i;
    const parsed = tryParse(body.slice(0, i + want.length));
    if (!('err' in parsed)) continue;
    const stop = parserStop(parsed.err);
    if (stop && 'found' in stop && stop.found.toLowerCase() === want) return i;
  }
  return Math.max(first, 0);
}

/** The start of the word `offset` is in: the parser may report the second half of `001abc` as found. */
function wordStart(body: string, offset: number): number {
  let i = offset;
  while (i > 0 && /[A-Za-z0-9_]/.test(body[i - 1] as string) && /[A-Za-z0-9_]/.test(body[i] as string)) i--;
  return i;
}
