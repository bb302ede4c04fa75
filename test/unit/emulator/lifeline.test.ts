// The emulators as servers (`npm run emulator`, `npm run emulator:github`) stop when whoever started
// them is gone: a launcher that exits, and npm killed outright while its `sh -c` keeps waiting.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SALESFORCE = path.join(ROOT, 'test/emulators/salesforce/main.ts');
const GITHUB = path.join(ROOT, 'test/emulators/github/main.ts');

/**
 * Plays the part of npm: starts the emulator (directly, or through `sh -c` as npm runs a script),
 * waits until it printed `ready`, reports what it saw as one JSON line, then exits or waits.
 */
const LAUNCHER = `
const { spawn } = require('node:child_process');
const [mode, shell, ready, ...argv] = process.argv.slice(1);
const quote = (s) => "'" + s.replace(/'/g, "'\\\\''") + "'";
const child = shell === 'shell'
  ? spawn('sh', ['-c', argv.map(quote).join(' ')], { stdio: ['ignore', 'pipe', 'pipe'] })
  : spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '', err = '';
child.stdout.on('data', (b) => { out += b; check(); });
child.stderr.on('data', (b) => { err += b; check(); });
let done = false;
function check() {
  if (done || !out.includes('\\n') || !new RegExp(ready).test(err)) return;
  done = true;
  process.stdout.write(JSON.stringify({ first: out.split('\\n')[0], stderr: err, childPid: child.pid }) + '\\n', () => {
    if (mode === 'exit') process.exit(0);
  });
}
child.on('exit', (code) => { if (!done) { process.stdout.write(JSON.stringify({ exited: code, stderr: err }) + '\\n'); process.exit(1); } });
`;

const started: number[] = [];

/** Running, as opposed to gone or a zombie nobody has reaped yet. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Waits (bounded) for a process to end: the emulator polls its parent, it does not end at once. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 750 && alive(pid); i++) await sleep(20);
  return !alive(pid);
}

interface Launched {
  launcher: ChildProcess;
  first: string;
  stderr: string;
  /** The process the launcher started: the emulator, or the shell running it. */
  childPid: number;
}

async function launch(mode: 'exit' | 'wait', shell: boolean, ready: string, main: string, args: string[]): Promise<Launched> {
  const launcher = spawn(
    process.execPath,
    ['-e', LAUNCHER, mode, shell ? 'shell' : 'direct', ready, process.execPath, '--disable-warning=ExperimentalWarning', main, ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (launcher.pid) started.push(launcher.pid);
  const line = await new Promise<string>((resolve) => createInterface({ input: launcher.stdout as NodeJS.ReadableStream }).once('line', resolve));
  const report = JSON.parse(line) as { first?: string; stderr: string; childPid?: number; exited?: number };
  assert.ok(report.childPid && report.first, `the emulator did not start (exit ${report.exited}): ${report.stderr}`);
  started.push(report.childPid);
  return { launcher, first: report.first, stderr: report.stderr, childPid: report.childPid };
}

after(() => {
  // Only what this file started, by pid, and only if a failed test left it running.
  for (const pid of started.reverse()) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

test('the Salesforce emulator stops when npm is killed outright and its shell stays behind', async () => {
  const {
    launcher,
    first,
    childPid: shellPid,
  } = await launch('wait', true, 'emulator ready', SALESFORCE, ['--no-https', '--records', '5', '--sandbox-records', '0']);
  assert.match(JSON.parse(first).loginUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  const [emulatorPid] = childrenOf(shellPid);
  assert.ok(emulatorPid && alive(emulatorPid), 'the emulator runs under the shell');
  started.push(emulatorPid);

  launcher.kill('SIGKILL');
  assert.ok(await gone(emulatorPid), 'the emulator stopped');
  // The shell it ran under ends with it, as it would under npm.
  assert.ok(await gone(shellPid), 'the shell ended too');
});

test('the GitHub emulator stops, with its Azurite child, when the process that started it exits', async () => {
  const { launcher, stderr, childPid } = await launch('exit', false, '\\(pid \\d+\\)', GITHUB, []);
  const azurite = Number(/\(pid (\d+)\)/.exec(stderr)?.[1]);
  const dataDir = /, data (\S+)/.exec(stderr)?.[1] ?? '';
  assert.ok(azurite > 0 && alive(azurite), 'Azurite runs');
  started.push(azurite);
  await new Promise<void>((resolve) => (launcher.exitCode !== null ? resolve() : launcher.once('exit', () => resolve())));

  assert.ok(await gone(childPid), 'the emulator stopped');
  assert.ok(await gone(azurite), 'Azurite stopped with it');
  assert.equal(existsSync(dataDir), false, 'the emulator removed its temp directory on the way out');
});
