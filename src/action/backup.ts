// The `backup` command in the action: one org (from the org config and the secrets map, or from the
// single-org inputs) into its storage target; outputs, job summary, annotations, and a failed step
// when any object failed (the last good snapshot then stays where it was).
import path from 'node:path';
import * as core from '@actions/core';
import { formatMassDeletes } from '../backup/mass-delete.ts';
import { type BackupResult, backupFailed, backupOrg, droppedReasonText } from '../backup/run.ts';
import { addBackupSummary, escapeHtml } from '../backup/summary.ts';
import { TOOL_VERSION } from '../backup/version.ts';
import { orgCredentialsSchema, parseSettings } from '../config/credentials.ts';
import { loadConfig, parseSecretsMap, type ResolvedOrg, resolveOrg, selectOrg } from '../config/index.ts';
import { loginUrlForType, type OrgStorageConfig } from '../config/schema.ts';
import { SalesforceError } from '../runtime/auth-errors.ts';
import { describeFailure } from '../runtime/errors.ts';
import { classifyDiskFull, type DiskPlaces } from '../runtime/io.ts';
import { jobContext } from '../runtime/job-context.ts';
import { acquireLock } from '../runtime/lock.ts';
import { createWorkDir } from '../runtime/workdir.ts';
import { failureOutcome, outcomeError } from '../salesforce/auth/outcome.ts';
import type { LastBackup } from '../status/index.ts';
import { createStorageTarget, type StorageConfig } from '../storage/index.ts';
import { targetLock } from '../storage/lock.ts';
import type { BackupInputs } from './inputs.ts';
import { type LifecycleInputs, OrgLifecycle, orgRef } from './lifecycle.ts';

/** Masks a secret, line by line too: the runner matches masks per line. */
function mask(value: string): void {
  if (!value) return;
  core.setSecret(value);
  for (const line of value.split(/\r?\n/)) if (line && line !== value) core.setSecret(line);
}

function workspace(): string {
  return jobContext().workspace ?? process.cwd();
}

/** The org to back up. Masks every secret it uses before returning, so nothing logged later can show one. */
export function resolveTarget(inputs: BackupInputs): ResolvedOrg {
  if (inputs.refreshToken) {
    const raw = {
      loginUrl: inputs.type ? loginUrlForType(inputs.type) : inputs.loginUrl,
      clientId: inputs.clientId,
      clientSecret: inputs.clientSecret,
      refreshToken: inputs.refreshToken,
      apiVersion: inputs.apiVersion,
    };
    const credentials = parseSettings(orgCredentialsSchema, raw, {
      loginUrl: inputs.type ? 'type' : 'login-url',
      clientId: 'client-id',
      clientSecret: 'client-secret',
      refreshToken: 'refresh-token',
      apiVersion: 'api-version',
    });
    return {
      alias: inputs.alias ?? 'org',
      type: inputs.type ?? credentials.loginUrl,
      credentials,
      secretValues: [credentials.clientId, credentials.clientSecret, credentials.refreshToken],
      objects: {},
      fieldsExclude: [],
      storage: undefined,
    };
  }
  // Parse the map first and keep it local: its values are masked only once we know which are used.
  const secrets = parseSecretsMap(inputs.secrets);
  const config = loadConfig(path.resolve(workspace(), inputs.configFile), inputs.configFile);
  const org = selectOrg(config, inputs.org, inputs.configFile);
  const resolved = resolveOrg(config, org, secrets, inputs.configFile, inputs.apiVersion);
  for (const v of resolved.secretValues) mask(v);
  return resolved;
}

export function storageFor(org: ResolvedOrg, inputs: BackupInputs): StorageConfig {
  const s: OrgStorageConfig = org.storage ?? { kind: inputs.storage ?? 'artifact' };
  switch (s.kind) {
    case 'local':
      return { type: 'local', dir: path.resolve(workspace(), s.dir ?? inputs.outputDir ?? 'salesforce-backups'), keep: s.keep ?? inputs.keep };
    case 'artifact': {
      const name = s['artifact-name'] ?? inputs.artifactName;
      const retentionDays = s['retention-days'] ?? inputs.retentionDays;
      return { type: 'artifact', ...(name ? { name } : {}), ...(retentionDays ? { retentionDays } : {}) };
    }
    case 'branch':
      return { type: 'branch', branch: s.branch ?? inputs.backupBranch, ...(inputs.backupRemote ? { remoteUrl: inputs.backupRemote } : {}) };
  }
}

