// The job context: one reading of the runner's environment, overridable by what a caller knows.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { exportApiUrl, jobContext, repositoryRef } from '../../../src/runtime/job-context.ts';

const RUNNER = {
  GITHUB_REPOSITORY: 'acme/backups',
  GITHUB_TOKEN: 'ghs_from_env',
  GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
  GITHUB_SERVER_URL: 'https://ghe.example.com/',
  GITHUB_RUN_ID: '1001',
  GITHUB_WORKSPACE: '/home/runner/work/backups',
  RUNNER_TEMP: '/home/runner/_temp',
};

describe('job context', () => {
  test('on a laptop: github.com, the OS temp dir, no run, masking does nothing', () => {
    const job = jobContext({}, {});
    assert.equal(job.apiUrl, 'https://api.github.com');
    assert.equal(job.serverUrl, 'https://github.com');
    assert.equal(job.tempDir, tmpdir());
    assert.equal(job.token, undefined);
    assert.equal(job.repository, undefined);
    assert.equal(job.workspace, undefined);
    assert.equal(job.runId, undefined);
    assert.equal(job.runUrl, null);
    job.mask('anything');
  });

  test('on a runner: every value from its variables, URLs without the trailing slash', () => {
    const job = jobContext({}, RUNNER);
    assert.equal(job.repository, 'acme/backups');
    assert.equal(job.token, 'ghs_from_env');
    assert.equal(job.apiUrl, 'https://ghe.example.com/api/v3');
    assert.equal(job.serverUrl, 'https://ghe.example.com');
    assert.equal(job.tempDir, '/home/runner/_temp');
    assert.equal(job.workspace, '/home/runner/work/backups');
    assert.equal(job.runUrl, 'https://ghe.example.com/acme/backups/actions/runs/1001');
  });

  test('what the caller passes wins; an empty value counts as unset', () => {
    const masked: string[] = [];
    const job = jobContext(
      { token: 'ghp_flag', repository: 'o/r', apiUrl: 'http://127.0.0.1:9/', serverUrl: '', tempDir: '/scratch', mask: (s) => masked.push(s) },
      RUNNER,
    );
    assert.equal(job.token, 'ghp_flag');
    assert.equal(job.repository, 'o/r');
    assert.equal(job.apiUrl, 'http://127.0.0.1:9');
    assert.equal(job.serverUrl, 'https://ghe.example.com');
    assert.equal(job.tempDir, '/scratch');
    job.mask('s3cret');
    assert.deepEqual(masked, ['s3cret']);
  });

  test('a run page only when the runner names its server', () => {
    const { GITHUB_SERVER_URL: _s, ...noServer } = RUNNER;
    assert.equal(jobContext({}, noServer).runUrl, null);
    assert.equal(jobContext({}, noServer).serverUrl, 'https://github.com');
  });

  test('repositoryRef splits owner/name and refuses half a name', () => {
    assert.deepEqual(repositoryRef('acme/backups'), { owner: 'acme', repo: 'backups' });
    assert.equal(repositoryRef('acme'), undefined);
    assert.equal(repositoryRef(undefined), undefined);
  });

  test('exportApiUrl sets GITHUB_API_URL for the toolkit, and names a conflicting one', () => {
    const env: NodeJS.ProcessEnv = {};
    assert.equal(exportApiUrl('http://127.0.0.1:9', env), undefined);
    assert.equal(env.GITHUB_API_URL, 'http://127.0.0.1:9');
    assert.equal(exportApiUrl('http://127.0.0.1:9', { GITHUB_API_URL: 'http://127.0.0.1:9/' }), undefined);
    assert.match(exportApiUrl('http://127.0.0.1:9', { GITHUB_API_URL: 'https://api.github.com' }) ?? '', /differs from the API URL given/);
  });
});
