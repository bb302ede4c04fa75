// The versioned manifest of a snapshot (`<alias>/manifest.json`). Every load validates it: a
// snapshot is data that crossed a process and maybe a git push, so nothing in it is trusted.

import { existsSync, lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { SnapshotError } from './errors.ts';

export const FORMAT_VERSION = 1;

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 date');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'not a lowercase hex sha256');

export const ManifestFileSchema = z.object({
  /** Relative to the alias directory, with `/`: `data/Account/3f.csv`. */
  path: z.string().regex(/^data\/[^/]+\/[^/]+\.csv$/, 'not a data/<Object>/<bucket>.csv path'),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256,
});

export const BucketSchemeSchema = z.object({
  /** Rows go to the file named by the first `hexChars` hex digits of sha1(first 15 chars of Id). */
  kind: z.literal('sha1-id15-prefix'),
  /** 0 means a single `all.csv`. */
  hexChars: z.number().int().min(0).max(4),
});

export const ManifestObjectSchema = z.object({
  name: z.string().min(1),
  status: z.enum(['ok', 'failed']),
  /** Why the object failed (status `failed`), for the report; its files are then empty. */
  error: z.string().optional(),
  api: z.enum(['bulk', 'rest']).nullable(),
  /** The CSV header, `Id` first. */
  fields: z.array(z.string().min(1)).min(1),
  rows: z.number().int().nonnegative(),
  /** Rows with IsDeleted=true (kept from the recycle bin). */
  deletedRows: z.number().int().nonnegative(),
  countCheck: z.number().int().nonnegative().nullable(),
  watermark: isoDate.nullable(),
  bucketScheme: BucketSchemeSchema,
  files: z.array(ManifestFileSchema),
  /** How this object's rows were obtained in this run. */
  mode: z.enum(['full', 'incremental']),
});

export const ManifestSchema = z.object({
  formatVersion: z.literal(FORMAT_VERSION),
  toolVersion: z.string(),
  orgId: z.string().min(1),
  alias: z.string().min(1),
  instanceUrl: z.string(),
  apiVersion: z.string(),
  startedAt: isoDate,
  finishedAt: isoDate,
  mode: z.enum(['full', 'incremental']),
  /** The snapshot this incremental run was merged into; null for full runs. */
  base: z.object({ manifestSha256: sha256, finishedAt: isoDate }).nullable(),
  /** Incremental runs since the last full one (0 for a full run). */
  runsSinceFull: z.number().int().nonnegative(),
  objects: z.array(ManifestObjectSchema),
  /** Objects whose export failed in this run, with the error; also present with status `failed` in `objects`. */
  failedObjects: z.array(z.object({ name: z.string(), error: z.string() })),
  totals: z.object({
    objects: z.number().int().nonnegative(),
    rows: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
  }),
});

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestObject = z.infer<typeof ManifestObjectSchema>;
export type ManifestFile = z.infer<typeof ManifestFileSchema>;
export type BucketScheme = z.infer<typeof BucketSchemeSchema>;

export const MANIFEST_FILE = 'manifest.json';

/** Parses manifest text; throws a SnapshotError naming the first problems when it does not fit. */
export function parseManifest(text: string, dir: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw manifestError(dir, `not JSON (${(err as Error).message})`);
  }
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > FORMAT_VERSION) {
    throw new SnapshotError(
      'manifest_invalid',
      `manifest.json of ${dir} has formatVersion ${version}; this sfbackup reads format ${FORMAT_VERSION}`,
      'upgrade sfbackup / the action to a version that reads this snapshot format',
    );
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw manifestError(dir, issues);
  }
  return parsed.data;
}

function manifestError(dir: string, detail: string): SnapshotError {
  return new SnapshotError(
    'manifest_invalid',
    `manifest.json of ${dir} is not a snapshot manifest: ${detail} — the snapshot is corrupt or from a newer version`,
    'restore the snapshot from an earlier copy or upgrade sfbackup; re-run a full backup to write a fresh one',
  );
}

/**
 * Finds the snapshot directory (the one holding manifest.json) from what a user or caller passes:
 * the snapshot itself (a dated folder or an old-layout `<out>/<alias>`), an org folder of the local
 * target (`<out>/<alias>`, whose `latest` link is followed), `<out>/<alias>/latest`, or the parent
 * of any of these (a staging dir / PreviousSnapshot.dir / `<out>`), picking `alias` when given or
 * the only snapshot inside otherwise. A `latest` link resolves to the dated folder it points at, so
 * a reader never follows a later swap halfway.
 */
export function resolveSnapshotDir(dir: string, alias?: string): string {
  const direct = snapshotIn(dir);
  if (direct) return direct;
  if (alias !== undefined) {
    const inner = snapshotIn(join(dir, alias));
    if (inner) return inner;
    throw notFound(dir, `no ${alias}/manifest.json or ${alias}/latest/manifest.json`);
  }
  let entries: string[] = [];
  try {
    entries = readdirSync(dir).filter((e) => !e.startsWith('.') && statSync(join(dir, e)).isDirectory() && snapshotIn(join(dir, e)) !== undefined);
  } catch (err) {
    throw notFound(dir, (err as Error).message);
  }
  if (entries.length === 1 && entries[0] !== undefined) return snapshotIn(join(dir, entries[0])) as string;
  if (entries.length === 0) throw notFound(dir, 'no manifest.json in it, in its latest/ or in any folder directly under it');
  throw new SnapshotError(
    'snapshot_ambiguous',
    `${dir} holds several snapshots (${entries.join(', ')})`,
    `pass the org's folder, e.g. ${join(dir, entries[0] ?? '')}`,
  );
}

/** `dir` itself when it holds a manifest, else the target of its `latest` link when that does. */
function snapshotIn(dir: string): string | undefined {
  if (existsSync(join(dir, MANIFEST_FILE))) return isLink(dir) ? followLink(dir) : dir;
  const latest = join(dir, LATEST_LINK);
  if (isLink(latest) && existsSync(join(latest, MANIFEST_FILE))) return followLink(latest);
  return undefined;
}

/** One level of a (relative) link, keeping the path the caller used for its parent. */
function followLink(p: string): string {
  return resolve(dirname(p), readlinkSync(p));
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The local target's link to an org's newest dated snapshot (src/storage/local.ts). */
export const LATEST_LINK = 'latest';

function notFound(dir: string, detail: string): SnapshotError {
  return new SnapshotError('snapshot_not_found', `${dir} is not a snapshot: ${detail}`, 'pass the folder holding manifest.json (<out>/<alias>) or its parent');
}

export async function readManifest(aliasDir: string): Promise<{ manifest: Manifest; text: string }> {
  let text: string;
  try {
    text = await readFile(join(aliasDir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    throw notFound(aliasDir, (err as Error).message);
  }
  return { manifest: parseManifest(text, aliasDir), text };
}

/** Loads `<dir>/manifest.json` (or `<dir>/<alias>/…`), validated. */
export async function loadManifest(dir: string, alias?: string): Promise<Manifest> {
  return (await readManifest(resolveSnapshotDir(dir, alias))).manifest;
}
