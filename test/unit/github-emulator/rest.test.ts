// The artifacts REST API through the real Octokit of @actions/github, plus wire-level checks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getOctokit } from '@actions/github';
import { type GitHubEmulator, type RunHandle, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { control } from './helpers.ts';

let emu: GitHubEmulator;
let otherRun: RunHandle;
const ids: Record<string, number> = {};

before(async () => {
  emu = await startGitHubEmulator({ owner: 'Acme', repo: 'SF-Backups' });
  for (const name of ['backup-prod', 'backup-uat', 'status-prod'])
    ids[name] = (await emu.seedArtifact({ name, files: { [`${name}/manifest.json`]: `{"name":"${name}"}` } })).id;
  otherRun = await emu.createRun();
  ids['backup-prod-2'] = (await emu.seedArtifact({ runId: otherRun.id, name: 'backup-prod', files: { 'manifest.json': '{}' } })).id;
  ids['raw.csv'] = (await emu.seedArtifact({ runId: otherRun.id, name: 'raw.csv', content: Buffer.from('Id\n001\n'), mimeType: 'text/csv' })).id;
});

after(async () => {
  await emu?.close();
});

const octokit = (token = emu.token) => getOctokit(token, { baseUrl: emu.apiUrl });

async function get(path: string, auth: string | null = `token ${emu.token}`, init: RequestInit = {}) {
  const res = await fetch(`${emu.apiUrl}${path}`, { ...init, headers: auth ? { authorization: auth } : {}, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('artifacts REST API', () => {
  test('Octokit lists a repository’s artifacts, following Link pages', async () => {
    const api = octokit();
    const first = await api.rest.actions.listArtifactsForRepo({ owner: 'Acme', repo: 'SF-Backups', per_page: 2 });
    assert.equal(first.status, 200);
    assert.equal(first.data.total_count, 5);
    assert.equal(first.data.artifacts.length, 2);
    assert.match(String(first.headers.link), /rel="next"/);
    const all = await api.paginate(api.rest.actions.listArtifactsForRepo, { owner: 'Acme', repo: 'SF-Backups', per_page: 2 });
    assert.deepEqual(
      all.map((a) => a.id),
      Object.values(ids).sort((x, y) => y - x),
      'every artifact once, newest first',
    );
    const named = await api.rest.actions.listArtifactsForRepo({ owner: 'acme', repo: 'sf-backups', name: 'backup-prod' });
    assert.deepEqual(
      named.data.artifacts.map((a) => [a.id, a.workflow_run?.id]),
      [
        [ids['backup-prod-2'], otherRun.id],
        [ids['backup-prod'], emu.run.id],
      ],
    );
  });

  test('Octokit lists a run’s artifacts and gets, downloads and deletes one', async () => {
    const api = octokit();
    const run = await api.rest.actions.listWorkflowRunArtifacts({ owner: 'Acme', repo: 'SF-Backups', run_id: otherRun.id });
    assert.deepEqual(run.data.artifacts.map((a) => a.name).sort(), ['backup-prod', 'raw.csv']);

    const one = await api.rest.actions.getArtifact({ owner: 'Acme', repo: 'SF-Backups', artifact_id: ids['raw.csv'] as number });
    assert.equal(one.data.size_in_bytes, 7);
    assert.equal(one.data.expired, false);

    const dl = await api.rest.actions.downloadArtifact({
      owner: 'Acme',
      repo: 'SF-Backups',
      artifact_id: ids['raw.csv'] as number,
      archive_format: 'zip',
      request: { redirect: 'manual' },
    });
    assert.equal(dl.status, 302);
    const blob = await fetch(String(dl.headers.location));
    assert.equal(blob.status, 200);
    assert.equal(blob.headers.get('content-type'), 'text/csv');
    assert.match(blob.headers.get('content-disposition') ?? '', /filename\*=UTF-8''raw\.csv/);
    assert.equal(await blob.text(), 'Id\n001\n');

    const del = await api.rest.actions.deleteArtifact({ owner: 'Acme', repo: 'SF-Backups', artifact_id: ids['raw.csv'] as number });
    assert.equal(del.status, 204);
    await assert.rejects(api.rest.actions.getArtifact({ owner: 'Acme', repo: 'SF-Backups', artifact_id: ids['raw.csv'] as number }), { status: 404 });
    delete ids['raw.csv'];
  });

  test('the artifact object has the documented fields', async () => {
    const res = await get(`/repos/Acme/SF-Backups/actions/artifacts/${ids['backup-uat']}`);
    assert.equal(res.status, 200);
    const a = res.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(a).sort(), [
      'archive_download_url',
      'created_at',
      'digest',
      'expired',
      'expires_at',
      'id',
      'name',
      'node_id',
      'size_in_bytes',
      'updated_at',
      'url',
      'workflow_run',
    ]);
    assert.equal(a.url, `${emu.apiUrl}/repos/Acme/SF-Backups/actions/artifacts/${ids['backup-uat']}`);
    assert.equal(a.archive_download_url, `${a.url}/zip`);
    assert.match(String(a.digest), /^sha256:[0-9a-f]{64}$/);
    assert.match(String(a.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const days = (Date.parse(String(a.expires_at)) - Date.parse(String(a.created_at))) / 86_400_000;
    assert.ok(days > 89.99 && days <= 90, `default retention 90 days, got ${days}`);
    assert.deepEqual(Object.keys(a.workflow_run as object).sort(), ['head_branch', 'head_repository_id', 'head_sha', 'id', 'repository_id']);
    assert.equal(res.headers.get('x-ratelimit-limit'), '5000');
    assert.ok(res.headers.get('x-github-request-id'));
  });

  test('pagination: Link header rels, per_page capped at 100, bad values refused', async () => {
    const p2 = await get('/repos/Acme/SF-Backups/actions/artifacts?per_page=1&page=2');
    const link = p2.headers.get('link') ?? '';
    const rels = Object.fromEntries([...link.matchAll(/<([^>]+)>; rel="(\w+)"/g)].map((m) => [m[2], new URL(m[1] ?? '').searchParams.get('page')]));
    assert.deepEqual(rels, { prev: '1', next: '3', last: '4', first: '1' });
    assert.match(link, /per_page=1/);
    const last = await get('/repos/Acme/SF-Backups/actions/artifacts?per_page=1&page=4');
    assert.doesNotMatch(last.headers.get('link') ?? '', /rel="next"/);
    const big = await get('/repos/Acme/SF-Backups/actions/artifacts?per_page=500');
    assert.equal((big.body?.artifacts as unknown[] | undefined)?.length, 4);
    assert.equal(big.headers.get('link'), null);
    const bad = await get('/repos/Acme/SF-Backups/actions/artifacts?per_page=0');
    assert.equal(bad.status, 422);
  });

  test('auth: token and Bearer schemes in any case; otherwise 401', async () => {
    assert.equal((await get('/repos/Acme/SF-Backups/actions/artifacts', `Bearer ${emu.token}`)).status, 200);
    assert.equal((await get('/repos/Acme/SF-Backups/actions/artifacts', `TOKEN ${emu.token}`)).status, 200);
    const wrong = await get('/repos/Acme/SF-Backups/actions/artifacts', 'token ghs_wrong');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body?.message, 'Bad credentials');
    assert.equal(wrong.body?.documentation_url, 'https://docs.github.com/rest');
    const none = await get('/repos/Acme/SF-Backups/actions/artifacts', null);
    assert.equal(none.status, 401);
    assert.equal(none.body?.message, 'Requires authentication');
    await assert.rejects(
      octokit('ghs_wrong').rest.actions.listArtifactsForRepo({ owner: 'Acme', repo: 'SF-Backups' }),
      (err: { status?: number; message?: string }) => {
        assert.equal(err.status, 401);
        assert.match(String(err.message), /Bad credentials/);
        return true;
      },
    );
  });

  test('permissions: a read-only token lists but may not delete', async () => {
    const reader = emu.createToken({ permissions: { actions: 'read', contents: 'read' } });
    assert.equal((await get('/repos/Acme/SF-Backups/actions/artifacts', `token ${reader}`)).status, 200);
    const del = await get(`/repos/Acme/SF-Backups/actions/artifacts/${ids['status-prod']}`, `token ${reader}`, { method: 'DELETE' });
    assert.equal(del.status, 403);
    assert.equal(del.body?.message, 'Resource not accessible by integration');
  });

  test('404s: unknown repository, artifact, run, archive format or route', async () => {
    assert.equal((await get('/repos/Acme/nope/actions/artifacts')).status, 404);
    assert.equal((await get('/repos/Acme/SF-Backups/actions/artifacts/1')).status, 404);
    assert.equal((await get(`/repos/Acme/SF-Backups/actions/artifacts/${ids['backup-uat']}/tar`)).status, 404);
    assert.equal((await get('/repos/Acme/SF-Backups/actions/runs/123/artifacts')).status, 404);
    const route = await get('/repos/Acme/SF-Backups/nothing-here');
    assert.equal(route.status, 404);
    assert.equal(route.body?.message, 'Not Found');
  });

  test('the zip endpoint redirects to a signed blob URL that downloads the artifact', async () => {
    const res = await get(`/repos/Acme/SF-Backups/actions/artifacts/${ids['backup-uat']}/zip`);
    assert.equal(res.status, 302);
    const location = new URL(res.headers.get('location') ?? '');
    assert.equal(location.origin, new URL(emu.blobUrl).origin);
    assert.equal(location.searchParams.get('sp'), 'r');
    const zip = Buffer.from(await (await fetch(location)).arrayBuffer());
    assert.equal(zip.readUInt32LE(0), 0x04034b50, 'a zip local file header');
  });

  test('faults: status, then recovery; the request log keeps no secret', async () => {
    await control(emu.baseUrl, 'POST', '/faults', { path: '/actions/artifacts$', method: 'GET', status: 502, times: 1 });
    const bad = await get('/repos/Acme/SF-Backups/actions/artifacts');
    assert.equal(bad.status, 502);
    assert.equal(bad.body?.message, 'Server Error');
    assert.equal((await get('/repos/Acme/SF-Backups/actions/artifacts')).status, 200);
    const log = await control<{ headers: Record<string, string>; status?: number }[]>(emu.baseUrl, 'GET', '/requests?surface=rest');
    assert.ok(log.length > 10);
    assert.ok(!JSON.stringify(log).includes(emu.token));
    assert.ok(log.some((e) => e.headers.authorization === 'token <redacted>'));
  });

  test('GET /repos/{owner}/{repo} reports the default branch', async () => {
    const { data } = await octokit().rest.repos.get({ owner: 'acme', repo: 'sf-backups' });
    assert.equal(data.full_name, 'Acme/SF-Backups');
    assert.equal(data.default_branch, 'main');
  });
});
