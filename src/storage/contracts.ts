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
}

export interface StorageTarget {
  readonly kind: 'local' | 'artifact' | 'branch';
  /** Fetches the last good snapshot of this org into a temp dir, or undefined when there is none. */
  fetchPrevious(alias: string, workDir: string): Promise<PreviousSnapshot | undefined>;
  /** Publishes the staged snapshot of `<stagingDir>/<alias>/`. */
  publish(alias: string, stagingDir: string, message: string, options?: PublishOptions): Promise<PublishResult>;
}

export interface PublishOptions {
  /** The caller is done with the staged snapshot: a target may move it instead of copying it. */
  disposable?: boolean;
}
