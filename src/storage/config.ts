// Where a snapshot goes, as the org config and the inputs describe it, and what the targets need of
// the job (token, repository, API and server URLs, scratch space, masking: src/runtime/job-context.ts)
// plus a logger. Entry points pass the logger and the mask; the rest defaults to the runner's
// environment.
import { z } from 'zod';
import { type JobContextOverrides, jobContext, repositoryRef } from '../runtime/job-context.ts';

export const DEFAULT_BACKUP_BRANCH = 'salesforce-backups';
export const DEFAULT_ARTIFACT_PREFIX = 'salesforce-backup-';

// Characters the artifact client refuses in names (github-api.md §4.5).
const ARTIFACT_NAME = /^[^":<>|*?\r\n\\/]+$/;
// A conservative subset of git's check-ref-format rules: enough to refuse typos early.
const BRANCH_NAME = /^(?!\/|.*\/\/|.*\.\.|.*@\{|.*\.lock$|.*\/$|.*\.$)[A-Za-z0-9._/-]+$/;

export const localStorageSchema = z.object({
  type: z.literal('local'),
  /** Folder holding one sub-folder per org alias. */
  dir: z.string().min(1),
  /** Dated snapshots kept per org (the newest N); pinned ones are kept on top of these. */
  keep: z.number().int().min(1).max(10_000).default(7),
});

export const artifactStorageSchema = z.object({
  type: z.literal('artifact'),
  /** The artifact is named `<prefix><alias>` unless `name` is given. */
  prefix: z
    .string()
    .regex(/^[^":<>|*?\r\n\\/]*$/, 'must not contain " : < > | * ? \\ / or line breaks')
    .default(DEFAULT_ARTIFACT_PREFIX),
  name: z.string().regex(ARTIFACT_NAME, 'must not be empty or contain " : < > | * ? \\ / or line breaks').optional(),
  /** 1–90 days on public repositories, up to 400 on private ones; unset = the repository default. */
  retentionDays: z.number().int().min(1).max(400).optional(),
});

export const branchStorageSchema = z.object({
  type: z.literal('branch'),
  branch: z.string().regex(BRANCH_NAME, 'is not a valid branch name').default(DEFAULT_BACKUP_BRANCH),
  /** The repository's git URL; `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}.git` by default. */
  remoteUrl: z.url({ protocol: /^(https?|file)$/ }).optional(),
  /** Push attempts when another job moved the branch meanwhile (matrix jobs share the branch). */
  maxPushAttempts: z.number().int().min(1).max(20).default(6),
});

export const storageConfigSchema = z.discriminatedUnion('type', [localStorageSchema, artifactStorageSchema, branchStorageSchema]);

export type StorageConfig = z.input<typeof storageConfigSchema>;
export type LocalStorageConfig = z.output<typeof localStorageSchema>;
export type ArtifactStorageConfig = z.output<typeof artifactStorageSchema>;
export type BranchStorageConfig = z.output<typeof branchStorageSchema>;

export interface StorageLogger {
  info(message: string): void;
  warning(message: string): void;
}

export interface StorageContext extends JobContextOverrides {
  /** Progress and warnings; plain stdout/stderr lines when not given. */
  log?: StorageLogger;
}

export interface ResolvedContext {
  token: string | undefined;
  repository: { owner: string; repo: string } | undefined;
  apiUrl: string;
  serverUrl: string;
  tempDir: string;
  log: StorageLogger;
  mask: (secret: string) => void;
}

const PLAIN_LOG: StorageLogger = {
  info: (message) => process.stdout.write(`${message}\n`),
  warning: (message) => process.stderr.write(`Warning: ${message}\n`),
};

export function resolveContext(ctx: StorageContext = {}, env: NodeJS.ProcessEnv = process.env): ResolvedContext {
  const job = jobContext(ctx, env);
  return {
    token: job.token,
    repository: repositoryRef(job.repository),
    apiUrl: job.apiUrl,
    serverUrl: job.serverUrl,
    tempDir: job.tempDir,
    log: ctx.log ?? PLAIN_LOG,
    mask: job.mask,
  };
}
