// Append-only temp files keyed by bucket, so a sink holds at most `capBytes` of rows in memory
// however large the object. Files are opened per flush (appendFile) and flushes run a few at a
// time, which caps open file descriptors without an LRU of handles.

import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const FLUSH_PARALLELISM = 8;
const READ_WHOLE_BELOW = 32 * 1024 * 1024;

export class Spool {
  readonly dir: string;
  private readonly capBytes: number;
  private readonly buffers = new Map<string, string[]>();
  private readonly onDisk = new Set<string>();
  private buffered = 0;
  private created = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(dir: string, capBytes = 4 * 1024 * 1024) {
    this.dir = dir;
    this.capBytes = capBytes;
  }

  /** Buffers one line (no newline in it); call `maybeFlush` after a batch. */
  add(key: string, line: string): void {
    let buf = this.buffers.get(key);
    if (buf === undefined) {
      buf = [];
      this.buffers.set(key, buf);
    }
    buf.push(line);
    this.buffered += line.length + 1;
  }

  async maybeFlush(): Promise<void> {
    if (this.buffered >= this.capBytes) await this.flush();
  }

  /** Writes out the buffers. Flushes are chained so concurrent callers keep the append order. */
  flush(): Promise<void> {
    if (this.buffered === 0) return this.flushing;
    const entries = [...this.buffers.entries()].filter(([, b]) => b.length > 0);
    this.buffers.clear();
    this.buffered = 0;
    for (const [key] of entries) this.onDisk.add(key);
    this.flushing = this.flushing.then(() => this.write(entries));
    return this.flushing;
  }

  private async write(entries: [string, string[]][]): Promise<void> {
    if (!this.created) {
      await mkdir(this.dir, { recursive: true });
      this.created = true;
    }
    for (let i = 0; i < entries.length; i += FLUSH_PARALLELISM) {
      await Promise.all(entries.slice(i, i + FLUSH_PARALLELISM).map(([key, lines]) => appendFile(this.file(key), `${lines.join('\n')}\n`)));
    }
  }

  keys(): string[] {
    const all = new Set<string>([...this.onDisk, ...this.buffers.keys()]);
    return [...all].sort();
  }

  /** Lines of `key` in the order they were added. */
  async *lines(key: string): AsyncGenerator<string> {
    await this.flushing;
    if (this.onDisk.has(key)) {
      const path = this.file(key);
      const size = (await stat(path)).size;
      if (size < READ_WHOLE_BELOW) {
        const text = await readFile(path, 'utf8');
        let start = 0;
        for (;;) {
          const nl = text.indexOf('\n', start);
          if (nl < 0) break;
          yield text.slice(start, nl);
          start = nl + 1;
        }
      } else {
        const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
        for await (const line of rl) yield line;
      }
    }
    const buf = this.buffers.get(key);
    if (buf) yield* buf;
  }

  async dispose(): Promise<void> {
    await this.flushing.catch(() => undefined);
    this.buffers.clear();
    this.buffered = 0;
    await rm(this.dir, { recursive: true, force: true });
  }

  private file(key: string): string {
    return join(this.dir, `${key}.ndjson`);
  }
}
