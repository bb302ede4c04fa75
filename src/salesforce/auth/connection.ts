// Logging in to one org the way the product always does: a Connected App's consumer key and secret
// plus a stored refresh token, through jsforce's OAuth2 refresh. Shared by the action and the CLI.
import { Connection, OAuth2, type TokenResponse } from 'jsforce';
import { knownLoginHosts, type LoginHosts, type OrgCredentials } from '../../config/credentials.ts';
import { AppPendingError, MisconfiguredError, ReauthRequiredError, SalesforceError, TransientError } from '../../runtime/auth-errors.ts';

export { DEFAULT_LOGIN_HOSTS, knownLoginHosts, LOGIN_HOSTS_ENV, type LoginHosts } from '../../config/credentials.ts';

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

function pairs(hosts: LoginHosts | readonly LoginHosts[] | undefined): readonly LoginHosts[] {
  if (hosts === undefined) return knownLoginHosts();
  return Array.isArray(hosts) ? hosts : [hosts as LoginHosts];
}

/** Which generic host a login URL is, or undefined for a My Domain (which serves one org of either kind). */
export function genericHostKind(loginUrl: string, hosts?: LoginHosts | readonly LoginHosts[]): 'production' | 'sandbox' | undefined {
  for (const pair of pairs(hosts)) {
    if (sameUrl(loginUrl, pair.production)) return 'production';
    if (sameUrl(loginUrl, pair.sandbox)) return 'sandbox';
  }
  return undefined;
}

/** The generic host of the other org kind: where a token refused at `loginUrl` may belong. */
export function otherLoginHost(loginUrl: string, hosts?: LoginHosts | readonly LoginHosts[]): string | undefined {
  for (const pair of pairs(hosts)) {
    if (sameUrl(loginUrl, pair.production)) return pair.sandbox;
    if (sameUrl(loginUrl, pair.sandbox)) return pair.production;
  }
  return undefined;
}

const LOGIN_URL_REMEDY =
  "Check the login URL: production orgs use https://login.salesforce.com, sandboxes https://test.salesforce.com, or use the org's My Domain URL.";
const REAUTHORIZE = 'Re-authorize the org (log in to Salesforce again through the Connected App) and store the new refresh token in the secret.';

export interface OrgSession {
  conn: Connection;
  orgId: string;
  userId: string;
  instanceUrl: string;
  /** Set when the org rotates refresh tokens: the token logged in with is dead from now on. */
  rotatedRefreshToken?: string;
}

export interface ConnectOptions {
  /** Called with every secret the login produces (access tokens, rotated refresh tokens) before it is used. */
  onSecret?: (value: string) => void;
  /** The generic login hosts, to name the other one when a login is refused (default: knownLoginHosts()). */
  loginHosts?: LoginHosts | readonly LoginHosts[];
}

/** Org and user ids are the last two segments of the identity URL that the token response carries. */
function identityIds(idUrl: string): { orgId: string; userId: string } {
  const [orgId, userId] = new URL(idUrl).pathname.split('/').filter(Boolean).slice(-2);
  if (!orgId?.startsWith('00D') || !userId?.startsWith('005')) {
    throw new TransientError({
      reason: 'unexpected_response',
      message: 'Salesforce answered the login with an identity URL that names no org and user.',
      remedy: 'Retry later; if it persists, check that the login URL points at Salesforce.',
    });
  }
  return { orgId, userId };
}

