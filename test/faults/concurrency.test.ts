// Concurrency: two runs backing up the same org into the same folder. One holds the lock and
// publishes; the other stops at once with exit 10, naming the holder and what to do, and touches
// nothing; a lock left by a dead run is taken over with a warning; --wait-lock waits, then runs.
// The holder is kept mid-export by the emulator (its Bulk jobs do not complete until released), so
// no case depends on how fast either run is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';
import { action, assertTreeUnchanged, cliEnv, type Started, sfbackup, startSfbackup, treeHashes } from './support.ts';

let emu: Emulator;
let work: string;
let env: Record<string, string>;

before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 200, seed: 5 }] });
  work = mkdtempSync(path.join(tmpdir(), 'faults-concurrency-'));
  const tmp = path.join(work, 'tmp');
  mkdirSync(tmp);
  env = cliEnv(emu, 'prod', { TMPDIR: tmp });
});
after(async () => {
  await control(emu, 'DELETE', '/bulk/rules');
  await emu.close();
  rmSync(work, { recursive: true, force: true });
});

interface BulkJob {
  id: string;
  state: string;
  pollsLeft: number;
}

/** Bulk jobs created from now on do not complete until released: a run that reaches one is held mid-export. */
async function holdBulkJobs(): Promise<{ reached(): Promise<void>; release(): Promise<void> }> {
  await control(emu, 'POST', '/bulk/rules', { pollsBeforeComplete: 1_000_000, times: 0 });
  const held = async () => (await control<BulkJob[]>(emu, 'GET', '/bulk/jobs?org=prod')).filter((j) => j.pollsLeft > 1000);
  return {
    async reached() {
      for (let i = 0; i < 1200; i++) {
        if ((await held()).length > 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail('the run never reached a Bulk job');
    },
    async release() {
      await control(emu, 'DELETE', '/bulk/rules');
      for (const job of await held()) await control(emu, 'POST', `/bulk/jobs/${job.id}`, { pollsBeforeComplete: 0 });
    },
  };
}

/** Where `latest` points, or undefined before the first snapshot. */
function latest(out: string): string | undefined {
  const link = path.join(out, 'prod', 'latest');
  return existsSync(link) ? readlinkSync(link) : undefined;
}

async function firstExit(runs: Started[]): Promise<{ loser: Started; winner: Started; code: number | null }> {
  const [a, b] = runs as [Started, Started];
  return Promise.race([a.exited.then((e) => ({ loser: a, winner: b, code: e.code })), b.exited.then((e) => ({ loser: b, winner: a, code: e.code }))]);
}

describe('concurrency: one org, one folder', () => {
  // defect 6
  test('two runs at once: one publishes, the other exits 10 naming the holder and changes nothing', async () => {
    const out = path.join(work, 'two-at-once');
    const first = await sfbackup(['backup', '--alias', 'prod', '--out', out], env);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const before = treeHashes(path.join(out, 'prod'));
    const previous = latest(out);

    const gate = await holdBulkJobs();
    const runs = [startSfbackup(['backup', '--alias', 'prod', '--out', out], env), startSfbackup(['backup', '--alias', 'prod', '--out', out], env)];
    const { loser, winner, code } = await firstExit(runs);
    assert.equal(code, 10, loser.stderr());
    const msg = loser.stderr();
    // The holder by the pid the user started (its heap-limited worker is named too), host and start.
    assert.match(msg, new RegExp(`Another run is already doing the backup of prod into ${out.replace(/[/.]/g, '\\$&')}`));
    assert.match(msg, new RegExp(`\\(pid \\d+, started as pid ${winner.pid}\\) on host ${hostname().replace(/\./g, '\\.')}, running since \\d{4}-`));
    assert.match(msg, /To fix: Wait for that run to finish \(or re-run with --wait-lock SECONDS to wait for it\), then run again/);
    assert.ok(msg.includes(path.join(out, '.prod.lock')), 'the message names the lock file to remove if its holder is gone');
    assert.doesNotMatch(msg, /Salesforce|corrupt/i);
    // Nothing of the refused run reached the folder (the holder is still mid-export).
    assertTreeUnchanged(before, path.join(out, 'prod'), 'the previous snapshot');

    await gate.release();
    const won = await winner.exited;
    assert.equal(won.code, 0, winner.stderr());
    assert.notEqual(latest(out), previous, 'the run that held the lock published');
    assert.equal(existsSync(path.join(out, '.prod.lock')), false);
  });

  // defect 6
  test('a lock left by a dead run is taken over with a warning naming it', async () => {
    const out = path.join(work, 'stale');
    mkdirSync(out, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const startedAt = new Date(Date.now() - 3600_000).toISOString();
    writeFileSync(
      path.join(out, '.prod.lock'),
      JSON.stringify({
        pid: dead,
        hostname: hostname(),
        startedAt,
        command: 'sfbackup backup --out X --alias prod',
        target: 'the backup of prod',
        token: 'old',
      }),
    );
    const run = await sfbackup(['backup', '--alias', 'prod', '--out', out], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `Warning: Taking over the lock .*\\.prod\\.lock of sfbackup backup --out X --alias prod \\(pid ${dead}\\) on host .*running since ${startedAt.replace(/\./g, '\\.')}.*: that process is no longer running`,
      ),
    );
    assert.ok(latest(out));
    assert.equal(existsSync(path.join(out, '.prod.lock')), false);
  });

  // defect 6
  test('--wait-lock waits for the holder to finish, then runs', async () => {
    const out = path.join(work, 'wait');
    const gate = await holdBulkJobs();
    const holder = startSfbackup(['backup', '--alias', 'prod', '--out', out], env);
    await gate.reached();
    const waiter = startSfbackup(['backup', '--alias', 'prod', '--out', out, '--wait-lock', '600'], env);
    for (let i = 0; !/Waiting up to 10 min for it to finish/.test(waiter.stderr()); i++) {
      if (i > 1200) assert.fail(`the second run does not say it waits: ${waiter.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(waiter.stderr(), new RegExp(`started as pid ${holder.pid}\\)`));
    await gate.release();
    const h = await holder.exited;
    assert.equal(h.code, 0, holder.stderr());
    const afterHolder = latest(out);
    assert.ok(afterHolder);
    const w = await waiter.exited;
    assert.equal(w.code, 0, waiter.stderr());
    assert.notEqual(latest(out), afterHolder, 'the waiting run published after the holder');
  });

  // defect 6
  test('the action refuses too while another run holds the lock (a self-hosted runner running two jobs)', async () => {
    const out = path.join(work, 'action');
    const c = creds(emu, 'prod');
    const inputs = {
      command: 'backup',
      'login-url': c.loginUrl,
      'client-id': c.clientId,
      'client-secret': c.clientSecret,
      'refresh-token': c.refreshToken,
      alias: 'prod',
      storage: 'local',
      'output-dir': out,
      'publish-status': 'false',
      'open-issues': 'false',
    };
    const first = await action(inputs);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const before = treeHashes(path.join(out, 'prod'));
    // The live holder: this test process, as another job's action would be.
    const lockFile = path.join(out, '.prod.lock');
    const startedAt = new Date().toISOString();
    writeFileSync(
      lockFile,
      JSON.stringify({
        pid: process.pid,
        hostname: hostname(),
        startedAt,
        command: 'salesforce-backup-action backup (org prod, workflow run 7)',
        target: 'x',
        token: 'other-job',
      }),
    );
    const ran = await action(inputs);
    assert.equal(ran.code, 1, ran.stdout + ran.stderr);
    assert.match(
      ran.stdout,
      new RegExp(
        `::error::Another run is already doing the backup of prod into .*: salesforce-backup-action backup \\(org prod, workflow run 7\\) \\(pid ${process.pid}\\) on host`,
      ),
    );
    assert.match(ran.stdout, /To fix: Wait for that run to finish, then run again/);
    assertTreeUnchanged(before, path.join(out, 'prod'), 'the previous snapshot');
    assert.ok(existsSync(lockFile), "the refused run left the holder's lock alone");
    rmSync(lockFile);
  });
});
