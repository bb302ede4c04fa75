// `sfbackup rotate-app`: the same rotation as the action's `command: rotate-app`, from a laptop.
// A laptop has no secrets map, so the orgs of the old app are found through the status branch (the
// fingerprint each org last authenticated with) or the old consumer key given explicitly.
import { parseArgs } from 'node:util';
import { type RotateAppPlan, runRotation } from '../app/rotate-app.ts';
import { loadConfig } from '../config/index.ts';
import { DEFAULT_CONFIG_FILE } from '../config/schema.ts';
import { describeSecretTarget, type SecretWriter } from '../github/contracts.ts';
import { MisconfiguredError } from '../runtime/auth-errors.ts';
import { describeFailure } from '../runtime/errors.ts';
import { DEFAULT_GITHUB_API_URL, jobContext } from '../runtime/job-context.ts';
import { DEFAULT_STATUS_BRANCH } from '../status/index.ts';
import type { StorageContext } from '../storage/config.ts';

export class RotateAppUsageError extends MisconfiguredError {
  constructor(message: string) {
    super({ reason: 'bad_input', message, remedy: 'Run "sfbackup rotate-app --help" for the options.' });
  }
}

export const ROTATE_APP_HELP = `sfbackup rotate-app: store a new Connected App consumer key and secret in the secrets the org config
names, and start a re-authorization campaign for every org that used the old app.

Usage: sfbackup rotate-app --client-id NEW --client-secret NEW [options]

  --config FILE             the org config (default ${DEFAULT_CONFIG_FILE})
  --client-id KEY           the new Consumer Key     (SF_NEW_CLIENT_ID)
  --client-secret SECRET    the new Consumer Secret  (SF_NEW_CLIENT_SECRET)
  --old-client-id KEY       the Consumer Key being replaced (SF_CLIENT_ID): identifies the orgs of
                            the old app when the status branch does not know them
  --repo OWNER/NAME         repository holding the secrets          (GITHUB_REPOSITORY)
  --github-token TOKEN      token allowed to write its secrets      (GH_TOKEN, GITHUB_TOKEN)
  --github-api-url URL      GitHub API (default ${DEFAULT_GITHUB_API_URL})  (GITHUB_API_URL)
  --status-branch NAME      the status branch (default ${DEFAULT_STATUS_BRANCH})
  --remote-url URL          git URL of the repository (default GITHUB_SERVER_URL/OWNER/NAME.git)
  --no-status               do not read or publish the status branch
  --no-issues               do not open an issue per org
  --redact                  leave usernames and My Domain hosts out of the status data
  --dry-run                 show what would be written and who must re-authorize; write nothing

Prefer the environment variables for secrets: command lines are visible to other processes.
New or changed Connected App credentials take up to 10 minutes to become active; then run
"sfbackup reauth --org ALIAS" for each org listed.
`;

