// The condition tree of a filter. The parser's WHERE is a flat chain with parenthesis counts on its
// conditions, while the compiler wants a tree; laying the chain out is also where each condition is
// found in the text (for errors) and where what a snapshot row cannot answer (functions,
// subqueries) and AND mixed with OR without parentheses (which SOQL refuses) are refused.
import type { ConditionWithValueQuery, LiteralType, Query, WhereClause } from '@jetstreamapp/soql-parser-js';
import { type FilterSource, SYNTAX_REMEDY, type Token } from './source.ts';

export interface Leaf {
  cond: ConditionWithValueQuery;
  /** Offset of the condition's field in the filter. */
  at: number;
}

export type Node = { kind: 'and' | 'or'; items: Node[] } | { kind: 'not'; item: Node } | { kind: 'leaf'; leaf: Leaf };

type Tok = { t: '(' | ')' | 'NOT' } | { t: 'AND' | 'OR'; at: number } | { t: 'leaf'; leaf: Leaf };

/** A condition as the compiler reads it (the parser's types are wider). */
export interface CondText {
  field: string;
  operator: string;
  value: string | string[];
  literalType?: LiteralType | LiteralType[];
}

function isNegation(left: unknown): boolean {
  return typeof left === 'object' && left !== null && !('field' in left) && !('fn' in left);
}

/**
 * The parser's WHERE is a flat chain with parenthesis counts on its conditions; this lays it out as
 * tokens (locating each condition and AND/OR in the text), refusing what a snapshot row cannot answer.
 */
function flatten(clause: WhereClause, src: FilterSource): Tok[] {
  const out: Tok[] = [];
  const logical = src.tokens.filter((t) => !t.isString && (t.text.toUpperCase() === 'AND' || t.text.toUpperCase() === 'OR'));
  let nextLogical = 0;
  let cursor = 0;
  const find = (name: string): number => {
    const want = name.toLowerCase();
    const i = src.tokens.findIndex((t, k) => k >= cursor && !t.isString && t.text.toLowerCase() === want);
    if (i < 0) return src.skip;
    cursor = i + 1;
    return (src.tokens[i] as Token).start;
  };
  let node: WhereClause | undefined = clause;
  while (node) {
    const left = node.left as (ConditionWithValueQuery & { openParen?: number; closeParen?: number }) | { openParen?: number } | null;
    if (left !== null && isNegation(left)) {
      for (let i = 0; i < (left.openParen ?? 0); i++) out.push({ t: '(' });
    } else if (left !== null) {
      const c = left as ConditionWithValueQuery & { openParen?: number; closeParen?: number };
      for (let i = 0; i < (c.openParen ?? 0); i++) out.push({ t: '(' });
      if ('fn' in c) {
        const name = c.fn.functionName ?? '';
        throw src.fail(
          `uses the function ${c.fn.rawValue ?? name}, which a filter over snapshot rows does not evaluate`,
          'Compare the field itself: a range (CreatedDate >= 2025-01-01T00:00:00Z AND CreatedDate < 2026-01-01T00:00:00Z) or a date literal (CreatedDate = LAST_YEAR) instead of CALENDAR_YEAR(CreatedDate) = 2025.',
          find(name),
        );
      }
      const v = c as CondText & { valueQuery?: Query };
      const at = find(v.field);
      if (v.valueQuery) {
        throw src.fail(
          `has a subquery (${v.field} ${v.operator} (SELECT …)), which a filter over one object's snapshot rows cannot answer`,
          `Filter on ${src.object}'s own fields, or list the Ids: ${v.field} IN ('001…', '001…'), or pass the records' Ids as the restore's Ids.`,
          at,
        );
      }
      out.push({ t: 'leaf', leaf: { cond: c, at } });
      for (let i = 0; i < (c.closeParen ?? 0); i++) out.push({ t: ')' });
    }
    const op = (node as { operator?: 'AND' | 'OR' | 'NOT' }).operator;
    const right: WhereClause | undefined = (node as { right?: WhereClause }).right;
    if (op === 'NOT') out.push({ t: 'NOT' });
    else if (op) out.push({ t: op, at: logical[nextLogical++]?.start ?? src.skip });
    else if (right) {
      // The grammar lets two conditions follow each other with nothing between them; SOQL does not.
      const next = right.left as { field?: string } | null;
      throw src.fail('has two conditions without AND or OR between them', SYNTAX_REMEDY, next?.field ? find(next.field) : undefined);
    }
    node = right;
  }
  return out;
}

/** A tree honouring parentheses; AND and OR mixed without them are refused, as SOQL refuses them. */
export function conditionTree(clause: WhereClause, src: FilterSource): Node {
  const toks = flatten(clause, src);
  let i = 0;
  const broken = (): never => {
    throw src.fail('is not a SOQL condition', SYNTAX_REMEDY);
  };
  const unary = (): Node => {
    const tok = toks[i++];
    if (!tok) return broken();
    if (tok.t === 'NOT') return { kind: 'not', item: unary() };
    if (tok.t === 'leaf') return { kind: 'leaf', leaf: tok.leaf };
    if (tok.t !== '(') return broken();
    const inner = expr();
    if (toks[i++]?.t !== ')') broken();
    return inner;
  };
  const expr = (): Node => {
    const items = [unary()];
    let op: 'AND' | 'OR' | undefined;
    for (let tok = toks[i]; tok && (tok.t === 'AND' || tok.t === 'OR'); tok = toks[i]) {
      if (op && tok.t !== op) {
        throw src.fail(
          `mixes AND and OR without parentheses`,
          `Group the conditions with parentheses, as SOQL requires: A AND (B OR C), or (A AND B) OR C.`,
          tok.at,
        );
      }
      op = tok.t;
      i++;
      items.push(unary());
    }
    return op ? { kind: op === 'AND' ? 'and' : 'or', items } : (items[0] as Node);
  };
  const tree = expr();
  if (i < toks.length) broken();
  return tree;
}
