// One entry point for the orchestration: a storage config (from the org config or the inputs) and
// the job context in, a StorageTarget out.
import { z } from 'zod';
import { ArtifactTarget } from './artifact.ts';
import { BranchTarget } from './branch.ts';
import { resolveContext, type StorageConfig, type StorageContext, storageConfigSchema } from './config.ts';
import type { StorageTarget } from './contracts.ts';
import { StorageError } from './errors.ts';
import { LocalTarget } from './local.ts';

export { ArtifactTarget } from './artifact.ts';
export { BranchTarget } from './branch.ts';
export {
  DEFAULT_ARTIFACT_PREFIX,
  DEFAULT_BACKUP_BRANCH,
  type StorageConfig,
  type StorageContext,
  type StorageLogger,
  storageConfigSchema,
} from './config.ts';
export type { PreviousSnapshot, PublishResult, StorageTarget } from './contracts.ts';
export { StorageError, type StorageFailureReason, type StorageFailureState } from './errors.ts';
export { LocalTarget } from './local.ts';

export function createStorageTarget(config: StorageConfig, context: StorageContext = {}): StorageTarget {
  const parsed = storageConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new StorageError({
      target: typeof config === 'object' && config && 'type' in config && isKind(config.type) ? config.type : 'local',
      reason: 'bad_config',
      message: `Invalid storage settings: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
      remedy: 'Set storage to `local` (with `dir`), `artifact` (optional `retention-days`) or `branch` (optional `branch`).',
    });
  }
  const ctx = resolveContext(context);
  const c = parsed.data;
  switch (c.type) {
    case 'local':
      return new LocalTarget(c);
    case 'artifact':
      return new ArtifactTarget(c, ctx);
    case 'branch':
      return new BranchTarget(c, ctx);
  }
}

function isKind(v: unknown): v is StorageTarget['kind'] {
  return v === 'local' || v === 'artifact' || v === 'branch';
}
