// How often backups are expected: the config's `schedule`, or the workflow's cron lines.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../src/config/load.ts';
import { scheduleFromCron, workflowCronLines } from '../../../src/config/schedule.ts';
import { jobContext } from '../../../src/runtime/job-context.ts';

const NOW = new Date('2026-12-02T12:00:00Z');

describe('expected backup schedule', () => {
  test('a nightly cron expects a day; a weekday cron expects the weekend gap; two lines the longest gap', () => {
    assert.deepEqual(scheduleFromCron(['17 3 * * *'], NOW), { intervalS: 86_400, graceS: null });
    assert.deepEqual(scheduleFromCron(['17 3 * * 1-5'], NOW), { intervalS: 3 * 86_400, graceS: null });
    assert.deepEqual(scheduleFromCron(['0 */6 * * *'], NOW), { intervalS: 6 * 3600, graceS: null });
    assert.deepEqual(scheduleFromCron(['0 2 * * *', '0 14 * * *'], NOW), { intervalS: 12 * 3600, graceS: null });
  });

  test('no usable cron line: nothing is claimed', () => {
    assert.equal(scheduleFromCron([], NOW), undefined);
    assert.equal(scheduleFromCron(['not a cron'], NOW), undefined);
  });

  test('reads on.schedule from the running workflow, found through GITHUB_WORKFLOW_REF', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'schedule-'));
    try {
      const file = path.join(dir, '.github/workflows/backup.yml');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, 'name: Salesforce backup\non:\n  schedule:\n    - cron: "17 3 * * *"\n  workflow_dispatch:\njobs: {}\n');
      const job = jobContext({}, { GITHUB_WORKSPACE: dir, GITHUB_WORKFLOW_REF: 'acme/backups/.github/workflows/backup.yml@refs/heads/main' });
      assert.equal(job.workflowFile, file);
      assert.deepEqual(workflowCronLines(file), ['17 3 * * *']);
      assert.deepEqual(workflowCronLines(path.join(dir, 'missing.yml')), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the org config takes `schedule: {every, grace}` in durations, per org or as a default, and refuses nonsense', () => {
    const config = parseConfig(
      'defaults:\n  schedule: { every: 1d }\norgs:\n  - { alias: prod, type: production, refresh-token-secret: T, schedule: { every: 6h, grace: 90m } }\n  - { alias: uat, type: sandbox, refresh-token-secret: U }\n',
      'salesforce-backup.yml',
    );
    assert.deepEqual(config.orgs[0]?.schedule, { every: 6 * 3600, grace: 5400 });
    assert.deepEqual(config.defaults?.schedule, { every: 86_400 });
    assert.throws(
      () => parseConfig('orgs:\n  - { alias: prod, type: production, refresh-token-secret: T, schedule: { every: soon } }\n', 'salesforce-backup.yml'),
      /schedule\.every must be a duration such as 30m, 6h, 1d or 1w/,
    );
  });
});
