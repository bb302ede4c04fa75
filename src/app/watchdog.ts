// The backup-workflow watchdog, shared by the action (`command: watchdog`) and `sfbackup watchdog`.
// GitHub disables scheduled workflows after 60 days without repository activity, and then the
// backups stop without a word. The watchdog reads the workflow's state; one disabled for inactivity
// is enabled again (and, by default, started once on the default branch so the day's backup is not
// lost); one a person disabled is left alone but reported. What it found and did goes to the status
// branch (watchdog.json), where the status site shows it.

import type { RepoRef } from '../github/issues.ts';
import type { Octokit } from '../github/octokit.ts';
import { defaultBranch, dispatchWorkflow, enableWorkflow, getWorkflow, WorkflowApiError, type WorkflowState, workflowFileName } from '../github/workflows.ts';
import type { ProductError } from '../runtime/errors.ts';
import type { WatchdogCheck, WatchdogFile } from '../status/index.ts';
import { publishStatus } from '../status/publish.ts';
import type { StorageContext } from '../storage/config.ts';
import type { Reporter } from './reporter.ts';

export type WatchdogAction = WatchdogCheck['action'];

export interface WatchdogRequest {
  repo: RepoRef;
  /** The workflow's file name (`backup.yml`) or its path under .github/workflows/. */
  workflow: string;
  /** Start one run after re-enabling (default true). */
  dispatch?: boolean;
  /** Where the record goes; absent = not published. */
  status?: { branch: string; remoteUrl?: string; context: StorageContext };
  /** The watchdog's own run page; null on a laptop. */
  runUrl?: string | null;
  /** Token values that must stay out of the status data. */
  secretValues?: readonly string[];
  now?: () => Date;
}

export interface WatchdogPorts {
  reporter: Reporter;
  /** The REST client, created when the use case first needs it. */
  octokit: () => Promise<Octokit>;
}

export interface WatchdogResult {
  workflow: string;
  /** The state as the watchdog found it; null when it could not be read. */
  state: WorkflowState | null;
  action: WatchdogAction;
  reason: string | null;
  /** What happened, for a person. */
  message: string;
  /** What a person should do; null when nothing is needed. */
  remedy: string | null;
  dispatched: boolean;
  /** The branch the dispatched run was started on. */
  dispatchRef: string | null;
  /** The workflow's page on GitHub, when it could be read. */
  htmlUrl: string | null;
  /** Where the record was published. */
  status: { branch: string; commit: string; watchdog: WatchdogFile | null } | null;
  /** Why it was not (the check itself still stands). */
  statusError: Error | null;
  /**
   * What should fail the command: the state could not be read, or a disabled workflow could not
   * be enabled. A workflow a person disabled is reported, not a failure.
   */
  failure: ProductError | null;
}

const INACTIVITY = 'GitHub disables scheduled workflows after 60 days without repository activity, and the backups then stop without a word.';

function leaveAlone(state: WorkflowState, file: string, repo: RepoRef): { message: string; remedy: string } {
  const enable = `gh workflow enable ${file} --repo ${repo.owner}/${repo.repo}`;
  switch (state) {
    case 'disabled_manually':
      return {
        message: `Workflow ${file} was disabled by a person; the watchdog leaves it so. No scheduled backups run while it is disabled.`,
        remedy: `If backups should run, enable it under Actions → ${file} → Enable workflow (or \`${enable}\`).`,
      };
    case 'disabled_fork':
      return {
        message: `Workflow ${file} is disabled because ${repo.owner}/${repo.repo} is a fork: GitHub does not run a fork's scheduled workflows until someone enables them.`,
        remedy: `Enable workflows in the fork's Actions tab (or \`${enable}\`).`,
      };
    default:
      return {
        message: `Workflow ${file} was deleted: its file is no longer on the default branch, so no backups are scheduled.`,
        remedy: `Restore .github/workflows/${file}, or point the watchdog at the workflow that runs the backups now (\`workflow\`).`,
      };
  }
}