function lifecycleInputs(inputs: BackupInputs): LifecycleInputs {
  return {
    githubToken: inputs.githubToken,
    secretsToken: inputs.secretsToken,
    statusBranch: inputs.statusBranch,
    statusRemote: inputs.statusRemote ?? inputs.backupRemote,
    // Single-org mode (inputs only, no config) has no secret names to write back or to report under.
    publishStatus: inputs.publishStatus,
    redactStatus: inputs.redactStatus,
    openIssues: inputs.openIssues,
    appPendingWindow: inputs.appPendingWindow,
    refreshTokenMaxAgeDays: inputs.refreshTokenMaxAgeDays,
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
  };
}

/**
 * A config that does not resolve (a missing secret, a bad type) is still this org's state: report it
 * as misconfigured where the team looks, when the org can be named at all.
 */
async function reportUnresolved(inputs: BackupInputs, err: unknown): Promise<void> {
  if (inputs.refreshToken) {
    if (err instanceof SalesforceError) core.setOutput('auth-state', err.state);
    return;
  }
  let alias: string;
  let type: string;
  try {
    const config = loadConfig(path.resolve(workspace(), inputs.configFile), inputs.configFile);
    const orgConfig = selectOrg(config, inputs.org, inputs.configFile);
    alias = orgConfig.alias;
    type = orgConfig.type;
  } catch {
    if (err instanceof SalesforceError) core.setOutput('auth-state', err.state);
    return;
  }
  const loginUrl = loginUrlForType(type);
  const org: ResolvedOrg = {
    alias,
    type,
    credentials: { loginUrl, clientId: '', clientSecret: '', refreshToken: '', apiVersion: inputs.apiVersion },
    secretValues: [],
    objects: {},
    fieldsExclude: [],
    storage: undefined,
  };
  const outcome = failureOutcome(err, { alias, type, loginUrl }, new Date());
  const life = await OrgLifecycle.open(org, { ...lifecycleInputs(inputs) });
  await life.report(outcome);
  await core.summary.write();
}

export async function runBackup(inputs: BackupInputs): Promise<void> {
  let org: ResolvedOrg;
  try {
    org = resolveTarget(inputs);
  } catch (err) {
    await reportUnresolved(inputs, err);
    throw err;
  }
  const storage = storageFor(org, inputs);
  core.info(`Backing up org "${org.alias}" (${org.type}) to the ${storage.type} target.`);

  // One run at a time per org and target: a self-hosted runner may run two jobs on one machine.
  const job = jobContext();
  const lock = await acquireLock({
    ...targetLock(storage, org.alias),
    command: `salesforce-backup-action backup (org ${org.alias}${job.runId ? `, workflow run ${job.runId}` : ''})`,
    log: { info: core.info, warning: core.warning },
  });
  try {
    await backupLocked(inputs, org, storage);
  } finally {
    lock.release();
  }
}

function diskPlacesOf(workDir: string, tmpRoot: string, storage: StorageConfig): DiskPlaces {
  const output = storage.type === 'local' ? storage.dir : undefined;
  return {
    staging: workDir,
    ...(output ? { output } : {}),
    remedies: {
      staging: `free space on the runner's disk that holds ${tmpRoot} (RUNNER_TEMP), or run the job on a runner with a bigger disk; staging needs room for about twice the org's data`,
      ...(output
        ? {
            output: `free space on the disk that holds ${output} (an older snapshot there can go), or set output-dir (or the org's storage dir) to a folder on a bigger disk`,
          }
        : {}),
    },
  };
}

