// One issue per org that needs attention, against the GitHub emulator through the real Octokit:
// opened once, left alone when nothing changed, updated and commented on when the state changes,
// found again across pages and without its label, never duplicated, closed when the org is healthy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { IssueSyncError } from '../../../src/github/errors.ts';
import { ISSUE_LABEL, type OrgIssueInput, orgIssueMarker, syncOrgIssue } from '../../../src/github/issues.ts';
import { createOctokit, type Octokit } from '../../../src/github/octokit.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { control } from '../github-emulator/helpers.ts';

const FAST = { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 5 };
const NOW = new Date('2026-11-23T21:00:00Z');
const opts = { retry: FAST, now: () => NOW };

interface IssueView {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  updatedAt: string;
  comments: { body: string }[];
}

let gh: GitHubEmulator;
let octokit: Octokit;
let where: { owner: string; repo: string };

const issues = async (state: 'open' | 'closed' | 'all' = 'all') =>
  control<IssueView[]>(gh.baseUrl, 'GET', `/repos/${where.owner}/${where.repo}/issues?state=${state}`);
const forOrg = async (alias: string, state: 'open' | 'closed' | 'all' = 'all') =>
  (await issues(state)).filter((i) => (i.body ?? '').includes(orgIssueMarker(alias)));
const writesSince = async (seq: number) =>
  (await control<{ seq: number; method: string; path: string }[]>(gh.baseUrl, 'GET', '/requests?surface=rest&path=/issues')).filter(
    (r) => r.seq > seq && r.method !== 'GET',
  );
const lastSeq = async () => {
  const log = await control<{ seq: number }[]>(gh.baseUrl, 'GET', '/requests');
  return log.at(-1)?.seq ?? 0;
};

function reauth(alias: string, reason = 'token_expired_or_revoked'): OrgIssueInput {
  return {
    alias,
    needsAttention: true,
    title: `Salesforce org ${alias} needs re-authorization`,
    body: `Org **${alias}** (production, login.salesforce.com): reauth_required / ${reason}.\n\nRun \`npx sfbackup reauth --alias ${alias}\`.`,
    state: `reauth_required/${reason}`,
    labels: ['needs-reauth'],
  };
}

before(async () => {
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'sf-backups' });
  where = { owner: gh.owner, repo: gh.repo };
  octokit = await createOctokit(gh.token, gh.apiUrl);
});

after(async () => {
  await gh?.close();
});

