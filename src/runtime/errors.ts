// The one base of the product's failures. Whatever module a failure comes from (Salesforce, the
// snapshot, a storage target, GitHub, the config, the local disk), a person reads what happened and
// what to do, and a program reads one state (the CLI's exit code, the action's outputs) and a short
// reason it can branch on. No imports: every layer, and the status site, can use it.
//
// Raw protocol signals (an HTTP answer, a timeout, a git exit code, a malformed CSV line) are not
// ProductErrors: they are classified into one before they reach a person.

/**
 * Why an org's login failed, as design §3 names it. `rotation_write_failed` is the most urgent:
 * the org rotated its refresh token, the new one could not be stored, and the stored one is dead.
 */
export const AUTH_FAILURE_STATES = ['reauth_required', 'app_pending', 'transient', 'misconfigured', 'rotation_write_failed'] as const;
export type AuthFailureState = (typeof AUTH_FAILURE_STATES)[number];

/** Every state an org's authentication can be in, as the status data and the outputs spell it. */
export const AUTH_STATES = ['ok', ...AUTH_FAILURE_STATES] as const;
export type AuthState = (typeof AUTH_STATES)[number];

/**
 * Every state a failed command or run can end in: the auth failure states (a transient or
 * misconfigured state need not be the org's login), and the run's own. Each has an exit code
 * (src/cli/main.ts EXIT).
 */
export type ProductState =
  | AuthFailureState
  /** Objects failed or the API budget ran out; nothing was replaced. */
  | 'incomplete'
  /** A snapshot failed verification. */
  | 'corrupt'
  /** No room (or no write access) where the snapshot is staged or published. */
  | 'disk_full'
  /** Another run holds the lock of the same org and target. */
  | 'locked'
  /** The run would drop objects or rows from the only copy; held until the user confirms. */
  | 'held'
  /** The user cancelled (Ctrl-C) before anything was stored. */
  | 'aborted'
  /** Nothing a setting, a login or time fixes: a bug, or a failure with its own remedy. */
  | 'failed';

export interface ProductErrorInit<Reason extends string = string> {
  reason: Reason;
  message: string;
  /** What a person should do; empty when there is nothing to add to the message. */
  remedy: string;
  cause?: unknown;
}

/**
 * A failure a person acts on. Subclasses keep their own names and fields, set `state` (a constant
 * or computed in the constructor) and narrow `reason` to what they can be. Messages and remedies
 * never carry a secret value.
 */
export abstract class ProductError<Reason extends string = string> extends Error {
  abstract readonly state: ProductState;
  readonly reason: Reason;
  readonly remedy: string;

  constructor(init: ProductErrorInit<Reason>) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.reason = init.reason;
    this.remedy = init.remedy;
  }
}

/** For a person: what went wrong, then what to do about it. */
export function describeFailure(err: unknown): string {
  if (err instanceof ProductError) return err.remedy ? `${err.message}\nTo fix: ${err.remedy}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The state a failure ends in: its own, or `failed` for anything that is not a ProductError (a bug). */
export function failureState(err: unknown): ProductState {
  return err instanceof ProductError ? err.state : 'failed';
}
