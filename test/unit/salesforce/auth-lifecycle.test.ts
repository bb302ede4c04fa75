// The token lifecycle against the Salesforce emulator with the real jsforce: every auth state a run
// can end in, rotation write-back over ten runs, and remedies that name the org, host and command
// but never a secret.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SecretTarget, SecretWriter } from '../../../src/github/contracts.ts';
import { SecretWriteError } from '../../../src/github/errors.ts';
import { createOctokit } from '../../../src/github/octokit.ts';
import { createSecretWriter } from '../../../src/github/secrets.ts';
import { ReauthRequiredError } from '../../../src/runtime/auth-errors.ts';
import { describeFailure } from '../../../src/runtime/errors.ts';
import { appFingerprint } from '../../../src/salesforce/auth/app-fingerprint.ts';
import { type AuthenticateOptions, type AuthOrg, type AuthResult, authenticate, sessionOrThrow } from '../../../src/salesforce/auth/lifecycle.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { findGrantByToken } from '../../emulators/salesforce/oauth/grants.ts';
import { control, emulator } from '../../helpers/emulator.ts';
import { type AppReply, advance, type GrantReply, newApp, newGrant, newUser, refreshAt, SMALL_ORGS } from '../emulator/oauth-helpers.ts';
import { control as ghControl } from '../github-emulator/helpers.ts';

let emu: Emulator;
let gh: GitHubEmulator;
/** Writes through the real Octokit to the GitHub emulator's secrets API, with a token allowed to. */
let github: SecretWriter;
/** The same, with the workflow's GITHUB_TOKEN, which may not write secrets. */
let githubTokenWriter: SecretWriter;
const FAST = { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 2 };

before(async () => {
  emu = await emulator({ orgs: SMALL_ORGS });
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'backups' });
  github = createSecretWriter(await createOctokit(gh.createToken({ permissions: { secrets: 'write' } }), gh.apiUrl), { retry: FAST });
  githubTokenWriter = createSecretWriter(await createOctokit(gh.token, gh.apiUrl), { retry: FAST });
});
after(async () => {
  await emu.close();
  await gh.close();
});

const TARGET: SecretTarget = { scope: 'repository', owner: 'acme', repo: 'backups', name: 'SF_REFRESH_TOKEN_PROD' };

/** The secret's value as GitHub holds it, decrypted by the emulator with the repository's private key. */
async function storedSecret(name: string): Promise<string | undefined> {
  const view = await ghControl<{ value: string }>(gh.baseUrl, 'GET', `/repos/acme/backups/actions/secrets/${name}`).catch(() => undefined);
  return view?.value;
}
const DAY_MS = 24 * 3600_000;

/** A fresh Connected App with these policies and a fresh user holding one approval of it. */
async function fixture(settings: Record<string, unknown> = {}, org = 'prod'): Promise<{ app: AppReply; grant: GrantReply }> {
  const app = await newApp(emu, settings);
  const user = await newUser(emu, org);
  const grant = await newGrant(emu, { user: user.id, app: app.consumerKey });
  return { app, grant };
}

function orgOf(app: AppReply, grant: GrantReply, overrides: Partial<AuthOrg> & { loginUrl?: string; refreshToken?: string } = {}): AuthOrg {
  return {
    alias: overrides.alias ?? 'prod',
    type: overrides.type ?? 'production',
    credentials: {
      loginUrl: overrides.loginUrl ?? grant.loginUrl,
      clientId: app.consumerKey,
      clientSecret: app.consumerSecret,
      refreshToken: overrides.refreshToken ?? grant.refreshToken,
      apiVersion: '62.0',
    },
  };
}

/** Stores what it is given, like a repository's secrets; can be told to fail. */
class MemoryWriter implements SecretWriter {
  readonly values = new Map<string, string>();
  calls = 0;
  failures: Error[] = [];

  async write(target: SecretTarget, value: string): Promise<void> {
    this.calls++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.values.set(target.name, value);
  }
}

/** A clock the test owns: sleeping advances it and the emulator's clock by the same amount. */
function fakeTime(): { now: () => Date; sleep: (ms: number) => Promise<void>; slept: number[] } {
  let offset = 0;
  const base = Date.now();
  const slept: number[] = [];
  return {
    now: () => new Date(base + offset),
    sleep: async (ms: number) => {
      slept.push(ms);
      offset += ms;
      await control(emu, 'POST', '/clock', { advanceMs: ms });
    },
    slept,
  };
}

