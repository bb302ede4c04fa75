// Remedy texts: each names the org, its login host and the command or setting to change, the same
// text whether it is thrown, printed or stored, and never a secret value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AppPendingError,
  type FailureReason,
  MisconfiguredError,
  ReauthRequiredError,
  RotationWriteFailedError,
  TransientError,
} from '../../../src/runtime/auth-errors.ts';
import { type AuthFailureState, describeFailure } from '../../../src/runtime/errors.ts';
import { classifyAuthError } from '../../../src/salesforce/auth/connection.ts';
import { describeOrg, failureOutcome, type OrgRef, okOutcome, outcomeError, redact, remedyFor } from '../../../src/salesforce/auth/outcome.ts';

const ORGS: OrgRef[] = [
  { alias: 'prod', type: 'production', loginUrl: 'https://login.salesforce.com', refreshTokenSecret: 'SF_REFRESH_TOKEN_PROD' },
  { alias: 'uat', type: 'sandbox', loginUrl: 'https://test.salesforce.com' },
  { alias: 'eu', type: 'https://acme-eu.my.salesforce.com', loginUrl: 'https://acme-eu.my.salesforce.com' },
];

const KIND_WORD: Record<string, RegExp> = { prod: /production/, uat: /sandbox/, eu: /My Domain/ };

const CASES: [AuthFailureState, FailureReason, RegExp[]][] = [
  ['reauth_required', 'token_expired_or_revoked', [/`sfbackup reauth --org ALIAS`/, /sixth/]],
  ['reauth_required', 'user_inactive', [/Setup > Users/, /`sfbackup reauth --org ALIAS`/]],
  ['reauth_required', 'app_changed', [/app 111111111111/, /app 222222222222/, /rotate-app/, /`sfbackup reauth --org ALIAS`/]],
  ['reauth_required', 'policy_expired', [/Refresh Token Policy/, /90 days/, /`sfbackup reauth --org ALIAS`/]],
  ['app_pending', 'client_unknown', [/10 minutes/, /Consumer Key/, /app 222222222222/]],
  ['misconfigured', 'malformed_token', [/`sfbackup reauth --org ALIAS`/]],
  ['rotation_write_failed', 'secret_write_failed', [/docs\/github-token\.md/, /old|dead/, /`sfbackup reauth --org ALIAS`/]],
  ['rotation_write_failed', 'no_secret_writer', [/secrets-token input/, /`sfbackup reauth --org ALIAS`/]],
  ['transient', 'server_error', [/next run retries/]],
];

const CONTEXT = { previousAppFingerprint: '111111111111', appFingerprint: '222222222222', maxAgeDays: 90, authorizedAt: '2026-01-01T00:00:00.000Z' };

describe('remedyFor', () => {
  for (const org of ORGS) {
    for (const [state, reason, patterns] of CASES) {
      it(`${state}/${reason} for ${org.alias} names the org, its login host and what to run`, () => {
        const text = remedyFor({ state, reason, context: CONTEXT, fallback: 'Retry later.' }, org);
        assert.ok(text.includes(org.alias), text);
        assert.ok(text.includes(org.loginUrl), text);
        assert.match(text, KIND_WORD[org.alias] as RegExp);
        for (const p of patterns) assert.match(text, new RegExp(p.source.replace('ALIAS', org.alias)));
      });
    }
  }

  it('tells a sandbox configured as production to set type: sandbox, naming the host that accepted the token', () => {
    const text = remedyFor(
      { state: 'misconfigured', reason: 'wrong_org_type', context: { otherLoginUrl: 'https://test.salesforce.com', otherLoginUrlConfirmed: true } },
      ORGS[0] as OrgRef,
    );
    assert.match(text, /configured as production/);
    assert.match(text, /`type: sandbox` for org prod/);
    assert.match(text, /https:\/\/test\.salesforce\.com accepted it/);
  });

  it('names the secret the token goes to when it is known', () => {
    const text = remedyFor({ state: 'reauth_required', reason: 'token_expired_or_revoked' }, ORGS[0] as OrgRef);
    assert.match(text, /into the secret SF_REFRESH_TOKEN_PROD/);
  });

  it('describes each kind of login host', () => {
    assert.equal(describeOrg(ORGS[0] as OrgRef), 'production org prod (login host https://login.salesforce.com)');
    assert.equal(describeOrg(ORGS[1] as OrgRef), 'sandbox uat (login host https://test.salesforce.com)');
    assert.equal(describeOrg(ORGS[2] as OrgRef), 'org eu (My Domain https://acme-eu.my.salesforce.com)');
  });
});

describe('failureOutcome and outcomeError', () => {
  const at = new Date('2026-11-23T12:00:00.000Z');
  const org = ORGS[0] as OrgRef;

  it('builds one record from a classified error, with the org-specific remedy', () => {
    const err = new Error('expired access/refresh token');
    err.name = 'invalid_grant';
    const outcome = failureOutcome(classifyAuthError(err, org.loginUrl), org, at);
    assert.equal(outcome.state, 'reauth_required');
    assert.equal(outcome.reason, 'token_expired_or_revoked');
    assert.equal(outcome.at, '2026-11-23T12:00:00.000Z');
    assert.match(outcome.remedy ?? '', /sfbackup reauth --org prod/);
  });

  it('turns an unclassified throw into transient instead of losing it', () => {
    const outcome = failureOutcome(new RangeError('boom'), org, at);
    assert.equal(outcome.state, 'transient');
    assert.match(outcome.message, /boom/);
  });

  it('throws with exactly the texts of the outcome, keeping the typed class', () => {
    for (const [state, type] of [
      ['reauth_required', ReauthRequiredError],
      ['app_pending', AppPendingError],
      ['transient', TransientError],
      ['misconfigured', MisconfiguredError],
      ['rotation_write_failed', RotationWriteFailedError],
    ] as const) {
      const outcome = { state, reason: 'network' as const, message: 'It failed.', remedy: 'Do this.', at: at.toISOString() };
      const err = outcomeError(outcome);
      assert.ok(err instanceof type);
      assert.equal(describeFailure(err), 'It failed.\nTo fix: Do this.');
    }
    assert.throws(() => outcomeError(okOutcome(at)));
  });

  it('removes every secret value it is given from message and remedy', () => {
    const token = '5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrc2Qaqn5Xd2r3y8S1jqH7f8hDyY7pWt4ZNA0NHxF0Vq09Cq8R';
    const err = new TransientError({ reason: 'network', message: `Echoed back: ${token}`, remedy: `Do not paste ${token}.` });
    const outcome = failureOutcome(err, org, at, [token]);
    assert.ok(!JSON.stringify(outcome).includes(token));
    assert.match(outcome.message, /Echoed back: \*\*\*/);
    assert.equal(redact('key abcdefgh and abcdefghij', ['abcdefgh', 'abcdefghij']), 'key *** and ***');
  });
});
