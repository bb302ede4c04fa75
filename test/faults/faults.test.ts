// Faults of the Salesforce data API (Bulk and REST), run as a user runs them (the CLI, and the action
// with an org config) against the emulator: an outage that outlasts the retries (5xx, a maintenance
// page), one that heals, a connection that goes silent, the daily API limit and the concurrency
// limit. Retries and timeouts are made short through SFBACKUP_EXPORT_TUNING, so no case waits long.
// Every failed run leaves the previous snapshot byte-identical.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { assertSecretsHidden, type Ran } from '../helpers/dist.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';
import { actionStep, assertNoSecretsIn, assertTreeUnchanged, cliEnv, type Step, sfbackup, treeHashes } from './support.ts';

let emu: Emulator;
let gh: GitHubEmulator;
let work: string;
/** A CLI folder holding one good snapshot of prod. */
let out: string;

const RESULTS = '/jobs/query/[^/]+/results$';
/** Three tries in a few milliseconds; 0.3 s of silence is a hung request, noticed after 0.1 s. */
const TUNING = JSON.stringify({ retries: 2, retryMinMs: 10, retryMaxMs: 40, requestTimeoutMs: 300, waitNoticeMs: 100 });

before(async () => {
  [emu, gh] = await Promise.all([emulator({ orgs: [{ alias: 'prod', records: 200, seed: 31 }] }), startGitHubEmulator()]);
  work = mkdtempSync(path.join(tmpdir(), 'faults-api-'));
  out = path.join(work, 'cli');
  const first = await sfbackup(['backup', '--alias', 'prod', '--out', out], cliEnv(emu, 'prod'));
  assert.equal(first.code, 0, first.stdout + first.stderr);
});
afterEach(async () => {
  // Also lets any held request go.
  await control(emu, 'DELETE', '/faults');
});
after(async () => {
  await Promise.all([emu.close(), gh.close()]);
  rmSync(work, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => cliEnv(emu, 'prod', { SFBACKUP_EXPORT_TUNING: TUNING, ...extra });
const backup = (...args: string[]) => sfbackup(['backup', '--alias', 'prod', '--out', out, '--json', ...args], env());

function failure(run: Ran): { state: string; reason: string; message: string; remedy: string; exitCode: number } {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as { state: string; reason: string; message: string; remedy: string; exitCode: number };
}

async function fired(path: string): Promise<number> {
  const rules = await control<{ path: string; fired: number }[]>(emu, 'GET', '/faults');
  return rules.find((r) => r.path === path)?.fired ?? 0;
}

describe('CLI: the data API is down', () => {
  // defect 5
  test('persistent 503 on the Bulk results exits 5 transient / server_error with a remedy; nothing is published', async () => {
    const before = treeHashes(out);
    await control(emu, 'POST', '/faults', { path: RESULTS, status: 503, errorCode: 'SERVER_UNAVAILABLE', message: 'Server unavailable', times: 0 });
    const run = await backup('--concurrency', '2');
    assert.equal(run.code, 5, run.stdout + run.stderr);
    const f = failure(run);
    assert.equal(f.state, 'transient');
    assert.equal(f.reason, 'server_error');
    assert.match(f.message, /HTTP 503 SERVER_UNAVAILABLE/);
    assert.match(f.remedy, /Salesforce answered HTTP 503 SERVER_UNAVAILABLE for [\d.]+ s; the run retried 2 times and published nothing/);
    assert.match(f.remedy, /status\.salesforce\.com/);
    assert.match(run.stderr, /Retrying \w+ after a transient error/);
    assertTreeUnchanged(before, out);
    assertNoSecretsIn(emu, { stdout: run.stdout, stderr: run.stderr }, 'prod');
  });

  // defect 5
  test('an HTML maintenance page on every data call exits 5 and says so', async () => {
    const before = treeHashes(out);
    await control(emu, 'POST', '/faults', { path: '/services/data/', kind: 'html', status: 503, times: 0 });
    const run = await backup();
    assert.equal(run.code, 5, run.stdout + run.stderr);
    const f = failure(run);
    assert.equal(f.state, 'transient');
    assert.equal(f.reason, 'server_error');
    assert.match(f.remedy, /HTTP 503 with an HTML page \(maintenance\?\)/);
    // The action's words too: nothing to change, the next run retries, and what to check if it persists.
    assert.match(
      run.stderr,
      /To fix: Nothing to change for org prod .*: the next run retries\. If it persists: Salesforce answered HTTP 503 with an HTML page/,
    );
    assertTreeUnchanged(before, out);
  });

  // defect 5
  test('a blip that heals within the retries: exit 0, published', async () => {
    await control(emu, 'POST', '/faults', { path: RESULTS, status: 503, times: 2 });
    const run = await backup();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /Retrying \w+ after a transient error: UNKNOWN_EXCEPTION/);
    assert.ok((JSON.parse(run.stdout) as { published?: unknown }).published, 'the run published');
  });
});

describe('CLI: a connection that goes silent', () => {
  // defect 8
  test('says it is waiting, gives the request up after the timeout and retries it', async () => {
    // The first results page gets no answer at all until the fault is cleared.
    await control(emu, 'POST', '/faults', { path: RESULTS, kind: 'hold', times: 1 });
    const run = await backup('--concurrency', '1');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /No answer from Salesforce for 0\.1 s on \w+ results page 1 \(Bulk job \w+\); waiting up to 0\.3 s before trying again\./);
    assert.match(run.stderr, /Retrying \w+ after a transient error: No answer from Salesforce for 0\.3 s on \w+ results page 1/);
  });
});

describe('CLI: API limits', () => {
  // defect 8
  test('REQUEST_LIMIT_EXCEEDED for TotalRequests is not retried: exit 5 rate_limited, the remedy names the limit and when it frees up', async () => {
    const before = treeHashes(out);
    const jobs = '/jobs/query$';
    await control(emu, 'POST', '/faults', { path: jobs, method: 'POST', kind: 'limit', message: 'TotalRequests Limit exceeded.', times: 0 });
    const run = await backup('--concurrency', '1');
    assert.equal(run.code, 5, run.stdout + run.stderr);
    const f = failure(run);
    assert.equal(f.state, 'transient');
    assert.equal(f.reason, 'rate_limited');
    assert.match(f.message, /daily API request limit \(TotalRequests\) is spent/);
    assert.match(f.remedy, /rolling 24 hours/);
    assert.doesNotMatch(run.stderr, /Retrying/);
    assert.equal(await fired(jobs), 1, 'one refused request, no retries, no further object');
    assertTreeUnchanged(before, out);
  });

  // defect 8
  test('REQUEST_LIMIT_EXCEEDED for concurrent long transactions is retried with backoff: exit 0', async () => {
    await control(emu, 'POST', '/faults', {
      path: '/jobs/query$',
      method: 'POST',
      kind: 'limit',
      message: 'ConcurrentPerOrgLongTxn Limit exceeded.',
      times: 2,
    });
    const run = await backup('--concurrency', '1');
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /Retrying \w+ after a transient error: REQUEST_LIMIT_EXCEEDED: ConcurrentPerOrgLongTxn/);
  });
});

