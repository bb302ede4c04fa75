// Credential faults, run as a user runs them (the CLI, and the action with an org config) against the
// emulators: a refresh token revoked and a user deactivated while a backup runs, a sandbox token at
// the production login host and the reverse, a wrong consumer secret. Each ends with the exit code
// and the state of its class, a message that says what to do, no secret in any output, and the
// previous snapshot byte-identical.
//
// Mid-run faults are placed without timing: a `hold` fault stops the first Bulk results page at the
// emulator, the test changes the org while the run waits for it, then lets the page go.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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

before(async () => {
  [emu, gh] = await Promise.all([
    emulator({
      orgs: [
        { alias: 'prod', records: 200, seed: 21 },
        { alias: 'uat', sandbox: true, records: 40, seed: 22 },
      ],
    }),
    startGitHubEmulator(),
  ]);
  // Every case gets a token of its own; the default limit of five approvals would evict older ones.
  await control(emu, 'POST', '/apps/default/settings', { maxApprovals: 100 });
  work = mkdtempSync(path.join(tmpdir(), 'faults-credentials-'));
  out = path.join(work, 'cli');
  const first = await sfbackup(['backup', '--alias', 'prod', '--out', out], cliEnv(emu, 'prod'));
  assert.equal(first.code, 0, first.stdout + first.stderr);
});
afterEach(async () => {
  await control(emu, 'DELETE', '/faults');
});
after(async () => {
  await Promise.all([emu.close(), gh.close()]);
  rmSync(work, { recursive: true, force: true });
});

interface Grant {
  grantId: string;
  refreshToken: string;
}

/** A fresh approval (refresh token) of the org's admin, or of `user`. */
function grant(org: string, user?: string): Promise<Grant> {
  return control<Grant>(emu, 'POST', '/grants', { org, ...(user ? { user } : {}) });
}

/**
 * Holds the first Bulk results page of the next run at the emulator; `whileHeld` runs once the run
 * is waiting for it, then the page goes on (and meets whatever `whileHeld` changed).
 */
