// The web-server flow end to end: jsforce builds the authorization URL, fetch plays the browser
// (redirect: 'manual'), jsforce exchanges the code. PKCE, error pages, redirected errors, and the
// window in which a new Connected App is not yet known.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import jsforce from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../../helpers/emulator.ts';
import {
  advance,
  appSettings,
  authorizeCode,
  browse,
  CALLBACK,
  newApp,
  newUser,
  oauth2,
  postToken,
  refreshAt,
  restStatus,
  SMALL_ORGS,
} from './oauth-helpers.ts';

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

let emu: Emulator;
before(async () => {
  emu = await emulator({ orgs: SMALL_ORGS });
});
after(() => emu.close());

describe('authorization code with PKCE', () => {
  it('logs the default user in, redirects with code and state, and the code buys tokens through jsforce', async () => {
    const c = creds(emu, 'prod');
    const client = oauth2(emu, 'prod');
    const { verifier, challenge } = pkcePair();
    // jsforce sends no code_challenge_method: the emulator must read the challenge as S256.
    const url = client.getAuthorizationUrl({ scope: 'api refresh_token web', state: 'st@te 1/2', code_challenge: challenge });
    assert.ok(!url.includes('code_challenge_method'));
    const loc = await browse(url);
    assert.equal(`${loc.origin}${loc.pathname}`, CALLBACK);
    assert.equal(loc.searchParams.get('state'), 'st@te 1/2');
    const code = loc.searchParams.get('code') as string;
    assert.match(code, /^aPrx[A-Za-z0-9]+==$/);

    const conn = new jsforce.Connection({ oauth2: client, version: '62.0' });
    const info = await conn.authorize(code, { code_verifier: verifier });
    assert.equal(info.id, c.userId);
    assert.equal(info.organizationId, c.orgId);
    assert.equal(conn.instanceUrl, c.instanceUrl);
    assert.ok(conn.refreshToken, 'web login with the refresh_token scope issues a refresh token');
    assert.equal(await restStatus(c.instanceUrl, conn.accessToken as string), 200);
    const refreshed = await refreshAt(c.loginUrl, c, conn.refreshToken as string);
    assert.equal(refreshed.status, 200);
    const identity = await conn.identity();
    assert.equal(identity.username, c.username);
  });

  it('accepts the 171-character verifier of a jsforce OAuth2 built with useVerifier', async () => {
    const client = oauth2(emu, 'prod', { useVerifier: true });
    assert.ok((client.codeVerifier as string).length > 128);
    const code = await authorizeCode(client.getAuthorizationUrl({ scope: 'api refresh_token' }));
    const res = await client.requestToken(code);
    assert.ok(res.access_token);
    assert.ok(res.refresh_token);
    // jsforce then sends code_verifier on refreshes too; the refresh grant ignores it.
    const again = await client.refreshToken(res.refresh_token as string);
    assert.ok(again.access_token);
  });

  it('supports code_challenge_method=plain', async () => {
    const client = oauth2(emu, 'prod');
    const verifier = randomBytes(40).toString('base64url');
    const code = await authorizeCode(client.getAuthorizationUrl({ code_challenge: verifier, code_challenge_method: 'plain' } as Record<string, string>));
    const res = await client.requestToken(code, { code_verifier: verifier });
    assert.ok(res.access_token);
  });

  it('answers a missing or wrong verifier with invalid code verifier, and the code is spent', async () => {
    const c = creds(emu, 'prod');
    const client = oauth2(emu, 'prod');
    const { verifier, challenge } = pkcePair();
    const code = await authorizeCode(client.getAuthorizationUrl({ code_challenge: challenge }));
    await assert.rejects(client.requestToken(code, { code_verifier: `${verifier}x` }), { name: 'invalid_grant', message: 'invalid code verifier' });
    await assert.rejects(client.requestToken(code, { code_verifier: verifier }), { name: 'invalid_grant', message: 'invalid authorization code' });
    const code2 = await authorizeCode(client.getAuthorizationUrl({ code_challenge: challenge }));
    const missing = await postToken(c.loginUrl, {
      grant_type: 'authorization_code',
      code: code2,
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uri: CALLBACK,
    });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body, { error: 'invalid_grant', error_description: 'invalid code verifier' });
  });

  it('uses a code once, and not after 15 minutes', async () => {
    const client = oauth2(emu, 'prod');
    const code = await authorizeCode(client.getAuthorizationUrl({ scope: 'api' }));
    const res = await client.requestToken(code);
    assert.ok(res.access_token);
    assert.equal(res.refresh_token, undefined, 'no refresh_token scope, no refresh token');
    await assert.rejects(client.requestToken(code), { name: 'invalid_grant', message: 'invalid authorization code' });
    const late = await authorizeCode(client.getAuthorizationUrl({ scope: 'api' }));
    await advance(emu, 15 * 60 + 1);
    await assert.rejects(client.requestToken(late), { name: 'invalid_grant', message: 'expired authorization code' });
  });

  it('checks client id, secret and redirect_uri before the code', async () => {
    const c = creds(emu, 'prod');
    const code = await authorizeCode(oauth2(emu, 'prod').getAuthorizationUrl({ scope: 'api' }));
    const params = { grant_type: 'authorization_code', code, client_id: c.clientId, client_secret: c.clientSecret, redirect_uri: CALLBACK };
    assert.deepEqual((await postToken(c.loginUrl, { ...params, client_id: '3MVG9unknown' })).body, {
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
    assert.deepEqual((await postToken(c.loginUrl, { ...params, client_secret: '' })).body, {
      error: 'invalid_client',
      error_description: 'invalid client credentials',
    });
    // Registered, but not the one the code was issued for.
    assert.deepEqual((await postToken(c.loginUrl, { ...params, redirect_uri: 'http://localhost:8787/callback' })).body, {
      error: 'redirect_uri_mismatch',
      error_description: 'redirect_uri must match configuration',
    });
    assert.deepEqual((await postToken(c.loginUrl, { ...params, code: 'aPrxnotacode==' })).body, {
      error: 'invalid_grant',
      error_description: 'invalid authorization code',
    });
    assert.equal((await postToken(c.loginUrl, params)).status, 200, 'the failed attempts did not spend the code');
  });

  it('refuses /authorize without a code_challenge when the app requires PKCE', async () => {
    const app = await newApp(emu, { name: 'PKCE app', requirePkce: true });
    const client = new jsforce.OAuth2({ clientId: app.consumerKey, clientSecret: app.consumerSecret, loginUrl: emu.loginUrl, redirectUri: CALLBACK });
    const loc = await browse(client.getAuthorizationUrl({ state: 's' }));
    assert.equal(loc.searchParams.get('error'), 'invalid_request');
    assert.equal(loc.searchParams.get('error_description'), 'missing required code challenge');
    assert.equal(loc.searchParams.get('state'), 's');
    assert.equal(loc.searchParams.get('code'), null);
  });
});

describe('/authorize errors', () => {
  it('renders an HTML 400 page for an unknown client and for an unregistered redirect_uri', async () => {
    const c = creds(emu, 'prod');
    const cases: [string, string][] = [
      [`client_id=3MVG9unknown&redirect_uri=${encodeURIComponent(CALLBACK)}`, 'error=invalid_client_id'],
      [`client_id=${encodeURIComponent(c.clientId)}&redirect_uri=${encodeURIComponent('https://evil.example.com/cb')}`, 'error=redirect_uri_mismatch'],
    ];
    for (const [query, text] of cases) {
      const res = await fetch(`${c.loginUrl}/services/oauth2/authorize?response_type=code&${query}`, { redirect: 'manual' });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('location'), null);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.ok((await res.text()).includes(text));
    }
  });

  it('redirects access_denied while the deny knob is set', async () => {
    const client = oauth2(emu, 'prod');
    await control(emu, 'POST', '/oauth/authorize', { deny: true, times: 1 });
    const denied = await browse(client.getAuthorizationUrl({ state: 'abc' }));
    assert.equal(denied.search, '?error=access_denied&error_description=end-user%20denied%20authorization&state=abc');
    const next = await browse(client.getAuthorizationUrl({ state: 'abc' }));
    assert.ok(next.searchParams.get('code'), 'times: 1 let the next login through');
  });

  it('redirects unsupported_response_type and invalid_scope', async () => {
    const c = creds(emu, 'prod');
    const base = `${c.loginUrl}/services/oauth2/authorize?client_id=${encodeURIComponent(c.clientId)}&redirect_uri=${encodeURIComponent(CALLBACK)}&state=z`;
    const badType = await browse(`${base}&response_type=device`);
    assert.equal(badType.searchParams.get('error'), 'unsupported_response_type');
    assert.equal(badType.searchParams.get('error_description'), 'response type not supported');
    const badScope = await browse(`${base}&response_type=code&scope=${encodeURIComponent('api chatter_api')}`);
    assert.equal(badScope.searchParams.get('error'), 'invalid_scope');
    assert.equal(badScope.searchParams.get('state'), 'z');
  });

  it('redirects inactive_user for a deactivated user', async () => {
    const u = await newUser(emu, 'prod');
    await control(emu, 'POST', `/users/${u.id}/deactivate`);
    const loc = await browse(oauth2(emu, 'prod').getAuthorizationUrl({ login_hint: u.username } as Record<string, string>));
    assert.equal(loc.searchParams.get('error'), 'inactive_user');
  });
});

