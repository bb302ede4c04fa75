import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Azure Storage's published development account: Azurite accepts exactly this name and key. */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `http://127.0.0.1:PORT/devstoreaccount1`: the blob service endpoint (path-style account). */
  accountUrl: string;
  pid: number;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./azurite-child.ts', import.meta.url));
const START_TIMEOUT_MS = 60_000;

/**
 * Starts Azurite's blob service as a child process on `host`, port 0 (Azurite prints the port it got),
 * in-memory, without telemetry (which would otherwise try to reach the Internet).
 */
export async function startAzurite(host = '127.0.0.1'): Promise<Azurite> {
  // In-memory, but run in a scratch directory in case Azurite writes anything beside it.
  const location = mkdtempSync(path.join(tmpdir(), 'gh-azurite-'));
  const args = [
    '--disable-warning=ExperimentalWarning',
    CHILD,
    '--blobHost',
    host,
    '--blobPort',
    '0',
    '--inMemoryPersistence',
    '--extentMemoryLimit',
    '4096',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
  ];
  const child = spawn(process.execPath, args, { cwd: location, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('azurite: could not start');
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`azurite did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const m = /successfully listens on (http:\/\/\S+)/.exec(output);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1].replace(/\/$/, ''));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`azurite exited early (${code ?? signal}):\n${output}`));
      });
    });
    // Keep draining its output so a chatty Azurite never blocks on a full pipe.
    child.stdout?.resume();
    child.stderr?.resume();
    return { url, accountUrl: `${url}/${DEV_ACCOUNT}`, pid, stop: () => stop(child, exited, location) };
  } catch (err) {
    await stop(child, exited, location);
    throw err;
  }
}

async function stop(child: ChildProcess, exited: Promise<void>, location: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    // Closing its stdin makes the wrapper exit at once (the store is in memory: nothing to flush).
    // Azurite's own SIGTERM path waits for idle keep-alive sockets, which can take seconds.
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(location, { recursive: true, force: true });
}
