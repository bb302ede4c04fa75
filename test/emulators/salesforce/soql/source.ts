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
