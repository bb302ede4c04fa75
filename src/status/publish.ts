// Publishes a run's status to the data branch (`salesforce-backup-status` by default): one commit
// per run, pushed with the workflow token through the one branch publisher (src/git/branch.ts; token
// in a config file, never on a command line). Matrix jobs finish together, so a push refused as out
// of date is redone from the new tip: the files are re-read and the pure updates re-applied to them, and
// campaigns.json is merged by campaign id and org alias, so no job's history or progress is lost.
import { BranchKeptMovingError, publishToBranch } from '../git/branch.ts';
import { GitCommandError, gitFailureReason, lastLines } from '../git/git.ts';
import { ProductError } from '../runtime/errors.ts';
import { resolveContext, type StorageContext } from '../storage/config.ts';
import { markReauthorized, mergeCampaigns } from './campaigns.ts';
import { readJson, writeCampaigns, writeOrgStatus, writeWatchdog } from './files.ts';
import { CAMPAIGNS_FILE, DEFAULT_STATUS_BRANCH, emptyCampaigns, historyFile, statusFile, WATCHDOG_FILE } from './layout.ts';
import { redactStatus } from './redact.ts';
import {
  aliasSchema,
  type Campaign,
  type CampaignsFile,
  campaignsSchema,
  isNewerSchema,
  type OrgHistory,
  type OrgStatus,
  orgHistorySchema,
  orgStatusSchema,
  StatusDataError,
  type WatchdogFile,
  watchdogFileSchema,
} from './schema.ts';
import { applyRun, nextWatchdog, type OrgRun, type WatchdogCheck } from './update.ts';

const DEFAULT_MAX_ATTEMPTS = 8;

export type StatusPublishReason = 'auth_failed' | 'permission_denied' | 'repo_not_found' | 'push_rejected' | 'push_conflict' | 'network' | 'bad_config';

export class StatusPublishError extends ProductError<StatusPublishReason> {
  override readonly name = 'StatusPublishError';
  readonly state: 'transient' | 'misconfigured';

  constructor(reason: StatusPublishReason, message: string, remedy: string, cause?: unknown) {
    super({ reason, message, remedy, cause });
    this.state = reason === 'push_conflict' || reason === 'network' ? 'transient' : 'misconfigured';
  }
}

export interface StatusChange {
  /** One entry per org this run touched (usually one; rotate-app touches every org of the app). */
  runs: OrgRun[];
  /**
   * How this run changes the campaign list (rotate-app: `(c) => startCampaign(c, …).campaigns`).
   * Called again with the newer list whenever a push has to be redone.
   */
  campaigns?: (current: Campaign[]) => Campaign[];
  /** What the backup-workflow watchdog found and did (watchdog.json); a change may carry only this. */
  watchdog?: WatchdogCheck;
}

export interface StatusPublishOptions {
  /** `status-branch` input; `salesforce-backup-status` by default. */
  branch?: string;
  /** The repository's git URL; `${serverUrl}/${owner}/${repo}.git` from the context by default. */
  remoteUrl?: string;
  /** Token (needs contents: write), repository, temp dir, logger, mask: as for branch storage. */
  context?: StorageContext;
  /** `redact` input: usernames, instance URLs and My Domain hosts left out (Pages sites are public). */
  redact?: boolean;
  /** Every secret value of the run; the data is refused if any appears in it. The git token is always added. */
  secretValues?: Iterable<string | undefined | null>;
  /** Pushes tried before giving up when other jobs keep moving the branch. */
  maxAttempts?: number;
  /** The commit message; `Status: <alias> <state>[, …]` by default. */
  message?: string;
}

export interface StatusPublishResult {
  branch: string;
  commit: string;
  /** Pushes it took (1 unless another job pushed meanwhile). */
  attempts: number;
  /** What was written, per org, as it is on the branch now. */
  orgs: Array<{ status: OrgStatus; history: OrgHistory }>;
  campaigns: Campaign[];
  /** watchdog.json as it is on the branch now, when this change carried a watchdog check. */
  watchdog?: WatchdogFile;
}

/** A change that carries only a watchdog check leaves campaigns.json alone (and does not create it). */
function touchesCampaigns(change: StatusChange): boolean {
  return change.runs.length > 0 || change.campaigns !== undefined || change.watchdog === undefined;
}

