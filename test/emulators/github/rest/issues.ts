// The issues subset a bot needs: create, get, update (state and state_reason), list with state and
// label filters, comments, and labels (created on use, as GitHub does for writers).
import { createHash } from 'node:crypto';
import { RestError } from '../http/respond.ts';
import type { Ctx, Router } from '../http/router.ts';
import {
  createLabel,
  findLabel,
  type Issue,
  type IssueComment,
  type Label,
  labelsOnUse,
  type RepoIssues,
  repoIssues,
  type StateReason,
} from '../issues-store.ts';
import { findRepo, type Repo } from '../state.ts';
import { requirePermission } from './auth.ts';
import { invalid, optionalString, readRestJson, requiredString } from './body.ts';
import { paginate } from './pagination.ts';
import { restTime, sendRest, sendRestEmpty } from './respond.ts';

const DOC = 'https://docs.github.com/rest/issues';
const DOCS = {
  list: `${DOC}/issues#list-repository-issues`,
  create: `${DOC}/issues#create-an-issue`,
  get: `${DOC}/issues#get-an-issue`,
  update: `${DOC}/issues#update-an-issue`,
  listComments: `${DOC}/comments#list-issue-comments`,
  createComment: `${DOC}/comments#create-an-issue-comment`,
  getComment: `${DOC}/comments#get-an-issue-comment`,
  updateComment: `${DOC}/comments#update-an-issue-comment`,
  deleteComment: `${DOC}/comments#delete-an-issue-comment`,
  listLabels: `${DOC}/labels#list-labels-for-a-repository`,
  createLabel: `${DOC}/labels#create-a-label`,
  getLabel: `${DOC}/labels#get-a-label`,
  addLabels: `${DOC}/labels#add-labels-to-an-issue`,
  setLabels: `${DOC}/labels#set-labels-for-an-issue`,
  removeLabel: `${DOC}/labels#remove-a-label-from-an-issue`,
};

const STATE_REASONS: StateReason[] = ['completed', 'not_planned', 'reopened', 'duplicate'];

function userJson(login: string): Record<string, unknown> {
  const id = Number.parseInt(createHash('sha256').update(login).digest('hex').slice(0, 7), 16);
  return { login, id, node_id: Buffer.from(`04:User${id}`).toString('base64'), type: login.endsWith('[bot]') ? 'Bot' : 'User', site_admin: false };
}

function labelJson(ctx: Ctx, repo: Repo, l: Label): Record<string, unknown> {
  return {
    id: l.id,
    node_id: Buffer.from(`010:Label${l.id}`).toString('base64'),
    url: `${ctx.state.baseUrl}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    color: l.color,
    default: false,
    description: l.description,
  };
}

function issueLabels(r: RepoIssues, i: Issue): Label[] {
  return i.labels.map((id) => r.labels.find((l) => l.id === id)).filter((l): l is Label => l !== undefined);
}

function issueJson(ctx: Ctx, repo: Repo, r: RepoIssues, i: Issue): Record<string, unknown> {
  const repoUrl = `${ctx.state.baseUrl}/repos/${repo.owner}/${repo.name}`;
  const url = `${repoUrl}/issues/${i.number}`;
  return {
    id: i.id,
    node_id: Buffer.from(`05:Issue${i.id}`).toString('base64'),
    url,
    repository_url: repoUrl,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/issues/${i.number}`,
    number: i.number,
    title: i.title,
    user: userJson(i.user),
    labels: issueLabels(r, i).map((l) => labelJson(ctx, repo, l)),
    state: i.state,
    state_reason: i.stateReason,
    locked: i.locked,
    active_lock_reason: null,
    assignee: i.assignees[0] ? userJson(i.assignees[0]) : null,
    assignees: i.assignees.map(userJson),
    milestone: null,
    comments: i.comments.length,
    created_at: restTime(i.createdAt),
    updated_at: restTime(i.updatedAt),
    closed_at: i.closedAt === null ? null : restTime(i.closedAt),
    closed_by: i.closedBy ? userJson(i.closedBy) : null,
    author_association: 'NONE',
    body: i.body,
  };
}

