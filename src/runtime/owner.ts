// Which process owns a lock or a work folder, and whether it still runs. A pid alone is not enough:
// pids are reused, so on Linux the process's start time (from /proc) is recorded too and must match.
// A process on another host cannot be checked at all; callers fall back to the owner's age then.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';

export const ownerSchema = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  startedAt: z.string(),
  /** Clock ticks after boot at which the process started (/proc/<pid>/stat field 22), where known. */
  startTicks: z.number().int().nonnegative().optional(),
});

export type Owner = z.infer<typeof ownerSchema>;

/** /proc/<pid>/stat from field 3 (state) on, or undefined where /proc or the process is not there. */
function procStat(pid: number): string[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The start time of a process in clock ticks after boot, or undefined where /proc is not there. */
export function processStartTicks(pid: number): number | undefined {
  const ticks = Number(procStat(pid)?.[19]);
  return Number.isInteger(ticks) ? ticks : undefined;
}

/** True while the process exists and has not exited: a zombie waiting for its parent has. */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: a process with that pid exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = procStat(pid)?.[0];
  return state !== 'Z' && state !== 'X';
}

/** This process as an owner. */
export function currentOwner(now = new Date()): Owner {
  const startTicks = processStartTicks(process.pid);
  return { pid: process.pid, hostname: hostname(), startedAt: now.toISOString(), ...(startTicks === undefined ? {} : { startTicks }) };
}

/**
 * `alive`: the owner's process runs on this host. `dead`: it does not (its pid is free, or taken by
 * a process that started at another time). `unknown`: it ran on another host.
 */
export function ownerState(owner: Owner): 'alive' | 'dead' | 'unknown' {
  if (owner.hostname !== hostname()) return 'unknown';
  if (!processRuns(owner.pid)) return 'dead';
  if (owner.startTicks !== undefined) {
    const ticks = processStartTicks(owner.pid);
    if (ticks !== undefined && ticks !== owner.startTicks) return 'dead';
  }
  return 'alive';
}
