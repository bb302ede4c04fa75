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

/** Ids are alphanumeric; one needing CSV quoting would break Id extraction from a record. */
export function isUsableId(id: string | undefined): id is string {
  return id !== undefined && id !== '' && !BAD_ID.test(id);
}

/** A row's spool key: the first `keyHex` hex chars of its Id hash, or `all`. */
export function bucketKey(id: string, keyHex: number): string {
  return keyHex === 0 ? 'all' : idHash(id).slice(0, keyHex);
}

/**
 * Builds one batch after another into a growing buffer. Records are written either whole from
 * cells (`addRow`) or in place by a caller that reserved `headerBytes` first and `seal`s them.
 */
export class BatchBuilder {
  readonly layout: RowLayout;
  /** Bytes before each record's own: key length, key, length, Id length, flag. */
  readonly headerBytes: number;
  used = 0;
  private out: Buffer;
  private count = 0;
  private maxStamp: string | null = null;
  private ids: string[] | undefined;
  private readonly reuse: boolean;

  /**
   * `reuseBuffer`: the caller copies each batch's bytes before it asks for the next one, so one
   * buffer serves throughout. A batch sent to another thread needs a buffer of its own.
   */
  constructor(layout: RowLayout, options: { capacity?: number; reuseBuffer?: boolean } = {}) {
    this.layout = layout;
    this.headerBytes = 1 + (layout.keyHex === 0 ? 3 : layout.keyHex) + 7;
    this.reuse = options.reuseBuffer === true;
    // Never from the shared pool: the buffer may be transferred to another thread.
    this.out = Buffer.allocUnsafeSlow(Math.max(1024, options.capacity ?? 64 * 1024));
    this.ids = layout.wantIds ? [] : undefined;
  }

  /** Room for `extra` more bytes after `at`, keeping everything before `at`. */
  ensure(at: number, extra: number): Buffer {
    if (at + extra > this.out.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.out.length * 2, at + extra));
      this.out.copy(bigger, 0, 0, at);
      this.out = bigger;
    }
    return this.out;
  }

  /** ISO-8601 UTC stamps of one format compare as strings. */
  noteStamp(stamp: string): void {
    if (stamp && (this.maxStamp === null || stamp > this.maxStamp)) this.maxStamp = stamp;
  }

  /** Appends one row of byte-string cells in the layout's field order. */
  addRow(row: readonly string[]): void {
    const { width, isDeletedIndex: del, stampIndex } = this.layout;
    const id = row[0];
    if (row.length !== width || !isUsableId(id)) {
      throw new RowShapeError(`${this.layout.object}: a row has ${row.length} cells for ${width} fields${isUsableId(id) ? '' : ' or no usable Id'}`);
    }
    if (stampIndex >= 0) this.noteStamp(row[stampIndex] as string);
    const line = encodeRow(row);
    const at = this.used;
    this.ensure(at, this.headerBytes + line.length).write(line, at + this.headerBytes, 'latin1');
    this.seal(at, at + this.headerBytes + line.length, id, del >= 0 && row[del] === 'true');
  }

  /** Writes the header of the record whose bytes run from `at + headerBytes` to `end`, and counts it. */
  seal(at: number, end: number, id: string, inRecycleBin: boolean): void {
    const key = bucketKey(id, this.layout.keyHex);
    const out = this.out;
    out[at] = key.length;
    out.write(key, at + 1, 'latin1');
    const h = at + 1 + key.length;
    out.writeUInt32LE(end - (h + 7), h);
    out.writeUInt16LE(id.length, h + 4);
    out[h + 6] = inRecycleBin ? FLAG_IN_RECYCLE_BIN : FLAG_LIVE;
    this.used = end;
    this.count++;
    this.ids?.push(id);
  }

  /** The batch built since the last take. */
  take(): EncodedBatch {
    const batch: EncodedBatch = { count: this.count, bytes: this.out.subarray(0, this.used), maxStamp: this.maxStamp, ...(this.ids ? { ids: this.ids } : {}) };
    if (!this.reuse) this.out = Buffer.allocUnsafeSlow(this.out.length);
    this.used = 0;
    this.count = 0;
    this.maxStamp = null;
    this.ids = this.layout.wantIds ? [] : undefined;
    return batch;
  }
}

/** Encodes rows of byte-string cells (src/snapshot/bytes.ts) in `layout`'s field order. */
export function encodeRows(rows: readonly string[][], layout: RowLayout): EncodedBatch {
  const builder = new BatchBuilder(layout, { capacity: rows.length * 256 });
  for (const row of rows) builder.addRow(row);
  return builder.take();
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
