// The contract between the two halves of a restore: planning (src/restore/plan*.ts: the snapshot
// compared with the live org, nothing written) and applying (src/restore/apply*.ts: the plan carried
// out through the API). A plan is a folder: plan.json (RestorePlan) and, per object, the records'
// actions as CSV in the snapshot's row order, so applying streams the snapshot and the plan side by
// side and never holds an object in memory. docs/restore.md describes it for users.

export const RESTORE_MODES = ['missing', 'overwrite', 'upsert'] as const;
/**
 * - `missing`: records in the snapshot and not in the org come back: from the Recycle Bin (undelete,
 *   original Id) when they are there, else re-created (new Id, lookups to them rewritten).
 * - `overwrite`: records in both get the chosen fields (or every updateable one) set back to the
 *   snapshot's values.
 * - `upsert`: by an external id field (`externalIdField`): created or updated by that key.
 */
export type RestoreMode = (typeof RESTORE_MODES)[number];

export type RecordAction = 'undelete' | 'create' | 'update' | 'upsert' | 'skip';

export const SKIP_REASONS = [
  /** missing: the record is in the org (not deleted). */
  'exists',
  /** overwrite: the chosen fields already hold the snapshot's values. */
  'unchanged',
  /** overwrite: the org changed the record after the snapshot (SystemModstamp); kept unless overwriteNewer. */
  'changed_after_snapshot',
  /** overwrite: the record is not in the org at all (purged or never there): restore it with `missing`. */
  'not_in_org',
  /** overwrite: the record is in the Recycle Bin: restore it with `missing` first. */
  'deleted_in_org',
  /** The object cannot be created (or updated) through the API. */
  'not_createable',
  'not_updateable',
  /** upsert: the record has no value in the external id field. */
  'no_external_id',
  /** missing: an earlier run over the same results folder re-created the record (under a new Id). */
  'restored_earlier',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface RestoreSelection {
  /** Object API names; every object of the snapshot when absent. */
  objects?: string[];
  /** Record Ids (15 or 18 characters); every record of the selected objects when absent. */
  ids?: string[];
  /**
   * Which records, as a SOQL WHERE condition over the snapshot's fields (`Industry = 'Banking' AND
   * CreatedDate >= 2026-01-01T00:00:00Z`); every selected object must have the fields it names.
   * With `ids`, a record must match both.
   */
  where?: string;
  /** Fields to write (overwrite, upsert); every writable field when absent. `Object.Field` or `Field`. */
  fields?: string[];
  /** overwrite: also overwrite records the org changed after the snapshot. */
  overwriteNewer?: boolean;
  /** upsert: the external id field of each object (`Object.Field` or a field name every object has). */
  externalIdField?: string;
  /** Into another org: how references to records the restore does not write are found there. */
  mapping?: ReferenceMapping;
  /** Per field (`Object.Field`, or `Field` for every object that has it): what is written instead of its value. */
  mask?: Record<string, MaskRule>;
}

/**
 * Into another org (seeding a sandbox, an org refreshed since the backup), a lookup to a record the
 * restore does not write cannot keep its Id: users are found by username, record types and queues
 * by developer name, other records by an external id; what has no match is left empty and reported.
 */
export interface ReferenceMapping {
  /**
   * Appended to a username to find the user in the target (`.uat` for a sandbox named uat); a
   * target user whose username is the snapshot's plus one `.suffix` (or minus one) matches anyway.
   */
  usernameSuffix?: string;
  /** Username of the user that records whose user has no active match in the target get instead (default: the user restoring). */
  fallbackUser?: string;
}

export const MASK_RULES = ['blank', 'fake', 'hash'] as const;
/**
 * - `blank`: the field is left empty.
 * - `fake`: a stand-in of the field's type (an e-mail address, a phone number, a name), the same for
 *   the same value, so records that shared a value still share one.
 * - `hash`: a keyed hash of the value (hex), as long as the field allows.
 */
export type MaskRule = (typeof MASK_RULES)[number];

/** One object's part of a plan. */
export interface PlanObject {
  name: string;
  /** Records per action. */
  counts: Record<RecordAction, number>;
  /** Skipped records per reason. */
  skipped: Partial<Record<SkipReason, number>>;
  /** The fields the restore writes for this object (createable for creates, updateable for updates). */
  fields: string[];
  /** Fields of the snapshot it does not write, and why (formula, system or audit field, not createable/updateable). */
  skippedFields: { name: string; why: string }[];
  /** Relative to the plan folder: `Id,action,reason` per record of the selection, in the snapshot's row order. */
  records: string;
  /** Relative: `Id,field,before,after` for every field an update would change (overwrite, upsert). */
  changes?: string;
}

export interface RestorePlan {
  formatVersion: 1;
  mode: RestoreMode;
  createdAt: string;
  snapshot: { dir: string; alias: string; orgId: string; finishedAt: string };
  target: { orgId: string; instanceUrl: string; sameOrg: boolean };
  selection: RestoreSelection;
  /** The objects to write, parents before children (from the createable lookups in schema/). */
  order: string[];
  objects: PlanObject[];
  /**
   * Into another org: relative to the plan folder, `object,oldId,newId,how` for every record the
   * restored records point at and the restore does not write (`newId` empty when nothing matched).
   */
  references?: string;
}

export type RecordOutcome = 'undeleted' | 'created' | 'updated' | 'skipped' | 'failed';

/** What applying did to one object; per record in `results` (`oldId,newId,outcome,error`). */
export interface AppliedObject {
  name: string;
  counts: Record<RecordOutcome, number>;
  /** Relative to the results folder. */
  results: string;
}

export interface RestoreResult {
  plan: RestorePlan;
  objects: AppliedObject[];
  /** Relative to the results folder: the old → new Id mapping of re-created records, reused by a second run. */
  idMap: string;
  startedAt: string;
  finishedAt: string;
}
