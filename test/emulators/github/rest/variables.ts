// Actions variables for repository, environment and organization scope (github-api.md §3): plain
// text, readable back, lists capped at 30 per page.
import { type ActionsScope, LIMITS, nameProblem, type OrgVisibility, type ScopeKind, type StoredVariable, VARIABLE_PERMISSION } from '../actions-store.ts';
import { RestError } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import { requirePermission } from './auth.ts';
import { invalid, optionalString, readRestJson, requiredString } from './body.ts';
import { paginate } from './pagination.ts';
import { restTime, sendRest, sendRestEmpty } from './respond.ts';
import { scopeOf } from './secrets.ts';

const DOC = 'https://docs.github.com/rest/actions/variables';
const DOCS: Record<ScopeKind, Record<'list' | 'create' | 'get' | 'update' | 'delete', string>> = {
  repository: {
    list: `${DOC}#list-repository-variables`,
    create: `${DOC}#create-a-repository-variable`,
    get: `${DOC}#get-a-repository-variable`,
    update: `${DOC}#update-a-repository-variable`,
    delete: `${DOC}#delete-a-repository-variable`,
  },
  environment: {
    list: `${DOC}#list-environment-variables`,
    create: `${DOC}#create-an-environment-variable`,
    get: `${DOC}#get-an-environment-variable`,
    update: `${DOC}#update-an-environment-variable`,
    delete: `${DOC}#delete-an-environment-variable`,
  },
  organization: {
    list: `${DOC}#list-organization-variables`,
    create: `${DOC}#create-an-organization-variable`,
    get: `${DOC}#get-an-organization-variable`,
    update: `${DOC}#update-an-organization-variable`,
    delete: `${DOC}#delete-an-organization-variable`,
  },
};

const PREFIX: Record<ScopeKind, string> = {
  repository: '/repos/:owner/:repo/actions/variables',
  environment: '/repos/:owner/:repo/environments/:environment_name/variables',
  organization: '/orgs/:org/actions/variables',
};

function variableJson(ctx: Ctx, scope: ActionsScope, v: StoredVariable): Record<string, unknown> {
  const out: Record<string, unknown> = { name: v.name, value: v.value, created_at: restTime(v.createdAt), updated_at: restTime(v.updatedAt) };
  if (scope.ref.scope === 'organization') {
    out.visibility = v.visibility ?? 'private';
    if (v.visibility === 'selected') out.selected_repositories_url = `${ctx.state.baseUrl}/orgs/${scope.ref.org}/actions/variables/${v.name}/repositories`;
  }
  return out;
}

function checkName(name: string, doc: string): void {
  const problem = nameProblem('Variable', name);
  if (problem) throw new RestError(422, problem, doc);
}

function checkValue(value: string, doc: string): void {
  if (Buffer.byteLength(value) > LIMITS.valueBytes) throw new RestError(422, 'Variable value is too large (the limit is 48 KB).', doc);
}

function orgFields(b: Record<string, unknown>, doc: string): { visibility?: OrgVisibility; selectedRepositoryIds?: number[] } {
  const visibility = optionalString(b, 'visibility', doc);
  if (visibility !== undefined && !['all', 'private', 'selected'].includes(visibility)) {
    throw invalid(`For 'visibility', "${visibility}" is not one of ["all", "private", "selected"].`, doc);
  }
  const ids = b.selected_repository_ids;
  if (ids !== undefined && (!Array.isArray(ids) || ids.some((x) => !Number.isInteger(x)))) {
    throw invalid(`For 'selected_repository_ids', ${JSON.stringify(ids)} is not an array of integers.`, doc);
  }
  return { ...(visibility ? { visibility: visibility as OrgVisibility } : {}), ...(ids ? { selectedRepositoryIds: ids as number[] } : {}) };
}

