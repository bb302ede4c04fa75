// The OAuth 2.0 web-server flow with PKCE, as `sfbackup reauth` runs it for one org: a loopback
// callback server, the authorize URL for the org's login host, the browser leg (a person logs in),
// and the code exchanged for a refresh token. Nothing here stores anything: the caller verifies the
// token and decides where it goes. No token, code or verifier is ever put in a message.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuth2, type TokenResponse } from 'jsforce';
import { type AuthFailureState, ProductError } from '../../runtime/errors.ts';
import { classifyAuthError } from './connection.ts';

/** What the Salesforce CLI registers and what Connected Apps made for it commonly list. */
export const DEFAULT_CALLBACK_PORT = 1717;
export const DEFAULT_CALLBACK_PATH = '/OauthRedirect';
/** `refresh_token` is what makes Salesforce issue one; `api` is what the backups call. */
export const DEFAULT_SCOPE = 'api refresh_token';
export const DEFAULT_CALLBACK_TIMEOUT_MS = 5 * 60_000;

export type WebLoginReason =
  | 'access_denied'
  | 'authorize_error'
  | 'state_mismatch'
  | 'no_code'
  | 'no_refresh_token'
  | 'timeout'
  | 'aborted'
  | 'port_in_use'
  | 'bad_response';

/** The browser leg or the callback went wrong. `state` maps onto the CLI's exit codes. */
export class WebLoginError extends ProductError<WebLoginReason> {
  override readonly name = 'WebLoginError';
  readonly state: AuthFailureState | 'aborted';
  /** The OAuth `error` Salesforce redirected with, when it did. */
  readonly oauthError: string | undefined;

