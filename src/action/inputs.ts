// The action's inputs, read once and typed. Secret inputs are masked the moment they are read,
// before validation can echo anything; the values of the `secrets` map are masked by the backup
// command as soon as it knows which ones the run uses (before its first log line).
import * as core from '@actions/core';
import { z } from 'zod';
import { orgCredentialsSchema, parseSettings } from '../config/credentials.ts';
import { DEFAULT_CONFIG_FILE, orgTypeSettingSchema, STORAGE_KINDS } from '../config/schema.ts';
import { aliasSetting, backupRunFields, flag, intIn, lifecycleFields, optionalText } from '../config/settings.ts';
import { RESTORE_MODES } from '../restore/contracts.ts';

export const COMMANDS = ['check', 'backup', 'rotate-app', 'watchdog', 'restore'] as const;

const checkSchema = orgCredentialsSchema.extend({ command: z.literal('check') });

export type CheckInputs = z.output<typeof checkSchema>;

const lifecycleInputs = {
  ...lifecycleFields,
  publishStatus: lifecycleFields.publishStatus.default(true),
  openIssues: lifecycleFields.openIssues.default(true),
  appPendingWindow: lifecycleFields.appPendingWindow.default(10),
};

const backupSchema = z.object({
  ...lifecycleInputs,
  command: z.literal('backup'),
  configFile: z.string().trim().min(1).default(DEFAULT_CONFIG_FILE),
  org: optionalText,
  /** Raw JSON of `${{ toJSON(secrets) }}`: parsed (and its used values masked) by the backup command. */
  secrets: z.string().default(''),
  loginUrl: optionalText,
  type: orgTypeSettingSchema.optional(),
  clientId: optionalText,
  clientSecret: optionalText,
  refreshToken: optionalText,
  alias: aliasSetting.optional(),
  storage: z.enum(STORAGE_KINDS, { error: 'must be local, artifact or branch' }).optional(),
  backupBranch: z.string().trim().min(1).default('salesforce-backups'),
  backupRemote: optionalText,
  artifactName: optionalText,
  retentionDays: intIn(1, 90, '30').optional(),
  outputDir: optionalText,
  keep: backupRunFields.keep.optional(),
  allowShrink: backupRunFields.allowShrink.default(false),
  fullEvery: backupRunFields.fullEvery.default(7),
  apiBudgetShare: backupRunFields.apiBudgetShare.default(0.5),
  massDeleteThreshold: backupRunFields.massDeleteThreshold.default(0.1),
  massDeleteMinRows: backupRunFields.massDeleteMinRows.default(100),
  apiVersion: orgCredentialsSchema.shape.apiVersion,
  githubToken: optionalText,
});

export type BackupInputs = z.output<typeof backupSchema>;

const rotateAppSchema = z.object({
  ...lifecycleInputs,
  command: z.literal('rotate-app'),
  configFile: z.string().trim().min(1).default(DEFAULT_CONFIG_FILE),
  secrets: z.string().default(''),
  newClientId: z
    .string({ error: 'is required: the new Connected App consumer key' })
    .trim()
    .min(1, { error: 'is required: the new Connected App consumer key' }),
  newClientSecret: z
    .string({ error: 'is required: the new Connected App consumer secret' })
    .trim()
    .min(1, { error: 'is required: the new Connected App consumer secret' }),
  githubToken: optionalText,
});

export type RotateAppInputs = z.output<typeof rotateAppSchema>;

const watchdogSchema = z.object({
  command: z.literal('watchdog'),
  workflow: z
    .string()
    .trim()
    .regex(/^(\.?\/?\.github\/workflows\/)?[A-Za-z0-9._-]+\.ya?ml$/, { error: 'must be the file name of the backup workflow, such as backup.yml' })
    .default('backup.yml'),
  dispatch: flag('dispatch').default(true),
  githubToken: optionalText,
  statusBranch: lifecycleFields.statusBranch,
  statusRemote: lifecycleFields.statusRemote,
  publishStatus: lifecycleInputs.publishStatus,
});

export type WatchdogInputs = z.output<typeof watchdogSchema>;