export async function publishStatus(change: StatusChange, options: StatusPublishOptions = {}): Promise<StatusPublishResult> {
  const ctx = resolveContext(options.context);
  const branch = options.branch ?? DEFAULT_STATUS_BRANCH;
  const remoteUrl = options.remoteUrl ?? (ctx.repository ? `${ctx.serverUrl}/${ctx.repository.owner}/${ctx.repository.repo}.git` : undefined);
  if (!remoteUrl) {
    throw new StatusPublishError(
      'bad_config',
      'Publishing the status needs a repository: neither a remote URL nor GITHUB_REPOSITORY is set',
      'Run inside a GitHub Actions job, or give the repository (owner/repo) or its git URL.',
    );
  }
  const aliases = change.runs.map((r) => r.identity.alias);
  for (const alias of aliases) {
    if (!aliasSchema.safeParse(alias).success) {
      throw new StatusPublishError('bad_config', `Org alias "${alias}" cannot name a status folder`, 'Use letters, digits, - or _ in org aliases.');
    }
  }
  if (new Set(aliases).size !== aliases.length) {
    throw new StatusPublishError('bad_config', `The same org appears twice in one status update (${aliases.join(', ')})`, 'Pass one run per org.');
  }
  const secretValues = [...(options.secretValues ?? []), ctx.token];
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const watchdogPart = change.watchdog ? `watchdog ${change.watchdog.workflow} ${change.watchdog.state ?? 'unknown'} (${change.watchdog.action})` : '';
  const parts = [...change.runs.map((r) => `${r.identity.alias} ${r.auth.state}`), ...(watchdogPart ? [watchdogPart] : [])];
  const suffix = runSuffix(change.runs) || (change.watchdog?.runUrl ? `\n\n${change.watchdog.runUrl}` : '');
  const message = options.message ?? `Status: ${parts.join(', ') || 'campaigns'}${suffix}`;

  const remote = { url: remoteUrl, token: ctx.token, tempDir: ctx.tempDir, mask: ctx.mask };
  const applyOptions: ApplyOptions = { redact: options.redact ?? false, secretValues, warn: ctx.log.warning };
  try {
    const published = await publishToBranch({
      remote,
      branch,
      // Only this run's org folders (and the top-level campaigns.json) are checked out and committed.
      dirs: aliases.map((a) => `orgs/${a}`),
      files: [...(touchesCampaigns(change) ? [CAMPAIGNS_FILE] : []), ...(change.watchdog ? [WATCHDOG_FILE] : [])],
      // The files are re-read from the tip on every attempt, so a redo merges what other jobs wrote.
      apply: ({ dir }) => applyChange(dir, change, applyOptions),
      message,
      maxAttempts,
      onRace: (attempt) => ctx.log.info(`Status branch ${branch} moved meanwhile (attempt ${attempt}); re-applying this run on the new tip`),
      label: 'status',
    });
    const what = aliases.length ? aliases.join(', ') : change.watchdog ? `the watchdog of ${change.watchdog.workflow}` : 'the campaigns';
    ctx.log.info(`Published the status of ${what} to branch ${branch} (${published.commit})`);
    return { branch, commit: published.commit, attempts: published.attempts, ...published.value };
  } catch (err) {
    if (err instanceof BranchKeptMovingError) {
      throw new StatusPublishError(
        'push_conflict',
        `Status branch ${branch} kept moving: ${err.attempts} pushes were refused as out of date`,
        'Run again; if it keeps happening, limit the matrix with `max-parallel` or raise the number of attempts. The status branch is unchanged by this run.',
      );
    }
    if (err instanceof GitCommandError) throw classify(err, branch, remoteUrl, ctx.token);
    throw err;
  }
}

function runSuffix(runs: OrgRun[]): string {
  const url = runs.find((r) => r.runUrl)?.runUrl;
  return url ? `\n\n${url}` : '';
}

interface ApplyOptions {
  redact: boolean;
  secretValues: Array<string | undefined | null>;
  warn: (message: string) => void;
}

