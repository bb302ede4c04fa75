// An emulator started as a server lives as long as whoever started it. Stopping `npm run emulator`
// by its pid kills npm and the `sh -c` it ran the script through, not the emulator: reparented to
// init, it would keep its ports and temp files until someone finds it. So the server watches its
// parent and stops (cleanly, through the same path as SIGTERM) when that parent is gone. When the
// parent is a shell (`npm run` starts scripts through `sh -c`, and npm killed outright leaves that
// shell waiting), the shell's own parent is watched too.
//
// Linux and macOS reparent an orphan, so `process.ppid` changes; /proc gives the shell's parent on
// Linux (elsewhere only the direct parent is watched).
import { readFileSync } from 'node:fs';

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'ksh', 'busybox']);

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: the parent pid follows it.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Calls `stop` once when the process that started this one (or the process that started that
 * shell) exits. Nothing is watched when the parent is already init (a deliberately detached server).
 */
export function stopWithParent(stop: (why: string) => void, everyMs = 250): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const launcher = SHELLS.has(commandOf(parent) ?? '') ? parentOf(parent) : undefined;
  const watchLauncher = launcher !== undefined && launcher > 1;
  const timer = setInterval(() => {
    let why: string | undefined;
    if (process.ppid !== parent) why = `its parent process ${parent} exited`;
    else if (watchLauncher && parentOf(parent) !== launcher) why = `the process ${launcher} that started it (through a shell) exited`;
    if (why === undefined) return;
    clearInterval(timer);
    // Whoever read our output may be gone with the parent: a write to a closed pipe must not crash
    // the stop half-way (leaving temp files, or the GitHub emulator's Azurite child, behind).
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
    stop(why);
  }, everyMs);
  // The listeners keep the process alive; this timer alone must not.
  timer.unref();
}
