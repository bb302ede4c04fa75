// Token positions in the SOQL text. The parser's AST carries none, but Salesforce's error messages
// point at the offending token (`ERROR at Row:1:Column:8`) under an excerpt of the query.

export interface SourceToken {
  text: string;
  /** Offset in the whole query. */
  start: number;
  end: number;
  isString: boolean;
}

export class SoqlSource {
  readonly text: string;
  readonly tokens: SourceToken[];

  constructor(text: string) {
    this.text = text;
    this.tokens = tokenize(text);
  }

  /** First token equal to `name` (case-insensitive, outside string literals) at or after `from`. */
  find(name: string, from = 0): SourceToken | undefined {
    const want = name.toLowerCase();
    return this.tokens.find((t) => !t.isString && t.start >= from && t.text.toLowerCase() === want);
  }

  /** The token that is, or ends with, `name` (`c.Name` for `Name` with an alias). */
  findName(name: string, from = 0): SourceToken | undefined {
    const want = name.toLowerCase();
    return (
      this.find(name, from) ??
      this.tokens.find((t) => !t.isString && t.start >= from && (t.text.toLowerCase().endsWith(`.${want}`) || t.text.toLowerCase().startsWith(`${want}.`)))
    );
  }

  /** Offset of the first keyword (e.g. `WHERE`) after `from`, or 0. */
  keyword(word: string, from = 0): number {
    return this.find(word, from)?.start ?? 0;
  }

  /**
   * Offset of `word` in the (sub)query that starts at `from`: at the same parenthesis depth, before
   * that query's closing parenthesis. Falls back to `from`.
   */
  clause(word: string, from: number): number {
    const want = word.toLowerCase();
    let depth = 0;
    for (const t of this.tokens) {
      if (t.start < from || t.isString) continue;
      if (t.text === '(') depth++;
      else if (t.text === ')') {
        depth--;
        if (depth < 0) break;
      } else if (depth === 0 && t.text.toLowerCase() === want) return t.start;
    }
    return from;
  }

  /**
   * Where each SELECT item starts, for the (sub)query whose SELECT keyword is at `selectAt`.
   * `leads` are the items' first tokens (a name, a function name, or `(` for a subquery).
   */
  itemOffsets(selectAt: number, leads: string[]): number[] {
    const out: number[] = [];
    let i = this.tokens.findIndex((t) => t.start >= selectAt) + 1;
    for (const lead of leads) {
      const want = lead.toLowerCase();
      let depth = 0;
      let found = -1;
      for (; i < this.tokens.length; i++) {
        const t = this.tokens[i] as SourceToken;
        if (t.isString) continue;
        if (depth === 0 && t.text.toLowerCase() === want) {
          found = i;
          break;
        }
        if (t.text === '(') depth++;
        else if (t.text === ')') depth--;
      }
      if (found < 0) {
        out.push(selectAt);
        continue;
      }
      out.push((this.tokens[found] as SourceToken).start);
      i = found + 1;
      if (want === '(' || this.tokens[i]?.text === '(') {
        // Skip the parenthesised part so the next item is searched after it.
        let d = want === '(' ? 1 : 0;
        for (; i < this.tokens.length; i++) {
          const t = this.tokens[i] as SourceToken;
          if (t.isString) continue;
          if (t.text === '(') d++;
          else if (t.text === ')') {
            d--;
            if (d === 0) {
              i++;
              break;
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Salesforce's error preamble: `\n<excerpt>\n<caret>\nERROR at Row:r:Column:c\n`. The excerpt is the
   * error's line cut to whole tokens within about 50 characters either side of the error.
   */
  excerpt(offset: number): string {
    const before = this.text.slice(0, offset);
    const row = before.split('\n').length;
    const lineStart = before.lastIndexOf('\n') + 1;
    const nl = this.text.indexOf('\n', offset);
    const lineEnd = nl < 0 ? this.text.length : nl;
    const col = offset - lineStart + 1;
    const lineTokens = this.tokens.filter((t) => t.start >= lineStart && t.end <= lineEnd && t.text !== ',');
    let from = lineStart;
    let to = lineEnd;
    const first = lineTokens.find((t) => t.start >= offset - 50 && t.start <= offset);
    if (first) from = first.start;
    const last = [...lineTokens].reverse().find((t) => t.end <= offset + 50 && t.end > offset);
    if (last) to = Math.max(last.end, offset);
    const line = this.text.slice(from, to).replace(/\r$/, '');
    return `\n${line}\n${' '.repeat(offset - from)}^\nERROR at Row:${row}:Column:${col}\n`;
  }
}

function tokenize(text: string): SourceToken[] {
  const out: SourceToken[] = [];
  let i = 0;
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
      i++;
      out.push({ text: text.slice(start, Math.min(i, text.length)), start, end: Math.min(i, text.length), isString: true });
      continue;
    }
    if (/[A-Za-z0-9_.:+\-$]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_.:+\-$]/.test(text[i] as string)) i++;
      out.push({ text: text.slice(start, i), start, end: i, isString: false });
      continue;
    }
    if ((c === '!' || c === '<' || c === '>') && (text[i + 1] === '=' || (c === '<' && text[i + 1] === '>'))) i += 2;
    else i++;
    out.push({ text: text.slice(start, i), start, end: i, isString: false });
  }
  return out;
}
