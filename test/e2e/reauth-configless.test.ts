// `sfbackup reauth` for an org backed up without a config file: the command its backup's remedy
// prints (reauthCommandWithoutConfig), run as a person runs it, in a directory with no org config.
// The source CLI runs in a child process with --no-browser; the test plays the browser, and the
// GitHub emulator decrypts what arrived in the secret.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { reauthCommandWithoutConfig } from '../../src/salesforce/auth/outcome.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';
import { appSettings, refreshAt, SMALL_ORGS } from '../unit/emulator/oauth-helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../src/cli/bin.ts');

let emu: Emulator;
let gh: GitHubEmulator;
let cwd: string;
let ghToken: string;
let repo: string;

before(async () => {
  [emu, gh] = await Promise.all([emulator({ orgs: SMALL_ORGS }), startGitHubEmulator()]);
  ghToken = gh.createToken({ permissions: { secrets: 'write' } });
  repo = `${gh.owner}/${gh.repo}`;
  // No .github/salesforce-backup.yml here: nothing may depend on one.
  cwd = mkdtempSync(path.join(tmpdir(), 'reauth-configless-'));
});
after(async () => {
  await Promise.all([emu?.close(), gh?.close()]);
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Whether an authorize URL was printed (and the browser played). */
  loggedIn: boolean;
}

/** The words of a remedy's command (plain words; the emulator's URLs need no quoting). */
function words(command: string): string[] {
  const argv = command.split(' ');
  assert.deepEqual(argv.slice(0, 2), ['sfbackup', 'reauth']);
  assert.ok(
    argv.every((w) => !/['"\\]/.test(w)),
    'no quoting to undo',
  );
  return argv.slice(1);
}

/** Registers the run's callback URL with the app, then logs in: GET authorize, GET its Location. */
async function playBrowser(url: URL): Promise<void> {
  const redirectUri = url.searchParams.get('redirect_uri') as string;
  const app = await control<{ callbackUrls: string[] }>(emu, 'GET', '/apps/default');
  if (!app.callbackUrls.includes(redirectUri)) await appSettings(emu, { callbackUrls: [...app.callbackUrls, redirectUri] });
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  assert.equal(res.status, 302);
  const page = await fetch(res.headers.get('location') as string);
  await page.arrayBuffer();
}

/** `sfbackup ARGS --no-browser --port 0` with the Connected App and GitHub token in the environment, and no GITHUB_REPOSITORY. */
function sfbackup(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const c = creds(emu, 'prod');
  const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', BIN, ...args, '--no-browser', '--port', '0'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', SF_CLIENT_ID: c.clientId, SF_CLIENT_SECRET: c.clientSecret, GH_TOKEN: ghToken, GITHUB_API_URL: gh.apiUrl, ...env },
  });
  let stdout = '';
  let stderr = '';
  let browser: Promise<void> | undefined;
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    const line = stdout.split('\n').find((l) => /^https?:\/\/\S+\/services\/oauth2\/authorize\?/.test(l));
    if (line && !browser) browser = playBrowser(new URL(line));
  });
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  return new Promise((resolve, reject) =>
    proc.on('close', (code) => {
      Promise.resolve(browser)
        .then(() => resolve({ code, stdout, stderr, loggedIn: browser !== undefined }))
        .catch(reject);
    }),
  );
}

const secret = (name: string) => gh.secret({ scope: 'repository', owner: gh.owner, repo: gh.repo, name });

