// The token endpoint on the wire: success body, client authentication, validation order, the
// login/test/My Domain host rules and the grants other than the web-server flow.
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, createSign, generateKeyPairSync, type JsonWebKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import jsforce from 'jsforce';
import type { Emulator } from '../../emulators/salesforce/emulator.ts';
import { control, creds, emulator } from '../../helpers/emulator.ts';
import { appSettings, newApp, newGrant, newUser, postToken, refreshAt, restStatus, SMALL_ORGS } from './oauth-helpers.ts';

const ACCESS_TOKEN = /^(00D\w{12,15})![.\w]+$/;

let emu: Emulator;
before(async () => {
  emu = await emulator({ orgs: SMALL_ORGS });
});
after(() => emu.close());

describe('refresh_token grant', () => {
  it('answers with exactly the fields Salesforce sends, in its order, and no expires_in', async () => {
    const c = creds(emu, 'prod');
    const r = await refreshAt(c.loginUrl, c, c.refreshToken);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json;charset=UTF-8');
    assert.equal(r.headers.get('cache-control'), 'no-cache, no-store');
    assert.deepEqual(Object.keys(r.body), ['access_token', 'signature', 'scope', 'instance_url', 'id', 'token_type', 'issued_at']);
    const b = r.body as Record<string, string>;
    assert.match(b.access_token as string, ACCESS_TOKEN);
    assert.equal((b.access_token as string).split('!')[0], c.orgId);
    assert.equal(b.scope, 'api refresh_token web');
    assert.equal(b.instance_url, c.instanceUrl);
    assert.equal(b.id, `${c.loginUrl}/id/${c.orgId}/${c.userId}`);
    assert.equal(b.token_type, 'Bearer');
    assert.match(b.issued_at as string, /^\d{13}$/);
    const expected = createHmac('sha256', c.clientSecret).update(`${b.id}${b.issued_at}`).digest('base64');
    assert.equal(b.signature, expected);
    assert.equal(await restStatus(c.instanceUrl, b.access_token as string), 200);
  });

  it('is served on the test host and on the My Domain, and `id` names the host that answered', async () => {
    const uat = creds(emu, 'uat');
    const onTest = await refreshAt(emu.testLoginUrl, uat, uat.refreshToken);
    assert.equal(onTest.status, 200);
    assert.equal(onTest.body.id, `${emu.testLoginUrl}/id/${uat.orgId}/${uat.userId}`);
    assert.equal(onTest.body.instance_url, uat.instanceUrl);
    const onMyDomain = await refreshAt(uat.instanceUrl, uat, uat.refreshToken);
    assert.equal(onMyDomain.status, 200);
    assert.equal(onMyDomain.body.id, `${uat.instanceUrl}/id/${uat.orgId}/${uat.userId}`);
  });

  it('works through jsforce OAuth2#refreshToken and a connection that refreshes on its first 401', async () => {
    const c = creds(emu, 'prod');
    const oauth2 = new jsforce.OAuth2({ clientId: c.clientId, clientSecret: c.clientSecret, loginUrl: c.loginUrl });
    const res = await oauth2.refreshToken(c.refreshToken);
    assert.equal(res.instance_url, c.instanceUrl);
    const conn = new jsforce.Connection({ oauth2, instanceUrl: c.instanceUrl, refreshToken: c.refreshToken, version: '62.0' });
    const seen: string[] = [];
    conn.on('refresh', (token: string) => seen.push(token));
    const limits = await conn.request<Record<string, unknown>>('/services/data/v62.0/limits');
    assert.ok(limits.DailyApiRequests);
    assert.equal(seen.length, 1);
    assert.equal(conn.accessToken, seen[0]);
    assert.equal(conn.userInfo?.organizationId, c.orgId);
  });

  it('accepts client credentials through HTTP Basic, and the body wins when both are sent', async () => {
    const c = creds(emu, 'prod');
    const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });
    const viaBasic = await postToken(c.loginUrl, { grant_type: 'refresh_token', refresh_token: c.refreshToken }, basic(c.clientId, c.clientSecret));
    assert.equal(viaBasic.status, 200);
    const bodyWins = await postToken(
      c.loginUrl,
      { grant_type: 'refresh_token', refresh_token: c.refreshToken, client_id: c.clientId, client_secret: c.clientSecret },
      basic(c.clientId, 'wrong'),
    );
    assert.equal(bodyWins.status, 200);
    const bodyWrong = await postToken(
      c.loginUrl,
      { grant_type: 'refresh_token', refresh_token: c.refreshToken, client_id: c.clientId, client_secret: 'wrong' },
      basic(c.clientId, c.clientSecret),
    );
    assert.equal(bodyWrong.status, 400);
    assert.deepEqual(bodyWrong.body, { error: 'invalid_client', error_description: 'invalid client credentials' });
  });

  it('checks client id, then secret, then the token', async () => {
    const c = creds(emu, 'prod');
    const unknownClient = await refreshAt(c.loginUrl, { clientId: '3MVG9nope', clientSecret: 'x' }, 'bogus');
    assert.equal(unknownClient.status, 400);
    assert.deepEqual(unknownClient.body, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
    const wrongSecret = await refreshAt(c.loginUrl, { clientId: c.clientId, clientSecret: 'nope' }, 'bogus');
    assert.deepEqual(wrongSecret.body, { error: 'invalid_client', error_description: 'invalid client credentials' });
    const missingSecret = await refreshAt(c.loginUrl, { clientId: c.clientId }, c.refreshToken);
    assert.deepEqual(missingSecret.body, { error: 'invalid_client', error_description: 'invalid client credentials' });
    const badToken = await refreshAt(c.loginUrl, c, 'bogus');
    assert.equal(badToken.status, 400);
    assert.equal(badToken.headers.get('content-type'), 'application/json;charset=UTF-8');
    assert.deepEqual(badToken.body, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
  });

  it('lets a public client refresh without a secret when the app does not require one', async () => {
    const app = await newApp(emu, { name: 'Public CLI', requireSecretRefresh: false });
    const g = await newGrant(emu, { org: 'prod', app: app.consumerKey });
    const r = await refreshAt(g.loginUrl, { clientId: app.consumerKey }, g.refreshToken);
    assert.equal(r.status, 200);
    // A secret that is sent is still checked.
    const wrong = await refreshAt(g.loginUrl, { clientId: app.consumerKey, clientSecret: 'wrong' }, g.refreshToken);
    assert.deepEqual(wrong.body, { error: 'invalid_client', error_description: 'invalid client credentials' });
  });

  it('refuses a refresh token of another app', async () => {
    const other = await newApp(emu, { name: 'Other app' });
    const c = creds(emu, 'prod');
    const r = await refreshAt(c.loginUrl, { clientId: other.consumerKey, clientSecret: other.consumerSecret }, c.refreshToken);
    assert.deepEqual(r.body, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
  });

  it('surfaces errors through jsforce with the OAuth error as name and the description as message', async () => {
    const c = creds(emu, 'prod');
    const oauth2 = new jsforce.OAuth2({ clientId: c.clientId, clientSecret: c.clientSecret, loginUrl: c.loginUrl });
    await assert.rejects(oauth2.refreshToken('5Aep861unknown'), { name: 'invalid_grant', message: 'expired access/refresh token' });
    const stranger = new jsforce.OAuth2({ clientId: '3MVG9unknown', clientSecret: 'x', loginUrl: c.loginUrl });
    await assert.rejects(stranger.refreshToken(c.refreshToken), { name: 'invalid_client_id', message: 'client identifier invalid' });
  });

  it('returns an id_token signed with the key published at /id/keys when the grant has the openid scope', async () => {
    const g = await newGrant(emu, { org: 'prod', scopes: ['api', 'refresh_token', 'openid'] });
    const r = await refreshAt(g.loginUrl, g, g.refreshToken);
    assert.deepEqual(Object.keys(r.body), ['access_token', 'signature', 'scope', 'id_token', 'instance_url', 'id', 'token_type', 'issued_at']);
    const [head, payload, sig] = (r.body.id_token as string).split('.') as [string, string, string];
    const keys = (await (await fetch(`${g.loginUrl}/id/keys`)).json()) as { keys: JsonWebKey[] };
    const key = createPublicKey({ key: keys.keys[0] as JsonWebKey, format: 'jwk' });
    assert.ok(verify('RSA-SHA256', Buffer.from(`${head}.${payload}`), key, Buffer.from(sig, 'base64url')));
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(claims.aud, g.clientId);
    assert.equal(claims.sub, r.body.id);
  });
});

describe('production and sandbox login hosts', () => {
  it('refuses a sandbox refresh token on the production login host, and a production one on the test host', async () => {
    const uat = creds(emu, 'uat');
    const prod = creds(emu, 'prod');
    const expired = { error: 'invalid_grant', error_description: 'expired access/refresh token' };
    assert.deepEqual((await refreshAt(emu.loginUrl, uat, uat.refreshToken)).body, expired);
    assert.deepEqual((await refreshAt(emu.testLoginUrl, prod, prod.refreshToken)).body, expired);
    // Another org's My Domain does not know the token either.
    assert.deepEqual((await refreshAt(uat.instanceUrl, prod, prod.refreshToken)).body, expired);
    // The right hosts still work: the refusals did not revoke anything.
    assert.equal((await refreshAt(emu.testLoginUrl, uat, uat.refreshToken)).status, 200);
    assert.equal((await refreshAt(prod.instanceUrl, prod, prod.refreshToken)).status, 200);
  });

  it('fails a jsforce connection pointed at the wrong login host', async () => {
    const uat = creds(emu, 'uat');
    const conn = new jsforce.Connection({
      instanceUrl: uat.instanceUrl,
      refreshToken: uat.refreshToken,
      version: '62.0',
      oauth2: { clientId: uat.clientId, clientSecret: uat.clientSecret, loginUrl: emu.loginUrl },
    });
    await assert.rejects(conn.request('/services/data/v62.0/limits'), /expired access\/refresh token/);
  });

  it('answers a password login of a production user on the test host with authentication failure', async () => {
    const prod = creds(emu, 'prod');
    const user = (await control<{ password: string }>(emu, 'GET', `/users/${prod.userId}`)).password;
    const base = { grant_type: 'password', client_id: prod.clientId, client_secret: prod.clientSecret, username: prod.username, password: user };
    const wrongHost = await postToken(emu.testLoginUrl, base);
    assert.deepEqual(wrongHost.body, { error: 'invalid_grant', error_description: 'authentication failure' });
    const ok = await postToken(emu.loginUrl, base);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.refresh_token, undefined);
    assert.equal(ok.body.id, `${emu.loginUrl}/id/${prod.orgId}/${prod.userId}`);
  });
});

