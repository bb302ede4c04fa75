// Process death: real signals to the pid a user sees (`sfbackup`, the action's `node dist/index.js`)
// and to the whole process group, sent while the run is mid-export (every Bulk result page is held
// back by the emulator, so the run is still exporting when the signal lands). Whatever the signal,
// no process of the run is left within a bounded poll, nothing is published (the previous snapshot
// is byte-identical), and the next run cleans up what a SIGKILL left behind and succeeds.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { processRuns } from '../../src/runtime/owner.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';
import { assertTreeUnchanged, cliEnv, type Started, sfbackup, startAction, startSfbackup, treeHashes } from './support.ts';

let emu: Emulator;
let work: string;

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 300, seed: 11 }] });
  work = mkdtempSync(path.join(tmpdir(), 'faults-death-'));
});
after(async () => {
  await control(emu, 'DELETE', '/faults');
  await emu.close();
  rmSync(work, { recursive: true, force: true });
});

interface FaultRule {
  id: number;
  fired: number;
}

/** Holds back every Bulk result page; resolves once the first is held (the run is mid-export). */
async function holdResultPages(): Promise<() => Promise<void>> {
  const rule = await control<FaultRule>(emu, 'POST', '/faults', { path: '/jobs/query/[^/]+/results$', kind: 'delay', delayMs: 1500, times: 0 });
  return async () => {
    for (let i = 0; i < 600; i++) {
      const rules = await control<FaultRule[]>(emu, 'GET', '/faults');
      if ((rules.find((r) => r.id === rule.id)?.fired ?? 0) > 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail('the run never reached a Bulk result page');
  };
}

/** Every process under `pid` (children, their children), read from /proc before the kill. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p && !found.includes(child)) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** Every process of the run is gone within a bounded poll (no wall-clock assertion: a limit only). */
async function assertAllGone(pids: number[]): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (pids.every((p) => !processRuns(p))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`processes of the killed run are still running: ${pids.filter(processRuns).join(', ')}`);
}

function workDirs(tmp: string): string[] {
  return existsSync(tmp) ? readdirSync(tmp).filter((n) => n.startsWith('sfbackup-')) : [];
}

interface Case {
  name: string;
  out: string;
  tmp: string;
  env: Record<string, string>;
}

async function prepare(name: string): Promise<Case> {
  const out = path.join(work, name, 'out');
  const tmp = path.join(work, name, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const env = cliEnv(emu, 'prod', { TMPDIR: tmp });
  const first = await sfbackup(['backup', '--alias', 'prod', '--out', out], env);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.deepEqual(workDirs(tmp), [], 'a finished run left its work folder');
  return { name, out, tmp, env };
}

/** Starts a backup, waits until it is mid-export, and returns it with every process it runs. */
async function startMidExport(c: Case, detached: boolean): Promise<{ run: Started; pids: number[] }> {
  const midExport = await holdResultPages();
  const run = startSfbackup(['backup', '--alias', 'prod', '--out', c.out], c.env, { detached });
  await midExport();
  const pids = [run.pid, ...descendants(run.pid)];
  // The heap-limited child is what does the work: without it the test would prove nothing.
  assert.ok(pids.length >= 2, `expected sfbackup and its worker process, found ${pids.join(', ')}`);
  return { run, pids };
}

/** The out dir as a run found it: the org's snapshots byte for byte, and nothing new beside them but a dead run's lock. */
function outState(out: string): { snapshots: Map<string, string>; entries: string[] } {
  return { snapshots: treeHashes(path.join(out, 'prod')), entries: readdirSync(out).filter((n) => n !== '.prod.lock') };
}

function assertOutUnchanged(before: ReturnType<typeof outState>, out: string, what: string): void {
  assertTreeUnchanged(before.snapshots, path.join(out, 'prod'), what);
  assert.deepEqual(outState(out).entries, before.entries, `${what}: the killed run left something in ${out}`);
}

async function finish(c: Case, before: ReturnType<typeof outState>, pids: number[]): Promise<void> {
  await assertAllGone(pids);
  await control(emu, 'DELETE', '/faults');
  assertOutUnchanged(before, c.out, `${c.name}: the previous snapshot`);
}

describe('process death: the CLI', () => {
  // One out dir and temp dir for the cases, in order: a killed run leaves the previous snapshot as
  // it was, so each case starts from the last good one.
  let c: Case;
  before(async () => {
    c = await prepare('cli');
  });

  // defect 2, defect 7
  test('SIGKILL to the sfbackup pid: the worker dies too, nothing is published, the next run cleans up and succeeds', async () => {
    const before = outState(c.out);
    const { run, pids } = await startMidExport(c, false);
    process.kill(run.pid, 'SIGKILL');
    assert.equal((await run.exited).signal, 'SIGKILL');
    await finish(c, before, pids);
    // What a SIGKILL cannot clean: the dead run's work folder and its lock.
    assert.equal(workDirs(c.tmp).length, 1, 'the killed run had a work folder');
    assert.ok(existsSync(path.join(c.out, '.prod.lock')), 'the killed run held the lock');

    const next = await sfbackup(['backup', '--alias', 'prod', '--out', c.out], c.env);
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.match(next.stderr, /Removed 1 work folder\(s\) of runs that ended without cleaning up, freeing .*\(pid \d+, started /);
    assert.match(
      next.stderr,
      /Warning: Taking over the lock .*\.prod\.lock of sfbackup backup .*\(pid \d+, started as pid \d+\).*that process is no longer running/,
    );
    assert.deepEqual(workDirs(c.tmp), []);
    assert.equal(existsSync(path.join(c.out, '.prod.lock')), false);
  });

  // defect 2
  test('SIGTERM to the sfbackup pid: the worker cleans up (work folder, lock) and nothing is published', async () => {
    const before = outState(c.out);
    const { run, pids } = await startMidExport(c, false);
    process.kill(run.pid, 'SIGTERM');
    assert.equal((await run.exited).code, 143, run.stderr());
    await finish(c, before, pids);
    assert.deepEqual(workDirs(c.tmp), []);
    assert.equal(existsSync(path.join(c.out, '.prod.lock')), false);
  });

  // defect 2
  test('SIGINT to the process group (Ctrl-C): the same', async () => {
    const before = outState(c.out);
    const { run, pids } = await startMidExport(c, true);
    process.kill(-run.pid, 'SIGINT');
    assert.equal((await run.exited).code, 130, run.stderr());
    await finish(c, before, pids);
    assert.deepEqual(workDirs(c.tmp), []);
    assert.equal(existsSync(path.join(c.out, '.prod.lock')), false);
  });

  // defect 2
  test('SIGKILL to the process group: nothing is left running and nothing is published', async () => {
    const before = outState(c.out);
    const { run, pids } = await startMidExport(c, true);
    process.kill(-run.pid, 'SIGKILL');
    assert.equal((await run.exited).signal, 'SIGKILL');
    await finish(c, before, pids);
  });
});

describe('process death: the action', () => {
  // defect 2, defect 7
  test('SIGKILL to the node pid the runner started: the worker dies too, nothing is published, the next job cleans up', async () => {
    const dir = path.join(work, 'action');
    mkdirSync(dir, { recursive: true });
    const c = creds(emu, 'prod');
    const inputs = {
      command: 'backup',
      'login-url': c.loginUrl,
      'client-id': c.clientId,
      'client-secret': c.clientSecret,
      'refresh-token': c.refreshToken,
      alias: 'prod',
      storage: 'local',
      'output-dir': 'snapshots',
      'publish-status': 'false',
      'open-issues': 'false',
    };
    const out = path.join(dir, 'snapshots');
    const runnerTemp = path.join(dir, 'runner-temp');
    const first = startAction(inputs, dir);
    assert.equal((await first.exited).code, 0, first.stdout() + first.stderr());
    const before = outState(out);

    const midExport = await holdResultPages();
    const run = startAction(inputs, dir);
    await midExport();
    const pids = [run.pid, ...descendants(run.pid)];
    assert.ok(pids.length >= 2, `expected the action and its worker process, found ${pids.join(', ')}`);
    process.kill(run.pid, 'SIGKILL');
    assert.equal((await run.exited).signal, 'SIGKILL');
    await assertAllGone(pids);
    await control(emu, 'DELETE', '/faults');
    assertOutUnchanged(before, out, 'the action: the previous snapshot');
    assert.equal(workDirs(runnerTemp).length, 1, 'the killed run had a work folder');

    // A self-hosted runner keeps RUNNER_TEMP: the next job removes what the killed one left.
    const next = startAction(inputs, dir);
    const ended = await next.exited;
    assert.equal(ended.code, 0, next.stdout() + next.stderr());
    assert.match(next.stdout(), /Removed 1 work folder\(s\) of runs that ended without cleaning up/);
    assert.match(next.stdout(), /::warning::Taking over the lock .*\.prod\.lock of salesforce-backup-action backup/);
    assert.deepEqual(workDirs(runnerTemp), []);
  });
});
