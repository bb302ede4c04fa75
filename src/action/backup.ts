// `command: backup` in the action: the inputs become one request to the backup use case
// (src/app/backup-org.ts); what it reports becomes step outputs, annotations, the job summary and a
// failed step when anything failed (the last good snapshot then stays where it was).

import path from 'node:path';
import * as core from '@actions/core';
import { type OrgBackupReport, runOrgBackup } from '../app/backup-org.ts';
import type { LifecycleSettings } from '../app/org-lifecycle.ts';
import type { Reporter } from '../app/reporter.ts';
import { formatMassDeletes } from '../backup/mass-delete.ts';
import { backupFailed, droppedReasonText } from '../backup/run.ts';
import { addBackupSummary, escapeHtml } from '../backup/summary.ts';
import { parseSecretsMap, scheduleFromCron, workflowCronLines } from '../config/index.ts';
import { SalesforceError } from '../runtime/auth-errors.ts';
import { describeFailure } from '../runtime/errors.ts';
import { jobContext } from '../runtime/job-context.ts';
import type { AuthOutcome } from '../salesforce/auth/outcome.ts';
import type { BackupInputs } from './inputs.ts';
import { INPUT_NAMES } from './inputs.ts';

/** The runner's log: lines, annotations, masks. */
export const actionReporter: Reporter = {
  info: (m) => core.info(m),
  warning: (m, title) => core.warning(m, title ? { title } : {}),
  mask: (s) => {
    if (s) core.setSecret(s);
  },
};

/** The token lifecycle's settings every command of the action shares: the tokens and where the job runs. */
export function runnerLifecycle(
  inputs: { githubToken?: string | undefined; secretsToken?: string | undefined },
  job: ReturnType<typeof jobContext>,
): Pick<LifecycleSettings, 'githubToken' | 'secretsToken' | 'repository' | 'apiUrl' | 'runUrl' | 'tempDir'> {
  return {
    githubToken: inputs.githubToken,
    secretsToken: inputs.secretsToken,
    repository: job.repository,
    apiUrl: job.apiUrl,
    runUrl: job.runUrl,
    tempDir: job.tempDir,
  };
}

export async function runBackup(inputs: BackupInputs): Promise<void> {
  const job = jobContext();
  const workspace = job.workspace ?? process.cwd();
  const report = await runOrgBackup(
    {
      source: inputs.refreshToken
        ? {
            kind: 'inline',
            alias: inputs.alias ?? 'org',
            type: inputs.type,
            credentials: {
              loginUrl: inputs.loginUrl,
              clientId: inputs.clientId,
              clientSecret: inputs.clientSecret,
              refreshToken: inputs.refreshToken,
              apiVersion: inputs.apiVersion,
            },
            names: { ...INPUT_NAMES, ...(inputs.type ? { loginUrl: 'type' } : {}) },
          }
        : {
            kind: 'config',
            file: path.resolve(workspace, inputs.configFile),
            displayName: inputs.configFile,
            alias: inputs.org,
            // Parsed here, masked by the use case once it knows which values the org uses.
            secrets: parseSecretsMap(inputs.secrets),
            secretsSource: 'action',
            apiVersion: inputs.apiVersion,
          },
      storage: {
        kind: inputs.storage ?? 'artifact',
        localDir: inputs.outputDir,
        keep: inputs.keep,
        artifactName: inputs.artifactName,
        retentionDays: inputs.retentionDays,
        branch: inputs.backupBranch,
        remote: inputs.backupRemote,
      },
      baseDir: workspace,
      tempDir: job.tempDir,
      run: {
        fullEvery: inputs.fullEvery,
        apiBudgetShare: inputs.apiBudgetShare,
        massDeleteThreshold: inputs.massDeleteThreshold,
        massDeleteMinRows: inputs.massDeleteMinRows,
        allowShrink: inputs.allowShrink,
      },
      lifecycle: {
        ...runnerLifecycle(inputs, job),
        statusBranch: inputs.statusBranch,
        statusRemote: inputs.statusRemote ?? inputs.backupRemote,
        publishStatus: inputs.publishStatus,
        redactStatus: inputs.redactStatus,
        openIssues: inputs.openIssues,
        appPendingWindow: inputs.appPendingWindow,
        refreshTokenMaxAgeDays: inputs.refreshTokenMaxAgeDays,
        loginSetting: 'the login-url input (or the type input)',
        // Without a schedule in the org config: the cron lines of the workflow running this step.
        schedule: job.workflowFile ? scheduleFromCron(workflowCronLines(job.workflowFile)) : undefined,
      },
      githubToken: inputs.githubToken,
      lock: { command: (alias) => `salesforce-backup-action backup (org ${alias}${job.runId ? `, workflow run ${job.runId}` : ''})` },
      diskRemedies: ({ tempDir, output }) => ({
        staging: `free space on the runner's disk that holds ${tempDir} (RUNNER_TEMP), or run the job on a runner with a bigger disk; staging needs room for about twice the org's data`,
        ...(output
          ? {
              output: `free space on the disk that holds ${output} (an older snapshot there can go), or set output-dir (or the org's storage dir) to a folder on a bigger disk`,
            }
          : {}),
      }),
    },
    actionReporter,
  );
  await render(report);
}

