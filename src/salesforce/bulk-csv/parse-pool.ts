// Parses result pages on worker threads (parse-worker.ts) when it can, inline when it cannot (no
// worker file next to the code, a platform without workers): same batches either way. One page is
// one stream; a page's chunks go to the same worker in order, pages spread over the workers.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type EncodedBatch, type RowLayout, RowShapeError } from '../../snapshot/encoded.ts';
import { CsvFormatError } from './csv-records.ts';
import { PageEncoder } from './page-encoder.ts';
import type { ParseReply, ParseRequest } from './parse-protocol.ts';

export interface ParsedChunk {
  /** The page's header row, with the first chunk that completes it. */
  header?: string[];
  batch: EncodedBatch;
}

export interface PageParser {
  push(chunk: Uint8Array): Promise<ParsedChunk>;
  end(): Promise<ParsedChunk>;
  /** Drops the page (a broken download); safe after end(). */
  close(): void;
}

export interface ParsePool {
  open(layout: RowLayout): Promise<PageParser>;
  close(): Promise<void>;
}

const EMPTY: EncodedBatch = { count: 0, bytes: new Uint8Array(0), maxStamp: null };

/** Parses on the calling thread. */
export function inlineParsePool(): ParsePool {
  return {
    async open(layout) {
      // Batches are copied into the spool before the next chunk is parsed: one buffer serves the page.
      const encoder = new PageEncoder(layout, { reuseBuffer: true });
      return {
        push: async (chunk) => encoder.push(chunk),
        end: async () => encoder.end(),
        close: () => {},
      };
    },
    async close() {},
  };
}

function withIds(layout: RowLayout): EncodedBatch {
  return layout.wantIds ? { ...EMPTY, ids: [] } : EMPTY;
}

function workerUrl(): URL | undefined {
  // Source runs (tests) have the .ts next to this file; the bundle puts parse-worker.js at dist/.
  for (const rel of ['./parse-worker.ts', './parse-worker.js', '../parse-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

class WorkerSlot {
  readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: ParseReply) => void; reject: (e: Error) => void }>();
  private failed: Error | undefined;

  constructor(url: URL) {
    // Parsing holds a chunk of rows at a time: a small heap is plenty, and RSS is a product promise.
    this.worker = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 24 } });
    this.worker.unref();
    this.worker.on('message', (msg: ParseReply) => {
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      w?.resolve(msg);
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the parser thread exited (${code})`)));
  }

  async call(req: WithoutId<ParseRequest>, transfer: ArrayBuffer[] = []): Promise<ParseReply> {
    if (this.failed) throw this.failed;
    const id = this.nextId++;
    const msg = { ...req, id } as ParseRequest;
    const reply = new Promise<ParseReply>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.worker.postMessage(msg, transfer);
    return reply;
  }
}

function replyError(reply: Extract<ParseReply, { ok: false }>): Error {
  if (reply.error.name === 'CsvFormatError') return new CsvFormatError(reply.error.message);
  if (reply.error.name === 'RowShapeError') return new RowShapeError(reply.error.message);
  return new Error(reply.error.message);
}

/** SFBACKUP_PARSE_THREADS overrides (0 = parse inline): for measuring, and for runners that share cores. */
function defaultThreads(): number {
  const env = process.env.SFBACKUP_PARSE_THREADS;
  if (env !== undefined && /^\d+$/.test(env)) return Math.min(8, Number(env));
  // Measured (docs/performance.md): on 2 cores a parser thread only competes with the main thread
  // and loses ~10 % at 1M rows; with 4 or more cores one parser thread has a core of its own.
  return availableParallelism() >= 4 ? 1 : 0;
}

/**
 * A pool of `size` parser threads (default: one on machines with 4 or more cores, none below), or
 * the inline parser when there are none or workers are not available.
 */
export function createParsePool(size = defaultThreads()): ParsePool {
  const url = workerUrl();
  if (size < 1 || url === undefined) return inlineParsePool();
  const slots: WorkerSlot[] = [];
  let streams = 0;
  return {
    async open(layout) {
      const stream = ++streams;
      let slot = slots[stream % size];
      if (!slot) {
        slot = new WorkerSlot(url);
        slots[stream % size] = slot;
      }
      const s = slot;
      const check = (r: ParseReply): ParsedChunk => {
        if (!r.ok) throw replyError(r);
        return { ...(r.header ? { header: r.header } : {}), batch: r.batch ?? withIds(layout) };
      };
      check(await s.call({ op: 'open', stream, layout }));
      let ended = false;
      return {
        async push(chunk) {
          // A chunk that owns its whole buffer is handed over as is (fetch is done with it); one that
          // is a view into a shared or pooled buffer is copied first.
          const own = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
          const sent = own ? chunk : new Uint8Array(chunk);
          return check(await s.call({ op: 'chunk', stream, chunk: sent }, [sent.buffer as ArrayBuffer]));
        },
        async end() {
          ended = true;
          return check(await s.call({ op: 'end', stream }));
        },
        close() {
          if (!ended) s.call({ op: 'close', stream }).catch(() => {});
        },
      };
    },
    async close() {
      await Promise.all(slots.map((s) => s?.worker.terminate()));
    },
  };
}
