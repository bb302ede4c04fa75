// The workflows of each repository as the Actions workflows API sees them: an id, a file under
// .github/workflows/, a state (GitHub disables scheduled workflows on its own: `disabled_inactivity`
// after 60 days without repository activity, `disabled_fork` in forks), and the dispatches received.
// Workflows are seeded through the control surface; there is no YAML behind them.
import { SetupError } from './operations.ts';
import { type GitHubState, type Repo, repoKey } from './state.ts';

export const WORKFLOW_STATES = ['active', 'deleted', 'disabled_fork', 'disabled_inactivity', 'disabled_manually'] as const;
export type WorkflowState = (typeof WORKFLOW_STATES)[number];

export interface WorkflowDispatch {
  seq: number;
  at: number;
  ref: string;
  inputs: Record<string, string>;
  /** The login of the token that dispatched it. */
  actor: string;
}

export interface StoredWorkflow {
  id: number;
  name: string;
  /** `.github/workflows/backup.yml` */
  path: string;
  state: WorkflowState;
  /** Whether the file has an `on: workflow_dispatch` trigger (a dispatch is refused otherwise). */
  dispatchable: boolean;
  createdAt: number;
  updatedAt: number;
  dispatches: WorkflowDispatch[];
}

export interface WorkflowsStore {
  repos: Map<string, StoredWorkflow[]>;
  next: { id: number; dispatch: number };
}

export function newWorkflowsStore(): WorkflowsStore {
  return { repos: new Map(), next: { id: 161335001, dispatch: 1 } };
}

export function repoWorkflows(state: GitHubState, repo: Repo): StoredWorkflow[] {
  const key = repoKey(repo.owner, repo.name);
  let list = state.workflows.repos.get(key);
  if (!list) {
    list = [];
    state.workflows.repos.set(key, list);
  }
  return list;
}

/** `backup.yml` of `.github/workflows/backup.yml`. */
export function fileNameOf(workflowPath: string): string {
  return workflowPath.slice(workflowPath.lastIndexOf('/') + 1);
}

/** By numeric id or by file name, as `workflow_id` in the REST paths is matched. */
export function findWorkflow(state: GitHubState, repo: Repo, idOrFile: string): StoredWorkflow | undefined {
  const list = repoWorkflows(state, repo);
  if (/^\d+$/.test(idOrFile)) return list.find((w) => w.id === Number(idOrFile));
  return list.find((w) => fileNameOf(w.path) === idOrFile);
}

export interface AddWorkflowOptions {
  /** A file name (`backup.yml`) or a path under `.github/workflows/`. */
  path: string;
  name?: string;
  state?: WorkflowState;
  dispatchable?: boolean;
}

export function checkWorkflowState(value: unknown): WorkflowState {
  if (typeof value !== 'string' || !(WORKFLOW_STATES as readonly string[]).includes(value)) {
    throw new SetupError(400, `state must be one of ${WORKFLOW_STATES.join(', ')}`);
  }
  return value as WorkflowState;
}

export function addWorkflow(state: GitHubState, repo: Repo, opts: AddWorkflowOptions): StoredWorkflow {
  const file = fileNameOf(opts.path);
  if (!/^[A-Za-z0-9._-]+\.ya?ml$/.test(file)) throw new SetupError(400, `path must name a .yml or .yaml file: ${opts.path}`);
  const workflowPath = `.github/workflows/${file}`;
  const list = repoWorkflows(state, repo);
  if (list.some((w) => w.path === workflowPath)) throw new SetupError(409, `${repo.owner}/${repo.name} already has ${workflowPath}`);
  const now = state.clock.now();
  const workflow: StoredWorkflow = {
    id: state.workflows.next.id++,
    name: opts.name ?? workflowPath,
    path: workflowPath,
    state: opts.state === undefined ? 'active' : checkWorkflowState(opts.state),
    dispatchable: opts.dispatchable ?? true,
    createdAt: now,
    updatedAt: now,
    dispatches: [],
  };
  list.push(workflow);
  return workflow;
}

export function setWorkflowState(state: GitHubState, workflow: StoredWorkflow, next: WorkflowState): void {
  if (workflow.state === next) return;
  workflow.state = next;
  workflow.updatedAt = state.clock.now();
}
