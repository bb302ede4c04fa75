// Work folders (src/runtime/workdir.ts): each run's folder names its owner, and a run removes the
// folders of runs that are gone (defect 7: killed runs left up to 116 MB in $TMPDIR for ever).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { currentOwner } from '../../../src/runtime/owner.ts';
import { createWorkDir, findStaleWorkDirs, OWNER_FILE, removeStaleWorkDirs } from '../../../src/runtime/workdir.ts';

let root: string;
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'workdir-test-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  assert.ok(r.pid);
  return r.pid;
}

function leftover(name: string, owner: object | undefined, bytes: number): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'staging'), { recursive: true });
  writeFileSync(path.join(dir, 'staging', 'data.csv'), Buffer.alloc(bytes, 0x61));
  if (owner) writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify(owner));
  return dir;
}

describe('work folders', () => {
  test('a run makes its folder with an owner file and removes it, once', () => {
    const work = createWorkDir(root, 'prod', () => {});
    assert.match(path.basename(work.dir), /^sfbackup-prod-/);
    const owner = JSON.parse(readFileSync(path.join(work.dir, OWNER_FILE), 'utf8'));
    assert.equal(owner.pid, process.pid);
    work.remove();
    assert.equal(existsSync(work.dir), false);
    work.remove();
  });

  // defect 7
  test("the next run removes dead runs' folders, says what it freed, and leaves live and unrelated ones", () => {
    const dead = leftover('sfbackup-prod-dead01', { ...currentOwner(), pid: deadPid(), startTicks: undefined }, 300_000);
    const unownedOld = leftover('sfbackup-uat-old001', undefined, 1000);
    const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
    utimesSync(unownedOld, twoDaysAgo, twoDaysAgo);
    const unownedNew = leftover('sfbackup-uat-new001', undefined, 1000);
    const live = leftover('sfbackup-prod-live01', currentOwner(), 1000);
    const otherHostRecent = leftover('sfbackup-prod-host01', { ...currentOwner(), hostname: 'elsewhere' }, 1000);
    const unrelated = leftover('not-ours-dead01', { ...currentOwner(), pid: deadPid() }, 1000);
    writeFileSync(path.join(root, 'sfbackup-abc.lock'), '{}');

    assert.deepEqual(
      findStaleWorkDirs(root)
        .map((s) => s.dir)
        .sort(),
      [dead, unownedOld].sort(),
    );
    const logs: string[] = [];
    const work = createWorkDir(root, 'prod', (m) => logs.push(m));
    assert.equal(existsSync(dead), false);
    assert.equal(existsSync(unownedOld), false);
    for (const kept of [unownedNew, live, otherHostRecent, unrelated, path.join(root, 'sfbackup-abc.lock')]) assert.ok(existsSync(kept), kept);
    assert.equal(logs.length, 1);
    assert.match(logs[0] as string, /Removed 2 work folder\(s\) of runs that ended without cleaning up, freeing 29\d(\.\d)? KiB/);
    assert.match(logs[0] as string, /sfbackup-prod-dead01 \(pid \d+, started .*\), sfbackup-uat-old001 \(no owner\)/);
    work.remove();
    assert.deepEqual(
      removeStaleWorkDirs(root, () => assert.fail('nothing left to remove')),
      [],
    );
  });
});
