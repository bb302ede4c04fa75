// Reads rows back out of a snapshot, one bucket file at a time so memory stays flat.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ObjectSchema } from './contracts.ts';
import { streamCsv } from './csv.ts';
import { SnapshotError } from './errors.ts';
import { readManifest, resolveSnapshotDir } from './manifest.ts';

export interface ReadOptions {
  /** Picks the org when `dir` holds several snapshots. */
  alias?: string;
  /**
   * How one CSV file becomes records (header first). Default: csv-parse; a reader that streams
   * millions of rows may pass a faster scanner of the same dialect.
   */
  records?: (file: string) => AsyncIterable<string[]>;
}

/**
 * Rows of `object` as records keyed by field name, in Id order within each bucket file (files in
 * manifest order). Throws when the object is missing or failed in the snapshot.
 */
export async function* readObjectRows(dir: string, object: string, opts: ReadOptions = {}): AsyncGenerator<Record<string, string>> {
  const aliasDir = resolveSnapshotDir(dir, opts.alias);
  const { manifest } = await readManifest(aliasDir);
  const entry = manifest.objects.find((o) => o.name === object);
  if (entry?.status !== 'ok') {
    throw new SnapshotError(
      'snapshot_not_found',
      `${aliasDir} has no ${entry ? 'complete ' : ''}data for ${object}`,
      'pick an object listed with status ok in manifest.json, or an earlier snapshot',
    );
  }
  for (const file of entry.files) {
    let header: string[] | undefined;
    for await (const record of (opts.records ?? streamCsv)(join(aliasDir, file.path))) {
      if (header === undefined) {
        header = record;
        continue;
      }
      const row: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) row[header[i] as string] = record[i] ?? '';
      yield row;
    }
  }
}

/** The trimmed describe kept as `schema/<Object>.json`. */
export async function readObjectSchema(dir: string, object: string, opts: ReadOptions = {}): Promise<ObjectSchema> {
  const aliasDir = resolveSnapshotDir(dir, opts.alias);
  return JSON.parse(await readFile(join(aliasDir, 'schema', `${object}.json`), 'utf8')) as ObjectSchema;
}
