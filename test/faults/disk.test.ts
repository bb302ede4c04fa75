// Fault class: a full disk, for real. A tmpfs of 2 MiB, mostly filled, stands for the disk that runs
// out: under TMPDIR (the staging) or under --out (the publish copies the staged snapshot across file
// systems). Every case: exit 9 (disk_full), a message that says the disk is full, where, and what to
// do, nothing published, the previous snapshot byte-identical, the staging removed.
//
// Mounting needs root (or CAP_SYS_ADMIN); where the machine does not allow it the cases are skipped
// with the reason printed in the test report, never silently.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { control, emulator } from '../helpers/emulator.ts';
import { action, assertNoSecretsIn, assertTreeUnchanged, cliEnv, sfbackup, treeHashes } from './support.ts';

const TMPFS_SIZE = '2m';
/** Room left on a "full" disk: enough for a few files, far too little for a snapshot. */
const LEFT_BYTES = 24 * 1024;

/** Why a tmpfs cannot be mounted here, or undefined when it can (checked once, with a real mount). */
function whyNoTmpfs(): string | undefined {
  if (process.platform !== 'linux') return `tmpfs mounts are tested on Linux only (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return `mounting a tmpfs needs root; this test runs as uid ${process.getuid?.()}`;
  const probe = mkdtempSync(path.join(tmpdir(), 'sfbackup-tmpfs-probe-'));
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { encoding: 'utf8' });
    if (mounted.error) return `cannot run mount: ${mounted.error.message}`;
    if (mounted.status !== 0) return `mount -t tmpfs is not allowed here: ${(mounted.stderr || mounted.stdout).trim()}`;
    spawnSync('umount', [probe]);
    return undefined;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const noTmpfs = whyNoTmpfs();
if (noTmpfs) process.stdout.write(`# disk-full cases skipped: ${noTmpfs}\n`);

const mounts: string[] = [];

/** A fresh 2 MiB tmpfs at a new folder under `parent`. */
function tinyDisk(parent: string, name: string): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `mount tmpfs at ${dir}: ${r.stderr}`);
  mounts.push(dir);
  return dir;
}

/** Fills the file system of `dir` with one file until only about `left` bytes are free. */
function fillLeaving(dir: string, left: number): void {
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const size = Math.max(0, free - left);
  writeFileSync(path.join(dir, 'filler.bin'), Buffer.alloc(size, 0x5a));
  const after = statfsSync(dir);
  assert.ok(after.bavail * after.bsize <= left + fs.bsize, `the disk at ${dir} was not filled`);
}

let emu: Emulator;
let work: string;

before(async () => {
  if (noTmpfs) return;
  emu = await emulator({ orgs: [{ alias: 'prod', records: 300, seed: 11 }] });
  // Bulk jobs complete at the first poll: no waiting on the client's poll interval.
  await control(emu, 'POST', '/bulk', { pollsBeforeComplete: 0 });
  work = mkdtempSync(path.join(tmpdir(), 'faults-disk-'));
});

