// `sfbackup reauth` as a person runs it: the source CLI in a child process with --no-browser; the test
// reads the authorize URL from its output and plays the browser. Exit codes, what it prints, and
// that the token lands in the GitHub emulator's secret and nowhere in the output.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';
import { appSettings, refreshAt } from '../unit/emulator/oauth-helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../src/cli/bin.ts');

let emu: Emulator;
let gh: GitHubEmulator;
let dir: string;
let config: string;
let ghToken: string;

before(async () => {
  [emu, gh] = await Promise.all([emulator({ orgs: [{ alias: 'prod', sandbox: false, records: 2, seed: 1, name: 'Acme' }] }), startGitHubEmulator()]);
  ghToken = gh.createToken({ permissions: { secrets: 'write' } });
  dir = mkdtempSync(path.join(tmpdir(), 'reauth-cli-'));
  config = path.join(dir, 'salesforce-backup.yml');
  writeFileSync(config, `orgs:\n  - alias: prod\n    type: "${creds(emu, 'prod').loginUrl}"\n    refresh-token-secret: SF_REFRESH_TOKEN_PROD\n`);
});
after(async () => {
  await Promise.all([emu?.close(), gh?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcessWithoutNullStreams;
  /** The first authorize URL the command prints. */
  url: Promise<URL>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function sfbackup(args: string[], env: Record<string, string> = {}): Child {
  const c = creds(emu, 'prod');
  const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', BIN, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      SF_CLIENT_ID: c.clientId,
      SF_CLIENT_SECRET: c.clientSecret,
      GH_TOKEN: ghToken,
      GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
      GITHUB_API_URL: gh.apiUrl,
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  let found: (u: URL) => void;
  const url = new Promise<URL>((resolve) => {
    found = resolve;
  });
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    const line = stdout.split('\n').find((l) => /^https?:\/\/\S+\/services\/oauth2\/authorize\?/.test(l));
    if (line) found(new URL(line));
  });
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
  return { proc, url, done };
}

/** Registers the run's callback URL with the app, then logs in: GET authorize, GET its Location. */
async function playBrowser(url: URL): Promise<{ status: number; text: string }> {
  const redirectUri = url.searchParams.get('redirect_uri') as string;
  const app = await control<{ callbackUrls: string[] }>(emu, 'GET', '/apps/default');
  if (!app.callbackUrls.includes(redirectUri)) await appSettings(emu, { callbackUrls: [...app.callbackUrls, redirectUri] });
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  assert.equal(res.status, 302);
  const page = await fetch(res.headers.get('location') as string);
  return { status: page.status, text: await page.text() };
}

const reauthArgs = (secretless: string[] = []) => ['reauth', '--org', 'prod', '--config', config, '--no-browser', '--port', '0', ...secretless];
const secret = (name: string) => gh.secret({ scope: 'repository', owner: gh.owner, repo: gh.repo, name });

describe('sfbackup reauth (CLI)', () => {
  test('prints the URL, stores the verified token in the secret, and says what was stored where and what to do next', async () => {
    const c = creds(emu, 'prod');
    const child = sfbackup(reauthArgs());
    const page = await playBrowser(await child.url);
    assert.equal(page.status, 200);
    const run = await child.done;
    assert.equal(run.code, 0, run.stderr);
    const stored = secret('SF_REFRESH_TOKEN_PROD');
    assert.ok(stored, 'the secret was written');
    assert.equal((await refreshAt(c.loginUrl, c, stored.value)).status, 200);
    assert.match(run.stdout, new RegExp(`Authorized org ${c.orgId} \\("prod"\\) as ${c.username.replace(/[.]/g, '\\.')}`));
    assert.match(run.stdout, new RegExp(`Stored it in the repository secret SF_REFRESH_TOKEN_PROD of ${gh.owner}/${gh.repo}\\.`));
    assert.match(run.stdout, /gh workflow run backup\.yml/);
    for (const value of [stored.value, c.clientSecret, ghToken]) {
      assert.ok(!run.stdout.includes(value) && !run.stderr.includes(value), 'no secret in the output');
    }
    // The consumer key is public in OAuth (every authorize URL carries it) but appears nowhere else.
    const rest = run.stdout
      .split('\n')
      .filter((l) => !l.includes('/services/oauth2/authorize?'))
      .join('\n');
    assert.ok(!rest.includes(c.clientId) && !run.stderr.includes(c.clientId));
  });

  test('a denied login exits 3 and stores nothing', async () => {
    await control(emu, 'POST', '/oauth/authorize', { deny: true, times: 1 });
    const writes = gh.secretWrites().length;
    const child = sfbackup(reauthArgs());
    const page = await playBrowser(await child.url);
    assert.equal(page.status, 400);
    const run = await child.done;
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /access_denied[\s\S]*To fix: Run the command again and choose Allow/);
    assert.equal(gh.secretWrites().length, writes);
  });

  test('Ctrl-C while waiting for the browser exits 130 and stores nothing', async () => {
    const writes = gh.secretWrites().length;
    const child = sfbackup(reauthArgs());
    await child.url;
    child.proc.kill('SIGINT');
    const run = await child.done;
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /Cancelled before the login completed\. Nothing was stored\./);
    assert.equal(gh.secretWrites().length, writes);
  });

  test('--dry-run verifies but stores nothing, and needs no GitHub token', async () => {
    const writes = gh.secretWrites().length;
    const child = sfbackup([...reauthArgs(), '--dry-run'], { GH_TOKEN: '' });
    await playBrowser(await child.url);
    const run = await child.done;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Dry run: nothing was stored \(it would go to the repository secret SF_REFRESH_TOKEN_PROD/);
    assert.equal(gh.secretWrites().length, writes);
  });

  test('usage: --help, a missing --org, a missing GitHub token', async () => {
    const help = await sfbackup(['reauth', '--help']).done;
    assert.equal(help.code, 0);
    for (const flag of ['--org', '--port', '--callback-path', '--no-browser', '--status-dir', '--dry-run', '--yes'])
      assert.ok(help.stdout.includes(flag), `help lists ${flag}`);
    assert.match(help.stdout, /http:\/\/localhost:PORT\/PATH/);

    const noOrg = await sfbackup(['reauth']).done;
    assert.equal(noOrg.code, 2);
    assert.match(noOrg.stderr, /--org ALIAS/);

    const noToken = await sfbackup(reauthArgs(), { GH_TOKEN: '' }).done;
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /GitHub token allowed to write the secret/);

    const topHelp = await sfbackup(['--help']).done;
    assert.match(topHelp.stdout, /^ {2}reauth --org ALIAS/m);
  });
});
