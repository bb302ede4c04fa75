// A restore selection the snapshot or the target org cannot satisfy: a person fixes the request.
import { ProductError } from '../runtime/errors.ts';

export type PlanFailureReason = 'unknown_object' | 'unknown_field' | 'bad_selection' | 'object_not_in_org';

export class RestorePlanError extends ProductError<PlanFailureReason> {
  override readonly name = 'RestorePlanError';
  readonly state = 'misconfigured';
}
