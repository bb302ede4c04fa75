// Typed failures of the snapshot module. Like the Salesforce errors, each carries a short reason a
// program can branch on and a remedy a person can act on.
import { ProductError } from '../runtime/errors.ts';

export type SnapshotFailureReason =
  | 'manifest_invalid'
  | 'snapshot_not_found'
  | 'snapshot_ambiguous'
  | 'snapshot_corrupt'
  | 'incremental_not_possible'
  | 'bad_row'
  | 'writer_state';

export class SnapshotError extends ProductError<SnapshotFailureReason> {
  override readonly name: string = 'SnapshotError';
  /** A snapshot that failed verification is `corrupt`; any other snapshot problem needs a setting or a path fixed. */
  readonly state: 'corrupt' | 'misconfigured';

  constructor(reason: SnapshotFailureReason, message: string, remedy: string, cause?: unknown) {
    super({ reason, message, remedy, cause });
    this.state = reason === 'snapshot_corrupt' ? 'corrupt' : 'misconfigured';
  }
}

/** Why an incremental merge of one object cannot be done; the caller exports that object in full. */
export type IncrementalBlocker = 'fields_changed' | 'not_in_base' | 'base_failed';

/**
 * Thrown by `SnapshotWriter.object(schema, {incremental: true})` when the base snapshot cannot be
 * merged into (the field list changed, or the base lacks good data for the object). The caller
 * should export that object in full: `writer.object(schema)`.
 */
export class IncrementalNotPossibleError extends SnapshotError {
  override readonly name = 'IncrementalNotPossibleError';
  readonly object: string;
  readonly blocker: IncrementalBlocker;

  constructor(object: string, blocker: IncrementalBlocker, detail: string) {
    super(
      'incremental_not_possible',
      `${object}: cannot merge an incremental export into the previous snapshot: ${detail}`,
      `export ${object} in full (writer.object(schema) without {incremental: true})`,
    );
    this.object = object;
    this.blocker = blocker;
  }
}

export interface VerifyProblem {
  /** Object name, or undefined for snapshot-wide problems (manifest). */
  object?: string;
  /** File path relative to the alias directory, when the problem is about one file. */
  file?: string;
  message: string;
}

export const CORRUPT_REMEDY =
  'restore the snapshot from an earlier copy (previous branch commit or artifact); re-run a full backup (mode full) to write a fresh one';

/** `verifySnapshot` found problems; `problems` lists every one of them. */
export class SnapshotCorruptError extends SnapshotError {
  override readonly name = 'SnapshotCorruptError';
  readonly problems: VerifyProblem[];
  readonly dir: string;

  constructor(dir: string, problems: VerifyProblem[]) {
    const lines = problems.map((p) => `  - ${p.object ? `${p.object}: ` : ''}${p.file ? `${p.file}: ` : ''}${p.message}`);
    super(
      'snapshot_corrupt',
      `snapshot ${dir} failed verification (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      CORRUPT_REMEDY,
    );
    this.problems = problems;
    this.dir = dir;
  }
}
