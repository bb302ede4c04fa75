// Contract between the exporter (src/salesforce/export*.ts), which streams rows out of an org, and
// the snapshot module (src/snapshot/), which owns the on-disk format of design §4. The snapshot
// module implements these; the exporter and the orchestration (src/backup/) only call them.
import type { EncodedBatch } from './encoded.ts';
import type { FileStamp } from './stamps.ts';

/** A trimmed describe of one object, kept as `<alias>/schema/<Object>.json`. */
export interface ObjectSchema {
  name: string;
  label: string;
  keyPrefix: string | null;
  /** Fields in the snapshot's column order (the CSV header). `Id` is always first. */
  fields: SchemaField[];
}

export interface SchemaField {
  name: string;
  type: string;
  label: string;
  referenceTo: string[];
  relationshipName: string | null;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  externalId: boolean;
  unique: boolean;
  calculated: boolean;
  autoNumber: boolean;
  defaultedOnCreate: boolean;
  cascadeDelete: boolean;
  length: number;
  picklistValues?: string[];
}

/** Where one object's rows came from and how they were checked. */
export interface ObjectExportInfo {
  /** `bulk` (Bulk API 2.0 query job) or `rest` (REST query fallback). */
  api: 'bulk' | 'rest';
  /** `SELECT COUNT() FROM …` (with queryAll semantics when deleted rows are kept) at export time. */
  countCheck: number | null;
  /** max(SystemModstamp) over the rows seen, ISO-8601; the next incremental run starts after it. */
  watermark: string | null;
}

/**
 * Receives the rows of one object. Rows arrive in any order (Bulk results are chunk-shuffled) as
 * arrays of CSV cell strings in `schema.fields` order; `''` is null/empty as in Bulk CSV. The sink
 * buckets and sorts them by Id so memory stays bounded by one bucket, not by the object.
 */
export interface ObjectSink {
  writeRows(rows: string[][]): Promise<void>;
  /** The same with every cell a byte string (src/snapshot/bytes.ts). */
  writeByteRows(rows: string[][]): Promise<void>;
  /** Rows already encoded (src/snapshot/encoded.ts) with this sink's `keyHex`: what the exporter streams. */
  writeEncoded(batch: EncodedBatch): Promise<void>;
  /** How many hex chars of a row's Id hash name its spool key (RowLayout.keyHex). */
  readonly keyHex: number;
  /** Incremental runs: ids removed since the base snapshot (hard deletes, purged rows). */
  deleteIds(ids: string[]): Promise<void>;
  /** Ends the object; the manifest entry gets rows, files, bytes and sha256s. */
  close(info: ObjectExportInfo): Promise<void>;
  /** Drops what was written for this object (the run reports it as failed). */
  abort(reason: string): Promise<void>;
}

export interface SnapshotRunInfo {
  orgId: string;
  alias: string;
  instanceUrl: string;
  apiVersion: string;
  mode: 'full' | 'incremental';
  startedAt: string;
}

// --- Added by the snapshot module: the writer, verify and diff API used by src/backup/. ---

export interface ObjectSinkOptions {
  /**
   * Rows given are upserts since the base snapshot's watermark, `deleteIds` removes rows; the sink
   * merges them into the base's rows. Throws IncrementalNotPossibleError when the base has no good
   * data for the object or its field list differs: then export the object in full.
   */
  incremental?: boolean;
}

export interface SnapshotFinishInfo {
  /** The sfbackup version that wrote the snapshot. */
  toolVersion: string;
  /** Defaults to now. */
  finishedAt?: string;
  /** Defaults to 0 for full runs, base's + 1 for incremental ones. */
  runsSinceFull?: number;
  /** Objects that failed before a sink was opened (describe failed, …). */
  failedObjects?: { name: string; error: string }[];
}

export interface SnapshotWriterOptions {
  /** The previous snapshot (dir holding `<alias>/manifest.json`, or the alias dir) to merge into. */
  base?: string;
  /**
   * Stamps of the base's files as this run's check of the base found them good (VerifyOptions
   * stampsOut). A base file whose stamp still holds is merged or linked without hashing it again;
   * any other base file is hashed before it is used.
   */
  baseStamps?: ReadonlyMap<string, FileStamp>;
}

export interface VerifyObjectReport {
  name: string;
  status: 'ok' | 'failed';
  rows: number;
  files: number;
  bytes: number;
}

export interface VerifyReport {
  /** The alias directory that was checked. */
  dir: string;
  alias: string;
  orgId: string;
  finishedAt: string;
  mode: 'full' | 'incremental';
  objects: VerifyObjectReport[];
  rows: number;
  files: number;
  bytes: number;
  /** Files counted as checked by their stamps, without reading them (VerifyOptions.trust). */
  trustedFiles?: number;
}

export interface DiffOptions {
  /** Also list up to this many ids per object and kind (added/changed/deleted). Default 0. */
  idLimit?: number;
  /**
   * Counts an incremental writer already took while merging (SnapshotWriter.mergeCounts): objects
   * listed here, with the same fields on both sides, are not read again. Ignored with `idLimit`.
   */
  known?: ReadonlyMap<string, MergeCounts>;
}

/** Rows an incremental merge added, changed (bytes differ) and removed, against its base. */
export interface MergeCounts {
  added: number;
  changed: number;
  deleted: number;
}

export interface ObjectDiff {
  name: string;
  /** `added`/`removed`: the object is only in the new/old snapshot. */
  presence: 'both' | 'added' | 'removed';
  oldRows: number;
  newRows: number;
  added: number;
  changed: number;
  deleted: number;
  addedIds?: string[];
  changedIds?: string[];
  deletedIds?: string[];
  /** The field list differs: every common row is compared field-by-name. */
  fieldsChanged: boolean;
}

export interface SnapshotDiff {
  objects: ObjectDiff[];
  objectsAdded: string[];
  objectsRemoved: string[];
  /** Objects that failed in either snapshot: not compared (a failed export is not a mass delete). */
  objectsSkipped: string[];
  totals: { added: number; changed: number; deleted: number; oldRows: number; newRows: number };
}
