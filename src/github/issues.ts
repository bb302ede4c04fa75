// One GitHub issue per org that needs a person (re-authorization, a failed secret write, ...): opened
// once, kept current, commented on when the org's state changes, closed when the org is healthy again.
// The issue is found again by a hidden marker in its body, so titles can change freely and two
// runs never open two issues. Texts come from the caller and must already be free of secrets.
import { gitHubMessage, IssueSyncError } from './errors.ts';
import { httpStatus, type Octokit } from './octokit.ts';
import { DEFAULT_GITHUB_RETRY, type GitHubRetryPolicy, isTransientGitHubError, withGitHubRetry } from './retry.ts';

export const ISSUE_LABEL = 'salesforce-backup';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface OrgIssueInput {
  alias: string;
  needsAttention: boolean;
  /** Used when the org needs attention; ignored when it is healthy. */
  title: string;
  body: string;
  /** Added to `salesforce-backup`. */
  labels?: string[];
  /**
   * The short state the issue is about (`reauth_required/app_changed`); a change is announced with
   * a comment. Defaults to the title.
   */
  state?: string;
}

export interface OrgIssueOptions {
  retry?: GitHubRetryPolicy;
  now?: () => Date;
}

export type OrgIssueAction = 'created' | 'updated' | 'unchanged' | 'closed' | 'none';

export interface OrgIssueResult {
  action: OrgIssueAction;
  /** The issue acted on (absent for `none`). */
  number?: number;
  url?: string;
  /** Extra open issues for the same org (two jobs raced to create one) that were closed as duplicates. */
  closedDuplicates: number[];
}

interface FoundIssue {
  number: number;
  title: string;
  body: string;
  url: string;
  labels: string[];
}

/** `<!-- sfbackup:org=prod -->`: aliases are unique regardless of case, so the marker is lower-case. */
export function orgIssueMarker(alias: string): string {
  return `<!-- sfbackup:org=${alias.toLowerCase()} -->`;
}

/** `--` or `>` would end the HTML comment early; states are short identifiers anyway. */
function cleanState(state: string): string {
  return state.replace(/--+/g, '-').replace(/[\r\n>]/g, ' ');
}

function stateMarker(state: string): string {
  return `<!-- sfbackup:state=${cleanState(state)} -->`;
}

function storedState(body: string): string | undefined {
  return /<!-- sfbackup:state=(.*?) -->/.exec(body)?.[1];
}

function composeBody(alias: string, state: string, body: string): string {
  return `${body.trimEnd()}\n\n${orgIssueMarker(alias)}\n${stateMarker(state)}\n`;
}

const REMEDY_PERMISSION =
  'Give the workflow token `issues: write` (add `permissions: { issues: write, contents: write }` to the job), or pass a token that may write issues of this repository. docs/github-token.md shows the permissions block.';

function toIssueError(err: unknown, what: string): IssueSyncError {
  const status = httpStatus(err);
  const detail = `${what}: ${gitHubMessage(err)}`;
  if (status === 401)
    return new IssueSyncError({
      reason: 'bad_credentials',
      status,
      message: detail,
      remedy: 'The token is not valid (expired or revoked); pass a current one.',
    });
  if (status === 403 || status === 404 || status === 410)
    return new IssueSyncError({
      reason: 'permission_denied',
      status,
      message: detail,
      remedy: status === 410 ? 'Issues are turned off for this repository: turn them on (Settings → General → Features → Issues).' : REMEDY_PERMISSION,
    });
  if (isTransientGitHubError(err))
    return new IssueSyncError({ reason: 'unavailable', status, message: detail, remedy: 'GitHub is not answering; the next run updates the issue.' });
  return new IssueSyncError({
    reason: 'rejected',
    status,
    message: detail,
    remedy: 'Check the labels and texts passed for the issue; the message above says what GitHub refused.',
  });
}

/**
 * Makes the repository's issues match the org's state: opens, updates, comments on, or closes the
 * org's one issue. Safe to call on every run: when nothing changed, it writes nothing.
 */
