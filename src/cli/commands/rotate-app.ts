// `sfbackup rotate-app`: the same rotation as the action's `command: rotate-app`, from a laptop.
// A laptop has no secrets map, so the orgs of the old app are found through the status branch (the
// fingerprint each org last authenticated with) or the old consumer key given explicitly.
import { type RotateAppPlan, runRotation } from '../../app/rotate-app.ts';
import { loadConfig } from '../../config/index.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/schema.ts';
import { describeSecretTarget } from '../../github/contracts.ts';
import { MisconfiguredError } from '../../runtime/auth-errors.ts';
import { describeFailure } from '../../runtime/errors.ts';
import { jobContext } from '../../runtime/job-context.ts';
import { DEFAULT_STATUS_BRANCH } from '../../status/layout.ts';
import type { StorageContext } from '../../storage/config.ts';
import { defineCommand } from '../command.ts';
import { EXIT } from '../exit.ts';
import { GITHUB_FLAGS } from './github-flags.ts';

export class RotateAppUsageError extends MisconfiguredError {
  constructor(message: string) {
    super({ reason: 'bad_input', message, remedy: 'Run "sfbackup rotate-app --help" for the options.' });
  }
}

function printPlan(plan: RotateAppPlan, out: (line: string) => void): void {
  out(`App ${plan.previousFingerprint} → app ${plan.newFingerprint}.`);
  out(`Secrets: ${plan.writes.map((w) => describeSecretTarget(w.target)).join('; ')}.`);
  for (const u of plan.untouched) out(`Left as it is: ${u.alias} (${u.why}).`);
}

export const rotateAppCommand = defineCommand({
  name: 'rotate-app',
  synopsis: 'rotate-app --client-id NEW --client-secret NEW',
  summary: "Store a new Connected App consumer key and secret in the org config's secrets and\nstart a re-authorization campaign for the orgs of the old app.",
  usage: ['sfbackup rotate-app --client-id NEW --client-secret NEW [options]'],
  notes: [
    'Prefer the environment variables for secrets: command lines are visible to other processes.\nNew or changed Connected App credentials take up to 10 minutes to become active; then run\n"sfbackup reauth --org ALIAS" for each org listed.',
  ],
  flags: {
    config: { kind: 'string', value: 'FILE', help: `the org config (default ${DEFAULT_CONFIG_FILE})` },
    'client-id': { kind: 'string', value: 'KEY', env: 'SF_NEW_CLIENT_ID', help: 'the new Consumer Key', secret: true },
    'client-secret': { kind: 'string', value: 'SECRET', env: 'SF_NEW_CLIENT_SECRET', help: 'the new Consumer Secret', secret: true },
    'old-client-id': {
      kind: 'string',
      value: 'KEY',
      env: 'SF_CLIENT_ID',
      help: 'the Consumer Key being replaced: identifies the orgs of the old app when\nthe status branch does not know them',
      secret: true,
    },
    ...GITHUB_FLAGS,
    'status-branch': { kind: 'string', value: 'NAME', help: `the status branch (default ${DEFAULT_STATUS_BRANCH})` },
    'remote-url': { kind: 'string', value: 'URL', help: 'git URL of the repository (default GITHUB_SERVER_URL/OWNER/NAME.git)' },
    'no-status': { kind: 'boolean', help: 'do not read or publish the status branch' },
    'no-issues': { kind: 'boolean', help: 'do not open an issue per org' },
    redact: { kind: 'boolean', help: 'leave usernames and My Domain hosts out of the status data' },
    'dry-run': { kind: 'boolean', help: 'show what would be written and who must re-authorize; write nothing' },
  },
  async run({ flags, env, io }) {
    const newClientId = (flags['client-id'] ?? '').trim();
    const newClientSecret = (flags['client-secret'] ?? '').trim();
    if (!newClientId || !newClientSecret) {
      throw new RotateAppUsageError(
        'rotate-app needs the new Consumer Key and Secret: --client-id and --client-secret (or SF_NEW_CLIENT_ID and SF_NEW_CLIENT_SECRET)',
      );
    }
    const oldClientId = (flags['old-client-id'] ?? '').trim() || undefined;
    const job = jobContext({ token: flags['github-token'], apiUrl: flags['github-api-url'], repository: flags.repo }, env);
    const repository = (job.repository ?? '').trim();
    if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
      throw new RotateAppUsageError('rotate-app needs the repository that holds the secrets: --repo OWNER/NAME (or GITHUB_REPOSITORY)');
    }
    const [owner, repo] = repository.split('/') as [string, string];
    const token = (job.token ?? '').trim();
    const apiUrl = job.apiUrl;
    const dryRun = flags['dry-run'];
    const withStatus = !flags['no-status'];
    if (!token && !dryRun) {
      throw new RotateAppUsageError(
        'rotate-app needs a GitHub token allowed to write the secrets: --github-token or GH_TOKEN (e.g. GH_TOKEN=$(gh auth token)); a fine-grained token needs "Secrets: Read and write" on the repository (docs/github-token.md)',
      );
    }
    const configFile = flags.config ?? DEFAULT_CONFIG_FILE;
    const config = loadConfig(configFile);
    const branch = flags['status-branch'] ?? DEFAULT_STATUS_BRANCH;
    const remoteUrl = flags['remote-url'] ?? `${job.serverUrl}/${owner}/${repo}.git`;
    const log = { info: (m: string) => io.err(m), warning: (m: string) => io.err(`Warning: ${m}`) };
    const context: StorageContext = { ...(token ? { token } : {}), repository, log, mask: (s) => io.secret(s) };

    const result = await runRotation(
      {
        config,
        repository,
        newClientId,
        newClientSecret,
        ...(oldClientId ? { oldClientId } : {}),
        ...(withStatus ? { status: { branch, remoteUrl, context, redact: flags.redact } } : {}),
        dryRun,
        secretValues: [token, ...(oldClientId ? [oldClientId] : [])],
      },
      {
        log,
        onPlan: (plan) => printPlan(plan, io.out),
        // Loaded only when something is written: a dry run needs no GitHub client.
        writer: async () => {
          const [{ createOctokit }, { createSecretWriter }] = await Promise.all([import('../../github/octokit.ts'), import('../../github/secrets.ts')]);
          return createSecretWriter(await createOctokit(token, apiUrl));
        },
        issues: async () => {
          if (flags['no-issues']) return undefined;
          const { createOctokit } = await import('../../github/octokit.ts');
          return { octokit: await createOctokit(token, apiUrl), repo: { owner, repo } };
        },
      },
    );
    const { plan } = result;

    if (dryRun) io.out(`Dry run: nothing was written. These orgs would need re-authorizing (${plan.orgs.length}):`);
    else {
      io.out(`Stored the new consumer key and secret (app ${plan.newFingerprint}) in ${result.written.length} secret(s).`);
      io.out(
        `Re-authorization campaign ${result.campaign.id}: ${result.progress.done} of ${result.progress.total} orgs re-authorized${result.status ? ` (status branch ${result.status.branch})` : ''}.`,
      );
      io.out('The new credentials take up to 10 minutes to become active; then re-authorize each org:');
    }
    const width = Math.max(...plan.orgs.map((o) => o.alias.length));
    const hostWidth = Math.max(...plan.orgs.map((o) => o.loginHost.length));
    for (const o of plan.orgs) io.out(`  ${o.alias.padEnd(width)}  ${o.loginHost.padEnd(hostWidth)}  ${o.reauthCommand}`);
    if (result.statusError) {
      io.err(`The campaign was not published: ${describeFailure(result.statusError)}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  },
});
