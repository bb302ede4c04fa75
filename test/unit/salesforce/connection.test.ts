// How login failures are classified, and how settings are validated, without a server.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orgCredentialsSchema, parseSettings } from '../../../src/config/credentials.ts';
import { AppPendingError, MisconfiguredError, ReauthRequiredError, type SalesforceError, TransientError } from '../../../src/runtime/auth-errors.ts';
import { classifyAuthError, knownLoginHosts, otherLoginHost } from '../../../src/salesforce/auth/connection.ts';

/** What jsforce throws for an OAuth error body: an Error named by the `error` code. */
function oauthError(error: string, description: string): Error {
  const e = new Error(description);
  e.name = error;
  return e;
}

const LOGIN = 'https://login.salesforce.com';

describe('classifyAuthError', () => {
  const cases: [string, unknown, new (...args: never[]) => SalesforceError, string][] = [
    ['revoked or expired token', oauthError('invalid_grant', 'expired access/refresh token'), ReauthRequiredError, 'token_expired_or_revoked'],
    [
      'refresh inside a data call (code lost)',
      new Error('Unable to refresh session due to: expired access/refresh token'),
      ReauthRequiredError,
      'token_expired_or_revoked',
    ],
    ['unknown key, refreshing inside a data call', new Error('Unable to refresh session due to: client identifier invalid'), AppPendingError, 'client_unknown'],
    ['inactive user', oauthError('invalid_grant', 'inactive user'), ReauthRequiredError, 'user_inactive'],
    ['locked org', oauthError('invalid_grant', 'inactive organization'), MisconfiguredError, 'org_inactive'],
    ['ip restriction', oauthError('invalid_grant', 'ip restricted'), MisconfiguredError, 'ip_restricted'],
    ['sandbox at the production host', oauthError('invalid_grant', 'authentication failure'), MisconfiguredError, 'wrong_org_type'],
    ['unknown consumer key', oauthError('invalid_client_id', 'client identifier invalid'), AppPendingError, 'client_unknown'],
    ['wrong consumer secret', oauthError('invalid_client', 'invalid client credentials'), MisconfiguredError, 'client_secret_invalid'],
    ['API disabled', oauthError('API_DISABLED_FOR_ORG', 'The REST API is not enabled for this Organization.'), MisconfiguredError, 'api_disabled'],
    ['API limit', oauthError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), TransientError, 'rate_limited'],
    ['maintenance page', oauthError('ERROR_HTTP_503', '<html>down</html>'), TransientError, 'server_error'],
    ['not a login server', oauthError('ERROR_HTTP_404', 'Not Found'), MisconfiguredError, 'unexpected_response'],
    [
      'network',
      Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }),
      TransientError,
      'network',
    ],
  ];
  for (const [what, err, type, reason] of cases) {
    test(what, () => {
      const c = classifyAuthError(err, LOGIN);
      assert.ok(c instanceof type, `${what}: got ${c.name}`);
      assert.equal(c.reason, reason);
      assert.ok(c.remedy.length > 20, 'a remedy a person can act on');
      assert.equal(c.cause, err);
    });
  }

  test('names the other login host for an authentication failure at a generic host, and not at a My Domain', () => {
    const atProduction = classifyAuthError(oauthError('invalid_grant', 'authentication failure'), LOGIN);
    assert.equal(atProduction.context.otherLoginUrl, 'https://test.salesforce.com');
    assert.match(atProduction.message, /may be a sandbox, which logs in at https:\/\/test\.salesforce\.com/);
    const atSandbox = classifyAuthError(oauthError('invalid_grant', 'authentication failure'), 'https://test.salesforce.com');
    assert.equal(atSandbox.context.otherLoginUrl, LOGIN);
    const atMyDomain = classifyAuthError(oauthError('invalid_grant', 'authentication failure'), 'https://acme.my.salesforce.com');
    assert.equal(atMyDomain.reason, 'login_failed');
  });

  test('reads an error answer without an OAuth body (jsforce loses name and text) as a server error', () => {
    // What jsforce throws for a 5xx whose body is a REST-style JSON error list.
    const err = Object.assign(new Error(), { name: undefined as unknown as string });
    const c = classifyAuthError(err, LOGIN);
    assert.ok(c instanceof TransientError);
    assert.equal(c.reason, 'server_error');
  });

  test('keeps the OAuth error code and passes typed errors through', () => {
    const c = classifyAuthError(oauthError('invalid_grant', 'expired access/refresh token'), LOGIN);
    assert.equal(c.oauthError, 'invalid_grant');
    assert.equal(c.state, 'reauth_required');
    assert.equal(classifyAuthError(c, LOGIN), c);
  });
});