  constructor(d: { state: AuthFailureState | 'aborted'; reason: WebLoginReason; message: string; remedy: string; oauthError?: string }) {
    super(d);
    this.state = d.state;
    this.oauthError = d.oauthError;
  }
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

/** RFC 7636: 64 random bytes make an 86-character verifier (43..128 allowed); S256 challenge. */
export function createPkce(): Pkce {
  const verifier = randomBytes(64).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeUrlParams {
  loginUrl: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string;
  state: string;
  loginHint?: string;
}

export function buildAuthorizeUrl(p: AuthorizeUrlParams): string {
  const url = new URL('/services/oauth2/authorize', `${p.loginUrl.replace(/\/+$/, '')}/`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('scope', p.scope);
  url.searchParams.set('code_challenge', p.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', p.state);
  // Always the login form: a browser already logged in as someone else would otherwise approve silently.
  url.searchParams.set('prompt', 'login');
  if (p.loginHint) url.searchParams.set('login_hint', p.loginHint);
  return url.href;
}

/** The callback URL the Connected App must list, exactly (Salesforce compares it character by character). */
export function redirectUriFor(port: number, path: string): string {
  return `http://localhost:${port}${path.startsWith('/') ? path : `/${path}`}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(body);
}

export interface CallbackResult {
  code: string;
}

export interface CallbackServer {
  /** The port actually listened on (differs from the one asked for only when that was 0). */
  port: number;
  redirectUri: string;
  /** Settles with the code, or a WebLoginError for a denial, a state mismatch, the timeout or an abort. */
  result: Promise<CallbackResult>;
  close(): Promise<void>;
}

export interface CallbackServerOptions {
  port: number;
  path: string;
  state: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** What to tell the person in the messages (the org and its login host). */
  orgLabel: string;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function oauthErrorRemedy(error: string, orgLabel: string): { state: AuthFailureState; remedy: string } {
  switch (error) {
    case 'access_denied':
      return { state: 'reauth_required', remedy: `Run the command again and choose Allow on the Salesforce page for ${orgLabel}.` };
    case 'invalid_scope':
      return {
        state: 'misconfigured',
        remedy:
          'Add the scopes "Manage user data via APIs (api)" and "Perform requests at any time (refresh_token, offline_access)" to the Connected App, or pass --scope with scopes it allows.',
      };
    case 'inactive_user':
      return { state: 'reauth_required', remedy: 'Log in as an active user, or reactivate (unfreeze) the user in Setup → Users.' };
    case 'inactive_org':
      return { state: 'misconfigured', remedy: 'The org is locked or inactive; check it in Salesforce, and remove it from the config if it is gone.' };
    case 'rate_limit_exceeded':
      return { state: 'transient', remedy: 'Salesforce is limiting logins for now; wait a few minutes and run the command again.' };
    default:
      return {
        state: 'misconfigured',
        remedy: 'Check the Connected App settings (OAuth enabled, scopes api and refresh_token, the callback URL), then run the command again.',
      };
  }
}

/**
 * Listens on 127.0.0.1 (and [::1] when it can: `localhost` may resolve to either) for the one
 * redirect back from Salesforce. The first request to the callback path decides the outcome.
 */
export async function startCallbackServer(o: CallbackServerOptions): Promise<CallbackServer> {
  let settle!: { resolve: (r: CallbackResult) => void; reject: (e: WebLoginError) => void };
  const result = new Promise<CallbackResult>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A rejection nobody awaited yet must not crash the process; the caller awaits `result` later.
  result.catch(() => {});
  let done = false;
  const finish = (outcome: CallbackResult | WebLoginError) => {
    if (done) return;
    done = true;
    if (outcome instanceof WebLoginError) settle.reject(outcome);
    else settle.resolve(outcome);
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== o.path) {
      page(res, 404, 'Not found', 'This address only receives the login redirect from Salesforce.');
      return;
    }
    if (done) {
      page(res, 409, 'Already handled', 'This login was already completed or cancelled; return to the terminal.');
      return;
    }
    const q = url.searchParams;
    if (q.get('state') !== o.state) {
      page(res, 400, 'Login refused', 'The answer did not belong to the login started in the terminal (state mismatch). Nothing was stored.');
      finish(
        new WebLoginError({
          state: 'transient',
          reason: 'state_mismatch',
          message: 'The browser came back with a login that was not the one this command started (the state parameter did not match). Nothing was stored.',
          remedy: 'Run the command again and use the URL it prints; close older Salesforce login tabs first.',
        }),
      );
      return;
    }
    const error = q.get('error');
    if (error) {
      const description = q.get('error_description') ?? '';
      const { state, remedy } = oauthErrorRemedy(error, o.orgLabel);
      page(res, 400, 'Login not completed', `Salesforce answered ${error}${description ? `: ${description}` : ''}. Nothing was stored; see the terminal.`);
      finish(
        new WebLoginError({
          state,
          reason: error === 'access_denied' ? 'access_denied' : 'authorize_error',
          oauthError: error,
          message: `Salesforce did not authorize ${o.orgLabel}: ${error}${description ? ` (${description})` : ''}. Nothing was stored.`,
          remedy,
        }),
      );
      return;
    }
    const code = q.get('code');
    if (!code) {
      page(res, 400, 'Login not completed', 'Salesforce sent neither a code nor an error. Nothing was stored; see the terminal.');
      finish(
        new WebLoginError({
          state: 'misconfigured',
          reason: 'no_code',
          message: 'Salesforce redirected back without an authorization code. Nothing was stored.',
          remedy: 'Run the command again; if it repeats, check that the Connected App uses the web-server flow (OAuth settings enabled).',
        }),
      );
      return;
    }
    page(res, 200, 'Salesforce login received', 'You can close this tab and return to the terminal, which verifies the login and stores it.');
    finish({ code });
  };

  const servers = [http.createServer(handler)];
  const first = servers[0] as http.Server;
  try {
    await listen(first, o.port, '127.0.0.1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WebLoginError({
      state: 'misconfigured',
      reason: 'port_in_use',
      message: `Cannot receive the login redirect on port ${o.port} of this machine (${code ?? (e as Error).message}).`,
      remedy: `Stop what is using port ${o.port} (another sfbackup reauth or sf org login?), or pass --port with a port whose http://localhost:PORT${o.path} is listed among the Connected App's callback URLs.`,
    });
  }
  const port = (first.address() as AddressInfo).port;
  const v6 = http.createServer(handler);
  try {
    await listen(v6, port, '::1');
    servers.push(v6);
  } catch {
    // No IPv6 loopback here (or the port is taken there): browsers fall back to 127.0.0.1.
  }

  const timer = setTimeout(
    () =>
      finish(
        new WebLoginError({
          state: 'transient',
          reason: 'timeout',
          message: `No login came back within ${Math.round(o.timeoutMs / 1000)} seconds. Nothing was stored.`,
          remedy:
            'Run the command again and finish the login in the browser. If the browser showed "OAuth Error" with redirect_uri_mismatch, add the callback URL to the Connected App; with invalid_client_id, the app is new or changed: wait up to 10 minutes.',
        }),
      ),
    o.timeoutMs,
  );
  timer.unref();
  const onAbort = () =>
    finish(
      new WebLoginError({
        state: 'aborted',
        reason: 'aborted',
        message: 'Cancelled before the login completed. Nothing was stored.',
        remedy: 'Run the command again when you are ready to log in.',
      }),
    );
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener('abort', onAbort, { once: true });

  const close = async () => {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    // The answer page is sent with `connection: close`; give it a moment to reach the browser.
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeIdleConnections();
            setTimeout(() => s.closeAllConnections(), 1000).unref();
          }),
      ),
    );
  };
  return { port, redirectUri: redirectUriFor(port, o.path), result, close };
}

