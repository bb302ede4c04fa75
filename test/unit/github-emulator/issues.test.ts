// The issues subset (issues, comments, labels) through the real Octokit of @actions/github.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getOctokit } from '@actions/github';
import type { IssueView } from '../../emulators/github/control/actions.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { control } from './helpers.ts';

let emu: GitHubEmulator;
const O = 'Acme';
const R = 'SF-Backups';

before(async () => {
  emu = await startGitHubEmulator({ owner: O, repo: R });
});

after(async () => {
  await emu?.close();
});

const octokit = (token = emu.token) => getOctokit(token, { baseUrl: emu.apiUrl });

async function rejection(p: Promise<unknown>): Promise<{ status: number; message: string; errors?: unknown }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; response?: { data?: { message?: string; errors?: unknown } } };
    return { status: e.status, message: e.response?.data?.message ?? '', ...(e.response?.data?.errors ? { errors: e.response.data.errors } : {}) };
  }
  assert.fail('expected the request to fail');
}

describe('issues', () => {
  test('create with labels that do not exist yet: 201, labels created on use, readable back', async () => {
    const api = octokit();
    const created = await api.rest.issues.create({
      owner: O,
      repo: R,
      title: 'Org prod needs re-authorization',
      body: 'Run `sfbackup reauth`',
      labels: ['sfbackup', { name: 'needs-reauth' }],
    });
    assert.equal(created.status, 201);
    const i = created.data;
    assert.equal(i.number, 1);
    assert.equal(i.state, 'open');
    assert.equal(i.state_reason, null);
    assert.equal(i.user?.login, 'github-actions[bot]');
    assert.equal(i.html_url, `https://github.com/${O}/${R}/issues/1`);
    assert.deepEqual(
      i.labels.map((l) => (typeof l === 'string' ? l : l.name)),
      ['sfbackup', 'needs-reauth'],
    );
    const labels = await api.rest.issues.listLabelsForRepo({ owner: O, repo: R });
    assert.deepEqual(labels.data.map((l) => l.name).sort(), ['needs-reauth', 'sfbackup']);

    const got = await api.rest.issues.get({ owner: O, repo: R, issue_number: 1 });
    assert.equal(got.data.body, 'Run `sfbackup reauth`');
    assert.equal((await rejection(api.rest.issues.get({ owner: O, repo: R, issue_number: 999 }))).status, 404);
    assert.equal(emu.issue(1)?.title, 'Org prod needs re-authorization');

    // biome-ignore lint/suspicious/noExplicitAny: the missing title is the point
    const noTitle = await rejection(api.rest.issues.create({ owner: O, repo: R, body: 'x' } as any));
    assert.deepEqual(noTitle, { status: 422, message: 'Invalid request.\n\n"title" wasn\'t supplied.' });
  });

  test('update: body, close with a reason, reopen, close without one; bad state is 422', async () => {
    const api = octokit();
    assert.equal((await api.rest.issues.create({ owner: O, repo: R, title: 2026 })).data.title, '2026', 'a number is a title too');
    const n = (await api.rest.issues.create({ owner: O, repo: R, title: 'to close' })).data.number;
    emu.advanceClock(2000);
    const closed = await api.rest.issues.update({ owner: O, repo: R, issue_number: n, state: 'closed', state_reason: 'not_planned', body: 'healthy again' });
    assert.equal(closed.data.state, 'closed');
    assert.equal(closed.data.state_reason, 'not_planned');
    assert.ok(closed.data.closed_at);
    assert.equal(closed.data.body, 'healthy again');
    const reopened = await api.rest.issues.update({ owner: O, repo: R, issue_number: n, state: 'open' });
    assert.equal(reopened.data.state_reason, 'reopened');
    assert.equal(reopened.data.closed_at, null);
    const done = await api.rest.issues.update({ owner: O, repo: R, issue_number: n, state: 'closed' });
    assert.equal(done.data.state_reason, 'completed');
    assert.deepEqual([emu.issue(n)?.state, emu.issue(n)?.stateReason], ['closed', 'completed']);
    // biome-ignore lint/suspicious/noExplicitAny: an invalid state is the point
    assert.equal((await rejection(api.rest.issues.update({ owner: O, repo: R, issue_number: n, state: 'resolved' as any }))).status, 422);
    const relabelled = await api.rest.issues.update({ owner: O, repo: R, issue_number: n, labels: ['brand-new'] });
    assert.deepEqual(
      relabelled.data.labels.map((l) => (typeof l === 'string' ? l : l.name)),
      ['brand-new'],
    );
  });

  test('list: open by default, state and label filters, newest first, Link pages', async () => {
    const api = octokit();
    const repo = await emu.createRepo({ owner: O, name: 'Listing' });
    const nums: number[] = [];
    for (let k = 0; k < 5; k++) {
      emu.advanceClock(1000);
      const labels = k % 2 === 0 ? ['sfbackup', `org-${k}`] : ['other'];
      nums.push((await api.rest.issues.create({ owner: O, repo: repo.name, title: `issue ${k}`, labels })).data.number);
    }
    await api.rest.issues.update({ owner: O, repo: repo.name, issue_number: nums[2] as number, state: 'closed' });

    const open = await api.rest.issues.listForRepo({ owner: O, repo: repo.name });
    assert.deepEqual(
      open.data.map((i) => i.number),
      [5, 4, 2, 1],
    );
    const closed = await api.rest.issues.listForRepo({ owner: O, repo: repo.name, state: 'closed' });
    assert.deepEqual(
      closed.data.map((i) => i.number),
      [3],
    );
    const labelled = await api.rest.issues.listForRepo({ owner: O, repo: repo.name, state: 'all', labels: 'SFBACKUP' });
    assert.deepEqual(
      labelled.data.map((i) => i.number),
      [5, 3, 1],
    );
    const both = await api.rest.issues.listForRepo({ owner: O, repo: repo.name, state: 'all', labels: 'sfbackup,org-4' });
    assert.deepEqual(
      both.data.map((i) => i.number),
      [5],
    );
    const asc = await api.rest.issues.listForRepo({ owner: O, repo: repo.name, state: 'all', direction: 'asc', per_page: 2 });
    assert.deepEqual(
      asc.data.map((i) => i.number),
      [1, 2],
    );
    assert.match(String(asc.headers.link), /rel="next"/);
    const all = await api.paginate(api.rest.issues.listForRepo, { owner: O, repo: repo.name, state: 'all', per_page: 2 });
    assert.deepEqual(
      all.map((i) => i.number),
      [5, 4, 3, 2, 1],
    );
    // biome-ignore lint/suspicious/noExplicitAny: an invalid state is the point
    assert.equal((await rejection(api.rest.issues.listForRepo({ owner: O, repo: repo.name, state: 'done' as any }))).status, 422);
    assert.deepEqual(
      emu.issues({ repo: 'listing', state: 'open' }).map((i) => i.number),
      [1, 2, 4, 5],
    );
  });

  test('comments: create, list with pages, update; the count follows', async () => {
    const api = octokit();
    const n = (await api.rest.issues.create({ owner: O, repo: R, title: 'with comments' })).data.number;
    for (const body of ['first', 'second', 'third']) {
      const c = await api.rest.issues.createComment({ owner: O, repo: R, issue_number: n, body });
      assert.equal(c.status, 201);
      assert.equal(c.data.body, body);
    }
    const page = await api.rest.issues.listComments({ owner: O, repo: R, issue_number: n, per_page: 2 });
    assert.deepEqual(
      page.data.map((c) => c.body),
      ['first', 'second'],
    );
    assert.match(String(page.headers.link), /rel="next"/);
    const all = await api.paginate(api.rest.issues.listComments, { owner: O, repo: R, issue_number: n, per_page: 2 });
    assert.equal(all.length, 3);
    const edited = await api.rest.issues.updateComment({ owner: O, repo: R, comment_id: all[0]?.id as number, body: 'first, edited' });
    assert.equal(edited.data.body, 'first, edited');
    assert.equal((await api.rest.issues.get({ owner: O, repo: R, issue_number: n })).data.comments, 3);
    assert.deepEqual(
      emu.issue(n)?.comments.map((c) => c.body),
      ['first, edited', 'second', 'third'],
    );
    assert.equal((await rejection(api.rest.issues.createComment({ owner: O, repo: R, issue_number: 999, body: 'x' }))).status, 404);
  });

  test('labels: create (422 already_exists), add to and remove from an issue', async () => {
    const api = octokit();
    const made = await api.rest.issues.createLabel({ owner: O, repo: R, name: 'auth', color: 'D73A4A', description: 'Auth problems' });
    assert.equal(made.status, 201);
    assert.equal(made.data.color, 'd73a4a');
    const dup = await rejection(api.rest.issues.createLabel({ owner: O, repo: R, name: 'AUTH' }));
    assert.equal(dup.status, 422);
    assert.equal(dup.message, 'Validation Failed');
    assert.deepEqual(dup.errors, [{ resource: 'Label', code: 'already_exists', field: 'name' }]);
    const n = (await api.rest.issues.create({ owner: O, repo: R, title: 'labels' })).data.number;
    const added = await api.rest.issues.addLabels({ owner: O, repo: R, issue_number: n, labels: ['auth', 'fresh'] });
    assert.deepEqual(
      added.data.map((l) => l.name),
      ['auth', 'fresh'],
    );
    const removed = await api.rest.issues.removeLabel({ owner: O, repo: R, issue_number: n, name: 'auth' });
    assert.deepEqual(
      removed.data.map((l) => l.name),
      ['fresh'],
    );
    assert.equal((await rejection(api.rest.issues.removeLabel({ owner: O, repo: R, issue_number: n, name: 'auth' }))).status, 404);
  });

  test('permissions and auth: issues read may list but not write; no token → 401', async () => {
    const reader = emu.createToken({ permissions: { issues: 'read' } });
    const api = octokit(reader);
    assert.equal((await api.rest.issues.listForRepo({ owner: O, repo: R })).status, 200);
    const denied = await rejection(api.rest.issues.create({ owner: O, repo: R, title: 'nope' }));
    assert.deepEqual(denied, { status: 403, message: 'Resource not accessible by integration' });
    const none = emu.createToken({ permissions: { issues: 'none' } });
    assert.equal((await rejection(octokit(none).rest.issues.listForRepo({ owner: O, repo: R }))).status, 403);
    const res = await fetch(`${emu.apiUrl}/repos/${O}/${R}/issues`);
    assert.equal(res.status, 401);
    const bearer = await fetch(`${emu.apiUrl}/repos/${O}/${R}/issues`, { headers: { authorization: `Bearer ${reader}` } });
    assert.equal(bearer.status, 200);
    assert.equal((await rejection(octokit().rest.issues.listForRepo({ owner: O, repo: 'missing' }))).status, 404);
  });

  test('control surface lists issues with labels and comments', async () => {
    const open = await control<IssueView[]>(emu.baseUrl, 'GET', `/repos/${O}/${R}/issues?state=open`);
    assert.ok(open.length > 0);
    assert.ok(open.every((i) => i.state === 'open'));
    const first = await control<IssueView>(emu.baseUrl, 'GET', `/repos/${O}/${R}/issues/1`);
    assert.deepEqual(first.labels, ['sfbackup', 'needs-reauth']);
    await assert.rejects(control(emu.baseUrl, 'GET', `/repos/${O}/${R}/issues/999`), /404/);
  });
});
