// The run lock (src/runtime/lock.ts): one holder at a time, a clear refusal naming the holder, and
// the stale-lock rule (a dead pid, a reused pid, an age past the limit, an unreadable file).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { acquireLock, hostLockFile, inspectLock, LockError, type LockHolder, type LockOptions, localLockFile } from '../../../src/runtime/lock.ts';
import { currentOwner, processStartTicks } from '../../../src/runtime/owner.ts';
import { targetLock } from '../../../src/storage/lock.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lock-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function freshFile(): string {
  return path.join(dir, `.org${++n}.lock`);
}

function options(file: string, extra: Partial<LockOptions> = {}) {
  const warnings: string[] = [];
  const infos: string[] = [];
  const o: LockOptions = {
    file,
    target: 'the backup of org into /backups',
    command: 'sfbackup backup --out /backups --alias org',
    waitHint: '--wait-lock SECONDS',
    log: { info: (m) => infos.push(m), warning: (m) => warnings.push(m) },
    ...extra,
  };
  return { o, warnings, infos };
}

/** A pid that was just used and is free now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  assert.ok(r.pid);
  return r.pid;
}

function plant(file: string, holder: Partial<LockHolder>): void {
  const full: LockHolder = {
    ...currentOwner(),
    command: 'sfbackup backup --out /elsewhere --alias org',
    target: 'the backup of org into /backups',
    token: 'planted',
    ...holder,
  };
  writeFileSync(file, JSON.stringify(full));
}

describe('acquireLock', () => {
  test('creates the lock with its holder and removes it on release, once', async () => {
    const file = freshFile();
    const { o } = options(file);
    const lock = await acquireLock(o);
    const written = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    assert.equal(written.pid, process.pid);
    assert.equal(written.hostname, hostname());
    assert.equal(written.command, o.command);
    assert.ok(Date.parse(written.startedAt) > 0);
    if (processStartTicks(process.pid) !== undefined) assert.equal(written.startTicks, processStartTicks(process.pid));
    lock.release();
    assert.equal(existsSync(file), false);
    lock.release();
  });

  // defect 6
  test('a second run refuses at once, naming the holder and what to do', async () => {
    const file = freshFile();
    const first = await acquireLock(options(file).o);
    await assert.rejects(acquireLock(options(file).o), (e: unknown) => {
      assert.ok(e instanceof LockError);
      assert.equal(e.state, 'locked');
      assert.equal(e.reason, 'held');
      assert.match(e.message, new RegExp(`pid ${process.pid}\\b`));
      assert.ok(e.message.includes(hostname()), e.message);
      assert.match(e.message, /running since \d{4}-/);
      assert.match(e.remedy, /Wait for that run to finish \(or re-run with --wait-lock SECONDS/);
      assert.ok(e.remedy.includes(file), e.remedy);
      return true;
    });
    first.release();
  });

  // defect 6
  test('a lock whose process is gone is taken over with a warning naming the old holder', async () => {
    const file = freshFile();
    const pid = deadPid();
    plant(file, { pid, startTicks: undefined });
    const { o, warnings } = options(file);
    const lock = await acquireLock(o);
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as LockHolder).pid, process.pid);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, new RegExp(`pid ${pid}\\b.*no longer running`));
    lock.release();
  });

  test('a reused pid (a live process that started at another time) does not hold the lock', async (t) => {
    const ticks = processStartTicks(process.pid);
    if (ticks === undefined) return t.skip('no /proc on this platform: pid reuse cannot be told');
    const file = freshFile();
    plant(file, { pid: process.pid, startTicks: ticks + 1 });
    const { o, warnings } = options(file);
    const lock = await acquireLock(o);
    assert.match(warnings[0] as string, /no longer running/);
    lock.release();
  });

  test('a live lock older than the max age is taken over; a younger one on another host holds', async () => {
    const file = freshFile();
    plant(file, { startedAt: new Date(Date.now() - 25 * 3600_000).toISOString() });
    const { o, warnings } = options(file);
    const lock = await acquireLock(o);
    assert.match(warnings[0] as string, /older than 24 h/);
    lock.release();

    plant(file, { hostname: 'another-host.example', pid: 4242 });
    await assert.rejects(acquireLock(options(file).o), (e: unknown) => {
      assert.ok(e instanceof LockError);
      assert.match(e.message, /another-host\.example/);
      assert.match(e.message, /cannot be checked from here/);
      return true;
    });
    rmSync(file);
  });

  test('an unreadable lock holds for a minute (it is being written), then is stale', async () => {
    const file = freshFile();
    writeFileSync(file, '');
    await assert.rejects(acquireLock(options(file).o), LockError);
    const old = new Date(Date.now() - 120_000);
    utimesSync(file, old, old);
    const { o, warnings } = options(file);
    const lock = await acquireLock(o);
    assert.match(warnings[0] as string, /cannot be read/);
    lock.release();
  });

  // defect 6
  test('waiting polls with backoff until the holder releases, or gives up at the limit', async () => {
    const file = freshFile();
    const first = await acquireLock(options(file).o);
    let clock = Date.now();
    const sleeps: number[] = [];
    const { o, infos } = options(file, {
      waitSeconds: 60,
      now: () => new Date(clock),
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
        if (sleeps.length === 4) first.release();
      },
    });
    const second = await acquireLock(o);
    assert.deepEqual(sleeps, [250, 500, 1000, 2000]);
    assert.equal(infos.length, 1);
    assert.match(infos[0] as string, /Another run is already doing .*\(pid \d+\).* Waiting up to 60 s for it to finish/);
    second.release();

    const holder = await acquireLock(options(file).o);
    clock = Date.now();
    const timed = options(file, {
      waitSeconds: 3,
      now: () => new Date(clock),
      sleep: async (ms) => {
        clock += ms;
      },
    });
    await assert.rejects(
      acquireLock(timed.o),
      (e: unknown) =>
        e instanceof LockError && e.reason === 'wait_timeout' && /still doing .* after 3 s of waiting/.test(e.message) && /larger --wait-lock/.test(e.remedy),
    );
    holder.release();
  });

  test('inspectLock reports the holder and whether it still holds', async () => {
    const file = freshFile();
    assert.equal(inspectLock(file), undefined);
    const lock = await acquireLock(options(file).o);
    assert.deepEqual(inspectLock(file), { holder: lock.holder });
    lock.release();
    plant(file, { pid: deadPid(), startTicks: undefined });
    assert.equal(inspectLock(file)?.stale, 'that process is no longer running');
    rmSync(file);
  });

  test('release leaves a lock that another run took over', async () => {
    const file = freshFile();
    const lock = await acquireLock(options(file).o);
    plant(file, { token: 'someone-else' });
    lock.release();
    assert.equal(existsSync(file), true);
    rmSync(file);
  });
});

describe('lock files', () => {
  test('a local folder locks next to the org folder; remote targets in the temp folder, by identity', () => {
    assert.equal(localLockFile('/srv/backups', 'prod'), '/srv/backups/.prod.lock');
    assert.equal(targetLock({ type: 'local', dir: '/srv/backups' }, 'prod').file, '/srv/backups/.prod.lock');
    const env = { GITHUB_REPOSITORY: 'acme/backups' };
    const a = targetLock({ type: 'branch', branch: 'b1', remoteUrl: 'https://x-access-token:SECRET@github.com/acme/b.git' }, 'prod', env);
    const b = targetLock({ type: 'branch', branch: 'b2' }, 'prod', env);
    const c = targetLock({ type: 'branch', branch: 'b2' }, 'uat', env);
    const d = targetLock({ type: 'artifact' }, 'prod', env);
    assert.equal(new Set([a.file, b.file, c.file, d.file]).size, 4);
    assert.equal(path.dirname(a.file), tmpdir());
    assert.ok(!a.target.includes('SECRET') && !a.file.includes('SECRET'));
    assert.equal(hostLockFile('x', 'prod'), hostLockFile('x', 'prod'));
  });
});
