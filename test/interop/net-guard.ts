// Preloaded into every sf process (NODE_OPTIONS=--import): sf must talk to the emulator on the
// loopback interface only. Any other host (npm registry, telemetry, update checks, a real org) is
// refused and written to SF_INTEROP_NET_LOG so the test can fail on it. Runs in child node
// processes too, because they inherit NODE_OPTIONS.
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const logFile = process.env.SF_INTEROP_NET_LOG;

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || h === '::ffff:127.0.0.1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function record(host: string, port: unknown): void {
  if (!logFile) return;
  try {
    appendFileSync(logFile, `${JSON.stringify({ pid: process.pid, host, port: String(port ?? ''), argv: process.argv.slice(2, 5) })}\n`);
  } catch {
    // The test reads what made it to the file; a failed write must not change sf's behaviour.
  }
}

type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;

const original = net.Socket.prototype.connect as Connect;
const guardedConnect: Connect = function (this: net.Socket, ...args: unknown[]): net.Socket {
  const [first, second] = args;
  let host: string | undefined;
  let port: unknown;
  let isPipe = false;
  if (Array.isArray(first)) {
    // Internal form net uses when re-entering connect: [options, callback].
    const opts = first[0] as { host?: string; port?: unknown; path?: string } | undefined;
    host = opts?.host;
    port = opts?.port;
    isPipe = typeof opts?.path === 'string';
  } else if (typeof first === 'object' && first !== null) {
    const opts = first as { host?: string; port?: unknown; path?: string };
    host = opts.host;
    port = opts.port;
    isPipe = typeof opts.path === 'string';
  } else if (typeof first === 'string' && Number.isNaN(Number(first))) {
    isPipe = true;
  } else {
    port = first;
    host = typeof second === 'string' ? second : undefined;
  }
  if (!isPipe && !isLoopback(host ?? 'localhost')) {
    record(host ?? '', port);
    // EACCES, not ENOTFOUND: jsforce retries ENOTFOUND with back-off, which only slows the failure down.
    const err = Object.assign(new Error(`connect EACCES ${host}:${String(port)} (blocked by the interop network guard)`), {
      code: 'EACCES',
      syscall: 'connect',
      address: host,
    });
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return original.apply(this, args);
};
net.Socket.prototype.connect = guardedConnect as net.Socket['connect'];
