// `sfbackup watchdog`: the same check as the action's `command: watchdog`, from a laptop or any
// scheduler: is the backup workflow still enabled? One GitHub disabled for inactivity is enabled
// again (and started once); one a person disabled is reported. Exit 0 when the workflow is active
// or was enabled again, or was left disabled by a person's choice (stdout says so); 2 when the token
// or the workflow name is wrong; 5 when GitHub did not answer.
import { runWatchdog } from '../../app/watchdog.ts';
import { MisconfiguredError } from '../../runtime/auth-errors.ts';
import { describeFailure } from '../../runtime/errors.ts';
import { jobContext, repositoryRef } from '../../runtime/job-context.ts';
import { DEFAULT_STATUS_BRANCH } from '../../status/layout.ts';
import type { StorageContext } from '../../storage/config.ts';
import { defineCommand } from '../command.ts';
import { EXIT } from '../exit.ts';
import { GITHUB_FLAGS } from './github-flags.ts';

export class WatchdogUsageError extends MisconfiguredError {
  constructor(message: string) {
    super({ reason: 'bad_input', message, remedy: 'Run "sfbackup watchdog --help" for the options.' });
  }
}

export const watchdogCommand = defineCommand({
  name: 'watchdog',
  synopsis: 'watchdog --repo OWNER/NAME',
  summary: 'Check that the backup workflow is still enabled; enable it again when GitHub\ndisabled it for inactivity, and record that on the status branch.',
  usage: ['sfbackup watchdog --repo OWNER/NAME [--workflow FILE] [options]'],
  notes: [
    'GitHub disables scheduled workflows after 60 days without repository activity. The token needs\nActions: Read and write on the repository (and Contents: Read and write for the status branch).\nExit 0 when the workflow is active, was enabled again, or was disabled by a person (reported,\nleft as it is); 2 when the token may not do it or the workflow does not exist; 5 when GitHub\ndid not answer.',
  ],
  flags: {
    repo: GITHUB_FLAGS.repo,
    'github-token': { ...GITHUB_FLAGS['github-token'], help: 'a token with Actions: Read and write (and Contents: write for the status)' },
    'github-api-url': GITHUB_FLAGS['github-api-url'],
    workflow: { kind: 'string', value: 'FILE', help: 'the backup workflow under .github/workflows/ (default backup.yml)' },
    'no-dispatch': { kind: 'boolean', help: 'do not start a run after enabling the workflow again' },
    'status-branch': { kind: 'string', value: 'NAME', help: `the status branch (default ${DEFAULT_STATUS_BRANCH})` },
    remote: { kind: 'string', value: 'URL', help: 'git URL of the repository holding the status branch\n(default GITHUB_SERVER_URL/OWNER/NAME.git)' },
    'no-status': { kind: 'boolean', help: 'do not record the check on the status branch' },
    json: { kind: 'boolean', help: 'print the result as one JSON object' },
  },
  async run({ flags, env, io }) {
    const job = jobContext({ token: flags['github-token'], apiUrl: flags['github-api-url'], repository: flags.repo }, env);
    const repo = repositoryRef(job.repository?.trim());
    if (!repo || job.repository?.split('/').length !== 2)
      throw new WatchdogUsageError('watchdog needs the repository of the backup workflow: --repo OWNER/NAME (or GITHUB_REPOSITORY)');
    const token = (job.token ?? '').trim();
    if (!token) {
      throw new WatchdogUsageError(
        'watchdog needs a GitHub token allowed to read and enable the workflow: --github-token or GH_TOKEN (e.g. GH_TOKEN=$(gh auth token))',
      );
    }
    const workflow = flags.workflow ?? 'backup.yml';
    if (!/^(\.?\/?\.github\/workflows\/)?[A-Za-z0-9._-]+\.ya?ml$/.test(workflow.trim())) {
      throw new WatchdogUsageError(`--workflow ${workflow}: expected the file name of the backup workflow, such as backup.yml`);
    }
    const log = { info: (m: string) => io.err(m), warning: (m: string) => io.err(`Warning: ${m}`), mask: (s: string) => io.secret(s) };
    const context: StorageContext = { token, repository: `${repo.owner}/${repo.repo}`, log, mask: (s) => io.secret(s) };
    const result = await runWatchdog(
      {
        repo,
        workflow,
        dispatch: !flags['no-dispatch'],
        ...(flags['no-status']
          ? {}
          : {
              status: {
                branch: flags['status-branch'] ?? DEFAULT_STATUS_BRANCH,
                remoteUrl: flags.remote ?? `${job.serverUrl}/${repo.owner}/${repo.repo}.git`,
                context,
              },
            }),
        runUrl: job.runUrl,
        secretValues: [token],
      },
      { reporter: log, octokit: async () => (await import('../../github/octokit.ts')).createOctokit(token, job.apiUrl) },
    );
    // A failure is main's one JSON failure object instead.
    if (flags.json && !result.failure) {
      io.out(
        JSON.stringify({
          ok: result.failure === null && result.statusError === null,
          workflow: result.workflow,
          state: result.state,
          action: result.action,
          reason: result.reason,
          message: result.message,
          remedy: result.remedy,
          dispatched: result.dispatched,
          dispatchRef: result.dispatchRef,
          status: result.status ? { branch: result.status.branch, commit: result.status.commit } : null,
        }),
      );
    } else if (!flags.json) {
      io.out(`${result.workflow}: ${result.state ?? 'state unknown'}; ${result.action}.`);
      io.out(result.message);
      if (result.remedy) io.out(`To fix: ${result.remedy}`);
      if (result.status) io.out(`Recorded on the status branch ${result.status.branch} (${result.status.commit.slice(0, 12)}).`);
    }
    // A failure goes through main's classification (its state's exit code, and --json's failure object).
    if (result.failure) throw result.failure;
    if (result.statusError) {
      io.err(`The check was not recorded: ${describeFailure(result.statusError)}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  },
});
