// Shared test fixtures: an emulator per test file, jsforce connections to it, and the control API.
import jsforce, { type Connection } from 'jsforce';
import { type Emulator, type EmulatorOptions, type OrgCredentials, startEmulator } from '../emulators/salesforce/emulator.ts';

export const API_VERSION = '62.0';

export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ https: false, ...options });
}

export function creds(emu: Emulator, alias?: string): OrgCredentials {
  const c = alias ? emu.credentials.find((x) => x.alias === alias) : emu.credentials[0];
  if (!c) throw new Error(`no org ${alias}`);
  return c;
}

/** A jsforce connection that logs in the way the product does: refresh token + Connected App. */
export function refreshConnection(emu: Emulator, alias?: string, overrides: Partial<OrgCredentials> = {}): Connection {
  const c = { ...creds(emu, alias), ...overrides };
  return new jsforce.Connection({
    instanceUrl: c.instanceUrl,
    refreshToken: c.refreshToken,
    version: API_VERSION,
    oauth2: { clientId: c.clientId, clientSecret: c.clientSecret, loginUrl: c.loginUrl },
  });
}

/** A jsforce connection with a session minted through the control API (no OAuth involved). */
export async function sessionConnection(emu: Emulator, alias?: string): Promise<Connection> {
  const c = creds(emu, alias);
  const s = await control<{ accessToken: string; instanceUrl: string }>(emu, 'POST', `/orgs/${c.alias}/sessions`);
  return new jsforce.Connection({ instanceUrl: s.instanceUrl, accessToken: s.accessToken, version: API_VERSION });
}

/** Calls the emulator's /__emu control surface. */
export async function control<T = unknown>(emu: Emulator, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${emu.controlUrl}/__emu${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Raw HTTP against an org's instance with a bearer token, for wire-level assertions. */
export async function raw(
  url: string,
  init: RequestInit & { token?: string } = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}
