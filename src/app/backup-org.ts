// Backing up one org, whichever entry point asks: resolve the org (from the org config and its
// secrets, or from settings given directly), take the lock of its storage target, log in through
// the token lifecycle (a rotated refresh token is stored before anything else), back up, and report
// the outcome to the status branch and the org's issue. The action (`command: backup`) and
// `sfbackup backup` both call runOrgBackup and only render what it returns.
//
// It does not throw for the org's own failures (a bad config, a dead token, a failed object, a full
// disk): they come back in the report with the error a person reads, so each entry point can show
// them its way (annotations and a job summary; exit codes and --json). A bug still throws.
import path from 'node:path';
import { type BackupResult, backupFailed, backupOrg } from '../backup/run.ts';
import { TOOL_VERSION } from '../backup/version.ts';
import { type OrgCredentials, orgCredentialsSchema, parseSettings } from '../config/credentials.ts';
import { loadConfig, type ResolvedOrg, resolveOrg, type SecretsMap, type SecretsSource, selectOrg } from '../config/index.ts';
import { DEFAULT_CLIENT_ID_SECRET, DEFAULT_CLIENT_SECRET_SECRET, loginUrlForType, type OrgStorageConfig } from '../config/schema.ts';
import { MisconfiguredError, SalesforceError } from '../runtime/auth-errors.ts';
import { classifyDiskFull, type DiskPlaces } from '../runtime/io.ts';
import { acquireLock } from '../runtime/lock.ts';
import { createWorkDir } from '../runtime/workdir.ts';
import { genericHostKind } from '../salesforce/auth/connection.ts';
import { type AuthOutcome, failureOutcome, outcomeError } from '../salesforce/auth/outcome.ts';
import type { LastBackup } from '../status/index.ts';
import { createStorageTarget, type StorageConfig, type StorageContext } from '../storage/index.ts';
import { targetLock } from '../storage/lock.ts';
import { type LifecycleReport, type LifecycleSettings, OrgLifecycle } from './org-lifecycle.ts';
import { maskAll, type Reporter } from './reporter.ts';

/** Where the org comes from: the org config with its secret values, or settings given directly. */
export type OrgSource =
  | {
      kind: 'config';
      /** Absolute path of the org config. */
      file: string;
      /** How messages name it (`.github/salesforce-backup.yml`). */
      displayName: string;
      /** Which org; may be left out when the config lists one. */
      alias?: string | undefined;
      /** Secret name → value (the action's `secrets` map, or the CLI's environment). */
      secrets: SecretsMap;
      /** Who hands the secrets over, for the remedy of a missing one. */
      secretsSource: SecretsSource;
      apiVersion: string;
    }
  | {
      kind: 'inline';
      alias: string;
      /** `production`, `sandbox` or a My Domain URL; the login URL when not given. */
      type?: string | undefined;
      /** Raw credentials, validated here; `names` says how the entry point spells each one. */
      credentials: Record<string, string | undefined>;
      names: Record<string, string>;
      /** Objects and fields the entry point selects (the CLI's --include, --exclude, --exclude-fields). */
      include?: string[] | undefined;
      exclude?: string[] | undefined;
      excludeFields?: string[] | undefined;
      /** The repository secret that holds the refresh token, so a rotated one can be written back. */
      refreshTokenSecret?: string | undefined;
    };

/** Where a snapshot goes when the org config does not say (and what overrides it). */
export interface StorageDefaults {
  /** Wins over the org config's storage (the CLI's --out DIR). */
  override?: OrgStorageConfig | undefined;
  kind: OrgStorageConfig['kind'];
  localDir?: string | undefined;
  keep?: number | undefined;
  artifactName?: string | undefined;
  retentionDays?: number | undefined;
  branch: string;
  /** The backup branch's git remote; the job's repository by default. */
  remote?: string | undefined;
  /** Set when this entry point cannot write a workflow artifact: the message that says what to do instead. */
  artifactUnavailable?: string | undefined;
}

