// Which lock guards a backup of one org into one storage target. The lock itself is a runtime
// mechanism (src/runtime/lock.ts); what a target is, and so what identifies it, is storage's.
import path from 'node:path';
import { jobContext } from '../runtime/job-context.ts';
import { hostLockFile, localLockFile } from '../runtime/lock.ts';
import { DEFAULT_ARTIFACT_PREFIX, DEFAULT_BACKUP_BRANCH, type StorageConfig } from './config.ts';

/** The lock file of one org in one storage target, and how messages name what it guards. */
export function targetLock(storage: StorageConfig, alias: string, env: NodeJS.ProcessEnv = process.env): { file: string; target: string } {
  const job = jobContext({}, env);
  const repo = `${job.serverUrl}/${job.repository ?? ''}`;
  switch (storage.type) {
    case 'local':
      return { file: localLockFile(storage.dir, alias), target: `the backup of ${alias} into ${path.resolve(storage.dir)}` };
    case 'branch': {
      const branch = storage.branch ?? DEFAULT_BACKUP_BRANCH;
      // The remote URL may carry a token: it goes into the hash only, never into a message.
      return { file: hostLockFile(`branch\0${storage.remoteUrl ?? repo}\0${branch}`, alias), target: `the backup of ${alias} to branch ${branch}` };
    }
    case 'artifact': {
      const name = storage.name ?? `${storage.prefix ?? DEFAULT_ARTIFACT_PREFIX}${alias}`;
      return { file: hostLockFile(`artifact\0${repo}\0${name}`, alias), target: `the backup of ${alias} to the artifact ${name}` };
    }
  }
}