/** Best effort: a missing opener, a headless machine or a failing command must not stop the login. */
export function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // the URL is printed anyway
  }
}

export interface TokenGrant {
  refreshToken: string;
  accessToken: string;
  instanceUrl: string;
  orgId: string;
  userId: string;
  scope: string | undefined;
}

/**
 * The code for tokens. Through jsforce's OAuth2 rather than a hand-made POST: it is the client the
 * backups log in with (same proxy and TLS handling), and its errors carry the OAuth `error` code as
 * their name, which classifyAuthError already turns into states and remedies.
 */
export async function exchangeCode(p: {
  loginUrl: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  code: string;
  verifier: string;
}): Promise<TokenGrant> {
  const oauth2 = new OAuth2({
    loginUrl: p.loginUrl,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
    ...(p.clientSecret ? { clientSecret: p.clientSecret } : {}),
  });
  let res: TokenResponse;
  try {
    res = await oauth2.requestToken(p.code, { code_verifier: p.verifier });
  } catch (err) {
    throw classifyAuthError(err, p.loginUrl);
  }
  const ids = typeof res?.id === 'string' ? new URL(res.id).pathname.split('/').filter(Boolean).slice(-2) : [];
  if (typeof res?.access_token !== 'string' || typeof res.instance_url !== 'string' || !ids[0]?.startsWith('00D') || !ids[1]?.startsWith('005')) {
    throw new WebLoginError({
      state: 'misconfigured',
      reason: 'bad_response',
      message: `${p.loginUrl} did not answer the code exchange like a Salesforce login server.`,
      remedy: 'Check the login URL: https://login.salesforce.com, https://test.salesforce.com, or the org’s My Domain URL.',
    });
  }
  if (typeof res.refresh_token !== 'string' || res.refresh_token === '') {
    throw new WebLoginError({
      state: 'misconfigured',
      reason: 'no_refresh_token',
      message: 'Salesforce completed the login but issued no refresh token. Nothing was stored.',
      remedy:
        'Add "Perform requests at any time (refresh_token, offline_access)" to the Connected App’s selected OAuth scopes, and keep refresh_token in --scope.',
    });
  }
  return {
    refreshToken: res.refresh_token,
    accessToken: res.access_token,
    instanceUrl: res.instance_url,
    orgId: ids[0],
    userId: ids[1],
    scope: typeof res.scope === 'string' ? res.scope : undefined,
  };
}

/**
 * Gives back an approval this command will not use (the login went to the wrong org, or its token
 * could not be stored), so it does not count toward the user's five. Best effort: a failure changes
 * nothing for the person, who is already being told what went wrong.
 */
export async function revokeRefreshToken(loginUrl: string, refreshToken: string): Promise<boolean> {
  try {
    await new OAuth2({ loginUrl }).revokeToken(refreshToken);
    return true;
  } catch {
    return false;
  }
}

/**
 * Side-effect-free check that the login host knows the consumer key (and secret) before a person is
 * sent to the browser: an unknown app would only show them an "OAuth Error" page there. A made-up
 * code gets `invalid_grant` from a known app, `invalid_client_id` from one that is unknown or still
 * propagating, `invalid_client` for a wrong secret. Some servers check the redirect URI before the
 * code: `redirect_uri_mismatch` also means the app is known, and hints that the callback URL is not
 * registered (`callbackListed: false`).
 */
