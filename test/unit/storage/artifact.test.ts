// The artifact target with the real @actions/artifact client (in a child process, env set before
// import) against the GitHub emulator and Azurite.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pickNewest } from '../../../src/storage/artifact.ts';
import type { PreviousSnapshot, PublishResult } from '../../../src/storage/index.ts';
import { type GitHubEmulator, type RunHandle, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { failed, ok, readTree, runTargets, snapshotFiles, stage } from './helpers.ts';

let emu: GitHubEmulator;
let tmp: string;

function fresh(name: string): string {
  return mkdtempSync(path.join(tmp, `${name}-`));
}

function jobEnv(run: RunHandle): Record<string, string> {
  const workspace = path.join(tmp, `ws-${run.id}`);
  mkdirSync(workspace, { recursive: true });
  return run.env({ workspace, runnerTemp: tmp });
}

async function publish(run: RunHandle, alias: string, files: Record<string, string | Buffer>, retentionDays?: number) {
  const staging = fresh('staging');
  stage(staging, alias, files);
  const config = { type: 'artifact' as const, ...(retentionDays ? { retentionDays } : {}) };
  const r = await runTargets(jobEnv(run), [{ op: 'publish', config, alias, stagingDir: staging, message: `Backup ${alias}` }]);
  return { staging, result: ok<PublishResult>(r.results[0]), stdout: r.stdout };
}

async function fetchPrevious(run: RunHandle, alias: string, env: Record<string, string> = {}) {
  const workDir = fresh('work');
  const r = await runTargets({ ...jobEnv(run), ...env }, [{ op: 'fetchPrevious', config: { type: 'artifact' }, alias, workDir }]);
  return { run: r, value: r.results[0]?.ok ? (r.results[0].value as PreviousSnapshot | null) : undefined };
}

before(async () => {
  emu = await startGitHubEmulator();
  tmp = mkdtempSync(path.join(tmpdir(), 'storage-artifact-'));
});

after(async () => {
  await emu?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('artifact storage', () => {
  test('a snapshot published in one run comes back byte for byte in a later run', async () => {
    const files = snapshotFiles('one', {
      'data/Attachment/blob.bin': randomBytes(3 * 1024 * 1024 + 7),
      'data/Account/01.csv': 'Id,Description\n001000000000002AAA,"line1\nline2 ""quoted"", ünïcödé"\n',
    });
    const { staging, result } = await publish(emu.run, 'prod', files, 30);
    assert.equal(result.artifactName, 'salesforce-backup-prod');
    assert.equal(typeof result.artifactId, 'number');
    assert.equal(result.location, `artifact salesforce-backup-prod (id ${result.artifactId})`);
    const stored = emu.state.artifacts.get(result.artifactId ?? -1);
    assert.ok(stored?.finalized);

    const next = await emu.createRun();
    const { value: prev, run } = await fetchPrevious(next, 'prod');
    assert.ok(prev, JSON.stringify(run.results));
    assert.match(prev.location, new RegExp(`id ${result.artifactId}, run ${emu.run.id}`));
    assert.deepEqual(readTree(path.join(prev.dir, 'prod')), readTree(path.join(staging, 'prod')));
    assert.ok(!run.stdout.includes(emu.token) && !run.stderr.includes(emu.token), 'the token is not printed');
  });

  test('the newest of several artifacts from earlier runs wins', async () => {
    const r1 = await emu.createRun();
    await publish(r1, 'sandbox', snapshotFiles('first'));
    emu.advanceClock(60_000);
    const r2 = await emu.createRun();
    const second = await publish(r2, 'sandbox', snapshotFiles('second'));
    const r3 = await emu.createRun();
    const { value: prev } = await fetchPrevious(r3, 'sandbox');
    assert.ok(prev);
    assert.match(prev.location, new RegExp(`id ${second.result.artifactId}`));
    assert.deepEqual(readTree(path.join(prev.dir, 'sandbox')), readTree(path.join(second.staging, 'sandbox')));
  });

  test('the newest is chosen by creation time and id, not by the order the server lists them in', () => {
    const a = (id: number, createdAt: string, expired = false, name = 'salesforce-backup-prod') => ({
      id,
      name,
      createdAt,
      expired,
      runId: id,
      digest: undefined,
    });
    const list = [
      a(5, '2026-01-01T00:00:00Z'),
      a(9, '2026-01-03T00:00:00Z', true),
      a(7, '2026-01-02T00:00:00Z'),
      a(8, '2026-01-02T00:00:00Z'),
      a(10, '2026-01-04T00:00:00Z', false, 'salesforce-backup-prod-2'),
    ];
    assert.equal(pickNewest('salesforce-backup-prod', list)?.id, 8);
    assert.equal(pickNewest('salesforce-backup-prod', [...list].reverse())?.id, 8);
    assert.equal(pickNewest('other', list), undefined);
  });

  test('expired artifacts are skipped; with none left there is no previous snapshot', async () => {
    await publish(await emu.createRun(), 'shortlived', snapshotFiles('gone'), 1);
    emu.advanceClock(2 * 24 * 3600 * 1000);
    const { value, run } = await fetchPrevious(await emu.createRun(), 'shortlived');
    assert.ok(run.results[0]?.ok, JSON.stringify(run.results));
    assert.equal(value, null);
    const { value: none } = await fetchPrevious(await emu.createRun(), 'never-published');
    assert.equal(none, null);
  });

  test('a wrong token fails with a typed error and a remedy', async () => {
    const wrong = 'ghs_notarealtoken000000000000000000';
    const { run } = await fetchPrevious(await emu.createRun(), 'prod', { GITHUB_TOKEN: wrong });
    const err = failed(run.results[0]);
    assert.equal(err.reason, 'auth_failed');
    assert.match(err.remedy ?? '', /github\.token/);
    assert.ok(!err.message.includes(wrong));
  });

  test('publishing outside a workflow job says so', async () => {
    const staging = fresh('staging');
    stage(staging, 'prod', snapshotFiles('cli'));
    const r = await runTargets({}, [{ op: 'publish', config: { type: 'artifact' }, alias: 'prod', stagingDir: staging, message: 'x' }]);
    const err = failed(r.results[0]);
    assert.equal(err.reason, 'not_in_actions');
    assert.match(err.remedy ?? '', /local.*branch/);
  });

  test('a second artifact of the same name in one run is a configuration error', async () => {
    const run = await emu.createRun();
    await publish(run, 'twice', snapshotFiles('a'));
    const staging = fresh('staging');
    stage(staging, 'twice', snapshotFiles('b'));
    const r = await runTargets(jobEnv(run), [{ op: 'publish', config: { type: 'artifact' }, alias: 'twice', stagingDir: staging, message: 'x' }]);
    const err = failed(r.results[0]);
    assert.equal(err.reason, 'bad_config');
    assert.match(err.remedy ?? '', /own alias or artifact name/);
  });
});