/**
 * Runs authenticate and checks, for every run of this file, that no secret the run knew (consumer
 * key and secret, the refresh token it started with, every token the login produced) is in any
 * text of the outcome.
 */
async function run(org: AuthOrg, options: AuthenticateOptions = {}): Promise<AuthResult> {
  const secrets = [org.credentials.clientId, org.credentials.clientSecret, org.credentials.refreshToken].filter((s) => s.length > 0);
  const time = fakeTime();
  const result = await authenticate(org, {
    loginHosts: { production: emu.loginUrl, sandbox: emu.testLoginUrl },
    sleep: time.sleep,
    now: time.now,
    ...options,
    onSecret: (v) => {
      secrets.push(v);
      options.onSecret?.(v);
    },
  });
  const texts = JSON.stringify(result.outcome);
  for (const s of secrets) assert.ok(!texts.includes(s), `a secret value leaked into the outcome of ${org.alias}: ${result.outcome.state}`);
  assert.ok(!texts.includes(org.credentials.clientId), 'the consumer key is shown only as a fingerprint');
  return result;
}

function assertRemedyNames(result: AuthResult, org: AuthOrg, ...patterns: RegExp[]): void {
  const remedy = result.outcome.remedy ?? '';
  assert.ok(remedy.includes(org.alias), `remedy names the org: ${remedy}`);
  assert.ok(remedy.includes(org.credentials.loginUrl), `remedy names the login host: ${remedy}`);
  for (const p of patterns) assert.match(remedy, p);
}

describe('authenticate: ok', () => {
  it('logs in, reports ok with no reason or remedy, and hands back a working session', async () => {
    const { app, grant } = await fixture();
    const result = await run(orgOf(app, grant));
    assert.equal(result.outcome.state, 'ok');
    assert.equal(result.outcome.reason, null);
    assert.equal(result.outcome.remedy, null);
    assert.equal(result.rotated, false);
    assert.equal(result.appFingerprint, appFingerprint(app.consumerKey));
    assert.ok(result.session);
    assert.equal(result.session.orgId, grant.orgId);
    const limits = await result.session.conn.limits();
    assert.ok(limits.DailyApiRequests);
  });
});

