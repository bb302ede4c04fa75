// The status data contract (design §5): what the action publishes on the data branch after every
// run and what the status site reads. Kept free of Node APIs so the site can import it as it is.
//
// Versioning: additive changes (a new optional or defaulted field) keep `schemaVersion`; anything
// that would make an older reader misread the data bumps it, and readers refuse versions they do
// not know instead of guessing. Objects are not strict on purpose: a reader ignores fields added
// by a newer writer of the same version.
import { z } from 'zod';
import { AUTH_STATES, type AuthState, ProductError } from '../runtime/errors.ts';

export const STATUS_SCHEMA_VERSION = 1;
/** History entries kept per org; the oldest are dropped first. One a day is well over a year. */
export const HISTORY_LIMIT = 500;

const versionSchema = z.number({ error: 'must be the schema version number' }).superRefine((v, ctx) => {
  if (v !== STATUS_SCHEMA_VERSION) {
    ctx.addIssue({
      code: 'custom',
      message:
        v > STATUS_SCHEMA_VERSION
          ? `is ${v}, newer than the ${STATUS_SCHEMA_VERSION} this code understands: upgrade the action or the site`
          : `is ${v}, which no released version wrote; expected ${STATUS_SCHEMA_VERSION}`,
    });
  }
});

export const isoTimestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 timestamp such as 2026-01-31T03:17:00Z' });

/** Same rule as the org config's alias: it names folders on the data branch. */
export const aliasSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { error: 'must be letters, digits, - or _ (it names a folder)' });

/** `appFingerprint(consumerKey)`: the first 12 hex digits of sha256, never the key. */
export const fingerprintSchema = z.string().regex(/^[0-9a-f]{12}$/, { error: 'must be 12 lowercase hex digits (the app fingerprint, never the key)' });

/** A host name with an optional port (`login.salesforce.com`, `acme.my.salesforce.com`), or `my-domain` once redacted. */
export const loginHostSchema = z.string().regex(/^(my-domain|[A-Za-z0-9.-]+(:\d{1,5})?)$/, {
  error: 'must be a host name such as login.salesforce.com (no scheme or path), or my-domain when redacted',
});

