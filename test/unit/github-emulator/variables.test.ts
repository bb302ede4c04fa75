// The Actions variables API through the real Octokit of @actions/github, for repository,
// environment and organization scope.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getOctokit } from '@actions/github';
import type { ScopeRef } from '../../emulators/github/actions-store.ts';
import type { VariableView } from '../../emulators/github/control/actions.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { control } from './helpers.ts';

type Api = ReturnType<typeof getOctokit>;

let emu: GitHubEmulator;
let writer: string;
const O = 'Acme';
const R = 'SF-Backups';
const ENV = 'production';

before(async () => {
  emu = await startGitHubEmulator({ owner: O, repo: R });
  emu.createEnvironment(ENV);
  writer = emu.createToken({ permissions: { actions_variables: 'write', environments: 'write', organization_actions_variables: 'write' } });
});

after(async () => {
  await emu?.close();
});

const octokit = (token = writer) => getOctokit(token, { baseUrl: emu.apiUrl });

async function rejection(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { status: number; response?: { data?: { message?: string } } };
    return { status: e.status, message: e.response?.data?.message ?? '' };
  }
  assert.fail('expected the request to fail');
}

interface Listed {
  total_count: number;
  variables: { name: string; value: string; created_at: string; updated_at: string; visibility?: string }[];
  link?: string;
}

interface ScopeCase {
  label: string;
  ref: ScopeRef;
  controlPath: string;
  create(api: Api, name: string, value: string): Promise<{ status: number; data: unknown }>;
  get(api: Api, name: string): Promise<{ name: string; value: string; created_at: string; updated_at: string }>;
  update(api: Api, name: string, body: { value?: string }): Promise<{ status: number }>;
  list(api: Api, page?: { per_page?: number; page?: number }): Promise<Listed>;
  del(api: Api, name: string): Promise<{ status: number }>;
}

const listed = (r: { data: { total_count: number; variables: Listed['variables'] }; headers: { link?: string } }): Listed => ({
  total_count: r.data.total_count,
  variables: r.data.variables,
  ...(r.headers.link ? { link: r.headers.link } : {}),
});

const SCOPES: ScopeCase[] = [
  {
    label: 'repository',
    ref: { scope: 'repository', owner: O, repo: R },
    controlPath: `/repos/${O}/${R}/actions/variables`,
    create: (api, name, value) => api.rest.actions.createRepoVariable({ owner: O, repo: R, name, value }),
    get: async (api, name) => (await api.rest.actions.getRepoVariable({ owner: O, repo: R, name })).data,
    update: (api, name, body) => api.rest.actions.updateRepoVariable({ owner: O, repo: R, name, ...body }),
    list: async (api, page = {}) => listed(await api.rest.actions.listRepoVariables({ owner: O, repo: R, ...page })),
    del: (api, name) => api.rest.actions.deleteRepoVariable({ owner: O, repo: R, name }),
  },
  {
    label: 'environment',
    ref: { scope: 'environment', owner: O, repo: R, environment: ENV },
    controlPath: `/repos/${O}/${R}/environments/${ENV}/variables`,
    create: (api, name, value) => api.rest.actions.createEnvironmentVariable({ owner: O, repo: R, environment_name: ENV, name, value }),
    get: async (api, name) => (await api.rest.actions.getEnvironmentVariable({ owner: O, repo: R, environment_name: ENV, name })).data,
    update: (api, name, body) => api.rest.actions.updateEnvironmentVariable({ owner: O, repo: R, environment_name: ENV, name, ...body }),
    list: async (api, page = {}) => listed(await api.rest.actions.listEnvironmentVariables({ owner: O, repo: R, environment_name: ENV, ...page })),
    del: (api, name) => api.rest.actions.deleteEnvironmentVariable({ owner: O, repo: R, environment_name: ENV, name }),
  },
  {
    label: 'organization',
    ref: { scope: 'organization', org: O },
    controlPath: `/orgs/${O}/actions/variables`,
    create: (api, name, value) => api.rest.actions.createOrgVariable({ org: O, name, value, visibility: 'private' }),
    get: async (api, name) => (await api.rest.actions.getOrgVariable({ org: O, name })).data,
    update: (api, name, body) => api.rest.actions.updateOrgVariable({ org: O, name, ...body }),
    list: async (api, page = {}) => listed(await api.rest.actions.listOrgVariables({ org: O, ...page })),
    del: (api, name) => api.rest.actions.deleteOrgVariable({ org: O, name }),
  },
];

