// Append-only temp files keyed by bucket, so a sink holds at most about `capBytes` of rows in memory
// however large the object. Records are byte strings (src/snapshot/bytes.ts) copied into reusable
// off-heap chunks as they arrive, so a row's JS strings die young instead of waiting in the heap
// for the next flush (which made the garbage collector the largest cost of a backup). A flush
// partitions the chunks by key with two passes of plain copies and appends each key's bytes to its
// file. Records are length-prefixed, never escaped: any byte may appear in one.
//
// Chunk record:  key u32 | length u32 | idLength u16 | flag u8 | record bytes
// File record:          length u32 | idLength u16 | flag u8 | record bytes

import { appendFile, type FileHandle, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAll } from '../runtime/io.ts';

const FLUSH_PARALLELISM = 8;
const CHUNK_BYTES = 512 * 1024;
const CHUNK_HEADER = 11;
const FILE_HEADER = 7;
const READ_BYTES = 4 * 1024 * 1024;
const MAX_OPEN_FILES = 32;

/** What a spooled record stands for; the writer gives the meaning, the spool only keeps the byte. */
export type SpoolFlag = number;

/** One spooled record inside `buf`: the record's bytes are `buf[start, end)`, its Id the first `idLength`. */
export interface SpoolRecordRef {
  buf: Buffer;
  start: number;
  end: number;
  idLength: number;
  flag: SpoolFlag;
}

export class Spool {
  readonly dir: string;
  private readonly capBytes: number;
  private readonly keyIndex = new Map<string, number>();
  private readonly keyNames: string[] = [];
  private readonly onDisk = new Set<number>();
  private readonly chunks: Buffer[] = [];
  /** Bytes used in each chunk but the last (whose fill is `used`). */
  private readonly ends: number[] = [];
  private free: Buffer[] = [];
  private readonly outPool: Buffer[] = [];
  private readonly handles = new Map<number, FileHandle>();
  private used = 0;
  private buffered = 0;
  private created = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(dir: string, capBytes = 2 * 1024 * 1024) {
    this.dir = dir;
    this.capBytes = capBytes;
  }

  /** Buffers one record (a byte string whose first `idLength` chars are its Id); call `maybeFlush` after a batch. */
  add(key: string, flag: SpoolFlag, idLength: number, record: string): void {
    const chunk = this.room(CHUNK_HEADER + record.length);
    const at = this.header(chunk, key, flag, idLength, record.length);
    chunk.write(record, at, 'latin1');
    this.used = at + record.length;
  }

  /** The same for a record already in bytes (re-spooling). */
  addBytes(key: string, ref: SpoolRecordRef): void {
    this.addSlice(key, ref.flag, ref.idLength, ref.buf, ref.start, ref.end);
  }

  /** The same for `buf[start, end)`. */
  addSlice(key: string, flag: SpoolFlag, idLength: number, buf: Buffer, start: number, end: number): void {
    const len = end - start;
    const chunk = this.room(CHUNK_HEADER + len);
    const at = this.header(chunk, key, flag, idLength, len);
    buf.copy(chunk, at, start, end);
    this.used = at + len;
  }

  async maybeFlush(): Promise<void> {
    if (this.buffered >= this.capBytes) await this.flush();
  }

  /** Writes out what is buffered. Flushes are chained so concurrent callers keep the append order. */
  flush(): Promise<void> {
    if (this.buffered === 0) return this.flushing;
    const { regions, owner } = this.partition();
    this.flushing = this.flushing.then(() => this.write(regions)).finally(() => this.outPool.push(owner));
    return this.flushing;
  }

  keys(): string[] {
    const all = new Set<number>(this.onDisk);
    if (this.buffered > 0) for (const k of this.bufferedKeys()) all.add(k);
    return [...all].map((k) => this.keyNames[k] as string).sort();
  }

