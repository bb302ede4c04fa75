// Writes one org's snapshot (design §4, docs/snapshot-format.md) into a staging directory: rows of
// each object are spooled to per-bucket temp files as they arrive, then each bucket is sorted by
// Id and written with its sha256. Incremental sinks merge upserts/deletes into the base snapshot's
// buckets and link the untouched ones, so an unchanged bucket keeps its bytes.

import { createHash, randomUUID } from 'node:crypto';
import { copyFile, link, mkdir, open, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { asDiskFull, type DiskFullError, writeAll } from '../runtime/io.ts';
import { bucketName, chooseHexChars, compareIds } from './buckets.ts';
import { toByteString } from './bytes.ts';
import type {
  MergeCounts,
  ObjectExportInfo,
  ObjectSchema,
  ObjectSink,
  ObjectSinkOptions,
  SnapshotFinishInfo,
  SnapshotRunInfo,
  SnapshotWriterOptions,
} from './contracts.ts';
import { csvFile, encodeRow, parseCsv } from './csv.ts';
import { bucketKey, type EncodedBatch, encodeRows, FLAG_IN_RECYCLE_BIN, forEachRecord, isUsableId, type RowLayout, RowShapeError } from './encoded.ts';
import { CORRUPT_REMEDY, IncrementalNotPossibleError, SnapshotError } from './errors.ts';
import {
  FORMAT_VERSION,
  MANIFEST_FILE,
  type Manifest,
  type ManifestFile,
  type ManifestObject,
  ManifestSchema,
  readManifest,
  resolveSnapshotDir,
} from './manifest.ts';
import { Spool, type SpoolRecordRef } from './spool.ts';
import { type FileStamp, stampHolds, stampOf } from './stamps.ts';

export interface SnapshotWriter {
  /** The directory the snapshot goes to: `<stagingDir>/<alias>`. */
  readonly dir: string;
  /** The base snapshot's manifest, when a base was given. */
  readonly base: Manifest | undefined;
  /**
   * Opens the sink for one object and writes its schema file. With `{incremental: true}` throws
   * IncrementalNotPossibleError when the base cannot be merged into (export in full instead).
   */
  object(schema: ObjectSchema, opts?: ObjectSinkOptions): ObjectSink;
  /** Writes manifest.json once every sink is closed or aborted. */
  finish(extra: SnapshotFinishInfo): Promise<Manifest>;
  /**
   * Files hard-linked from the base (unchanged buckets of merged objects), by manifest path, with
   * the stamp of the base file they are: the base's check covers them, so they need no new one.
   */
  readonly linked: ReadonlyMap<string, FileStamp>;
  /** Per merged object: rows added, changed and removed against the base (for the run's diff). */
  readonly mergeCounts: ReadonlyMap<string, MergeCounts>;
}

const SPOOL_DIR = '.sfbackup-spool';
const WRITE_BLOCK_BYTES = 1024 * 1024;
/**
 * Depth of the spool of a full write; buckets deeper than this are re-spooled at close. 16 spool
 * files per object, not 256: every 4 MB flush appends to each key it holds, and opening 256 files
 * per flush cost more than the occasional re-spool of an object above 320k rows.
 */
const FULL_SPOOL_HEX = 1;
const OBJECT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

interface BaseInfo {
  dir: string;
  manifest: Manifest;
  manifestSha256: string;
  /** SnapshotWriterOptions.baseStamps; undefined when the caller gave none. */
  stamps: ReadonlyMap<string, FileStamp> | undefined;
}

interface MergeBase {
  dir: string;
  object: ManifestObject;
  stamps: ReadonlyMap<string, FileStamp> | undefined;
}

export async function createSnapshotWriter(stagingDir: string, run: SnapshotRunInfo, opts: SnapshotWriterOptions = {}): Promise<SnapshotWriter> {
  let base: BaseInfo | undefined;
  if (opts.base !== undefined) {
    const dir = resolveSnapshotDir(opts.base, run.alias);
    const { manifest, text } = await readManifest(dir);
    base = { dir, manifest, manifestSha256: sha256(text), stamps: opts.baseStamps };
  }
  if (run.mode === 'incremental' && base === undefined) {
    throw new SnapshotError('writer_state', 'an incremental snapshot needs the previous snapshot as base', 'pass {base: previous.dir} or run a full backup');
  }
  const aliasDir = join(stagingDir, run.alias);
  const spoolRoot = join(stagingDir, SPOOL_DIR, `${run.alias}-${randomUUID()}`);
  await mkdir(join(aliasDir, 'schema'), { recursive: true });
  await mkdir(join(aliasDir, 'data'), { recursive: true });

  const entries = new Map<string, ManifestObject>();
  const open = new Set<string>();
  const linked = new Map<string, FileStamp>();
  const mergeCounts = new Map<string, MergeCounts>();
  // Laying out an object's buckets holds one whole bucket in memory; objects finishing together
  // take turns, so the peak is one bucket, not one per concurrent export. The work is CPU-bound
  // on the one JS thread anyway, so the turns cost little time.
  let layoutTurn: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = layoutTurn.then(fn, fn);
    layoutTurn = run.catch(() => undefined);
    return run;
  };
  let finished = false;
  // The first "no room" error poisons the writer: every later write (any object's) and finish()
  // fail with it at once, so a full disk ends the run as disk_full instead of one failed object
  // after another, and no manifest is ever written over files that did not fit.
  let diskFull: DiskFullError | undefined;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (diskFull) throw diskFull;
    try {
      return await fn();
    } catch (err) {
      const full = asDiskFull(err, 'staging', stagingDir);
      if (!full) throw err;
      diskFull ??= full;
      throw diskFull;
    }
  };

  return {
    dir: aliasDir,
    base: base?.manifest,
    linked,
    mergeCounts,
    object(schema, sinkOpts = {}) {
      if (finished) throw stateError('object() after finish()');
      if (diskFull) throw diskFull;
      const name = schema.name;
      if (!OBJECT_NAME.test(name)) {
        throw new SnapshotError('bad_row', `invalid object name ${JSON.stringify(name)}`, 'report this as a bug');
      }
      if (open.has(name) || entries.has(name)) throw stateError(`${name} was opened twice`);
      const fields = schema.fields.map((f) => f.name);
      if (fields[0] !== 'Id') {
        throw new SnapshotError('bad_row', `${name}: the first field must be Id, got ${fields[0]}`, 'report this as a bug');
      }
      const baseObject = base?.manifest.objects.find((o) => o.name === name);
      let mergeBase: MergeBase | undefined;
      if (sinkOpts.incremental) {
        if (!base || !baseObject) throw new IncrementalNotPossibleError(name, 'not_in_base', 'the previous snapshot has no such object');
        if (baseObject.status !== 'ok') throw new IncrementalNotPossibleError(name, 'base_failed', 'it failed in the previous snapshot');
        if (baseObject.fields.join(',') !== fields.join(',')) {
          throw new IncrementalNotPossibleError(name, 'fields_changed', 'its field list changed since the previous snapshot');
        }
        mergeBase = { dir: base.dir, object: baseObject, stamps: base.stamps };
      }
      // A full write still follows the base's bucket scheme so a reconciling full run and the
      // incremental chain it checks produce the same files.
      const previousHex = baseObject?.status === 'ok' ? baseObject.bucketScheme.hexChars : undefined;
      open.add(name);
      const sink = new Sink({
        aliasDir,
        spoolDir: join(spoolRoot, name),
        schema,
        fields,
        mergeBase,
        previousHex,
        baseWatermark: mergeBase?.object.watermark ?? null,
        oneAtATime,
        guard,
        linked,
        done: (entry, counts) => {
          open.delete(name);
          entries.set(name, entry);
          if (counts) mergeCounts.set(name, counts);
          else mergeCounts.delete(name);
        },
      });
      const schemaWrite = guard(() => writeFile(join(aliasDir, 'schema', `${name}.json`), `${JSON.stringify(schema, null, 2)}\n`));
      // Awaited at close(); the no-op catch only keeps an early failure from being "unhandled".
      schemaWrite.catch(() => undefined);
      sink.pending = schemaWrite;
      return sink;
    },
    async finish(extra) {
      if (finished) throw stateError('finish() called twice');
      if (diskFull) {
        finished = true;
        await rm(spoolRoot, { recursive: true, force: true }).catch(() => undefined);
        throw diskFull;
      }
      if (open.size > 0) throw stateError(`objects still open: ${[...open].join(', ')}`);
      finished = true;
      await rm(spoolRoot, { recursive: true, force: true });
      // Other writers may share the staging dir; remove the spool root only once it is empty.
      await rmdir(join(stagingDir, SPOOL_DIR)).catch(() => undefined);
      const objects = [...entries.values()].sort((a, b) => compareIds(a.name, b.name));
      const failedByName = new Map<string, string>();
      for (const f of extra.failedObjects ?? []) failedByName.set(f.name, f.error);
      for (const o of objects) if (o.status === 'failed') failedByName.set(o.name, o.error ?? 'failed');
      const failedObjects = [...failedByName].map(([name, error]) => ({ name, error })).sort((a, b) => compareIds(a.name, b.name));
      const files = objects.flatMap((o) => o.files);
      const manifest: Manifest = {
        formatVersion: FORMAT_VERSION,
        toolVersion: extra.toolVersion,
        orgId: run.orgId,
        alias: run.alias,
        instanceUrl: run.instanceUrl,
        apiVersion: run.apiVersion,
        startedAt: run.startedAt,
        finishedAt: extra.finishedAt ?? new Date().toISOString(),
        mode: run.mode,
        base: run.mode === 'incremental' && base ? { manifestSha256: base.manifestSha256, finishedAt: base.manifest.finishedAt } : null,
        runsSinceFull: extra.runsSinceFull ?? (run.mode === 'full' || !base ? 0 : base.manifest.runsSinceFull + 1),
        objects,
        failedObjects,
        totals: {
          objects: objects.length,
          rows: objects.reduce((n, o) => n + o.rows, 0),
          files: files.length,
          bytes: files.reduce((n, f) => n + f.bytes, 0),
        },
      };
      // Validate what we write with the schema every reader applies.
      ManifestSchema.parse(manifest);
      await guard(() => writeFile(join(aliasDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`));
      return manifest;
    },
  };
}

function stateError(detail: string): SnapshotError {
  return new SnapshotError('writer_state', `snapshot writer misuse: ${detail}`, 'report this as a bug');
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

interface SinkInit {
  aliasDir: string;
  spoolDir: string;
  schema: ObjectSchema;
  fields: string[];
  mergeBase: MergeBase | undefined;
  previousHex: number | undefined;
  baseWatermark: string | null;
  oneAtATime: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Runs a write; a "no room" error becomes the writer's DiskFullError (see createSnapshotWriter). */
  guard: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The writer's record of files linked from the base. */
  linked: Map<string, FileStamp>;
  done: (entry: ManifestObject, counts?: MergeCounts) => void;
}

/** One bucket's merged, sorted rows, written to a temp file until the scheme is settled. */
interface MergedBucket {
  bucket: string;
  tempPath: string;
  file: Omit<ManifestFile, 'path'>;
}

class Sink implements ObjectSink {
  pending: Promise<unknown> = Promise.resolve();
  private readonly init: SinkInit;
  private readonly spool: Spool;
  private readonly dataDir: string;
  private state: 'open' | 'closing' | 'done' = 'open';
  private readonly isDeletedIndex: number;
  private rowsSeen = 0;

  constructor(init: SinkInit) {
    this.init = init;
    this.spool = new Spool(init.spoolDir);
    this.dataDir = join(init.aliasDir, 'data', init.schema.name);
    this.isDeletedIndex = init.fields.indexOf('IsDeleted');
  }

  get keyHex(): number {
    return this.spoolHex;
  }

  private get spoolHex(): number {
    return this.init.mergeBase ? this.init.mergeBase.object.bucketScheme.hexChars : FULL_SPOOL_HEX;
  }

  writeRows(rows: string[][]): Promise<void> {
    return this.writeByteRows(rows.map((r) => r.map(toByteString)));
  }

  writeByteRows(rows: string[][]): Promise<void> {
    return this.init.guard(() => this.writeByteRowsUnguarded(rows));
  }

  private async writeByteRowsUnguarded(rows: string[][]): Promise<void> {
    this.assertOpen();
    const layout: RowLayout = {
      object: this.init.schema.name,
      width: this.init.fields.length,
      isDeletedIndex: this.isDeletedIndex,
      stampIndex: -1,
      keyHex: this.keyHex,
      wantIds: false,
    };
    let batch: EncodedBatch;
    try {
      batch = encodeRows(rows, layout);
    } catch (err) {
      if (err instanceof RowShapeError) throw new SnapshotError('bad_row', err.message, 'report this as a bug (the exporter and the schema disagree)');
      throw err;
    }
    await this.writeEncodedUnguarded(batch);
  }

  /** Rows encoded with this sink's keyHex: each record's bytes are copied into the spool as they are. */
  writeEncoded(batch: EncodedBatch): Promise<void> {
    return this.init.guard(() => this.writeEncodedUnguarded(batch));
  }

  private async writeEncodedUnguarded(batch: EncodedBatch): Promise<void> {
    this.assertOpen();
    forEachRecord(batch, (r, buf) => {
      this.spool.addSlice(r.key, r.flag === FLAG_IN_RECYCLE_BIN ? IN_RECYCLE_BIN : LIVE, r.idLength, buf, r.start, r.end);
    });
    this.rowsSeen += batch.count;
    await this.spool.maybeFlush();
  }

  deleteIds(ids: string[]): Promise<void> {
    return this.init.guard(() => this.deleteIdsUnguarded(ids));
  }

  private async deleteIdsUnguarded(ids: string[]): Promise<void> {
    this.assertOpen();
    // A full write has no base rows to remove; deletes only matter when merging.
    if (!this.init.mergeBase) return;
    const k = this.spoolHex;
    for (const id of ids) {
      if (isUsableId(id)) this.spool.add(bucketKey(id, k), DELETE, id.length, id);
    }
    await this.spool.maybeFlush();
  }

  close(info: ObjectExportInfo): Promise<void> {
    return this.init.guard(() => this.closeUnguarded(info));
  }

  private async closeUnguarded(info: ObjectExportInfo): Promise<void> {
    this.assertOpen();
    this.state = 'closing';
    try {
      await this.pending;
      await this.spool.flush();
      await rm(this.dataDir, { recursive: true, force: true });
      await mkdir(this.dataDir, { recursive: true });
      const result = await this.init.oneAtATime(() => (this.init.mergeBase ? this.closeIncremental() : this.closeFull()));
      const watermark = maxIso(info.watermark, this.init.mergeBase ? this.init.baseWatermark : null);
      this.state = 'done';
      this.init.done(
        {
          name: this.init.schema.name,
          status: 'ok',
          api: info.api,
          fields: this.init.fields,
          rows: result.files.reduce((n, f) => n + f.rows, 0),
          deletedRows: result.deletedRows,
          countCheck: info.countCheck,
          watermark,
          bucketScheme: { kind: 'sha1-id15-prefix', hexChars: result.hexChars },
          files: result.files,
          mode: this.init.mergeBase ? 'incremental' : 'full',
        },
        result.counts,
      );
    } catch (err) {
      this.state = 'open';
      await this.abort(err instanceof Error ? err.message : String(err));
      throw err;
    } finally {
      await this.spool.dispose();
    }
  }

  async abort(reason: string): Promise<void> {
    if (this.state === 'done') return;
    this.state = 'done';
    await this.pending.catch(() => undefined);
    await this.spool.dispose();
    await rm(this.dataDir, { recursive: true, force: true });
    const prefix = `data/${this.init.schema.name}/`;
    for (const p of [...this.init.linked.keys()]) if (p.startsWith(prefix)) this.init.linked.delete(p);
    this.init.done({
      name: this.init.schema.name,
      status: 'failed',
      error: reason,
      api: null,
      fields: this.init.fields,
      rows: 0,
      deletedRows: 0,
      countCheck: null,
      watermark: null,
      bucketScheme: { kind: 'sha1-id15-prefix', hexChars: 0 },
      files: [],
      mode: this.init.mergeBase ? 'incremental' : 'full',
    });
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw stateError(`${this.init.schema.name} is already closed`);
  }

  /** Full write: pick the scheme from the row count, then sort each bucket out of the spool. */
  private async closeFull(): Promise<CloseResult> {
    // Counting distinct Ids exactly would need them all in memory; duplicates are rare (REST
    // paging over moving data), so the scheme is chosen from the row count seen.
    const k = chooseHexChars(this.rowsSeen, this.init.previousHex);
    return this.layout(this.spool, FULL_SPOOL_HEX, k);
  }

  /** Writes buckets of scheme `k` from a spool of rows keyed at depth `spoolHex`. */
  private async layout(spool: Spool, spoolHex: number, k: number): Promise<CloseResult> {
    const files: ManifestFile[] = [];
    let deletedRows = 0;
    const emit = async (bucket: string, refs: SpoolRecordRef[]): Promise<void> => {
      const rows = sortDedupRefs(refs.filter((r) => r.flag !== DELETE));
      if (rows.length === 0) return;
      for (const r of rows) if (r.flag === IN_RECYCLE_BIN) deletedRows++;
      files.push(await this.writeBucketBytes(bucket, rows));
    };
    if (k <= spoolHex) {
      // Buckets are unions of spool keys sharing a prefix; keys() is sorted so they are adjacent.
      let current: string | undefined;
      let refs: SpoolRecordRef[] = [];
      for (const key of spool.keys()) {
        const bucket = bucketName(key === 'all' ? '' : key, k);
        if (bucket !== current) {
          if (current !== undefined) await emit(current, refs);
          current = bucket;
          refs = [];
        }
        for (const r of await spool.records(key)) refs.push(r);
      }
      if (current !== undefined) await emit(current, refs);
    } else {
      // Deeper buckets than the spool's keys: split each key file (streamed, it may be large).
      for (const key of spool.keys()) {
        const sub = new Spool(join(this.init.spoolDir, `re-${key}`));
        try {
          for await (const batch of spool.batches(key)) {
            for (const r of batch) if (r.flag !== DELETE) sub.addBytes(bucketKey(idOf(r), k), r);
            await sub.maybeFlush();
          }
          for (const bucket of sub.keys()) await emit(bucket, await sub.records(bucket));
        } finally {
          await sub.dispose();
        }
      }
    }
    files.sort((a, b) => compareIds(a.path, b.path));
    return { files, deletedRows, hexChars: k };
  }

  /**
   * Incremental: merge changes into touched base buckets, link the rest, re-bucket if needed. A
   * touched bucket is read once and checked against its sha256; its unchanged records are copied
   * as byte runs between the changed ones, so the cost is a copy of the bucket, not a CSV parse.
   */
  private async closeIncremental(): Promise<CloseResult> {
    const mergeBase = this.init.mergeBase;
    if (!mergeBase) throw stateError('closeIncremental without base');
    const baseObj = mergeBase.object;
    const k = baseObj.bucketScheme.hexChars;
    const baseFiles = new Map(baseObj.files.map((f) => [bucketOfPath(f.path), f]));
    const touched = new Set(this.spool.keys());
    const tempDir = join(this.init.spoolDir, 'merged');
    await mkdir(tempDir, { recursive: true });
    const merged: MergedBucket[] = [];
    const counts: MergeCounts = { added: 0, changed: 0, deleted: 0 };
    const header = Buffer.from(csvFile(this.init.fields, []), 'latin1');
    let total = 0;
    let deletedDelta = 0;
    for (const [bucket, f] of baseFiles) if (!touched.has(bucket)) total += f.rows;
    for (const bucket of touched) {
      const baseFile = baseFiles.get(bucket);
      const base = baseFile ? await readBaseBytes(mergeBase, baseFile) : undefined;
      const m = mergeBucket(base, baseFile?.rows ?? 0, header, await this.spool.records(bucket), this.isDeletedIndex, baseFile?.path ?? bucket);
      counts.added += m.added;
      counts.changed += m.changed;
      counts.deleted += m.deleted;
      deletedDelta += m.deletedDelta;
      if (m.rows === 0) continue;
      total += m.rows;
      const data = m.pieces.length === 1 ? (m.pieces[0] as Buffer) : Buffer.concat(m.pieces);
      const tempPath = join(tempDir, `${bucket}.csv`);
      await writeFile(tempPath, data);
      merged.push({ bucket, tempPath, file: { rows: m.rows, bytes: data.length, sha256: sha256(data) } });
    }
    const newK = chooseHexChars(total, k);
    if (newK === k) {
      const files: ManifestFile[] = [];
      for (const m of merged) {
        const path = this.relPath(m.bucket);
        await rename(m.tempPath, join(this.init.aliasDir, path));
        files.push({ path, ...m.file });
      }
      for (const [bucket, f] of baseFiles) {
        if (touched.has(bucket)) continue;
        const stamp = await linkOrCopy(mergeBase, join(this.init.aliasDir, f.path), f);
        if (stamp) this.init.linked.set(f.path, stamp);
        files.push({ ...f });
      }
      files.sort((a, b) => compareIds(a.path, b.path));
      // Recycle-bin rows: the base's count, plus what the merged rows changed of it.
      const deletedRows = this.isDeletedIndex >= 0 ? baseObj.deletedRows + deletedDelta : 0;
      return { files, deletedRows, hexChars: k, counts };
    }
    // The object outgrew (or shrank out of) its scheme: re-bucket every row.
    const all = new Spool(join(this.init.spoolDir, 'rebucket'));
    try {
      const add = async (recs: Rec[]): Promise<void> => {
        for (const r of recs) all.add(bucketKey(r.id, FULL_SPOOL_HEX), r.deleted ? IN_RECYCLE_BIN : LIVE, r.id.length, r.line);
        await all.maybeFlush();
      };
      for (const m of merged) await add(this.recordsOf(await readFile(m.tempPath, 'latin1')));
      for (const [bucket, f] of baseFiles) {
        if (!touched.has(bucket)) await add(this.recordsOf((await readBaseBytes(mergeBase, f)).toString('latin1')));
      }
      await all.flush();
      return { ...(await this.layout(all, FULL_SPOOL_HEX, newK)), counts };
    } finally {
      await all.dispose();
    }
  }

  private recordsOf(text: string): Rec[] {
    const records = parseCsv(text);
    const del = this.isDeletedIndex;
    const out: Rec[] = [];
    for (let i = 1; i < records.length; i++) {
      const cells = records[i] as string[];
      out.push({ id: cells[0] ?? '', line: encodeRow(cells), deleted: del >= 0 && cells[del] === 'true' });
    }
    return out;
  }

  private relPath(bucket: string): string {
    return `data/${this.init.schema.name}/${bucket}.csv`;
  }

  /** A bucket from spooled bytes: copied into 1 MB blocks, each hashed as it goes out. */
  private async writeBucketBytes(bucket: string, rows: SpoolRecordRef[]): Promise<ManifestFile> {
    const path = this.relPath(bucket);
    const hash = createHash('sha256');
    let bytes = 0;
    const filePath = join(this.init.aliasDir, path);
    const fh = await open(filePath, 'w');
    try {
      let block = Buffer.allocUnsafe(WRITE_BLOCK_BYTES);
      let used = block.write(csvFile(this.init.fields, []), 0, 'latin1');
      const put = async (): Promise<void> => {
        const out = block.subarray(0, used);
        hash.update(out);
        bytes += used;
        // Hashed and counted above: the file must then hold every one of these bytes.
        await writeAll(fh, out, null, filePath);
        used = 0;
      };
      for (const r of rows) {
        const len = r.end - r.start + 1;
        if (used + len > block.length) {
          await put();
          if (len > block.length) block = Buffer.allocUnsafe(len);
        }
        r.buf.copy(block, used, r.start, r.end);
        block[used + len - 1] = 0x0a;
        used += len;
      }
      if (used > 0) await put();
    } finally {
      await fh.close();
    }
    return { path, rows: rows.length, bytes, sha256: hash.digest('hex') };
  }
}

/** A row on its way to a bucket: its Id, its CSV record, and whether IsDeleted is true. */
interface Rec {
  id: string;
  line: string;
  deleted: boolean;
}

/** Spool flags: a row in the org, a row in its Recycle Bin (IsDeleted true), an Id to remove. */
const LIVE = 1;
const IN_RECYCLE_BIN = 2;
const DELETE = 3;

function idOf(r: SpoolRecordRef): string {
  return r.buf.toString('latin1', r.start, r.start + r.idLength);
}

/** Sorts by Id; of records sharing an Id the last one spooled wins. */
function sortDedupRefs(refs: SpoolRecordRef[]): SpoolRecordRef[] {
  const ids = refs.map(idOf);
  const order = Array.from(ids.keys());
  order.sort((a, b) => compareIds(ids[a] as string, ids[b] as string) || a - b);
  const out: SpoolRecordRef[] = [];
  for (let i = 0; i < order.length; i++) {
    const at = order[i] as number;
    const next = order[i + 1];
    if (next !== undefined && ids[next] === ids[at]) continue;
    out.push(refs[at] as SpoolRecordRef);
  }
  return out;
}

interface CloseResult {
  files: ManifestFile[];
  deletedRows: number;
  hexChars: number;
  /** Incremental closes: what the merge did to the base's rows. */
  counts?: MergeCounts;
}

function bucketOfPath(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.slice(0, -'.csv'.length);
}

interface MergeResult {
  /** The new bucket file: the header, then runs of base bytes and new records. */
  pieces: Buffer[];
  rows: number;
  added: number;
  changed: number;
  deleted: number;
  /** Change in rows with IsDeleted true. */
  deletedDelta: number;
}

const LF = Buffer.from('\n');
const COMMA = 0x2c;
const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Merges one bucket's spooled changes into its base bytes (sorted by Id, checked by sha256). The
 * changes are sorted by Id and met in one pass over the base: runs of base records between two
 * changed Ids are copied as they are; only a replaced or removed base record is looked into (for
 * its IsDeleted cell). Upserts win over deletes whatever their order, and of two upserts of one Id
 * the last spooled wins, as in a full write.
 */
function mergeBucket(base: Buffer | undefined, baseRows: number, header: Buffer, refs: SpoolRecordRef[], isDeletedIndex: number, what: string): MergeResult {
  const upserts = new Map<string, SpoolRecordRef>();
  const deletes = new Set<string>();
  for (const r of refs) {
    const id = idOf(r);
    if (r.flag === DELETE) deletes.add(id);
    else upserts.set(id, r);
  }
  for (const id of upserts.keys()) deletes.delete(id);
  const ids = [...upserts.keys(), ...deletes].sort(compareIds);
  const out: MergeResult = { pieces: [header], rows: 0, added: 0, changed: 0, deleted: 0, deletedDelta: 0 };
  const put = (r: SpoolRecordRef): void => {
    out.pieces.push(r.buf.subarray(r.start, r.end), LF);
    if (r.flag === IN_RECYCLE_BIN) out.deletedDelta++;
  };
  let ci = 0;
  if (base) {
    if (base.subarray(0, header.length).compare(header) !== 0) throw corruptBase(what, "its header is not the object's field list");
    let pos = header.length;
    let runStart = pos;
    let nextQuote = -2;
    let nextComma = -2;
    let target = ids.length > 0 ? Buffer.from(ids[0] as string, 'latin1') : undefined;
    while (pos < base.length && target !== undefined) {
      const nl = base.indexOf(NEWLINE, pos);
      if (nl === -1) throw corruptBase(what, 'its last record has no line end');
      // Ids are never quoted, so the first comma of a record ends its Id (none: an Id-only object).
      if (nextComma !== -1 && nextComma < pos) nextComma = base.indexOf(COMMA, pos);
      const idEnd = nextComma === -1 || nextComma > nl ? nl : nextComma;
      const cmp = base.compare(target, 0, target.length, pos, idEnd);
      if (cmp < 0) {
        // The base record comes first: skip it (its bytes stay in the current run).
        if (nextQuote !== -1 && nextQuote < pos) nextQuote = base.indexOf(QUOTE, pos);
        pos = (nextQuote === -1 || nextQuote > nl ? nl : recordEnd(base, pos, what)) + 1;
        continue;
      }
      const id = ids[ci] as string;
      if (runStart < pos) out.pieces.push(base.subarray(runStart, pos));
      if (cmp === 0) {
        const end = recordEnd(base, pos, what);
        const wasDeleted = isDeletedIndex >= 0 && cellIs(base, pos, end, isDeletedIndex, TRUE);
        if (wasDeleted) out.deletedDelta--;
        const r = upserts.get(id);
        if (r) {
          put(r);
          if (base.compare(r.buf, r.start, r.end, pos, end) !== 0) out.changed++;
        } else out.deleted++;
        pos = end + 1;
      } else {
        // The changed Id is not in the base: an insert goes in here; a delete has nothing to remove.
        const r = upserts.get(id);
        if (r) {
          put(r);
          out.added++;
        }
      }
      runStart = pos;
      ci++;
      target = ci < ids.length ? Buffer.from(ids[ci] as string, 'latin1') : undefined;
    }
    if (runStart < base.length) out.pieces.push(base.subarray(runStart));
  }
  for (; ci < ids.length; ci++) {
    const r = upserts.get(ids[ci] as string);
    if (r) {
      put(r);
      out.added++;
    }
  }
  out.rows = baseRows + out.added - out.deleted;
  return out;
}

/** The index of the LF ending the record that starts at `pos`, quoted line breaks skipped. */
function recordEnd(buf: Buffer, pos: number, what: string): number {
  let nl = buf.indexOf(NEWLINE, pos);
  let q = buf.indexOf(QUOTE, pos);
  while (q !== -1 && nl !== -1 && q < nl) {
    const close = buf.indexOf(QUOTE, q + 1);
    if (close === -1) throw corruptBase(what, 'a quoted cell never closes');
    if (close > nl) nl = buf.indexOf(NEWLINE, close);
    q = buf.indexOf(QUOTE, close + 1);
  }
  if (nl === -1) throw corruptBase(what, 'its last record has no line end');
  return nl;
}

const TRUE = Buffer.from('true');

/** Whether cell `index` of the record `buf[start, end)` is exactly `value` (an unquoted cell). */
function cellIs(buf: Buffer, start: number, end: number, index: number, value: Buffer): boolean {
  let at = start;
  for (let i = 0; i < index; i++) {
    if (buf[at] === QUOTE) {
      // A quoted cell: its closing quote is one not followed by another (`""` is a quote inside).
      let q = buf.indexOf(QUOTE, at + 1);
      while (q !== -1 && q + 1 < end && buf[q + 1] === QUOTE) q = buf.indexOf(QUOTE, q + 2);
      if (q === -1 || q >= end) return false;
      at = q + 1;
    } else {
      const comma = buf.indexOf(COMMA, at);
      if (comma === -1 || comma >= end) return false;
      at = comma;
    }
    if (buf[at] !== COMMA) return false;
    at++;
  }
  const next = buf.indexOf(COMMA, at);
  const cellEnd = next === -1 || next > end ? end : next;
  return cellEnd - at === value.length && buf.compare(value, 0, value.length, at, cellEnd) === 0;
}

function corruptBase(what: string, detail: string): SnapshotError {
  return new SnapshotError('snapshot_corrupt', `the previous snapshot's ${what} is not a bucket file: ${detail}`, CORRUPT_REMEDY);
}

/**
 * A base bucket's bytes, refused unless they match the base manifest's sha256. A file this run's
 * check of the base found good, and unchanged since (its stamp holds), is not hashed again.
 */
async function readBaseBytes(base: MergeBase, f: ManifestFile): Promise<Buffer> {
  const path = join(base.dir, f.path);
  const checked = await stampStillHolds(base, f);
  const buf = await readFile(path);
  if (!checked && sha256(buf) !== f.sha256) throw baseMismatch(f);
  return buf;
}

async function stampStillHolds(base: MergeBase, f: ManifestFile): Promise<boolean> {
  const stamp = base.stamps?.get(f.path);
  if (!stamp) return false;
  const st = await stat(join(base.dir, f.path), { bigint: true }).catch(() => undefined);
  return st !== undefined && stampHolds(stamp, f, st);
}

function baseMismatch(f: ManifestFile): SnapshotError {
  return new SnapshotError('snapshot_corrupt', `the previous snapshot's ${f.path} does not match its sha256 in manifest.json`, CORRUPT_REMEDY);
}

/**
 * Links a base file into the new snapshot; returns its stamp when it is the same file (a link),
 * not a copy. With base stamps, a file this run's check did not find good as it is now is hashed
 * first, so a damaged file is never linked.
 */
async function linkOrCopy(base: MergeBase, to: string, f: ManifestFile): Promise<FileStamp | undefined> {
  const from = join(base.dir, f.path);
  const size = (await stat(from)).size;
  if (size !== f.bytes) {
    throw new SnapshotError('snapshot_corrupt', `the previous snapshot's ${f.path} has ${size} bytes, manifest.json says ${f.bytes}`, CORRUPT_REMEDY);
  }
  if (base.stamps && !(await stampStillHolds(base, f)) && sha256(await readFile(from)) !== f.sha256) throw baseMismatch(f);
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
    return undefined;
  }
  return stampOf(f, await stat(to, { bigint: true }));
}

function maxIso(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
