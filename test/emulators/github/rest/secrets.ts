// Actions secrets for repository, environment and organization scope (github-api.md §2). The value of
// a PUT is opened with the scope's private key and kept in plaintext for the control surface.
import {
  type ActionsScope,
  findScope,
  LIMITS,
  nameProblem,
  type OrgVisibility,
  openSealedBox,
  publicKeyBase64,
  recordSecretWrite,
  type ScopeKind,
  type ScopeRef,
  SECRET_PERMISSION,
  type StoredSecret,
  storeSecret,
  takeSecretFailure,
} from '../actions-store.ts';
import { RestError } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { findRepo } from '../state.ts';
import { requirePermission } from './auth.ts';
import { invalid, optionalString, readRestJson } from './body.ts';
import { paginate } from './pagination.ts';
import { restTime, sendRest, sendRestEmpty } from './respond.ts';

const DOC = 'https://docs.github.com/rest/actions/secrets';

const DOCS: Record<ScopeKind, Record<'key' | 'list' | 'get' | 'put' | 'delete', string>> = {
  repository: {
    key: `${DOC}#get-a-repository-public-key`,
    list: `${DOC}#list-repository-secrets`,
    get: `${DOC}#get-a-repository-secret`,
    put: `${DOC}#create-or-update-a-repository-secret`,
    delete: `${DOC}#delete-a-repository-secret`,
  },
  environment: {
    key: `${DOC}#get-an-environment-public-key`,
    list: `${DOC}#list-environment-secrets`,
    get: `${DOC}#get-an-environment-secret`,
    put: `${DOC}#create-or-update-an-environment-secret`,
    delete: `${DOC}#delete-an-environment-secret`,
  },
  organization: {
    key: `${DOC}#get-an-organization-public-key`,
    list: `${DOC}#list-organization-secrets`,
    get: `${DOC}#get-an-organization-secret`,
    put: `${DOC}#create-or-update-an-organization-secret`,
    delete: `${DOC}#delete-an-organization-secret`,
  },
};

const PREFIX: Record<ScopeKind, string> = {
  repository: '/repos/:owner/:repo/actions/secrets',
  environment: '/repos/:owner/:repo/environments/:environment_name/secrets',
  organization: '/orgs/:org/actions/secrets',
};

export function scopeRefOf(ctx: Ctx, kind: ScopeKind): ScopeRef {
  const p = ctx.params;
  if (kind === 'organization') return { scope: 'organization', org: p.org ?? '' };
  if (kind === 'environment') return { scope: 'environment', owner: p.owner ?? '', repo: p.repo ?? '', environment: p.environment_name ?? '' };
  return { scope: 'repository', owner: p.owner ?? '', repo: p.repo ?? '' };
}

/** The scope of the request's path; 404 `Not Found` when its repository, environment or org is unknown. */
export function scopeOf(ctx: Ctx, kind: ScopeKind, doc: string): ActionsScope {
  const scope = findScope(ctx.state, scopeRefOf(ctx, kind));
  if (!scope) throw new RestError(404, 'Not Found', doc);
  return scope;
}

function secretJson(ctx: Ctx, scope: ActionsScope, s: StoredSecret): Record<string, unknown> {
  const out: Record<string, unknown> = { name: s.name, created_at: restTime(s.createdAt), updated_at: restTime(s.updatedAt) };
  if (scope.ref.scope === 'organization') {
    out.visibility = s.visibility ?? 'private';
    if (s.visibility === 'selected') {
      out.selected_repositories_url = `${ctx.state.baseUrl}/orgs/${scope.ref.org}/actions/secrets/${s.name}/repositories`;
    }
  }
  return out;
}