export interface OrgBackupRequest {
  source: OrgSource;
  storage: StorageDefaults;
  /** Relative folders (a local target's dir) are taken from here: the workspace, or the current folder. */
  baseDir: string;
  /** Scratch space for the previous snapshot and staging. */
  tempDir: string;
  run: {
    fullEvery: number;
    full?: boolean | undefined;
    apiBudgetShare: number;
    massDeleteThreshold: number;
    massDeleteMinRows: number;
    allowShrink: boolean;
    exportTuning?: { concurrency?: number } | undefined;
  };
  lifecycle: LifecycleSettings;
  /** The GitHub token the storage targets use (artifact API, pushes of the backup branch). */
  githubToken?: string | undefined;
  lock: {
    /** The command as recorded in the lock for this org, without secrets. */
    command: (alias: string) => string;
    waitSeconds?: number | undefined;
    waitHint?: string | undefined;
  };
  /** What to do about a full disk, in this entry point's words (`set output-dir`, `--out`). */
  diskRemedies?: (places: { staging: string; tempDir: string; output?: string | undefined }) => DiskPlaces['remedies'];
}

/** How far the run got. */
export type OrgBackupStage =
  /** The org could not be resolved from the config or the settings. */
  | 'resolve'
  /** Another run holds the org's target. */
  | 'lock'
  /** The login failed: nothing was backed up. */
  | 'auth'
  /** The backup itself stopped with an error: nothing was published. */
  | 'backup'
  /** The backup ran to its end (published, or held, or with failed objects: see `result`). */
  | 'done';

export interface OrgBackupReport {
  /** As far as it is known: the alias and type, even for an org whose secrets are missing. */
  alias: string | undefined;
  type: string | undefined;
  storage: StorageConfig | undefined;
  stage: OrgBackupStage;
  /** Where the login ended up, after any rotation during the run was stored; undefined before a login was tried. */
  outcome: AuthOutcome | undefined;
  /** Salesforce rotated the refresh token and the new one is stored in `refreshTokenSecret`. */
  rotated: boolean;
  refreshTokenSecret: string | undefined;
  result: BackupResult | undefined;
  /** The error a person reads when the run did not succeed (`failed`); for stage `done`, the auth failure after the backup, if any. */
  error: unknown;
  /** Nothing new was published, an object failed, or the rotated token was not stored. */
  failed: boolean;
  lifecycle: LifecycleReport;
}

export async function runOrgBackup(request: OrgBackupRequest, reporter: Reporter): Promise<OrgBackupReport> {
  const blank: OrgBackupReport = {
    alias: undefined,
    type: undefined,
    storage: undefined,
    stage: 'resolve',
    outcome: undefined,
    rotated: false,
    refreshTokenSecret: undefined,
    result: undefined,
    error: undefined,
    failed: true,
    lifecycle: {},
  };
  let org: ResolvedOrg;
  let storage: StorageConfig;
  // The org as far as the config names it, for the report of an org whose secrets do not resolve.
  const named: { alias?: string; type?: string } = {};
  try {
    org = resolveSource(request.source, reporter, named);
    storage = storageFor(org, request.storage, request.baseDir);
  } catch (err) {
    return { ...blank, ...(await reportUnresolved(request, err, named, reporter)), error: err };
  }
  reporter.info(`Backing up org "${org.alias}" (${org.type}) to the ${storage.type} target.`);
  const known = { ...blank, alias: org.alias, type: org.type, storage };

  // One run at a time per org and target: a self-hosted runner (or a laptop) may run two at once.
  let lock: Awaited<ReturnType<typeof acquireLock>>;
  try {
    lock = await acquireLock({
      ...targetLock(storage, org.alias),
      command: request.lock.command(org.alias),
      ...(request.lock.waitSeconds !== undefined ? { waitSeconds: request.lock.waitSeconds } : {}),
      ...(request.lock.waitHint ? { waitHint: request.lock.waitHint } : {}),
      log: { info: (m) => reporter.info(m), warning: (m) => reporter.warning(m) },
    });
  } catch (err) {
    // A lock file that cannot be written (a full or read-only disk) says which disk and what to do.
    const output = storage.type === 'local' ? storage.dir : undefined;
    return { ...known, stage: 'lock', error: classifyDiskFull(err, output ? { output } : {}) ?? err };
  }
  try {
    return await backupLocked(request, org, storage, known, reporter);
  } finally {
    lock.release();
  }
}