function registerScope(router: Router, kind: ScopeKind): void {
  const prefix = PREFIX[kind];
  const docs = DOCS[kind];
  const perm = VARIABLE_PERMISSION[kind];

  router.add('GET', prefix, (ctx) => {
    const scope = scopeOf(ctx, kind, docs.list);
    requirePermission(ctx, perm, 'read', docs.list);
    const all = [...scope.variables.values()].sort((a, b) => a.name.localeCompare(b.name));
    const page = paginate(ctx, all, 30);
    sendRest(ctx, 200, { total_count: all.length, variables: page.items.map((v) => variableJson(ctx, scope, v)) }, page.link ? { link: page.link } : {});
  });

  router.add('POST', prefix, async (ctx) => {
    const scope = scopeOf(ctx, kind, docs.create);
    requirePermission(ctx, perm, 'write', docs.create);
    const b = await readRestJson(ctx, docs.create);
    const name = requiredString(b, 'name', docs.create);
    const value = requiredString(b, 'value', docs.create);
    const org = kind === 'organization' ? orgFields(b, docs.create) : {};
    if (kind === 'organization' && !org.visibility) throw invalid(`"visibility" wasn't supplied.`, docs.create);
    checkName(name, docs.create);
    checkValue(value, docs.create);
    const upper = name.toUpperCase();
    if (scope.variables.has(upper)) throw new RestError(409, 'Already exists - Variable already exists', docs.create);
    if (scope.variables.size >= LIMITS.variables[kind])
      throw new RestError(422, `Variable limit exceeded: a ${kind} may have at most ${LIMITS.variables[kind]} variables.`, docs.create);
    const now = ctx.state.clock.now();
    const v: StoredVariable = { name: upper, value, createdAt: now, updatedAt: now };
    if (org.visibility) v.visibility = org.visibility;
    if (org.visibility === 'selected') v.selectedRepositoryIds = org.selectedRepositoryIds ?? [];
    scope.variables.set(upper, v);
    sendRest(ctx, 201, {});
  });

  router.add('GET', `${prefix}/:name`, (ctx) => {
    const scope = scopeOf(ctx, kind, docs.get);
    requirePermission(ctx, perm, 'read', docs.get);
    const v = scope.variables.get((ctx.params.name ?? '').toUpperCase());
    if (!v) throw new RestError(404, 'Not Found', docs.get);
    sendRest(ctx, 200, variableJson(ctx, scope, v));
  });

  router.add('PATCH', `${prefix}/:name`, async (ctx) => {
    const scope = scopeOf(ctx, kind, docs.update);
    requirePermission(ctx, perm, 'write', docs.update);
    const upper = (ctx.params.name ?? '').toUpperCase();
    const v = scope.variables.get(upper);
    if (!v) throw new RestError(404, 'Not Found', docs.update);
    const b = await readRestJson(ctx, docs.update);
    const rename = optionalString(b, 'name', docs.update);
    const value = optionalString(b, 'value', docs.update);
    const org = kind === 'organization' ? orgFields(b, docs.update) : {};
    if (rename !== undefined) checkName(rename, docs.update);
    if (value !== undefined) checkValue(value, docs.update);
    const newName = rename?.toUpperCase() ?? upper;
    if (newName !== upper && scope.variables.has(newName)) throw new RestError(409, 'Already exists - Variable already exists', docs.update);
    const updated: StoredVariable = { ...v, name: newName, value: value ?? v.value, updatedAt: ctx.state.clock.now() };
    if (org.visibility) updated.visibility = org.visibility;
    if (updated.visibility === 'selected') updated.selectedRepositoryIds = org.selectedRepositoryIds ?? v.selectedRepositoryIds ?? [];
    else delete updated.selectedRepositoryIds;
    scope.variables.delete(upper);
    scope.variables.set(newName, updated);
    sendRestEmpty(ctx, 204);
  });

  router.add('DELETE', `${prefix}/:name`, (ctx) => {
    const scope = scopeOf(ctx, kind, docs.delete);
    requirePermission(ctx, perm, 'write', docs.delete);
    if (!scope.variables.delete((ctx.params.name ?? '').toUpperCase())) throw new RestError(404, 'Not Found', docs.delete);
    sendRestEmpty(ctx, 204);
  });
}

export function registerVariableRoutes(router: Router): void {
  for (const kind of ['repository', 'environment', 'organization'] as const) registerScope(router, kind);
}
