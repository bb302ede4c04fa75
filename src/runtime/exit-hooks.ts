// Cleanup that must run however the process ends short of SIGKILL: a normal exit, process.exit(),
// or SIGINT/SIGTERM/SIGHUP (Ctrl-C, a CI runner cancelling, a closed terminal). Node's default for
// those signals ends the process without running anything, which would leave the run's lock and its
// work folder behind. Hooks are synchronous: nothing asynchronous runs once a process is exiting.
import { constants } from 'node:os';

type Hook = () => void;

const hooks = new Set<Hook>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function runHooks(): void {
  // Newest first, as `finally` blocks unwind: the work folder goes before the lock that guards it.
  for (const hook of [...hooks].reverse()) {
    hooks.delete(hook);
    try {
      hook();
    } catch {
      // A cleanup that fails must not keep the next one from running.
    }
  }
}

function onSignal(signal: (typeof SIGNALS)[number]): void {
  runHooks();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Die by the signal itself (the exit status a shell and a parent expect); with no listener left,
  // Node restores the default action, so the process ends here. The exit below is the fallback for
  // a listener someone else added.
  process.kill(process.pid, signal);
  process.exit(128 + (constants.signals[signal] ?? 0));
}

/** Runs `hook` once when the process exits or is stopped by a signal; the returned function cancels it. */
export function onExit(hook: Hook): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runHooks);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}
