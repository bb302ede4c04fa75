// A restore picks one snapshot: latest, a date, or what the target names its snapshots by (a dated
// folder, a commit of the backup branch). Anything else is refused with what there is.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createStorageTarget, LocalTarget, StorageError } from '../../../src/storage/index.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { snapshotFiles, stage } from './helpers.ts';

let tmp: string;
let gh: GitHubEmulator;

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'fetch-snapshot-'));
  gh = await startGitHubEmulator();
});
after(async () => {
  await gh?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const fresh = (name: string) => mkdtempSync(path.join(tmp, `${name}-`));
const tagOf = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'prod', 'manifest.json'), 'utf8')) as { tag: string }).tag;
const tagAt = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { tag: string }).tag;

describe('fetchSnapshot', () => {
  test('local folder: latest, a date (the last snapshot of that day or before), a dated folder; else the list', async () => {
    const times = ['2026-11-30T03:17:00Z', '2026-12-01T03:17:00Z', '2026-12-01T15:00:00Z', '2026-12-02T03:17:00Z'];
    let i = 0;
    const out = fresh('out');
    const target = new LocalTarget({ dir: out, keep: 10 }, () => new Date(times[Math.min(i, times.length - 1)] as string));
    for (const t of ['nov30', 'dec1-early', 'dec1-late', 'dec2']) {
      const s = fresh('staging');
      stage(s, 'prod', snapshotFiles(t));
      await target.publish('prod', s, t);
      i++;
    }
    const work = fresh('work');
    assert.equal(tagAt((await target.fetchSnapshot('prod', 'latest', work)).dir), 'dec2');
    assert.equal(tagAt((await target.fetchSnapshot('prod', '2026-12-01', work)).dir), 'dec1-late');
    assert.equal(tagAt((await target.fetchSnapshot('prod', '2026-11-30', work)).dir), 'nov30');
    assert.equal(tagAt((await target.fetchSnapshot('prod', '2026-12-01T03-17-00Z', work)).dir), 'dec1-early');
    await assert.rejects(target.fetchSnapshot('prod', '2026-11-01', work), (err: unknown) => {
      assert.ok(err instanceof StorageError);
      assert.equal(err.reason, 'snapshot_missing');
      assert.match(err.remedy, /2026-12-02T03-17-00Z/);
      return true;
    });
  });

  test('backup branch: latest, a commit (abbreviated too), a date; a commit of another branch is no snapshot', async () => {
    const target = createStorageTarget({ type: 'branch', branch: 'snapshots', remoteUrl: gh.gitUrl() }, { token: gh.token, tempDir: tmp });
    const commits: string[] = [];
    for (const t of ['one', 'two', 'three']) {
      const s = fresh('staging');
      stage(s, 'prod', snapshotFiles(t));
      commits.push((await target.publish('prod', s, `Backup ${t}`)).commit ?? '');
    }
    const work = fresh('work');
    assert.equal(tagOf((await target.fetchSnapshot('prod', 'latest', work)).dir), 'three');
    const second = await target.fetchSnapshot('prod', (commits[1] as string).slice(0, 10), work);
    assert.equal(tagOf(second.dir), 'two');
    assert.equal(second.location, `branch snapshots@${commits[1]}`);
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(tagOf((await target.fetchSnapshot('prod', today, work)).dir), 'three', 'the last commit of the day');
    await assert.rejects(target.fetchSnapshot('prod', '2000-01-01', work), /no snapshot of prod at "2000-01-01"/);

    const other = createStorageTarget({ type: 'branch', branch: 'elsewhere', remoteUrl: gh.gitUrl() }, { token: gh.token, tempDir: tmp });
    const s = fresh('staging');
    stage(s, 'prod', snapshotFiles('other'));
    const foreign = (await other.publish('prod', s, 'Backup other')).commit ?? '';
    await assert.rejects(target.fetchSnapshot('prod', foreign, work), (err: unknown) => err instanceof StorageError && err.reason === 'snapshot_missing');
    await assert.rejects(target.fetchSnapshot('prod', 'yesterday', work), /names no snapshot of a backup branch/);
  });
});