function commentJson(ctx: Ctx, repo: Repo, i: Issue, c: IssueComment): Record<string, unknown> {
  const repoUrl = `${ctx.state.baseUrl}/repos/${repo.owner}/${repo.name}`;
  return {
    id: c.id,
    node_id: Buffer.from(`012:IssueComment${c.id}`).toString('base64'),
    url: `${repoUrl}/issues/comments/${c.id}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/issues/${i.number}#issuecomment-${c.id}`,
    issue_url: `${repoUrl}/issues/${i.number}`,
    user: userJson(c.user),
    body: c.body,
    created_at: restTime(c.createdAt),
    updated_at: restTime(c.updatedAt),
    author_association: 'NONE',
  };
}

function repoOf(ctx: Ctx, doc: string): Repo {
  const repo = findRepo(ctx.state, ctx.params.owner ?? '', ctx.params.repo ?? '');
  if (!repo) throw new RestError(404, 'Not Found', doc);
  return repo;
}

function issueOf(r: RepoIssues, ctx: Ctx, doc: string): Issue {
  const n = Number(ctx.params.issue_number);
  const i = Number.isInteger(n) ? r.issues.find((x) => x.number === n) : undefined;
  if (!i) throw new RestError(404, 'Not Found', doc);
  return i;
}

function commentOf(r: RepoIssues, ctx: Ctx, doc: string): { issue: Issue; comment: IssueComment } {
  const id = Number(ctx.params.comment_id);
  for (const issue of r.issues) {
    const comment = issue.comments.find((c) => c.id === id);
    if (comment) return { issue, comment };
  }
  throw new RestError(404, 'Not Found', doc);
}

