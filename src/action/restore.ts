// `command: restore` in the action, for a workflow_dispatch run (.github/workflows/restore.yml): the
// inputs become one request to the restore use case (src/app/restore.ts); the plan, and the results
// when it was applied, become the job summary, outputs and a folder the workflow uploads.
import path from 'node:path';
import * as core from '@actions/core';
import { runRestore } from '../app/restore.ts';
import { escapeHtml } from '../backup/summary.ts';
import { parseSecretsMap } from '../config/index.ts';
import { commaList } from '../config/settings.ts';
import { formatPlan } from '../restore/format.ts';
import { jobContext } from '../runtime/job-context.ts';
import { actionReporter } from './backup.ts';
import type { RestoreInputs } from './inputs.ts';

export async function runRestoreCommand(inputs: RestoreInputs): Promise<void> {
  const job = jobContext();
  const workspace = job.workspace ?? process.cwd();
  const reportDir = path.join(job.tempDir, `salesforce-restore-${inputs.targetOrg ?? inputs.org}-${job.runId ?? process.pid}`);
  // Set before anything can fail: the workflow uploads whatever was written.
  core.setOutput('report-dir', reportDir);
  const report = await runRestore(
    {
      target: {
        kind: 'config',
        file: path.resolve(workspace, inputs.configFile),
        displayName: inputs.configFile,
        alias: inputs.targetOrg ?? inputs.org,
        secrets: parseSecretsMap(inputs.secrets),
        secretsSource: 'action',
        apiVersion: inputs.apiVersion,
      },
      snapshot: { kind: 'target', alias: inputs.org, ref: inputs.snapshot },
      config: { file: path.resolve(workspace, inputs.configFile), displayName: inputs.configFile },
      storage: {
        kind: inputs.storage ?? 'artifact',
        localDir: inputs.outputDir,
        artifactName: inputs.artifactName,
        branch: inputs.backupBranch,
        remote: inputs.backupRemote,
      },
      mode: inputs.mode,
      selection: {
        ...(commaList(inputs.objects) ? { objects: commaList(inputs.objects) } : {}),
        ...(commaList(inputs.ids) ? { ids: commaList(inputs.ids) } : {}),
        ...(commaList(inputs.fields) ? { fields: commaList(inputs.fields) } : {}),
        ...(inputs.overwriteNewer ? { overwriteNewer: true } : {}),
        ...(inputs.externalIdField ? { externalIdField: inputs.externalIdField } : {}),
      },
      apply: !inputs.dryRun,
      allowProduction: inputs.allowProduction,
      reportDir,
      baseDir: workspace,
      tempDir: job.tempDir,
      lifecycle: {
        githubToken: inputs.githubToken,
        secretsToken: inputs.secretsToken,
        repository: job.repository,
        apiUrl: job.apiUrl,
        runUrl: job.runUrl,
        tempDir: job.tempDir,
        statusBranch: 'salesforce-backup-status',
        publishStatus: false,
        redactStatus: false,
        openIssues: false,
        appPendingWindow: inputs.appPendingWindow,
      },
      githubToken: inputs.githubToken,
    },
    actionReporter,
  );

  const totals = { undelete: 0, create: 0, update: 0, upsert: 0, skip: 0 };
  for (const o of report.plan.objects) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += o.counts[k];
  core.setOutput('planned', JSON.stringify(totals));
  const applied = report.result?.objects.reduce(
    (a, o) => ({
      undeleted: a.undeleted + o.counts.undeleted,
      created: a.created + o.counts.created,
      updated: a.updated + o.counts.updated,
      skipped: a.skipped + o.counts.skipped,
      failed: a.failed + o.counts.failed,
    }),
    { undeleted: 0, created: 0, updated: 0, skipped: 0, failed: 0 },
  );
  if (applied) core.setOutput('applied', JSON.stringify(applied));
  core.summary
    .addHeading(`Salesforce restore into ${escapeHtml(report.target.alias)}: ${report.result ? 'applied' : 'plan (dry run)'}`, 2)
    .addRaw(`<p>Snapshot: <code>${escapeHtml(report.snapshotLocation)}</code>; target org <code>${escapeHtml(report.target.orgId)}</code>.</p>`, true)
    .addCodeBlock(formatPlan(report.plan));
  if (!report.result) core.summary.addRaw('<p>Nothing was written to the org. Run the workflow again with dry-run unchecked to apply this plan.</p>', true);
  else if (applied) {
    core.summary.addRaw(
      `<p>Applied: ${applied.undeleted} undeleted, ${applied.created} created, ${applied.updated} updated, ${applied.skipped} skipped, ${applied.failed} failed. Every record's result (old Id, new Id, outcome, error) is in the uploaded artifact.</p>`,
      true,
    );
  }
  await core.summary.write();
  if (applied && applied.failed > 0) {
    core.setFailed(
      `${applied.failed} record(s) failed to restore: see results/ in the uploaded artifact (the error of each). To retry only what is left without creating duplicates, download that artifact and run \`sfbackup restore SNAPSHOT_DIR --report <the artifact folder> --apply\` with the same selection: it reuses the Id mapping in results/.`,
    );
  }
}
