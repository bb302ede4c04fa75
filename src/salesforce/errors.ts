// Every failure to reach an org becomes one of these classes: a state the status page can show,
// a short reason a program can branch on, and a remedy a person can act on. Messages never carry
// secret values.

/** The auth states of design §3, less `ok`. */
export type FailureState = 'reauth_required' | 'app_pending' | 'transient' | 'misconfigured';

export type FailureReason =
  | 'token_revoked_or_expired'
  | 'user_inactive'
  | 'org_inactive'
  | 'client_unknown'
  | 'client_secret_invalid'
  | 'ip_restricted'
  | 'api_disabled'
  | 'login_failed'
  | 'network'
  | 'server_error'
  | 'rate_limited'
  | 'bad_input'
  | 'unexpected_response';

export interface FailureDetails {
  reason: FailureReason;
  message: string;
  remedy: string;
  /** The OAuth `error` code Salesforce answered, when there was one (`invalid_grant`, …). */
  oauthError?: string;
  cause?: unknown;
}

export abstract class SalesforceError extends Error {
  abstract readonly state: FailureState;
  readonly reason: FailureReason;
  readonly remedy: string;
  readonly oauthError: string | undefined;

  constructor(details: FailureDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = details.reason;
    this.remedy = details.remedy;
    this.oauthError = details.oauthError;
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

/** For a person: what went wrong, then what to do about it. */
export function describeError(err: unknown): string {
  if (err instanceof SalesforceError) return `${err.message}\nTo fix: ${err.remedy}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
