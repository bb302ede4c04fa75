// `sfbackup reauth`'s command line: the two forms (an org of the org config, an org without one),
// that the command a config-less backup's remedy prints is a complete invocation, and the usage
// errors, each naming the flag to add.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { commandHelp } from '../../../src/cli/command.ts';
import { parseReauthInvocation, reauthCommand } from '../../../src/cli/commands/reauth.ts';
import { classify } from '../../../src/cli/exit.ts';
import { ProductError } from '../../../src/runtime/errors.ts';
import { reauthCommandWithoutConfig } from '../../../src/salesforce/auth/outcome.ts';

const ENV = { SF_CLIENT_ID: 'key', SF_CLIENT_SECRET: 'secret', GH_TOKEN: 'ghp_x' };

/** The words of a command line as a POSIX shell splits them (plain words and '…' quoting are all the remedies use). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      assert.ok(end > i, `unterminated quote in ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === '\\') {
      word = (word ?? '') + (line[i + 1] ?? '');
      i++;
    } else word = (word ?? '') + ch;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The remedy's command as argv after `sfbackup reauth`. */
function argvOf(command: string): string[] {
  const words = shellWords(command);
  assert.deepEqual(words.slice(0, 2), ['sfbackup', 'reauth']);
  return words.slice(2);
}

function parse(argv: string[], env: NodeJS.ProcessEnv = ENV) {
  const r = parseReauthInvocation(argv, env);
  assert.equal(r.help, false);
  if (r.help) throw new Error('unreachable');
  return r;
}

