// The Salesforce emulator in its own process, so its CPU and memory (data generation, SQLite, CSV
// rendering) are never counted as the client's. Reads the credentials line main.ts prints first.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const MAIN = path.join(ROOT, 'test/emulators/salesforce/main.ts');

const credentialsSchema = z.object({
  loginUrl: z.string(),
  instanceUrl: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  refreshToken: z.string(),
  orgId: z.string(),
});
export type EmulatorCredentials = z.infer<typeof credentialsSchema>;

export interface EmulatorChild {
  pid: number;
  creds: EmulatorCredentials;
  /** POST to the control surface (`/__emu/...`). */
  control(pathname: string, body: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export interface EmulatorChildOptions {
  records: number;
  /** Default Bulk 2.0 results page size (what a client gets without maxRecords). */
  pageSize: number;
  log: (line: string) => void;
}

export async function startEmulatorChild(opts: EmulatorChildOptions): Promise<EmulatorChild> {
  const args = [
    '--disable-warning=ExperimentalWarning',
    MAIN,
    '--port',
    '0',
    '--records',
    String(opts.records),
    '--sandbox-records',
    '0',
    '--max-records',
    String(opts.pageSize),
    '--no-https',
  ];
  const child = spawn(NODE, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the emulator');
  const stderrTail: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => {
    stderrTail.push(l);
    if (stderrTail.length > 40) stderrTail.shift();
  });
  const creds = await new Promise<EmulatorCredentials>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (l) => {
      try {
        resolve(credentialsSchema.parse(JSON.parse(l)));
      } catch (err) {
        reject(err);
      }
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}) before it was ready:\n${stderrTail.join('\n')}`)));
  });
  const control = async (pathname: string, body: unknown): Promise<unknown> => {
    const res = await fetch(`${creds.loginUrl}/__emu${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`emulator control ${pathname}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { pid, creds, control, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