/** `labels` as the API takes them: names, or objects with a name. */
function labelNames(v: unknown, doc: string): string[] {
  if (!Array.isArray(v)) throw invalid(`For 'labels', ${JSON.stringify(v)} is not an array.`, doc);
  return v.map((x) => {
    if (typeof x === 'string' && x !== '') return x;
    if (typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string') return (x as { name: string }).name;
    throw invalid(`For 'items', ${JSON.stringify(x)} is not a string or an object with a name.`, doc);
  });
}

function logins(v: unknown, doc: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalid(`For 'assignees', ${JSON.stringify(v)} is not an array of strings.`, doc);
  return v as string[];
}

function validationFailed(resource: string, code: string, field: string, doc: string): RestError {
  const err = new RestError(422, 'Validation Failed', doc);
  err.errors = [{ resource, code, field }];
  return err;
}

function login(ctx: Ctx): string {
  return ctx.auth?.login ?? 'github-actions[bot]';
}

function filterAndSort(ctx: Ctx, r: RepoIssues): Issue[] {
  const q = ctx.url.searchParams;
  const state = q.get('state') ?? 'open';
  if (!['open', 'closed', 'all'].includes(state)) throw invalid(`For 'state', "${state}" is not one of ["open", "closed", "all"].`, DOCS.list);
  const sort = q.get('sort') ?? 'created';
  if (!['created', 'updated', 'comments'].includes(sort)) throw invalid(`For 'sort', "${sort}" is not one of ["created", "updated", "comments"].`, DOCS.list);
  const direction = q.get('direction') ?? 'desc';
  if (!['asc', 'desc'].includes(direction)) throw invalid(`For 'direction', "${direction}" is not one of ["asc", "desc"].`, DOCS.list);
  const wanted = (q.get('labels') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const creator = q.get('creator');
  const assignee = q.get('assignee');
  const sinceRaw = q.get('since');
  const since = sinceRaw ? Date.parse(sinceRaw) : undefined;
  if (since !== undefined && Number.isNaN(since)) throw invalid(`For 'since', "${sinceRaw}" is not a timestamp.`, DOCS.list);
  const list = r.issues.filter((i) => {
    if (state !== 'all' && i.state !== state) return false;
    const names = issueLabels(r, i).map((l) => l.name.toLowerCase());
    if (!wanted.every((w) => names.includes(w))) return false;
    if (creator && i.user.toLowerCase() !== creator.toLowerCase()) return false;
    if (assignee === 'none' && i.assignees.length) return false;
    if (assignee === '*' && !i.assignees.length) return false;
    if (assignee && assignee !== 'none' && assignee !== '*' && !i.assignees.some((a) => a.toLowerCase() === assignee.toLowerCase())) return false;
    if (since !== undefined && Math.floor(i.updatedAt / 1000) * 1000 < since) return false;
    return true;
  });
  const key = (i: Issue) => (sort === 'updated' ? i.updatedAt : sort === 'comments' ? i.comments.length : i.createdAt);
  // Ties (same millisecond) fall back to the issue number, so pages are stable.
  list.sort((a, b) => key(a) - key(b) || a.number - b.number);
  if (direction === 'desc') list.reverse();
  return list;
}

export function registerIssueRoutes(router: Router): void {
  router.add('GET', '/repos/:owner/:repo/issues', (ctx) => {
    const repo = repoOf(ctx, DOCS.list);
    requirePermission(ctx, 'issues', 'read', DOCS.list);
    const r = repoIssues(ctx.state, repo);
    const page = paginate(ctx, filterAndSort(ctx, r));
    sendRest(
      ctx,
      200,
      page.items.map((i) => issueJson(ctx, repo, r, i)),
      page.link ? { link: page.link } : {},
    );
  });

  router.add('POST', '/repos/:owner/:repo/issues', async (ctx) => {
    const repo = repoOf(ctx, DOCS.create);
    requirePermission(ctx, 'issues', 'write', DOCS.create);
    const b = await readRestJson(ctx, DOCS.create);
    // The API takes a number as a title too.
    const title = typeof b.title === 'number' ? String(b.title) : requiredString(b, 'title', DOCS.create);
    if (!title.trim()) throw validationFailed('Issue', 'missing_field', 'title', DOCS.create);
    const body = b.body === null ? null : (optionalString(b, 'body', DOCS.create) ?? null);
    const r = repoIssues(ctx.state, repo);
    const labels = b.labels === undefined ? [] : labelsOnUse(ctx.state, r, labelNames(b.labels, DOCS.create));
    const assignees = b.assignees === undefined ? [] : logins(b.assignees, DOCS.create);
    const now = ctx.state.clock.now();
    const issue: Issue = {
      id: ctx.state.issues.next.issueId++,
      number: r.issues.length + 1,
      title,
      body,
      state: 'open',
      stateReason: null,
      labels,
      assignees,
      user: login(ctx),
      locked: false,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      closedBy: null,
      comments: [],
    };
    r.issues.push(issue);
    sendRest(ctx, 201, issueJson(ctx, repo, r, issue), { location: `${ctx.state.baseUrl}/repos/${repo.owner}/${repo.name}/issues/${issue.number}` });
  });

  router.add('GET', '/repos/:owner/:repo/issues/:issue_number', (ctx) => {
    const repo = repoOf(ctx, DOCS.get);
    requirePermission(ctx, 'issues', 'read', DOCS.get);
    const r = repoIssues(ctx.state, repo);
    sendRest(ctx, 200, issueJson(ctx, repo, r, issueOf(r, ctx, DOCS.get)));
  });

  router.add('PATCH', '/repos/:owner/:repo/issues/:issue_number', async (ctx) => {
    const repo = repoOf(ctx, DOCS.update);
    requirePermission(ctx, 'issues', 'write', DOCS.update);
    const r = repoIssues(ctx.state, repo);
    const issue = issueOf(r, ctx, DOCS.update);
    const b = await readRestJson(ctx, DOCS.update);
    const title = optionalString(b, 'title', DOCS.update);
    if (title !== undefined && !title.trim()) throw validationFailed('Issue', 'missing_field', 'title', DOCS.update);
    const state = optionalString(b, 'state', DOCS.update);
    if (state !== undefined && state !== 'open' && state !== 'closed') throw invalid(`For 'state', "${state}" is not one of ["open", "closed"].`, DOCS.update);
    const reason = b.state_reason === null ? null : optionalString(b, 'state_reason', DOCS.update);
    if (typeof reason === 'string' && !STATE_REASONS.includes(reason as StateReason)) {
      throw invalid(`For 'state_reason', "${reason}" is not one of ["completed", "not_planned", "reopened", "duplicate", null].`, DOCS.update);
    }
    const labels = b.labels === undefined ? undefined : labelsOnUse(ctx.state, r, labelNames(b.labels, DOCS.update));
    const assignees = b.assignees === undefined ? undefined : logins(b.assignees, DOCS.update);
    const now = ctx.state.clock.now();

    if (title !== undefined) issue.title = title;
    if (b.body === null) issue.body = null;
    else if (typeof b.body === 'string') issue.body = b.body;
    if (labels) issue.labels = labels;
    if (assignees) issue.assignees = assignees;
    if (state === 'closed' && issue.state === 'open') {
      issue.state = 'closed';
      issue.closedAt = now;
      issue.closedBy = login(ctx);
      issue.stateReason = (reason as StateReason | null | undefined) ?? 'completed';
    } else if (state === 'open' && issue.state === 'closed') {
      issue.state = 'open';
      issue.closedAt = null;
      issue.closedBy = null;
      issue.stateReason = 'reopened';
    } else if (reason !== undefined) {
      issue.stateReason = reason as StateReason | null;
    }
    issue.updatedAt = now;
    sendRest(ctx, 200, issueJson(ctx, repo, r, issue));
  });

  router.add('GET', '/repos/:owner/:repo/issues/:issue_number/comments', (ctx) => {
    const repo = repoOf(ctx, DOCS.listComments);
    requirePermission(ctx, 'issues', 'read', DOCS.listComments);
    const r = repoIssues(ctx.state, repo);
    const issue = issueOf(r, ctx, DOCS.listComments);
    const sinceRaw = ctx.url.searchParams.get('since');
    const since = sinceRaw ? Date.parse(sinceRaw) : undefined;
    const list = issue.comments.filter((c) => since === undefined || Math.floor(c.updatedAt / 1000) * 1000 >= since);
    const page = paginate(ctx, list);
    sendRest(
      ctx,
      200,
      page.items.map((c) => commentJson(ctx, repo, issue, c)),
      page.link ? { link: page.link } : {},
    );
  });

  router.add('POST', '/repos/:owner/:repo/issues/:issue_number/comments', async (ctx) => {
    const repo = repoOf(ctx, DOCS.createComment);
    requirePermission(ctx, 'issues', 'write', DOCS.createComment);
    const r = repoIssues(ctx.state, repo);
    const issue = issueOf(r, ctx, DOCS.createComment);
    const b = await readRestJson(ctx, DOCS.createComment);
    const body = requiredString(b, 'body', DOCS.createComment);
    if (!body.trim()) throw validationFailed('IssueComment', 'missing_field', 'body', DOCS.createComment);
    const now = ctx.state.clock.now();
    const comment: IssueComment = { id: ctx.state.issues.next.commentId++, body, user: login(ctx), createdAt: now, updatedAt: now };
    issue.comments.push(comment);
    issue.updatedAt = now;
    sendRest(ctx, 201, commentJson(ctx, repo, issue, comment));
  });

  router.add('GET', '/repos/:owner/:repo/issues/comments/:comment_id', (ctx) => {
    const repo = repoOf(ctx, DOCS.getComment);
    requirePermission(ctx, 'issues', 'read', DOCS.getComment);
    const { issue, comment } = commentOf(repoIssues(ctx.state, repo), ctx, DOCS.getComment);
    sendRest(ctx, 200, commentJson(ctx, repo, issue, comment));
  });

  router.add('PATCH', '/repos/:owner/:repo/issues/comments/:comment_id', async (ctx) => {
    const repo = repoOf(ctx, DOCS.updateComment);
    requirePermission(ctx, 'issues', 'write', DOCS.updateComment);
    const { issue, comment } = commentOf(repoIssues(ctx.state, repo), ctx, DOCS.updateComment);
    const b = await readRestJson(ctx, DOCS.updateComment);
    comment.body = requiredString(b, 'body', DOCS.updateComment);
    comment.updatedAt = ctx.state.clock.now();
    sendRest(ctx, 200, commentJson(ctx, repo, issue, comment));
  });

  router.add('DELETE', '/repos/:owner/:repo/issues/comments/:comment_id', (ctx) => {
    const repo = repoOf(ctx, DOCS.deleteComment);
    requirePermission(ctx, 'issues', 'write', DOCS.deleteComment);
    const { issue, comment } = commentOf(repoIssues(ctx.state, repo), ctx, DOCS.deleteComment);
    issue.comments = issue.comments.filter((c) => c !== comment);
    sendRestEmpty(ctx, 204);
  });

  router.add('GET', '/repos/:owner/:repo/labels', (ctx) => {
    const repo = repoOf(ctx, DOCS.listLabels);
    requirePermission(ctx, 'issues', 'read', DOCS.listLabels);
    const page = paginate(ctx, repoIssues(ctx.state, repo).labels);
    sendRest(
      ctx,
      200,
      page.items.map((l) => labelJson(ctx, repo, l)),
      page.link ? { link: page.link } : {},
    );
  });

  router.add('POST', '/repos/:owner/:repo/labels', async (ctx) => {
    const repo = repoOf(ctx, DOCS.createLabel);
    requirePermission(ctx, 'issues', 'write', DOCS.createLabel);
    const b = await readRestJson(ctx, DOCS.createLabel);
    const name = requiredString(b, 'name', DOCS.createLabel);
    const color = optionalString(b, 'color', DOCS.createLabel)?.replace(/^#/, '');
    if (color !== undefined && !/^[0-9a-fA-F]{6}$/.test(color)) throw validationFailed('Label', 'invalid', 'color', DOCS.createLabel);
    const description = optionalString(b, 'description', DOCS.createLabel);
    const r = repoIssues(ctx.state, repo);
    if (findLabel(r, name)) throw validationFailed('Label', 'already_exists', 'name', DOCS.createLabel);
    sendRest(ctx, 201, labelJson(ctx, repo, createLabel(ctx.state, r, name, color?.toLowerCase(), description)));
  });

  router.add('GET', '/repos/:owner/:repo/labels/:name', (ctx) => {
    const repo = repoOf(ctx, DOCS.getLabel);
    requirePermission(ctx, 'issues', 'read', DOCS.getLabel);
    const l = findLabel(repoIssues(ctx.state, repo), ctx.params.name ?? '');
    if (!l) throw new RestError(404, 'Not Found', DOCS.getLabel);
    sendRest(ctx, 200, labelJson(ctx, repo, l));
  });

  const changeLabels = (method: 'POST' | 'PUT', doc: string) =>
    router.add(method, '/repos/:owner/:repo/issues/:issue_number/labels', async (ctx) => {
      const repo = repoOf(ctx, doc);
      requirePermission(ctx, 'issues', 'write', doc);
      const r = repoIssues(ctx.state, repo);
      const issue = issueOf(r, ctx, doc);
      const b = await readRestJson(ctx, doc);
      const ids = labelsOnUse(ctx.state, r, labelNames(b.labels ?? [], doc));
      issue.labels = method === 'PUT' ? ids : [...issue.labels, ...ids.filter((id) => !issue.labels.includes(id))];
      issue.updatedAt = ctx.state.clock.now();
      sendRest(
        ctx,
        200,
        issueLabels(r, issue).map((l) => labelJson(ctx, repo, l)),
      );
    });
  changeLabels('POST', DOCS.addLabels);
  changeLabels('PUT', DOCS.setLabels);

  router.add('DELETE', '/repos/:owner/:repo/issues/:issue_number/labels/:name', (ctx) => {
    const repo = repoOf(ctx, DOCS.removeLabel);
    requirePermission(ctx, 'issues', 'write', DOCS.removeLabel);
    const r = repoIssues(ctx.state, repo);
    const issue = issueOf(r, ctx, DOCS.removeLabel);
    const l = findLabel(r, ctx.params.name ?? '');
    if (!l || !issue.labels.includes(l.id)) throw new RestError(404, 'Label does not exist', DOCS.removeLabel);
    issue.labels = issue.labels.filter((id) => id !== l.id);
    issue.updatedAt = ctx.state.clock.now();
    sendRest(
      ctx,
      200,
      issueLabels(r, issue).map((x) => labelJson(ctx, repo, x)),
    );
  });
}
