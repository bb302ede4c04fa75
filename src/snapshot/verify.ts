// Checks a snapshot against its own manifest: what `sfbackup verify` runs and what the backup
// runs before trusting a previous snapshot as a merge base. With `checksumsOnly` it skips the CSV
// parse: a sha256 match proves the bytes are the ones the writer counted, sorted and bucketed, so
// the backup checks its own staged snapshot (and a previous one) that way at disk speed.

import { createHash } from 'node:crypto';
import { type BigIntStats, createReadStream, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { bucketName, compareIds, idHash } from './buckets.ts';
import type { VerifyObjectReport, VerifyReport } from './contracts.ts';
import { parseCsv } from './csv.ts';
import { SnapshotCorruptError, SnapshotError, type VerifyProblem } from './errors.ts';
import { MANIFEST_FILE, type ManifestObject, readManifest, resolveSnapshotDir } from './manifest.ts';
import { type FileStamp, type FileStamps, readStamps, stampHolds, stampOf, stampsPathFor } from './stamps.ts';

export interface VerifyOptions {
  alias?: string;
  /**
   * Check only that every file exists with the manifest's bytes and sha256, and the row totals
   * (manifest per file vs per object vs SELECT COUNT()); no CSV parse, no order/bucket checks.
   */
  checksumsOnly?: boolean;
  /**
   * With `checksumsOnly`: files whose stamp still holds (same inode, size and mtime as when a run
   * checked their bytes, src/snapshot/stamps.ts) count as checked without being read again.
   */
  trust?: FileStamps;
  /** With `checksumsOnly`: trust the stamps the local target keeps beside the snapshot folder. */
  trustStamps?: boolean;
  /** With `checksumsOnly`: receives a stamp for every file that checked out (hashed or trusted). */
  stampsOut?: Map<string, FileStamp>;
}

/**
 * Verifies every file of the snapshot in `dir` (the alias dir or its parent). Returns the report
 * when all is well; throws SnapshotCorruptError listing every problem otherwise.
 */
export async function verifySnapshot(dir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  let aliasDir: string;
  try {
    aliasDir = resolveSnapshotDir(dir, opts.alias);
  } catch (err) {
    // A folder that is there but holds no manifest is a snapshot that is not whole (a run that
    // never finished, a manifest deleted): corrupt, not a mistyped path.
    if (err instanceof SnapshotError && err.reason === 'snapshot_not_found' && isDirectory(dir)) {
      throw new SnapshotCorruptError(dir, [
        {
          file: MANIFEST_FILE,
          message: `missing: ${dir} holds no ${MANIFEST_FILE} (nor does a snapshot folder directly under it), so its files cannot be checked; it is not a complete snapshot`,
        },
      ]);
    }
    throw err;
  }
  let manifest: Awaited<ReturnType<typeof readManifest>>['manifest'];
  try {
    manifest = (await readManifest(aliasDir)).manifest;
  } catch (err) {
    if (err instanceof SnapshotError) throw new SnapshotCorruptError(aliasDir, [{ file: MANIFEST_FILE, message: err.message }]);
    throw err;
  }
  const problems: VerifyProblem[] = [];
  const objects: VerifyObjectReport[] = [];
  const checksumsOnly = opts.checksumsOnly === true;
  const trust = new Map(checksumsOnly ? (opts.trust ?? []) : []);
  if (checksumsOnly && opts.trustStamps) for (const [p, s] of await readStamps(stampsPathFor(aliasDir))) if (!trust.has(p)) trust.set(p, s);
  const counts = { trusted: 0 };
  for (const entry of manifest.objects) {
    objects.push(await verifyObject(aliasDir, entry, problems, checksumsOnly, trust, counts, opts.stampsOut));
  }
  const listed = new Set(manifest.objects.map((o) => o.name));
  for (const name of await listDir(join(aliasDir, 'data'))) {
    if (!listed.has(name)) problems.push({ object: name, message: `data/${name}/ is not in manifest.json` });
  }
  if (problems.length > 0) throw new SnapshotCorruptError(aliasDir, problems);
  return {
    dir: aliasDir,
    alias: manifest.alias,
    orgId: manifest.orgId,
    finishedAt: manifest.finishedAt,
    mode: manifest.mode,
    objects,
    rows: objects.reduce((n, o) => n + o.rows, 0),
    files: objects.reduce((n, o) => n + o.files, 0),
    bytes: objects.reduce((n, o) => n + o.bytes, 0),
    ...(trust.size > 0 ? { trustedFiles: counts.trusted } : {}),
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

/** Streams the file through sha256: memory stays flat whatever the file size. */
async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    bytes += (chunk as Buffer).length;
    h.update(chunk as Buffer);
  }
  return { bytes, sha256: h.digest('hex') };
}

async function verifyObject(
  aliasDir: string,
  entry: ManifestObject,
  problems: VerifyProblem[],
  checksumsOnly: boolean,
  trust: FileStamps,
  counts: { trusted: number },
  stampsOut: Map<string, FileStamp> | undefined,
): Promise<VerifyObjectReport> {
  const object = entry.name;
  const report: VerifyObjectReport = { name: object, status: entry.status, rows: 0, files: 0, bytes: 0 };
  const add = (message: string, file?: string): void => {
    problems.push(file === undefined ? { object, message } : { object, file, message });
  };
  try {
    await stat(join(aliasDir, 'schema', `${object}.json`));
  } catch {
    add('missing', `schema/${object}.json`);
  }
  if (entry.status !== 'ok') return report;
  const k = entry.bucketScheme.hexChars;
  const listedFiles = new Set(entry.files.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1)));
  for (const name of await listDir(join(aliasDir, 'data', object))) {
    if (!listedFiles.has(name)) add('not in manifest.json', `data/${object}/${name}`);
  }
  let total = 0;
  let lastId: string | undefined;
  for (const file of entry.files) {
    if (checksumsOnly) {
      const stamp = trust.get(file.path);
      if (stamp) {
        const st = await stat(join(aliasDir, file.path), { bigint: true }).catch(() => undefined);
        if (st && stampHolds(stamp, file, st)) {
          stampsOut?.set(file.path, stamp);
          counts.trusted++;
          report.files++;
          report.bytes += file.bytes;
          total += file.rows;
          continue;
        }
      }
      let got: { bytes: number; sha256: string };
      let before: BigIntStats | undefined;
      try {
        // Stat first: a change while the bytes are read moves the mtime past this stamp.
        if (stampsOut) before = await stat(join(aliasDir, file.path), { bigint: true });
        got = await hashFile(join(aliasDir, file.path));
      } catch {
        add('missing', file.path);
        continue;
      }
      report.files++;
      report.bytes += got.bytes;
      if (got.bytes !== file.bytes) add(`${got.bytes} bytes, manifest.json says ${file.bytes}`, file.path);
      if (got.sha256 !== file.sha256) add('sha256 does not match manifest.json (the file was changed or damaged)', file.path);
      else if (before && got.bytes === file.bytes) stampsOut?.set(file.path, stampOf(file, before));
      total += file.rows;
      continue;
    }
    let buf: Buffer;
    try {
      buf = await readFile(join(aliasDir, file.path));
    } catch {
      add('missing', file.path);
      continue;
    }
    report.files++;
    report.bytes += buf.length;
    if (buf.length !== file.bytes) add(`${buf.length} bytes, manifest.json says ${file.bytes}`, file.path);
    const digest = createHash('sha256').update(buf).digest('hex');
    if (digest !== file.sha256) add('sha256 does not match manifest.json (the file was changed or damaged)', file.path);
    let records: string[][];
    try {
      records = parseCsv(buf.toString('utf8'));
    } catch (err) {
      add(`not valid CSV: ${(err as Error).message}`, file.path);
      continue;
    }
    const [header, ...rows] = records;
    if (!header || header.join(',') !== entry.fields.join(',')) {
      add(`header does not match the manifest's fields`, file.path);
      continue;
    }
    if (rows.length !== file.rows) add(`${rows.length} rows, manifest.json says ${file.rows}`, file.path);
    total += rows.length;
    const bucket = file.path.slice(file.path.lastIndexOf('/') + 1, -'.csv'.length);
    let misplaced = 0;
    let unsorted = 0;
    for (const row of rows) {
      const id = row[0] ?? '';
      if (bucketName(idHash(id), k) !== bucket) misplaced++;
      // Ids are unique across the object, and files are listed in bucket order, so Id order holds
      // within a file; across files only uniqueness is implied by the bucket check.
      if (lastId !== undefined && compareIds(lastId, id) >= 0) unsorted++;
      lastId = id;
    }
    lastId = undefined;
    if (unsorted > 0) add(`${unsorted} row(s) out of Id order or duplicated`, file.path);
    if (misplaced > 0) add(`${misplaced} row(s) in the wrong bucket`, file.path);
  }
  report.rows = total;
  if (total !== entry.rows) add(`${total} rows in the files, manifest.json says ${entry.rows}`);
  if (entry.countCheck !== null && entry.rows !== entry.countCheck) {
    add(`${entry.rows} rows but SELECT COUNT() said ${entry.countCheck} at export time`);
  }
  return report;
}