describe('the per-org issue', () => {
  test('opened once with the marker and labels; a second identical call writes nothing', async () => {
    const first = await syncOrgIssue(octokit, where, reauth('prod'), opts);
    assert.equal(first.action, 'created');
    const [issue, ...rest] = await forOrg('prod');
    assert.equal(rest.length, 0);
    assert.ok(issue);
    assert.equal(issue.number, first.number);
    assert.equal(issue.state, 'open');
    assert.equal(issue.title, 'Salesforce org prod needs re-authorization');
    assert.match(issue.body ?? '', /npx sfbackup reauth --alias prod/);
    assert.deepEqual(issue.labels.sort(), [ISSUE_LABEL, 'needs-reauth'].sort());

    const seq = await lastSeq();
    const again = await syncOrgIssue(octokit, where, reauth('prod'), opts);
    assert.equal(again.action, 'unchanged');
    assert.equal(again.number, first.number);
    assert.deepEqual(await writesSince(seq), [], 'an unchanged org must not touch its issue');
    assert.equal((await forOrg('prod')).length, 1);
  });

  test('a changed state updates the same issue and says so in one comment', async () => {
    const changed = await syncOrgIssue(octokit, where, { ...reauth('prod', 'app_changed'), title: 'Salesforce org prod: the Connected App changed' }, opts);
    assert.equal(changed.action, 'updated');
    const [issue, ...rest] = await forOrg('prod');
    assert.equal(rest.length, 0);
    assert.equal(issue?.title, 'Salesforce org prod: the Connected App changed');
    assert.match(issue?.body ?? '', /app_changed/);
    assert.equal(issue?.comments.length, 1);
    assert.match(issue?.comments[0]?.body ?? '', /reauth_required\/token_expired_or_revoked` → `reauth_required\/app_changed/);

    // Same state, new wording: the body is updated but no comment is added.
    const reworded = await syncOrgIssue(
      octokit,
      where,
      { ...reauth('prod', 'app_changed'), title: 'Salesforce org prod: the Connected App changed', body: 'Reworded remedy.' },
      opts,
    );
    assert.equal(reworded.action, 'updated');
    const after = (await forOrg('prod'))[0];
    assert.match(after?.body ?? '', /^Reworded remedy\./);
    assert.equal(after?.comments.length, 1);
  });

  test('each org has its own issue', async () => {
    const uat = await syncOrgIssue(octokit, where, reauth('uat', 'user_inactive'), opts);
    assert.equal(uat.action, 'created');
    assert.equal((await forOrg('uat')).length, 1);
    assert.equal((await forOrg('prod')).length, 1);
    assert.notEqual(uat.number, (await forOrg('prod'))[0]?.number);
  });

  test('a healthy org gets its issue closed as completed with a comment; later healthy runs do nothing', async () => {
    const prodNumber = (await forOrg('prod'))[0]?.number;
    const closed = await syncOrgIssue(octokit, where, { ...reauth('prod'), needsAttention: false }, opts);
    assert.equal(closed.action, 'closed');
    assert.equal(closed.number, prodNumber);
    const issue = (await forOrg('prod'))[0];
    assert.equal(issue?.state, 'closed');
    assert.equal(issue?.stateReason, 'completed');
    assert.match(issue?.comments.at(-1)?.body ?? '', /healthy again at 2026-11-23T21:00:00\.000Z/);
    // uat is untouched.
    assert.equal((await forOrg('uat'))[0]?.state, 'open');

    const seq = await lastSeq();
    assert.equal((await syncOrgIssue(octokit, where, { ...reauth('prod'), needsAttention: false }, opts)).action, 'none');
    assert.deepEqual(await writesSince(seq), []);
  });

  test('breaking again after being closed opens a fresh issue', async () => {
    const again = await syncOrgIssue(octokit, where, reauth('prod'), opts);
    assert.equal(again.action, 'created');
    const all = await forOrg('prod');
    assert.deepEqual(all.map((i) => i.state).sort(), ['closed', 'open']);
  });

  test('found on a later page of a busy repository', async () => {
    // 105 newer labelled issues push the org's issue past the first page of 100.
    for (let i = 0; i < 105; i++) await octokit.rest.issues.create({ ...where, title: `unrelated ${i}`, body: 'noise', labels: [ISSUE_LABEL] });
    const seq = await lastSeq();
    const res = await syncOrgIssue(octokit, where, reauth('prod'), opts);
    assert.equal(res.action, 'unchanged');
    assert.equal((await forOrg('prod', 'open')).length, 1);
    assert.deepEqual(await writesSince(seq), []);
  });

  test('an issue that lost its label is still found, and relabelled', async () => {
    const bare = await octokit.rest.issues.create({ ...where, title: 'by hand', body: `Org qa needs work.\n\n${orgIssueMarker('qa')}` });
    const res = await syncOrgIssue(octokit, where, reauth('qa'), opts);
    assert.equal(res.action, 'updated');
    assert.equal(res.number, bare.data.number);
    const open = await forOrg('qa', 'open');
    assert.equal(open.length, 1);
    assert.equal(open[0]?.title, 'Salesforce org qa needs re-authorization');
    assert.ok(open[0]?.labels.includes(ISSUE_LABEL));
  });

  test('duplicates left by racing jobs are closed, keeping the oldest', async () => {
    const body = (n: number) => `Org sit, copy ${n}.\n\n${orgIssueMarker('sit')}`;
    const first = await octokit.rest.issues.create({ ...where, title: 'job 1', body: body(1), labels: [ISSUE_LABEL] });
    const second = await octokit.rest.issues.create({ ...where, title: 'job 2', body: body(2), labels: [ISSUE_LABEL] });
    const res = await syncOrgIssue(octokit, where, reauth('sit'), opts);
    assert.equal(res.number, first.data.number, 'the older issue is kept');
    assert.deepEqual(res.closedDuplicates, [second.data.number]);
    assert.deepEqual(
      (await forOrg('sit', 'open')).map((i) => i.number),
      [first.data.number],
    );
    const closedDup = (await forOrg('sit', 'closed'))[0];
    assert.equal(closedDup?.number, second.data.number);
    assert.equal(closedDup?.stateReason, 'not_planned');
    assert.match(closedDup?.comments[0]?.body ?? '', new RegExp(`Duplicate of #${first.data.number}`));
  });

  test('a token without issues: write fails with the permission to add', async () => {
    const readOnly = await createOctokit(gh.createToken({ permissions: { issues: 'read' } }), gh.apiUrl);
    await assert.rejects(
      () => syncOrgIssue(readOnly, where, reauth('dev'), opts),
      (err: unknown) => err instanceof IssueSyncError && err.reason === 'permission_denied' && err.status === 403 && /issues: write/.test(err.remedy),
    );
    assert.equal((await forOrg('dev')).length, 0);
  });
});