for (const sc of SCOPES) {
  describe(`${sc.label} variables`, () => {
    test('create 201 {}, again 409, get, PATCH 204, delete 204 then 404', async () => {
      const api = octokit();
      const created = await sc.create(api, 'sf_app_fingerprint', 'a1b2c3d4e5f6');
      assert.equal(created.status, 201);
      assert.deepEqual(created.data, {});
      const dup = await rejection(sc.create(api, 'SF_APP_FINGERPRINT', 'other'));
      assert.deepEqual(dup, { status: 409, message: 'Already exists - Variable already exists' });

      const got = await sc.get(api, 'Sf_App_Fingerprint');
      assert.deepEqual([got.name, got.value], ['SF_APP_FINGERPRINT', 'a1b2c3d4e5f6']);
      assert.match(got.created_at, /Z$/);
      assert.equal(emu.variable({ ...sc.ref, name: 'sf_app_fingerprint' })?.value, 'a1b2c3d4e5f6');

      emu.advanceClock(3000);
      assert.equal((await sc.update(api, 'SF_APP_FINGERPRINT', { value: '0f0f0f0f0f0f' })).status, 204);
      const updated = await sc.get(api, 'SF_APP_FINGERPRINT');
      assert.equal(updated.value, '0f0f0f0f0f0f');
      assert.equal(updated.created_at, got.created_at);
      assert.notEqual(updated.updated_at, got.updated_at);

      assert.equal((await sc.del(api, 'SF_APP_FINGERPRINT')).status, 204);
      assert.equal((await rejection(sc.get(api, 'SF_APP_FP'))).status, 404);
      assert.equal((await rejection(sc.del(api, 'SF_APP_FP'))).status, 404);
      assert.equal((await rejection(sc.update(api, 'SF_APP_FP', { value: 'x' }))).status, 404);
      assert.equal(emu.variable({ ...sc.ref, name: 'SF_APP_FP' }), undefined);
    });

    test('list: values included, at most 30 per page, Link to the next', async () => {
      const api = octokit();
      for (let k = 0; k < 32; k++) await sc.create(api, `V_${String(k).padStart(2, '0')}`, `value ${k}`);
      const first = await sc.list(api, { per_page: 100 });
      assert.equal(first.total_count, 32);
      assert.equal(first.variables.length, 30, 'per_page is capped at 30');
      assert.equal(first.variables[0]?.value, 'value 0');
      assert.match(first.link ?? '', /rel="next"/);
      const second = await sc.list(api, { per_page: 100, page: 2 });
      assert.deepEqual(
        second.variables.map((v) => v.name),
        ['V_30', 'V_31'],
      );
      if (sc.ref.scope === 'organization') assert.equal(first.variables[0]?.visibility, 'private');
      const viaControl = await control<VariableView[]>(emu.baseUrl, 'GET', sc.controlPath);
      assert.equal(viaControl.length, 32);
      assert.equal(emu.variables(sc.ref).length, 32);
    });

    test('naming rules and a missing value are 422; without the permission 403', async () => {
      const api = octokit();
      for (const name of ['1X', 'GITHUB_X', 'A-B']) assert.equal((await rejection(sc.create(api, name, 'v'))).status, 422, name);
      // biome-ignore lint/suspicious/noExplicitAny: a missing value is the point
      const noValue = await rejection(sc.create(api, 'NO_VALUE', undefined as any));
      assert.deepEqual(noValue, { status: 422, message: 'Invalid request.\n\n"value" wasn\'t supplied.' });
      const denied = await rejection(sc.create(octokit(emu.token), 'DENIED', 'v'));
      assert.deepEqual(denied, { status: 403, message: 'Resource not accessible by integration' });
      assert.equal((await rejection(sc.list(octokit(emu.token)))).status, 403);
    });

    test('control: seed a variable and read it through the API', async () => {
      const seeded = await control<VariableView>(emu.baseUrl, 'PUT', `${sc.controlPath}/seeded`, { value: 'from control' });
      assert.equal(seeded.name, 'SEEDED');
      assert.equal((await sc.get(octokit(), 'SEEDED')).value, 'from control');
      emu.setVariable({ ...sc.ref, name: 'SEEDED' }, 'from handle');
      assert.equal((await sc.get(octokit(), 'SEEDED')).value, 'from handle');
    });
  });
}

describe('variables: scopes', () => {
  test('PATCH with a new name renames (409 when that name is taken)', async () => {
    const api = octokit();
    await api.rest.actions.createRepoVariable({ owner: O, repo: R, name: 'OLD_NAME', value: 'kept' });
    await api.rest.actions.createRepoVariable({ owner: O, repo: R, name: 'TAKEN', value: 't' });
    // Octokit's typed method puts `name` in the path, so the rename goes through request().
    const route = 'PATCH /repos/{owner}/{repo}/actions/variables/{current}';
    const taken = await rejection(api.request(route, { owner: O, repo: R, current: 'OLD_NAME', name: 'TAKEN' }));
    assert.equal(taken.status, 409);
    assert.equal((await api.request(route, { owner: O, repo: R, current: 'OLD_NAME', name: 'new_name' })).status, 204);
    assert.equal((await api.rest.actions.getRepoVariable({ owner: O, repo: R, name: 'NEW_NAME' })).data.value, 'kept');
    assert.equal((await rejection(api.rest.actions.getRepoVariable({ owner: O, repo: R, name: 'OLD_NAME' }))).status, 404);
  });

  test('organization variables need visibility on create; unknown environment is 404', async () => {
    const api = octokit();
    // biome-ignore lint/suspicious/noExplicitAny: the missing visibility is the point
    const noVis = await rejection(api.rest.actions.createOrgVariable({ org: O, name: 'NO_VIS', value: 'v' } as any));
    assert.deepEqual(noVis, { status: 422, message: 'Invalid request.\n\n"visibility" wasn\'t supplied.' });
    const missing = await rejection(api.rest.actions.listEnvironmentVariables({ owner: O, repo: R, environment_name: 'staging' }));
    assert.equal(missing.status, 404);
  });
});
