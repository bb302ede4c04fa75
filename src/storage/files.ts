// File-system helpers shared by the targets.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { StorageError, type StorageFailure } from './errors.ts';

export interface FileEntry {
  /** Path relative to the listed directory, with `/` separators. */
  rel: string;
  abs: string;
  size: number;
}

/** Every regular file under `dir` (symlinks followed, as the artifact zip does), sorted. */
export async function listFiles(dir: string): Promise<FileEntry[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: FileEntry[] = [];
  for (const e of entries) {
    const abs = path.join(e.parentPath, e.name);
    const st = await stat(abs);
    if (!st.isFile()) continue;
    out.push({ rel: path.relative(dir, abs).split(path.sep).join('/'), abs, size: st.size });
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

export function hasManifest(snapshotDir: string): boolean {
  return existsSync(path.join(snapshotDir, 'manifest.json'));
}

/**
 * The staged `<stagingDir>/<alias>/` of a finished run. A directory without a manifest is a partial
 * snapshot, and publishing it would replace the last good one: refuse.
 */
export function stagedSnapshot(target: StorageFailure['target'], alias: string, stagingDir: string): string {
  const dir = path.join(stagingDir, alias);
  if (!hasManifest(dir)) {
    throw new StorageError({
      target,
      reason: 'snapshot_missing',
      message: `Nothing to publish: ${path.join(dir, 'manifest.json')} does not exist`,
      remedy: 'Publish only after the snapshot was written completely (the manifest is written last).',
    });
  }
  return dir;
}

/** Refuses aliases that would escape the target folder or collide with our temp names. */
export function checkAlias(target: StorageFailure['target'], alias: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(alias) || alias.includes('..')) {
    throw new StorageError({
      target,
      reason: 'bad_config',
      message: `Org alias "${alias}" cannot be used as a folder name`,
      remedy: 'Use letters, digits, "-", "_" and "." only, starting with a letter, digit or "_".',
    });
  }
}
