// How a restore reads CSV: the snapshot's rows and its own plan and result files, millions of rows
// each, read several times per run. The exporter's scanner (src/salesforce/bulk-csv/csv-records.ts)
// reads the snapshot's RFC 4180 dialect as csv-parse does, several times faster.
import { createReadStream } from 'node:fs';
import { csvRecords } from '../salesforce/bulk-csv/csv-records.ts';
import { readObjectRows } from '../snapshot/reader.ts';

/** The records of a CSV file (header first), one at a time. */
export async function* csvFileRecords(path: string): AsyncGenerator<string[]> {
  for await (const batch of csvRecords(createReadStream(path, { highWaterMark: 1 << 20 }))) yield* batch;
}

/** An object's rows in the snapshot, in the snapshot's order (readObjectRows, with the fast scanner). */
export function snapshotRows(snapshotDir: string, object: string, alias?: string): AsyncGenerator<Record<string, string>> {
  return readObjectRows(snapshotDir, object, { ...(alias !== undefined ? { alias } : {}), records: csvFileRecords });
}
