// The Actions artifacts REST API (what `findBy` in @actions/artifact and listArtifactsForRepo use).
import { artifactsOfRun, deleteArtifact, isExpired, sweepExpired } from '../artifacts.ts';
import { RestError } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { type Artifact, findRepo, type Repo, type Run } from '../state.ts';
import { requirePermission } from './auth.ts';
import { paginate } from './pagination.ts';
import { restHeaders, restTime, sendRest, sendRestEmpty } from './respond.ts';

const DOC = 'https://docs.github.com/rest/actions/artifacts';
const DOCS = {
  listRepo: `${DOC}#list-artifacts-for-a-repository`,
  get: `${DOC}#get-an-artifact`,
  delete: `${DOC}#delete-an-artifact`,
  download: `${DOC}#download-an-artifact`,
  listRun: `${DOC}#list-workflow-run-artifacts`,
};

export function artifactJson(ctx: Ctx, a: Artifact): Record<string, unknown> {
  const repo = a.run.repo;
  const url = `${ctx.state.baseUrl}/repos/${repo.owner}/${repo.name}/actions/artifacts/${a.id}`;
  return {
    id: a.id,
    node_id: Buffer.from(`08:Artifact${a.id}`).toString('base64'),
    name: a.name,
    size_in_bytes: a.size,
    url,
    archive_download_url: `${url}/zip`,
    expired: isExpired(ctx.state, a),
    created_at: restTime(a.createdAt),
    updated_at: restTime(a.updatedAt),
    expires_at: restTime(a.expiresAt),
    digest: a.digest ?? null,
    workflow_run: { id: a.run.id, repository_id: repo.id, head_repository_id: repo.id, head_branch: a.run.headBranch, head_sha: a.run.headSha },
  };
}

function repoOf(ctx: Ctx, doc: string): Repo {
  const repo = findRepo(ctx.state, ctx.params.owner ?? '', ctx.params.repo ?? '');
  if (!repo) throw new RestError(404, 'Not Found', doc);
  return repo;
}

/** Finalized artifacts of a repository (expired ones stay listed, flagged), newest first. */
function repoArtifacts(ctx: Ctx, repo: Repo): Artifact[] {
  return [...ctx.state.artifacts.values()].filter((a) => a.finalized && a.run.repo === repo).sort((x, y) => y.id - x.id);
}

function artifactOf(ctx: Ctx, repo: Repo, doc: string): Artifact {
  const id = Number(ctx.params.artifact_id);
  const a = Number.isInteger(id) ? ctx.state.artifacts.get(id) : undefined;
  if (!a?.finalized || a.run.repo !== repo) throw new RestError(404, 'Not Found', doc);
  return a;
}

function sendList(ctx: Ctx, list: Artifact[]): void {
  const page = paginate(ctx, list);
  sendRest(ctx, 200, { total_count: list.length, artifacts: page.items.map((a) => artifactJson(ctx, a)) }, page.link ? { link: page.link } : {});
}

function byName(ctx: Ctx, list: Artifact[]): Artifact[] {
  const name = ctx.url.searchParams.get('name');
  return name === null || name === '' ? list : list.filter((a) => a.name === name);
}

export function registerArtifactRoutes(router: Router): void {
  router.add('GET', '/repos/:owner/:repo/actions/artifacts', async (ctx) => {
    await sweepExpired(ctx.state);
    requirePermission(ctx, 'actions', 'read', DOCS.listRepo);
    sendList(ctx, byName(ctx, repoArtifacts(ctx, repoOf(ctx, DOCS.listRepo))));
  });

  router.add('GET', '/repos/:owner/:repo/actions/artifacts/:artifact_id', async (ctx) => {
    await sweepExpired(ctx.state);
    requirePermission(ctx, 'actions', 'read', DOCS.get);
    sendRest(ctx, 200, artifactJson(ctx, artifactOf(ctx, repoOf(ctx, DOCS.get), DOCS.get)));
  });

  router.add('DELETE', '/repos/:owner/:repo/actions/artifacts/:artifact_id', async (ctx) => {
    await sweepExpired(ctx.state);
    const repo = repoOf(ctx, DOCS.delete);
    requirePermission(ctx, 'actions', 'write', DOCS.delete);
    await deleteArtifact(ctx.state, artifactOf(ctx, repo, DOCS.delete));
    sendRestEmpty(ctx, 204);
  });

  router.add('GET', '/repos/:owner/:repo/actions/artifacts/:artifact_id/:archive_format', async (ctx) => {
    await sweepExpired(ctx.state);
    const repo = repoOf(ctx, DOCS.download);
    requirePermission(ctx, 'actions', 'read', DOCS.download);
    if (ctx.params.archive_format !== 'zip') throw new RestError(404, 'Not Found', DOCS.download);
    const a = artifactOf(ctx, repo, DOCS.download);
    if (isExpired(ctx.state, a)) throw new RestError(410, 'Artifact has expired', DOCS.download);
    // The API never serves the bytes itself: it redirects to a short-lived signed blob URL.
    ctx.res.writeHead(302, { ...restHeaders(ctx), location: ctx.state.blobs.downloadUrl(a.blobName, a.fileName), 'content-length': '0' });
    ctx.res.end();
  });

  router.add('GET', '/repos/:owner/:repo/actions/runs/:run_id/artifacts', async (ctx) => {
    await sweepExpired(ctx.state);
    const repo = repoOf(ctx, DOCS.listRun);
    requirePermission(ctx, 'actions', 'read', DOCS.listRun);
    const run: Run | undefined = ctx.state.runs.get(Number(ctx.params.run_id));
    if (!run || run.repo !== repo) throw new RestError(404, 'Not Found', DOCS.listRun);
    sendList(ctx, byName(ctx, artifactsOfRun(ctx.state, run, { finalized: true }).reverse()));
  });
}
