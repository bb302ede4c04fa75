// The built `sfbackup` CLI (dist/cli.js): help, usage errors, exit codes, `check` against the emulator.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { CLI_ENTRY, runNode } from '../helpers/dist.ts';
import { creds, emulator } from '../helpers/emulator.ts';

let emu: Emulator;
before(async () => {
  emu = await emulator({ orgs: [{ alias: 'prod', records: 10 }] });
});
after(() => emu.close());

const sfbackup = (args: string[], env: Record<string, string> = {}) => runNode(CLI_ENTRY, args, env);

function envFor(alias = 'prod'): Record<string, string> {
  const c = creds(emu, alias);
  return { SF_LOGIN_URL: c.loginUrl, SF_CLIENT_ID: c.clientId, SF_CLIENT_SECRET: c.clientSecret, SF_REFRESH_TOKEN: c.refreshToken };
}

/** A loopback URL nothing listens on: a port the OS just handed out and took back. */
function closedPortUrl(): Promise<string> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
}

describe('sfbackup', () => {
  test('--help lists the commands, the flags with their variables, and the exit codes', async () => {
    const run = await sfbackup(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^sfbackup \d+\.\d+\.\d+/);
    assert.match(run.stdout, /^ {2}check /m);
    for (const [flag, env] of [
      ['--login-url', 'SF_LOGIN_URL'],
      ['--client-id', 'SF_CLIENT_ID'],
      ['--client-secret', 'SF_CLIENT_SECRET'],
      ['--refresh-token', 'SF_REFRESH_TOKEN'],
    ]) {
      assert.match(run.stdout, new RegExp(`${flag} \\S+ +${env}`));
    }
    assert.match(run.stdout, /Exit codes:/);
  });

  test('--version prints the package version', async () => {
    const run = await sfbackup(['--version']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  test('usage errors exit 2 and point at --help', async () => {
    for (const args of [[], ['backupp'], ['check', 'extra'], ['check', '--no-such-flag']]) {
      const run = await sfbackup(args);
      assert.equal(run.code, 2, `sfbackup ${args.join(' ')}`);
      assert.match(run.stderr, /sfbackup --help/);
      assert.equal(run.stdout, '');
    }
  });

  test('check with the environment variables reports the org', async () => {
    const c = creds(emu);
    const run = await sfbackup(['check'], envFor());
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`Logged in to org ${c.orgId} as user ${c.userId}`));
    assert.match(run.stdout, new RegExp(`Instance: +${c.instanceUrl}`));
    assert.match(run.stdout, /API requests: \d+ of 15000 in the last 24 hours/);
    for (const secret of [c.refreshToken, c.clientSecret]) assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret));
  });

  test('flags take precedence over the environment, and --json prints the result', async () => {
    const c = creds(emu);
    const run = await sfbackup(
      [
        'check',
        '--json',
        '--login-url',
        c.loginUrl,
        '--client-id',
        c.clientId,
        '--client-secret',
        c.clientSecret,
        '--refresh-token',
        c.refreshToken,
        '--api-version',
        '60.0',
      ],
      { ...envFor(), SF_REFRESH_TOKEN: 'not-used' },
    );
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(result.authState, 'ok');
    assert.equal(result.orgId, c.orgId);
    assert.equal(result.instanceUrl, c.instanceUrl);
    assert.equal(result.apiVersion, '60.0');
    assert.equal((result.apiUsage as { limit: number }).limit, 15000);
  });

  test('missing settings exit 2 and name both the flag and the variable', async () => {
    const { SF_REFRESH_TOKEN: _, ...env } = envFor();
    const run = await sfbackup(['check'], env);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--refresh-token \(or SF_REFRESH_TOKEN\) is required/);
  });

  test('an invalid refresh token exits 3 with the re-authorization remedy and without echoing it', async () => {
    const bogus = '5Aep861ThisTokenWasNeverIssuedThisTokenWasNeverIssuedThisTokenWasNeverIssued';
    const run = await sfbackup(['check'], { ...envFor(), SF_REFRESH_TOKEN: bogus });
    assert.equal(run.code, 3);
    assert.match(run.stderr, /invalid_grant/);
    assert.match(run.stderr, /To fix: Re-authorize the org/);
    assert.ok(!run.stderr.includes(bogus) && !run.stdout.includes(bogus));
  });

  test('an unknown consumer key exits 4 (the app may still be propagating)', async () => {
    const run = await sfbackup(['check'], { ...envFor(), SF_CLIENT_ID: '3MVG9NoSuchConsumerKey' });
    assert.equal(run.code, 4);
    assert.match(run.stderr, /invalid_client_id/);
    assert.match(run.stderr, /wait and retry/);
  });

  test('an unreachable login host exits 5 (try again later)', async () => {
    const url = await closedPortUrl();
    const run = await sfbackup(['check'], { ...envFor(), SF_LOGIN_URL: url });
    assert.equal(run.code, 5);
    assert.ok(run.stderr.includes(`Could not reach ${url}: ECONNREFUSED`), run.stderr);
  });
});
