// Logging in to one org as a run must: wait out a Connected App that is not active yet, retry
// outages, store a rotated refresh token before anything else happens, and turn every failure into
// one AuthOutcome whose remedy names the org, its login host and the command to run.
//
// Choices worth knowing:
// - A rotated token that cannot be stored makes the run stop (`session: null`, rotation_write_failed):
//   the new token lives only in this process, so the one thing that matters is that a person fixes
//   the write permission and re-authorizes; backing up first would hide the most urgent problem
//   behind a green run.
// - A token refused at a generic login host is tried once at the other kind's host: a sandbox token
//   at login.salesforce.com looks exactly like a revoked one, and only the other host can tell.
// - rotation_write_failed stays until a login succeeds: the next run only sees a dead token, but
//   re-authorizing alone would fail again at the next rotation unless the permission is fixed too.

import { type OrgCredentials, orgCredentialsSchema, parseSettings } from '../../config/credentials.ts';
import { describeSecretTarget, type SecretTarget, type SecretWriter } from '../../github/contracts.ts';
import { errorForState, ReauthRequiredError, RotationWriteFailedError, type SalesforceError, TransientError } from '../../runtime/auth-errors.ts';
import { doubling, retry } from '../../runtime/backoff.ts';
import { type AuthState, ProductError } from '../../runtime/errors.ts';
import { DEFAULT_ACTIVATION_WINDOW_MS, withinActivationWindow } from './activation-window.ts';
import { appFingerprint } from './app-fingerprint.ts';
import { classifyAuthError, connect, knownLoginHosts, type LoginHosts, type OrgSession, otherLoginHost, wrongLoginHost } from './connection.ts';
import { type AuthOutcome, failureOutcome, type OrgRef, okOutcome, outcomeError } from './outcome.ts';

export const DEFAULT_APP_PENDING_WINDOW_MS = DEFAULT_ACTIVATION_WINDOW_MS;
/** Pauses while a new consumer key is not active yet: doubling from 5 s, at most 2 minutes. */
const PENDING_DELAYS_MS = [5_000, 10_000, 20_000, 40_000, 80_000, 120_000];
const DAY_MS = 24 * 3600_000;

export interface AuthOrg {
  alias: string;
  /** As the org config spells it: `production`, `sandbox` or a My Domain URL. */
  type: string;
  credentials: OrgCredentials;
}

/** What the last status said about the org (status data `appFingerprint`, `authorizedAt`, `auth.state`). */
export interface PreviousAuth {
  appFingerprint: string | null;
  authorizedAt: string | null;
  state: AuthState;
}

export interface AuthenticateOptions {
  /** Writes a rotated refresh token; without it (or a target) rotation ends in rotation_write_failed. */
  secretWriter?: SecretWriter;
  refreshTokenTarget?: SecretTarget;
  /** Hears every secret value (access and rotated refresh tokens) before it is used: mask it. */
  onSecret?: (value: string) => void;
  /** How long to keep retrying a consumer key Salesforce does not know yet (default 10 minutes). */
  appPendingWindowMs?: number;
  /** Further attempts after network failures, 5xx and throttling (default 3). */
  transientRetries?: number;
  /** Further attempts of a failed secret write, on top of the writer's own retries (default 2). */
  writeRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  previous?: PreviousAuth;
  /** The Connected App's "expire refresh token after N days" policy, when the org config states it. */
  refreshTokenMaxAgeDays?: number;
  /** Generic login hosts (default: Salesforce's, plus SFBACKUP_LOGIN_HOSTS; tests point them at the emulator). */
  loginHosts?: LoginHosts | readonly LoginHosts[];
  /** Remedy wording of the entry point that runs this (its re-authorization command, its secret-write setting). */
  remedyRef?: Pick<OrgRef, 'reauthCommand' | 'secretWriteSetting' | 'loginSetting'>;
  /** Hears each failure that will be retried, for a log line; never given a secret. */
  onRetry?: (info: { what: 'login' | 'secret_write'; state: string; attempt: number; delayMs: number; message: string }) => void;
}