export interface RotateAppCliContext {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Injected by tests; the real CLI builds Octokit-backed clients. */
  createWriter?: (token: string, apiUrl: string) => Promise<SecretWriter>;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'old-client-id': { type: 'string' },
      repo: { type: 'string' },
      'github-token': { type: 'string' },
      'github-api-url': { type: 'string' },
      'status-branch': { type: 'string' },
      'remote-url': { type: 'string' },
      'no-status': { type: 'boolean', default: false },
      'no-issues': { type: 'boolean', default: false },
      redact: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function printPlan(plan: RotateAppPlan, out: (line: string) => void): void {
  out(`App ${plan.previousFingerprint} → app ${plan.newFingerprint}.`);
  out(`Secrets: ${plan.writes.map((w) => describeSecretTarget(w.target)).join('; ')}.`);
  for (const u of plan.untouched) out(`Left as it is: ${u.alias} (${u.why}).`);
}

/** `sfbackup rotate-app ...`. Returns the exit code; throws typed errors for main.ts. */
export async function runRotateAppCommand(argv: string[], env: NodeJS.ProcessEnv, ctx: RotateAppCliContext): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (e) {
    throw new RotateAppUsageError((e as Error).message);
  }
  if (values.help) {
    ctx.out(ROTATE_APP_HELP.trimEnd());
    return 0;
  }
  const newClientId = (values['client-id'] || env.SF_NEW_CLIENT_ID || '').trim();
  const newClientSecret = (values['client-secret'] || env.SF_NEW_CLIENT_SECRET || '').trim();
  if (!newClientId || !newClientSecret) {
    throw new RotateAppUsageError(
      'rotate-app needs the new Consumer Key and Secret: --client-id and --client-secret (or SF_NEW_CLIENT_ID and SF_NEW_CLIENT_SECRET)',
    );
  }
  const oldClientId = (values['old-client-id'] || env.SF_CLIENT_ID || '').trim() || undefined;
  // GH_TOKEN (the gh CLI's) comes before the job's GITHUB_TOKEN on a laptop.
  const job = jobContext({ token: values['github-token'] || env.GH_TOKEN, apiUrl: values['github-api-url'], repository: values.repo }, env);
  const repository = (job.repository ?? '').trim();
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) {
    throw new RotateAppUsageError('rotate-app needs the repository that holds the secrets: --repo OWNER/NAME (or GITHUB_REPOSITORY)');
  }
  const [owner, repo] = repository.split('/') as [string, string];
  const token = (job.token ?? '').trim();
  const apiUrl = job.apiUrl;
  const dryRun = values['dry-run'];
  const withStatus = !values['no-status'];
  if (!token && !dryRun) {
    throw new RotateAppUsageError(
      'rotate-app needs a GitHub token allowed to write the secrets: --github-token or GH_TOKEN (e.g. GH_TOKEN=$(gh auth token)); a fine-grained token needs "Secrets: Read and write" on the repository (docs/github-token.md)',
    );
  }
  const configFile = values.config ?? DEFAULT_CONFIG_FILE;
  const config = loadConfig(configFile);
  const branch = values['status-branch'] ?? DEFAULT_STATUS_BRANCH;
  const remoteUrl = values['remote-url'] ?? `${job.serverUrl}/${owner}/${repo}.git`;
  const log = { info: ctx.err, warning: (m: string) => ctx.err(`Warning: ${m}`) };
  const context: StorageContext = { ...(token ? { token } : {}), repository, log, mask: () => {} };

  const result = await runRotation(
    {
      config,
      repository,
      newClientId,
      newClientSecret,
      ...(oldClientId ? { oldClientId } : {}),
      ...(withStatus ? { status: { branch, remoteUrl, context, redact: values.redact } } : {}),
      dryRun,
      secretValues: [token, ...(oldClientId ? [oldClientId] : [])],
    },
    {
      log,
      onPlan: (plan) => printPlan(plan, ctx.out),
      // Loaded only when something is written: a dry run needs no GitHub client.
      writer: async () => {
        if (ctx.createWriter) return ctx.createWriter(token, apiUrl);
        const [{ createOctokit }, { createSecretWriter }] = await Promise.all([import('../github/octokit.ts'), import('../github/secrets.ts')]);
        return createSecretWriter(await createOctokit(token, apiUrl));
      },
      issues: async () => {
        if (values['no-issues']) return undefined;
        const { createOctokit } = await import('../github/octokit.ts');
        return { octokit: await createOctokit(token, apiUrl), repo: { owner, repo } };
      },
    },
  );
  const { plan } = result;

  if (dryRun) ctx.out(`Dry run: nothing was written. These orgs would need re-authorizing (${plan.orgs.length}):`);
  else {
    ctx.out(`Stored the new consumer key and secret (app ${plan.newFingerprint}) in ${result.written.length} secret(s).`);
    ctx.out(
      `Re-authorization campaign ${result.campaign.id}: ${result.progress.done} of ${result.progress.total} orgs re-authorized${result.status ? ` (status branch ${result.status.branch})` : ''}.`,
    );
    ctx.out('The new credentials take up to 10 minutes to become active; then re-authorize each org:');
  }
  const width = Math.max(...plan.orgs.map((o) => o.alias.length));
  const hostWidth = Math.max(...plan.orgs.map((o) => o.loginHost.length));
  for (const o of plan.orgs) ctx.out(`  ${o.alias.padEnd(width)}  ${o.loginHost.padEnd(hostWidth)}  ${o.reauthCommand}`);
  if (result.statusError) {
    ctx.err(`The campaign was not published: ${describeFailure(result.statusError)}`);
    return 1;
  }
  return 0;
}