describe('sfbackup reauth without a config file', () => {
  test('the command a config-less backup prints logs in, verifies, and stores the token in the named repository secret', async () => {
    const c = creds(emu, 'prod');
    const command = reauthCommandWithoutConfig({ loginUrl: c.loginUrl, secret: 'SF_REFRESH_TOKEN_NOCONFIG', repo });
    assert.equal(command, `sfbackup reauth --login-url ${c.loginUrl} --secret SF_REFRESH_TOKEN_NOCONFIG --repo ${repo}`);
    const run = await sfbackup(words(command));
    assert.equal(run.code, 0, run.stderr);
    const stored = secret('SF_REFRESH_TOKEN_NOCONFIG');
    assert.ok(stored, 'the secret was written');
    assert.notEqual(stored.value, c.refreshToken, 'a new token, not the seeded one');
    assert.equal((await refreshAt(c.loginUrl, c, stored.value)).status, 200, 'the stored token logs in');
    assert.match(run.stderr, /Log in to the org whose token goes to SF_REFRESH_TOKEN_NOCONFIG in a browser/);
    assert.match(run.stdout, new RegExp(`Authorized org ${c.orgId} as ${c.username.replace(/[.]/g, '\\.')} \\(user ${c.userId}\\)`));
    assert.match(run.stdout, new RegExp(`Stored it in the repository secret SF_REFRESH_TOKEN_NOCONFIG of ${repo}\\.`));
    for (const value of [stored.value, c.clientSecret, ghToken])
      assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value), 'no secret in the output');
  });

  test('a sandbox by --type, on its own login host, under an --alias', async () => {
    const uat = creds(emu, 'uat');
    const command = reauthCommandWithoutConfig({ type: 'sandbox', loginUrl: uat.loginUrl, secret: 'SF_REFRESH_TOKEN_UAT', repo });
    assert.match(command, /^sfbackup reauth --type sandbox --login-url \S+ --secret SF_REFRESH_TOKEN_UAT/);
    const run = await sfbackup([...words(command), '--alias', 'uat']);
    assert.equal(run.code, 0, run.stderr);
    const stored = secret('SF_REFRESH_TOKEN_UAT');
    assert.ok(stored);
    assert.equal((await refreshAt(uat.loginUrl, uat, stored.value)).status, 200);
    assert.match(run.stdout, new RegExp(`Authorized org ${uat.orgId} \\("uat"\\)`));
  });

  test('a login that is not the kind --type says is refused with the flag to change, and nothing is stored', async () => {
    const uat = creds(emu, 'uat');
    const writes = gh.secretWrites().length;
    const live = async () => (await control<unknown[]>(emu, 'GET', `/grants?user=${uat.userId}&live=1`)).length;
    const approvals = await live();
    const run = await sfbackup(['reauth', '--type', 'production', '--login-url', uat.loginUrl, '--secret', 'SF_REFRESH_TOKEN_MIXUP', '--repo', repo]);
    assert.equal(run.code, 2, run.stderr);
    assert.ok(run.loggedIn);
    assert.match(run.stderr, /--type production says a production org, but the org just authorized is a sandbox\. Nothing was stored\./);
    assert.match(run.stderr, /To fix: .*--type sandbox/);
    assert.equal(gh.secretWrites().length, writes);
    assert.equal(secret('SF_REFRESH_TOKEN_MIXUP'), undefined);
    assert.equal(await live(), approvals, 'the unused approval was given back');
  });

  test('--dry-run verifies and says where the token would go, and writes nothing', async () => {
    const c = creds(emu, 'prod');
    const writes = gh.secretWrites().length;
    const run = await sfbackup(['reauth', '--login-url', c.loginUrl, '--secret', 'SF_REFRESH_TOKEN_DRY', '--repo', repo, '--dry-run'], { GH_TOKEN: '' });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.loggedIn);
    assert.match(run.stdout, new RegExp(`Dry run: nothing was stored \\(it would go to the repository secret SF_REFRESH_TOKEN_DRY of ${repo}\\)`));
    assert.equal(gh.secretWrites().length, writes);
  });

  test('a missing piece exits 2 before anyone is sent to log in, naming the flag to add', async () => {
    const c = creds(emu, 'prod');
    const noSecret = await sfbackup(['reauth', '--login-url', c.loginUrl, '--repo', repo]);
    assert.equal(noSecret.code, 2);
    assert.equal(noSecret.loggedIn, false);
    assert.match(noSecret.stderr, /reauth without --org needs --secret NAME/);

    const noRepo = await sfbackup(['reauth', '--type', 'sandbox', '--secret', 'SF_REFRESH_TOKEN_X']);
    assert.equal(noRepo.code, 2);
    assert.match(noRepo.stderr, /--repo OWNER\/NAME/);

    const noConfig = await sfbackup(['reauth', '--org', 'prod', '--repo', repo]);
    assert.equal(noConfig.code, 2);
    assert.match(noConfig.stderr, /salesforce-backup\.yml, which does not exist: .*--secret NAME with --type production\|sandbox or --login-url URL/);
  });
});