/** Logs in with the refresh token and returns a connection that refreshes itself when its session ends. */
export async function connect(creds: OrgCredentials, options: ConnectOptions = {}): Promise<OrgSession> {
  const onSecret = options.onSecret ?? (() => {});
  const oauth2 = new OAuth2({ loginUrl: creds.loginUrl, clientId: creds.clientId, clientSecret: creds.clientSecret });
  let token: TokenResponse;
  try {
    token = await oauth2.refreshToken(creds.refreshToken);
  } catch (err) {
    throw classifyAuthError(err, creds.loginUrl, options.loginHosts);
  }
  if (typeof token?.access_token !== 'string' || typeof token.instance_url !== 'string' || typeof token.id !== 'string') {
    throw new MisconfiguredError({
      reason: 'unexpected_response',
      message: `The login URL ${creds.loginUrl} did not answer like a Salesforce login server (no access token in the response).`,
      remedy: LOGIN_URL_REMEDY,
    });
  }
  onSecret(token.access_token);
  if (token.refresh_token) onSecret(token.refresh_token);
  const { orgId, userId } = identityIds(token.id);
  const conn = new Connection({
    oauth2,
    instanceUrl: token.instance_url,
    accessToken: token.access_token,
    refreshToken: token.refresh_token ?? creds.refreshToken,
    version: creds.apiVersion,
  });
  const session: OrgSession = { conn, orgId, userId, instanceUrl: token.instance_url };
  if (token.refresh_token) session.rotatedRefreshToken = token.refresh_token;
  // jsforce refreshes on its own when a session ends but never keeps a rotated refresh token.
  conn.on('refresh', (accessToken: string, res?: TokenResponse) => {
    onSecret(accessToken);
    if (res?.refresh_token) {
      onSecret(res.refresh_token);
      conn.refreshToken = res.refresh_token;
      session.rotatedRefreshToken = res.refresh_token;
    }
  });
  return session;
}

/**
 * connect(), and when a generic login host refuses the token as dead, one more try at the other
 * kind's host: Salesforce answers a sandbox token at login.salesforce.com (and a production token at
 * test.salesforce.com) exactly as it answers a revoked one, and only the other host can tell. The
 * action's token lifecycle (auth-lifecycle.ts) does the same, and also stores a token the probe rotated.
 */
export async function connectChecked(creds: OrgCredentials, options: ConnectOptions = {}): Promise<OrgSession> {
  try {
    return await connect(creds, options);
  } catch (err) {
    const e = classifyAuthError(err, creds.loginUrl, options.loginHosts);
    const other = otherLoginHost(creds.loginUrl, options.loginHosts);
    if (!(e instanceof ReauthRequiredError) || e.reason !== 'token_expired_or_revoked' || !other) throw e;
    let probe: OrgSession;
    try {
      probe = await connect({ ...creds, loginUrl: other }, options);
    } catch {
      // Not the other kind's token either: it really is dead.
      throw e;
    }
    throw wrongLoginHost(creds.loginUrl, other, options.loginHosts, probe.rotatedRefreshToken !== undefined);
  }
}

/** The token belongs to the other org kind: `other` accepted it. */
export function wrongLoginHost(loginUrl: string, other: string, hosts: LoginHosts | readonly LoginHosts[] | undefined, rotated: boolean): MisconfiguredError {
  const kind = genericHostKind(loginUrl, hosts);
  const actual = kind === 'production' ? 'sandbox' : 'production';
  return new MisconfiguredError({
    reason: 'wrong_org_type',
    message:
      `Salesforce refused the refresh token at ${loginUrl}, the ${kind} login host, and accepted it at ${other}, the ${actual} login host: the token belongs to a ${actual === 'sandbox' ? 'sandbox' : 'production org'}.` +
      (rotated ? ' The org rotates refresh tokens, so accepting it there replaced the token: re-authorize the org as well.' : ''),
    remedy: `Log in at ${other}: set the login URL to ${other} (--login-url or SF_LOGIN_URL; the login-url input; or \`type: ${actual}\` in .github/salesforce-backup.yml), or use the org's My Domain URL.`,
    context: { otherLoginUrl: other, otherLoginUrlConfirmed: true, actualKind: actual },
  });
}

/** For refreshes inside a data call, where jsforce keeps only the description. */
const OAUTH_CODE_BY_DESCRIPTION: Record<string, string> = {
  'expired access/refresh token': 'invalid_grant',
  'client identifier invalid': 'invalid_client_id',
  'invalid client credentials': 'invalid_client',
};

