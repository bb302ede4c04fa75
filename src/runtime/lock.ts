// One run at a time per org and target. Two runs into one place would each stage, verify and swap
// in their own snapshot, and the later one fails on files the other moved (the audit saw it blamed
// on Salesforce). A lock file, created atomically, names its holder; a second run refuses at once
// (exit 10) or, when asked, waits. A lock is stale, and taken over with a warning, when its holder's
// process is gone from this host or the lock is older than a day (a run on another host sharing the
// folder cannot be checked otherwise).
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ProductError } from './errors.ts';
import { onExit } from './exit-hooks.ts';
import { launcherPid } from './heap-limits.ts';
import { currentOwner, ownerSchema, ownerState } from './owner.ts';

export const DEFAULT_LOCK_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** A lock file that cannot be read is one being written, unless it is older than this. */
const UNREADABLE_GRACE_MS = 60_000;

export const lockHolderSchema = ownerSchema.extend({
  /** What runs, without its secrets: `sfbackup backup --out DIR --alias A`. */
  command: z.string(),
  /** What is locked, as the messages name it. */
  target: z.string(),
  /** The pid a user sees when the run re-executed itself with heap limits (src/runtime/heap-limits.ts). */
  launcherPid: z.number().int().positive().optional(),
  /** Tells this run's lock from a later one that took it over. */
  token: z.string(),
});

export type LockHolder = z.infer<typeof lockHolderSchema>;

export type LockFailureReason = 'held' | 'wait_timeout';

export class LockError extends ProductError<LockFailureReason> {
  override readonly name = 'LockError';
  readonly state = 'locked';
  readonly lockFile: string;
  readonly holder: LockHolder | undefined;

  constructor(d: { reason: LockFailureReason; message: string; remedy: string; lockFile: string; holder: LockHolder | undefined }) {
    super(d);
    this.lockFile = d.lockFile;
    this.holder = d.holder;
  }
}

/** The lock of a local folder target: next to the org's folder, so every host writing there sees it. */
export function localLockFile(dir: string, alias: string): string {
  return path.join(path.resolve(dir), `.${alias}.lock`);
}

/**
 * The lock of a remote target (a branch, an artifact name): the target cannot hold a file of ours,
 * so it lives in this host's temp folder, named by a hash of what identifies the target.
 */
export function hostLockFile(identity: string, alias: string, dir = tmpdir()): string {
  const key = createHash('sha256').update(`${identity}\0${alias}`).digest('hex').slice(0, 16);
  return path.join(dir, `sfbackup-${key}.lock`);
}

