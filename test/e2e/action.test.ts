// The built action (dist/index.js) run the way the Actions runner runs it, against the emulator.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Emulator } from '../emulators/salesforce/emulator.ts';
import { assertSecretsHidden, runAction } from '../helpers/dist.ts';
import { control, creds, emulator } from '../helpers/emulator.ts';

let emu: Emulator;
before(async () => {
  emu = await emulator({
    orgs: [
      { alias: 'prod', records: 20 },
      { alias: 'spare', records: 5 },
    ],
  });
});
after(() => emu.close());

/** The login settings of an org, as the emulator hands them out. */
type Login = { loginUrl: string; clientId: string; clientSecret: string; refreshToken: string };

function inputsFor(org: string | Login, overrides: Record<string, string> = {}): Record<string, string> {
  const c = typeof org === 'string' ? creds(emu, org) : org;
  return { command: 'check', 'login-url': c.loginUrl, 'client-id': c.clientId, 'client-secret': c.clientSecret, 'refresh-token': c.refreshToken, ...overrides };
}

/** Every access token the emulator has issued for an org: none may reach the log. */
function accessTokens(orgId: string): string[] {
  return emu.state.sessions
    .all()
    .filter((s) => s.orgId === orgId)
    .map((s) => s.token);
}

describe('action: check', () => {
  test('logs in with the refresh token and reports org, instance and API usage as outputs and summary', async () => {
    const c = creds(emu, 'prod');
    const run = await runAction(inputsFor('prod'));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs['auth-state'], 'ok');
    assert.equal(run.outputs['org-id'], c.orgId);
    assert.equal(run.outputs['instance-url'], c.instanceUrl);
    assert.equal(run.outputs['api-requests-limit'], '15000');
    const used = Number(run.outputs['api-requests-used']);
    assert.ok(Number.isInteger(used) && used >= 1, `api-requests-used = ${run.outputs['api-requests-used']}`);
    assert.match(run.summary, /Salesforce org check: ok/);
    assert.ok(run.summary.includes(c.orgId) && run.summary.includes(c.instanceUrl));
    assert.match(run.summary, new RegExp(`${used} of 15000`));
    assert.doesNotMatch(run.stdout, /::error::/);

    const tokens = accessTokens(c.orgId);
    assert.ok(tokens.length > 0, 'the check made no session');
    for (const t of tokens) assert.ok(run.stdout.split('\n').includes(`::add-mask::${t}`), 'the access token was not masked');
    const secrets: Record<string, string> = { 'refresh token': c.refreshToken, 'consumer secret': c.clientSecret, 'consumer key': c.clientId };
    tokens.forEach((t, i) => {
      secrets[`access token ${i}`] = t;
    });
    assertSecretsHidden({ stdout: run.stdout, stderr: run.stderr, summary: run.summary, outputs: JSON.stringify(run.outputs) }, secrets, [
      'refresh token',
      'consumer secret',
      'consumer key',
    ]);
  });

  test('a refresh token revoked by an admin fails the step with the re-authorization remedy', async () => {
    const c = creds(emu, 'spare');
    // Setup > Connected Apps OAuth Usage > Revoke, through the emulator's control API.
    const { revoked } = await control<{ revoked: string[] }>(emu, 'POST', `/users/${c.userId}/revoke-apps`, {});
    assert.equal(revoked.length, 1);

    const run = await runAction(inputsFor(c));
    assert.equal(run.code, 1);
    assert.equal(run.outputs['auth-state'], 'reauth_required');
    assert.equal(run.outputs['org-id'], undefined);
    const error = run.stdout.split('\n').find((l) => l.startsWith('::error::'));
    assert.ok(error, `no ::error:: line in ${run.stdout}`);
    assert.match(error, /invalid_grant/);
    assert.match(error, /Re-authorize the org/);
    assert.match(run.summary, /Salesforce org check failed/);
    assert.match(run.summary, /reauth_required/);
    assert.match(run.summary, /Re-authorize the org/);
    assertSecretsHidden(
      { stdout: run.stdout, stderr: run.stderr, summary: run.summary },
      { 'refresh token': c.refreshToken, 'consumer secret': c.clientSecret },
      ['refresh token', 'consumer secret'],
    );
  });

  test('a refresh token revoked through the OAuth revoke endpoint fails the same way', async () => {
    const grant = await control<Login & { grantId: string }>(emu, 'POST', '/grants', { org: 'prod' });
    const res = await fetch(`${grant.loginUrl}/services/oauth2/revoke`, { method: 'POST', body: new URLSearchParams({ token: grant.refreshToken }) });
    assert.equal(res.status, 200, await res.text());
    const run = await runAction(inputsFor(grant));
    assert.equal(run.code, 1);
    assert.equal(run.outputs['auth-state'], 'reauth_required');
    assert.match(run.stdout, /::error::.*Re-authorize the org/);
  });

  test('an unknown refresh token is classified the same way', async () => {
    const bogus = '5Aep861NotARealTokenNotARealTokenNotARealTokenNotARealTokenNotARealToken00';
    const run = await runAction(inputsFor('prod', { 'refresh-token': bogus }));
    assert.equal(run.code, 1);
    assert.equal(run.outputs['auth-state'], 'reauth_required');
    assert.match(run.stdout, /::error::.*Re-authorize the org/);
    assertSecretsHidden({ stdout: run.stdout, stderr: run.stderr, summary: run.summary }, { 'refresh token': bogus }, ['refresh token']);
  });

  test('a wrong consumer secret names the input to fix', async () => {
    const run = await runAction(inputsFor('prod', { 'client-secret': 'WRONGSECRET0123456789' }));
    assert.equal(run.code, 1);
    assert.equal(run.outputs['auth-state'], 'misconfigured');
    assert.match(run.stdout, /::error::.*consumer secret/i);
    assertSecretsHidden({ stdout: run.stdout, summary: run.summary }, { 'consumer secret': 'WRONGSECRET0123456789' }, ['consumer secret']);
  });

  test('missing inputs fail before any network call, naming each input', async () => {
    const run = await runAction({ command: 'check', 'login-url': creds(emu, 'prod').loginUrl, 'client-id': 'key' });
    assert.equal(run.code, 1);
    const error = run.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
    assert.match(error, /client-secret is required/);
    assert.match(error, /refresh-token is required/);
    assert.doesNotMatch(run.stdout, /Logging in/);
  });

  test('an unknown command is refused', async () => {
    const run = await runAction(inputsFor('prod', { command: 'restore-everything' }));
    assert.equal(run.code, 1);
    assert.match(run.stdout, /::error::.*command must be one of: check/);
  });

  test('a rotated refresh token is masked and the step warns that the stored one is dead', async () => {
    const app = 'Rotating App';
    await control(emu, 'POST', '/apps', { name: app });
    await control(emu, 'POST', `/apps/${encodeURIComponent(app)}/settings`, { rotation: true });
    const grant = await control<Login & { orgId: string }>(emu, 'POST', '/grants', { org: 'prod', app });
    const run = await runAction(inputsFor(grant));
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs['org-id'], grant.orgId);
    assert.match(run.stdout, /::warning::.*rotated the refresh token/);
    const list = await control<{ id: string; rotations: number }[]>(emu, 'GET', `/grants?app=${encodeURIComponent(app)}`);
    assert.equal(list[0]?.rotations, 1, 'the emulator rotated the token');
    const masks = run.stdout.split('\n').filter((l) => l.startsWith('::add-mask::5Aep'));
    assert.equal(masks.length, 2, 'the presented and the rotated refresh token are both masked');
    const rotated = (masks.find((l) => !l.endsWith(grant.refreshToken)) as string).slice('::add-mask::'.length);
    assertSecretsHidden(
      { stdout: run.stdout, stderr: run.stderr, summary: run.summary, outputs: JSON.stringify(run.outputs) },
      { 'rotated token': rotated, 'refresh token': grant.refreshToken },
    );
  });
});