export async function syncOrgIssue(octokit: Octokit, where: RepoRef, input: OrgIssueInput, options: OrgIssueOptions = {}): Promise<OrgIssueResult> {
  const policy = options.retry ?? DEFAULT_GITHUB_RETRY;
  const now = options.now ?? (() => new Date());
  const marker = orgIssueMarker(input.alias);
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withGitHubRetry(fn, policy);
    } catch (err) {
      throw toIssueError(err, what);
    }
  };

  const listOpen = async (labels: string | undefined): Promise<FoundIssue[]> => {
    const items = await call('listing open issues', () =>
      octokit.paginate(octokit.rest.issues.listForRepo, { owner: where.owner, repo: where.repo, state: 'open', per_page: 100, ...(labels ? { labels } : {}) }),
    );
    return items
      .filter((i) => !i.pull_request && (i.body ?? '').includes(marker))
      .map((i) => ({
        number: i.number,
        title: i.title,
        body: i.body ?? '',
        url: i.html_url,
        labels: i.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
      }))
      .sort((a, b) => a.number - b.number);
  };

  // The label narrows the search; without push access GitHub drops labels silently, so an issue
  // may exist without it: look once more over every open issue before concluding there is none.
  let found = await listOpen(ISSUE_LABEL);
  if (found.length === 0) found = await listOpen(undefined);

  const [issue, ...duplicates] = found;
  const closedDuplicates: number[] = [];
  if (issue) {
    for (const dup of duplicates) {
      await call(`closing duplicate issue #${dup.number}`, () =>
        octokit.rest.issues.createComment({
          owner: where.owner,
          repo: where.repo,
          issue_number: dup.number,
          body: `Duplicate of #${issue.number}, which tracks this org.`,
        }),
      );
      await call(`closing duplicate issue #${dup.number}`, () =>
        octokit.rest.issues.update({ owner: where.owner, repo: where.repo, issue_number: dup.number, state: 'closed', state_reason: 'not_planned' }),
      );
      closedDuplicates.push(dup.number);
    }
  }

  if (!input.needsAttention) {
    if (!issue) return { action: 'none', closedDuplicates };
    await call(`commenting on issue #${issue.number}`, () =>
      octokit.rest.issues.createComment({
        owner: where.owner,
        repo: where.repo,
        issue_number: issue.number,
        body: `Org \`${input.alias}\` is healthy again at ${now().toISOString()}. Closing.`,
      }),
    );
    await call(`closing issue #${issue.number}`, () =>
      octokit.rest.issues.update({ owner: where.owner, repo: where.repo, issue_number: issue.number, state: 'closed', state_reason: 'completed' }),
    );
    return { action: 'closed', number: issue.number, url: issue.url, closedDuplicates };
  }

  const state = input.state ?? input.title;
  const body = composeBody(input.alias, state, input.body);
  const labels = [ISSUE_LABEL, ...(input.labels ?? []).filter((l) => l !== ISSUE_LABEL)];

  if (!issue) {
    const res = await call('opening an issue', () => octokit.rest.issues.create({ owner: where.owner, repo: where.repo, title: input.title, body, labels }));
    return { action: 'created', number: res.data.number, url: res.data.html_url, closedDuplicates };
  }

  let changed = false;
  if (issue.title !== input.title || issue.body !== body) {
    await call(`updating issue #${issue.number}`, () =>
      octokit.rest.issues.update({ owner: where.owner, repo: where.repo, issue_number: issue.number, title: input.title, body }),
    );
    changed = true;
  }
  const missing = labels.filter((l) => !issue.labels.some((have) => have.toLowerCase() === l.toLowerCase()));
  if (missing.length > 0) {
    await call(`labelling issue #${issue.number}`, () =>
      octokit.rest.issues.addLabels({ owner: where.owner, repo: where.repo, issue_number: issue.number, labels: missing }),
    );
    changed = true;
  }
  const before = storedState(issue.body);
  if (before !== undefined && before !== cleanState(state)) {
    await call(`commenting on issue #${issue.number}`, () =>
      octokit.rest.issues.createComment({
        owner: where.owner,
        repo: where.repo,
        issue_number: issue.number,
        body: `State changed at ${now().toISOString()}: \`${before}\` → \`${state}\`.\n\n${input.title}`,
      }),
    );
  }
  return { action: changed ? 'updated' : 'unchanged', number: issue.number, url: issue.url, closedDuplicates };
}
