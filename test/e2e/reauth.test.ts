// `sfbackup reauth` end to end, in process: the Salesforce emulator plays Salesforce, the GitHub
// emulator stores (and decrypts) the secret, and the test plays the browser by requesting the
// printed authorize URL without following redirects, then requesting the Location it answers
// (the command's own callback server). Nothing may be written when the login fails.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ReauthIo, type ReauthOrg, type ReauthResult, type ReauthSettings, reauth } from '../../src/app/reauth.ts';
import type { SecretWriter } from '../../src/github/contracts.ts';
import { createOctokit } from '../../src/github/octokit.ts';
import { createSecretWriter } from '../../src/github/secrets.ts';
import { AppPendingError, MisconfiguredError } from '../../src/runtime/auth-errors.ts';
import type { ActivationWindow } from '../../src/salesforce/auth/activation-window.ts';
import { appFingerprint } from '../../src/salesforce/auth/app-fingerprint.ts';
import { WebLoginError } from '../../src/salesforce/auth/web-login.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../emulators/github/emulator.ts';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';
import { appSettings, newApp, newGrant, newUser, refreshAt, SMALL_ORGS } from '../unit/emulator/oauth-helpers.ts';

let emu: Emulator;
let gh: GitHubEmulator;
let writer: SecretWriter;
let dir: string;