function usageError(argv: string[], pattern: RegExp, env: NodeJS.ProcessEnv = ENV): void {
  assert.throws(
    () => parseReauthInvocation(argv, env),
    (e: unknown) => {
      assert.ok(e instanceof ProductError, String(e));
      assert.equal(classify(e).exitCode, 2);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

describe('the command a config-less backup prints', () => {
  const cases: { name: string; input: Parameters<typeof reauthCommandWithoutConfig>[0]; type: string; loginUrl: string | undefined }[] = [
    {
      name: 'a sandbox',
      input: { type: 'sandbox', loginUrl: 'https://test.salesforce.com', secret: 'SF_REFRESH_TOKEN_UAT', repo: 'acme/backups' },
      type: 'sandbox',
      loginUrl: undefined,
    },
    {
      name: 'production, known by its host only',
      input: { loginUrl: 'https://login.salesforce.com/', secret: 'SF_TOKEN', repo: 'acme/backups' },
      type: 'production',
      loginUrl: undefined,
    },
    {
      name: 'a My Domain',
      input: {
        type: 'https://acme--uat.sandbox.my.salesforce.com',
        loginUrl: 'https://acme--uat.sandbox.my.salesforce.com',
        secret: 'SF_TOKEN',
        repo: 'acme/backups',
      },
      type: 'https://acme--uat.sandbox.my.salesforce.com',
      loginUrl: undefined,
    },
    {
      name: 'a sandbox behind another host',
      input: { type: 'sandbox', loginUrl: 'http://127.0.0.1:8443', secret: 'SF_TOKEN', repo: 'acme/backups' },
      type: 'sandbox',
      loginUrl: 'http://127.0.0.1:8443',
    },
    {
      name: 'a login URL the shell must not split',
      input: { loginUrl: "https://acme.my.salesforce.com/?a=1&b='2'", secret: 'SF_TOKEN', repo: 'acme/backups' },
      type: "https://acme.my.salesforce.com/?a=1&b='2'",
      loginUrl: undefined,
    },
  ];
  for (const c of cases) {
    test(`${c.name}: ${reauthCommandWithoutConfig(c.input)}`, () => {
      const r = parse(argvOf(reauthCommandWithoutConfig(c.input)));
      assert.deepEqual(r.settings.org, { from: 'flags', type: c.type, secret: c.input.secret });
      assert.equal(r.settings.loginUrl, c.loginUrl);
      assert.equal(r.settings.repo, c.input.repo);
    });
  }

  test('with the unknown parts left as placeholders it still parses, so a person only fills them in', () => {
    const command = reauthCommandWithoutConfig({ type: 'production', loginUrl: 'https://login.salesforce.com' });
    assert.equal(command, 'sfbackup reauth --type production --secret SECRET_NAME --repo OWNER/NAME');
    const r = parse(argvOf(command));
    assert.deepEqual(r.settings.org, { from: 'flags', type: 'production', secret: 'SECRET_NAME' });
    assert.equal(r.settings.repo, 'OWNER/NAME');
  });
});

describe('sfbackup reauth without a config file', () => {
  test('takes the consumer key and secret from SF_CLIENT_ID/SF_CLIENT_SECRET and the repository from GITHUB_REPOSITORY', () => {
    const r = parse(['--type', 'sandbox', '--secret', 'SF_TOKEN', '--alias', 'uat', '--dry-run'], {
      SF_CLIENT_ID: 'key',
      SF_CLIENT_SECRET: 'secret',
      GITHUB_REPOSITORY: 'acme/backups',
    });
    assert.deepEqual(r.settings.org, { from: 'flags', type: 'sandbox', secret: 'SF_TOKEN', alias: 'uat' });
    assert.equal(r.settings.clientId, 'key');
    assert.equal(r.settings.clientSecret, 'secret');
    assert.equal(r.settings.repo, 'acme/backups');
    assert.equal(r.settings.dryRun, true);
    assert.equal(r.github.token, '');
  });

  test('each missing or wrong piece is a usage error naming the flag', () => {
    usageError([], /--org ALIAS.*--secret NAME.*--type production\|sandbox.*--login-url URL/);
    usageError(['--type', 'sandbox', '--repo', 'acme/b'], /needs --secret NAME/);
    usageError(['--login-url', 'https://acme.my.salesforce.com'], /needs --secret NAME/);
    usageError(
      ['--secret', 'SF_TOKEN', '--repo', 'acme/b'],
      /--secret SF_TOKEN needs the org's login host: --type production, --type sandbox, or --login-url URL/,
    );
    usageError(['--type', 'sandbox', '--secret', 'SF_TOKEN'], /--repo OWNER\/NAME/);
    usageError(['--type', 'uat', '--secret', 'SF_TOKEN', '--repo', 'acme/b'], /--type must be production or sandbox/);
    usageError(['--login-url', 'acme.my.salesforce.com', '--secret', 'SF_TOKEN', '--repo', 'acme/b'], /--login-url must be a URL/);
    usageError(
      ['--login-url', 'http://acme.my.salesforce.com', '--secret', 'SF_TOKEN', '--repo', 'acme/b'],
      /--login-url must be production, sandbox or a https My Domain URL/,
    );
    usageError(['--type', 'sandbox', '--secret', 'SF-TOKEN', '--repo', 'acme/b'], /--secret must be the name of a GitHub secret/);
    usageError(['--type', 'sandbox', '--secret', 'SF_TOKEN', '--repo', 'acme/b', '--alias', 'u a t'], /--alias must be letters/);
    usageError(['--type', 'sandbox', '--secret', 'SF_TOKEN', '--repo', 'acme/b', '--config', 'x.yml'], /--config x\.yml is read only with --org ALIAS/);
    usageError(
      ['--type', 'sandbox', '--secret', 'SF_TOKEN', '--repo', 'acme/b'],
      /--client-id\/--client-secret, or the variables SF_CLIENT_ID and SF_CLIENT_SECRET/,
      { GH_TOKEN: 'x' },
    );
    usageError(['--type', 'sandbox', '--secret', 'SF_TOKEN', '--repo', 'acme/b'], /--github-token or GH_TOKEN/, { SF_CLIENT_ID: 'k', SF_CLIENT_SECRET: 's' });
  });
});

describe('the values of the flags', () => {
  const base = ['--type', 'sandbox', '--secret', 'SF_TOKEN', '--repo', 'acme/b'];

  test('the callback and the waits: defaults, and seconds as milliseconds', () => {
    const d = parse(base).settings;
    assert.deepEqual([d.port, d.callbackPath, d.callbackTimeoutMs, d.activationWindowMs], [1717, '/OauthRedirect', 300_000, 600_000]);
    const s = parse([...base, '--port', '0', '--callback-path', '/cb', '--timeout', '30', '--activation-window', '0']).settings;
    assert.deepEqual([s.port, s.callbackPath, s.callbackTimeoutMs, s.activationWindowMs], [0, '/cb', 30_000, 0]);
  });

  test('a malformed value is a configuration error naming the flag and a good value', () => {
    usageError([...base, '--port', '70000'], /--port must be a whole number from 0 to 65535 — e\.g\. 1717/);
    usageError([...base, '--port', 'http'], /--port must be a whole number/);
    usageError([...base, '--timeout', '0'], /--timeout must be a whole number from 1 to 3600/);
    usageError([...base, '--activation-window', '10m'], /--activation-window must be a whole number from 0 to 3600/);
    usageError([...base, '--callback-path', 'OauthRedirect'], /--callback-path must be a URL path — e\.g\. \/OauthRedirect/);
    usageError([...base, '--bogus'], /Unknown option '--bogus'/);
    usageError([...base, 'prod'], /unexpected argument "prod"/);
  });
});

describe('sfbackup reauth --org', () => {
  let dir: string;
  let config: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'reauth-args-'));
    config = path.join(dir, 'salesforce-backup.yml');
    writeFileSync(config, 'orgs:\n  - alias: prod\n    type: production\n    refresh-token-secret: SF_REFRESH_TOKEN_PROD\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--type and --login-url only move the login host; --secret renames the secret for this run', () => {
    const base = ['--org', 'prod', '--config', config, '--repo', 'acme/b'];
    assert.deepEqual(parse(base).settings.org, { from: 'config', configFile: config, alias: 'prod' });
    assert.equal(parse(base).settings.loginUrl, undefined);
    assert.equal(parse([...base, '--type', 'sandbox']).settings.loginUrl, 'https://test.salesforce.com');
    assert.equal(parse([...base, '--type', 'sandbox', '--login-url', 'https://acme.my.salesforce.com/']).settings.loginUrl, 'https://acme.my.salesforce.com');
    assert.deepEqual(parse([...base, '--secret', 'SF_TOKEN_NEW']).settings.org, { from: 'config', configFile: config, alias: 'prod', secret: 'SF_TOKEN_NEW' });
  });

  test('the consumer key: the flag, else the variable the config names, else SF_CLIENT_ID', () => {
    const named = path.join(dir, 'named.yml');
    writeFileSync(
      named,
      'orgs:\n  - alias: prod\n    type: production\n    refresh-token-secret: SF_REFRESH_TOKEN_PROD\n    client-id-secret: PROD_ID\n    client-secret-secret: PROD_SECRET\n',
    );
    const base = ['--org', 'prod', '--config', named, '--repo', 'acme/b'];
    const env = { ...ENV, PROD_ID: 'prod-key', PROD_SECRET: 'prod-secret' };
    const fromConfig = parse(base, env).settings;
    assert.deepEqual([fromConfig.clientId, fromConfig.clientSecret], ['prod-key', 'prod-secret']);
    const fromFlags = parse([...base, '--client-id', 'flag-key', '--client-secret', 'flag-secret'], env).settings;
    assert.deepEqual([fromFlags.clientId, fromFlags.clientSecret], ['flag-key', 'flag-secret']);
    const fallback = parse(base).settings;
    assert.deepEqual([fallback.clientId, fallback.clientSecret], ['key', 'secret']);
    usageError(base, /the variables PROD_ID and PROD_SECRET/, { GH_TOKEN: 'x' });
  });

  test('--alias is for the config-less form, and a missing config points to it', () => {
    usageError(['--org', 'prod', '--config', config, '--repo', 'acme/b', '--alias', 'p'], /--alias names an org given without a config file/);
    usageError(
      ['--org', 'prod', '--config', path.join(dir, 'none.yml'), '--repo', 'acme/b'],
      /does not exist: pass --config FILE, or .*--secret NAME with --type/,
    );
  });
});

test('--help documents both forms', () => {
  assert.deepEqual(parseReauthInvocation(['--help'], {}), { help: true });
  const help = commandHelp(reauthCommand, '0.0.0');
  assert.match(help, /^ {2}sfbackup reauth --org ALIAS/m);
  assert.match(help, /^ {2}sfbackup reauth --type production\|sandbox --secret NAME --repo OWNER\/NAME/m);
  assert.match(help, /^ {2}sfbackup reauth --login-url URL --secret NAME --repo OWNER\/NAME/m);
  for (const flag of ['--secret NAME', '--type KIND', '--alias NAME', '--login-url URL', '--client-id KEY', '--github-token TOKEN'])
    assert.match(help, new RegExp(`^ {2}${flag}`, 'm'));
  assert.match(help, /SF_CLIENT_ID/, 'the consumer key variable is named');
  assert.match(help, /GH_TOKEN, GITHUB_TOKEN/);
  // A setting for tests and odd setups: parsed, but not offered.
  assert.doesNotMatch(help, /--api-version/);
  assert.equal(parse(['--type', 'sandbox', '--secret', 'S', '--repo', 'a/b', '--api-version', '61.0']).settings.apiVersion, '61.0');
});
