// Public API of the snapshot module (design §4; format in docs/snapshot-format.md).

export type * from './contracts.ts';
export { diffSnapshots } from './diff.ts';
export {
  CORRUPT_REMEDY,
  type IncrementalBlocker,
  IncrementalNotPossibleError,
  SnapshotCorruptError,
  SnapshotError,
  type SnapshotFailureReason,
  type VerifyProblem,
} from './errors.ts';
export {
  type BucketScheme,
  FORMAT_VERSION,
  loadManifest,
  type Manifest,
  type ManifestFile,
  type ManifestObject,
  ManifestSchema,
  resolveSnapshotDir,
} from './manifest.ts';
export { readObjectRows, readObjectSchema } from './reader.ts';
export { type FileStamp, type FileStamps, STAMPS_DIR, stagedStampsPath, stampFiles, stampsPathFor, writeStamps } from './stamps.ts';
export { verifySnapshot } from './verify.ts';
export { createSnapshotWriter, type SnapshotWriter } from './writer.ts';
