// Rows on their way from the exporter to the snapshot writer, already in their final form: each
// row's CSV record (a byte string written as bytes), its Id, bucket key and Recycle Bin flag, packed
// into one buffer per batch. Building a batch is the CPU-heavy part of a backup (parse, quote,
// hash), so it can run on a worker thread and cross to the writer as one transferable buffer.
//
// Record: keyLength u8 | key (ASCII) | length u32 | idLength u16 | flag u8 | record bytes

import { idHash } from './buckets.ts';
import { encodeRow } from './csv.ts';

export const FLAG_LIVE = 1;
export const FLAG_IN_RECYCLE_BIN = 2;

/** Ids are alphanumeric; one needing CSV quoting would break Id extraction from a record. */
const BAD_ID = /[",\r\n]/;

/** How to read an object's rows: its width and which cells matter, and the sink's bucket depth. */
export interface RowLayout {
  object: string;
  width: number;
  /** Index of IsDeleted, or -1. */
  isDeletedIndex: number;
  /** Index of SystemModstamp, or -1. */
  stampIndex: number;
  /** Hex chars of the Id hash that name a row's spool key; 0 = one key (`all`). */
  keyHex: number;
  /** Collect every row's Id (incremental runs check getDeleted against them). */
  wantIds: boolean;
}

export interface EncodedBatch {
  count: number;
  bytes: Uint8Array;
  /** The latest SystemModstamp among the rows, or null. */
  maxStamp: string | null;
  ids?: string[];
}

export class RowShapeError extends Error {
  override readonly name = 'RowShapeError';
}

/** Encodes rows of byte-string cells (src/snapshot/bytes.ts) in `layout`'s field order. */
export function encodeRows(rows: readonly string[][], layout: RowLayout): EncodedBatch {
  // Never from the shared pool: the buffer may be transferred to another thread.
  let out = Buffer.allocUnsafeSlow(Math.max(1024, rows.length * 256));
  let used = 0;
  let maxStamp: string | null = null;
  const ids: string[] | undefined = layout.wantIds ? [] : undefined;
  const { width, isDeletedIndex: del, stampIndex, keyHex } = layout;
  for (const row of rows) {
    const id = row[0];
    if (row.length !== width || !id || BAD_ID.test(id)) {
      throw new RowShapeError(`${layout.object}: a row has ${row.length} cells for ${width} fields${id && !BAD_ID.test(id) ? '' : ' or no usable Id'}`);
    }
    if (stampIndex >= 0) {
      const s = row[stampIndex] as string;
      // ISO-8601 UTC stamps of one format compare as strings.
      if (s && (maxStamp === null || s > maxStamp)) maxStamp = s;
    }
    ids?.push(id);
    const key = keyHex === 0 ? 'all' : idHash(id).slice(0, keyHex);
    const line = encodeRow(row);
    const need = 1 + key.length + 7 + line.length;
    if (used + need > out.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(out.length * 2, used + need));
      out.copy(bigger, 0, 0, used);
      out = bigger;
    }
    out[used] = key.length;
    out.write(key, used + 1, 'latin1');
    used += 1 + key.length;
    out.writeUInt32LE(line.length, used);
    out.writeUInt16LE(id.length, used + 4);
    out[used + 6] = del >= 0 && row[del] === 'true' ? FLAG_IN_RECYCLE_BIN : FLAG_LIVE;
    out.write(line, used + 7, 'latin1');
    used += 7 + line.length;
  }
  return { count: rows.length, bytes: out.subarray(0, used), maxStamp, ...(ids ? { ids } : {}) };
}

/** One record of a batch: `bytes[start, end)` is the CSV record, its first `idLength` bytes the Id. */
export interface EncodedRecord {
  key: string;
  flag: number;
  idLength: number;
  start: number;
  end: number;
}

/** Walks a batch's records. */
export function forEachRecord(batch: EncodedBatch, visit: (r: EncodedRecord, buf: Buffer) => void): void {
  const buf = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  for (let at = 0; at < buf.length; ) {
    const keyLength = buf[at] as number;
    const key = buf.toString('latin1', at + 1, at + 1 + keyLength);
    at += 1 + keyLength;
    const len = buf.readUInt32LE(at);
    const idLength = buf.readUInt16LE(at + 4);
    const flag = buf[at + 6] as number;
    const start = at + 7;
    visit({ key, flag, idLength, start, end: start + len }, buf);
    at = start + len;
  }
}

/** The batch without its first `n` rows (rows a retried page already delivered). */
export function dropFirst(batch: EncodedBatch, n: number): EncodedBatch {
  if (n <= 0) return batch;
  if (n >= batch.count) return { count: 0, bytes: new Uint8Array(0), maxStamp: null, ...(batch.ids ? { ids: [] } : {}) };
  let at = 0;
  const buf = batch.bytes;
  for (let i = 0; i < n; i++) {
    at += 1 + (buf[at] as number);
    const len = (buf[at] as number) | ((buf[at + 1] as number) << 8) | ((buf[at + 2] as number) << 16) | ((buf[at + 3] as number) << 24);
    at += 7 + (len >>> 0);
  }
  // The stamp may have come from a dropped row; keeping it is safe (the watermark only matters as
  // an upper bound of what was seen, and those rows were delivered before).
  return { count: batch.count - n, bytes: buf.subarray(at), maxStamp: batch.maxStamp, ...(batch.ids ? { ids: batch.ids.slice(n) } : {}) };
}
