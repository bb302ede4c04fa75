import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Op, OpResult } from './artifact-client.ts';

export type { Op, OpResult };

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifact-client.ts');

export interface ClientRun {
  results: OpResult[];
  stdout: string;
  stderr: string;
}

/**
 * Runs operations with the real @actions/artifact client in a child process whose environment is
 * exactly `env` (plus PATH and HOME), like a JavaScript action's step.
 */
export function runArtifactClient(env: Record<string, string>, ops: Op[]): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', DRIVER, JSON.stringify(ops)],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        if (!line) {
          reject(new Error(`artifact client produced no result (${err?.message ?? 'no error'}):\n${stdout}\n${stderr}`));
          return;
        }
        resolve({ results: JSON.parse(line.slice('RESULT '.length)) as OpResult[], stdout, stderr });
      },
    );
  });
}

export function ok<T>(r: OpResult | undefined): T {
  if (!r) throw new Error('no result');
  if (!r.ok) throw new Error(`expected success, got ${r.error.name}: ${r.error.message}`);
  return r.value as T;
}

export function failed(r: OpResult | undefined): { name: string; message: string } {
  if (!r) throw new Error('no result');
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  return r.error;
}

/** Calls the emulator's /__gh control surface. */
export async function control<T = unknown>(baseUrl: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/__gh${route}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${route}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