/**
 * Turns what jsforce throws during a login into a typed error. OAuth failures arrive as an Error whose
 * `name` is the OAuth `error` code; a refresh inside a data call loses the code and keeps only the text.
 */
export function classifyAuthError(err: unknown, loginUrl: string, loginHosts?: LoginHosts | readonly LoginHosts[]): SalesforceError {
  if (err instanceof SalesforceError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const description = e.message.replace(/^Unable to refresh session due to: /, '');
  // OAuth codes are lower_snake (`invalid_grant`), jsforce's own are UPPER_SNAKE (`ERROR_HTTP_503`);
  // `TypeError` and friends are JavaScript's.
  const code = /^(?:[a-z_]+|[A-Z0-9_]+)$/.test(e.name) ? e.name : OAUTH_CODE_BY_DESCRIPTION[description.toLowerCase()];
  const said = `Salesforce said: ${code ? `${code}: ` : ''}${description}`;
  const base = { cause: err, ...(code ? { oauthError: code } : {}) };

  if (code === 'invalid_grant' || /expired access\/refresh token|inactive (?:user|organization)|ip restricted|authentication failure/i.test(description)) {
    if (/inactive organization/i.test(description)) {
      return new MisconfiguredError({
        ...base,
        reason: 'org_inactive',
        message: `The org is inactive or locked. ${said}`,
        remedy: 'Check the org in Salesforce (an expired trial, a locked or deleted org) and remove it from the backups if it is gone.',
      });
    }
    if (/inactive user/i.test(description)) {
      return new ReauthRequiredError({
        ...base,
        reason: 'user_inactive',
        message: `The user behind the refresh token is inactive or frozen. ${said}`,
        remedy: `Reactivate the integration user in Salesforce Setup, or ${REAUTHORIZE.charAt(0).toLowerCase()}${REAUTHORIZE.slice(1)}`,
      });
    }
    if (/ip restricted/i.test(description)) {
      return new MisconfiguredError({
        ...base,
        reason: 'ip_restricted',
        message: `Salesforce refused the login from this network address. ${said}`,
        remedy: "Relax the Connected App's IP restrictions (or the user profile's login IP ranges) for the runners' addresses.",
      });
    }
    const other = otherLoginHost(loginUrl, loginHosts);
    if (/authentication failure/i.test(description) && other) {
      // Salesforce's answer when an org logs in at the other kind's generic host (§1.12).
      const kind = genericHostKind(loginUrl, loginHosts);
      return new MisconfiguredError({
        ...base,
        reason: 'wrong_org_type',
        message: `Salesforce refused the login at ${loginUrl}, the ${kind} login host: the org may be a ${kind === 'production' ? 'sandbox' : 'production org'}, which logs in at ${other}. ${said}`,
        remedy: `Set the org's type to ${kind === 'production' ? 'sandbox' : 'production'} (login host ${other}), or use the org's My Domain URL.`,
        context: { otherLoginUrl: other, otherLoginUrlConfirmed: false, actualKind: kind === 'production' ? 'sandbox' : 'production' },
      });
    }
    if (/authentication failure/i.test(description)) {
      return new MisconfiguredError({
        ...base,
        reason: 'login_failed',
        message: `Salesforce refused the login at ${loginUrl}. ${said}`,
        remedy: LOGIN_URL_REMEDY,
      });
    }
    return new ReauthRequiredError({
      ...base,
      reason: 'token_expired_or_revoked',
      message: `The refresh token was revoked or has expired (invalid_grant). ${said}`,
      remedy: REAUTHORIZE,
    });
  }
  if (code === 'invalid_client_id') {
    return new AppPendingError({
      ...base,
      reason: 'client_unknown',
      message: `Salesforce does not know this consumer key. ${said}`,
      remedy:
        'If the Connected App was created or changed in the last 10 minutes, wait and retry; otherwise set the client id to the Consumer Key of the Connected App that issued the refresh token.',
    });
  }
  if (code === 'invalid_client') {
    return new MisconfiguredError({
      ...base,
      reason: 'client_secret_invalid',
      message: `Salesforce rejected the consumer secret. ${said}`,
      remedy: 'Set the client secret to the Consumer Secret of the Connected App (Setup > App Manager > View > Manage Consumer Details).',
    });
  }
  if (code === 'API_DISABLED_FOR_ORG' || code === 'API_CURRENTLY_DISABLED') {
    return new MisconfiguredError({
      ...base,
      reason: 'api_disabled',
      message: `The org does not allow API access for this user. ${said}`,
      remedy: 'Use an edition with API access (Enterprise, Unlimited, Developer) and give the user the "API Enabled" permission.',
    });
  }
  if (code === 'REQUEST_LIMIT_EXCEEDED' || code === 'ERROR_HTTP_420' || code === 'ERROR_HTTP_429') {
    return new TransientError({
      ...base,
      reason: 'rate_limited',
      message: `Salesforce is refusing requests for now (API limit). ${said}`,
      remedy: "Retry after the org's 24-hour API allowance recovers, or lower how often backups run.",
    });
  }
  if (code && /^ERROR_HTTP_5\d\d$/.test(code)) {
    return new TransientError({
      ...base,
      reason: 'server_error',
      message: `Salesforce answered the login with a server error (${code.slice('ERROR_HTTP_'.length)}).`,
      remedy: 'Retry later; check https://status.salesforce.com for an ongoing incident.',
    });
  }
  if (code?.startsWith('ERROR_HTTP_')) {
    return new MisconfiguredError({
      ...base,
      reason: 'unexpected_response',
      message: `The login URL ${loginUrl} did not answer like a Salesforce login server (${code}).`,
      remedy: LOGIN_URL_REMEDY,
    });
  }
  if (!code && !description && Object.hasOwn(e, 'name') && e.name === undefined) {
    // jsforce's OAuth error for an error answer without an OAuth body (a 5xx with a REST-style JSON
    // error list): status and body are lost, and only Salesforce's own failures answer that way.
    return new TransientError({
      ...base,
      reason: 'server_error',
      message: `Salesforce answered the login at ${loginUrl} with a server error (no OAuth error code).`,
      remedy: 'Retry later; check https://status.salesforce.com for an ongoing incident.',
    });
  }
  if (isNetworkError(e)) {
    return new TransientError({
      ...base,
      reason: 'network',
      message: `Could not reach ${loginUrl}: ${networkCause(e)}.`,
      remedy: 'Check the login URL and the network, then retry.',
    });
  }
  if (code) {
    return new MisconfiguredError({
      ...base,
      reason: 'login_failed',
      message: `Salesforce refused the login. ${said}`,
      remedy: 'Check the Connected App settings (OAuth scopes must include api and refresh_token) and the credentials.',
    });
  }
  return new TransientError({
    ...base,
    reason: 'network',
    message: `The login failed: ${description}`,
    remedy: 'Retry; if it persists, report it with this message.',
  });
}

function causeChain(e: Error): Error[] {
  const out: Error[] = [];
  for (let c: unknown = e; c instanceof Error && out.length < 5; c = c.cause) out.push(c);
  return out;
}

function isNetworkError(e: Error): boolean {
  return causeChain(e).some((c) => 'code' in c || c.name === 'FetchError' || /fetch failed|ECONN|ENOTFOUND|ETIMEDOUT|socket hang up/i.test(c.message));
}

function networkCause(e: Error): string {
  const chain = causeChain(e);
  const coded = chain.find((c) => 'code' in c && typeof c.code === 'string');
  return coded && 'code' in coded ? String(coded.code) : (chain.at(-1)?.message ?? e.message);
}
