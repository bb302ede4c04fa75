// `command: watchdog` in the action (the example status-site workflow runs it before building the
// site): checks the backup workflow's state, enables it again when GitHub disabled it for
// inactivity, and records what it found on the status branch. Outputs `workflow-state` and
// `watchdog-action`; the step fails when the state cannot be read or a disabled workflow cannot be
// enabled, and warns (without failing) about a workflow a person disabled.
import * as core from '@actions/core';
import { runWatchdog, type WatchdogResult } from '../app/watchdog.ts';
import { createOctokit } from '../github/octokit.ts';
import { describeFailure, ProductError } from '../runtime/errors.ts';
import { jobContext, repositoryRef } from '../runtime/job-context.ts';
import type { StorageContext } from '../storage/config.ts';
import type { WatchdogInputs } from './inputs.ts';

class WatchdogSetupError extends ProductError<'bad_config'> {
  override readonly name = 'WatchdogSetupError';
  readonly state = 'misconfigured';
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function runWatchdogCommand(inputs: WatchdogInputs): Promise<WatchdogResult> {
  const job = jobContext({ token: inputs.githubToken, mask: core.setSecret });
  const repo = repositoryRef(job.repository);
  if (!repo) {
    throw new WatchdogSetupError({
      reason: 'bad_config',
      message: 'The watchdog needs the repository of the backup workflow: GITHUB_REPOSITORY is not set.',
      remedy: 'Run it as a step of a GitHub Actions job.',
    });
  }
  const token = job.token;
  if (!token) {
    throw new WatchdogSetupError({
      reason: 'bad_config',
      message: 'The watchdog needs a token to read the workflow: github-token is empty.',
      remedy: 'Leave github-token at its default (github.token) and give the job `permissions: actions: write, contents: write`.',
    });
  }
  const context: StorageContext = { token, log: { info: core.info, warning: core.warning }, mask: core.setSecret };
  const result = await runWatchdog(
    {
      repo,
      workflow: inputs.workflow,
      dispatch: inputs.dispatch,
      ...(inputs.publishStatus ? { status: { branch: inputs.statusBranch, ...(inputs.statusRemote ? { remoteUrl: inputs.statusRemote } : {}), context } } : {}),
      runUrl: job.runUrl,
      secretValues: [token],
    },
    {
      reporter: { info: core.info, warning: (m, title) => core.warning(m, title ? { title } : {}), mask: core.setSecret },
      octokit: () => createOctokit(token, job.apiUrl),
    },
  );
  core.setOutput('workflow-state', result.state ?? 'unknown');
  core.setOutput('watchdog-action', result.action);
  await writeSummary(result);
  if (result.failure) throw result.failure;
  if (result.statusError) throw result.statusError;
  return result;
}

async function writeSummary(r: WatchdogResult): Promise<void> {
  const heading =
    r.action === 're-enabled'
      ? `Backup workflow ${r.workflow} enabled again`
      : r.state === 'active'
        ? `Backup workflow ${r.workflow} is active`
        : `Backup workflow ${r.workflow}: ${r.state ?? 'state unknown'}`;
  const s = core.summary.addHeading(heading, 2).addRaw(`<p>${escapeHtml(r.message)}</p>`, true);
  if (r.remedy) s.addRaw(`<p><b>To fix:</b> ${escapeHtml(r.remedy)}</p>`, true);
  if (r.status)
    s.addRaw(`<p>Recorded on the status branch <code>${escapeHtml(r.status.branch)}</code> at <code>${r.status.commit.slice(0, 12)}</code>.</p>`, true);
  if (r.statusError) s.addRaw(`<p>Not recorded on the status branch: ${escapeHtml(describeFailure(r.statusError))}</p>`, true);
  await s.write();
}
