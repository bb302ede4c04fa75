// Every failure to reach an org becomes one of these classes: a state the status page can show,
// a short reason a program can branch on, and a remedy a person can act on. Messages never carry
// secret values.
import { type AuthFailureState, type AuthState, ProductError } from './errors.ts';

/** Most urgent first: when one run sees several, the status shows the first. */
export const AUTH_STATES_BY_URGENCY: readonly AuthState[] = ['rotation_write_failed', 'reauth_required', 'misconfigured', 'app_pending', 'transient', 'ok'];

/** Only a person logging in again fixes these. */
export type ReauthReason = 'token_expired_or_revoked' | 'user_inactive' | 'app_changed' | 'policy_expired';

export type FailureReason =
  | ReauthReason
  // app_pending: Salesforce does not know the consumer key (yet).
  | 'client_unknown'
  // misconfigured
  | 'missing_secret'
  | 'wrong_org_type'
  | 'malformed_token'
  | 'malformed_url'
  | 'org_inactive'
  | 'client_secret_invalid'
  | 'ip_restricted'
  | 'api_disabled'
  | 'login_failed'
  | 'bad_input'
  // transient (unexpected_response also means a misconfigured login URL when the server is not Salesforce)
  | 'network'
  | 'server_error'
  | 'rate_limited'
  | 'unexpected_response'
  // rotation_write_failed
  | 'secret_write_failed'
  | 'no_secret_writer';

/**
 * Facts a remedy needs beyond the reason; never a secret. Filled in where they are known (the login
 * step knows the other login host, the lifecycle knows fingerprints and the secret's place).
 */
export interface FailureContext {
  /** For wrong_org_type: the login host of the other org kind, which accepted (or would accept) the token. */
  otherLoginUrl?: string;
  /** True when that other host actually accepted the token (not just a guess from `authentication failure`). */
  otherLoginUrlConfirmed?: boolean;
  /** For wrong_org_type: the org kind the token belongs to, when known (a My Domain URL does not say). */
  actualKind?: 'production' | 'sandbox';
  /** For app_changed and app_pending: fingerprints, never keys. */
  appFingerprint?: string;
  previousAppFingerprint?: string;
  /** For policy_expired: when the token was obtained and the policy's limit. */
  authorizedAt?: string;
  maxAgeDays?: number;
  /** For app_pending: how long the activation window lasted. */
  waitedMs?: number;
  /** For rotation_write_failed: where the token should have gone (`repository secret X of o/r`). */
  secretTarget?: string;
  /** For rotation_write_failed: what to change so the write succeeds (from the GitHub writer). */
  writeRemedy?: string;
}

export interface FailureDetails {
  reason: FailureReason;
  message: string;
  remedy: string;
  /** The OAuth `error` code Salesforce answered, when there was one (`invalid_grant`, …). */
  oauthError?: string;
  context?: FailureContext;
  cause?: unknown;
}

export abstract class SalesforceError extends ProductError<FailureReason> {
  abstract override readonly state: AuthFailureState;
  readonly oauthError: string | undefined;
  readonly context: FailureContext;

  constructor(details: FailureDetails) {
    super(details);
    this.oauthError = details.oauthError;
    this.context = details.context ?? {};
  }
}

/** The refresh token no longer works: only a person logging in again (re-authorization) fixes it. */
export class ReauthRequiredError extends SalesforceError {
  override readonly name = 'ReauthRequiredError';
  readonly state = 'reauth_required';
}

/** Salesforce does not know the consumer key (yet): new or changed Connected Apps take up to 10 minutes. */
export class AppPendingError extends SalesforceError {
  override readonly name = 'AppPendingError';
  readonly state = 'app_pending';
}

/** Worth retrying later: network trouble, Salesforce outages, spent API allowance. */
export class TransientError extends SalesforceError {
  override readonly name = 'TransientError';
  readonly state = 'transient';
}

/** Wrong or missing settings: someone has to change the configuration. */
export class MisconfiguredError extends SalesforceError {
  override readonly name = 'MisconfiguredError';
  readonly state = 'misconfigured';
}

/** The org rotated its refresh token and the new one could not be stored: the stored one is dead. */
export class RotationWriteFailedError extends SalesforceError {
  override readonly name = 'RotationWriteFailedError';
  readonly state = 'rotation_write_failed';
}

const CLASS_BY_STATE = {
  reauth_required: ReauthRequiredError,
  app_pending: AppPendingError,
  transient: TransientError,
  misconfigured: MisconfiguredError,
  rotation_write_failed: RotationWriteFailedError,
} as const satisfies Record<AuthFailureState, new (details: FailureDetails) => SalesforceError>;

/** The typed error for a state, so callers that throw (backup, restore) keep `instanceof` checks working. */
export function errorForState(state: AuthFailureState, details: FailureDetails): SalesforceError {
  return new CLASS_BY_STATE[state](details);
}
