// The Actions workflows API (github-api.md): list, get (by id or file name), enable, disable and
// workflow_dispatch. `actions: read` to read, `actions: write` to change or dispatch, as on GitHub.
import { listBranches } from '../git/repos.ts';
import { RestError } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { findRepo, type Repo } from '../state.ts';
import { findWorkflow, repoWorkflows, type StoredWorkflow, setWorkflowState } from '../workflows-store.ts';
import { requirePermission } from './auth.ts';
import { invalid, readRestJson, requiredString } from './body.ts';
import { paginate } from './pagination.ts';
import { restTime, sendRest, sendRestEmpty } from './respond.ts';

const DOC = 'https://docs.github.com/rest/actions/workflows';
const DOCS = {
  list: `${DOC}#list-repository-workflows`,
  get: `${DOC}#get-a-workflow`,
  enable: `${DOC}#enable-a-workflow`,
  disable: `${DOC}#disable-a-workflow`,
  dispatch: `${DOC}#create-a-workflow-dispatch-event`,
};
const PREFIX = '/repos/:owner/:repo/actions/workflows';

function repoOf(ctx: Ctx, doc: string): Repo {
  const repo = findRepo(ctx.state, ctx.params.owner ?? '', ctx.params.repo ?? '');
  if (!repo) throw new RestError(404, 'Not Found', doc);
  return repo;
}

function workflowOf(ctx: Ctx, repo: Repo, doc: string): StoredWorkflow {
  const w = findWorkflow(ctx.state, repo, ctx.params.workflow_id ?? '');
  if (!w) throw new RestError(404, 'Not Found', doc);
  return w;
}

export function workflowJson(ctx: Ctx, repo: Repo, w: StoredWorkflow): Record<string, unknown> {
  const web = `https://github.com/${repo.owner}/${repo.name}`;
  return {
    id: w.id,
    node_id: Buffer.from(`08:Workflow${w.id}`).toString('base64'),
    name: w.name,
    path: w.path,
    state: w.state,
    created_at: restTime(w.createdAt),
    updated_at: restTime(w.updatedAt),
    url: `${ctx.state.baseUrl}/repos/${repo.owner}/${repo.name}/actions/workflows/${w.id}`,
    html_url: `${web}/blob/${repo.defaultBranch}/${w.path}`,
    badge_url: `${web}/workflows/${encodeURIComponent(w.name)}/badge.svg`,
  };
}

/** A branch name, `refs/heads/<branch>`, or a tag (`refs/tags/` is not served: no tags here). */
async function refExists(repo: Repo, ref: string): Promise<boolean> {
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
  return branch in (await listBranches(repo.gitDir));
}

export function registerWorkflowRoutes(router: Router): void {
  router.add('GET', PREFIX, (ctx) => {
    const repo = repoOf(ctx, DOCS.list);
    requirePermission(ctx, 'actions', 'read', DOCS.list);
    const all = repoWorkflows(ctx.state, repo);
    const page = paginate(ctx, all, 100);
    sendRest(ctx, 200, { total_count: all.length, workflows: page.items.map((w) => workflowJson(ctx, repo, w)) }, page.link ? { link: page.link } : {});
  });

  router.add('GET', `${PREFIX}/:workflow_id`, (ctx) => {
    const repo = repoOf(ctx, DOCS.get);
    requirePermission(ctx, 'actions', 'read', DOCS.get);
    sendRest(ctx, 200, workflowJson(ctx, repo, workflowOf(ctx, repo, DOCS.get)));
  });

  for (const [verb, next, doc] of [
    ['enable', 'active', DOCS.enable],
    ['disable', 'disabled_manually', DOCS.disable],
  ] as const) {
    router.add('PUT', `${PREFIX}/:workflow_id/${verb}`, (ctx) => {
      const repo = repoOf(ctx, doc);
      requirePermission(ctx, 'actions', 'write', doc);
      const w = workflowOf(ctx, repo, doc);
      if (w.state === 'deleted') throw new RestError(422, `Unable to ${verb} a deleted workflow`, doc);
      setWorkflowState(ctx.state, w, next);
      sendRestEmpty(ctx, 204);
    });
  }

  router.add('POST', `${PREFIX}/:workflow_id/dispatches`, async (ctx) => {
    const repo = repoOf(ctx, DOCS.dispatch);
    requirePermission(ctx, 'actions', 'write', DOCS.dispatch);
    const w = workflowOf(ctx, repo, DOCS.dispatch);
    const b = await readRestJson(ctx, DOCS.dispatch);
    const ref = requiredString(b, 'ref', DOCS.dispatch);
    const inputs = b.inputs ?? {};
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))
      throw invalid(`For 'inputs', ${JSON.stringify(inputs)} is not an object.`, DOCS.dispatch);
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(inputs)) {
      if (typeof v === 'object' && v !== null) throw invalid(`For 'inputs/${k}', ${JSON.stringify(v)} is not a string, number or boolean.`, DOCS.dispatch);
      values[k] = String(v);
    }
    if (w.state !== 'active') throw new RestError(422, "Cannot trigger a 'workflow_dispatch' on a disabled workflow", DOCS.dispatch);
    if (!w.dispatchable) throw new RestError(422, "Workflow does not have 'workflow_dispatch' trigger", DOCS.dispatch);
    if (!(await refExists(repo, ref))) throw new RestError(422, `No ref found for: ${ref}`, DOCS.dispatch);
    w.dispatches.push({ seq: ctx.state.workflows.next.dispatch++, at: ctx.state.clock.now(), ref, inputs: values, actor: ctx.auth?.login ?? '' });
    sendRestEmpty(ctx, 204);
  });
}
