// The run's scratch folder (`<root>/sfbackup-<alias>-XXXXXX`: the previous snapshot, the staging
// dir), with an owner file naming the process that made it. A run that is killed cannot remove its
// folder (up to ~120 MB at 200k rows), so every run first removes the folders of runs that are
// gone: their owner's process no longer runs on this host, or, without an owner file (a folder of
// an older version, or one killed before it wrote the file), the folder is more than a day old.
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { onExit } from './exit-hooks.ts';
import { formatBytes } from './format.ts';
import { currentOwner, type Owner, ownerSchema, ownerState } from './owner.ts';

export const OWNER_FILE = '.sfbackup-owner.json';
const PREFIX = 'sfbackup-';
export const UNOWNED_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface WorkDir {
  readonly dir: string;
  /** Removes the folder; safe to call twice. Also runs at exit and on SIGINT/SIGTERM/SIGHUP. */
  remove(): void;
}

export interface StaleWorkDir {
  dir: string;
  bytes: number;
  owner: Owner | undefined;
}

function readOwner(dir: string): Owner | undefined {
  try {
    const parsed = ownerSchema.safeParse(JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes under `p`, not following links; what could not be read counts as nothing. */
function sizeOf(p: string): number {
  try {
    const st = lstatSync(p);
    if (!st.isDirectory()) return st.size;
    let total = 0;
    for (const name of readdirSync(p)) total += sizeOf(path.join(p, name));
    return total;
  } catch {
    return 0;
  }
}

/** The work folders under `root` left by runs that are gone (see the file's head for the rule). */
export function findStaleWorkDirs(root: string, now = new Date()): StaleWorkDir[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const stale: StaleWorkDir[] = [];
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(root, name);
    let mtimeMs: number;
    try {
      const st = lstatSync(dir);
      if (!st.isDirectory()) continue;
      mtimeMs = st.mtimeMs;
    } catch {
      continue;
    }
    const owner = readOwner(dir);
    const state = owner ? ownerState(owner) : 'unknown';
    if (state === 'alive') continue;
    // Another host's run (a shared temp folder) or no owner at all: only age tells.
    const since = owner ? Date.parse(owner.startedAt) : mtimeMs;
    if (state === 'unknown' && !(now.getTime() - since > UNOWNED_MAX_AGE_MS)) continue;
    stale.push({ dir, bytes: sizeOf(dir), owner });
  }
  return stale;
}

/** Removes what `findStaleWorkDirs` finds, and says what it removed and how much space that freed. */
export function removeStaleWorkDirs(root: string, log: (message: string) => void, now = new Date()): StaleWorkDir[] {
  const removed: StaleWorkDir[] = [];
  for (const s of findStaleWorkDirs(root, now)) {
    try {
      rmSync(s.dir, { recursive: true, force: true });
      removed.push(s);
    } catch {
      // Someone else's folder we may not touch: leave it.
    }
  }
  if (removed.length > 0) {
    const total = removed.reduce((n, s) => n + s.bytes, 0);
    const which = removed.map((s) => `${path.basename(s.dir)} (${s.owner ? `pid ${s.owner.pid}, started ${s.owner.startedAt}` : 'no owner'})`).join(', ');
    log(`Removed ${removed.length} work folder(s) of runs that ended without cleaning up, freeing ${formatBytes(total)}: ${which}.`);
  }
  return removed;
}

/**
 * Clears the leftovers of dead runs under `root`, then makes this run's work folder there, owned by
 * this process and removed when it ends (normally or by SIGINT/SIGTERM/SIGHUP).
 */
export function createWorkDir(root: string, alias: string, log: (message: string) => void): WorkDir {
  removeStaleWorkDirs(root, log);
  const dir = mkdtempSync(path.join(root, `${PREFIX}${alias}-`));
  writeFileSync(path.join(dir, OWNER_FILE), `${JSON.stringify(currentOwner(), null, 2)}\n`);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    cancel();
    rmSync(dir, { recursive: true, force: true });
  };
  const cancel = onExit(remove);
  return { dir, remove };
}