async function midRun<T>(run: () => Promise<T>, whileHeld: () => Promise<unknown>): Promise<T> {
  const rule = await control<{ id: number }>(emu, 'POST', '/faults', { path: RESULTS, kind: 'hold', times: 1 });
  const ran = run();
  for (;;) {
    const rules = await control<{ id: number; holding: number }[]>(emu, 'GET', '/faults');
    if ((rules.find((r) => r.id === rule.id)?.holding ?? 0) > 0) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  await whileHeld();
  await control(emu, 'POST', `/faults/${rule.id}/release`);
  return ran;
}

/** The JSON error object `--json` prints on stdout when a command fails. */
function failure(run: Ran): { state: string; reason: string; message: string; remedy: string; exitCode: number } {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as { state: string; reason: string; message: string; remedy: string; exitCode: number };
}

function noSecret(texts: Record<string, string>, ...values: string[]): void {
  assertNoSecretsIn(emu, texts, 'prod');
  for (const [where, text] of Object.entries(texts)) for (const v of values) assert.ok(!text.includes(v), `a refresh token appears in ${where}`);
}

const backup = (env: Record<string, string>, ...args: string[]) => sfbackup(['backup', '--alias', 'prod', '--out', out, '--json', ...args], env);

describe('CLI: the token dies while the backup runs', () => {
  // defect 3
  test('a refresh token revoked mid-run exits 3 reauth_required with the login remedy; every object stops; nothing is published', async () => {
    const g = await grant('prod');
    const before = treeHashes(out);
    const run = await midRun(
      () => backup(cliEnv(emu, 'prod', { SF_REFRESH_TOKEN: g.refreshToken })),
      () => control(emu, 'POST', `/grants/${g.grantId}/revoke`, {}),
    );
    assert.equal(run.code, 3, run.stdout + run.stderr);
    const f = failure(run);
    assert.equal(f.state, 'reauth_required');
    assert.equal(f.reason, 'token_expired_or_revoked');
    assert.equal(f.exitCode, 3);
    // The exact command for an org given without a config file: its login host, the secret and repository to fill in.
    assert.match(f.remedy, /Re-authorize org prod \(My Domain \S+\): run `sfbackup reauth --login-url \S+ --secret SECRET_NAME --repo OWNER\/NAME`/);
    assert.match(run.stderr, /To fix: Re-authorize org prod/);
    // The same words a dead token gets at login.
    const atLogin = await backup(cliEnv(emu, 'prod', { SF_REFRESH_TOKEN: g.refreshToken }));
    assert.equal(atLogin.code, 3, atLogin.stderr);
    assert.equal(failure(atLogin).remedy, f.remedy);
    assert.doesNotMatch(run.stderr, /Published|Snapshot: /);
    assertTreeUnchanged(before, out);
    noSecret({ stdout: run.stdout, stderr: run.stderr }, g.refreshToken);
  });

  // defect 3
  test('a user deactivated mid-run exits 3 reauth_required / user_inactive and says to reactivate the user', async () => {
    const user = await control<{ id: string }>(emu, 'POST', '/orgs/prod/users', { username: 'backup-bot@prod.example.com' });
    const g = await grant('prod', user.id);
    const before = treeHashes(out);
    try {
      const run = await midRun(
        () => backup(cliEnv(emu, 'prod', { SF_REFRESH_TOKEN: g.refreshToken })),
        () => control(emu, 'POST', `/users/${user.id}/deactivate`, {}),
      );
      assert.equal(run.code, 3, run.stdout + run.stderr);
      const f = failure(run);
      assert.equal(f.state, 'reauth_required');
      assert.equal(f.reason, 'user_inactive');
      assert.match(f.remedy, /Reactivate \(or unfreeze\) the user in Setup > Users/);
      assertTreeUnchanged(before, out);
      noSecret({ stdout: run.stdout, stderr: run.stderr }, g.refreshToken);
    } finally {
      await control(emu, 'POST', `/users/${user.id}/reactivate`, {});
    }
  });
});

describe('CLI: a token of the other org kind (the emulator names its login hosts through SFBACKUP_LOGIN_HOSTS)', () => {
  const hosts = () => JSON.stringify({ production: emu.loginUrl, sandbox: emu.testLoginUrl });

  // defect 9
  test('a sandbox token at the production login host exits 2 wrong_org_type and names the sandbox host that accepts it', async () => {
    const before = treeHashes(out);
    const uat = creds(emu, 'uat');
    const run = await backup(cliEnv(emu, 'uat', { SF_LOGIN_URL: emu.loginUrl, SFBACKUP_LOGIN_HOSTS: hosts() }));
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const f = failure(run);
    assert.equal(f.state, 'misconfigured');
    assert.equal(f.reason, 'wrong_org_type');
    assert.ok(f.message.includes(`accepted it at ${emu.testLoginUrl}, the sandbox login host`), f.message);
    assert.ok(f.remedy.includes(`Log in at ${emu.testLoginUrl}`), f.remedy);
    assert.doesNotMatch(f.message + f.remedy, /revoked/);
    assertTreeUnchanged(before, out);
    noSecret({ stdout: run.stdout, stderr: run.stderr }, uat.refreshToken, uat.clientSecret);
  });

  // defect 9
  test('a production token at the sandbox login host exits 2 wrong_org_type and names the production host', async () => {
    const before = treeHashes(out);
    const run = await backup(cliEnv(emu, 'prod', { SF_LOGIN_URL: emu.testLoginUrl, SFBACKUP_LOGIN_HOSTS: hosts() }));
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const f = failure(run);
    assert.equal(f.reason, 'wrong_org_type');
    assert.ok(f.message.includes(`accepted it at ${emu.loginUrl}, the production login host`), f.message);
    assert.ok(f.remedy.includes(`Log in at ${emu.loginUrl}`), f.remedy);
    assertTreeUnchanged(before, out);
    noSecret({ stdout: run.stdout, stderr: run.stderr });
  });

  // defect 9: check logs in the same way as backup.
  test('check says the same', async () => {
    const run = await sfbackup(['check', '--json'], cliEnv(emu, 'uat', { SF_LOGIN_URL: emu.loginUrl, SFBACKUP_LOGIN_HOSTS: hosts() }));
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.equal(failure(run).reason, 'wrong_org_type');
  });

  // defect 9: a token that is dead everywhere is still reported as revoked.
  test('a revoked token at a generic host stays reauth_required (exit 3)', async () => {
    const g = await grant('prod');
    await control(emu, 'POST', `/grants/${g.grantId}/revoke`, {});
    const run = await backup(cliEnv(emu, 'prod', { SF_REFRESH_TOKEN: g.refreshToken, SFBACKUP_LOGIN_HOSTS: hosts() }));
    assert.equal(run.code, 3, run.stdout + run.stderr);
    assert.equal(failure(run).reason, 'token_expired_or_revoked');
  });
});

describe('CLI: a wrong consumer secret', () => {
  test('exits 2 client_secret_invalid and names where the secret comes from', async () => {
    const before = treeHashes(out);
    const wrong = 'F'.repeat(64);
    const run = await backup(cliEnv(emu, 'prod', { SF_CLIENT_SECRET: wrong }));
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const f = failure(run);
    assert.equal(f.state, 'misconfigured');
    assert.equal(f.reason, 'client_secret_invalid');
    assert.match(f.remedy, /Consumer Secret/);
    assertTreeUnchanged(before, out);
    noSecret({ stdout: run.stdout, stderr: run.stderr }, wrong);
  });
});

// ---- the action ----

/** One job step with the org config in the workspace (kept between steps when `workspace` is given). */
function step(
  refreshToken: string,
  opts: { workspace?: string; env?: Record<string, string>; inputs?: Record<string, string>; type?: string } = {},
): Promise<Step> {
  const c = creds(emu, 'prod');
  const config = `orgs:
  - alias: prod
    type: ${opts.type ?? c.loginUrl}
    refresh-token-secret: SF_REFRESH_TOKEN_PROD
    storage: { kind: local, dir: backups }
`;
  const secrets = { SF_CLIENT_ID: c.clientId, SF_CLIENT_SECRET: c.clientSecret, SF_REFRESH_TOKEN_PROD: refreshToken };
  return actionStep(
    work,
    config,
    { 'github-token': gh.token, secrets: JSON.stringify(secrets), 'status-remote': gh.gitUrl(), ...opts.inputs },
    { ...(opts.workspace ? { workspace: opts.workspace } : {}), env: { ...gh.env(), ...opts.env } },
  );
}

/** The runner swallows `::add-mask::` lines; a secret anywhere else is a leak. */
function hidden(ran: Step, ...tokens: string[]): void {
  const c = creds(emu, 'prod');
  const secrets: Record<string, string> = { 'client secret': c.clientSecret, 'consumer key': c.clientId };
  tokens.forEach((t, i) => {
    secrets[`refresh token ${i}`] = t;
  });
  assertSecretsHidden({ stdout: ran.stdout, stderr: ran.stderr, summary: ran.summary, outputs: JSON.stringify(ran.outputs) }, secrets);
}

function publishedStatus(alias: string): { auth: { state: string; reason: string | null; remedy: string | null } } {
  const text = execFileSync('git', ['--git-dir', gh.bareRepoPath(), 'show', `salesforce-backup-status:orgs/${alias}/status.json`], { encoding: 'utf8' });
  return JSON.parse(text) as { auth: { state: string; reason: string | null; remedy: string | null } };
}

describe('action: the token dies while the backup runs', () => {
  // defect 3
  test('auth-state reauth_required with the login remedy, the step fails, the issue opens, the status says so; the folder is unchanged', async () => {
    const g = await grant('prod');
    const ok = await step(g.refreshToken);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(ok.outputs['auth-state'], 'ok');
    const folder = path.join(ok.workspace, 'backups');
    const before = treeHashes(folder);

    const bad = await midRun(
      () => step(g.refreshToken, { workspace: ok.workspace }),
      () => control(emu, 'POST', `/grants/${g.grantId}/revoke`, {}),
    );
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.equal(bad.outputs['auth-state'], 'reauth_required');
    assert.equal(bad.outputs['auth-reason'], 'token_expired_or_revoked');
    const remedy = bad.outputs['auth-remedy'] ?? '';
    assert.match(remedy, /sfbackup reauth --org prod/);
    assert.match(remedy, /SF_REFRESH_TOKEN_PROD/);
    assert.match(bad.summary, /Authorization of prod: reauth_required/);
    assert.match(bad.summary, /Nothing was published/);
    assert.match(bad.stdout, /::error::/);
    assert.ok(bad.stdout.includes('sfbackup reauth --org prod'), 'the step error carries the remedy');
    assertTreeUnchanged(before, folder);

    const issues = gh.issues({ state: 'open' }).filter((i) => i.body?.includes('sfbackup:org=prod'));
    assert.equal(issues.length, 1, 'the org issue opens');
    assert.match(issues[0]?.title ?? '', /prod needs re-authorization/);
    const status = publishedStatus('prod');
    assert.equal(status.auth.state, 'reauth_required');
    assert.equal(status.auth.remedy, remedy);

    // A login with the dead token says exactly the same.
    const again = await step(g.refreshToken, { workspace: ok.workspace });
    assert.equal(again.outputs['auth-state'], 'reauth_required');
    assert.equal(again.outputs['auth-remedy'], remedy);
    assertTreeUnchanged(before, folder);
    for (const ran of [ok, bad, again]) hidden(ran, g.refreshToken);
  });

  // defect 9
  test('a sandbox token configured at the production login host: misconfigured / wrong_org_type naming the sandbox host', async () => {
    const uat = creds(emu, 'uat');
    const bad = await step(uat.refreshToken, {
      env: { SFBACKUP_LOGIN_HOSTS: JSON.stringify({ production: emu.loginUrl, sandbox: emu.testLoginUrl }) },
      inputs: { 'publish-status': 'false', 'open-issues': 'false' },
    });
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.equal(bad.outputs['auth-state'], 'misconfigured');
    assert.equal(bad.outputs['auth-reason'], 'wrong_org_type');
    const remedy = bad.outputs['auth-remedy'] ?? '';
    assert.ok(remedy.includes(`${emu.testLoginUrl} accepted it`), remedy);
    assert.match(remedy, /type: sandbox/);
    hidden(bad, uat.refreshToken);
  });
});