/** The org of a source, its secrets masked; throws what a person must fix (a missing secret, a bad setting). */
export function resolveOrgSource(source: OrgSource, reporter: Reporter): ResolvedOrg {
  return resolveSource(source, reporter, {});
}

function resolveSource(source: OrgSource, reporter: Reporter, named: { alias?: string; type?: string }): ResolvedOrg {
  if (source.kind === 'inline') {
    const credentials: OrgCredentials = parseSettings(
      orgCredentialsSchema,
      { ...source.credentials, ...(source.type ? { loginUrl: loginUrlForType(source.type) } : {}) },
      source.names,
    );
    for (const v of [credentials.clientId, credentials.clientSecret, credentials.refreshToken]) maskAll(reporter, v);
    return {
      alias: source.alias,
      // A generic login host says the org's kind, so remedies name it (and the reauth command takes --type).
      type: source.type ?? genericHostKind(credentials.loginUrl) ?? credentials.loginUrl,
      credentials,
      secretValues: [credentials.clientId, credentials.clientSecret, credentials.refreshToken],
      objects: { ...(source.include ? { include: source.include } : {}), ...(source.exclude ? { exclude: source.exclude } : {}) },
      fieldsExclude: source.excludeFields ?? [],
      storage: undefined,
      ...(source.refreshTokenSecret ? { secretTargets: repositorySecrets(source.refreshTokenSecret) } : {}),
    };
  }
  const config = loadConfig(source.file, source.displayName);
  const selected = selectOrg(config, source.alias, source.displayName);
  named.alias = selected.alias;
  named.type = selected.type;
  const resolved = resolveOrg(config, selected, source.secrets, source.displayName, source.apiVersion, source.secretsSource);
  // Masked before the first line that names the org: nothing logged later can show one.
  for (const v of resolved.secretValues) maskAll(reporter, v);
  return resolved;
}

/** An org given without a config names only its refresh-token secret, in the repository itself. */
function repositorySecrets(refreshTokenSecret: string): ResolvedOrg['secretTargets'] {
  return (repository) => {
    const [owner = '', repo = ''] = repository.split('/');
    const at = (name: string) => ({ scope: 'repository' as const, owner, repo, name });
    return { refreshToken: at(refreshTokenSecret), clientId: at(DEFAULT_CLIENT_ID_SECRET), clientSecret: at(DEFAULT_CLIENT_SECRET_SECRET) };
  };
}

/** The storage target of the org: the override, else the org config's, else the entry point's default. */
export function storageFor(org: ResolvedOrg, d: StorageDefaults, baseDir: string): StorageConfig {
  const s: OrgStorageConfig = d.override ?? org.storage ?? { kind: d.kind };
  switch (s.kind) {
    case 'local': {
      const dir = s.dir ?? d.localDir ?? 'salesforce-backups';
      return { type: 'local', dir: path.resolve(baseDir, dir), keep: s.keep ?? d.keep };
    }
    case 'artifact': {
      if (d.artifactUnavailable) {
        throw new MisconfiguredError({
          reason: 'bad_input',
          message: `Org ${org.alias} stores its snapshots as a workflow artifact, which only a GitHub Actions run can write.`,
          remedy: d.artifactUnavailable,
        });
      }
      const name = s['artifact-name'] ?? d.artifactName;
      const retentionDays = s['retention-days'] ?? d.retentionDays;
      return { type: 'artifact', ...(name ? { name } : {}), ...(retentionDays ? { retentionDays } : {}) };
    }
    case 'branch':
      return { type: 'branch', branch: s.branch ?? d.branch, ...(d.remote ? { remoteUrl: d.remote } : {}) };
  }
}

/**
 * A config that does not resolve (a missing secret, a bad type) is still this org's state: report it
 * as misconfigured where the team looks, when the org can be named at all.
 */
