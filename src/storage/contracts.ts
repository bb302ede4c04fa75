// Contract between the orchestration (src/backup/) and the storage targets. A snapshot is always
// built in a local staging directory first; a target then publishes it. A failed run never calls
// publish, so the last good snapshot in the target is never replaced by a partial one.

export interface PreviousSnapshot {
  /** Local directory holding `<alias>/manifest.json`, `schema/`, `data/` of the last good run. */
  dir: string;
  /** Where it came from, for logs and the summary (branch commit, artifact id, folder). */
  location: string;
}

export interface PublishResult {
  /** Human-readable location: `branch backups@<sha>`, `artifact sf-backup-prod (id 123)`, a path. */
  location: string;
  /** Machine-readable pieces, for action outputs. */
  commit?: string;
  artifactId?: number;
  artifactName?: string;
  path?: string;
  /** Local target: the previous snapshot this publish pinned (KEPT.json), so retention never deletes it. */
  pinned?: { path: string; reason: string };
  /** Local target: snapshots retention removed after this publish. */
  pruned?: string[];
}

/**
 * What happens to the previous data when a run drops objects or mass-deletes rows:
 * `history`: the target keeps every earlier snapshot (branch commits), so publish;
 * `pin`: the target keeps dated snapshots, so publish and pin the previous one (local folder);
 * `hold`: the previous copy can disappear (an artifact expires), so do not publish unless confirmed.
 */
export type ShrinkPolicy = 'history' | 'pin' | 'hold';

export interface StorageTarget {
  readonly kind: 'local' | 'artifact' | 'branch';
  readonly onShrink: ShrinkPolicy;
  /** Fetches the last good snapshot of this org into a temp dir, or undefined when there is none. */
  fetchPrevious(alias: string, workDir: string): Promise<PreviousSnapshot | undefined>;
  /**
   * Fetches one snapshot of this org for a restore: `latest`, a date (`2026-12-01`: the last snapshot
   * taken on or before that day, UTC), or what the target names its snapshots by (a dated folder, a
   * commit of the backup branch, an artifact or workflow run id). Throws StorageError
   * `snapshot_missing` saying what there is.
   */
  fetchSnapshot(alias: string, ref: string, workDir: string): Promise<PreviousSnapshot>;
  /** Publishes the staged snapshot of `<stagingDir>/<alias>/`. */
  publish(alias: string, stagingDir: string, message: string, options?: PublishOptions): Promise<PublishResult>;
}

export interface PublishOptions {
  /** The caller is done with the staged snapshot: a target may move it instead of copying it. */
  disposable?: boolean;
  /** The run drops objects or rows: keep the previous snapshot for good, for this reason. */
  pinPrevious?: string;
}

/** `2026-12-01` → the end of that day (UTC) as an ISO time; undefined when `ref` is not a date. */
export function endOfDay(ref: string): string | undefined {
  return /^\d{4}-\d\d-\d\d$/.test(ref) && !Number.isNaN(Date.parse(`${ref}T00:00:00Z`)) ? `${ref}T23:59:59.999Z` : undefined;
}
