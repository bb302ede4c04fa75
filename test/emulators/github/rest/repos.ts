import { RestError } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { findRepo, type Repo } from '../state.ts';
import { restTime, sendRest } from './respond.ts';

export function repoJson(ctx: Ctx, repo: Repo): Record<string, unknown> {
  const api = `${ctx.state.baseUrl}/repos/${repo.owner}/${repo.name}`;
  return {
    id: repo.id,
    node_id: Buffer.from(`010:Repository${repo.id}`).toString('base64'),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: true,
    owner: { login: repo.owner, type: 'Organization' },
    url: api,
    clone_url: `${ctx.state.baseUrl}/${repo.owner}/${repo.name}.git`,
    default_branch: repo.defaultBranch,
    visibility: 'private',
    created_at: restTime(repo.createdAt),
  };
}

export function registerRepoRoutes(router: Router): void {
  router.add('GET', '/repos/:owner/:repo', (ctx) => {
    const repo = findRepo(ctx.state, ctx.params.owner ?? '', ctx.params.repo ?? '');
    if (!repo) throw new RestError(404, 'Not Found', 'https://docs.github.com/rest/repos/repos#get-a-repository');
    sendRest(ctx, 200, repoJson(ctx, repo));
  });
}
