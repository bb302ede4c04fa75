import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DriverRun as Run, runDriver } from '../../helpers/driver.ts';
import type { DriverOp, DriverResult } from './target-driver.ts';

export { failed, ok } from '../../helpers/driver.ts';
export type { DriverOp, DriverResult };

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'target-driver.ts');

export type DriverRun = Run<DriverResult>;

/** Runs storage operations in a child process whose environment is exactly `env` (plus PATH, HOME). */
export function runTargets(env: Record<string, string>, ops: DriverOp[]): Promise<DriverRun> {
  return runDriver<DriverResult>(DRIVER, env, ops, 'storage driver');
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
