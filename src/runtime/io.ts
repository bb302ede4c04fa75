// Complete writes and a full disk told apart from every other I/O failure. A write(2) may take only
// part of a buffer (the disk filled up mid-write); ignoring `bytesWritten` left truncated CSV files
// whose checksum the writer had already counted. Every write here is whole or an error, and an
// error that means "no room" (ENOSPC, EDQUOT, EFBIG) becomes a DiskFullError: exit 9, a message
// naming the folder, and a remedy, instead of a file "changed or damaged" or a Salesforce failure.

import { tmpdir } from 'node:os';
import { ProductError } from './errors.ts';

/** Where the snapshot was being written when the disk filled up. */
export type DiskPlace = 'staging' | 'output';

export type DiskFullReason = 'disk_full' | 'quota_exceeded' | 'file_too_large';

const REASONS: Readonly<Record<string, DiskFullReason>> = {
  ENOSPC: 'disk_full',
  EDQUOT: 'quota_exceeded',
  EFBIG: 'file_too_large',
};

const WHAT: Readonly<Record<DiskFullReason, string>> = {
  disk_full: 'the disk is full',
  quota_exceeded: 'the disk is full for this user (disk quota exceeded)',
  file_too_large: 'the disk is full for files this large (file size limit exceeded)',
};

export interface DiskFullInit {
  place: DiskPlace;
  /** The folder the snapshot was going to: the staging folder, or the output folder. */
  folder: string;
  /** The errno error underneath. */
  cause: unknown;
  /** Replaces the default remedy (the action names its own inputs). */
  remedy?: string;
}

export class DiskFullError extends ProductError<DiskFullReason> {
  override readonly name = 'DiskFullError';
  readonly state = 'disk_full';
  readonly place: DiskPlace;
  readonly folder: string;

  constructor(init: DiskFullInit) {
    const errno = findDiskErrno(init.cause);
    const reason = (errno && REASONS[errno.code ?? '']) || 'disk_full';
    const file = errno ? errnoPath(errno) : undefined;
    const where = init.place === 'staging' ? `the staging folder ${init.folder}` : `the output folder ${init.folder}`;
    const inside = file?.startsWith(`${init.folder}/`) ? file.slice(init.folder.length + 1) : file;
    super({
      reason,
      message:
        `${capitalize(WHAT[reason])}: no room left in ${where}${inside && file !== init.folder ? ` (writing ${inside})` : ''}${errno?.code ? ` [${errno.code}]` : ''}. ` +
        'Nothing was published; the previous snapshot is unchanged.',
      remedy: init.remedy ?? defaultRemedy(init.place, init.folder),
      cause: init.cause,
    });
    this.place = init.place;
    this.folder = init.folder;
  }
}

function defaultRemedy(place: DiskPlace, folder: string): string {
  return place === 'staging'
    ? `free space on the disk that holds ${folder} (TMPDIR is ${tmpdir()}), or point TMPDIR at a folder on a bigger disk (TMPDIR=/path/with/room sfbackup backup …); staging needs room for about twice the org's data`
    : `free space on the disk that holds ${folder} (an older snapshot there can go), or pass --out a folder on a bigger disk`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** True for the errno codes that mean "no room": the disk, the user's quota, the file size limit. */
export function isDiskFullCode(code: unknown): boolean {
  return typeof code === 'string' && code in REASONS;
}

/** The first error in `err`'s cause chain whose code means "no room", if any. */
export function findDiskErrno(err: unknown): NodeJS.ErrnoException | undefined {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (isDiskFullCode((e as { code?: unknown }).code)) return e as NodeJS.ErrnoException;
  }
  return undefined;
}

/** A copy's errno names the destination as `dest`: that is where the room ran out. */
function errnoPath(e: NodeJS.ErrnoException): string | undefined {
  const dest = (e as { dest?: unknown }).dest;
  if (typeof dest === 'string') return dest;
  return typeof e.path === 'string' ? e.path : undefined;
}

/** `err` as a DiskFullError at `place` when it (or its cause) means "no room"; undefined otherwise. */
export function asDiskFull(err: unknown, place: DiskPlace, folder: string, remedy?: string): DiskFullError | undefined {
  if (err instanceof DiskFullError) return err;
  if (!findDiskErrno(err)) return undefined;
  return new DiskFullError({ place, folder, cause: err, ...(remedy ? { remedy } : {}) });
}

export interface DiskPlaces {
  staging?: string;
  output?: string;
  /** Remedies to use instead of the defaults (the action's differ from the CLI's). */
  remedies?: Partial<Record<DiskPlace, string>>;
}

/**
 * For a run's top-level handler: a "no room" error from anywhere (staging, publish, a lock file) as
 * a DiskFullError, placed by the path the errno names (under the staging or the output folder), or
 * by who failed (a storage error is the output's). Undefined when `err` is not about room.
 */
export function classifyDiskFull(err: unknown, places: DiskPlaces): DiskFullError | undefined {
  if (err instanceof DiskFullError) {
    const remedy = places.remedies?.[err.place];
    return remedy ? new DiskFullError({ place: err.place, folder: err.folder, cause: err.cause, remedy }) : err;
  }
  const errno = findDiskErrno(err);
  if (!errno) return undefined;
  const file = errnoPath(errno);
  const under = (dir: string | undefined): dir is string => dir !== undefined && file !== undefined && (file === dir || file.startsWith(`${dir}/`));
  let place: DiskPlace;
  if (under(places.staging)) place = 'staging';
  else if (under(places.output)) place = 'output';
  else place = hasStorageError(err) || places.staging === undefined ? 'output' : 'staging';
  const folder = (place === 'staging' ? places.staging : places.output) ?? file ?? 'the working folder';
  const remedy = places.remedies?.[place];
  return new DiskFullError({ place, folder, cause: err, ...(remedy ? { remedy } : {}) });
}

function hasStorageError(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if ((e as { name?: unknown }).name === 'StorageError') return true;
  }
  return false;
}

/** What `writeAll` needs of a file handle (node:fs/promises FileHandle has it). */
export interface WriteHandle {
  write(buffer: Uint8Array, offset: number, length: number, position?: number | null): Promise<{ bytesWritten: number }>;
}

/**
 * Writes all of `data`, looping while the OS takes only part of it. A write that takes nothing
 * makes no progress and never will: it fails as ENOSPC (that is what it means on a regular file).
 * `position` null appends at the handle's current offset; a number writes from there.
 */
export async function writeAll(fh: WriteHandle, data: Uint8Array, position: number | null = null, path?: string): Promise<void> {
  let done = 0;
  while (done < data.length) {
    let bytesWritten: number;
    try {
      ({ bytesWritten } = await fh.write(data, done, data.length - done, position === null ? null : position + done));
    } catch (err) {
      // A handle's write error names no file; the message should.
      const e = err as NodeJS.ErrnoException;
      if (path && e && typeof e === 'object' && e.path === undefined) e.path = path;
      throw err;
    }
    if (!Number.isInteger(bytesWritten) || bytesWritten <= 0) {
      const e: NodeJS.ErrnoException = new Error(
        `ENOSPC: no space left on device, write took ${bytesWritten} of ${data.length - done} bytes${path ? ` of ${path}` : ''}`,
      );
      e.code = 'ENOSPC';
      e.syscall = 'write';
      if (path) e.path = path;
      throw e;
    }
    done += bytesWritten;
  }
}