describe('who logs in', () => {
  it('logs in the login_hint user', async () => {
    const u = await newUser(emu, 'prod');
    const client = oauth2(emu, 'prod');
    const code = await authorizeCode(client.getAuthorizationUrl({ login_hint: u.username } as Record<string, string>));
    const conn = new jsforce.Connection({ oauth2: client });
    const info = await conn.authorize(code);
    assert.equal(info.id, u.id);
  });

  it('logs a sandbox user in on the test host, and refuses a sandbox user on the production login host', async () => {
    const uat = creds(emu, 'uat');
    const client = oauth2(emu, 'uat');
    assert.equal(client.loginUrl, emu.testLoginUrl);
    const code = await authorizeCode(client.getAuthorizationUrl({ scope: 'api refresh_token' }));
    const conn = new jsforce.Connection({ oauth2: client });
    assert.equal((await conn.authorize(code)).organizationId, uat.orgId);
    assert.equal(conn.instanceUrl, uat.instanceUrl);

    const onProdHost = oauth2(emu, 'uat', { loginUrl: emu.loginUrl });
    const res = await fetch(onProdHost.getAuthorizationUrl({ login_hint: uat.username } as Record<string, string>), { redirect: 'manual' });
    assert.equal(res.status, 200, 'the login page again, no redirect');
    assert.match(await res.text(), /Please check your username and password/);

    // A sandbox code taken to the production login host fails.
    const code2 = await authorizeCode(client.getAuthorizationUrl({ scope: 'api' }));
    const wrongHost = await postToken(emu.loginUrl, {
      grant_type: 'authorization_code',
      code: code2,
      client_id: uat.clientId,
      client_secret: uat.clientSecret,
      redirect_uri: CALLBACK,
    });
    assert.deepEqual(wrongHost.body, { error: 'invalid_grant', error_description: 'authentication failure' });
  });

  it('serves the user-agent flow with the tokens in the fragment', async () => {
    const c = creds(emu, 'prod');
    const url = `${c.loginUrl}/services/oauth2/authorize?response_type=token&client_id=${encodeURIComponent(c.clientId)}&redirect_uri=${encodeURIComponent(CALLBACK)}&scope=api&state=q`;
    const loc = await browse(url);
    const frag = new URLSearchParams(loc.hash.slice(1));
    assert.equal(loc.search, '');
    assert.equal(frag.get('instance_url'), c.instanceUrl);
    assert.equal(frag.get('state'), 'q');
    assert.equal(frag.get('token_type'), 'Bearer');
    assert.equal(await restStatus(c.instanceUrl, frag.get('access_token') as string), 200);
  });
});