export interface AuthResult {
  /** Null unless the outcome is ok: nothing else may run for this org. */
  session: OrgSession | null;
  outcome: AuthOutcome;
  /** A new refresh token was issued and stored. */
  rotated: boolean;
  /** When the refresh token now in the secret was obtained (now after a stored rotation), if known. */
  authorizedAt: string | null;
  appFingerprint: string;
  /**
   * Call when the org's work is done: waits for the write of any token the session rotated to while
   * working (jsforce refreshes when a long run outlives its session) and says how it went. A failed
   * write there is rotation_write_failed too, even though the work itself succeeded.
   */
  settle(): Promise<{ outcome: AuthOutcome; rotated: boolean; authorizedAt: string | null }>;
}

function settingNames(target: SecretTarget | undefined): Record<string, string> {
  return {
    loginUrl: 'the login URL',
    clientId: 'the client id (Connected App consumer key)',
    clientSecret: 'the client secret (Connected App consumer secret)',
    refreshToken: target ? `the refresh token (secret ${target.name})` : 'the refresh token',
    apiVersion: 'the API version',
  };
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The same failure with more facts for its remedy. */
function withContext(e: SalesforceError, context: SalesforceError['context']): SalesforceError {
  return errorForState(e.state, {
    reason: e.reason,
    message: e.message,
    remedy: e.remedy,
    context: { ...e.context, ...context },
    cause: e.cause,
    ...(e.oauthError ? { oauthError: e.oauthError } : {}),
  });
}

export async function authenticate(org: AuthOrg, options: AuthenticateOptions = {}): Promise<AuthResult> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  const hosts = options.loginHosts ?? knownLoginHosts();
  const window = options.appPendingWindowMs ?? DEFAULT_APP_PENDING_WINDOW_MS;
  const target = options.refreshTokenTarget;
  const ref: OrgRef = {
    alias: org.alias,
    type: org.type,
    loginUrl: org.credentials.loginUrl,
    ...(target ? { refreshTokenSecret: target.name } : {}),
    ...options.remedyRef,
  };
  // Every value that must never reach a text: redacted from outcomes as a last line of defence.
  const secrets = [org.credentials.clientId, org.credentials.clientSecret, org.credentials.refreshToken].filter(Boolean);
  const mask = (value: string) => {
    secrets.push(value);
    options.onSecret?.(value);
  };
  const fingerprint = appFingerprint(org.credentials.clientId ?? '');
  let authorizedAt = options.previous?.authorizedAt ?? null;
  let rotated = false;
  const failed = (err: unknown): AuthResult => {
    const outcome = failureOutcome(err, ref, now(), secrets);
    return {
      session: null,
      outcome,
      rotated,
      authorizedAt,
      appFingerprint: fingerprint,
      settle: async () => ({ outcome, rotated, authorizedAt }),
    };
  };

  let creds: OrgCredentials;
  try {
    creds = parseSettings(orgCredentialsSchema, org.credentials, settingNames(target));
  } catch (err) {
    return failed(err);
  }

  /** Stores a rotated token; returns the error that makes the org rotation_write_failed, if any. */
  async function storeRotated(token: string): Promise<SalesforceError | undefined> {
    if (!options.secretWriter || !target) {
      return new RotationWriteFailedError({
        reason: 'no_secret_writer',
        message: `The org rotated its refresh token (Refresh Token Rotation is on) and ${ref.secretWriteSetting ? `this run had no way to store the new one (${ref.secretWriteSetting})` : 'no secrets-token input was given to store the new one'}: the stored token is dead.`,
        remedy: `${ref.secretWriteSetting ? `Give ${ref.secretWriteSetting}` : 'Add the secrets-token input'} and re-authorize.`,
        ...(target ? { context: { secretTarget: describeSecretTarget(target) } } : {}),
      });
    }
    const writer = options.secretWriter;
    let last: unknown;
    try {
      await retry(() => writer.write(target, token), {
        retries: options.writeRetries ?? 2,
        retryable: (err) => !(typeof err === 'object' && err !== null && 'retryable' in err && err.retryable === false),
        delayMs: doubling(2000),
        onRetry: (err, attempt, delayMs) =>
          options.onRetry?.({ what: 'secret_write', state: 'rotation_write_failed', attempt, delayMs, message: errorText(err) }),
        sleep,
      });
      return undefined;
    } catch (err) {
      last = err;
    }
    const writeRemedy = last instanceof ProductError ? last.remedy : undefined;
    return new RotationWriteFailedError({
      reason: 'secret_write_failed',
      message: `The org rotated its refresh token and storing the new one failed: ${errorText(last)} The stored token is dead.`,
      remedy: 'Fix the secrets-write permission of the secrets-token input and re-authorize.',
      context: { secretTarget: describeSecretTarget(target), ...(writeRemedy ? { writeRemedy } : {}) },
      cause: last,
    });
  }

  async function loginWithRetries(): Promise<OrgSession> {
    let attempt = 0;
    const transientRetries = options.transientRetries ?? 3;
    // The retries are one budget for the whole login, however often the activation window calls it.
    let retriesUsed = 0;
    const connectOnce = async (): Promise<OrgSession> => {
      attempt++;
      try {
        return await connect(creds, { onSecret: mask, loginHosts: hosts });
      } catch (err) {
        throw classifyAuthError(err, creds.loginUrl, hosts);
      }
    };
    // One login, retried a few times through network trouble and outages.
    const login = (): Promise<OrgSession> => {
      const before = retriesUsed;
      return retry(connectOnce, {
        retries: transientRetries - before,
        retryable: (e) => e instanceof TransientError,
        delayMs: (n) => doubling(2000)(before + n),
        onRetry: (e, _n, delayMs) => {
          retriesUsed++;
          const err = e as TransientError;
          options.onRetry?.({ what: 'login', state: err.state, attempt, delayMs, message: err.message });
        },
        sleep,
      });
    };
    // A consumer key Salesforce does not know yet is waited for, up to the window.
    return withinActivationWindow(login, {
      windowMs: window,
      sleep,
      now: () => now().getTime(),
      delaysMs: PENDING_DELAYS_MS,
      onWait: ({ nextMs, error }) => options.onRetry?.({ what: 'login', state: error.state, attempt, delayMs: nextMs, message: error.message }),
      giveUp: (e, waitedMs) => withContext(e, { appFingerprint: fingerprint, waitedMs }),
    });
  }

  /** A dead-looking token: is it a token of the other org kind, a changed app, an expired policy? */
  async function explainDeadToken(e: ReauthRequiredError): Promise<SalesforceError> {
    const other = otherLoginHost(creds.loginUrl, hosts);
    if (other) {
      let probe: OrgSession | undefined;
      try {
        probe = await connect({ ...creds, loginUrl: other }, { onSecret: mask, loginHosts: hosts });
      } catch {
        // Not the other kind's token either: it really is dead.
      }
      if (probe) {
        // The probe may have rotated the token: keep the chain alive before reporting the mistake.
        if (probe.rotatedRefreshToken) {
          const writeFailure = await storeRotated(probe.rotatedRefreshToken);
          if (writeFailure) return writeFailure;
          rotated = true;
          authorizedAt = now().toISOString();
        }
        // The same words whether the run or `check` found it (connection.ts): a stored rotation needs no re-authorization.
        return wrongLoginHost(creds.loginUrl, other, hosts, false);
      }
    }
    const prev = options.previous;
    if (prev?.state === 'rotation_write_failed') {
      return new RotationWriteFailedError({
        reason: 'secret_write_failed',
        message: 'The refresh token in the secret is dead: an earlier run could not store the token the org rotated to.',
        remedy: 'Fix the secrets-write permission of the secrets-token input and re-authorize.',
        ...(target ? { context: { secretTarget: describeSecretTarget(target) } } : {}),
        cause: e,
      });
    }
    if (prev?.appFingerprint && prev.appFingerprint !== fingerprint) {
      return new ReauthRequiredError({
        reason: 'app_changed',
        message: `The refresh token was issued through Connected App ${prev.appFingerprint}; the configured consumer key is app ${fingerprint}, which does not accept it. ${e.message}`,
        remedy: 'Re-authorize the org with the new Connected App.',
        context: { appFingerprint: fingerprint, previousAppFingerprint: prev.appFingerprint },
        ...(e.oauthError ? { oauthError: e.oauthError } : {}),
        cause: e,
      });
    }
    const maxAge = options.refreshTokenMaxAgeDays;
    if (maxAge !== undefined && prev?.authorizedAt) {
      const age = now().getTime() - Date.parse(prev.authorizedAt);
      if (age > maxAge * DAY_MS) {
        return new ReauthRequiredError({
          reason: 'policy_expired',
          message: `The refresh token was obtained ${prev.authorizedAt}, more than the ${maxAge} days the Connected App's refresh token policy allows. ${e.message}`,
          remedy: 'Re-authorize the org.',
          context: { authorizedAt: prev.authorizedAt, maxAgeDays: maxAge },
          ...(e.oauthError ? { oauthError: e.oauthError } : {}),
          cause: e,
        });
      }
    }
    return e;
  }

  let session: OrgSession;
  try {
    session = await loginWithRetries();
  } catch (err) {
    const e = classifyAuthError(err, creds.loginUrl, hosts);
    if (e instanceof ReauthRequiredError && e.reason === 'token_expired_or_revoked') return failed(await explainDeadToken(e));
    return failed(e);
  }

  if (session.rotatedRefreshToken) {
    const writeFailure = await storeRotated(session.rotatedRefreshToken);
    if (writeFailure) return failed(writeFailure);
    rotated = true;
    authorizedAt = now().toISOString();
  }
  const message = `Logged in to org ${session.orgId}${rotated ? '; the rotated refresh token was stored' : ''}.`;
  const outcome = okOutcome(now(), message);

  // Later rotations (jsforce refreshing mid-run) start their write at once, before the replayed call.
  let later: Promise<SalesforceError | undefined> = Promise.resolve(undefined);
  session.conn.on('refresh', (_accessToken: string, res?: { refresh_token?: string }) => {
    const token = res?.refresh_token;
    if (!token) return;
    // Writes run in order and the last one decides: a stored later token heals an earlier failure.
    later = later.then(async () => {
      const failure = await storeRotated(token);
      if (!failure) {
        rotated = true;
        authorizedAt = now().toISOString();
      }
      return failure;
    });
  });
  const settle = async () => {
    const failure = await later;
    return { outcome: failure ? failureOutcome(failure, ref, now(), secrets) : outcome, rotated, authorizedAt };
  };
  return { session, outcome, rotated, authorizedAt, appFingerprint: fingerprint, settle };
}

/** A failure's message without the request it may carry (Octokit errors hold headers and bodies). */
function errorText(err: unknown): string {
  if (err instanceof Error) return err.message.split(' - https://')[0] ?? err.message;
  return String(err);
}

/**
 * The session of an ok result; otherwise throws the outcome as its typed error (ReauthRequiredError,
 * RotationWriteFailedError, …) carrying exactly the outcome's message and remedy, so what the error,
 * the job summary and the status say is one text.
 */
export function sessionOrThrow(result: AuthResult): OrgSession {
  if (result.session && result.outcome.state === 'ok') return result.session;
  throw outcomeError(result.outcome);
}
