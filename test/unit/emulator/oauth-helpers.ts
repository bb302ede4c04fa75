// Helpers shared by the oauth*.test.ts files: raw token calls, the browser leg of the web-server
// flow, and the control knobs the OAuth tests drive.
import assert from 'node:assert/strict';
import jsforce, { type Connection } from 'jsforce';
import type { Emulator, OrgSeed } from '../../emulators/salesforce/emulator.ts';
import { API_VERSION, control, creds } from '../../helpers/emulator.ts';

export const SMALL_ORGS: OrgSeed[] = [
  { alias: 'prod', sandbox: false, records: 2, seed: 1, name: 'Acme' },
  { alias: 'uat', sandbox: true, records: 2, seed: 2, name: 'Acme UAT' },
];

export const CALLBACK = 'http://localhost:1717/OauthRedirect';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: tests look at `text`
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** POST /services/oauth2/token with a form body, as any client would. */
export async function postToken(baseUrl: string, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${baseUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return reply(res);
}

export async function refreshAt(baseUrl: string, client: { clientId: string; clientSecret?: string }, refreshToken: string): Promise<Reply> {
  return postToken(baseUrl, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: client.clientId,
    ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
  });
}

/** Status of a REST call with this access token: 200 while the session lives, 401 after. */
export async function restStatus(instanceUrl: string, accessToken: string): Promise<number> {
  const res = await fetch(`${instanceUrl}/services/data/v${API_VERSION}/limits`, { headers: { authorization: `Bearer ${accessToken}` } });
  await res.arrayBuffer();
  return res.status;
}

export interface GrantReply {
  grantId: string;
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  loginUrl: string;
  instanceUrl: string;
  orgId: string;
  userId: string;
  username: string;
  evicted: string[];
}

/** An approval as a completed web login creates it. */
export function newGrant(emu: Emulator, body: Record<string, unknown>): Promise<GrantReply> {
  return control<GrantReply>(emu, 'POST', '/grants', body);
}

export interface UserReply {
  id: string;
  orgId: string;
  username: string;
  password: string;
}

export function newUser(emu: Emulator, org: string, body: Record<string, unknown> = {}): Promise<UserReply> {
  return control<UserReply>(emu, 'POST', `/orgs/${org}/users`, body);
}

export function advance(emu: Emulator, seconds: number): Promise<unknown> {
  return control(emu, 'POST', '/clock', { advanceSec: seconds });
}

export function appSettings(emu: Emulator, settings: Record<string, unknown>, app = 'default'): Promise<Record<string, unknown>> {
  return control(emu, 'POST', `/apps/${encodeURIComponent(app)}/settings`, settings);
}

export interface AppReply {
  name: string;
  consumerKey: string;
  consumerSecret: string;
}

export function newApp(emu: Emulator, body: Record<string, unknown> = {}): Promise<AppReply> {
  return control<AppReply>(emu, 'POST', '/apps', body);
}

/** A jsforce OAuth2 client of an org's login host. */
export function oauth2(
  emu: Emulator,
  alias: string,
  overrides: Partial<{ clientId: string; clientSecret: string; loginUrl: string; useVerifier: boolean }> = {},
) {
  const c = creds(emu, alias);
  return new jsforce.OAuth2({ clientId: c.clientId, clientSecret: c.clientSecret, loginUrl: c.loginUrl, redirectUri: CALLBACK, ...overrides });
}

/** A connection that only holds a refresh token: its first call gets 401 and refreshes. */
export function tokenConnection(loginUrl: string, instanceUrl: string, client: { clientId: string; clientSecret?: string }, refreshToken: string): Connection {
  return new jsforce.Connection({
    instanceUrl,
    refreshToken,
    version: API_VERSION,
    oauth2: { clientId: client.clientId, ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}), loginUrl },
  });
}

/** Plays the browser: follows /authorize to its 302 and returns the Location. */
export async function browse(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  await res.arrayBuffer();
  assert.equal(res.status, 302, `authorize answered ${res.status}`);
  const location = res.headers.get('location');
  assert.ok(location, 'a redirect needs a Location');
  return new URL(location);
}

/** The code out of a completed browser leg. */
export async function authorizeCode(url: string): Promise<string> {
  const loc = await browse(url);
  const code = loc.searchParams.get('code');
  assert.ok(code, `no code in ${loc.href}`);
  return code;
}