/** Reads what the branch holds now, applies the run to it, writes the result: the redoable step. */
async function applyChange(dir: string, change: StatusChange, opts: ApplyOptions): Promise<Omit<StatusPublishResult, 'branch' | 'commit' | 'attempts'>> {
  const orgs: StatusPublishResult['orgs'] = [];
  for (const run of change.runs) {
    const alias = run.identity.alias;
    const previous = {
      status: await readPrevious(dir, statusFile(alias), (d) => orgStatusSchema.safeParse(d), opts.warn),
      history: await readPrevious(dir, historyFile(alias), (d) => orgHistorySchema.safeParse(d), opts.warn),
    };
    const next = applyRun(
      { ...(previous.status?.alias === alias ? { status: previous.status } : {}), ...(previous.history?.alias === alias ? { history: previous.history } : {}) },
      run,
    );
    const status = redactStatus(next.status, { redact: opts.redact });
    await writeOrgStatus(dir, status, next.history, { secretValues: opts.secretValues });
    orgs.push({ status, history: next.history });
  }

  let watchdog: WatchdogFile | undefined;
  if (change.watchdog) {
    const previous = await readPrevious(dir, WATCHDOG_FILE, (d) => watchdogFileSchema.safeParse(d), opts.warn);
    watchdog = nextWatchdog(previous, change.watchdog);
    await writeWatchdog(dir, watchdog, { secretValues: opts.secretValues });
  }
  if (!touchesCampaigns(change)) return { orgs, campaigns: [], ...(watchdog ? { watchdog } : {}) };

  const current = (await readPrevious(dir, CAMPAIGNS_FILE, (d) => campaignsSchema.safeParse(d), opts.warn)) ?? emptyCampaigns();
  let ours = change.campaigns ? change.campaigns(current.campaigns) : current.campaigns;
  for (const run of change.runs) {
    const fingerprint = run.identity.appFingerprint;
    if (run.auth.state === 'ok' && fingerprint) ours = markReauthorized(ours, run.identity.alias, fingerprint, run.auth.at);
  }
  // Whatever the caller's function did, nothing another job recorded is dropped.
  const file: CampaignsFile = { schemaVersion: current.schemaVersion, campaigns: mergeCampaigns(current.campaigns, ours) };
  await writeCampaigns(dir, file, { secretValues: opts.secretValues });
  return { orgs, campaigns: file.campaigns, ...(watchdog ? { watchdog } : {}) };
}

/**
 * A file of the previous run: undefined when missing; a file written by a newer schema stops the
 * publish (an older action must not downgrade it); an invalid one is replaced with a warning,
 * so one bad file cannot block every future status.
 */
async function readPrevious<T>(
  dir: string,
  rel: string,
  parse: (d: unknown) => { success: true; data: T } | { success: false },
  warn: (m: string) => void,
): Promise<T | undefined> {
  let raw: unknown;
  try {
    raw = await readJson(dir, rel);
  } catch (err) {
    if (!(err instanceof StatusDataError)) throw err;
    warn(`${rel} on the status branch is not valid JSON; starting it afresh`);
    return undefined;
  }
  if (raw === undefined) return undefined;
  if (isNewerSchema(raw)) {
    throw new StatusDataError(
      rel,
      ['schemaVersion is newer than this version of the action understands'],
      'Another workflow uses a newer salesforce-backup-action: upgrade this one too, so the status data is not downgraded.',
    );
  }
  const parsed = parse(raw);
  if (parsed.success) return parsed.data;
  warn(`${rel} on the status branch does not match the status schema; starting it afresh`);
  return undefined;
}

function classify(err: GitCommandError, branch: string, remoteUrl: string, token: string | undefined): StatusPublishError {
  const message = `Publishing the status to branch ${branch} of ${remoteUrl} failed: ${lastLines(err.stderr)}`;
  switch (gitFailureReason(err.stderr)) {
    case 'auth_failed':
      return new StatusPublishError(
        'auth_failed',
        message,
        token
          ? 'The token was refused: pass the workflow token (github.token, the default) or another token with contents: write.'
          : 'No token was given: pass github-token.',
        err,
      );
    case 'permission_denied':
      return new StatusPublishError(
        'permission_denied',
        message,
        `Give the workflow \`permissions: contents: write\`, and let github-actions[bot] push to ${branch} if rulesets or branch protection cover it.`,
        err,
      );
    case 'repo_not_found':
      return new StatusPublishError('repo_not_found', message, 'Check the repository name, and that the token can see it.', err);
    case 'push_rejected':
      return new StatusPublishError('push_rejected', message, `Allow github-actions[bot] to push to ${branch}, or set another \`status-branch\`.`, err);
    default:
      return new StatusPublishError('network', message, 'Try again later; if it persists, check that the runner can reach the git server.', err);
  }
}
