// `command: restore` in the action, for a workflow_dispatch run (.github/workflows/restore.yml): the
// inputs become one request to the restore use case (src/app/restore.ts); the plan, and the results
// when it was applied, become the job summary, outputs and an artifact the action uploads itself
// (src/action/restore-report.ts), so a later run can continue from its results (`resume-from`, or
// "Re-run failed jobs") without creating again what this one created.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as core from '@actions/core';
import { type RestoreReport, type RestoreRequest, runRestore } from '../app/restore.ts';
import { escapeHtml } from '../backup/summary.ts';
import { parseSecretsMap } from '../config/index.ts';
import type { RecordOutcome, RestorePlan } from '../restore/contracts.ts';
import { formatPlan } from '../restore/format.ts';
import { selectionFrom } from '../restore/selection.ts';
import { describeFailure } from '../runtime/errors.ts';
import { jobContext, repositoryRef } from '../runtime/job-context.ts';
import { actionReporter, runnerLifecycle } from './backup.ts';
import type { RestoreInputs } from './inputs.ts';
import {
  adoptResults,
  type FoundReport,
  hasLedger,
  ledgerArtifactName,
  type PlanIdentity,
  pinnedSnapshotRef,
  planArtifactName,
  RestoreReportArtifacts,
  type RestoreRunInfo,
  ResumeError,
  readPlanIdentity,
  readRunInfo,
  writeRunInfo,
} from './restore-report.ts';

type Applied = Record<RecordOutcome, number>;

function appliedTotals(objects: { counts: Record<RecordOutcome, number> }[]): Applied {
  const sum: Applied = { undeleted: 0, created: 0, updated: 0, skipped: 0, failed: 0 };
  for (const o of objects) for (const k of Object.keys(sum) as RecordOutcome[]) sum[k] += o.counts[k] ?? 0;
  return sum;
}

/** What the earlier run had restored, from its result.json; undefined when it wrote none. */
function earlierTotals(found: FoundReport): Applied | undefined {
  try {
    const result = JSON.parse(readFileSync(path.join(found.dir, 'results', 'result.json'), 'utf8')) as { objects?: { counts: Applied }[] };
    return Array.isArray(result.objects) ? appliedTotals(result.objects) : undefined;
  } catch {
    return undefined;
  }
}

const sameOrg = (a: string, b: string) => a.slice(0, 15) === b.slice(0, 15);

/**
 * The earlier run's results fit this run only when both write to the same org from the same
 * snapshot: its Id map names records of that org, keyed by that snapshot's Ids.
 */
function checkSameRestore(found: FoundReport, earlier: { info: RestoreRunInfo; plan: PlanIdentity }, plan: RestorePlan, ref: string): void {
  const run = `Run ${found.runId}`;
  const startAfresh = 'or leave resume-from empty to start afresh (what that run created would then be created again).';
  if (!sameOrg(earlier.plan.target.orgId, plan.target.orgId)) {
    throw new ResumeError({
      reason: 'other_target',
      message: `${run} restored into org ${earlier.plan.target.orgId}, but ${earlier.info.targetAlias} is now org ${plan.target.orgId}: its Id map names records of the other org.`,
      remedy: `Resume from a run that restored into this org, ${startAfresh}`,
    });
  }
  const before = earlier.plan.snapshot;
  if (!sameOrg(before.orgId, plan.snapshot.orgId) || before.finishedAt !== plan.snapshot.finishedAt) {
    const pinned = pinnedSnapshotRef(earlier.info.snapshotLocation);
    const use = pinned ?? (earlier.info.snapshotRef !== 'latest' ? earlier.info.snapshotRef : undefined);
    throw new ResumeError({
      reason: 'other_snapshot',
      message: `${run} restored from the snapshot taken ${before.finishedAt}${earlier.info.snapshotLocation ? ` (${earlier.info.snapshotLocation})` : ''}, but snapshot "${ref}" is the one taken ${plan.snapshot.finishedAt}.`,
      remedy: use
        ? `Run again with snapshot: ${use} and resume-from: ${found.runId}, ${startAfresh}`
        : `Run again with the snapshot run ${found.runId} used and resume-from: ${found.runId}, ${startAfresh}`,
    });
  }
}