async function reportUnresolved(
  request: OrgBackupRequest,
  err: unknown,
  named: { alias?: string; type?: string },
  reporter: Reporter,
): Promise<Partial<OrgBackupReport>> {
  const source = request.source;
  const state = err instanceof SalesforceError ? err : undefined;
  if (source.kind === 'inline') return state ? { alias: source.alias, outcome: failureOutcome(err, ref(source.alias, source.type ?? '', ''), new Date()) } : {};
  // A config that does not load, or names no such org, names nothing to report under.
  const { alias, type } = named;
  if (alias === undefined || type === undefined) return {};
  const loginUrl = loginUrlForType(type);
  const org: ResolvedOrg = {
    alias,
    type,
    credentials: { loginUrl, clientId: '', clientSecret: '', refreshToken: '', apiVersion: source.apiVersion },
    secretValues: [],
    objects: {},
    fieldsExclude: [],
    storage: undefined,
  };
  const life = await OrgLifecycle.open(org, request.lifecycle, reporter);
  const outcome = failureOutcome(err, life.ref(), new Date());
  const lifecycle = await life.report(outcome);
  return { alias, type, outcome, lifecycle };
}

function ref(alias: string, type: string, loginUrl: string) {
  return { alias, type, loginUrl };
}

function diskPlacesOf(request: OrgBackupRequest, workDir: string, storage: StorageConfig): DiskPlaces {
  const output = storage.type === 'local' ? storage.dir : undefined;
  const remedies = request.diskRemedies?.({ staging: workDir, tempDir: request.tempDir, output });
  return { staging: workDir, ...(output ? { output } : {}), ...(remedies ? { remedies } : {}) };
}

async function backupLocked(
  request: OrgBackupRequest,
  org: ResolvedOrg,
  storage: StorageConfig,
  known: OrgBackupReport,
  reporter: Reporter,
): Promise<OrgBackupReport> {
  const life = await OrgLifecycle.open(org, request.lifecycle, reporter);
  const refreshTokenSecret = org.secretTargets ? life.refreshTarget()?.name : undefined;
  const auth = await life.authenticate();
  if (!auth.session) {
    const lifecycle = await life.report(auth.outcome, lastBackupOf(undefined, auth.outcome.at, true));
    return { ...known, stage: 'auth', outcome: auth.outcome, refreshTokenSecret, error: outcomeError(auth.outcome), lifecycle };
  }
  reporter.mask(auth.session.conn.accessToken ?? '');

  const startedAt = new Date().toISOString();
  let workDir: string | undefined;
  let result: BackupResult;
  let work: ReturnType<typeof createWorkDir> | undefined;
  try {
    const target = createStorageTarget(storage, storageContextOf(request, reporter));
    work = createWorkDir(request.tempDir, org.alias, (m) => reporter.info(m));
    workDir = work.dir;
    result = await backupOrg({
      alias: org.alias,
      credentials: org.credentials,
      session: auth.session,
      target,
      workDir,
      fullEvery: request.run.fullEvery,
      ...(request.run.full ? { full: true } : {}),
      apiBudgetShare: request.run.apiBudgetShare,
      massDelete: { share: request.run.massDeleteThreshold, minRows: request.run.massDeleteMinRows },
      allowShrink: request.run.allowShrink,
      ...(org.objects.include ? { include: org.objects.include } : {}),
      ...(org.objects.exclude ? { exclude: org.objects.exclude } : {}),
      ...(org.fieldsExclude.length ? { excludeFields: org.fieldsExclude } : {}),
      toolVersion: TOOL_VERSION,
      log: { info: (m) => reporter.info(m), warning: (m) => reporter.warning(m) },
      onSecret: (s) => maskAll(reporter, s),
      ...(request.run.exportTuning ? { exportTuning: request.run.exportTuning } : {}),
    });
  } catch (caught) {
    // Self-hosted runners keep RUNNER_TEMP between jobs: do not leave a staged org behind.
    work?.remove();
    // A full disk (staging, or a local output folder) says which disk and what to do.
    const err = classifyDiskFull(caught, diskPlacesOf(request, workDir ?? request.tempDir, storage)) ?? caught;
    // A session that died mid-run may have been refreshed (and rotated) first: store that token.
    const settled = await life.settle();
    const outcome = settled.state !== 'ok' ? settled : err instanceof SalesforceError ? failureOutcome(err, life.ref(), new Date(), org.secretValues) : settled;
    // A token that died mid-run (or an outage) reads exactly as it would at login: the outcome's texts.
    const failure = outcome !== settled ? outcomeError(outcome, err) : err;
    const lifecycle = await life.report(outcome, lastBackupOf(undefined, startedAt, true));
    return { ...known, stage: 'backup', outcome, rotated: life.rotated, refreshTokenSecret, error: failure, lifecycle };
  }
  work.remove();

  const failed = backupFailed(result);
  const outcome = await life.settle();
  const lifecycle = await life.report(outcome, lastBackupOf(result, startedAt, failed));
  return {
    ...known,
    stage: 'done',
    outcome,
    rotated: life.rotated,
    refreshTokenSecret,
    result,
    // The backup itself may have worked, but a rotated token that was not stored means the next run cannot log in.
    error: outcome.state !== 'ok' ? outcomeError(outcome) : undefined,
    failed: failed || outcome.state !== 'ok',
    lifecycle,
  };
}

