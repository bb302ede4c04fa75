// A folder on disk: `<dir>/<alias>/` holds dated snapshots of each org (`<UTC stamp>/` with
// manifest.json, schema/, data/) and `latest`, a relative symlink to the newest. Publishing moves
// the staged snapshot in under a temp name, renames it to its stamp, then swaps `latest` (a new
// symlink renamed over the old one): that swap is the commit point, so a run killed before it
// published nothing. Retention keeps the newest N, plus every snapshot pinned by a KEPT.json (the
// one that was latest before a run that dropped objects or mass-deleted rows).
//
// The layout before dated snapshots (`<dir>/<alias>/manifest.json` directly) is read in place and
// moved into a dated folder by the first publish.
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stagedStampsPath, stampsPathFor } from '../snapshot/stamps.ts';
import type { LocalStorageConfig } from './config.ts';
import { endOfDay, type PreviousSnapshot, type PublishOptions, type PublishResult, type StorageTarget } from './contracts.ts';
import { StorageError } from './errors.ts';
import { checkAlias, hasManifest, stagedSnapshot } from './files.ts';

export const LATEST = 'latest';
export const KEPT_FILE = 'KEPT.json';
export const DEFAULT_KEEP = 7;

/** `2026-12-02T16-50-00Z`, with `-2`, `-3`… when two snapshots fall in the same second. */
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)(?:-(\d+))?$/;

export function snapshotStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

export function isStamp(name: string): boolean {
  return STAMP.test(name);
}

/** Oldest first. */
export function compareStamps(a: string, b: string): number {
  const ma = STAMP.exec(a);
  const mb = STAMP.exec(b);
  const [ba, bb] = [ma?.[1] ?? a, mb?.[1] ?? b];
  if (ba !== bb) return ba < bb ? -1 : 1;
  return Number(ma?.[2] ?? 1) - Number(mb?.[2] ?? 1);
}

/** The dated folder `latest` points at, or undefined when there is no (valid) link. */
export function latestStamp(aliasDir: string): string | undefined {
  try {
    const target = readlinkSync(path.join(aliasDir, LATEST));
    return isStamp(target) ? target : undefined;
  } catch {
    return undefined;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Leftover {
  path: string;
  /** What it is, for a person: `an unfinished publish`, `a snapshot that was never published`, … */
  what: string;
  /** The run that left it, when its name says so. */
  pid?: number;
  /** True while that run is still alive: then it is not garbage yet. */
  running: boolean;
}

/**
 * What killed runs left in a local target for one org: temp copies of the old layout
 * (`.<alias>.tmp-*`, `.<alias>.old-*`, `.<alias>.new-*`, `.<alias>.first-*` next to the org's folder), unfinished
 * publishes (`.incoming-*`, `.latest-*`, `.deleting-*` inside it), and dated snapshots newer than
 * `latest` (moved into place but never published).
 */
export function listLeftovers(dir: string, alias: string): Leftover[] {
  const out: Leftover[] = [];
  const ls = (d: string): string[] => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  };
  const withPid = (p: string, what: string, pidText: string | undefined): Leftover => {
    const pid = pidText ? Number(pidText) : undefined;
    return { path: p, what, ...(pid ? { pid } : {}), running: pid !== undefined && pid !== process.pid && pidAlive(pid) };
  };
  const oldLayout = new RegExp(`^\\.${alias.replace(/[.]/g, '\\.')}\\.(tmp|old|new|first)-(\\d+)-`);
  for (const name of ls(dir)) {
    const m = oldLayout.exec(name);
    if (!m) continue;
    const kind =
      m[1] === 'tmp'
        ? 'a partial copy of a snapshot'
        : m[1] === 'old'
          ? 'an earlier snapshot moved aside'
          : m[1] === 'new'
            ? 'an unfinished move into dated folders'
            : 'an unfinished first snapshot';
    out.push(withPid(path.join(dir, name), `${kind} (from a publish that did not finish)`, m[2]));
  }
  const aliasDir = path.join(dir, alias);
  const latest = latestStamp(aliasDir);
  for (const name of ls(aliasDir)) {
    const p = path.join(aliasDir, name);
    const m = /^\.(incoming|latest)-(?:.*-)?(\d+)$/.exec(name);
    if (m) out.push(withPid(p, m[1] === 'incoming' ? 'an unfinished publish' : 'a temp link of an unfinished publish', m[2]));
    else if (name.startsWith('.deleting-')) out.push({ path: p, what: 'a snapshot retention was deleting', running: false });
    else if (isStamp(name) && latest !== undefined && compareStamps(name, latest) > 0) {
      out.push({ path: p, what: `a snapshot newer than ${LATEST} that was never published`, running: false });
    }
  }
  return out;
}

/**
 * The leftovers around a snapshot folder as a user passes it to verify: a dated folder
 * (`<dir>/<alias>/<stamp>`) or an old-layout org folder (`<dir>/<alias>`).
 */
export function leftoversAround(snapshotDir: string): Leftover[] {
  const real = path.resolve(snapshotDir);
  const dated = isStamp(path.basename(real));
  const aliasDir = dated ? path.dirname(real) : real;
  const alias = path.basename(aliasDir);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(alias)) return [];
  return listLeftovers(path.dirname(aliasDir), alias);
}

