// Storage failures carry the same three things as the Salesforce errors: whether trying again
// later can help (`state`), a short reason a program can branch on, and a remedy a person can act
// on. Messages never carry the token: git output is scrubbed before it lands in one.
import { ProductError } from '../runtime/errors.ts';

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

export class StorageError extends ProductError<StorageFailureReason> {
  override readonly name = 'StorageError';
  readonly target: StorageFailure['target'];
  readonly state: StorageFailureState;

  constructor(details: StorageFailure) {
    super(details);
    this.target = details.target;
    this.state = TRANSIENT.has(details.reason) ? 'transient' : 'misconfigured';
  }
}

/** How a workflow passes its token to the action, quoted in remedies. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression users copy, not a template
export const TOKEN_INPUT = '`github-token: ${{ github.token }}`';