function setAuthOutputs(outcome: AuthOutcome): void {
  core.setOutput('auth-state', outcome.state);
  core.setOutput('auth-reason', outcome.reason ?? '');
  core.setOutput('auth-remedy', outcome.remedy ?? '');
}

function addAuthSummary(report: OrgBackupReport, outcome: AuthOutcome): void {
  if (outcome.state === 'ok') {
    const rotated = report.rotated ? `; Salesforce rotated the refresh token and the new one is stored in ${report.refreshTokenSecret ?? 'its secret'}` : '';
    core.summary.addRaw(`<p><b>Authorization:</b> <code>ok</code>${escapeHtml(rotated)}</p>`, true);
    return;
  }
  core.summary
    .addHeading(`Authorization of ${escapeHtml(report.alias ?? 'the org')}: ${outcome.state}`, 3)
    .addRaw(`<p><b>State:</b> <code>${outcome.state}</code>${outcome.reason ? ` (<code>${outcome.reason}</code>)` : ''}</p>`, true)
    .addRaw(`<p>${escapeHtml(outcome.message)}</p>`, true)
    .addRaw(`<p><b>To fix:</b> ${escapeHtml(outcome.remedy ?? '')}</p>`, true);
}

/** Outputs, annotations and the job summary; throws (a failed step) when the run did not succeed. */
async function render(report: OrgBackupReport): Promise<void> {
  const { outcome } = report;
  if (outcome) setAuthOutputs(outcome);
  else if (report.error instanceof SalesforceError) core.setOutput('auth-state', report.error.state);

  switch (report.stage) {
    case 'resolve':
      if (outcome) {
        addAuthSummary(report, outcome);
        await core.summary.write();
      }
      throw report.error;
    case 'lock':
      throw report.error;
    case 'auth':
      if (outcome) addAuthSummary(report, outcome);
      await core.summary.addRaw('<p>Nothing was backed up: the last good snapshot stays as it was.</p>', true).write();
      throw report.error;
    case 'backup':
      await core.summary
        .addHeading(`Salesforce backup of ${escapeHtml(report.alias ?? 'the org')}: failed`, 2)
        .addRaw(`<p>${escapeHtml(describeFailure(report.error)).replace(/\n/g, '<br>')}</p>`, true)
        .addRaw('<p>Nothing was published: the last good snapshot stays as it was.</p>', true);
      if (outcome) addAuthSummary(report, outcome);
      await core.summary.write();
      throw report.error;
    case 'done':
      break;
  }

  const result = report.result;
  if (!result) throw new Error('a finished backup has a result');
  const alias = report.alias ?? result.alias;
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
      title: `Object left the backup of ${alias}: ${d.name}`,
    });
  }
  for (const m of result.massDeletes) {
    core.warning(`${m.object} dropped from ${m.before} to ${m.after} live rows since the last snapshot (−${m.dropped}). Check that this delete was intended.`, {
      title: `Mass delete in ${alias}: ${m.object}`,
    });
  }
  addBackupSummary(core.summary, result);
  if (outcome) addAuthSummary(report, outcome);
  await core.summary.write();
  if (outcome && outcome.state !== 'ok') {
    // The backup itself may have worked, but the rotated token was not stored: the next run cannot log in.
    core.setFailed(`${outcome.message}\nTo fix: ${outcome.remedy ?? ''}`);
  }
  if (backupFailed(result)) {
    const parts: string[] = [];
    if (result.failedObjects.length > 0)
      parts.push(`${result.failedObjects.length} object(s) failed: ${result.failedObjects.map((f) => `${f.name} (${f.error})`).join('; ')}`);
    if (result.stopped) parts.push(result.stopped);
    if (result.held) parts.push(`Held: ${result.held}. If the change is intended, re-run with \`allow-shrink: true\``);
    core.setFailed(`Backup of ${alias} not published. ${parts.join('. ')}\nThe last good snapshot stays as it was; re-run the backup once the cause is fixed.`);
  }
}