before(async () => {
  [emu, gh] = await Promise.all([emulator({ orgs: SMALL_ORGS }), startGitHubEmulator()]);
  const token = gh.createToken({ permissions: { secrets: 'write' } });
  writer = createSecretWriter(await createOctokit(token, gh.apiUrl), { retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 5 } });
  dir = mkdtempSync(path.join(tmpdir(), 'reauth-e2e-'));
});
after(async () => {
  await Promise.all([emu?.close(), gh?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface OrgEntry {
  alias: string;
  type: string;
  secret: string;
}

let files = 0;
function writeConfig(orgs: OrgEntry[]): string {
  const file = path.join(dir, `config-${++files}.yml`);
  const lines = ['orgs:', ...orgs.flatMap((o) => [`  - alias: ${o.alias}`, `    type: "${o.type}"`, `    refresh-token-secret: ${o.secret}`])];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Lets the emulator's Connected App accept the callback URL of this run (its port is picked at start). */
async function allowCallback(redirectUri: string, app = 'default'): Promise<void> {
  const current = await control<{ callbackUrls: string[] }>(emu, 'GET', `/apps/${encodeURIComponent(app)}`);
  if (!current.callbackUrls.includes(redirectUri)) await appSettings(emu, { callbackUrls: [...current.callbackUrls, redirectUri] }, app);
}

interface BrowserLog {
  urls: string[];
  pages: { status: number; text: string }[];
}

/** The person at the browser: logs in (the emulator approves at once) and lands on the callback. */
function browser(opts: { app?: string; tamper?: (location: URL) => void | Promise<void> } = {}): { show: ReauthIo['showAuthorizeUrl']; log: BrowserLog } {
  const log: BrowserLog = { urls: [], pages: [] };
  const show = async (url: string, redirectUri: string) => {
    log.urls.push(url);
    await allowCallback(redirectUri, opts.app);
    const res = await fetch(url, { redirect: 'manual' });
    await res.arrayBuffer();
    assert.equal(res.status, 302, 'the authorize page redirects back');
    const location = new URL(res.headers.get('location') as string);
    await opts.tamper?.(location);
    const page = await fetch(location);
    log.pages.push({ status: page.status, text: await page.text() });
  };
  return { show, log };
}

/** Waiting moves the emulator's clock instead of the test's. */
function fakeWindow(windowMs = 600_000): ActivationWindow & { waits: number[] } {
  const waits: number[] = [];
  return {
    windowMs,
    waits,
    now: () => emu.state.clock.now(),
    sleep: async (ms) => {
      waits.push(ms);
      emu.state.clock.advance(ms);
    },
  };
}

interface Run {
  lines: string[];
  result?: ReauthResult;
  error?: unknown;
  log: BrowserLog;
}

async function run(
  settings: Partial<Omit<ReauthSettings, 'org'>> & ({ alias: string; configFile: string; secret?: string } | { org: ReauthOrg }),
  over: Partial<ReauthIo> & { app?: string; tamper?: (l: URL) => void | Promise<void> } = {},
): Promise<Run> {
  const c = creds(emu, 'prod');
  const lines: string[] = [];
  const b = browser({ ...(over.app ? { app: over.app } : {}), ...(over.tamper ? { tamper: over.tamper } : {}) });
  const io: ReauthIo = {
    out: (l) => lines.push(l),
    err: (l) => lines.push(l),
    confirm: undefined,
    showAuthorizeUrl: b.show,
    writer,
    window: fakeWindow(),
    ...over,
  };
  const { org, rest } =
    'org' in settings
      ? (({ org, ...rest }) => ({ org, rest }))(settings)
      : (({ alias, configFile, secret, ...rest }) => ({ org: { from: 'config', configFile, alias, secret } as const, rest }))(settings);
  const full: ReauthSettings = {
    org,
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    repo: `${gh.owner}/${gh.repo}`,
    loginUrl: undefined,
    port: 0,
    callbackPath: '/OauthRedirect',
    scope: 'api refresh_token',
    loginHint: undefined,
    statusDir: undefined,
    dryRun: false,
    yes: false,
    activationWindowMs: 600_000,
    callbackTimeoutMs: 30_000,
    apiVersion: '62.0',
    ...rest,
  };
  try {
    return { lines, result: await reauth(full, io), log: b.log };
  } catch (error) {
    return { lines, error, log: b.log };
  }
}

const repoSecret = (name: string) => gh.secret({ scope: 'repository', owner: gh.owner, repo: gh.repo, name });

function assertNoSecretIn(lines: string[], ...values: (string | undefined)[]): void {
  const text = lines.join('\n');
  for (const v of values) if (v) assert.ok(!text.includes(v), 'a secret value reached the output');
}

describe('sfbackup reauth against the emulators', () => {
  test('logs in with PKCE, verifies the token against the org, and stores it in the repository secret', async () => {
    const c = creds(emu, 'prod');
    const config = writeConfig([{ alias: 'prod', type: c.loginUrl, secret: 'SF_REFRESH_TOKEN_PROD' }]);
    const before = await control<unknown[]>(emu, 'GET', `/grants?user=${c.userId}&live=1`);
    const r = await run({ alias: 'prod', configFile: config });
    assert.equal(r.error, undefined, String(r.error));
    const url = new URL(r.log.urls[0] as string);
    assert.equal(url.origin + url.pathname, `${c.loginUrl}/services/oauth2/authorize`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: c.clientId,
      scope: 'api refresh_token',
      code_challenge_method: 'S256',
      prompt: 'login',
    }))
      assert.equal(url.searchParams.get(k), v, k);
    assert.match(url.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(url.searchParams.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+\/OauthRedirect$/);
    assert.equal(r.log.pages[0]?.status, 200);
    assert.match(r.log.pages[0]?.text ?? '', /close this tab/);

    assert.equal(r.result?.orgId, c.orgId);
    assert.equal(r.result?.username, c.username);
    assert.equal(r.result?.stored, true);
    const stored = repoSecret('SF_REFRESH_TOKEN_PROD');
    assert.ok(stored, 'the secret was written');
    assert.notEqual(stored.value, c.refreshToken);
    assert.equal((await refreshAt(c.loginUrl, c, stored.value)).status, 200, 'the stored token logs in');
    // A new approval does not touch the others while the user holds fewer than five.
    assert.equal((await refreshAt(c.loginUrl, c, c.refreshToken)).status, 200, 'the old token still works');
    const after = await control<unknown[]>(emu, 'GET', `/grants?user=${c.userId}&live=1`);
    assert.equal(after.length, before.length + 1);
    assertNoSecretIn(r.lines, stored.value, c.clientSecret);
  });

  test('an org whose secrets live in an environment gets the token there', async () => {
    const c = creds(emu, 'prod');
    gh.createEnvironment('salesforce-prod');
    const file = path.join(dir, 'config-env.yml');
    writeFileSync(
      file,
      `orgs:\n  - alias: prod\n    type: "${c.loginUrl}"\n    refresh-token-secret: SF_REFRESH_TOKEN_ENV\n    secrets-scope: { kind: environment, environment: salesforce-prod }\n`,
    );
    const token = gh.createToken({ permissions: { secrets: 'write', environments: 'write' } });
    const envWriter = createSecretWriter(await createOctokit(token, gh.apiUrl), { retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 5 } });
    const r = await run({ alias: 'prod', configFile: file }, { writer: envWriter });
    assert.equal(r.error, undefined, String(r.error));
    assert.equal(r.result?.target.scope, 'environment');
    const stored = gh.secret({ scope: 'environment', owner: gh.owner, repo: gh.repo, environment: 'salesforce-prod', name: 'SF_REFRESH_TOKEN_ENV' });
    assert.ok(stored, 'the environment secret was written');
    assert.equal((await refreshAt(c.loginUrl, c, stored.value)).status, 200);
    assert.equal(repoSecret('SF_REFRESH_TOKEN_ENV'), undefined, 'not the repository secret');
  });

  test('a GitHub token that may not write secrets fails after the login with the permission to grant', async () => {
    const c = creds(emu, 'prod');
    const config = writeConfig([{ alias: 'prod', type: c.loginUrl, secret: 'SF_REFRESH_TOKEN_NOPERM' }]);
    const weak = createSecretWriter(await createOctokit(gh.createToken(), gh.apiUrl), { retry: { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1 } });
    const r = await run({ alias: 'prod', configFile: config }, { writer: weak });
    assert.ok(r.error instanceof Error);
    assert.match((r.error as { remedy?: string }).remedy ?? '', /Secrets/i);
    assert.equal(repoSecret('SF_REFRESH_TOKEN_NOPERM'), undefined);
  });

  test('with refresh token rotation on, the token rotated by the verification is the one stored', async () => {
    const c = creds(emu, 'prod');
    const config = writeConfig([{ alias: 'prod', type: c.loginUrl, secret: 'SF_REFRESH_TOKEN_ROTATING' }]);
    await appSettings(emu, { rotation: true });
    try {
      const r = await run({ alias: 'prod', configFile: config });
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(r.result?.rotated, true);
      const stored = repoSecret('SF_REFRESH_TOKEN_ROTATING');
      assert.ok(stored);
      assert.equal((await refreshAt(c.loginUrl, c, stored.value)).status, 200, 'the stored token is the live one');
    } finally {
      await appSettings(emu, { rotation: false });
    }
  });

  test('access_denied at the login page writes nothing and says how to retry', async () => {
    const c = creds(emu, 'prod');
    const config = writeConfig([{ alias: 'prod', type: c.loginUrl, secret: 'SF_REFRESH_TOKEN_DENIED' }]);
    await control(emu, 'POST', '/oauth/authorize', { deny: true, times: 1 });
    const writes = gh.secretWrites().length;
    const r = await run({ alias: 'prod', configFile: config });
    assert.ok(r.error instanceof WebLoginError);
    assert.equal(r.error.reason, 'access_denied');
    assert.match(r.error.message, /access_denied/);
    assert.match(r.error.remedy, /Allow/);
    assert.equal(r.log.pages[0]?.status, 400);
    assert.match(r.log.pages[0]?.text ?? '', /Nothing was stored/);
    assert.equal(gh.secretWrites().length, writes);
    assert.equal(repoSecret('SF_REFRESH_TOKEN_DENIED'), undefined);
  });

  test('a callback whose state does not match is refused and nothing is written', async () => {
    const c = creds(emu, 'prod');
    const config = writeConfig([{ alias: 'prod', type: c.loginUrl, secret: 'SF_REFRESH_TOKEN_FORGED' }]);
    const r = await run({ alias: 'prod', configFile: config }, { tamper: (l) => l.searchParams.set('state', 'forged') });
    assert.ok(r.error instanceof WebLoginError);
    assert.equal(r.error.reason, 'state_mismatch');
    assert.equal(r.log.pages[0]?.status, 400);
    assert.equal(repoSecret('SF_REFRESH_TOKEN_FORGED'), undefined);
  });

  test('a Connected App still propagating is waited out before the browser step', async () => {
    const c = creds(emu, 'prod');
    const app = await newApp(emu, { name: 'Backup App v2', propagationDelaySec: 300 });
    const config = writeConfig([{ alias: 'prod', type: c.loginUrl, secret: 'SF_REFRESH_TOKEN_NEWAPP' }]);
    const window = fakeWindow();
    const r = await run({ alias: 'prod', configFile: config, clientId: app.consumerKey, clientSecret: app.consumerSecret }, { window, app: app.name });
    assert.equal(r.error, undefined, String(r.error));
    assert.ok(window.waits.length > 1, 'it waited');
    assert.ok(window.waits.reduce((a, b) => a + b, 0) >= 300_000, 'for the propagation delay');
    const stored = repoSecret('SF_REFRESH_TOKEN_NEWAPP');
    assert.ok(stored);
    assert.equal((await refreshAt(c.loginUrl, { clientId: app.consumerKey, clientSecret: app.consumerSecret }, stored.value)).status, 200);
    assert.equal(r.result?.appFingerprint, appFingerprint(app.consumerKey));
    assertNoSecretIn(r.lines, stored.value, app.consumerKey, app.consumerSecret);
  });

  test('an app that goes unknown between the login page and the code exchange is waited out too', async () => {
    const c = creds(emu, 'prod');
    const app = await newApp(emu, { name: 'Backup App v4' });
    const config = writeConfig([{ alias: 'prod', type: c.loginUrl, secret: 'SF_REFRESH_TOKEN_EDITED' }]);
    const window = fakeWindow();
    const r = await run(
      { alias: 'prod', configFile: config, clientId: app.consumerKey, clientSecret: app.consumerSecret },
      {
        window,
        app: app.name,
        // An admin edits the app while the person is on the login page: unknown for two minutes.
        tamper: async () => {
          const view = await control<{ createdAt: number }>(emu, 'GET', `/apps/${encodeURIComponent(app.name)}`);
          await appSettings(emu, { propagationDelaySec: Math.ceil((emu.state.clock.now() - view.createdAt) / 1000) + 120 }, app.name);
        },
      },
    );
    assert.equal(r.error, undefined, String(r.error));
    assert.ok(window.waits.reduce((a, b) => a + b, 0) >= 120_000, 'it waited for the app');
    const stored = repoSecret('SF_REFRESH_TOKEN_EDITED');
    assert.ok(stored);
    assert.equal((await refreshAt(c.loginUrl, { clientId: app.consumerKey, clientSecret: app.consumerSecret }, stored.value)).status, 200);
  });

  test('an app that stays unknown past the window gives up as app_pending without asking anyone to log in', async () => {
    const c = creds(emu, 'prod');
    const app = await newApp(emu, { name: 'Backup App v3', propagationDelaySec: 3600 });
    const config = writeConfig([{ alias: 'prod', type: c.loginUrl, secret: 'SF_REFRESH_TOKEN_PENDING' }]);
    const r = await run(
      { alias: 'prod', configFile: config, clientId: app.consumerKey, clientSecret: app.consumerSecret },
      { window: fakeWindow(600_000), app: app.name },
    );
    assert.ok(r.error instanceof AppPendingError, String(r.error));
    assert.match(r.error.remedy, /10 minutes/);
    assert.equal(r.log.urls.length, 0, 'nobody was sent to the browser');
    assert.equal(repoSecret('SF_REFRESH_TOKEN_PENDING'), undefined);
  });

  test('a sandbox authorized for an org configured as production is refused as misconfigured', async () => {
    const prod = creds(emu, 'prod');
    const uat = creds(emu, 'uat');
    const config = writeConfig([{ alias: 'mixup', type: 'production', secret: 'SF_REFRESH_TOKEN_MIXUP' }]);
    // A login host that lets the sandbox user in, so the mix-up reaches the verification.
    await control(emu, 'POST', '/oauth/settings', { enforceLoginHostKind: false });
    const live = async () => (await control<unknown[]>(emu, 'GET', `/grants?user=${uat.userId}&live=1`)).length;
    const approvals = await live();
    try {
      const r = await run({ alias: 'mixup', configFile: config, loginUrl: prod.loginUrl, loginHint: uat.username });
      assert.equal(await live(), approvals, 'the unused approval was given back');
      assert.ok(r.error instanceof MisconfiguredError, String(r.error));
      assert.equal(r.error.reason, 'wrong_org_type');
      assert.match(r.error.message, /configured as production.*is a sandbox/s);
      assert.match(r.error.remedy, /type: sandbox/);
      assert.equal(repoSecret('SF_REFRESH_TOKEN_MIXUP'), undefined);
    } finally {
      await control(emu, 'POST', '/oauth/settings', { enforceLoginHostKind: true });
    }
  });

  test('--secret with a config org stores the token under that name, in the scope the config gives', async () => {
    const c = creds(emu, 'prod');
    const config = writeConfig([{ alias: 'prod', type: c.loginUrl, secret: 'SF_REFRESH_TOKEN_CONFIGURED' }]);
    const r = await run({ alias: 'prod', configFile: config, secret: 'SF_REFRESH_TOKEN_RENAMED' });
    assert.equal(r.error, undefined, String(r.error));
    assert.deepEqual(r.result?.target, { scope: 'repository', owner: gh.owner, repo: gh.repo, name: 'SF_REFRESH_TOKEN_RENAMED' });
    const stored = repoSecret('SF_REFRESH_TOKEN_RENAMED');
    assert.ok(stored);
    assert.equal((await refreshAt(c.loginUrl, c, stored.value)).status, 200);
    assert.equal(repoSecret('SF_REFRESH_TOKEN_CONFIGURED'), undefined, "not the config's name");
  });

  test('without a config, --alias finds the org in the status data: a login to another org is refused', async () => {
    const prod = creds(emu, 'prod');
    const uat = creds(emu, 'uat');
    const statusDir = path.join(dir, 'status-configless');
    writeStatus(statusDir, {
      alias: 'noconf',
      orgId: uat.orgId,
      userId: uat.userId,
      appFingerprint: appFingerprint(prod.clientId),
      authorizedAt: '2026-01-01T00:00:00Z',
    });
    const r = await run({ org: { from: 'flags', type: prod.loginUrl, secret: 'SF_REFRESH_TOKEN_NOCONF', alias: 'noconf' }, statusDir });
    assert.ok(r.error instanceof MisconfiguredError, String(r.error));
    assert.match(r.error.message, new RegExp(`Org "noconf" was org ${uat.orgId}.*login was to org ${prod.orgId}`));
    assert.equal(repoSecret('SF_REFRESH_TOKEN_NOCONF'), undefined);
  });

  test('a login to another org than the status knows for the alias is refused', async () => {
    const prod = creds(emu, 'prod');
    const uat = creds(emu, 'uat');
    const config = writeConfig([{ alias: 'prod', type: prod.loginUrl, secret: 'SF_REFRESH_TOKEN_OTHERORG' }]);
    const statusDir = path.join(dir, 'status-otherorg');
    writeStatus(statusDir, {
      alias: 'prod',
      orgId: uat.orgId,
      userId: uat.userId,
      appFingerprint: appFingerprint(prod.clientId),
      authorizedAt: '2026-01-01T00:00:00Z',
    });
    const r = await run({ alias: 'prod', configFile: config, statusDir });
    assert.ok(r.error instanceof MisconfiguredError, String(r.error));
    assert.match(r.error.message, new RegExp(`was org ${uat.orgId}.*login was to org ${prod.orgId}`));
    assert.equal(repoSecret('SF_REFRESH_TOKEN_OTHERORG'), undefined);
  });
});

function writeStatus(
  statusDir: string,
  s: { alias: string; orgId: string; userId: string; appFingerprint: string; authorizedAt: string; state?: string; reason?: string | null },
): void {
  const folder = path.join(statusDir, 'orgs', s.alias);
  mkdirSync(folder, { recursive: true });
  const now = '2026-02-01T00:00:00Z';
  writeFileSync(
    path.join(folder, 'status.json'),
    JSON.stringify({
      schemaVersion: 1,
      alias: s.alias,
      type: 'production',
      loginHost: 'login.salesforce.com',
      orgId: s.orgId,
      userId: s.userId,
      username: null,
      instanceUrl: null,
      appFingerprint: s.appFingerprint,
      authorizedAt: s.authorizedAt,
      auth: { state: s.state ?? 'ok', reason: s.reason ?? null, since: now, lastOkAt: now, message: '', remedy: null },
      lastBackup: null,
      updatedAt: now,
      runUrl: null,
      redacted: true,
    }),
  );
}

describe('the approval limit', () => {
  let config: string;
  let statusDir: string;
  const grants: Record<string, string> = {};
  let username: string;

  before(async () => {
    // A user of its own, so earlier tests' approvals do not count.
    const user = await newUser(emu, 'prod', { username: 'integration@prod.example.com' });
    username = user.username;
    const c = creds(emu, 'prod');
    const aliases = ['a', 'b', 'c', 'd', 'e'];
    config = writeConfig(aliases.map((alias) => ({ alias, type: c.loginUrl, secret: `SF_REFRESH_TOKEN_${alias.toUpperCase()}` })));
    statusDir = path.join(dir, 'status-approvals');
    // b is the oldest approval, a the newest: re-authorizing a would evict b.
    for (const alias of ['b', 'c', 'd', 'e', 'a']) {
      const g = await newGrant(emu, { user: user.id });
      grants[alias] = g.refreshToken;
      writeStatus(statusDir, {
        alias,
        orgId: c.orgId,
        userId: user.id,
        appFingerprint: appFingerprint(c.clientId),
        authorizedAt: new Date(emu.state.clock.now()).toISOString(),
      });
      emu.state.clock.advance(60_000);
    }
  });

  test('a sixth approval is refused without a terminal to confirm it, naming the org it would cost', async () => {
    const r = await run({ alias: 'a', configFile: config, statusDir, loginHint: username });
    assert.match(r.lines.join('\n'), /approval 6 .*\n.*revoke the oldest one: org "b"/);
    assert.match(String((r.error as Error)?.message), /revoke the token of org "b"/);
    assert.match((r.error as MisconfiguredError).remedy, /--yes/);
    assert.equal(r.log.urls.length, 0, 'nobody was sent to log in');
    assert.equal(repoSecret('SF_REFRESH_TOKEN_A'), undefined);
  });

  test('without a config, the orgs the status branch knows are the ones counted', async () => {
    const c = creds(emu, 'prod');
    const r = await run({ org: { from: 'flags', type: c.loginUrl, secret: 'SF_REFRESH_TOKEN_A', alias: 'a' }, statusDir, loginHint: username });
    assert.match(String((r.error as Error)?.message), /revoke the token of org "b"/);
    assert.equal(r.log.urls.length, 0, 'nobody was sent to log in');
  });

  test('declining the question stops before the login', async () => {
    const questions: string[] = [];
    const r = await run(
      { alias: 'a', configFile: config, statusDir, loginHint: username },
      {
        confirm: async (q) => {
          questions.push(q);
          return false;
        },
      },
    );
    assert.match(questions[0] ?? '', /revoke "b"/);
    assert.match(String((r.error as Error)?.message), /declined/);
    assert.equal(r.log.urls.length, 0);
  });

  test('confirmed, the login goes through and Salesforce evicts exactly the org named', async () => {
    const c = creds(emu, 'prod');
    const r = await run({ alias: 'a', configFile: config, statusDir, loginHint: username }, { confirm: async () => true });
    assert.equal(r.error, undefined, String(r.error));
    assert.ok(repoSecret('SF_REFRESH_TOKEN_A'));
    const b = await refreshAt(c.loginUrl, c, grants.b as string);
    assert.equal(b.status, 400, 'b was evicted');
    assert.equal(b.body.error, 'invalid_grant');
    for (const alias of ['c', 'd', 'e', 'a']) assert.equal((await refreshAt(c.loginUrl, c, grants[alias] as string)).status, 200, `${alias} still works`);
  });
});