describe('authenticate: rotation write-back', () => {
  it('keeps an org working for ten runs in a row, each run starting from the previous run’s write-back to GitHub', async () => {
    const { app, grant } = await fixture({ rotation: true });
    const target: SecretTarget = { ...TARGET, name: 'SF_REFRESH_TOKEN_TEN' };
    await github.write(target, grant.refreshToken);
    const used: string[] = [];
    let previous: AuthenticateOptions['previous'];
    for (let i = 1; i <= 10; i++) {
      const token = (await storedSecret(target.name)) as string;
      used.push(token);
      const result = await run(orgOf(app, grant, { refreshToken: token }), {
        secretWriter: github,
        refreshTokenTarget: target,
        ...(previous ? { previous } : {}),
      });
      assert.equal(result.outcome.state, 'ok', `run ${i}: ${result.outcome.message}`);
      assert.equal(result.rotated, true);
      assert.ok(result.authorizedAt);
      const stored = (await storedSecret(target.name)) as string;
      assert.ok(!used.includes(stored), `run ${i} stored a new token`);
      // The token this run started with is no longer the approval's token: presenting it again
      // would be reuse, which Salesforce answers by killing the whole chain.
      const g = findGrantByToken(emu.state, token);
      assert.ok(g, 'the approval is found through its rotated-out token');
      assert.equal(g.refreshToken, stored, 'the stored token is the live one');
      assert.ok(g.rotatedOut.has(token), `run ${i}: the old token is dead`);
      previous = { appFingerprint: result.appFingerprint, authorizedAt: result.authorizedAt, state: 'ok' };
    }
    const writes = (await ghControl<{ name: string; outcome: string }[]>(gh.baseUrl, 'GET', '/secret-writes')).filter((w) => w.name === target.name);
    assert.deepEqual(
      writes.map((w) => w.outcome),
      ['created', ...Array(10).fill('updated')],
    );
    const [listed] = await control<{ rotations: number; live: boolean }[]>(emu, 'GET', `/grants?user=${grant.userId}`);
    assert.equal(listed?.rotations, 10);
    assert.equal(listed?.live, true);
    // A run that still held an old token (the write-back lost) fails as Salesforce answers it.
    const stale = await run(orgOf(app, grant, { refreshToken: used[4] as string }), { secretWriter: github, refreshTokenTarget: target });
    assert.equal(stale.outcome.state, 'reauth_required');
    assert.equal(stale.outcome.reason, 'token_expired_or_revoked');
  });

  it('stores a token the session rotates to mid-run when the work is settled', async () => {
    const { app, grant } = await fixture({ rotation: true, sessionTimeoutSec: 900 });
    const writer = new MemoryWriter();
    const result = await run(orgOf(app, grant), { secretWriter: writer, refreshTokenTarget: TARGET });
    assert.equal(result.outcome.state, 'ok');
    const first = writer.values.get(TARGET.name);
    assert.ok(result.session);
    await advance(emu, 901);
    await result.session.conn.limits();
    const settled = await result.settle();
    assert.equal(settled.outcome.state, 'ok');
    const second = writer.values.get(TARGET.name) as string;
    assert.notEqual(second, first, 'the mid-run rotation was written back');
    assert.equal((await refreshAt(grant.loginUrl, { clientId: app.consumerKey, clientSecret: app.consumerSecret }, second)).status, 200);
  });

  it('fails as rotation_write_failed, stops the run and names the permission when GitHub refuses the write', async () => {
    const { app, grant } = await fixture({ rotation: true });
    const target: SecretTarget = { ...TARGET, name: 'SF_REFRESH_TOKEN_REFUSED' };
    const org = orgOf(app, grant);
    // The workflow's GITHUB_TOKEN cannot write secrets.
    const result = await run(org, { secretWriter: githubTokenWriter, refreshTokenTarget: target });
    assert.equal(result.outcome.state, 'rotation_write_failed');
    assert.equal(result.outcome.reason, 'secret_write_failed');
    assert.equal(result.session, null, 'no other work happens for the org');
    assert.equal(await storedSecret(target.name), undefined);
    assertRemedyNames(
      result,
      org,
      /docs\/github-token\.md/,
      /sfbackup reauth --org prod/,
      /repository secret SF_REFRESH_TOKEN_REFUSED of acme\/backups/,
      /Secrets: Read and write/,
    );
    assert.match(result.outcome.message, /Resource not accessible by integration/);
    // The old token really is dead, so the next run keeps the most urgent state and its remedy.
    const next = await run(org, {
      secretWriter: github,
      refreshTokenTarget: target,
      previous: { appFingerprint: result.appFingerprint, authorizedAt: null, state: 'rotation_write_failed' },
    });
    assert.equal(next.outcome.state, 'rotation_write_failed');
    assertRemedyNames(next, org, /docs\/github-token\.md/, /sfbackup reauth --org prod/);
  });

  it('is rotation_write_failed when GitHub keeps failing, after the writer’s and its own retries', async () => {
    const { app, grant } = await fixture({ rotation: true });
    const target: SecretTarget = { ...TARGET, name: 'SF_REFRESH_TOKEN_OUTAGE' };
    await ghControl(gh.baseUrl, 'POST', '/secret-failures', { status: 502, times: 0, name: target.name });
    try {
      const result = await run(orgOf(app, grant), { secretWriter: github, refreshTokenTarget: target });
      assert.equal(result.outcome.state, 'rotation_write_failed');
      const writes = (await ghControl<{ name: string }[]>(gh.baseUrl, 'GET', '/secret-writes')).filter((w) => w.name === target.name);
      assert.equal(writes.length, 3 * (1 + FAST.retries), 'three bounded attempts, each retried by the writer');
    } finally {
      await ghControl(gh.baseUrl, 'DELETE', '/secret-failures');
    }
  });

  it('retries a write that fails for a while, then succeeds', async () => {
    const { app, grant } = await fixture({ rotation: true });
    const writer = new MemoryWriter();
    const outage = () => new SecretWriteError({ target: TARGET, reason: 'unavailable', status: 502, detail: 'Bad Gateway', remedy: 'Retry.' });
    writer.failures.push(outage(), outage());
    const result = await run(orgOf(app, grant), { secretWriter: writer, refreshTokenTarget: TARGET });
    assert.equal(result.outcome.state, 'ok');
    assert.equal(writer.calls, 3);
    assert.ok(writer.values.get(TARGET.name));
  });

  it('is rotation_write_failed when the org rotates and there is no writer, telling to add the secrets-token input', async () => {
    const { app, grant } = await fixture({ rotation: true });
    const org = orgOf(app, grant);
    const result = await run(org, { refreshTokenTarget: TARGET });
    assert.equal(result.outcome.state, 'rotation_write_failed');
    assert.equal(result.outcome.reason, 'no_secret_writer');
    assert.equal(result.session, null);
    assertRemedyNames(result, org, /secrets-token input/, /sfbackup reauth --org prod/, /SF_REFRESH_TOKEN_PROD/);
  });
});

