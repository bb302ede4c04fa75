// The `backup` command in the action: one org (from the org config and the secrets map, or from the
// single-org inputs) into its storage target; outputs, job summary, annotations, and a failed step
// when any object failed (the last good snapshot then stays where it was).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { describeFailure } from '../backup/describe.ts';
import { formatMassDeletes } from '../backup/mass-delete.ts';
import { backupFailed, backupOrg } from '../backup/run.ts';
import { addBackupSummary, escapeHtml } from '../backup/summary.ts';
import { TOOL_VERSION } from '../backup/version.ts';
import { loadConfig, parseSecretsMap, type ResolvedOrg, resolveOrg, selectOrg } from '../config/index.ts';
import { loginUrlForType, type StorageConfig as OrgStorageConfig } from '../config/schema.ts';
import { orgCredentialsSchema, parseSettings } from '../salesforce/connection.ts';
import { createStorageTarget, type StorageConfig } from '../storage/index.ts';
import type { BackupInputs } from './inputs.ts';

/** Masks a secret, line by line too: the runner matches masks per line. */
function mask(value: string): void {
  if (!value) return;
  core.setSecret(value);
  for (const line of value.split(/\r?\n/)) if (line && line !== value) core.setSecret(line);
}

function workspace(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd();
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
      return { type: 'local', dir: path.resolve(workspace(), s.dir ?? inputs.outputDir ?? 'salesforce-backups') };
    case 'artifact': {
      const name = s['artifact-name'] ?? inputs.artifactName;
      const retentionDays = s['retention-days'] ?? inputs.retentionDays;
      return { type: 'artifact', ...(name ? { name } : {}), ...(retentionDays ? { retentionDays } : {}) };
    }
    case 'branch':
      return { type: 'branch', branch: s.branch ?? inputs.backupBranch, ...(inputs.backupRemote ? { remoteUrl: inputs.backupRemote } : {}) };
  }
}

export async function runBackup(inputs: BackupInputs): Promise<void> {
  const org = resolveTarget(inputs);
  const storage = storageFor(org, inputs);
  core.info(`Backing up org "${org.alias}" (${org.type}) to the ${storage.type} target.`);

  const target = createStorageTarget(storage, {
    ...(inputs.githubToken ? { token: inputs.githubToken } : {}),
    log: { info: core.info, warning: core.warning },
    mask: core.setSecret,
  });
  const tmpRoot = process.env.RUNNER_TEMP || tmpdir();
  const workDir = mkdtempSync(path.join(tmpRoot, `sfbackup-${org.alias}-`));

  let result: Awaited<ReturnType<typeof backupOrg>>;
  try {
    result = await backupOrg({
      alias: org.alias,
      credentials: org.credentials,
      target,
      workDir,
      fullEvery: inputs.fullEvery,
      apiBudgetShare: inputs.apiBudgetShare,
      massDelete: { share: inputs.massDeleteThreshold, minRows: inputs.massDeleteMinRows },
      ...(org.objects.include ? { include: org.objects.include } : {}),
      ...(org.objects.exclude ? { exclude: org.objects.exclude } : {}),
      ...(org.fieldsExclude.length ? { excludeFields: org.fieldsExclude } : {}),
      toolVersion: TOOL_VERSION,
      log: { info: core.info, warning: core.warning },
      onSecret: mask,
    });
  } catch (err) {
    rmSync(workDir, { recursive: true, force: true });
    await core.summary
      .addHeading(`Salesforce backup of ${escapeHtml(org.alias)}: failed`, 2)
      .addRaw(`<p>${escapeHtml(describeFailure(err)).replace(/\n/g, '<br>')}</p>`, true)
      .addRaw('<p>Nothing was published: the last good snapshot stays as it was.</p>', true)
      .write();
    throw err;
  }

  // Self-hosted runners keep RUNNER_TEMP between jobs: do not leave a staged org behind.
  rmSync(workDir, { recursive: true, force: true });
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

  for (const m of result.massDeletes) {
    core.warning(`${m.object} dropped from ${m.before} to ${m.after} live rows since the last snapshot (−${m.dropped}). Check that this delete was intended.`, {
      title: `Mass delete in ${org.alias}: ${m.object}`,
    });
  }
  if (result.rotatedRefreshToken) {
    core.warning(
      'The org rotated the refresh token (Refresh Token Rotation is on): the stored token is now dead and this action cannot store the new one yet. Turn rotation off for the Connected App and re-authorize.',
    );
  }
  await addBackupSummary(core.summary, result).write();

  if (backupFailed(result)) {
    const parts: string[] = [];
    if (result.failedObjects.length > 0)
      parts.push(`${result.failedObjects.length} object(s) failed: ${result.failedObjects.map((f) => `${f.name} (${f.error})`).join('; ')}`);
    if (result.stopped) parts.push(result.stopped);
    core.setFailed(
      `Backup of ${org.alias} not published. ${parts.join('. ')}\nThe last good snapshot stays as it was; re-run the backup once the cause is fixed.`,
    );
  }
}
