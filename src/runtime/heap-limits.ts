// Runs the current entry point again, once, with V8 heap limits. A backup's live JS heap is small
// (~50 MB at 100k rows: spool buffers and one sorted bucket at a time), but V8 sizes its young
// generation and old-space limit from the machine's RAM, and a default-sized young generation alone
// added ~150 MB of peak RSS. Small semi-spaces cost a few percent of speed; old space keeps headroom.
//
// The child must never outlive the process the user started: `kill -9` on that pid (the one in `ps`,
// in a pid file, in a CI runner's bookkeeping) has to stop the backup, and nothing can catch
// SIGKILL. So the child holds an IPC channel to its parent; the kernel closes it when the parent
// dies, however it dies, and the child then kills itself at once, before it can publish anything.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const HEAP_FLAGS: Record<string, number> = { '--max-old-space-size': 256, '--max-semi-space-size': 8 };
const REEXEC_MARK = 'SFBACKUP_HEAP_LIMITED';

/** The pid of the process the user started, when this is its heap-limited child; undefined otherwise. */
export function launcherPid(): number | undefined {
  return process.env[REEXEC_MARK] === '1' && process.channel ? process.ppid : undefined;
}

/**
 * In the heap-limited child: die with the parent. A disconnect means the parent is gone (it never
 * closes the channel itself while the child runs), so nothing may run after it: no cleanup, no
 * publish step, SIGKILL at once. The lock and work folder left behind are a dead run's, which the
 * next run takes over and removes. The channel is unref'd so it does not keep the child alive.
 */
function followParent(): void {
  const channel = process.channel;
  if (process.env[REEXEC_MARK] !== '1' || !channel) return;
  const die = () => process.kill(process.pid, 'SIGKILL');
  process.on('disconnect', die);
  channel.unref();
  // The parent may have died before this listener was there.
  if (!process.connected) die();
}

/** The flags neither given to this process nor in NODE_OPTIONS: a user's own choice wins. */
function missingHeapFlags(): string[] {
  if (process.env[REEXEC_MARK] === '1') return [];
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return Object.entries(HEAP_FLAGS)
    .filter(([flag]) => !given.includes(flag))
    .map(([flag, mb]) => `${flag}=${mb}`);
}

/**
 * Starts this same script as a child with the heap limits and mirrors its exit, returning true; or
 * returns false when the limits are already in force and the caller should do the work itself.
 * The child inherits stdio, so workflow commands and output files work as if it were this process.
 */
export function reexecWithHeapLimits(name: string): boolean {
  const script = process.argv[1];
  const missing = missingHeapFlags();
  if (missing.length === 0 || script === undefined) {
    followParent();
    return false;
  }
  const child = spawn(process.execPath, [...process.execArgv, ...missing, script, ...process.argv.slice(2)], {
    // fd 3 is the lifeline (see followParent); nothing is sent over it.
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [REEXEC_MARK]: '1' },
  });
  // A terminal's Ctrl-C reaches the child through the process group; a signal sent to this pid
  // alone (a CI runner cancelling) is passed on so the child can clean up (its lock, its work
  // folder: src/runtime/exit-hooks.ts) and exit; this process then exits as the child did.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      child.kill(signal);
    });
  }
  child.on('error', (err) => {
    process.stderr.write(`${name}: could not start itself with a heap limit: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    // The shell convention for "killed by a signal", as if this process had been.
    process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
  });
  return true;
}
