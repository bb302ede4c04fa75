// The heap-limited re-exec (src/runtime/heap-limits.ts) and the exit hooks (exit-hooks.ts) with real
// processes and signals: the child dies with its parent whatever kills the parent (defect 2), and a
// SIGINT/SIGTERM runs the cleanup before the process ends.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { processRuns } from '../../../src/runtime/owner.ts';

const root = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let probe: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'heap-limits-test-'));
  probe = path.join(dir, 'probe.ts');
  const url = (rel: string) => pathToFileURL(path.join(root, rel)).href;
  // Stands in for src/cli/bin.ts: re-exec, then "work" for a long while unless told to finish soon.
  writeFileSync(
    probe,
    `import { writeFileSync } from 'node:fs';
import { onExit } from '${url('src/runtime/exit-hooks.ts')}';
import { launcherPid, reexecWithHeapLimits } from '${url('src/runtime/heap-limits.ts')}';
const [marker, mode] = process.argv.slice(2);
if (!reexecWithHeapLimits('probe')) {
  onExit(() => writeFileSync(marker + '.cleaned', 'yes'));
  writeFileSync(marker + '.worker', JSON.stringify({ pid: process.pid, launcher: launcherPid() ?? null }));
  setTimeout(() => writeFileSync(marker + '.finished', 'yes'), mode === 'quick' ? 10 : 30_000);
}
`,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;

function start(mode: 'long' | 'quick', env: Record<string, string> = {}) {
  const marker = path.join(dir, `run${++n}`);
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', probe, marker, mode], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, marker, exited };
}

async function until(what: string, check: () => boolean, limitMs = 15_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function worker(marker: string, launcher: ChildProcess): Promise<{ pid: number; launcher: number | null }> {
  await until('the worker to start', () => existsSync(`${marker}.worker`));
  const w = JSON.parse(readFileSync(`${marker}.worker`, 'utf8')) as { pid: number; launcher: number | null };
  assert.notEqual(w.pid, launcher.pid);
  return w;
}

describe('heap-limited re-exec', () => {
  // defect 2
  test('SIGKILL to the pid the user started ends the child at once: it never finishes', async () => {
    const run = start('long');
    const w = await worker(run.marker, run.child);
    assert.equal(w.launcher, run.child.pid);
    run.child.kill('SIGKILL');
    await run.exited;
    await until('the orphaned child to die', () => !processRuns(w.pid));
    assert.equal(existsSync(`${run.marker}.finished`), false);
  });

  test('SIGTERM to the parent reaches the child, which cleans up; the parent exits as the child did', async () => {
    const run = start('long');
    const w = await worker(run.marker, run.child);
    run.child.kill('SIGTERM');
    assert.deepEqual(await run.exited, { code: 143, signal: null });
    assert.equal(existsSync(`${run.marker}.cleaned`), true);
    assert.equal(processRuns(w.pid), false);
  });

  test('a run that finishes exits 0: the lifeline does not keep the child alive', async () => {
    const run = start('quick');
    assert.deepEqual(await run.exited, { code: 0, signal: null });
    assert.equal(existsSync(`${run.marker}.finished`), true);
  });

  test('with the heap flags already given there is one process, and SIGINT still cleans up', async () => {
    const run = start('long', { NODE_OPTIONS: '--max-old-space-size=300 --max-semi-space-size=8' });
    const w = await worker(run.marker, { pid: -1 } as ChildProcess);
    assert.equal(w.pid, run.child.pid);
    assert.equal(w.launcher, null);
    run.child.kill('SIGINT');
    assert.deepEqual(await run.exited, { code: null, signal: 'SIGINT' });
    assert.equal(existsSync(`${run.marker}.cleaned`), true);
  });
});