describe('authenticate: reauth_required', () => {
  it('reports token_expired_or_revoked when a sixth approval of the same user and app evicts the oldest', async () => {
    const { app, grant } = await fixture();
    const org = orgOf(app, grant);
    assert.equal((await run(org)).outcome.state, 'ok');
    for (let i = 0; i < 5; i++) await newGrant(emu, { user: grant.userId, app: app.consumerKey });
    const result = await run(org);
    assert.equal(result.outcome.state, 'reauth_required');
    assert.equal(result.outcome.reason, 'token_expired_or_revoked');
    assertRemedyNames(result, org, /`sfbackup reauth --org prod`/, /production/, /sixth/);
    // A backup that cannot log in fails with the same text the status shows.
    assert.throws(
      () => sessionOrThrow(result),
      (err: unknown) => err instanceof ReauthRequiredError && describeFailure(err) === `${result.outcome.message}\nTo fix: ${result.outcome.remedy}`,
    );
  });

  it('reports app_changed when the consumer key changed since the last run, with both fingerprints', async () => {
    const { app, grant } = await fixture({ name: 'Rekeyed mid-life' });
    const first = await run(orgOf(app, grant));
    assert.equal(first.outcome.state, 'ok');
    const previous = { appFingerprint: first.appFingerprint, authorizedAt: first.authorizedAt, state: 'ok' as const };
    const changed = await control<AppReply>(emu, 'POST', `/apps/${app.consumerKey}/credentials`, {});
    const org = orgOf(changed, grant);
    const result = await run(org, { previous });
    assert.equal(result.outcome.state, 'reauth_required');
    assert.equal(result.outcome.reason, 'app_changed');
    assert.equal(result.appFingerprint, appFingerprint(changed.consumerKey));
    assertRemedyNames(result, org, new RegExp(first.appFingerprint), new RegExp(result.appFingerprint), /rotate-app/, /sfbackup reauth --org prod/);
    // Without a previous fingerprint nothing says the app changed: the token is simply dead.
    assert.equal((await run(org)).outcome.reason, 'token_expired_or_revoked');
  });

  it('reports policy_expired when the token is older than the configured refresh token policy', async () => {
    const { app, grant } = await fixture({ refreshTokenPolicy: { kind: 'absolute', seconds: 30 * 24 * 3600 } });
    await advance(emu, 31 * 24 * 3600);
    const org = orgOf(app, grant);
    const authorizedAt = new Date(Date.now() - 31 * DAY_MS).toISOString();
    const result = await run(org, { refreshTokenMaxAgeDays: 30, previous: { appFingerprint: appFingerprint(app.consumerKey), authorizedAt, state: 'ok' } });
    assert.equal(result.outcome.state, 'reauth_required');
    assert.equal(result.outcome.reason, 'policy_expired');
    assertRemedyNames(result, org, /Refresh Token Policy/, /30 days/, /sfbackup reauth --org prod/);
  });

  it('reports user_inactive for a deactivated user, pointing at Setup > Users', async () => {
    const { app, grant } = await fixture();
    await control(emu, 'POST', `/users/${grant.userId}/deactivate`);
    const org = orgOf(app, grant);
    const result = await run(org);
    assert.equal(result.outcome.state, 'reauth_required');
    assert.equal(result.outcome.reason, 'user_inactive');
    assertRemedyNames(result, org, /Setup > Users/);
  });
});

describe('authenticate: app_pending', () => {
  it('waits through the activation window with growing pauses and then logs in', async () => {
    const { app, grant } = await fixture({ propagationDelaySec: 300 });
    const waits: number[] = [];
    const result = await run(orgOf(app, grant), { onRetry: (r) => waits.push(r.delayMs) });
    assert.equal(result.outcome.state, 'ok', result.outcome.message);
    assert.ok(waits.reduce((a, b) => a + b, 0) >= 300_000, 'it waited out the propagation delay');
    assert.ok(
      waits.every((w, i) => i === 0 || w >= (waits[i - 1] as number)),
      'pauses grow',
    );
  });

  it('gives up as app_pending when the window is shorter than the delay', async () => {
    const { app, grant } = await fixture({ propagationDelaySec: 300 });
    const waits: number[] = [];
    const org = orgOf(app, grant);
    const result = await run(org, { appPendingWindowMs: 60_000, onRetry: (r) => waits.push(r.delayMs) });
    assert.equal(result.outcome.state, 'app_pending');
    assert.equal(
      waits.reduce((a, b) => a + b, 0),
      60_000,
      'it waited exactly the window',
    );
    assertRemedyNames(result, org, /10 minutes/, new RegExp(appFingerprint(app.consumerKey)), /Consumer Key/);
  });
});

