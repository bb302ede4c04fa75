// CSV as Bulk API 2.0 speaks it: six delimiters, LF or CRLF, every field quoted on output.
import { parse } from 'csv-parse/sync';

export const COLUMN_DELIMITERS = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
} as const;

export type ColumnDelimiter = keyof typeof COLUMN_DELIMITERS;

export const LINE_ENDINGS = { LF: '\n', CRLF: '\r\n' } as const;

export type LineEnding = keyof typeof LINE_ENDINGS;

export function isColumnDelimiter(v: unknown): v is ColumnDelimiter {
  return typeof v === 'string' && Object.hasOwn(COLUMN_DELIMITERS, v);
}

export function isLineEnding(v: unknown): v is LineEnding {
  return v === 'LF' || v === 'CRLF';
}

/** Salesforce quotes every field, header included, and doubles embedded quotes. */
export function quote(cell: string): string {
  return `"${cell.includes('"') ? cell.replaceAll('"', '""') : cell}"`;
}

/** One CSV record including its line ending. */
export function csvLine(cells: readonly string[], delimiter: string, eol: string): string {
  let out = '';
  for (let i = 0; i < cells.length; i++) {
    if (i > 0) out += delimiter;
    out += quote(cells[i] as string);
  }
  return out + eol;
}

export class CsvInputError extends Error {}

/**
 * Parses an uploaded ingest file. Cells come back exactly as the client meant them (quotes
 * removed, embedded line breaks kept): the result files echo them verbatim.
 */
export function parseCsv(text: string, delimiter: string): string[][] {
  try {
    return parse(text, {
      delimiter,
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch (err) {
    throw new CsvInputError((err as Error).message);
  }
}

/**
 * The line ending of the first record (the header, which has no quoted line breaks in practice),
 * or undefined for a file of a single line.
 */
export function firstLineEnding(data: Buffer): LineEnding | undefined {
  const nl = data.indexOf(10);
  if (nl < 0) return undefined;
  return nl > 0 && data[nl - 1] === 13 ? 'CRLF' : 'LF';
}
