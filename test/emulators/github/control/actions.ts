// Control routes for secrets, variables, environments and issues: what tests read back (decrypted
// secret values, exactly what a writer sent), seed, rotate and break. Same paths as the REST API,
// under /__gh.
import {
  type ActionsScope,
  addSecretFailure,
  createEnvironment,
  type OrgVisibility,
  rotateKey,
  type ScopeKind,
  type ScopeRef,
  type SecretWriteFailureInput,
  type StoredSecret,
  type StoredVariable,
  scopeOrThrow,
  sealFor,
  storeSecret,
} from '../actions-store.ts';
import { sendEmpty, sendJson } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { type Issue, repoIssues } from '../issues-store.ts';
import { SetupError } from '../operations.ts';
import { findRepo, type GitHubState, type Repo } from '../state.ts';
import { controlBody } from './body.ts';

export interface SecretView {
  /** `repository o/r`, `environment e of o/r`, `organization o`. */
  scope: string;
  name: string;
  /** The decrypted value. */
  value: string;
  /** The sealed box and key id exactly as the last writer sent them. */
  encryptedValue: string;
  keyId: string;
  createdAt: string;
  updatedAt: string;
  visibility?: OrgVisibility;
  selectedRepositoryIds?: number[];
}

export interface VariableView {
  scope: string;
  name: string;
  value: string;
  createdAt: string;
  updatedAt: string;
  visibility?: OrgVisibility;
  selectedRepositoryIds?: number[];
}

export interface KeyPairView {
  keyId: string;
  /** Standard base64 of the 32-byte X25519 keys. */
  publicKey: string;
  privateKey: string;
  retiredKeyIds: string[];
}

