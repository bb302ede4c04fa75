// The pieces of the browser login that need no Salesforce: PKCE, the authorize URL, and the callback
// server's answers to what a browser (or anything else on this machine) may send it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, test } from 'node:test';
import {
  buildAuthorizeUrl,
  type CallbackServer,
  createPkce,
  redirectUriFor,
  startCallbackServer,
  WebLoginError,
} from '../../../src/salesforce/auth/web-login.ts';

const callback = (o: { state?: string; timeoutMs?: number; signal?: AbortSignal; port?: number } = {}) =>
  startCallbackServer({
    port: o.port ?? 0,
    path: '/OauthRedirect',
    state: o.state ?? 's1',
    timeoutMs: o.timeoutMs ?? 30_000,
    orgLabel: 'org "prod" (https://login.salesforce.com)',
    ...(o.signal ? { signal: o.signal } : {}),
  });

async function get(server: CallbackServer, query: string, path = '/OauthRedirect'): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}${query}`);
  return { status: res.status, text: await res.text() };
}

async function rejection(p: Promise<unknown>): Promise<WebLoginError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof WebLoginError, String(e));
    return e;
  }
  assert.fail('expected the login to fail');
}

describe('PKCE and the authorize URL', () => {
  test('the verifier is 43-128 URL-safe characters and the challenge is its S256 hash', () => {
    const a = createPkce();
    const b = createPkce();
    assert.match(a.verifier, /^[A-Za-z0-9_-]{43,128}$/);
    assert.notEqual(a.verifier, b.verifier);
    assert.equal(a.challenge, createHash('sha256').update(a.verifier).digest('base64url'));
  });

  test('the URL carries everything the web-server flow with PKCE needs, on the org’s login host', () => {
    const url = new URL(
      buildAuthorizeUrl({
        loginUrl: 'https://acme--uat.sandbox.my.salesforce.com/',
        clientId: '3MVG9key',
        redirectUri: redirectUriFor(1717, 'OauthRedirect'),
        scope: 'api refresh_token',
        codeChallenge: 'ch',
        state: 'st',
        loginHint: 'me@acme.com',
      }),
    );
    assert.equal(url.origin + url.pathname, 'https://acme--uat.sandbox.my.salesforce.com/services/oauth2/authorize');
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      response_type: 'code',
      client_id: '3MVG9key',
      redirect_uri: 'http://localhost:1717/OauthRedirect',
      scope: 'api refresh_token',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
      state: 'st',
      prompt: 'login',
      login_hint: 'me@acme.com',
    });
  });
});

describe('the callback server', () => {
  test('answers other paths with 404 and keeps waiting; the code with a page that says to go back', async () => {
    const server = await callback();
    try {
      assert.equal((await get(server, '', '/favicon.ico')).status, 404);
      const page = await get(server, '?code=aPrx1&state=s1');
      assert.equal(page.status, 200);
      assert.match(page.text, /return to the terminal/);
      assert.deepEqual(await server.result, { code: 'aPrx1' });
      assert.equal((await get(server, '?code=again&state=s1')).status, 409, 'only the first answer counts');
    } finally {
      await server.close();
    }
  });

  test('a redirected error becomes a typed error with a remedy, and the page never echoes markup', async () => {
    const server = await callback();
    try {
      const page = await get(server, `?error=invalid_scope&error_description=${encodeURIComponent('<b>nope</b>')}&state=s1`);
      assert.equal(page.status, 400);
      assert.ok(!page.text.includes('<b>'));
      const e = await rejection(server.result);
      assert.equal(e.reason, 'authorize_error');
      assert.equal(e.oauthError, 'invalid_scope');
      assert.equal(e.state, 'misconfigured');
      assert.match(e.remedy, /refresh_token/);
    } finally {
      await server.close();
    }
  });

  test('a missing or wrong state is refused', async () => {
    const server = await callback();
    try {
      assert.equal((await get(server, '?code=aPrx1')).status, 400);
      assert.equal((await rejection(server.result)).reason, 'state_mismatch');
    } finally {
      await server.close();
    }
  });

  test('Ctrl-C (an abort) ends the wait cleanly', async () => {
    const controller = new AbortController();
    const server = await callback({ signal: controller.signal });
    controller.abort();
    const e = await rejection(server.result);
    assert.equal(e.state, 'aborted');
    assert.match(e.message, /Nothing was stored/);
    await server.close();
  });

  test('no login within the timeout ends the wait with a remedy', async () => {
    const server = await callback({ timeoutMs: 20 });
    const e = await rejection(server.result);
    assert.equal(e.reason, 'timeout');
    assert.match(e.remedy, /redirect_uri_mismatch/);
    await server.close();
  });

  test('a port in use fails with what to do about it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const e = await rejection(callback({ port }));
      assert.equal(e.reason, 'port_in_use');
      assert.match(e.remedy, new RegExp(`port ${port}`));
    } finally {
      blocker.close();
    }
  });
});
