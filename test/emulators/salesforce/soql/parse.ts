// Parsing with the real SOQL grammar (@jetstreamapp/soql-parser-js), then two repairs the AST needs:
// syntax errors become Salesforce's MALFORMED_QUERY, and the parser's flat WHERE/HAVING chain
// (parenthesis counts on conditions) becomes a tree, refusing AND and OR mixed without parentheses.
import {
  type Condition,
  type ConditionWithValueQuery,
  type HavingClause,
  type LogicalOperator,
  parseQuery,
  type Query,
  type WhereClause,
} from '@jetstreamapp/soql-parser-js';
import { SoqlErrors } from './errors.ts';
import { SoqlSource } from './source.ts';

export type CondNode =
  | { kind: 'and' | 'or'; items: CondNode[] }
  | { kind: 'not'; item: CondNode }
  | { kind: 'cond'; cond: ConditionWithValueQuery; index: number };

export interface ParsedSoql {
  query: Query;
  src: SoqlSource;
  errors: SoqlErrors;
}

const FOUND = /but found(?::| -->)\s*'?([^']*?)'?\s*(?:<--)?\s*$/s;

export function parseSoql(soql: string): ParsedSoql {
  const src = new SoqlSource(soql);
  const errors = new SoqlErrors(src);
  const allRows = /\bALL\s+ROWS\s*$/i.exec(soql);
  if (allRows) throw errors.unexpected(allRows.index, 'ALL');
  let query: Query;
  try {
    query = parseQuery(soql);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const found = FOUND.exec(message)?.[1]?.trim() ?? '';
    if (!found) throw errors.unexpected(soql.trimEnd().length, '<EOF>');
    const word = found.split(/\s+/)[0] as string;
    const tok = src.find(word, 1) ?? src.find(word);
    throw errors.unexpected(tok?.start ?? 0, found);
  }
  if (!query.sObject) throw errors.unexpected(soql.length, '<EOF>');
  return { query, src, errors };
}

type Tok = { t: '(' | ')' | 'AND' | 'OR' | 'NOT' } | { t: 'cond'; cond: ConditionWithValueQuery; index: number };

function isNegation(left: unknown): boolean {
  return typeof left === 'object' && left !== null && !('field' in left) && !('fn' in left);
}

function flatten(clause: WhereClause | HavingClause): Tok[] {
  const out: Tok[] = [];
  let node: WhereClause | HavingClause | undefined = clause;
  let index = 0;
  while (node) {
    const left = node.left as ConditionWithValueQuery | { openParen?: number } | null;
    if (left !== null && isNegation(left)) {
      for (let i = 0; i < ((left as { openParen?: number }).openParen ?? 0); i++) out.push({ t: '(' });
    } else if (left !== null) {
      const c = left as Condition & { openParen?: number; closeParen?: number };
      for (let i = 0; i < (c.openParen ?? 0); i++) out.push({ t: '(' });
      out.push({ t: 'cond', cond: left as ConditionWithValueQuery, index: index++ });
      for (let i = 0; i < (c.closeParen ?? 0); i++) out.push({ t: ')' });
    }
    const op = (node as { operator?: LogicalOperator }).operator;
    if (op) out.push({ t: op });
    node = (node as { right?: WhereClause | HavingClause }).right;
  }
  return out;
}

/** Turns the parser's chain into a tree; `clauseAt` locates errors (offset of WHERE/HAVING). */
export function conditionTree(clause: WhereClause | HavingClause, errors: SoqlErrors, clauseAt: number): CondNode {
  const toks = flatten(clause);
  let i = 0;
  const fail = (what: string): never => {
    throw errors.unexpected(errors.src.find(what, clauseAt)?.start ?? clauseAt, what);
  };
  const unary = (): CondNode => {
    const tok = toks[i];
    if (!tok) return fail('<EOF>');
    if (tok.t === 'NOT') {
      i++;
      return { kind: 'not', item: unary() };
    }
    if (tok.t === '(') {
      i++;
      const inner = expr();
      if (toks[i]?.t !== ')') return fail(toks[i]?.t ?? '<EOF>');
      i++;
      return inner;
    }
    if (tok.t === 'cond') {
      i++;
      return { kind: 'cond', cond: tok.cond, index: tok.index };
    }
    return fail(tok.t);
  };
  const expr = (): CondNode => {
    const first = unary();
    let op: 'AND' | 'OR' | undefined;
    const items = [first];
    for (;;) {
      const tok = toks[i];
      if (!tok || (tok.t !== 'AND' && tok.t !== 'OR')) break;
      if (op && tok.t !== op) fail(tok.t);
      op = tok.t;
      i++;
      items.push(unary());
    }
    if (!op) return first;
    return { kind: op === 'AND' ? 'and' : 'or', items };
  };
  const tree = expr();
  if (i < toks.length) fail((toks[i] as Tok).t);
  return tree;
}

/** The text of a SOQL string literal (`'a\'b'` → `a'b`); `like` keeps `\%` and `\_` escaped. */
export function unquote(literal: string, like = false): string {
  const body = literal.startsWith("'") && literal.endsWith("'") && literal.length >= 2 ? literal.slice(1, -1) : literal;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\' || i === body.length - 1) {
      out += c;
      continue;
    }
    const n = body[++i] as string;
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case '%':
      case '_':
        out += like ? `\\${n}` : n;
        break;
      case '\\':
        out += like ? '\\\\' : '\\';
        break;
      default:
        out += n;
    }
  }
  return out;
}