/** The status record of a backup attempt. */
function lastBackupOf(result: BackupResult | undefined, startedAt: string, failed: boolean): LastBackup {
  const finishedAt = new Date().toISOString();
  if (!result) {
    return {
      outcome: 'failed',
      mode: null,
      startedAt,
      finishedAt,
      durationS: Math.max(0, (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000),
      objects: 0,
      rows: 0,
      bytes: 0,
      apiCallsUsed: 0,
      apiRemaining: null,
      apiLimit: null,
      changes: null,
      failedObjects: [],
      location: null,
    };
  }
  const totals = result.diff?.totals;
  return {
    outcome: failed ? 'failed' : 'success',
    mode: result.mode,
    startedAt: result.startedAt,
    finishedAt: new Date(Date.parse(result.startedAt) + result.durationMs).toISOString(),
    durationS: Math.round(result.durationMs / 100) / 10,
    objects: result.objects,
    rows: result.rows,
    bytes: result.bytes,
    apiCallsUsed: result.apiCalls,
    apiRemaining: result.apiUsage ? Math.max(0, result.apiUsage.max - result.apiUsage.used) : null,
    apiLimit: result.apiUsage?.max ?? null,
    changes: totals ? { added: totals.added, changed: totals.changed, deleted: totals.deleted } : null,
    failedObjects: result.failedObjects.map((f) => f.name),
    location: result.published?.location ?? null,
    ...(result.droppedObjects.length ? { droppedObjects: result.droppedObjects } : {}),
    ...(result.held ? { held: result.held } : {}),
    ...(objectList(result) ? { objectList: objectList(result) } : {}),
    ...(result.massDeletes.length
      ? { massDeletes: result.massDeletes.map((m) => ({ object: m.object, before: m.before, after: m.after, dropped: m.dropped })) }
      : {}),
  };
}

/** The snapshot's objects with their rows and the changes since the previous snapshot, for the status page. */
function objectList(result: BackupResult): NonNullable<LastBackup['objectList']> | undefined {
  const diff = new Map((result.diff?.objects ?? []).map((o) => [o.name, o]));
  const objects = result.manifest?.objects;
  if (!objects) return undefined;
  return objects.map((o) => {
    const d = diff.get(o.name);
    return { name: o.name, rows: o.rows, added: d ? d.added : null, changed: d ? d.changed : null, deleted: d ? d.deleted : null };
  });
}

/** The orgs of a config, for `--all`. */
export function configuredAliases(file: string, displayName: string): string[] {
  return loadConfig(file, displayName).orgs.map((o) => o.alias);
}

/** What a storage target needs of the job, from a request: its token, repository, API URL, temp dir and the reporter. */
export function storageContextOf(
  request: { githubToken?: string | undefined; tempDir: string; lifecycle: Pick<LifecycleSettings, 'repository' | 'apiUrl'> },
  reporter: Reporter,
): StorageContext {
  return {
    ...(request.githubToken ? { token: request.githubToken } : {}),
    ...(request.lifecycle.repository ? { repository: request.lifecycle.repository } : {}),
    apiUrl: request.lifecycle.apiUrl,
    tempDir: request.tempDir,
    log: { info: (m) => reporter.info(m), warning: (m) => reporter.warning(m) },
    mask: (s) => reporter.mask(s),
  };
}
