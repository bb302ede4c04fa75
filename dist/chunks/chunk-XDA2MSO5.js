import { createRequire as __sfbackupCreateRequire } from 'node:module';
const require = __sfbackupCreateRequire(import.meta.url);

// src/runtime/heap-limits.ts
import { spawn } from "node:child_process";
import { constants } from "node:os";
var HEAP_FLAGS = { "--max-old-space-size": 256, "--max-semi-space-size": 8 };
var REEXEC_MARK = "SFBACKUP_HEAP_LIMITED";
function launcherPid() {
  return process.env[REEXEC_MARK] === "1" && process.channel ? process.ppid : void 0;
}
function followParent() {
  const channel = process.channel;
  if (process.env[REEXEC_MARK] !== "1" || !channel) return;
  const die = () => process.kill(process.pid, "SIGKILL");
  process.on("disconnect", die);
  channel.unref();
  if (!process.connected) die();
}
function missingHeapFlags() {
  if (process.env[REEXEC_MARK] === "1") return [];
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");
  return Object.entries(HEAP_FLAGS).filter(([flag]) => !given.includes(flag)).map(([flag, mb]) => `${flag}=${mb}`);
}
function reexecWithHeapLimits(name) {
  const script = process.argv[1];
  const missing = missingHeapFlags();
  if (missing.length === 0 || script === void 0) {
    followParent();
    return false;
  }
  const child = spawn(process.execPath, [...process.execArgv, ...missing, script, ...process.argv.slice(2)], {
    // fd 3 is the lifeline (see followParent); nothing is sent over it.
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, [REEXEC_MARK]: "1" }
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      child.kill(signal);
    });
  }
  child.on("error", (err) => {
    process.stderr.write(`${name}: could not start itself with a heap limit: ${err.message}
`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : code ?? 1);
  });
  return true;
}

export {
  launcherPid,
  reexecWithHeapLimits
};
