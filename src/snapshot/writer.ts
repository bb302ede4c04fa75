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
import type { ObjectExportInfo, ObjectSchema, ObjectSink, ObjectSinkOptions, SnapshotFinishInfo, SnapshotRunInfo, SnapshotWriterOptions } from './contracts.ts';
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
}

export async function createSnapshotWriter(stagingDir: string, run: SnapshotRunInfo, opts: SnapshotWriterOptions = {}): Promise<SnapshotWriter> {
  let base: BaseInfo | undefined;
  if (opts.base !== undefined) {
    const dir = resolveSnapshotDir(opts.base, run.alias);
    const { manifest, text } = await readManifest(dir);
    base = { dir, manifest, manifestSha256: sha256(text) };
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
      let mergeBase: { dir: string; object: ManifestObject } | undefined;
      if (sinkOpts.incremental) {
        if (!base || !baseObject) throw new IncrementalNotPossibleError(name, 'not_in_base', 'the previous snapshot has no such object');
        if (baseObject.status !== 'ok') throw new IncrementalNotPossibleError(name, 'base_failed', 'it failed in the previous snapshot');
        if (baseObject.fields.join(',') !== fields.join(',')) {
          throw new IncrementalNotPossibleError(name, 'fields_changed', 'its field list changed since the previous snapshot');
        }
        mergeBase = { dir: base.dir, object: baseObject };
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
        done: (entry) => {
          open.delete(name);
          entries.set(name, entry);
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
  mergeBase: { dir: string; object: ManifestObject } | undefined;
  previousHex: number | undefined;
  baseWatermark: string | null;
  oneAtATime: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Runs a write; a "no room" error becomes the writer's DiskFullError (see createSnapshotWriter). */
  guard: <T>(fn: () => Promise<T>) => Promise<T>;
  done: (entry: ManifestObject) => void;
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
      this.init.done({
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
      });
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

  /** Incremental: merge changes into touched base buckets, link the rest, re-bucket if needed. */
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
    let total = 0;
    let deletedRows = 0;
    for (const [bucket, f] of baseFiles) if (!touched.has(bucket)) total += f.rows;
    for (const bucket of touched) {
      const baseFile = baseFiles.get(bucket);
      const recs = new Map<string, Rec>();
      if (baseFile) for (const r of await this.readBaseBucket(mergeBase.dir, baseFile)) recs.set(r.id, r);
      const upserts = new Map<string, Rec>();
      for (const ref of await this.spool.records(bucket)) {
        const id = idOf(ref);
        if (ref.flag === DELETE) recs.delete(id);
        else upserts.set(id, { id, line: ref.buf.toString('latin1', ref.start, ref.end), deleted: ref.flag === IN_RECYCLE_BIN });
      }
      // Upserts win over deletes whatever their order: an upserted row is the org's current state.
      for (const [id, r] of upserts) recs.set(id, r);
      if (recs.size === 0) continue;
      const sorted = [...recs.values()].sort((a, b) => compareIds(a.id, b.id));
      total += sorted.length;
      for (const r of sorted) if (r.deleted) deletedRows++;
      const data = Buffer.from(
        csvFile(
          this.init.fields,
          sorted.map((r) => r.line),
        ),
        'latin1',
      );
      const tempPath = join(tempDir, `${bucket}.csv`);
      await writeFile(tempPath, data);
      merged.push({
        bucket,
        tempPath,
        file: { rows: sorted.length, bytes: data.length, sha256: sha256(data) },
      });
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
        await linkOrCopy(join(mergeBase.dir, f.path), join(this.init.aliasDir, f.path), f);
        files.push({ ...f });
      }
      files.sort((a, b) => compareIds(a.path, b.path));
      // Untouched buckets keep their recycle-bin rows: the base's count minus the touched ones'.
      if (this.isDeletedIndex >= 0) {
        let baseTouchedDeleted = 0;
        for (const bucket of touched) {
          const f = baseFiles.get(bucket);
          if (f) for (const r of await this.readBaseBucket(mergeBase.dir, f)) if (r.deleted) baseTouchedDeleted++;
        }
        deletedRows += baseObj.deletedRows - baseTouchedDeleted;
      }
      return { files, deletedRows, hexChars: k };
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
        if (!touched.has(bucket)) await add(await this.readBaseBucket(mergeBase.dir, f));
      }
      await all.flush();
      return await this.layout(all, FULL_SPOOL_HEX, newK);
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

  private async readBaseBucket(baseDir: string, f: ManifestFile): Promise<Rec[]> {
    const buf = await readFile(join(baseDir, f.path));
    if (sha256(buf) !== f.sha256) {
      throw new SnapshotError('snapshot_corrupt', `the previous snapshot's ${f.path} does not match its sha256 in manifest.json`, CORRUPT_REMEDY);
    }
    return this.recordsOf(buf.toString('latin1'));
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
}

function bucketOfPath(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.slice(0, -'.csv'.length);
}

async function linkOrCopy(from: string, to: string, f: ManifestFile): Promise<void> {
  const size = (await stat(from)).size;
  if (size !== f.bytes) {
    throw new SnapshotError('snapshot_corrupt', `the previous snapshot's ${f.path} has ${size} bytes, manifest.json says ${f.bytes}`, CORRUPT_REMEDY);
  }
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

function maxIso(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
