// `npm run emulator:github`'s entry point: one JSON line a job can be configured from, and a clean
// stop that takes its Azurite child along.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../emulators/github/main.ts');

let child: ChildProcess | undefined;
let azuritePid: number | undefined;
const dataDirs: string[] = [];

/** Running, as opposed to gone or a zombie nobody has reaped yet (orphans end up under pid 1). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function exited(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  await new Promise<void>((resolve) => c.once('exit', () => resolve()));
}

after(async () => {
  // Only our own processes, by pid, and only if a failed test left them running.
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await exited(child);
  }
  if (azuritePid && alive(azuritePid)) process.kill(azuritePid, 'SIGKILL');
  // A killed emulator cannot remove its own temp directory.
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function startMain(args: string[]): Promise<{ proc: ChildProcess; first: string; stderr: () => string }> {
  const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const first = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    rl.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`emulator exited (${code}): ${stderr}`)));
  });
  // The summary line follows the JSON line on stderr.
  for (let i = 0; i < 500 && !/\(pid \d+\)/.test(stderr); i++) await sleep(20);
  azuritePid = Number(/\(pid (\d+)\)/.exec(stderr)?.[1]);
  const data = /, data (\S+)/.exec(stderr)?.[1];
  if (data) dataDirs.push(data);
  return { proc, first, stderr: () => stderr };
}

test('prints the job environment as one JSON line and stops with its Azurite child', async () => {
  const { proc, first } = await startMain(['--owner', 'acme', '--repo', 'backups', '--token', 'ghs_fixedtokenfortests']);
  const info = JSON.parse(first) as { apiUrl: string; gitUrl: string; token: string; runId: number; env: Record<string, string>; blobUrl: string };
  assert.match(info.apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(info.gitUrl, `${info.apiUrl}/acme/backups.git`);
  assert.equal(info.token, 'ghs_fixedtokenfortests');
  assert.equal(info.env.GITHUB_API_URL, info.apiUrl);
  assert.equal(info.env.ACTIONS_RESULTS_URL, `${info.apiUrl}/`);
  assert.equal(info.env.GITHUB_REPOSITORY, 'acme/backups');
  assert.equal(info.env.GITHUB_RUN_ID, String(info.runId));
  assert.equal(info.env.GITHUB_SERVER_URL, 'https://github.com');
  assert.match(info.env.ACTIONS_RUNTIME_TOKEN ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);

  const res = await fetch(`${info.apiUrl}/repos/acme/backups/actions/runs/${info.runId}/artifacts`, { headers: { authorization: `token ${info.token}` } });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { total_count: 0, artifacts: [] });

  const state = (await (await fetch(`${info.apiUrl}/__gh/state`)).json()) as { repos: { owner: string; name: string }[] };
  assert.deepEqual(
    state.repos.map((r) => `${r.owner}/${r.name}`),
    ['acme/backups'],
  );
  assert.ok(azuritePid && azuritePid > 0 && alive(azuritePid), 'Azurite runs as a child process');
  const blob = await fetch(`${info.blobUrl}?comp=list`);
  assert.equal(blob.status, 403, 'Azurite answers (and wants a signature)');
  await blob.arrayBuffer();

  proc.kill('SIGTERM');
  await exited(proc);
  assert.equal(proc.exitCode, 0);
  assert.equal(alive(azuritePid), false, 'Azurite stopped with the emulator');
  assert.equal(existsSync(dataDirs[0] ?? ''), false, 'the emulator removed its temp directory');
});

test('Azurite ends by itself when the emulator process is killed outright', async () => {
  const { proc } = await startMain([]);
  const pid = azuritePid as number;
  assert.ok(alive(pid));
  proc.kill('SIGKILL');
  await exited(proc);
  // It notices its stdin closing; wait for that (bounded), not for a duration.
  for (let i = 0; i < 500 && alive(pid); i++) await sleep(20);
  assert.equal(alive(pid), false);
});