const restoreSchema = z.object({
  command: z.literal('restore'),
  configFile: z.string().trim().min(1).default(DEFAULT_CONFIG_FILE),
  /** The org whose backup is restored. */
  org: z.string({ error: 'is required: the alias of the org whose backup to restore' }).trim().min(1, { error: 'is required: the org alias' }),
  /** The org written to; the same org by default. */
  targetOrg: optionalText,
  snapshot: z.string().trim().min(1).default('latest'),
  mode: z.enum(RESTORE_MODES, { error: 'must be missing, overwrite or upsert — e.g. mode: missing' }).default('missing'),
  objects: optionalText,
  ids: optionalText,
  /** Which records: a SOQL WHERE condition over the snapshot's fields. */
  where: optionalText,
  fields: optionalText,
  externalIdField: optionalText,
  overwriteNewer: flag('overwrite-newer').default(false),
  /** Masking rules for seeding (`Object.Field=blank|fake|hash`, comma-separated). */
  mask: optionalText,
  /** The key of fake and hash masking (a secret). */
  maskKey: optionalText,
  /** Into another org: the suffix that turns the snapshot's usernames into the target's. */
  usernameSuffix: optionalText,
  /** Into another org: who records of unmatched users get. */
  fallbackUser: optionalText,
  dryRun: flag('dry-run').default(true),
  allowProduction: flag('allow-production').default(false),
  /** Continue from the results of an earlier run: its workflow run id, or `latest`. */
  resumeFrom: z
    .string()
    .trim()
    .regex(/^(latest|\d+)$/, { error: "must be a workflow run id (the number in the run's URL) or latest" })
    .optional(),
  /** How long the report artifact is kept. */
  retentionDays: intIn(1, 90, '30').optional(),
  secrets: z.string().default(''),
  storage: z.enum(STORAGE_KINDS, { error: 'must be local, artifact or branch' }).optional(),
  backupBranch: z.string().trim().min(1).default('salesforce-backups'),
  backupRemote: optionalText,
  artifactName: optionalText,
  outputDir: optionalText,
  apiVersion: orgCredentialsSchema.shape.apiVersion,
  githubToken: optionalText,
  secretsToken: lifecycleFields.secretsToken,
  appPendingWindow: lifecycleInputs.appPendingWindow,
});

export type RestoreInputs = z.output<typeof restoreSchema>;
export type ActionInputs = CheckInputs | BackupInputs | RotateAppInputs | WatchdogInputs | RestoreInputs;

/** Schema key → the input's name in action.yml, for error messages. */
export const INPUT_NAMES = {
  command: 'command',
  loginUrl: 'login-url',
  clientId: 'client-id',
  clientSecret: 'client-secret',
  refreshToken: 'refresh-token',
  apiVersion: 'api-version',
  configFile: 'config-file',
  org: 'org',
  secrets: 'secrets',
  type: 'type',
  alias: 'alias',
  storage: 'storage',
  backupBranch: 'backup-branch',
  backupRemote: 'backup-remote',
  artifactName: 'artifact-name',
  retentionDays: 'retention-days',
  outputDir: 'output-dir',
  keep: 'keep',
  allowShrink: 'allow-shrink',
  fullEvery: 'full-every',
  apiBudgetShare: 'api-budget-share',
  massDeleteThreshold: 'mass-delete-threshold',
  massDeleteMinRows: 'mass-delete-min-rows',
  githubToken: 'github-token',
  secretsToken: 'secrets-token',
  statusBranch: 'status-branch',
  statusRemote: 'status-remote',
  publishStatus: 'publish-status',
  redactStatus: 'redact-status',
  openIssues: 'open-issues',
  appPendingWindow: 'app-pending-window',
  refreshTokenMaxAgeDays: 'refresh-token-max-age-days',
  newClientId: 'new-client-id',
  newClientSecret: 'new-client-secret',
  workflow: 'workflow',
  dispatch: 'dispatch',
  targetOrg: 'target-org',
  snapshot: 'snapshot',
  mode: 'mode',
  objects: 'objects',
  ids: 'ids',
  where: 'where',
  fields: 'fields',
  externalIdField: 'external-id-field',
  overwriteNewer: 'overwrite-newer',
  mask: 'mask',
  maskKey: 'mask-key',
  usernameSuffix: 'username-suffix',
  fallbackUser: 'fallback-user',
  dryRun: 'dry-run',
  allowProduction: 'allow-production',
  resumeFrom: 'resume-from',
} as const satisfies Record<keyof CheckInputs | keyof BackupInputs | keyof RotateAppInputs | keyof WatchdogInputs | keyof RestoreInputs, string>;

const SECRET_INPUTS = new Set<string>(['clientId', 'clientSecret', 'refreshToken', 'githubToken', 'secretsToken', 'newClientId', 'newClientSecret', 'maskKey']);

export function getInputs(): ActionInputs {
  const raw: Record<string, string | undefined> = {};
  for (const [key, name] of Object.entries(INPUT_NAMES)) {
    const value = core.getInput(name);
    if (SECRET_INPUTS.has(key) && value) core.setSecret(value);
    // The runner fills in action.yml defaults; outside it, an empty input means "use the default".
    raw[key] = value === '' ? undefined : value;
  }
  raw.command ??= 'check';
  if (raw.command === 'backup') return parseSettings(backupSchema, raw, INPUT_NAMES);
  if (raw.command === 'rotate-app') return parseSettings(rotateAppSchema, raw, INPUT_NAMES);
  if (raw.command === 'watchdog') return parseSettings(watchdogSchema, raw, INPUT_NAMES);
  if (raw.command === 'restore') return parseSettings(restoreSchema, raw, INPUT_NAMES);
  if (raw.command === 'check') {
    const { command: _, ...creds } = raw;
    return { command: 'check', ...parseSettings(orgCredentialsSchema, creds, INPUT_NAMES) };
  }
  parseSettings(z.object({ command: z.enum(COMMANDS, { error: `must be one of: ${COMMANDS.join(', ')}` }) }), raw, INPUT_NAMES);
  throw new Error(`unknown command ${raw.command}`);
}