export async function preflightClient(p: {
  loginUrl: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
}): Promise<{ callbackListed: boolean | undefined }> {
  const oauth2 = new OAuth2({
    loginUrl: p.loginUrl,
    clientId: p.clientId,
    redirectUri: p.redirectUri,
    ...(p.clientSecret ? { clientSecret: p.clientSecret } : {}),
  });
  try {
    await oauth2.requestToken(`sfbackup-preflight-${randomBytes(8).toString('hex')}`, { code_verifier: createPkce().verifier });
  } catch (err) {
    if (err instanceof Error && err.name === 'invalid_grant') return { callbackListed: undefined };
    if (err instanceof Error && err.name === 'redirect_uri_mismatch') return { callbackListed: false };
    throw classifyAuthError(err, p.loginUrl);
  }
  // A made-up code cannot succeed; a server that says it did is not Salesforce.
  throw new WebLoginError({
    state: 'misconfigured',
    reason: 'bad_response',
    message: `${p.loginUrl} accepted a made-up authorization code: it does not behave like a Salesforce login server.`,
    remedy: 'Check the login URL: https://login.salesforce.com, https://test.salesforce.com, or the org’s My Domain URL.',
  });
}

export interface WebLoginOptions {
  loginUrl: string;
  clientId: string;
  clientSecret?: string;
  port?: number;
  callbackPath?: string;
  scope?: string;
  timeoutMs?: number;
  loginHint?: string;
  signal?: AbortSignal;
  orgLabel: string;
  /**
   * Shows the URL to the person (print it, open a browser) and returns; a test plays the browser
   * here. The login settles only after it has returned.
   */
  onAuthorizeUrl: (url: string, redirectUri: string) => void | Promise<void>;
}

/** What the browser leg yields: a one-time code, and what its exchange needs. */
export interface AuthorizationCode {
  code: string;
  verifier: string;
  redirectUri: string;
}

/** The browser leg: start the callback server, hand out the URL, wait for the redirect. */
export async function authorizeInBrowser(o: WebLoginOptions): Promise<AuthorizationCode> {
  const pkce = createPkce();
  const state = randomBytes(24).toString('base64url');
  const path = o.callbackPath ?? DEFAULT_CALLBACK_PATH;
  const server = await startCallbackServer({
    port: o.port ?? DEFAULT_CALLBACK_PORT,
    path: path.startsWith('/') ? path : `/${path}`,
    state,
    timeoutMs: o.timeoutMs ?? DEFAULT_CALLBACK_TIMEOUT_MS,
    orgLabel: o.orgLabel,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  let shown: Promise<void> = Promise.resolve();
  try {
    const url = buildAuthorizeUrl({
      loginUrl: o.loginUrl,
      clientId: o.clientId,
      redirectUri: server.redirectUri,
      scope: o.scope ?? DEFAULT_SCOPE,
      codeChallenge: pkce.challenge,
      state,
      ...(o.loginHint ? { loginHint: o.loginHint } : {}),
    });
    // Runs beside the wait (a test's "browser" requests the callback from in here); if it fails, the
    // login fails with its error instead of waiting for the timeout.
    shown = Promise.resolve().then(() => o.onAuthorizeUrl(url, server.redirectUri));
    const { code } = await Promise.race([server.result, shown.then(() => server.result)]);
    return { code, verifier: pkce.verifier, redirectUri: server.redirectUri };
  } finally {
    await shown.catch(() => {});
    await server.close();
  }
}

/** One browser login and its code exchange; `retry` wraps the exchange (the activation window). */
export async function webLogin(o: WebLoginOptions & { retry?: <T>(fn: () => Promise<T>) => Promise<T> }): Promise<TokenGrant> {
  const auth = await authorizeInBrowser(o);
  const exchange = () =>
    exchangeCode({
      loginUrl: o.loginUrl,
      clientId: o.clientId,
      redirectUri: auth.redirectUri,
      code: auth.code,
      verifier: auth.verifier,
      ...(o.clientSecret ? { clientSecret: o.clientSecret } : {}),
    });
  return o.retry ? o.retry(exchange) : exchange();
}
