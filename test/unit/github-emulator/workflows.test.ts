// The Actions workflows API through the real Octokit of @actions/github, and raw `gh api`-style
// requests: states seeded through the control surface, enable/disable, dispatches, permissions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getOctokit } from '@actions/github';
import type { WorkflowView } from '../../emulators/github/control/workflows.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { control } from './helpers.ts';

let emu: GitHubEmulator;
const O = 'acme';
const R = 'backups';

before(async () => {
  emu = await startGitHubEmulator({ owner: O, repo: R });
});
after(async () => {
  await emu?.close();
});

const octokit = (token = emu.token) => getOctokit(token, { baseUrl: emu.apiUrl });

async function rejection(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; response?: { data?: { message?: string } } };
    return { status: e.status, message: e.response?.data?.message ?? '' };
  }
  assert.fail('expected the request to fail');
}

describe('workflows API', () => {
  let backup: WorkflowView;

  before(async () => {
    backup = await control<WorkflowView>(emu.baseUrl, 'POST', `/repos/${O}/${R}/workflows`, { path: 'backup.yml', name: 'Salesforce backup' });
    emu.addWorkflow({ path: '.github/workflows/status-site.yml', name: 'Status site' });
  });

  test('lists the workflows and gets one by id or by file name, with the fields GitHub sends', async () => {
    const list = await octokit().rest.actions.listRepoWorkflows({ owner: O, repo: R });
    assert.equal(list.data.total_count, 2);
    assert.deepEqual(
      list.data.workflows.map((w) => [w.name, w.path, w.state]),
      [
        ['Salesforce backup', '.github/workflows/backup.yml', 'active'],
        ['Status site', '.github/workflows/status-site.yml', 'active'],
      ],
    );
    const byFile = await octokit().rest.actions.getWorkflow({ owner: O, repo: R, workflow_id: 'backup.yml' });
    const byId = await octokit().rest.actions.getWorkflow({ owner: O, repo: R, workflow_id: backup.id });
    assert.deepEqual(byFile.data, byId.data);
    assert.equal(byFile.data.id, backup.id);
    assert.equal(byFile.data.html_url, `https://github.com/${O}/${R}/blob/main/.github/workflows/backup.yml`);
    assert.match(byFile.data.node_id, /^[A-Za-z0-9+/=]+$/);
    assert.match(byFile.data.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(byFile.data.url, `${emu.apiUrl}/repos/${O}/${R}/actions/workflows/${backup.id}`);
  });

  test('an unknown workflow or repository is 404', async () => {
    assert.deepEqual(await rejection(octokit().rest.actions.getWorkflow({ owner: O, repo: R, workflow_id: 'nope.yml' })), {
      status: 404,
      message: 'Not Found',
    });
    assert.equal((await rejection(octokit().rest.actions.getWorkflow({ owner: O, repo: 'other', workflow_id: 'backup.yml' }))).status, 404);
  });

  test('a workflow GitHub disabled for inactivity is enabled again; disable makes it disabled_manually', async () => {
    emu.setWorkflowState('backup.yml', 'disabled_inactivity');
    assert.equal((await octokit().rest.actions.getWorkflow({ owner: O, repo: R, workflow_id: 'backup.yml' })).data.state, 'disabled_inactivity');
    const enabled = await octokit().rest.actions.enableWorkflow({ owner: O, repo: R, workflow_id: 'backup.yml' });
    assert.equal(enabled.status, 204);
    assert.equal(emu.workflow('backup.yml')?.state, 'active');
    const disabled = await octokit().rest.actions.disableWorkflow({ owner: O, repo: R, workflow_id: backup.id });
    assert.equal(disabled.status, 204);
    assert.equal((await control<WorkflowView>(emu.baseUrl, 'GET', `/repos/${O}/${R}/workflows/backup.yml`)).state, 'disabled_manually');
    await octokit().rest.actions.enableWorkflow({ owner: O, repo: R, workflow_id: 'backup.yml' });
  });

  test('a dispatch is recorded with its ref and inputs; refused on a disabled workflow, an unknown ref, or without the trigger', async () => {
    const ok = await octokit().rest.actions.createWorkflowDispatch({ owner: O, repo: R, workflow_id: 'backup.yml', ref: 'main', inputs: { org: 'prod' } });
    assert.equal(ok.status, 204);
    const seen = emu.workflow('backup.yml')?.dispatches ?? [];
    assert.deepEqual(
      seen.map((d) => ({ ref: d.ref, inputs: d.inputs, actor: d.actor })),
      [{ ref: 'main', inputs: { org: 'prod' }, actor: 'github-actions[bot]' }],
    );
    assert.deepEqual(await rejection(octokit().rest.actions.createWorkflowDispatch({ owner: O, repo: R, workflow_id: 'backup.yml', ref: 'nope' })), {
      status: 422,
      message: 'No ref found for: nope',
    });
    emu.setWorkflowState('backup.yml', 'disabled_manually');
    assert.deepEqual(await rejection(octokit().rest.actions.createWorkflowDispatch({ owner: O, repo: R, workflow_id: 'backup.yml', ref: 'main' })), {
      status: 422,
      message: "Cannot trigger a 'workflow_dispatch' on a disabled workflow",
    });
    emu.setWorkflowState('backup.yml', 'active');
    await control(emu.baseUrl, 'PATCH', `/repos/${O}/${R}/workflows/status-site.yml`, { dispatchable: false });
    assert.deepEqual(await rejection(octokit().rest.actions.createWorkflowDispatch({ owner: O, repo: R, workflow_id: 'status-site.yml', ref: 'main' })), {
      status: 422,
      message: "Workflow does not have 'workflow_dispatch' trigger",
    });
    assert.equal(emu.workflow('backup.yml')?.dispatches.length, 1, 'refused dispatches are not recorded');
  });

  test('reading needs actions: read, enabling and dispatching actions: write', async () => {
    const reader = emu.createToken({ permissions: { actions: 'read' } });
    const none = emu.createToken({ kind: 'fine_grained', permissions: { actions: 'none' } });
    emu.setWorkflowState('backup.yml', 'disabled_inactivity');
    assert.equal((await octokit(reader).rest.actions.getWorkflow({ owner: O, repo: R, workflow_id: 'backup.yml' })).data.state, 'disabled_inactivity');
    assert.deepEqual(await rejection(octokit(reader).rest.actions.enableWorkflow({ owner: O, repo: R, workflow_id: 'backup.yml' })), {
      status: 403,
      message: 'Resource not accessible by integration',
    });
    assert.equal(
      (await rejection(octokit(reader).rest.actions.createWorkflowDispatch({ owner: O, repo: R, workflow_id: 'backup.yml', ref: 'main' }))).status,
      403,
    );
    assert.deepEqual(await rejection(octokit(none).rest.actions.getWorkflow({ owner: O, repo: R, workflow_id: 'backup.yml' })), {
      status: 403,
      message: 'Resource not accessible by personal access token',
    });
    assert.equal(emu.workflow('backup.yml')?.state, 'disabled_inactivity', 'nothing changed');
    emu.setWorkflowState('backup.yml', 'active');
  });

  test('raw requests as `gh api` sends them: Bearer token, PUT with no body', async () => {
    const headers = { authorization: `Bearer ${emu.token}`, accept: 'application/vnd.github+json' };
    const got = await fetch(`${emu.apiUrl}/repos/${O}/${R}/actions/workflows/backup.yml`, { headers });
    assert.equal(got.status, 200);
    assert.equal(((await got.json()) as { state: string }).state, 'active');
    emu.setWorkflowState('backup.yml', 'disabled_inactivity');
    const put = await fetch(`${emu.apiUrl}/repos/${O}/${R}/actions/workflows/backup.yml/enable`, { method: 'PUT', headers });
    assert.equal(put.status, 204);
    assert.equal(await put.text(), '');
    assert.equal(emu.workflow('backup.yml')?.state, 'active');
  });

  test('the control surface refuses a state GitHub does not have and a second file of the same name', async () => {
    await assert.rejects(
      control(emu.baseUrl, 'PATCH', `/repos/${O}/${R}/workflows/backup.yml`, { state: 'paused' }),
      /400 .*state must be one of active, deleted/,
    );
    await assert.rejects(control(emu.baseUrl, 'POST', `/repos/${O}/${R}/workflows`, { path: 'backup.yml' }), /409/);
  });
});