describe('authenticate: misconfigured', () => {
  it('reports wrong_org_type, naming the sandbox host, for a sandbox configured as production', async () => {
    const { app, grant } = await fixture({}, 'uat');
    assert.equal(grant.loginUrl, emu.testLoginUrl);
    const org = orgOf(app, grant, { alias: 'uat', type: 'production', loginUrl: emu.loginUrl });
    const result = await run(org);
    assert.equal(result.outcome.state, 'misconfigured');
    assert.equal(result.outcome.reason, 'wrong_org_type');
    assertRemedyNames(result, org, /type: sandbox/, new RegExp(emu.testLoginUrl.replace(/[.:/]/g, '\\$&')));
  });

  it('keeps a rotating sandbox token alive while finding out it is one', async () => {
    const { app, grant } = await fixture({ rotation: true }, 'uat');
    const writer = new MemoryWriter();
    const result = await run(orgOf(app, grant, { alias: 'uat', type: 'production', loginUrl: emu.loginUrl }), {
      secretWriter: writer,
      refreshTokenTarget: TARGET,
    });
    assert.equal(result.outcome.reason, 'wrong_org_type');
    const stored = writer.values.get(TARGET.name) as string;
    assert.ok(stored, 'the token rotated by the probe was written back');
    const fixed = await run(orgOf(app, grant, { alias: 'uat', type: 'sandbox', refreshToken: stored }), { secretWriter: writer, refreshTokenTarget: TARGET });
    assert.equal(fixed.outcome.state, 'ok');
  });

  it('reports a missing secret and a malformed token before asking Salesforce', async () => {
    const { app, grant } = await fixture();
    const before = await control<{ refreshCount: number }[]>(emu, 'GET', `/grants?user=${grant.userId}`);
    const missing = await run(orgOf(app, grant, { refreshToken: '' }));
    assert.equal(missing.outcome.state, 'misconfigured');
    assert.equal(missing.outcome.reason, 'missing_secret');
    const malformed = await run(orgOf(app, grant, { refreshToken: `${grant.refreshToken.slice(0, 20)}%3D%3D` }));
    assert.equal(malformed.outcome.reason, 'malformed_token');
    assert.match(malformed.outcome.remedy ?? '', /sfbackup reauth --org prod/);
    const badUrl = await run(orgOf(app, grant, { loginUrl: 'https://acme.lightning.force.com' }));
    assert.equal(badUrl.outcome.reason, 'malformed_url');
    const afterwards = await control<{ refreshCount: number }[]>(emu, 'GET', `/grants?user=${grant.userId}`);
    assert.deepEqual(afterwards, before, 'no request reached the token endpoint');
  });
});

describe('authenticate: transient', () => {
  after(() => control(emu, 'DELETE', '/faults'));

  it('retries a 503 from the token endpoint, then reports transient when it persists', async () => {
    const { app, grant } = await fixture();
    await control(emu, 'POST', '/faults', { path: '^/services/oauth2/token$', status: 503, times: 0 });
    try {
      const waits: number[] = [];
      const org = orgOf(app, grant);
      const result = await run(org, { onRetry: (r) => waits.push(r.delayMs) });
      assert.equal(result.outcome.state, 'transient');
      assert.equal(result.outcome.reason, 'server_error');
      assert.equal(waits.length, 3, 'three retries after the first attempt');
      assertRemedyNames(result, org, /next run retries/);
    } finally {
      await control(emu, 'DELETE', '/faults');
    }
  });

  it('logs in when the outage ends within the retries', async () => {
    const { app, grant } = await fixture();
    await control(emu, 'POST', '/faults', { path: '^/services/oauth2/token$', kind: 'html', status: 502, times: 2 });
    const result = await run(orgOf(app, grant));
    assert.equal(result.outcome.state, 'ok');
  });
});
