// Publishes a run's status to the data branch (`salesforce-backup-status` by default): one commit
// per run, pushed with the workflow token through the storage git wrapper (token in a config
// file, never on a command line). Matrix jobs finish together, so a push refused as out of date
// is redone from the new tip: the files are re-read and the pure updates re-applied to them, and
// campaigns.json is merged by campaign id and org alias, so no job's history or progress is lost.
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveContext, type StorageContext } from '../storage/config.ts';
import { GitCommandError, type GitResult, type GitSession, isPushRace, openGitSession } from '../storage/git.ts';
import { markReauthorized, mergeCampaigns } from './campaigns.ts';
import { CAMPAIGNS_FILE, emptyCampaigns, historyFile, readJson, statusFile, writeCampaigns, writeOrgStatus } from './files.ts';
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
} from './schema.ts';
import { applyRun, type OrgRun } from './update.ts';

export const DEFAULT_STATUS_BRANCH = 'salesforce-backup-status';
const DEFAULT_MAX_ATTEMPTS = 8;

export type StatusPublishReason = 'auth_failed' | 'permission_denied' | 'repo_not_found' | 'push_rejected' | 'push_conflict' | 'network' | 'bad_config';

export class StatusPublishError extends Error {
  override readonly name = 'StatusPublishError';
  readonly reason: StatusPublishReason;
  readonly remedy: string;
  readonly state: 'transient' | 'misconfigured';

  constructor(reason: StatusPublishReason, message: string, remedy: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.reason = reason;
    this.remedy = remedy;
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
  const message =
    options.message ?? `Status: ${change.runs.map((r) => `${r.identity.alias} ${r.auth.state}`).join(', ') || 'campaigns'}${runSuffix(change.runs)}`;

  const git = await openGitSession({ remoteUrl, token: ctx.token, tempDir: ctx.tempDir, mask: ctx.mask });
  const dir = await mkdtemp(path.join(ctx.tempDir, 'sfbackup-status-'));
  try {
    await git.ok(['init', '-q'], dir);
    await git.ok(['remote', 'add', 'origin', remoteUrl], dir);
    // Only this run's org folders (and the top-level campaigns.json) are materialized.
    if (aliases.length > 0) await git.ok(['sparse-checkout', 'set', '--cone', ...aliases.map((a) => `orgs/${a}`)], dir);
    else await git.ok(['sparse-checkout', 'set', '--cone'], dir);

    for (let attempt = 1; ; attempt++) {
      const tip = await fetchTip(git, dir, branch);
      if (tip) {
        await git.ok(['checkout', '-q', '--force', '-B', branch, tip], dir);
      } else {
        // No data branch yet: an orphan root, sharing no history with the code.
        await git.ok(['symbolic-ref', 'HEAD', `refs/heads/${branch}`], dir);
        await git.ok(['read-tree', '--empty'], dir);
        await rm(path.join(dir, 'orgs'), { recursive: true, force: true });
        await rm(path.join(dir, CAMPAIGNS_FILE), { force: true });
      }

      const written = await applyChange(dir, change, { redact: options.redact ?? false, secretValues, warn: ctx.log.warning });
      await git.ok(['add', '--all', '--', CAMPAIGNS_FILE, ...aliases.map((a) => `orgs/${a}`)], dir);
      await git.ok(['commit', '-q', '--allow-empty', '--no-verify', '-m', message], dir);
      const push = await git.run(['push', '--porcelain', 'origin', `HEAD:refs/heads/${branch}`], dir);
      if (push.code === 0) {
        const commit = await git.ok(['rev-parse', 'HEAD'], dir);
        ctx.log.info(`Published the status of ${aliases.join(', ') || 'the campaigns'} to branch ${branch} (${commit})`);
        return { branch, commit, attempts: attempt, ...written };
      }
      if (!isPushRace(push)) throw classify(new GitCommandError(['push', 'origin', `HEAD:refs/heads/${branch}`], push), branch, remoteUrl, ctx.token);
      if (attempt >= maxAttempts) {
        throw new StatusPublishError(
          'push_conflict',
          `Status branch ${branch} kept moving: ${attempt} pushes were refused as out of date`,
          'Run again; if it keeps happening, limit the matrix with `max-parallel` or raise the number of attempts. The status branch is unchanged by this run.',
        );
      }
      ctx.log.info(`Status branch ${branch} moved meanwhile (attempt ${attempt}); re-applying this run on the new tip`);
      // Exponential with jitter, so jobs that collided do not collide again in lockstep.
      await sleep(randomInt(50, 250) * 2 ** Math.min(attempt - 1, 5));
    }
  } catch (err) {
    if (err instanceof GitCommandError) throw classify(err, branch, remoteUrl, ctx.token);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    await git.close();
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

  const current = (await readPrevious(dir, CAMPAIGNS_FILE, (d) => campaignsSchema.safeParse(d), opts.warn)) ?? emptyCampaigns();
  let ours = change.campaigns ? change.campaigns(current.campaigns) : current.campaigns;
  for (const run of change.runs) {
    const fingerprint = run.identity.appFingerprint;
    if (run.auth.state === 'ok' && fingerprint) ours = markReauthorized(ours, run.identity.alias, fingerprint, run.auth.at);
  }
  // Whatever the caller's function did, nothing another job recorded is dropped.
  const file: CampaignsFile = { schemaVersion: current.schemaVersion, campaigns: mergeCampaigns(current.campaigns, ours) };
  await writeCampaigns(dir, file, { secretValues: opts.secretValues });
  return { orgs, campaigns: file.campaigns };
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

async function fetchTip(git: GitSession, dir: string, branch: string): Promise<string | undefined> {
  const ref = `refs/remotes/origin/${branch}`;
  const r: GitResult = await git.run(['fetch', '-q', '--depth=1', '--no-tags', 'origin', `+refs/heads/${branch}:${ref}`], dir);
  if (r.code !== 0) {
    if (/couldn't find remote ref/i.test(r.stderr)) return undefined;
    throw new GitCommandError(['fetch', 'origin', branch], r);
  }
  return git.ok(['rev-parse', ref], dir);
}

function classify(err: GitCommandError, branch: string, remoteUrl: string, token: string | undefined): StatusPublishError {
  const text = err.stderr;
  const last = text.trim().split('\n').slice(-3).join(' | ');
  const message = `Publishing the status to branch ${branch} of ${remoteUrl} failed: ${last}`;
  if (/could not read Username|Authentication failed|Invalid username or token|returned error: 401/i.test(text)) {
    return new StatusPublishError(
      'auth_failed',
      message,
      token
        ? 'The token was refused: pass the workflow token (github.token, the default) or another token with contents: write.'
        : 'No token was given: pass github-token.',
      err,
    );
  }
  if (/Permission to .* denied|returned error: 403|Resource not accessible/i.test(text)) {
    return new StatusPublishError(
      'permission_denied',
      message,
      `Give the workflow \`permissions: contents: write\`, and let github-actions[bot] push to ${branch} if rulesets or branch protection cover it.`,
      err,
    );
  }
  if (/Repository not found|repository '[^']*' not found|returned error: 404/i.test(text)) {
    return new StatusPublishError('repo_not_found', message, 'Check the repository name, and that the token can see it.', err);
  }
  if (/GH006|GH013|protected branch|rule violations/i.test(text)) {
    return new StatusPublishError('push_rejected', message, `Allow github-actions[bot] to push to ${branch}, or set another \`status-branch\`.`, err);
  }
  return new StatusPublishError('network', message, 'Try again later; if it persists, check that the runner can reach the git server.', err);
}
