// The restore action's report artifact: which `snapshot` value a retry is told to give, and how a
// report folder written by one run is read back by the next.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { hasLedger, pinnedSnapshotRef, ResumeError, readPlanIdentity, readRunInfo, writeRunInfo } from '../../../src/action/restore-report.ts';

test('a retry is pointed at exactly the snapshot a run restored, in the form each storage target takes', () => {
  const sha = 'a'.repeat(40);
  assert.equal(pinnedSnapshotRef(`branch salesforce-backups@${sha}`), sha);
  assert.equal(pinnedSnapshotRef('artifact salesforce-backup-prod (id 3100000001, run 9100000002)'), '3100000001');
  assert.equal(pinnedSnapshotRef('/backups/prod/2026-12-01T02-00-00Z'), '2026-12-01T02-00-00Z');
  // A folder given by hand names no snapshot a storage target could find again.
  assert.equal(pinnedSnapshotRef('/home/me/snapshot'), undefined);
  assert.equal(pinnedSnapshotRef(undefined), undefined);
});

test('a report folder is read back as written; a damaged one is refused with a remedy', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'restore-report-'));
  try {
    const info = { formatVersion: 1 as const, targetAlias: 'prod', snapshotOrg: 'prod', snapshotRef: 'latest', runId: '7' };
    writeRunInfo(dir, info);
    assert.deepEqual(readRunInfo(dir), info);
    assert.equal(hasLedger(dir), false);
    mkdirSync(path.join(dir, 'results'));
    writeFileSync(path.join(dir, 'results', 'restore.sqlite'), '');
    assert.equal(hasLedger(dir), true);
    mkdirSync(path.join(dir, 'plan'));
    writeFileSync(path.join(dir, 'plan', 'plan.json'), JSON.stringify({ snapshot: { alias: 'prod' }, target: {} }));
    assert.throws(
      () => readPlanIdentity(dir),
      (err: unknown) =>
        err instanceof ResumeError && err.reason === 'unreadable' && err.state === 'misconfigured' && /plan/.test(err.message) && err.remedy.length > 0,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