describe('password grant', () => {
  it('logs in through jsforce Connection#login with a client id and secret', async () => {
    const u = await newUser(emu, 'prod', { password: 's3cret!' });
    const c = creds(emu, 'prod');
    const conn = new jsforce.Connection({ oauth2: { clientId: c.clientId, clientSecret: c.clientSecret, loginUrl: c.loginUrl }, version: '62.0' });
    const info = await conn.login(u.username, 's3cret!');
    assert.equal(info.id, u.id);
    assert.equal(conn.instanceUrl, c.instanceUrl);
    assert.equal(await restStatus(c.instanceUrl, conn.accessToken as string), 200);
    await assert.rejects(
      new jsforce.Connection({ oauth2: { clientId: c.clientId, clientSecret: c.clientSecret, loginUrl: c.loginUrl } }).login(u.username, 'wrong'),
      { name: 'invalid_grant', message: 'authentication failure' },
    );
  });
});

describe('client_credentials grant', () => {
  it('is refused on the login hosts', async () => {
    const c = creds(emu, 'prod');
    const r = await postToken(c.loginUrl, { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret });
    assert.deepEqual(r.body, { error: 'invalid_grant', error_description: 'request not supported on this domain' });
  });

  it('needs a run-as user, then issues an access token and no refresh token or approval', async () => {
    const app = await newApp(emu, { name: 'Integration' });
    const c = creds(emu, 'prod');
    const params = { grant_type: 'client_credentials', client_id: app.consumerKey, client_secret: app.consumerSecret };
    const none = await postToken(c.instanceUrl, params);
    assert.deepEqual(none.body, { error: 'invalid_grant', error_description: 'no client credentials user enabled' });
    const runAs = await newUser(emu, 'prod', { username: 'integration@prod.example.com' });
    await appSettings(emu, { clientCredentialsUser: { org: 'prod', user: runAs.username } }, app.consumerKey);
    const wrongSecret = await postToken(c.instanceUrl, { ...params, client_secret: 'nope' });
    assert.deepEqual(wrongSecret.body, { error: 'invalid_client', error_description: 'invalid client credentials' });

    const conn = new jsforce.Connection({
      oauth2: { clientId: app.consumerKey, clientSecret: app.consumerSecret, loginUrl: c.instanceUrl },
      version: '62.0',
    });
    const info = await conn.authorize({ grant_type: 'client_credentials' });
    assert.equal(info.id, runAs.id);
    assert.equal(conn.refreshToken ?? undefined, undefined);
    assert.equal(conn.instanceUrl, c.instanceUrl);
    const raw = await postToken(c.instanceUrl, params);
    assert.deepEqual(Object.keys(raw.body), ['access_token', 'signature', 'scope', 'instance_url', 'id', 'token_type', 'issued_at']);
    assert.ok(!String(raw.body.scope).split(' ').includes('refresh_token'));
    assert.equal(raw.body.id, `${c.instanceUrl}/id/${c.orgId}/${runAs.id}`);
    const grants = await control<unknown[]>(emu, 'GET', `/grants?user=${runAs.id}`);
    assert.equal(grants.length, 0);
    // The sandbox's My Domain has no run-as user for this app.
    const uat = creds(emu, 'uat');
    assert.deepEqual((await postToken(uat.instanceUrl, params)).body, { error: 'invalid_grant', error_description: 'no client credentials user enabled' });
  });
});