async function backupLocked(inputs: BackupInputs, org: ResolvedOrg, storage: StorageConfig): Promise<void> {
  const life = await OrgLifecycle.open(org, lifecycleInputs(inputs));
  const auth = await life.authenticate();
  if (!auth.session) {
    await life.report(auth.outcome, lastBackupOf(undefined, auth.outcome.at, true));
    await core.summary.addRaw('<p>Nothing was backed up: the last good snapshot stays as it was.</p>', true).write();
    throw outcomeError(auth.outcome);
  }
  core.setSecret(auth.session.conn.accessToken ?? '');

  const target = createStorageTarget(storage, {
    ...(inputs.githubToken ? { token: inputs.githubToken } : {}),
    log: { info: core.info, warning: core.warning },
    mask: core.setSecret,
  });
  const tmpRoot = jobContext().tempDir;
  const work = createWorkDir(tmpRoot, org.alias, core.info);
  const workDir = work.dir;
  const startedAt = new Date().toISOString();

  let result: Awaited<ReturnType<typeof backupOrg>>;
  try {
    result = await backupOrg({
      alias: org.alias,
      credentials: org.credentials,
      session: auth.session,
      target,
      workDir,
      fullEvery: inputs.fullEvery,
      apiBudgetShare: inputs.apiBudgetShare,
      massDelete: { share: inputs.massDeleteThreshold, minRows: inputs.massDeleteMinRows },
      allowShrink: inputs.allowShrink,
      ...(org.objects.include ? { include: org.objects.include } : {}),
      ...(org.objects.exclude ? { exclude: org.objects.exclude } : {}),
      ...(org.fieldsExclude.length ? { excludeFields: org.fieldsExclude } : {}),
      toolVersion: TOOL_VERSION,
      log: { info: core.info, warning: core.warning },
      onSecret: mask,
    });
  } catch (caught) {
    work.remove();
    // A full disk (staging in RUNNER_TEMP, or a local output folder) says which disk and what to do.
    const err = classifyDiskFull(caught, diskPlacesOf(workDir, tmpRoot, storage)) ?? caught;
    // A session that died mid-run may have been refreshed (and rotated) first: store that token.
    const settled = await life.settle();
    const outcome =
      settled.state !== 'ok' ? settled : err instanceof SalesforceError ? failureOutcome(err, orgRef(org), new Date(), org.secretValues) : settled;
    // A token that died mid-run (or an outage) reads exactly as it would at login: the outcome's texts.
    const failure = outcome !== settled ? outcomeError(outcome, err) : err;
    await core.summary
      .addHeading(`Salesforce backup of ${escapeHtml(org.alias)}: failed`, 2)
      .addRaw(`<p>${escapeHtml(describeFailure(failure)).replace(/\n/g, '<br>')}</p>`, true)
      .addRaw('<p>Nothing was published: the last good snapshot stays as it was.</p>', true);
    await life.report(outcome, lastBackupOf(undefined, startedAt, true));
    await core.summary.write();
    throw failure;
  }

  // Self-hosted runners keep RUNNER_TEMP between jobs: do not leave a staged org behind.
  work.remove();
  core.setOutput('snapshot-location', result.published?.location ?? '');
  core.setOutput('commit', result.published?.commit ?? '');
  core.setOutput('artifact-id', result.published?.artifactId ?? '');
  core.setOutput('objects', result.objects);
  core.setOutput('rows', result.rows);
  core.setOutput('bytes', result.bytes);
  core.setOutput('mode', result.mode);
  core.setOutput('api-calls', result.apiCalls);
  core.setOutput('mass-delete', formatMassDeletes(result.massDeletes));
  core.setOutput('failed-objects', result.failedObjects.map((f) => f.name).join(','));
  core.setOutput('dropped-objects', result.droppedObjects.map((d) => d.name).join(','));
  for (const d of result.droppedObjects) {
    core.warning(`${d.name} had ${d.rows} rows in the previous snapshot and is not in this one: ${droppedReasonText(d.reason)}.`, {
      title: `Object left the backup of ${org.alias}: ${d.name}`,
    });
  }

  for (const m of result.massDeletes) {
    core.warning(`${m.object} dropped from ${m.before} to ${m.after} live rows since the last snapshot (−${m.dropped}). Check that this delete was intended.`, {
      title: `Mass delete in ${org.alias}: ${m.object}`,
    });
  }
  const failed = backupFailed(result);
  const outcome = await life.settle();
  addBackupSummary(core.summary, result);
  await life.report(outcome, lastBackupOf(result, startedAt, failed));
  await core.summary.write();
  if (outcome.state !== 'ok') {
    // The backup itself may have worked, but the rotated token was not stored: the next run cannot log in.
    core.setFailed(`${outcome.message}\nTo fix: ${outcome.remedy ?? ''}`);
  }

  if (failed) {
    const parts: string[] = [];
    if (result.failedObjects.length > 0)
      parts.push(`${result.failedObjects.length} object(s) failed: ${result.failedObjects.map((f) => `${f.name} (${f.error})`).join('; ')}`);
    if (result.stopped) parts.push(result.stopped);
    if (result.held) parts.push(`Held: ${result.held}. If the change is intended, re-run with \`allow-shrink: true\``);
    core.setFailed(
      `Backup of ${org.alias} not published. ${parts.join('. ')}\nThe last good snapshot stays as it was; re-run the backup once the cause is fixed.`,
    );
  }
}
