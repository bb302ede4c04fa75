// The CSV dialect of the snapshot: RFC 4180, `,` separated, a cell is quoted (inner `"` doubled)
// exactly when it holds `,` `"` CR or LF, LF record ends, UTF-8 without BOM, header = field names.
// Writing is a few lines done here because it runs once per row on the hot path (csv-stringify
// cost more than the download); reading uses csv-parse.

import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

const NEEDS_QUOTES = /[",\r\n]/;

export function encodeCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * One record without its line end. Built with join, which yields one flat string: `+=` would build
 * a tree of cons-string nodes (tens of bytes each, several per cell) that also keeps alive the
 * whole page text each cell was sliced from, and spooled rows stay in memory until their flush.
 */
export function encodeRow(cells: readonly string[]): string {
  const out = new Array<string>(cells.length);
  for (let i = 0; i < cells.length; i++) out[i] = encodeCell(cells[i] ?? '');
  return out.join(',');
}

/** A whole file: header then records, each ended by LF. */
export function csvFile(fields: readonly string[], lines: readonly string[]): string {
  return `${encodeRow(fields)}\n${lines.length ? `${lines.join('\n')}\n` : ''}`;
}

const PARSE_OPTIONS = { relax_column_count: false, bom: false, skip_empty_lines: false } as const;

export function parseCsv(text: string): string[][] {
  return parseSync(text, PARSE_OPTIONS) as string[][];
}

/** Streams records (header first) of a CSV file. */
export async function* streamCsv(path: string): AsyncGenerator<string[]> {
  const parser = createReadStream(path).pipe(parse(PARSE_OPTIONS));
  for await (const record of parser) yield record as string[];
}
