// Storage failures carry the same three things as the Salesforce errors: whether trying again
// later can help (`state`), a short reason a program can branch on, and a remedy a person can act
// on. Messages never carry the token: git output is scrubbed before it lands in one.

export type StorageFailureState = 'misconfigured' | 'transient';

export type StorageFailureReason =
  | 'auth_failed'
  | 'permission_denied'
  | 'repo_not_found'
  | 'push_conflict'
  | 'push_rejected'
  | 'file_too_large'
  | 'quota_exceeded'
  | 'not_in_actions'
  | 'ghes_unsupported'
  | 'snapshot_missing'
  | 'bad_config'
  | 'network'
  | 'io'
  | 'unexpected';

export interface StorageFailure {
  target: 'local' | 'artifact' | 'branch';
  reason: StorageFailureReason;
  message: string;
  remedy: string;
  cause?: unknown;
}

const TRANSIENT: ReadonlySet<StorageFailureReason> = new Set(['push_conflict', 'network', 'unexpected']);

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly target: StorageFailure['target'];
  readonly reason: StorageFailureReason;
  readonly remedy: string;
  readonly state: StorageFailureState;

  constructor(details: StorageFailure) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.target = details.target;
    this.reason = details.reason;
    this.remedy = details.remedy;
    this.state = TRANSIENT.has(details.reason) ? 'transient' : 'misconfigured';
  }
}

/** For a person: what went wrong, then what to do about it. */
export function describeStorageError(err: StorageError): string {
  return `${err.message}\nTo fix: ${err.remedy}`;
}

/** How a workflow passes its token to the action, quoted in remedies. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression users copy, not a template
export const TOKEN_INPUT = '`github-token: ${{ github.token }}`';
