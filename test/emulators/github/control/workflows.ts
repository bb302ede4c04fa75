// Control routes for workflows: seed a repository's workflows in any state (GitHub's own
// `disabled_inactivity` included), change a state as GitHub or a person would, and read back the
// state and every dispatch received.
import { sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { SetupError } from '../operations.ts';
import { findRepo, type GitHubState, type Repo } from '../state.ts';
import {
  addWorkflow,
  checkWorkflowState,
  findWorkflow,
  repoWorkflows,
  type StoredWorkflow,
  setWorkflowState,
  type WorkflowDispatch,
  type WorkflowState,
} from '../workflows-store.ts';
import { controlBody } from './body.ts';

export interface WorkflowView {
  id: number;
  name: string;
  path: string;
  /** The file name, what `workflow_id` accepts besides the id. */
  file: string;
  state: WorkflowState;
  dispatchable: boolean;
  createdAt: string;
  updatedAt: string;
  /** Oldest first. */
  dispatches: Array<Omit<WorkflowDispatch, 'at'> & { at: string }>;
}

export function workflowView(w: StoredWorkflow): WorkflowView {
  return {
    id: w.id,
    name: w.name,
    path: w.path,
    file: w.path.slice(w.path.lastIndexOf('/') + 1),
    state: w.state,
    dispatchable: w.dispatchable,
    createdAt: new Date(w.createdAt).toISOString(),
    updatedAt: new Date(w.updatedAt).toISOString(),
    dispatches: w.dispatches.map((d) => ({ ...d, inputs: { ...d.inputs }, at: new Date(d.at).toISOString() })),
  };
}

function repoParam(ctx: Ctx): Repo {
  const repo = findRepo(ctx.state, ctx.params.owner ?? '', ctx.params.repo ?? '');
  if (!repo) throw new SetupError(404, `no repository ${ctx.params.owner}/${ctx.params.repo}`);
  return repo;
}

export function workflowOrThrow(state: GitHubState, repo: Repo, idOrFile: string): StoredWorkflow {
  const w = findWorkflow(state, repo, idOrFile);
  if (!w) throw new SetupError(404, `no workflow ${idOrFile} in ${repo.owner}/${repo.name}`);
  return w;
}

export function registerWorkflowControlRoutes(router: Router): void {
  const prefix = '/__gh/repos/:owner/:repo/workflows';
  router.add('GET', prefix, (ctx) => sendJson(ctx.res, 200, repoWorkflows(ctx.state, repoParam(ctx)).map(workflowView)));
  router.add('POST', prefix, async (ctx) => {
    const repo = repoParam(ctx);
    const b = await controlBody(ctx);
    if (typeof b.path !== 'string') throw new SetupError(400, 'path (backup.yml or .github/workflows/backup.yml) is required');
    if (b.name !== undefined && typeof b.name !== 'string') throw new SetupError(400, 'name must be a string');
    if (b.dispatchable !== undefined && typeof b.dispatchable !== 'boolean') throw new SetupError(400, 'dispatchable must be true or false');
    const w = addWorkflow(ctx.state, repo, {
      path: b.path,
      ...(typeof b.name === 'string' ? { name: b.name } : {}),
      ...(b.state !== undefined ? { state: checkWorkflowState(b.state) } : {}),
      ...(typeof b.dispatchable === 'boolean' ? { dispatchable: b.dispatchable } : {}),
    });
    sendJson(ctx.res, 201, workflowView(w));
  });
  router.add('GET', `${prefix}/:workflow_id`, (ctx) =>
    sendJson(ctx.res, 200, workflowView(workflowOrThrow(ctx.state, repoParam(ctx), ctx.params.workflow_id ?? ''))),
  );
  router.add('PATCH', `${prefix}/:workflow_id`, async (ctx) => {
    const w = workflowOrThrow(ctx.state, repoParam(ctx), ctx.params.workflow_id ?? '');
    const b = await controlBody(ctx);
    if (b.state !== undefined) setWorkflowState(ctx.state, w, checkWorkflowState(b.state));
    if (b.dispatchable !== undefined) {
      if (typeof b.dispatchable !== 'boolean') throw new SetupError(400, 'dispatchable must be true or false');
      w.dispatchable = b.dispatchable;
    }
    sendJson(ctx.res, 200, workflowView(w));
  });
}