describe('a Connected App right after it is created', () => {
  it('is unknown to both endpoints until propagationDelaySec has passed', async () => {
    const app = await newApp(emu, { name: 'Brand new', propagationDelaySec: 600 });
    const client = new jsforce.OAuth2({ clientId: app.consumerKey, clientSecret: app.consumerSecret, loginUrl: emu.loginUrl, redirectUri: CALLBACK });
    const page = await fetch(client.getAuthorizationUrl({ scope: 'api refresh_token' }), { redirect: 'manual' });
    assert.equal(page.status, 400);
    assert.ok((await page.text()).includes('error=invalid_client_id'));
    const early = await postToken(emu.loginUrl, {
      grant_type: 'refresh_token',
      refresh_token: 'x',
      client_id: app.consumerKey,
      client_secret: app.consumerSecret,
    });
    assert.deepEqual(early.body, { error: 'invalid_client_id', error_description: 'client identifier invalid' });

    await advance(emu, 599);
    assert.equal((await fetch(client.getAuthorizationUrl({}), { redirect: 'manual' })).status, 400);
    await advance(emu, 2);
    const code = await authorizeCode(client.getAuthorizationUrl({ scope: 'api refresh_token' }));
    const res = await client.requestToken(code);
    assert.ok(res.refresh_token);
  });
});

describe('approvals from web logins', () => {
  it('counts each web login toward the limit: the sixth evicts the oldest', async () => {
    const u = await newUser(emu, 'prod');
    await appSettings(emu, { maxApprovals: 5 });
    const client = oauth2(emu, 'prod');
    const tokens: string[] = [];
    for (let i = 0; i < 6; i++) {
      const code = await authorizeCode(client.getAuthorizationUrl({ scope: 'api refresh_token', login_hint: u.username } as Record<string, string>));
      tokens.push((await client.requestToken(code)).refresh_token as string);
    }
    const c = creds(emu, 'prod');
    assert.deepEqual((await refreshAt(c.loginUrl, c, tokens[0] as string)).body, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
    for (const t of tokens.slice(1)) assert.equal((await refreshAt(c.loginUrl, c, t)).status, 200);
    const live = await control<unknown[]>(emu, 'GET', `/grants?user=${u.id}&live=1`);
    assert.equal(live.length, 5);
  });
});