  /**
   * The records of `key` in the order they were added, in batches of about `READ_BYTES`. A batch's
   * refs are valid until the next one is asked for: the two read buffers take turns.
   */
  async *batches(key: string): AsyncGenerator<SpoolRecordRef[]> {
    await this.flush();
    const k = this.keyIndex.get(key);
    if (k === undefined || !this.onDisk.has(k)) return;
    const fh = await open(this.file(k), 'r');
    try {
      let buf = Buffer.allocUnsafe(READ_BYTES);
      let spare = Buffer.allocUnsafe(READ_BYTES);
      let have = 0;
      for (;;) {
        if (have === buf.length) {
          // One record bigger than the buffer: grow to hold it.
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, have);
          buf = bigger;
          spare = Buffer.allocUnsafe(bigger.length);
        }
        const { bytesRead } = await fh.read(buf, have, buf.length - have, null);
        const end = have + bytesRead;
        const out = parseRecords(buf, end);
        const at = out.length === 0 ? 0 : (out.at(-1) as SpoolRecordRef).end;
        if (bytesRead === 0) {
          if (at !== end) throw new Error(`spool file ${this.file(k)} ends inside a record`);
          return;
        }
        buf.copy(spare, 0, at, end);
        have = end - at;
        if (out.length > 0) yield out;
        [buf, spare] = [spare, buf];
      }
    } finally {
      await fh.close();
    }
  }

  /** Every record of `key` at once, for keys the bucket rules keep small. */
  async records(key: string): Promise<SpoolRecordRef[]> {
    await this.flush();
    const k = this.keyIndex.get(key);
    if (k === undefined || !this.onDisk.has(k)) return [];
    const buf = await readFile(this.file(k));
    const out = parseRecords(buf, buf.length);
    if ((out.at(-1)?.end ?? 0) !== buf.length) throw new Error(`spool file ${this.file(k)} ends inside a record`);
    return out;
  }

  async dispose(): Promise<void> {
    await this.flushing.catch(() => undefined);
    await this.closeFiles();
    this.chunks.length = 0;
    this.ends.length = 0;
    this.free = [];
    this.buffered = 0;
    this.used = 0;
    await rm(this.dir, { recursive: true, force: true });
  }

  private room(needed: number): Buffer {
    let chunk = this.chunks.at(-1);
    if (chunk === undefined || this.used + needed > chunk.length) {
      if (chunk !== undefined) this.ends.push(this.used);
      chunk = needed <= CHUNK_BYTES ? (this.free.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES)) : Buffer.allocUnsafe(needed);
      this.chunks.push(chunk);
      this.used = 0;
    }
    this.buffered += needed;
    return chunk;
  }

  private header(chunk: Buffer, key: string, flag: SpoolFlag, idLength: number, len: number): number {
    let k = this.keyIndex.get(key);
    if (k === undefined) {
      k = this.keyNames.length;
      this.keyIndex.set(key, k);
      this.keyNames.push(key);
    }
    const at = this.used;
    chunk.writeUInt32LE(k, at);
    chunk.writeUInt32LE(len, at + 4);
    chunk.writeUInt16LE(idLength, at + 8);
    chunk[at + 10] = flag;
    return at + CHUNK_HEADER;
  }

  /** Walks the buffered chunks: `visit(chunk, recordStart, key, length)` for every record. */
  private walk(visit: (chunk: Buffer, at: number, key: number, len: number) => void): void {
    const last = this.chunks.length - 1;
    this.chunks.forEach((chunk, i) => {
      const end = i === last ? this.used : (this.ends[i] as number);
      for (let at = 0; at < end; ) {
        const key = chunk.readUInt32LE(at);
        const len = chunk.readUInt32LE(at + 4);
        visit(chunk, at, key, len);
        at += CHUNK_HEADER + len;
      }
    });
  }

  private bufferedKeys(): Set<number> {
    const keys = new Set<number>();
    this.walk((_c, _at, key) => keys.add(key));
    return keys;
  }

  /** Copies the buffered records into one buffer, grouped by key, and frees the chunks for reuse. */
  private partition(): { regions: [number, Buffer][]; owner: Buffer } {
    const sizes = new Map<number, number>();
    let total = 0;
    this.walk((_c, _at, key, len) => {
      sizes.set(key, (sizes.get(key) ?? 0) + FILE_HEADER + len);
      total += FILE_HEADER + len;
    });
    // Out buffers are reused: allocating megabytes per flush made V8 count them as external
    // memory and run full collections far more often.
    let out = this.outPool.pop();
    if (out === undefined || out.length < total) out = Buffer.allocUnsafe(Math.max(total, this.capBytes + CHUNK_BYTES));
    const owner = out;
    const offsets = new Map<number, number>();
    const regions: [number, Buffer][] = [];
    let o = 0;
    for (const [key, size] of [...sizes].sort((a, b) => a[0] - b[0])) {
      offsets.set(key, o);
      regions.push([key, out.subarray(o, o + size)]);
      o += size;
    }
    this.walk((chunk, at, key, len) => {
      const to = offsets.get(key) as number;
      chunk.copy(out, to, at + 4, at + CHUNK_HEADER + len);
      offsets.set(key, to + FILE_HEADER + len);
    });
    // Oversized chunks (one huge record) are not kept for reuse.
    for (const c of this.chunks) if (c.length === CHUNK_BYTES) this.free.push(c);
    for (const key of sizes.keys()) this.onDisk.add(key);
    this.chunks.length = 0;
    this.ends.length = 0;
    this.used = 0;
    this.buffered = 0;
    return { regions, owner };
  }

  private async write(parts: [number, Buffer][]): Promise<void> {
    if (!this.created) {
      await mkdir(this.dir, { recursive: true });
      this.created = true;
    }
    for (let i = 0; i < parts.length; i += FLUSH_PARALLELISM) {
      await Promise.all(parts.slice(i, i + FLUSH_PARALLELISM).map(([key, bytes]) => this.append(key, bytes)));
    }
  }

  /** Few keys (a full run's 16) keep their files open; many (an incremental's buckets) open per flush. */
  private async append(key: number, bytes: Buffer): Promise<void> {
    const path = this.file(key);
    if (this.keyNames.length > MAX_OPEN_FILES) {
      // appendFile loops over short writes itself.
      await appendFile(path, bytes);
      return;
    }
    let fh = this.handles.get(key);
    if (fh === undefined) {
      fh = await open(path, 'a');
      this.handles.set(key, fh);
    }
    // A short write unnoticed here would shift every later record of the file.
    await writeAll(fh, bytes, null, path);
  }

  private async closeFiles(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((fh) => fh.close().catch(() => undefined)));
  }

  private file(key: number): string {
    return join(this.dir, `${this.keyNames[key]}.spool`);
  }
}

/** The whole records in `buf[0, end)`. */
function parseRecords(buf: Buffer, end: number): SpoolRecordRef[] {
  const out: SpoolRecordRef[] = [];
  for (let at = 0; at + FILE_HEADER <= end; ) {
    const len = buf.readUInt32LE(at);
    const start = at + FILE_HEADER;
    if (start + len > end) break;
    out.push({ buf, start, end: start + len, idLength: buf.readUInt16LE(at + 4), flag: buf[at + 6] as number });
    at = start + len;
  }
  return out;
}
