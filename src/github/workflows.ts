// The Actions workflows API, as much as the backup watchdog needs: a workflow's state, enabling it,
// and a workflow_dispatch. GitHub disables scheduled workflows on its own (after 60 days without
// repository activity), and nothing else tells anyone: these calls are how the watchdog finds out.
// Every call goes through the shared retry; failures come back as WorkflowApiError with the exact
// permission to add.
import { ProductError } from '../runtime/errors.ts';
import { gitHubMessage } from './errors.ts';
import type { RepoRef } from './issues.ts';
import { httpStatus, type Octokit } from './octokit.ts';
import { DEFAULT_GITHUB_RETRY, type GitHubRetryPolicy, isTransientGitHubError, withGitHubRetry } from './retry.ts';

export const WORKFLOW_STATES = ['active', 'deleted', 'disabled_fork', 'disabled_inactivity', 'disabled_manually'] as const;
export type WorkflowState = (typeof WORKFLOW_STATES)[number];

export interface WorkflowInfo {
  id: number;
  name: string;
  /** `.github/workflows/backup.yml` */
  path: string;
  state: WorkflowState;
  htmlUrl: string;
}

export type WorkflowApiReason = 'bad_credentials' | 'permission_denied' | 'not_found' | 'rejected' | 'unavailable';
type Operation = 'read' | 'enable' | 'dispatch';

/** A workflows API call failed: which call, what GitHub said, and what to change. */
export class WorkflowApiError extends ProductError<WorkflowApiReason> {
  override readonly name = 'WorkflowApiError';
  readonly state: 'misconfigured' | 'transient' | 'failed';
  readonly status: number | undefined;
  readonly operation: Operation;

  constructor(details: { reason: WorkflowApiReason; operation: Operation; status?: number; message: string; remedy: string }) {
    // The cause is rebuilt from status and message: Octokit's error carries the request and its token.
    super({
      reason: details.reason,
      message: details.message,
      remedy: details.remedy,
      cause: new Error(`${details.status ?? 'no answer'}: ${details.message}`),
    });
    this.operation = details.operation;
    this.status = details.status;
    this.state = details.reason === 'unavailable' ? 'transient' : details.reason === 'rejected' ? 'failed' : 'misconfigured';
  }
}

