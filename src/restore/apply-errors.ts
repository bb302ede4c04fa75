// Failures of applying a restore plan that a person acts on.
import { ProductError } from '../runtime/errors.ts';

export type RestoreFailureReason = 'plan_invalid' | 'plan_mismatch' | 'wrong_org' | 'other_restore' | 'job_failed';

export class RestoreError extends ProductError<RestoreFailureReason> {
  override readonly name = 'RestoreError';
  /** A job that broke leaves the restore `incomplete` (a second run carries on); the rest needs a setting or a plan fixed. */
  readonly state: 'incomplete' | 'misconfigured';

  constructor(reason: RestoreFailureReason, message: string, remedy: string, cause?: unknown) {
    super({ reason, message, remedy, cause });
    this.state = reason === 'job_failed' ? 'incomplete' : 'misconfigured';
  }
}