export interface IssueView {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  user: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  comments: { id: number; body: string; user: string; createdAt: string; updatedAt: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

export function secretView(scope: ActionsScope, s: StoredSecret): SecretView {
  return {
    scope: scope.label,
    name: s.name,
    value: s.value,
    encryptedValue: s.encryptedValue,
    keyId: s.keyId,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    ...(s.visibility ? { visibility: s.visibility } : {}),
    ...(s.selectedRepositoryIds ? { selectedRepositoryIds: s.selectedRepositoryIds } : {}),
  };
}

export function variableView(scope: ActionsScope, v: StoredVariable): VariableView {
  return {
    scope: scope.label,
    name: v.name,
    value: v.value,
    createdAt: iso(v.createdAt),
    updatedAt: iso(v.updatedAt),
    ...(v.visibility ? { visibility: v.visibility } : {}),
    ...(v.selectedRepositoryIds ? { selectedRepositoryIds: v.selectedRepositoryIds } : {}),
  };
}

export function keyPairView(scope: ActionsScope): KeyPairView {
  const kp = scope.keyPair;
  return {
    keyId: kp.keyId,
    publicKey: Buffer.from(kp.publicKey).toString('base64'),
    privateKey: Buffer.from(kp.privateKey).toString('base64'),
    retiredKeyIds: [...scope.retiredKeyIds],
  };
}

export function issueView(state: GitHubState, repo: Repo, i: Issue): IssueView {
  const labels = repoIssues(state, repo).labels;
  return {
    number: i.number,
    title: i.title,
    body: i.body,
    state: i.state,
    stateReason: i.stateReason,
    labels: i.labels.map((id) => labels.find((l) => l.id === id)?.name ?? String(id)),
    assignees: [...i.assignees],
    user: i.user,
    createdAt: iso(i.createdAt),
    updatedAt: iso(i.updatedAt),
    closedAt: i.closedAt === null ? null : iso(i.closedAt),
    comments: i.comments.map((c) => ({ id: c.id, body: c.body, user: c.user, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) })),
  };
}

/** Seeds a secret as if a writer had sealed it with the scope's current key. */
export function seedSecret(
  state: GitHubState,
  scope: ActionsScope,
  name: string,
  value: string,
  opts: { visibility?: OrgVisibility; selectedRepositoryIds?: number[] } = {},
): SecretView {
  if (scope.ref.scope === 'organization' && !opts.visibility && !scope.secrets.has(name.toUpperCase())) opts = { ...opts, visibility: 'private' };
  storeSecret(state, scope, name, { value, encryptedValue: sealFor(scope, value), keyId: scope.keyPair.keyId, ...opts });
  return secretView(scope, scope.secrets.get(name.toUpperCase()) as StoredSecret);
}

export function seedVariable(state: GitHubState, scope: ActionsScope, name: string, value: string): VariableView {
  const upper = name.toUpperCase();
  const now = state.clock.now();
  const prev = scope.variables.get(upper);
  const v: StoredVariable = { ...prev, name: upper, value, createdAt: prev?.createdAt ?? now, updatedAt: now };
  if (scope.ref.scope === 'organization' && !v.visibility) v.visibility = 'private';
  scope.variables.set(upper, v);
  return variableView(scope, v);
}

function scopeFromParams(ctx: Ctx, kind: ScopeKind): ActionsScope {
  const p = ctx.params;
  const ref: ScopeRef =
    kind === 'organization'
      ? { scope: 'organization', org: p.org ?? '' }
      : kind === 'environment'
        ? { scope: 'environment', owner: p.owner ?? '', repo: p.repo ?? '', environment: p.environment_name ?? '' }
        : { scope: 'repository', owner: p.owner ?? '', repo: p.repo ?? '' };
  return scopeOrThrow(ctx.state, ref);
}

function repoParam(ctx: Ctx): Repo {
  const repo = findRepo(ctx.state, ctx.params.owner ?? '', ctx.params.repo ?? '');
  if (!repo) throw new SetupError(404, `no repository ${ctx.params.owner}/${ctx.params.repo}`);
  return repo;
}

const SCOPES: [ScopeKind, string][] = [
  ['repository', '/__gh/repos/:owner/:repo/actions'],
  ['environment', '/__gh/repos/:owner/:repo/environments/:environment_name'],
  ['organization', '/__gh/orgs/:org/actions'],
];

export function registerActionsControlRoutes(router: Router): void {
  router.add('POST', '/__gh/repos/:owner/:repo/environments', async (ctx) => {
    const b = await controlBody(ctx);
    if (typeof b.name !== 'string') throw new SetupError(400, 'name is required');
    sendJson(ctx.res, 201, { name: createEnvironment(ctx.state, repoParam(ctx), b.name) });
  });

  for (const [kind, prefix] of SCOPES) {
    // `key-pair` and `rotate-key` cannot clash with secret names (no `-` allowed in those).
    router.add('GET', `${prefix}/secrets/key-pair`, (ctx) => sendJson(ctx.res, 200, keyPairView(scopeFromParams(ctx, kind))));
    router.add('POST', `${prefix}/secrets/rotate-key`, (ctx) => {
      const scope = scopeFromParams(ctx, kind);
      rotateKey(ctx.state, scope);
      sendJson(ctx.res, 200, keyPairView(scope));
    });
    router.add('GET', `${prefix}/secrets`, (ctx) => {
      const scope = scopeFromParams(ctx, kind);
      sendJson(
        ctx.res,
        200,
        [...scope.secrets.values()].map((s) => secretView(scope, s)),
      );
    });
    router.add('GET', `${prefix}/secrets/:name`, (ctx) => {
      const scope = scopeFromParams(ctx, kind);
      const s = scope.secrets.get((ctx.params.name ?? '').toUpperCase());
      if (!s) throw new SetupError(404, `no secret ${ctx.params.name} in ${scope.label}`);
      sendJson(ctx.res, 200, secretView(scope, s));
    });
    router.add('PUT', `${prefix}/secrets/:name`, async (ctx) => {
      const scope = scopeFromParams(ctx, kind);
      const b = await controlBody(ctx);
      if (typeof b.value !== 'string') throw new SetupError(400, 'value (a string) is required');
      const visibility = b.visibility as OrgVisibility | undefined;
      const ids = b.selectedRepositoryIds as number[] | undefined;
      sendJson(
        ctx.res,
        201,
        seedSecret(ctx.state, scope, ctx.params.name ?? '', b.value, {
          ...(visibility ? { visibility } : {}),
          ...(ids ? { selectedRepositoryIds: ids } : {}),
        }),
      );
    });
    router.add('GET', `${prefix}/variables`, (ctx) => {
      const scope = scopeFromParams(ctx, kind);
      sendJson(
        ctx.res,
        200,
        [...scope.variables.values()].map((v) => variableView(scope, v)),
      );
    });
    router.add('GET', `${prefix}/variables/:name`, (ctx) => {
      const scope = scopeFromParams(ctx, kind);
      const v = scope.variables.get((ctx.params.name ?? '').toUpperCase());
      if (!v) throw new SetupError(404, `no variable ${ctx.params.name} in ${scope.label}`);
      sendJson(ctx.res, 200, variableView(scope, v));
    });
    router.add('PUT', `${prefix}/variables/:name`, async (ctx) => {
      const scope = scopeFromParams(ctx, kind);
      const b = await controlBody(ctx);
      if (typeof b.value !== 'string') throw new SetupError(400, 'value (a string) is required');
      sendJson(ctx.res, 201, seedVariable(ctx.state, scope, ctx.params.name ?? '', b.value));
    });
  }

  router.add('GET', '/__gh/secret-writes', (ctx) => sendJson(ctx.res, 200, ctx.state.actions.writes));
  router.add('DELETE', '/__gh/secret-writes', (ctx) => {
    ctx.state.actions.writes.length = 0;
    sendEmpty(ctx.res, 204);
  });
  router.add('GET', '/__gh/secret-failures', (ctx) => sendJson(ctx.res, 200, ctx.state.actions.failures));
  router.add('POST', '/__gh/secret-failures', async (ctx) => {
    const b = await controlBody(ctx);
    sendJson(ctx.res, 201, addSecretFailure(ctx.state, b as unknown as SecretWriteFailureInput));
  });
  router.add('DELETE', '/__gh/secret-failures', (ctx) => {
    ctx.state.actions.failures.length = 0;
    sendEmpty(ctx.res, 204);
  });

  router.add('GET', '/__gh/repos/:owner/:repo/issues', (ctx) => {
    const repo = repoParam(ctx);
    const want = ctx.url.searchParams.get('state');
    const list = repoIssues(ctx.state, repo).issues.filter((i) => !want || want === 'all' || i.state === want);
    sendJson(
      ctx.res,
      200,
      list.map((i) => issueView(ctx.state, repo, i)),
    );
  });
  router.add('GET', '/__gh/repos/:owner/:repo/issues/:number', (ctx) => {
    const repo = repoParam(ctx);
    const i = repoIssues(ctx.state, repo).issues.find((x) => x.number === Number(ctx.params.number));
    if (!i) throw new SetupError(404, `no issue #${ctx.params.number} in ${repo.owner}/${repo.name}`);
    sendJson(ctx.res, 200, issueView(ctx.state, repo, i));
  });
}
