// Which data files of a snapshot are known to match their manifest sha256 without reading them
// again: a stamp records a file's inode, size and mtime (nanoseconds) at the moment a run had
// checked its bytes. A later check that finds the same inode with the same size and mtime trusts
// the stamp instead of hashing every byte of the base again. Writing to a file, replacing it, or
// copying it changes the mtime or the inode, so the file is hashed again; what a stamp cannot see
// is a change below the file system (a bit flipped on the disk) or a deliberate reset of the
// mtime: `sfbackup verify` reads every byte, and a full run reads no base bytes at all.
//
// Stamps never enter a snapshot's own folder (a branch target would commit them, and a snapshot
// is its manifest, schema and data only): the backup writes them next to the staged snapshot, and
// only the local target, which moves the snapshot and so keeps its inodes, keeps them, beside the
// dated folder in `<org folder>/.sfbackup-verified/<stamp>.json`.

import type { BigIntStats } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { ManifestFile } from './manifest.ts';

/** The folder beside a local target's dated snapshots that holds their stamps. */
export const STAMPS_DIR = '.sfbackup-verified';

/** Where the stamps of the snapshot in `snapshotDir` are kept (see above). */
export function stampsPathFor(snapshotDir: string): string {
  return join(dirname(snapshotDir), STAMPS_DIR, `${basename(snapshotDir)}.json`);
}

const StampSchema = z.object({
  path: z.string(),
  sha256: z.string(),
  bytes: z.number().int().nonnegative(),
  /** Decimal strings: inode numbers and nanosecond mtimes do not fit a double. */
  ino: z.string().regex(/^\d+$/),
  mtimeNs: z.string().regex(/^\d+$/),
});
const StampsSchema = z.object({ version: z.literal(1), files: z.array(StampSchema) });

export type FileStamp = z.infer<typeof StampSchema>;
export type FileStamps = ReadonlyMap<string, FileStamp>;

/** Where the backup leaves the stamps of a staged snapshot `<stagingDir>/<alias>/`. */
export function stagedStampsPath(stagingDir: string, alias: string): string {
  return join(stagingDir, `.sfbackup-verified-${alias}.json`);
}

export function stampOf(file: Pick<ManifestFile, 'path' | 'sha256' | 'bytes'>, st: BigIntStats): FileStamp {
  return { path: file.path, sha256: file.sha256, bytes: file.bytes, ino: st.ino.toString(), mtimeNs: st.mtimeNs.toString() };
}

/** True when `st` is the very file the stamp was taken of, unchanged, with the manifest's sha256. */
export function stampHolds(stamp: FileStamp | undefined, file: Pick<ManifestFile, 'sha256' | 'bytes'>, st: BigIntStats): boolean {
  return (
    stamp !== undefined &&
    stamp.sha256 === file.sha256 &&
    stamp.bytes === file.bytes &&
    st.size === BigInt(file.bytes) &&
    st.ino.toString() === stamp.ino &&
    st.mtimeNs.toString() === stamp.mtimeNs
  );
}

/** Stamps for files whose bytes the caller has just checked. */
export async function stampFiles(aliasDir: string, files: readonly ManifestFile[]): Promise<FileStamp[]> {
  return Promise.all(files.map(async (f) => stampOf(f, await stat(join(aliasDir, f.path), { bigint: true }))));
}

export async function writeStamps(path: string, stamps: readonly FileStamp[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify({ version: 1, files: stamps })}\n`);
}

/** The stamps in `path`; none when it is missing or not readable as stamps (then every file is hashed). */
export async function readStamps(path: string): Promise<Map<string, FileStamp>> {
  try {
    const parsed = StampsSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    return new Map(parsed.files.map((s) => [s.path, s]));
  } catch {
    return new Map();
  }
}