export async function runRestoreCommand(inputs: RestoreInputs): Promise<void> {
  const job = jobContext();
  const workspace = job.workspace ?? process.cwd();
  const target = inputs.targetOrg ?? inputs.org;
  const reportDir = path.join(job.tempDir, `salesforce-restore-${target}-${job.runId ?? process.pid}`);
  // Set before anything can fail: whatever was written is uploaded, and the output names it.
  core.setOutput('report-dir', reportDir);
  mkdirSync(reportDir, { recursive: true });
  const artifacts = new RestoreReportArtifacts({
    token: inputs.githubToken ?? job.token,
    repository: repositoryRef(job.repository),
    apiUrl: job.apiUrl,
    runId: job.runId,
    log: actionReporter,
  });
  const inActions = RestoreReportArtifacts.canUpload();
  // A bad masking rule fails the step before anything is fetched or logged in to.
  const selection = selectionFrom(inputs);
  const request: RestoreRequest = {
    target: {
      kind: 'config',
      file: path.resolve(workspace, inputs.configFile),
      displayName: inputs.configFile,
      alias: target,
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
    selection,
    maskKey: inputs.maskKey,
    apply: !inputs.dryRun,
    allowProduction: inputs.allowProduction,
    reportDir,
    baseDir: workspace,
    tempDir: job.tempDir,
    lifecycle: {
      ...runnerLifecycle(inputs, job),
      statusBranch: 'salesforce-backup-status',
      publishStatus: false,
      redactStatus: false,
      openIssues: false,
      appPendingWindow: inputs.appPendingWindow,
    },
    githubToken: inputs.githubToken,
  };

  let resumed: FoundReport | undefined;
  let report: RestoreReport | undefined;
  let failure: unknown;
  try {
    // A job re-run in this workflow run continues from its earlier attempt's results even unasked:
    // same inputs, and without them it would create again what that attempt created.
    const wanted = inputs.resumeFrom ?? (inputs.dryRun || !inActions ? undefined : '');
    if (wanted !== undefined) {
      const name = ledgerArtifactName(target);
      const found = await artifacts.find(name, wanted || undefined);
      if (!found && wanted) throw await missingReport(artifacts, target, wanted);
      if (found) resumed = await artifacts.download(found, job.tempDir);
    }
    let earlier: { found: FoundReport; info: RestoreRunInfo; plan: PlanIdentity } | undefined;
    if (resumed) {
      const prior = readRunInfo(resumed.dir);
      if (!hasLedger(resumed.dir)) {
        throw new ResumeError({
          reason: 'no_results',
          message: `Run ${resumed.runId}'s artifact ${resumed.artifact.name} holds no results to continue from.`,
          remedy: 'Leave resume-from empty: nothing of that run needs continuing.',
        });
      }
      if (prior.targetAlias.toLowerCase() !== target.toLowerCase() || prior.snapshotOrg.toLowerCase() !== inputs.org.toLowerCase()) {
        throw new ResumeError({
          reason: prior.targetAlias.toLowerCase() !== target.toLowerCase() ? 'other_target' : 'other_snapshot',
          message: `Run ${resumed.runId} restored the backup of ${prior.snapshotOrg} into ${prior.targetAlias}; this run restores the backup of ${inputs.org} into ${target}.`,
          remedy: `Run again with org: ${prior.snapshotOrg} and target-org: ${prior.targetAlias}, or resume from a run of this restore.`,
        });
      }
      if (!inputs.dryRun) {
        // In the report folder before planning: the plan skips what that run re-created, and
        // applying continues its ledger. Only the plan knows which org and snapshot this run
        // resolves to, so the check that they are that run's comes just before applying.
        adoptResults(resumed, reportDir);
        core.info(
          `Continuing from the results of run ${resumed.runId} (artifact ${resumed.artifact.name}, id ${resumed.artifact.id}): records it restored are not sent again.`,
        );
      }
      core.setOutput('resumed-from', resumed.runId);
      earlier = { found: resumed, info: prior, plan: readPlanIdentity(resumed.dir) };
    }
    report = await runRestore(
      { ...request, ...(earlier ? { beforeApply: (plan: RestorePlan) => checkSameRestore(earlier.found, earlier, plan, inputs.snapshot) } : {}) },
      actionReporter,
    );
    if (earlier && inputs.dryRun) checkSameRestore(earlier.found, earlier, report.plan, inputs.snapshot);
  } catch (err) {
    failure = err;
    // Refused before writing: the adopted results are that run's, not this one's to upload.
    if (err instanceof ResumeError && resumed && !inputs.dryRun) rmSync(path.join(reportDir, 'results'), { recursive: true, force: true });
  }

  const uploaded = await publishReport(artifacts, inActions, reportDir, inputs, {
    formatVersion: 1,
    targetAlias: target,
    snapshotOrg: inputs.org,
    snapshotRef: inputs.snapshot,
    ...(report ? { snapshotLocation: report.snapshotLocation } : {}),
    ...(job.runId ? { runId: job.runId } : {}),
    ...(resumed ? { resumedFrom: resumed.runId } : {}),
  });
  // `latest` may name a newer backup by the time the retry runs: the retry names this run's snapshot.
  const pinned = pinnedSnapshotRef(report?.snapshotLocation);
  const sameSnapshot = pinned && pinned !== inputs.snapshot ? ` and snapshot: ${pinned}` : '';
  const retry =
    uploaded?.ledger && job.runId
      ? `run the workflow again with the same inputs${sameSnapshot} and resume-from: ${job.runId} (or re-run the failed job): it continues from this run's results and creates nothing twice.`
      : 'download the report artifact and run `sfbackup restore SNAPSHOT_DIR --report <the artifact folder> --apply` with the same selection: it reuses the Id mapping in results/.';
  if (failure !== undefined) {
    // A run that stopped while applying leaves results from which the next one carries on.
    if (!(failure instanceof ResumeError) && hasLedger(reportDir)) core.error(`The restore stopped part way. To finish it, ${retry}`);
    throw failure;
  }
  if (!report) return;

  const totals = { undelete: 0, create: 0, update: 0, upsert: 0, skip: 0 };
  for (const o of report.plan.objects) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += o.counts[k];
  core.setOutput('planned', JSON.stringify(totals));
  const applied = report.result ? appliedTotals(report.result.objects) : undefined;
  if (applied) core.setOutput('applied', JSON.stringify(applied));
  core.summary
    .addHeading(`Salesforce restore into ${escapeHtml(report.target.alias)}: ${report.result ? 'applied' : 'plan (dry run)'}`, 2)
    .addRaw(`<p>Snapshot: <code>${escapeHtml(report.snapshotLocation)}</code>; target org <code>${escapeHtml(report.target.orgId)}</code>.</p>`, true)
    .addCodeBlock(formatPlan(report.plan));
  if (!report.result) {
    core.summary.addRaw('<p>Nothing was written to the org. Run the workflow again with dry-run unchecked to apply this plan.</p>', true);
    if (resumed) core.summary.addRaw(`<p>Applied with resume-from: ${escapeHtml(resumed.runId)}, it would continue from the results of that run.</p>`, true);
  } else if (applied) {
    const before = resumed ? earlierTotals(resumed) : undefined;
    if (resumed) {
      const done = before ? before.undeleted + before.created + before.updated : undefined;
      core.summary.addRaw(
        `<p>Continued from run ${escapeHtml(resumed.runId)}: ${done === undefined ? 'the records it restored' : `${done} record(s) it had restored (${before?.undeleted} undeleted, ${before?.created} created, ${before?.updated} updated)`} were not sent again; the totals below include them.</p>`,
        true,
      );
    }
    core.summary.addRaw(
      `<p>Applied: ${applied.undeleted} undeleted, ${applied.created} created, ${applied.updated} updated, ${applied.skipped} skipped, ${applied.failed} failed. Every record's result (old Id, new Id, outcome, error) is in the artifact ${escapeHtml(uploaded?.name ?? 'of this run')}.</p>`,
      true,
    );
  }
  await core.summary.write();
  if (applied && applied.failed > 0) {
    core.setFailed(
      `${applied.failed} record(s) failed to restore: see results/ in the artifact ${uploaded?.name ?? 'of this run'} (the error of each). To retry only what is left, ${retry}`,
    );
  }
}

/** Refuses a resume-from that names no run with results for this target org, saying which runs have them. */
async function missingReport(artifacts: RestoreReportArtifacts, target: string, ref: string): Promise<ResumeError> {
  const withResults = await artifacts.list(ledgerArtifactName(target));
  const planOnly = ref === 'latest' ? [] : (await artifacts.list(planArtifactName(target))).filter((a) => String(a.runId) === ref);
  const runs = [...new Set(withResults.map((a) => String(a.runId ?? '?')))].slice(0, 10);
  return new ResumeError({
    reason: 'report_missing',
    message:
      ref === 'latest'
        ? `No earlier restore into ${target} left results to continue from (no unexpired artifact ${ledgerArtifactName(target)}).`
        : planOnly.length > 0
          ? `Run ${ref} did not write to ${target} (a dry run, or it stopped before applying): it has no results to continue from.`
          : `Run ${ref} has no artifact ${ledgerArtifactName(target)}: it is not a restore into ${target} that applied a plan, or its artifact expired.`,
    remedy: runs.length
      ? `Give resume-from the id of a restore run into ${target} (or latest): ${runs.join(', ')}; or leave it empty to start afresh.`
      : 'Leave resume-from empty to start afresh; report artifacts expire after their retention days.',
  });
}

/** Writes restore-run.json and uploads the report folder; a failed upload is a warning, not the run's failure. */
async function publishReport(
  artifacts: RestoreReportArtifacts,
  inActions: boolean,
  reportDir: string,
  inputs: RestoreInputs,
  info: RestoreRunInfo,
): Promise<{ name: string; ledger: boolean } | undefined> {
  const ledger = hasLedger(reportDir);
  const name = ledger ? ledgerArtifactName(info.targetAlias) : planArtifactName(info.targetAlias);
  try {
    writeRunInfo(reportDir, info);
    // A run refused before it planned has nothing worth keeping.
    if (!inActions || !existsSync(path.join(reportDir, 'plan'))) return undefined;
    const id = await artifacts.upload(name, reportDir, inputs.retentionDays);
    if (id === undefined) return undefined;
    core.info(`Uploaded the report as artifact ${name} (id ${id}).`);
    core.setOutput('report-artifact', name);
    return { name, ledger };
  } catch (err) {
    core.warning(
      `Uploading the report as artifact ${name} failed: ${describeFailure(err)}${ledger ? '\nA later run cannot continue from this one: keep the folder of the report-dir output if you can.' : ''}`,
    );
    return undefined;
  }
}