/** `backup.yml` from `backup.yml`, `.github/workflows/backup.yml` or `./.github/workflows/backup.yml`: what `workflow_id` accepts. */
export function workflowFileName(workflow: string): string {
  const trimmed = workflow.trim();
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

function permissionRemedy(op: Operation, where: RepoRef): string {
  const level = op === 'read' ? 'read' : 'write';
  return (
    `Give the job \`permissions: actions: ${level}\`${op === 'read' ? '' : ' (reading the state needs only read; enabling and dispatching need write)'}, ` +
    `or pass a token with "Actions: ${level === 'read' ? 'Read-only' : 'Read and write'}" on ${where.owner}/${where.repo} (a fine-grained token) or \`actions: ${level}\` (a GitHub App).`
  );
}

function toWorkflowError(err: unknown, op: Operation, what: string, where: RepoRef, workflow: string): WorkflowApiError {
  const status = httpStatus(err);
  const message = `${what}: ${gitHubMessage(err)}${status === undefined ? '' : ` (HTTP ${status})`}`;
  if (status === 401) {
    return new WorkflowApiError({
      reason: 'bad_credentials',
      operation: op,
      status,
      message,
      remedy: 'The token is not valid (expired or revoked): pass a current one.',
    });
  }
  if (status === 403 && !isTransientGitHubError(err)) {
    return new WorkflowApiError({ reason: 'permission_denied', operation: op, status, message, remedy: permissionRemedy(op, where) });
  }
  if (status === 404) {
    return new WorkflowApiError({
      reason: 'not_found',
      operation: op,
      status,
      message,
      remedy: `Check the workflow's file name (${workflow}: the file under .github/workflows/ on the default branch) and the repository ${where.owner}/${where.repo}; a token that may not see the repository gets 404 too.`,
    });
  }
  if (isTransientGitHubError(err)) {
    return new WorkflowApiError({
      reason: 'unavailable',
      operation: op,
      status,
      message,
      remedy: 'GitHub is not answering: the next run of the watchdog tries again.',
    });
  }
  return new WorkflowApiError({
    reason: 'rejected',
    operation: op,
    status,
    message,
    remedy:
      op === 'dispatch'
        ? `GitHub refused the dispatch: give ${workflow} an \`on: workflow_dispatch\` trigger, or let its schedule start the next run.`
        : 'The message above says what GitHub refused.',
  });
}

export interface WorkflowCallOptions {
  retry?: GitHubRetryPolicy;
}

async function call<T>(fn: () => Promise<T>, op: Operation, what: string, where: RepoRef, workflow: string, opts: WorkflowCallOptions): Promise<T> {
  try {
    return await withGitHubRetry(fn, opts.retry ?? DEFAULT_GITHUB_RETRY);
  } catch (err) {
    throw toWorkflowError(err, op, what, where, workflow);
  }
}

function isState(v: unknown): v is WorkflowState {
  return typeof v === 'string' && (WORKFLOW_STATES as readonly string[]).includes(v);
}

/** The workflow as GitHub reports it (`workflow`: a file name or a numeric id). */
export async function getWorkflow(octokit: Octokit, where: RepoRef, workflow: string, opts: WorkflowCallOptions = {}): Promise<WorkflowInfo> {
  const file = workflowFileName(workflow);
  const res = await call(
    () => octokit.rest.actions.getWorkflow({ owner: where.owner, repo: where.repo, workflow_id: file }),
    'read',
    `Reading workflow ${file} of ${where.owner}/${where.repo}`,
    where,
    file,
    opts,
  );
  const d = res.data;
  if (!isState(d.state)) {
    throw new WorkflowApiError({
      reason: 'rejected',
      operation: 'read',
      status: res.status,
      message: `Workflow ${file} of ${where.owner}/${where.repo} is in a state this version does not know: ${String(d.state)}`,
      remedy: 'Upgrade the action; meanwhile check the workflow under Actions.',
    });
  }
  return { id: d.id, name: d.name, path: d.path, state: d.state, htmlUrl: d.html_url };
}

/** Enables the workflow (204); GitHub treats enabling an active workflow as done. */
export async function enableWorkflow(octokit: Octokit, where: RepoRef, workflow: string, opts: WorkflowCallOptions = {}): Promise<void> {
  const file = workflowFileName(workflow);
  await call(
    () => octokit.rest.actions.enableWorkflow({ owner: where.owner, repo: where.repo, workflow_id: file }),
    'enable',
    `Enabling workflow ${file} of ${where.owner}/${where.repo}`,
    where,
    file,
    opts,
  );
}

/** The repository's default branch: where a dispatched run takes the workflow file from. */
export async function defaultBranch(octokit: Octokit, where: RepoRef, opts: WorkflowCallOptions = {}): Promise<string> {
  const res = await call(
    () => octokit.rest.repos.get({ owner: where.owner, repo: where.repo }),
    'read',
    `Reading repository ${where.owner}/${where.repo}`,
    where,
    '',
    opts,
  );
  return res.data.default_branch;
}

/** A workflow_dispatch event: one run of the workflow on `ref`. */
export async function dispatchWorkflow(
  octokit: Octokit,
  where: RepoRef,
  workflow: string,
  ref: string,
  inputs: Record<string, string> = {},
  opts: WorkflowCallOptions = {},
): Promise<void> {
  const file = workflowFileName(workflow);
  await call(
    () => octokit.rest.actions.createWorkflowDispatch({ owner: where.owner, repo: where.repo, workflow_id: file, ref, inputs }),
    'dispatch',
    `Starting workflow ${file} of ${where.owner}/${where.repo} on ${ref}`,
    where,
    file,
    opts,
  );
}
