import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverOp, DriverResult } from './target-driver.ts';

export type { DriverOp, DriverResult };

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'target-driver.ts');

export interface DriverRun {
  results: DriverResult[];
  stdout: string;
  stderr: string;
}

/** Runs storage operations in a child process whose environment is exactly `env` (plus PATH, HOME). */
export function runTargets(env: Record<string, string>, ops: DriverOp[]): Promise<DriverRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', DRIVER, JSON.stringify(ops)],
      { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        if (!line) {
          reject(new Error(`storage driver produced no result (${err?.message ?? 'no error'}):\n${stdout}\n${stderr}`));
          return;
        }
        resolve({ results: JSON.parse(line.slice('RESULT '.length)) as DriverResult[], stdout, stderr });
      },
    );
  });
}

export function ok<T>(r: DriverResult | undefined): T {
  if (!r) throw new Error('no result');
  if (!r.ok) throw new Error(`expected success, got ${r.error.name}: ${r.error.message}`);
  return r.value as T;
}

export function failed(r: DriverResult | undefined): Extract<DriverResult, { ok: false }>['error'] {
  if (!r) throw new Error('no result');
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  return r.error;
}

/** Writes a staged snapshot `<staging>/<alias>/…` from a map of relative path → content. */
export function stage(staging: string, alias: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(staging, alias, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

/** Every file under `dir` as relative path → bytes. */
export function readTree(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const p = path.join(dir, rel);
    if (statSync(p).isFile()) out[rel.split(path.sep).join('/')] = readFileSync(p);
  }
  return out;
}

/** A small snapshot with the files the snapshot module writes. */
export function snapshotFiles(tag: string, extra: Record<string, string | Buffer> = {}): Record<string, string | Buffer> {
  return {
    'manifest.json': JSON.stringify({ formatVersion: 1, tag }),
    'schema/Account.json': JSON.stringify({ name: 'Account', fields: [] }),
    'data/Account/00.csv': `Id,Name\n001000000000001AAA,"Acme, ${tag}"\n`,
    ...extra,
  };
}