after(async () => {
  // Unmount before removing, whatever failed: a mount left behind would outlive the test.
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  if (emu) await emu.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Each case skipped with the reason, so the report counts and shows every skipped case. */
const cases = noTmpfs ? { skip: noTmpfs } : {};

describe('disk full', () => {
  // defect 4, defect 8 (a full disk exited 2, "usage or configuration error")
  test('staging on a full disk (TMPDIR): exit 9 naming the staging folder, nothing published, previous snapshot intact', cases, async () => {
    const out = path.join(work, 'staging-case');
    const first = await sfbackup(['backup', '--alias', 'prod', '--out', out], cliEnv(emu, 'prod'));
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const before = treeHashes(out);

    const tiny = tinyDisk(work, 'tiny-tmp');
    fillLeaving(tiny, LEFT_BYTES);
    const ran = await sfbackup(['backup', '--alias', 'prod', '--out', out, '--json'], cliEnv(emu, 'prod', { TMPDIR: tiny }));
    assert.equal(ran.code, 9, `exit ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
    assert.match(ran.stderr, /the disk is full/i);
    assert.match(ran.stderr, new RegExp(`staging folder ${escapeRegExp(tiny)}/sfbackup-prod-`), ran.stderr);
    assert.match(ran.stderr, /To fix: .*free space.*TMPDIR/);
    assert.doesNotMatch(ran.stderr, /changed or damaged|usage or configuration/);
    // --json: one object on stdout that a script can branch on.
    const json = JSON.parse(ran.stdout.trim()) as Record<string, unknown>;
    assert.equal(json.ok, false);
    assert.equal(json.state, 'disk_full');
    assert.equal(json.exitCode, 9);
    assert.match(String(json.message), /disk is full/i);
    assert.match(String(json.remedy), /TMPDIR/);
    assertNoSecretsIn(emu, { stdout: ran.stdout, stderr: ran.stderr }, 'prod');

    assertTreeUnchanged(before, out, 'the previous snapshot');
    // The staging is removed: only the filler is left on the tiny disk.
    assert.deepEqual(readdirSync(tiny), ['filler.bin']);
  });

  // defect 4
  test('output folder on a full disk: the publish copy fails with exit 9 naming the output folder, previous snapshot intact', cases, async () => {
    const out = tinyDisk(work, 'tiny-out');
    // The previous snapshot lives on the tiny disk itself (it fits while the disk is empty).
    const first = await sfbackup(['backup', '--alias', 'prod', '--out', out], cliEnv(emu, 'prod'));
    assert.equal(first.code, 0, first.stdout + first.stderr);
    fillLeaving(out, LEFT_BYTES);
    const before = treeHashes(out);

    const staging = path.join(work, 'roomy-tmp');
    mkdirSync(staging, { recursive: true });
    const ran = await sfbackup(['backup', '--alias', 'prod', '--out', out], cliEnv(emu, 'prod', { TMPDIR: staging }));
    assert.equal(ran.code, 9, `exit ${ran.code}\n${ran.stdout}\n${ran.stderr}`);
    assert.match(ran.stderr, /the disk is full/i);
    assert.match(ran.stderr, new RegExp(`output folder ${escapeRegExp(out)}`), ran.stderr);
    assert.match(ran.stderr, /To fix: .*free space.*--out/);
    assertNoSecretsIn(emu, { stdout: ran.stdout, stderr: ran.stderr }, 'prod');

    // Nothing half-copied stays behind: the tree (previous snapshot, latest, filler) is as it was.
    assertTreeUnchanged(before, out, 'the output folder');
    assert.deepEqual(readdirSync(staging), [], 'the staging is removed');
    const ok = await sfbackup(['verify', path.join(out, 'prod')], {});
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  });

  // defect 4: the action fails the step with the same message
  test('action: output-dir on a full disk fails the step with the disk-full message; previous snapshot intact', cases, async () => {
    const out = tinyDisk(work, 'tiny-action-out');
    const env = cliEnv(emu, 'prod');
    const inputs = {
      'login-url': env.SF_LOGIN_URL as string,
      'client-id': env.SF_CLIENT_ID as string,
      'client-secret': env.SF_CLIENT_SECRET as string,
      'refresh-token': env.SF_REFRESH_TOKEN as string,
      // What the runner fills in from action.yml defaults; no status branch or issues here.
      command: 'backup',
      'publish-status': 'false',
      'open-issues': 'false',
      alias: 'solo',
      storage: 'local',
      'output-dir': out,
    };
    const first = await action(inputs);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    fillLeaving(out, LEFT_BYTES);
    const before = treeHashes(out);

    const ran = await action(inputs);
    assert.notEqual(ran.code, 0, ran.stdout);
    assert.match(ran.stdout, /::error::The disk is full: no room left in the output folder/);
    assert.ok(ran.stdout.includes(out), ran.stdout);
    assert.match(ran.stdout, /To fix: free space on the disk that holds .*output-dir/);
    assert.match(ran.summary, /disk is full/i);
    assertNoSecretsIn(emu, { stdout: ran.stdout.replace(/^::add-mask::.*$/gm, ''), summary: ran.summary }, 'prod');
    assertTreeUnchanged(before, out, 'the output folder');
    assert.ok(!existsSync(path.join(out, 'solo', '.incoming')), 'no half-copied snapshot');
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