// ---- the action ----

function step(opts: { workspace?: string; env?: Record<string, string> } = {}): Promise<Step> {
  const c = creds(emu, 'prod');
  const config = `orgs:
  - alias: prod
    type: ${c.loginUrl}
    refresh-token-secret: SF_REFRESH_TOKEN_PROD
    storage: { kind: local, dir: backups }
`;
  const secrets = { SF_CLIENT_ID: c.clientId, SF_CLIENT_SECRET: c.clientSecret, SF_REFRESH_TOKEN_PROD: c.refreshToken };
  return actionStep(
    work,
    config,
    { 'github-token': gh.token, secrets: JSON.stringify(secrets), 'status-remote': gh.gitUrl() },
    { ...(opts.workspace ? { workspace: opts.workspace } : {}), env: { ...gh.env(), ...opts.env } },
  );
}

describe('action: the data API is down or out of allowance', () => {
  // defect 5 and defect 8
  test('auth-state transient with the reason and remedy in the outputs and the summary; no issue; the folder is unchanged', async () => {
    const ok = await step();
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const folder = path.join(ok.workspace, 'backups');
    const before = treeHashes(folder);

    await control(emu, 'POST', '/faults', { path: RESULTS, status: 503, times: 0 });
    const down = await step({ workspace: ok.workspace, env: { SFBACKUP_EXPORT_TUNING: TUNING } });
    assert.equal(down.code, 1, down.stdout + down.stderr);
    assert.equal(down.outputs['auth-state'], 'transient');
    assert.equal(down.outputs['auth-reason'], 'server_error');
    assert.match(down.outputs['auth-remedy'] ?? '', /the run retried 2 times and published nothing/);
    assert.match(down.summary, /Authorization of prod: transient/);
    assert.match(down.summary, /status\.salesforce\.com/);
    assert.match(down.stdout, /::error::.*HTTP 503/);
    assertTreeUnchanged(before, folder);
    await control(emu, 'DELETE', '/faults');

    await control(emu, 'POST', '/faults', { path: '/jobs/query$', method: 'POST', kind: 'limit', times: 0 });
    const spent = await step({ workspace: ok.workspace });
    assert.equal(spent.code, 1, spent.stdout + spent.stderr);
    assert.equal(spent.outputs['auth-state'], 'transient');
    assert.equal(spent.outputs['auth-reason'], 'rate_limited');
    assert.match(spent.outputs['auth-remedy'] ?? '', /TotalRequests/);
    assert.match(spent.summary, /TotalRequests/);
    assertTreeUnchanged(before, folder);
    assert.equal(
      gh.issues({ state: 'all' }).filter((i) => i.body?.includes('sfbackup:org=prod')).length,
      0,
      'transient failures open no issue: the next run retries',
    );
    const c = creds(emu, 'prod');
    for (const ran of [ok, down, spent]) {
      assertSecretsHidden(
        { stdout: ran.stdout, stderr: ran.stderr, summary: ran.summary, outputs: JSON.stringify(ran.outputs) },
        { 'refresh token': c.refreshToken, 'client secret': c.clientSecret },
      );
    }
  });
});