export class LocalTarget implements StorageTarget {
  readonly kind = 'local';
  readonly onShrink = 'pin';
  readonly dir: string;
  readonly keep: number;
  private readonly now: () => Date;

  constructor(config: Pick<LocalStorageConfig, 'dir'> & { keep?: number }, now: () => Date = () => new Date()) {
    this.dir = path.resolve(config.dir);
    this.keep = config.keep ?? DEFAULT_KEEP;
    this.now = now;
  }

  async fetchPrevious(alias: string, _workDir: string): Promise<PreviousSnapshot | undefined> {
    checkAlias('local', alias);
    await this.recover(alias);
    // The folder is read in place: the orchestration only reads a previous snapshot.
    const aliasDir = path.join(this.dir, alias);
    if (hasManifest(aliasDir)) return { dir: aliasDir, location: aliasDir };
    const latest = latestStamp(aliasDir);
    if (!latest) return undefined;
    const snap = path.join(aliasDir, latest);
    if (!hasManifest(snap)) return undefined;
    return { dir: snap, location: snap };
  }

  async fetchSnapshot(alias: string, ref: string, workDir: string): Promise<PreviousSnapshot> {
    checkAlias('local', alias);
    const aliasDir = path.join(this.dir, alias);
    const stamps = existsSync(aliasDir) ? readdirSync(aliasDir).filter(isStamp).sort(compareStamps) : [];
    const day = endOfDay(ref);
    let pick: string | undefined;
    if (ref === 'latest') {
      const latest = await this.fetchPrevious(alias, workDir);
      if (latest) return latest;
    } else if (day) {
      // Stamps are `YYYY-MM-DDTHH-MM-SSZ`: the last one of that day or before.
      pick = stamps.filter((s) => s.slice(0, 10) <= ref).at(-1);
    } else if (stamps.includes(ref)) pick = ref;
    if (pick && hasManifest(path.join(aliasDir, pick))) return { dir: path.join(aliasDir, pick), location: path.join(aliasDir, pick) };
    throw new StorageError({
      target: 'local',
      reason: 'snapshot_missing',
      message: `${aliasDir} has no snapshot ${ref === 'latest' ? '' : `for "${ref}" `}of ${alias}`,
      remedy: stamps.length
        ? `Pick one of: latest, a date (YYYY-MM-DD), or a dated folder: ${stamps.slice(-10).join(', ')}.`
        : `Back the org up into ${this.dir} first (sfbackup backup --out ${this.dir}).`,
    });
  }