function sortedSecrets(scope: ActionsScope): StoredSecret[] {
  return [...scope.secrets.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function visibilityOf(b: Record<string, unknown>, doc: string): { visibility?: OrgVisibility; selectedRepositoryIds?: number[] } {
  const visibility = optionalString(b, 'visibility', doc);
  if (visibility !== undefined && !['all', 'private', 'selected'].includes(visibility)) {
    throw invalid(`For 'visibility', "${visibility}" is not one of ["all", "private", "selected"].`, doc);
  }
  const ids = b.selected_repository_ids;
  if (ids !== undefined && (!Array.isArray(ids) || ids.some((x) => !Number.isInteger(x)))) {
    throw invalid(`For 'selected_repository_ids', ${JSON.stringify(ids)} is not an array of integers.`, doc);
  }
  return {
    ...(visibility ? { visibility: visibility as OrgVisibility } : {}),
    ...(ids ? { selectedRepositoryIds: ids as number[] } : {}),
  };
}

async function putSecret(ctx: Ctx, kind: ScopeKind): Promise<void> {
  const doc = DOCS[kind].put;
  const scope = scopeOf(ctx, kind, doc);
  requirePermission(ctx, SECRET_PERMISSION[kind], 'write', doc);
  const name = ctx.params.secret_name ?? '';
  const b = await readRestJson(ctx, doc);
  const keyId = typeof b.key_id === 'string' ? b.key_id : null;
  const encryptedValue = typeof b.encrypted_value === 'string' ? b.encrypted_value : null;
  const refuse = (err: RestError, outcome: string): never => {
    recordSecretWrite(ctx.state, { scope: scope.label, name: name.toUpperCase(), keyId, encryptedValue, status: err.status, outcome });
    throw err;
  };

  const problem = nameProblem('Secret', name);
  if (problem) refuse(new RestError(422, problem, doc), 'invalid name');
  const failure = takeSecretFailure(ctx.state, scope, name);
  if (failure) {
    const message =
      failure.message ?? (failure.status >= 500 ? 'Server Error' : failure.status === 403 ? 'Resource not accessible by integration' : 'Injected failure');
    refuse(new RestError(failure.status, message, doc), `injected failure ${failure.id}`);
  }
  // Both are required by the current API; the texts are GitHub's schema-validation ones.
  if (b.encrypted_value === undefined) refuse(invalid(`"encrypted_value" wasn't supplied.`, doc), 'no encrypted_value');
  if (b.key_id === undefined) refuse(invalid(`"key_id" wasn't supplied.`, doc), 'no key_id');
  if (encryptedValue === null) refuse(invalid(`For 'encrypted_value', ${JSON.stringify(b.encrypted_value)} is not a string.`, doc), 'bad encrypted_value');
  if (keyId === null) refuse(invalid(`For 'key_id', ${JSON.stringify(b.key_id)} is not a string.`, doc), 'bad key_id');
  let vis: ReturnType<typeof visibilityOf> = {};
  if (kind === 'organization') {
    try {
      vis = visibilityOf(b, doc);
    } catch (err) {
      refuse(err as RestError, 'bad visibility');
    }
    if (!vis.visibility && !scope.secrets.has(name.toUpperCase())) refuse(invalid(`"visibility" wasn't supplied.`, doc), 'no visibility');
  }
  if (keyId !== scope.keyPair.keyId) {
    const stale = scope.retiredKeyIds.includes(keyId as string);
    refuse(
      new RestError(
        422,
        `Invalid request.\n\n"key_id" ${stale ? 'is no longer valid: the public key was rotated' : 'does not match the public key'}. Fetch the public key again.`,
        doc,
      ),
      stale ? 'stale key_id' : 'unknown key_id',
    );
  }
  const value = openSealedBox(scope, encryptedValue as string);
  if (value === undefined) {
    refuse(
      invalid(`"encrypted_value" could not be decrypted with the key for key_id ${keyId}: it must be a base64 libsodium sealed box.`, doc),
      'undecryptable',
    );
  }
  if (Buffer.byteLength(value as string) > LIMITS.valueBytes) refuse(new RestError(422, 'Secret value is too large (the limit is 48 KB).', doc), 'too large');
  if (!scope.secrets.has(name.toUpperCase()) && scope.secrets.size >= LIMITS.secrets[kind]) {
    refuse(new RestError(422, `Secret limit exceeded: a ${kind} may have at most ${LIMITS.secrets[kind]} secrets.`, doc), 'limit');
  }
  const outcome = storeSecret(ctx.state, scope, name, { value: value as string, encryptedValue: encryptedValue as string, keyId: keyId as string, ...vis });
  recordSecretWrite(ctx.state, { scope: scope.label, name: name.toUpperCase(), keyId, encryptedValue, status: outcome === 'created' ? 201 : 204, outcome });
  if (outcome === 'created') sendRest(ctx, 201, {});
  else sendRestEmpty(ctx, 204);
}

function registerScope(router: Router, kind: ScopeKind): void {
  const prefix = PREFIX[kind];
  const docs = DOCS[kind];
  const perm = SECRET_PERMISSION[kind];

  // Any token that can see the repository (or org) may read the public key (github-api.md §2.2).
  router.add('GET', `${prefix}/public-key`, (ctx) => {
    const scope = scopeOf(ctx, kind, docs.key);
    sendRest(ctx, 200, { key_id: scope.keyPair.keyId, key: publicKeyBase64(scope) });
  });

  router.add('GET', prefix, (ctx) => {
    const scope = scopeOf(ctx, kind, docs.list);
    requirePermission(ctx, perm, 'read', docs.list);
    const all = sortedSecrets(scope);
    const page = paginate(ctx, all);
    sendRest(ctx, 200, { total_count: all.length, secrets: page.items.map((s) => secretJson(ctx, scope, s)) }, page.link ? { link: page.link } : {});
  });

  router.add('GET', `${prefix}/:secret_name`, (ctx) => {
    const scope = scopeOf(ctx, kind, docs.get);
    requirePermission(ctx, perm, 'read', docs.get);
    const s = scope.secrets.get((ctx.params.secret_name ?? '').toUpperCase());
    if (!s) throw new RestError(404, 'Not Found', docs.get);
    sendRest(ctx, 200, secretJson(ctx, scope, s));
  });

  router.add('PUT', `${prefix}/:secret_name`, (ctx) => putSecret(ctx, kind));

  router.add('DELETE', `${prefix}/:secret_name`, (ctx) => {
    const scope = scopeOf(ctx, kind, docs.delete);
    requirePermission(ctx, perm, 'write', docs.delete);
    if (!scope.secrets.delete((ctx.params.secret_name ?? '').toUpperCase())) throw new RestError(404, 'Not Found', docs.delete);
    sendRestEmpty(ctx, 204);
  });
}

export function registerSecretRoutes(router: Router): void {
  for (const kind of ['repository', 'environment', 'organization'] as const) registerScope(router, kind);

  // Organization secrets a repository can use: `all`, `private` (every emulated repo is private), or selected.
  const visibleDoc = `${DOC}#list-repository-organization-secrets`;
  router.add('GET', '/repos/:owner/:repo/actions/organization-secrets', (ctx) => {
    const repoScope = scopeOf(ctx, 'repository', visibleDoc);
    requirePermission(ctx, 'secrets', 'read', visibleDoc);
    const ref = repoScope.ref as Extract<ScopeRef, { scope: 'repository' }>;
    const org = findScope(ctx.state, { scope: 'organization', org: ref.owner });
    const repoId = findRepo(ctx.state, ref.owner, ref.repo)?.id;
    const all = org ? sortedSecrets(org).filter((s) => s.visibility !== 'selected' || (repoId !== undefined && s.selectedRepositoryIds?.includes(repoId))) : [];
    const page = paginate(ctx, all);
    sendRest(
      ctx,
      200,
      { total_count: all.length, secrets: page.items.map((s) => secretJson(ctx, org as ActionsScope, s)) },
      page.link ? { link: page.link } : {},
    );
  });
}