const salesforceId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$`), { error: `must be a 15 or 18 character Salesforce id starting ${prefix}` });

export const orgTypeSchema = z.enum(['production', 'sandbox', 'my_domain']);

export const authStateSchema = z.enum(AUTH_STATES);

const count = z.number().int().nonnegative();

export const authStatusSchema = z.object({
  state: authStateSchema,
  /** `token_expired_or_revoked`, `app_changed`, …; null when the state needs no reason (ok). */
  reason: z.string().min(1).nullable(),
  /** When the org entered this state with this reason. */
  since: isoTimestamp,
  /** The last run that authenticated; null when none ever did. */
  lastOkAt: isoTimestamp.nullable(),
  message: z.string(),
  /** What a person should do; null when nothing is needed. */
  remedy: z.string().nullable(),
});

export const backupChangesSchema = z.object({ added: count, changed: count, deleted: count });

export const lastBackupSchema = z.object({
  outcome: z.enum(['success', 'failed', 'skipped']),
  mode: z.enum(['full', 'incremental']).nullable(),
  startedAt: isoTimestamp,
  finishedAt: isoTimestamp,
  durationS: z.number().nonnegative(),
  objects: count,
  rows: count,
  bytes: count,
  apiCallsUsed: count,
  apiRemaining: count.nullable(),
  apiLimit: count.nullable(),
  /** Against the previous snapshot; null for the first one or when the run did not get that far. */
  changes: backupChangesSchema.nullable(),
  failedObjects: z.array(z.string()),
  /** Where the snapshot went (`branch salesforce-backups@<sha>`, an artifact, …). */
  location: z.string().nullable(),
  /**
   * Objects the previous snapshot had and this run's lacks (added in schema v1, optional): why is
   * `excluded` (the selection leaves it out) or `not_exportable` (renamed, deleted, access lost).
   */
  droppedObjects: z.array(z.object({ name: z.string(), rows: count, reason: z.enum(['excluded', 'not_exportable']) })).optional(),
  /** Why the run was held instead of published (it would shrink a target that keeps no other copy). */
  held: z.string().optional(),
  /**
   * The objects of this snapshot with their rows and, against the previous snapshot, the rows added,
   * changed and deleted (null on a first snapshot); added in schema v1, optional. Names and counts only.
   */
  objectList: z.array(z.object({ name: z.string(), rows: count, added: count.nullable(), changed: count.nullable(), deleted: count.nullable() })).optional(),
  /** Objects that lost more rows than the mass-delete rule allows since the previous snapshot (optional). */
  massDeletes: z.array(z.object({ object: z.string(), before: count, after: count, dropped: count })).optional(),
});

export const scheduleSchema = z.object({
  /** Seconds between two scheduled backups (86400 for a nightly cron). */
  intervalS: z.number().positive(),
  /** Seconds past the interval before the org counts as late; null for the reader's default. */
  graceS: z.number().nonnegative().nullable(),
});

export const orgStatusSchema = z.object({
  schemaVersion: versionSchema,
  alias: aliasSchema,
  type: orgTypeSchema,
  loginHost: loginHostSchema,
  /** Null until a run first authenticates (a misconfigured org may never have). */
  orgId: salesforceId('00D').nullable(),
  userId: salesforceId('005').nullable(),
  /** Null when redacted or unknown. */
  username: z.string().min(1).nullable(),
  /** Null when redacted or unknown. */
  instanceUrl: z.url({ protocol: /^https?$/ }).nullable(),
  /** Null when the consumer key could not be read (a missing secret). */
  appFingerprint: fingerprintSchema.nullable(),
  /** When the current refresh token was obtained (by reauth or rotation); null when unknown. */
  authorizedAt: isoTimestamp.nullable(),
  auth: authStatusSchema,
  /** The last backup attempted; null when no run has tried one yet. */
  lastBackup: lastBackupSchema.nullable(),
  updatedAt: isoTimestamp,
  runUrl: z.url({ protocol: /^https?$/ }).nullable(),
  redacted: z.boolean(),
  /**
   * How often backups of this org are expected (added in schema v1, optional): the status site's
   * dead man's switch. Absent, the site infers the interval from the history.
   */
  schedule: scheduleSchema.optional(),
});

export const historyEntrySchema = z.object({
  at: isoTimestamp,
  runUrl: z.url({ protocol: /^https?$/ }).nullable(),
  authState: authStateSchema,
  authReason: z.string().min(1).nullable(),
  /** Null when the run did not attempt a backup (a `check`, a `rotate-app`). */
  outcome: z.enum(['success', 'failed', 'skipped']).nullable(),
  mode: z.enum(['full', 'incremental']).nullable(),
  rows: count.nullable(),
  bytes: count.nullable(),
  durationS: z.number().nonnegative().nullable(),
  apiCallsUsed: count.nullable(),
});

export const orgHistorySchema = z.object({
  schemaVersion: versionSchema,
  alias: aliasSchema,
  /** Oldest first, newest last. */
  entries: z.array(historyEntrySchema).max(HISTORY_LIMIT, { error: `must hold at most ${HISTORY_LIMIT} entries` }),
});

export const campaignOrgSchema = z.object({
  alias: aliasSchema,
  reauthorizedAt: isoTimestamp.nullable(),
});

export const campaignSchema = z
  .object({
    /** `<startedAt as yyyymmddThhmmssZ>-<newFingerprint>`: stable, so concurrent writers merge by it. */
    id: z.string().regex(/^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}$/, { error: 'must be <yyyymmddThhmmssZ>-<new fingerprint>' }),
    startedAt: isoTimestamp,
    /** Set when every org is re-authorized. */
    completedAt: isoTimestamp.nullable(),
    /** A later rotation replaced this campaign before it completed; its open orgs moved there. */
    supersededBy: z.string().nullable().default(null),
    previousFingerprint: fingerprintSchema,
    newFingerprint: fingerprintSchema,
    orgs: z.array(campaignOrgSchema).min(1, { error: 'must list the orgs to re-authorize' }),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.orgs.forEach((o, i) => {
      if (seen.has(o.alias)) ctx.addIssue({ code: 'custom', path: ['orgs', i, 'alias'], message: `repeats ${o.alias}` });
      seen.add(o.alias);
    });
    if (c.completedAt !== null && c.orgs.some((o) => o.reauthorizedAt === null)) {
      ctx.addIssue({ code: 'custom', path: ['completedAt'], message: 'is set while some orgs are not re-authorized' });
    }
  });

export const campaignsSchema = z
  .object({
    schemaVersion: versionSchema,
    /** Oldest first. */
    campaigns: z.array(campaignSchema),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.campaigns.forEach((x, i) => {
      if (seen.has(x.id)) ctx.addIssue({ code: 'custom', path: ['campaigns', i, 'id'], message: `repeats campaign ${x.id}` });
      seen.add(x.id);
    });
  });

/** A workflow's state as the Actions API reports it (`disabled_inactivity`: GitHub's, after 60 days without activity). */
export const workflowStateSchema = z.enum(['active', 'deleted', 'disabled_fork', 'disabled_inactivity', 'disabled_manually']);

/** Re-enables kept per workflow in watchdog.json; the oldest are dropped first. */
export const WATCHDOG_HISTORY_LIMIT = 50;

export const watchdogEventSchema = z.object({
  /** When the watchdog enabled the workflow again. */
  at: isoTimestamp,
  /** The state it found (`disabled_inactivity`). */
  from: workflowStateSchema,
  /** Whether it also started one run, so the day's backup was not lost. */
  dispatched: z.boolean(),
  runUrl: z.url({ protocol: /^https?$/ }).nullable(),
});

export const watchdogWorkflowSchema = z.object({
  /** The workflow's file name under .github/workflows/ (`backup.yml`). */
  workflow: z.string().regex(/^[A-Za-z0-9._-]+$/, { error: 'must be the file name of the workflow, such as backup.yml' }),
  /** Its state as the watchdog last found it; null when it could not be read. */
  state: workflowStateSchema.nullable(),
  checkedAt: isoTimestamp,
  /**
   * What the watchdog did: `none` (nothing to do, or a state it must leave to a person),
   * `re-enabled`, `cannot-enable` (GitHub refused; `reason` says why), `cannot-check` (the state
   * could not be read).
   */
  action: z.enum(['none', 're-enabled', 'cannot-enable', 'cannot-check']),
  /** `permission_denied`, `not_found`, …; null when nothing failed. */
  reason: z.string().min(1).nullable(),
  message: z.string(),
  /** What a person should do; null when nothing is needed. */
  remedy: z.string().nullable(),
  /** A run was dispatched after re-enabling. */
  dispatched: z.boolean(),
  /** The watchdog's own run. */
  runUrl: z.url({ protocol: /^https?$/ }).nullable(),
  /** Re-enables, oldest first. */
  reEnables: z.array(watchdogEventSchema).max(WATCHDOG_HISTORY_LIMIT, { error: `must hold at most ${WATCHDOG_HISTORY_LIMIT} entries` }),
});

/**
 * `watchdog.json` (added in schema v1, optional): what the backup-workflow watchdog last found and
 * did, per workflow it watches. Data without the file is data from before the watchdog.
 */
export const watchdogFileSchema = z
  .object({
    schemaVersion: versionSchema,
    workflows: z.array(watchdogWorkflowSchema),
  })
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.workflows.forEach((w, i) => {
      if (seen.has(w.workflow)) ctx.addIssue({ code: 'custom', path: ['workflows', i, 'workflow'], message: `repeats ${w.workflow}` });
      seen.add(w.workflow);
    });
  });

/** Everything in a data directory, as `readStatusDir` returns it. */
export const indexSchema = z.object({
  orgs: z.array(z.object({ status: orgStatusSchema, history: orgHistorySchema })),
  campaigns: campaignsSchema,
  /** Absent when no watchdog has run. */
  watchdog: watchdogFileSchema.optional(),
});

export type OrgType = z.infer<typeof orgTypeSchema>;
export type { AuthState };
export type AuthStatus = z.infer<typeof authStatusSchema>;
export type BackupChanges = z.infer<typeof backupChangesSchema>;
export type LastBackup = z.infer<typeof lastBackupSchema>;
export type Schedule = z.infer<typeof scheduleSchema>;
export type OrgStatus = z.infer<typeof orgStatusSchema>;
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
export type OrgHistory = z.infer<typeof orgHistorySchema>;
export type CampaignOrg = z.infer<typeof campaignOrgSchema>;
export type Campaign = z.infer<typeof campaignSchema>;
export type CampaignsFile = z.infer<typeof campaignsSchema>;
export type StatusIndex = z.infer<typeof indexSchema>;
export type WorkflowState = z.infer<typeof workflowStateSchema>;
export type WatchdogEvent = z.infer<typeof watchdogEventSchema>;
export type WatchdogWorkflow = z.infer<typeof watchdogWorkflowSchema>;
export type WatchdogFile = z.infer<typeof watchdogFileSchema>;

/** `auth.since` → `since`, `orgs[1].alias` → `orgs[1].alias`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/** Invalid status data, naming the file and each field that is wrong. */
export class StatusDataError extends ProductError<'invalid_status_data'> {
  override readonly name = 'StatusDataError';
  readonly state = 'failed';
  readonly file: string;
  readonly problems: string[];

  constructor(file: string, problems: string[], remedy: string) {
    super({ reason: 'invalid_status_data', message: `${file}: ${problems.join('; ')}`, remedy });
    this.file = file;
    this.problems = problems;
  }
}

const REMEDY_INVALID =
  'The status data branch holds a file this version does not accept: fix or delete the file named above on the branch; the next run rewrites it.';

/** Parses with `schema`, or throws StatusDataError naming `file` and every bad field. */
export function parseStatusFile<S extends z.ZodType>(schema: S, data: unknown, file: string): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const missing = issue.path.length > 0 && valueAt(data, issue.path) === undefined && issue.code !== 'custom';
    return `${formatIssuePath(issue.path) || '(top level)'} ${missing ? 'is missing' : issue.message}`;
  });
  throw new StatusDataError(file, problems, REMEDY_INVALID);
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** True when the data says it was written with a newer schema than this code knows. */
export function isNewerSchema(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const v = (data as { schemaVersion?: unknown }).schemaVersion;
  return typeof v === 'number' && v > STATUS_SCHEMA_VERSION;
}