  async publish(alias: string, stagingDir: string, _message: string, options: PublishOptions = {}): Promise<PublishResult> {
    checkAlias('local', alias);
    const source = stagedSnapshot('local', alias, stagingDir);
    const aliasDir = path.join(this.dir, alias);
    const tag = `${process.pid}`;
    let written: string | undefined;
    let pinnedFile: string | undefined;
    let result: PublishResult;
    try {
      await mkdir(this.dir, { recursive: true });
      await this.recover(alias);
      if (hasManifest(aliasDir)) await this.migrate(alias);
      const fresh = !existsSync(aliasDir);
      // A new org folder is built aside and renamed into place whole (the commit point of a first
      // publish), so it never exists without `latest`.
      const building = fresh ? path.join(this.dir, `.${alias}.first-${tag}-${randomBytes(4).toString('hex')}`) : aliasDir;
      await mkdir(building, { recursive: true });
      const previous = fresh ? undefined : latestStamp(aliasDir);
      const stamp = this.nextStamp(building, previous);
      const incoming = path.join(building, `.incoming-${stamp}-${tag}`);
      written = incoming;
      // The staged snapshot is this run's own: moving it is instant on the same file system; a copy
      // (another file system) costs a second write of every byte.
      const copy = () => cp(source, incoming, { recursive: true, errorOnExist: true, force: false });
      let moved = false;
      if (options.disposable) {
        moved = await rename(source, incoming).then(
          () => true,
          async (err: NodeJS.ErrnoException) => {
            if (err.code !== 'EXDEV') throw err;
            await copy();
            return false;
          },
        );
      } else await copy();
      if (!hasManifest(incoming)) throw new Error(`the copy in ${incoming} has no manifest.json`);
      const dest = path.join(building, stamp);
      await rename(incoming, dest);
      written = dest;
      // A moved snapshot keeps its inodes and mtimes, so the stamps of the files the run checked
      // still hold: the next run trusts them instead of hashing its base (src/snapshot/stamps.ts).
      // A copy has new inodes; its stamps would never hold, so they stay behind. Only a saving.
      const stamps = stagedStampsPath(stagingDir, alias);
      if (moved && existsSync(stamps)) {
        const kept = stampsPathFor(dest);
        await mkdir(path.dirname(kept), { recursive: true })
          .then(() => rename(stamps, kept))
          .catch(() => {});
      }
      let pinned: PublishResult['pinned'];
      if (previous && options.pinPrevious) {
        pinnedFile = path.join(aliasDir, previous, KEPT_FILE);
        const at = this.now().toISOString();
        await writeFile(pinnedFile, `${JSON.stringify({ reason: options.pinPrevious, pinnedAt: at, replacedBy: stamp }, null, 2)}\n`);
        pinned = { path: path.join(aliasDir, previous), reason: options.pinPrevious };
      }
      await swapLatest(building, stamp, tag);
      if (fresh) await rename(building, aliasDir);
      written = undefined;
      pinnedFile = undefined;
      const location = path.join(aliasDir, stamp);
      result = { location, path: location, ...(pinned ? { pinned } : {}) };
    } catch (err) {
      if (written) await rm(written, { recursive: true, force: true }).catch(() => {});
      if (pinnedFile) await unlink(pinnedFile).catch(() => {});
      await this.recover(alias).catch(() => {});
      if (err instanceof StorageError) throw err;
      throw new StorageError({
        target: 'local',
        reason: 'io',
        message: `Could not publish the snapshot of ${alias} to ${aliasDir}: ${(err as Error).message}`,
        remedy: `Check that ${this.dir} is writable and has room; the previous snapshot there is unchanged.`,
        cause: err,
      });
    }
    // Published: a failure to prune only leaves an extra snapshot, never a missing one.
    const pruned = await this.prune(aliasDir).catch(() => []);
    if (pruned.length) result.pruned = pruned;
    return result;
  }

  /** A stamp later than every dated snapshot there (a clock that went back must not reorder them). */
  private nextStamp(aliasDir: string, latest: string | undefined): string {
    const existing = new Set(readdirSync(aliasDir).filter(isStamp));
    const base = snapshotStamp(this.now());
    const floor = latest !== undefined && compareStamps(base, latest) <= 0 ? (STAMP.exec(latest)?.[1] ?? base) : base;
    let stamp = floor;
    for (let n = 2; existing.has(stamp) || (latest !== undefined && compareStamps(stamp, latest) <= 0); n++) stamp = `${floor}-${n}`;
    return stamp;
  }

