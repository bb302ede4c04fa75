// The /__gh test-control surface: state, request log, clock, repositories, runs, tokens,
// ready-made artifacts and fault injection. Loopback only, no auth, never logged.
import type { FaultInput } from '../../salesforce/control/faults.ts';
import { listBranches } from '../git/repos.ts';
import { sendEmpty, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { createRepo, createRun, createToken, runEnv, runtimeToken, SetupError, seedArtifact } from '../operations.ts';
import { artifactJson } from '../rest/artifacts.ts';
import { findRepo, type GitHubState, type Repo, type Run, type TokenKind } from '../state.ts';
import { controlBody } from './body.ts';

const DAY_MS = 24 * 3600 * 1000;

function optString(b: Record<string, unknown>, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new SetupError(400, `${key} must be a string`);
  return v;
}

function optNumber(b: Record<string, unknown>, key: string): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SetupError(400, `${key} must be a number`);
  return v;
}

function repoParam(ctx: Ctx, owner?: string, name?: string): Repo {
  const o = owner ?? ctx.params.owner ?? '';
  const n = name ?? ctx.params.repo ?? '';
  const repo = findRepo(ctx.state, o, n);
  if (!repo) throw new SetupError(404, `no repository ${o}/${n}`);
  return repo;
}

export function gitUrlOf(state: GitHubState, repo: Repo): string {
  return `${state.baseUrl}/${repo.owner}/${repo.name}.git`;
}

export async function repoInfo(state: GitHubState, repo: Repo): Promise<Record<string, unknown>> {
  return {
    id: repo.id,
    owner: repo.owner,
    name: repo.name,
    defaultBranch: repo.defaultBranch,
    gitDir: repo.gitDir,
    gitUrl: gitUrlOf(state, repo),
    branches: await listBranches(repo.gitDir),
  };
}

export function runInfo(state: GitHubState, run: Run, token: string): Record<string, unknown> {
  return {
    runId: run.id,
    runBackendId: run.backendId,
    jobBackendId: run.jobBackendId,
    owner: run.repo.owner,
    repo: run.repo.name,
    headBranch: run.headBranch,
    headSha: run.headSha,
    runtimeToken: runtimeToken(state, run),
    env: runEnv(state, run, { token }),
  };
}