export interface LockOptions {
  file: string;
  /** What is locked, for messages: `the backup of prod into /srv/backups`. */
  target: string;
  /** The command, without secrets, recorded for whoever finds the lock. */
  command: string;
  /** Seconds to wait for a held lock; 0 (the default) refuses at once. */
  waitSeconds?: number;
  /** How the user asks to wait, named in the remedy (`--wait-lock SECONDS`). */
  waitHint?: string;
  maxAgeMs?: number;
  log: { info(message: string): void; warning(message: string): void };
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface HeldLock {
  readonly file: string;
  readonly holder: LockHolder;
  /** Removes the lock if it is still this run's; safe to call twice. Also runs at exit and on SIGINT/SIGTERM/SIGHUP. */
  release(): void;
}

type Seen = { holder: LockHolder; raw: string } | { holder: undefined; raw: string; ageMs: number };

function describeHolder(h: LockHolder, now: Date): string {
  const pids = h.launcherPid ? `pid ${h.pid}, started as pid ${h.launcherPid}` : `pid ${h.pid}`;
  const since = Date.parse(h.startedAt);
  const ago = Number.isFinite(since) ? ` (${formatAge(now.getTime() - since)} ago)` : '';
  return `${h.command} (${pids}) on host ${h.hostname}, running since ${h.startedAt}${ago}`;
}

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** Creates `file` with `content` or reports that it exists; never leaves a half-written lock. */
function createExclusive(file: string, content: string): boolean {
  // Written aside and hard-linked into place: link() fails if the name exists, and a reader never
  // sees the file empty. Where links are not supported, an O_EXCL create does the same job.
  const aside = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(aside, content, { flag: 'wx' });
  try {
    linkSync(aside, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  } finally {
    unlinkSync(aside);
  }
  try {
    writeFileSync(file, content, { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function readLock(file: string, now: Date): Seen | undefined {
  let raw: string;
  let mtimeMs: number;
  try {
    raw = readFileSync(file, 'utf8');
    mtimeMs = statSync(file).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    json = undefined;
  }
  const parsed = lockHolderSchema.safeParse(json);
  return parsed.success ? { holder: parsed.data, raw } : { holder: undefined, raw, ageMs: now.getTime() - mtimeMs };
}

/** Why a lock no longer holds, or undefined while it does. */
function staleBecause(seen: Seen, now: Date, maxAgeMs: number): string | undefined {
  if (!seen.holder) return seen.ageMs > UNREADABLE_GRACE_MS ? 'its file cannot be read' : undefined;
  if (ownerState(seen.holder) === 'dead') return 'that process is no longer running';
  const age = now.getTime() - Date.parse(seen.holder.startedAt);
  if (!(age <= maxAgeMs)) return `it is older than ${formatAge(maxAgeMs)}`;
  return undefined;
}

/**
 * What a lock file says, for a report (`verify` listing leftovers): its holder when readable, and
 * why it no longer holds when it is stale. Undefined when there is no lock.
 */
export function inspectLock(file: string, now = new Date(), maxAgeMs = DEFAULT_LOCK_MAX_AGE_MS): { holder?: LockHolder; stale?: string } | undefined {
  const seen = readLock(file, now);
  if (!seen) return undefined;
  const stale = staleBecause(seen, now, maxAgeMs);
  return { ...(seen.holder ? { holder: seen.holder } : {}), ...(stale ? { stale } : {}) };
}

/**
 * Removes a stale lock, unless someone changed it since it was read. Two runs finding the same stale
 * lock take turns through a second, short-lived file, so neither can delete the other's fresh lock.
 */
function takeOver(file: string, seen: Seen): boolean {
  const guard = `${file}.takeover`;
  try {
    writeFileSync(guard, String(process.pid), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A run that died between these few steps leaves its guard: it expires after a minute.
    try {
      if (Date.now() - statSync(guard).mtimeMs > UNREADABLE_GRACE_MS) unlinkSync(guard);
    } catch {}
    return false;
  }
  try {
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== seen.raw) return false;
    unlinkSync(file);
    return true;
  } finally {
    unlinkSync(guard);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Takes the lock, taking over a stale one, waiting for a live one when asked; throws LockError otherwise. */
export async function acquireLock(o: LockOptions): Promise<HeldLock> {
  const now = o.now ?? (() => new Date());
  const sleep = o.sleep ?? defaultSleep;
  const maxAgeMs = o.maxAgeMs ?? DEFAULT_LOCK_MAX_AGE_MS;
  const waitMs = Math.max(0, (o.waitSeconds ?? 0) * 1000);
  const started = now().getTime();
  mkdirSync(path.dirname(o.file), { recursive: true });

  let delay = 250;
  let announced = false;
  for (;;) {
    const launcher = launcherPid();
    const holder: LockHolder = {
      ...currentOwner(now()),
      command: o.command,
      target: o.target,
      ...(launcher ? { launcherPid: launcher } : {}),
      token: randomBytes(8).toString('hex'),
    };
    if (createExclusive(o.file, `${JSON.stringify(holder, null, 2)}\n`)) return held(o.file, holder);

    const seen = readLock(o.file, now());
    if (!seen) continue; // released between our attempt and the read: try again at once
    const stale = staleBecause(seen, now(), maxAgeMs);
    if (stale) {
      if (takeOver(o.file, seen)) {
        const who = seen.holder ? describeHolder(seen.holder, now()) : 'an unknown run';
        o.log.warning(`Taking over the lock ${o.file} of ${who}: ${stale}.`);
      } else await sleep(50); // another run is taking it over: see what it left
      continue;
    }

    const who = seen.holder ? describeHolder(seen.holder, now()) : 'a run that is starting';
    const remoteNote =
      seen.holder && ownerState(seen.holder) === 'unknown'
        ? ` That host is not this one, so whether it still runs cannot be checked from here; the lock counts as stale after ${formatAge(maxAgeMs)}.`
        : '';
    const waited = now().getTime() - started;
    if (waited < waitMs) {
      if (!announced) o.log.info(`Another run is already doing ${o.target}: ${who}. Waiting up to ${formatAge(waitMs)} for it to finish.`);
      announced = true;
      await sleep(Math.min(delay, waitMs - waited));
      delay = Math.min(delay * 2, 5000);
      continue;
    }
    const removeHint = `If that process is gone (the machine restarted, or it runs nowhere any more), remove the lock file ${o.file} and run again.`;
    const waitHint = !o.waitHint ? '' : waitMs > 0 ? ' (or wait longer with a larger --wait-lock)' : ` (or re-run with ${o.waitHint} to wait for it)`;
    throw new LockError({
      reason: waitMs > 0 ? 'wait_timeout' : 'held',
      message: `Another run is ${waitMs > 0 ? `still doing ${o.target} after ${formatAge(waited)} of waiting` : `already doing ${o.target}`}: ${who}.${remoteNote} Nothing was changed by this run.`,
      remedy: `Wait for that run to finish${waitHint}, then run again. ${removeHint}`,
      lockFile: o.file,
      holder: seen.holder,
    });
  }
}

function held(file: string, holder: LockHolder): HeldLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    cancel();
    try {
      // Only our own lock: after a takeover (we ran past the max age) it belongs to another run.
      const current = lockHolderSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (current.success && current.data.token === holder.token) unlinkSync(file);
    } catch {
      // Already gone, or unreadable: not ours to remove.
    }
  };
  const cancel = onExit(release);
  return { file, holder, release };
}