  /** The newest `keep` dated snapshots stay, and every pinned one, and whatever `latest` points at. */
  private async prune(aliasDir: string): Promise<string[]> {
    const latest = latestStamp(aliasDir);
    const dated = readdirSync(aliasDir)
      .filter(isStamp)
      .sort(compareStamps)
      .filter((s) => latest === undefined || compareStamps(s, latest) <= 0);
    const doomed = dated.slice(0, Math.max(0, dated.length - this.keep)).filter((s) => s !== latest && !existsSync(path.join(aliasDir, s, KEPT_FILE)));
    const removed: string[] = [];
    for (const s of doomed) {
      // Renamed first, so a kill halfway leaves a `.deleting-` leftover, not a half snapshot that looks whole.
      const gone = path.join(aliasDir, `.deleting-${s}`);
      await rename(path.join(aliasDir, s), gone);
      await rm(stampsPathFor(path.join(aliasDir, s)), { force: true }).catch(() => {});
      await rm(gone, { recursive: true, force: true });
      removed.push(path.join(aliasDir, s));
    }
    return removed;
  }

  /**
   * Moves an old-layout `<dir>/<alias>/` (manifest.json directly inside) into a dated folder: the
   * new org folder is built aside with `latest` already pointing at the stamp, the old folder is
   * moved into it, and the whole is renamed into place. `recover` rolls a kill halfway back or forward.
   */
  private async migrate(alias: string): Promise<void> {
    const aliasDir = path.join(this.dir, alias);
    const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const old = path.join(this.dir, `.${alias}.old-${suffix}`);
    const building = path.join(this.dir, `.${alias}.new-${suffix}`);
    let stamp = snapshotStamp(this.now());
    try {
      const m = JSON.parse(await readFile(path.join(aliasDir, 'manifest.json'), 'utf8')) as { finishedAt?: unknown };
      if (typeof m.finishedAt === 'string' && !Number.isNaN(Date.parse(m.finishedAt))) stamp = snapshotStamp(new Date(m.finishedAt));
    } catch {
      // An unreadable manifest still moves; it is dated by the migration instead.
    }
    await mkdir(building);
    await symlink(stamp, path.join(building, LATEST));
    await rename(aliasDir, old);
    await rename(old, path.join(building, stamp));
    await rename(building, aliasDir);
  }

  /**
   * Removes what killed runs left behind (their PIDs are gone), and rolls an interrupted old-layout
   * swap or migration back or forward so the org folder holds a complete snapshot.
   */
  private async recover(alias: string): Promise<void> {
    const aliasDir = path.join(this.dir, alias);
    const leftovers = listLeftovers(this.dir, alias).filter((l) => !l.running);
    // A migration that moved the old snapshot in but was killed before the final rename: roll it
    // forward (the old snapshot lives in there now). A first publish killed there is dropped below.
    for (const l of leftovers.filter((x) => path.basename(x.path).startsWith(`.${alias}.new-`))) {
      const stamp = latestStamp(l.path);
      if (!existsSync(aliasDir) && stamp && hasManifest(path.join(l.path, stamp))) await rename(l.path, aliasDir);
      else await rm(l.path, { recursive: true, force: true });
    }
    for (const l of leftovers) {
      const name = path.basename(l.path);
      if (name.startsWith(`.${alias}.new-`)) continue;
      if (name.startsWith(`.${alias}.old-`) && hasManifest(l.path)) {
        // The old-layout folder moved aside by a swap or a migration that did not finish: put it back.
        if (existsSync(aliasDir) && isEmptyDir(aliasDir)) await rmdir(aliasDir);
        if (!existsSync(aliasDir)) {
          await rename(l.path, aliasDir);
          continue;
        }
      }
      await rm(l.path, { recursive: true, force: true });
    }
  }
}

function isEmptyDir(dir: string): boolean {
  try {
    return lstatSync(dir).isDirectory() && readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/** Points `<aliasDir>/latest` at `stamp` atomically: a new link, renamed over the old one. */
async function swapLatest(aliasDir: string, stamp: string, tag: string): Promise<void> {
  const tmp = path.join(aliasDir, `.latest-${tag}`);
  await rm(tmp, { force: true });
  await symlink(stamp, tmp);
  await rename(tmp, path.join(aliasDir, LATEST));
}

/** The snapshot `latest` points at, as a real path (for callers that must not follow a later swap). */
export function resolveLatest(aliasDir: string): string | undefined {
  const stamp = latestStamp(aliasDir);
  if (!stamp) return undefined;
  try {
    return realpathSync(path.join(aliasDir, LATEST));
  } catch {
    return undefined;
  }
}