describe('jwt-bearer grant', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const sign = (claims: Record<string, unknown>, key = privateKey) => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${enc({ alg: 'RS256' })}.${enc(claims)}`;
    return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
  };

  it('exchanges an assertion signed with the app certificate; bad signature, audience or approval fail', async () => {
    const app = await newApp(emu, { name: 'JWT app', jwtCertificate: publicKey.export({ type: 'spki', format: 'pem' }) });
    const c = creds(emu, 'prod');
    // The sf CLI signs exp in milliseconds: far future, and accepted.
    const claims = { iss: app.consumerKey, sub: c.username, aud: 'https://login.salesforce.com', exp: Date.now() + 300 };
    const grant = (assertion: string) => postToken(c.loginUrl, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    assert.deepEqual((await grant(sign(claims))).body, { error: 'invalid_grant', error_description: "user hasn't approved this consumer" });
    await appSettings(emu, { jwtPreAuthorized: [c.username] }, app.consumerKey);
    const ok = await grant(sign(claims));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.refresh_token, undefined);
    assert.equal(ok.body.instance_url, c.instanceUrl);
    const viaEmulatorUrl = await grant(sign({ ...claims, aud: c.loginUrl }));
    assert.equal(viaEmulatorUrl.status, 200);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    assert.deepEqual((await grant(sign(claims, other))).body, { error: 'invalid_grant', error_description: 'invalid assertion' });
    assert.deepEqual((await grant(sign({ ...claims, aud: 'https://test.salesforce.com' }))).body, {
      error: 'invalid_grant',
      error_description: 'Audience validation failed',
    });
    assert.deepEqual((await grant(sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 }))).body, {
      error: 'invalid_grant',
      error_description: 'invalid assertion',
    });
    assert.deepEqual((await grant(sign({ ...claims, iss: '3MVG9unknown' }))).body, {
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
  });
});

describe('grant types', () => {
  it('answers an unknown or missing grant_type with unsupported_grant_type', async () => {
    const c = creds(emu, 'prod');
    for (const params of [{ grant_type: 'implicit', client_id: c.clientId }, { client_id: c.clientId }] as Record<string, string>[]) {
      const r = await postToken(c.loginUrl, params);
      assert.equal(r.status, 400);
      assert.deepEqual(r.body, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    }
  });
});

describe('request log', () => {
  it('keeps secrets out: no client secret, refresh token or access token in any entry', async () => {
    const c = creds(emu, 'prod');
    const r = await refreshAt(c.loginUrl, c, c.refreshToken);
    const token = r.body.access_token as string;
    await fetch(`${c.loginUrl}/id/${c.orgId}/${c.userId}?format=json&oauth_token=${encodeURIComponent(token)}`).then((x) => x.arrayBuffer());
    await fetch(`${c.loginUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.refreshToken }),
    }).then((x) => x.arrayBuffer());
    const log = JSON.stringify(await control(emu, 'GET', '/requests'));
    assert.ok(log.includes('oauth_token=<redacted>'));
    for (const secret of [c.clientSecret, c.refreshToken, token]) assert.ok(!log.includes(secret), 'a secret leaked into the request log');
  });
});

describe('HTTPS listeners', () => {
  it('hands out the https instance URL to a request that came in over https', async () => {
    const { request } = await import('node:https');
    const { readFileSync } = await import('node:fs');
    const secure = await emulator({ https: true, orgs: [{ alias: 'prod', records: 1 }] });
    try {
      const c = creds(secure, 'prod');
      const ca = readFileSync(secure.caFile as string);
      const body = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: c.refreshToken,
        client_id: c.clientId,
        client_secret: c.clientSecret,
      }).toString();
      const out = await new Promise<Record<string, string>>((resolve, reject) => {
        const req = request(
          `${secure.loginUrlHttps}/services/oauth2/token`,
          { method: 'POST', ca, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => {
              text += d.toString();
            });
            res.on('end', () => resolve(JSON.parse(text) as Record<string, string>));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      const org = secure.state.orgs.get(c.orgId);
      assert.ok(org?.instanceUrlHttps?.startsWith('https://'));
      assert.equal(out.instance_url, org?.instanceUrlHttps);
      assert.equal(out.id, `${secure.loginUrlHttps}/id/${c.orgId}/${c.userId}`);
    } finally {
      await secure.close();
    }
  });
});