/** Reads, repairs and reports the backup workflow's state. Never throws for GitHub's answers: see `failure`. */
export async function runWatchdog(req: WatchdogRequest, ports: WatchdogPorts): Promise<WatchdogResult> {
  const log = ports.reporter;
  const file = workflowFileName(req.workflow);
  const at = (req.now ?? (() => new Date()))().toISOString();
  const result: WatchdogResult = {
    workflow: file,
    state: null,
    action: 'none',
    reason: null,
    message: '',
    remedy: null,
    dispatched: false,
    dispatchRef: null,
    htmlUrl: null,
    status: null,
    statusError: null,
    failure: null,
  };
  const octokit = await ports.octokit();

  try {
    const info = await getWorkflow(octokit, req.repo, file);
    result.state = info.state;
    result.htmlUrl = info.htmlUrl;
  } catch (err) {
    if (!(err instanceof WorkflowApiError)) throw err;
    result.action = 'cannot-check';
    result.reason = err.reason;
    result.message = `The watchdog could not read the state of ${file}: ${err.message}`;
    result.remedy = err.remedy;
    result.failure = err;
  }

  if (result.state === 'active') {
    result.message = `Workflow ${file} is active: its scheduled backups run.`;
    log.info(result.message);
  } else if (result.state === 'disabled_inactivity') {
    log.warning(`Workflow ${file} was disabled by GitHub for inactivity. ${INACTIVITY} Enabling it again.`, 'Backups were disabled');
    try {
      await enableWorkflow(octokit, req.repo, file);
      result.action = 're-enabled';
      result.message = `GitHub had disabled ${file} after 60 days without repository activity; the watchdog enabled it again.`;
      log.info(`Enabled ${file} again.`);
      if (req.dispatch ?? true) await dispatchOnce(octokit, req.repo, file, result, log);
    } catch (err) {
      if (!(err instanceof WorkflowApiError)) throw err;
      result.action = 'cannot-enable';
      result.reason = err.reason;
      result.message = `GitHub had disabled ${file} after 60 days without repository activity, and the watchdog could not enable it again: ${err.message}`;
      result.remedy = `${err.remedy} Until then, enable it by hand under Actions → ${file} → Enable workflow.`;
      result.failure = err;
    }
  } else if (result.state !== null) {
    const { message, remedy } = leaveAlone(result.state, file, req.repo);
    result.message = message;
    result.remedy = remedy;
    log.warning(`${message} ${remedy}`, 'Backups are not scheduled');
  }

  if (req.status) {
    const check: WatchdogCheck = {
      workflow: file,
      state: result.state,
      action: result.action,
      reason: result.reason,
      message: result.message,
      remedy: result.remedy,
      dispatched: result.dispatched,
      at,
      runUrl: req.runUrl ?? null,
    };
    try {
      const published = await publishStatus(
        { runs: [], watchdog: check },
        {
          branch: req.status.branch,
          ...(req.status.remoteUrl ? { remoteUrl: req.status.remoteUrl } : {}),
          context: req.status.context,
          secretValues: req.secretValues ?? [],
        },
      );
      result.status = { branch: published.branch, commit: published.commit, watchdog: published.watchdog ?? null };
    } catch (err) {
      result.statusError = err instanceof Error ? err : new Error(String(err));
      log.warning(`The watchdog's record was not published to the status branch: ${result.statusError.message}`);
    }
  }
  return result;
}

/**
 * One run on the default branch, so the backup the schedule missed today happens now. A refusal
 * (no workflow_dispatch trigger) is a warning: the workflow is enabled, the next schedule runs it.
 */
async function dispatchOnce(octokit: Octokit, repo: RepoRef, file: string, result: WatchdogResult, log: Reporter): Promise<void> {
  try {
    const ref = await defaultBranch(octokit, repo);
    await dispatchWorkflow(octokit, repo, file, ref);
    result.dispatched = true;
    result.dispatchRef = ref;
    result.message += ` It started one run on ${ref} so today's backup is not lost.`;
    log.info(`Started ${file} on ${ref}.`);
  } catch (err) {
    if (!(err instanceof WorkflowApiError)) throw err;
    result.message += ` Starting a run now failed (${err.message}); the next scheduled run backs up.`;
    log.warning(`Could not start ${file} now: ${err.message} ${err.remedy}`, 'Backup not started');
  }
}