describe('orgCredentialsSchema', () => {
  const names = { loginUrl: 'login-url', clientId: 'client-id', clientSecret: 'client-secret', refreshToken: 'refresh-token', apiVersion: 'api-version' };
  const base = { clientId: 'key', clientSecret: 'secret', refreshToken: 'token' };

  test('fills defaults and trims a trailing slash from the login URL', () => {
    assert.deepEqual(parseSettings(orgCredentialsSchema, base, names), { ...base, loginUrl: LOGIN, apiVersion: '62.0' });
    assert.equal(
      parseSettings(orgCredentialsSchema, { ...base, loginUrl: 'https://acme.my.salesforce.com/' }, names).loginUrl,
      'https://acme.my.salesforce.com',
    );
  });

  test('refuses Lightning URLs, non-http URLs and odd API versions, naming the setting', () => {
    for (const [raw, pattern, reason] of [
      [{ loginUrl: 'https://acme.lightning.force.com' }, /login-url is a Lightning URL/, 'malformed_url'],
      [{ loginUrl: 'ftp://login.salesforce.com' }, /login-url must be an http\(s\) URL/, 'malformed_url'],
      [{ apiVersion: 'v62' }, /api-version must look like 62\.0/, 'bad_input'],
      [{ refreshToken: '   ' }, /refresh-token is required/, 'missing_secret'],
      [{ clientSecret: '' }, /client-secret is required/, 'missing_secret'],
      [{ refreshToken: '5Aep861TSESvWeug%3D%3D' }, /refresh-token is not a Salesforce refresh token/, 'malformed_token'],
      [{ refreshToken: '"5Aep861TSESvWeug"' }, /refresh-token is not a Salesforce refresh token/, 'malformed_token'],
    ] as const) {
      assert.throws(
        () => parseSettings(orgCredentialsSchema, { ...base, ...raw }, names),
        (err: unknown) => err instanceof MisconfiguredError && err.reason === reason && pattern.test(err.message) && !err.message.includes('5Aep861'),
      );
    }
  });

  test('never puts a secret value into the error', () => {
    assert.throws(
      () => parseSettings(orgCredentialsSchema, { clientId: 'SECRET-KEY-VALUE', clientSecret: 'SECRET-VALUE', loginUrl: 'nope' }, names),
      (err: unknown) => err instanceof Error && !/SECRET/.test(err.message),
    );
  });
});

// defect 9: the other login host of the emulator's pair, named through SFBACKUP_LOGIN_HOSTS.
describe('knownLoginHosts', () => {
  const pair = { production: 'http://127.0.0.1:8484', sandbox: 'http://127.0.0.1:8485/' };

  test("adds the named pair to Salesforce's, which stays", () => {
    const hosts = knownLoginHosts({ SFBACKUP_LOGIN_HOSTS: JSON.stringify(pair) });
    assert.equal(otherLoginHost('http://127.0.0.1:8484/', hosts), 'http://127.0.0.1:8485');
    assert.equal(otherLoginHost('http://127.0.0.1:8485', hosts), 'http://127.0.0.1:8484');
    assert.equal(otherLoginHost(LOGIN, hosts), 'https://test.salesforce.com');
    assert.equal(otherLoginHost('https://acme.my.salesforce.com', hosts), undefined);
  });

  test('without the setting only Salesforce hosts have another host', () => {
    const hosts = knownLoginHosts({});
    assert.equal(otherLoginHost('http://127.0.0.1:8484', hosts), undefined);
    assert.equal(otherLoginHost('https://test.salesforce.com', hosts), LOGIN);
  });

  test('a malformed setting is a configuration error naming it', () => {
    assert.throws(
      () => knownLoginHosts({ SFBACKUP_LOGIN_HOSTS: '{"production":"ftp://x"}' }),
      (err: unknown) => err instanceof MisconfiguredError && /SFBACKUP_LOGIN_HOSTS/.test(err.message),
    );
  });
});