export function registerControlRoutes(router: Router, defaults: { token: () => string; repo: () => Repo }): void {
  router.add('GET', '/__gh/state', (ctx) => {
    const s = ctx.state;
    sendJson(ctx.res, 200, {
      now: new Date(s.clock.now()).toISOString(),
      repos: [...s.repos.values()].map((r) => ({ id: r.id, owner: r.owner, name: r.name, gitUrl: gitUrlOf(s, r) })),
      runs: [...s.runs.values()].map((r) => ({ runId: r.id, runBackendId: r.backendId, owner: r.repo.owner, repo: r.repo.name })),
      artifacts: [...s.artifacts.values()].map((a) => ({
        id: a.id,
        name: a.name,
        runId: a.run.id,
        finalized: a.finalized,
        size: a.size,
        digest: a.digest ?? null,
        blobName: a.blobName,
        expiresAt: new Date(a.expiresAt).toISOString(),
      })),
      tokens: [...s.tokens.values()].map((t) => ({ login: t.login, kind: t.kind, permissions: t.permissions })),
      faults: s.faults.list(),
      // Names only: values are read one at a time through the secrets routes.
      scopes: [...s.actions.scopes.values()].map((sc) => ({
        scope: sc.label,
        keyId: sc.keyPair.keyId,
        secrets: [...sc.secrets.keys()],
        variables: [...sc.variables.keys()],
      })),
    });
  });

  router.add('GET', '/__gh/requests', (ctx) => {
    const surface = ctx.url.searchParams.get('surface');
    const path = ctx.url.searchParams.get('path');
    const re = path ? new RegExp(path) : undefined;
    sendJson(
      ctx.res,
      200,
      ctx.state.requestLog.filter((e) => (!surface || e.surface === surface) && (!re || re.test(e.path))),
    );
  });
  router.add('DELETE', '/__gh/requests', (ctx) => {
    ctx.state.requestLog.length = 0;
    sendEmpty(ctx.res, 204);
  });

  router.add('GET', '/__gh/clock', (ctx) => sendJson(ctx.res, 200, { now: new Date(ctx.state.clock.now()).toISOString() }));
  router.add('POST', '/__gh/clock', async (ctx) => {
    const b = await controlBody(ctx);
    const set = b.set;
    if (typeof set === 'string' || typeof set === 'number') {
      const ms = typeof set === 'number' ? set : Date.parse(set);
      if (Number.isNaN(ms)) throw new SetupError(400, 'set must be an ISO date or epoch ms');
      ctx.state.clock.set(ms);
    }
    const ms = (optNumber(b, 'advanceMs') ?? 0) + (optNumber(b, 'advanceDays') ?? 0) * DAY_MS;
    if (ms < 0) throw new SetupError(400, 'the clock only moves forward');
    ctx.state.clock.advance(ms);
    sendJson(ctx.res, 200, { now: new Date(ctx.state.clock.now()).toISOString() });
  });

  router.add('POST', '/__gh/repos', async (ctx) => {
    const b = await controlBody(ctx);
    const files = b.files;
    if (files !== undefined && (typeof files !== 'object' || files === null || Object.values(files).some((v) => typeof v !== 'string'))) {
      throw new SetupError(400, 'files must map paths to strings');
    }
    const repo = await createRepo(ctx.state, {
      owner: optString(b, 'owner') ?? defaults.repo().owner,
      name: optString(b, 'name') ?? '',
      ...(optString(b, 'defaultBranch') ? { defaultBranch: optString(b, 'defaultBranch') } : {}),
      initialCommit: b.initialCommit === true,
      ...(files ? { files: files as Record<string, string> } : {}),
    });
    sendJson(ctx.res, 201, await repoInfo(ctx.state, repo));
  });
  router.add('GET', '/__gh/repos/:owner/:repo', async (ctx) => sendJson(ctx.res, 200, await repoInfo(ctx.state, repoParam(ctx))));

  router.add('POST', '/__gh/runs', async (ctx) => {
    const b = await controlBody(ctx);
    const owner = optString(b, 'owner');
    const repo = owner ? repoParam(ctx, owner, optString(b, 'repo')) : defaults.repo();
    const run = await createRun(ctx.state, {
      repo,
      ...(optString(b, 'headBranch') ? { headBranch: optString(b, 'headBranch') } : {}),
      ...(optString(b, 'workflow') ? { workflow: optString(b, 'workflow') } : {}),
      ...(optString(b, 'job') ? { job: optString(b, 'job') } : {}),
    });
    sendJson(ctx.res, 201, runInfo(ctx.state, run, defaults.token()));
  });

  router.add('POST', '/__gh/tokens', async (ctx) => {
    const b = await controlBody(ctx);
    const perms = b.permissions;
    const info = createToken(ctx.state, {
      ...(optString(b, 'token') ? { token: optString(b, 'token') } : {}),
      ...(optString(b, 'login') ? { login: optString(b, 'login') } : {}),
      ...(optString(b, 'kind') ? { kind: optString(b, 'kind') as TokenKind } : {}),
      ...(perms && typeof perms === 'object' ? { permissions: perms as Record<string, 'none' | 'read' | 'write'> } : {}),
    });
    sendJson(ctx.res, 201, info);
  });
  router.add('DELETE', '/__gh/tokens/:token', (ctx) => {
    ctx.state.tokens.delete(ctx.params.token ?? '');
    sendEmpty(ctx.res, 204);
  });

  router.add('POST', '/__gh/artifacts', async (ctx) => {
    const b = await controlBody(ctx);
    const runId = optNumber(b, 'runId');
    const run = runId === undefined ? ctx.state.runs.values().next().value : ctx.state.runs.get(runId);
    if (!run) throw new SetupError(404, `no run ${runId}`);
    const files = b.files;
    if (files !== undefined && (typeof files !== 'object' || files === null || Object.values(files).some((v) => typeof v !== 'string'))) {
      throw new SetupError(400, 'files must map paths to strings');
    }
    const content = optString(b, 'contentBase64');
    const artifact = await seedArtifact(ctx.state, {
      run,
      name: optString(b, 'name') ?? '',
      ...(files ? { files: files as Record<string, string> } : {}),
      ...(content !== undefined ? { content: Buffer.from(content, 'base64') } : {}),
      ...(optString(b, 'mimeType') ? { mimeType: optString(b, 'mimeType') } : {}),
      ...(optNumber(b, 'retentionDays') !== undefined ? { retentionDays: optNumber(b, 'retentionDays') } : {}),
    });
    sendJson(ctx.res, 201, artifactJson(ctx, artifact));
  });

  router.add('GET', '/__gh/faults', (ctx) => sendJson(ctx.res, 200, ctx.state.faults.list()));
  router.add('POST', '/__gh/faults', async (ctx) => {
    const b = await controlBody(ctx);
    if (typeof b.path !== 'string') throw new SetupError(400, 'path (a regular expression) is required');
    try {
      sendJson(ctx.res, 201, ctx.state.faults.add(b as unknown as FaultInput));
    } catch (err) {
      throw new SetupError(400, (err as Error).message);
    }
  });
  router.add('DELETE', '/__gh/faults', (ctx) => {
    ctx.state.faults.clear();
    sendEmpty(ctx.res, 204);
  });
}
