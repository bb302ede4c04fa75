import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DriverRun, runDriver } from '../../helpers/driver.ts';
import type { Op, OpResult } from './artifact-client.ts';

export { failed, ok } from '../../helpers/driver.ts';
export type { Op, OpResult };

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifact-client.ts');

export type ClientRun = DriverRun<OpResult>;

/** Runs operations with the real @actions/artifact client in a child process, like an action's step. */
export function runArtifactClient(env: Record<string, string>, ops: Op[]): Promise<ClientRun> {
  return runDriver<OpResult>(DRIVER, env, ops, 'artifact client');
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
