// Wire-level checks of the results service: the Twirp JSON shapes, its errors, run scoping, and
// FinalizeArtifact's check of the committed blob against what the client reports.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BlockBlobClient } from '@azure/storage-blob';
import { type GitHubEmulator, type RunHandle, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { control } from './helpers.ts';

let emu: GitHubEmulator;

before(async () => {
  emu = await startGitHubEmulator();
});

after(async () => {
  await emu?.close();
});

type Json = Record<string, unknown>;

async function rpc(method: string, body: unknown, opts: { token?: string | null; contentType?: string; httpMethod?: string; raw?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  const token = opts.token === undefined ? emu.runtimeToken : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${emu.baseUrl}/twirp/github.actions.results.api.v1.ArtifactService/${method}`, {
    method: opts.httpMethod ?? 'POST',
    headers,
    ...(opts.httpMethod === 'GET' ? {} : { body: opts.raw ?? JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), body: JSON.parse(text) as Json };
}

function ids(run: RunHandle = emu.run) {
  return { workflow_run_backend_id: run.backendId, workflow_job_run_backend_id: run.jobBackendId };
}

async function createAndUpload(name: string, data: Buffer): Promise<void> {
  const created = await rpc('CreateArtifact', { ...ids(), name, version: 7, mime_type: 'application/zip' });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  await new BlockBlobClient(String(created.body.signed_upload_url)).uploadData(data, {
    blockSize: 4 * 1024 * 1024,
    blobHTTPHeaders: { blobContentType: 'application/zip' },
  });
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('ArtifactService over Twirp JSON', () => {
  test('create, upload, finalize and list use snake_case, int64 strings and RFC 3339 times', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    const created = await rpc('CreateArtifact', {
      ...ids(),
      name: 'wire',
      version: 7,
      mime_type: 'application/zip',
      expires_at: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    assert.equal(created.status, 200);
    assert.match(created.contentType ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(created.body).sort(), ['ok', 'signed_upload_url']);
    assert.equal(created.body.ok, true);
    const url = new URL(String(created.body.signed_upload_url));
    assert.equal(url.origin, new URL(emu.blobUrl).origin);
    assert.ok(url.pathname.endsWith('/wire.zip'));
    assert.equal(url.searchParams.get('sp'), 'cw');
    assert.ok(url.searchParams.get('sig'));
    await new BlockBlobClient(url.toString()).uploadData(data, { blockSize: 4 * 1024 * 1024 });

    const fin = await rpc('FinalizeArtifact', { ...ids(), name: 'wire', size: String(data.length), hash: sha(data) });
    assert.equal(fin.status, 200);
    assert.equal(fin.body.ok, true);
    assert.match(String(fin.body.artifact_id), /^\d+$/);
    assert.equal(typeof fin.body.artifact_id, 'string');

    const list = await rpc('ListArtifacts', { ...ids(), id_filter: fin.body.artifact_id });
    const items = list.body.artifacts as Json[];
    assert.equal(items.length, 1);
    const item = items[0] as Json;
    assert.deepEqual(Object.keys(item).sort(), [
      'created_at',
      'database_id',
      'digest',
      'name',
      'size',
      'workflow_job_run_backend_id',
      'workflow_run_backend_id',
    ]);
    assert.equal(item.database_id, fin.body.artifact_id);
    assert.equal(item.size, String(data.length));
    assert.equal(item.digest, sha(data));
    assert.match(String(item.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const byName = await rpc('ListArtifacts', { ...ids(), name_filter: 'wire' });
    assert.equal((byName.body.artifacts as Json[]).length, 1);
    const none = await rpc('ListArtifacts', { ...ids(), name_filter: 'nope' });
    assert.deepEqual(none.body, {}, 'an empty list is a default value and is omitted');

    const signed = await rpc('GetSignedArtifactURL', { ...ids(), name: 'wire' });
    const dl = await fetch(String(signed.body.signed_url));
    assert.equal(dl.status, 200);
    assert.ok(Buffer.from(await dl.arrayBuffer()).equals(data));

    // REST sees the retention the client asked for (three days), on the emulator clock.
    const rest = (await (
      await fetch(`${emu.apiUrl}/repos/${emu.owner}/${emu.repo}/actions/artifacts/${fin.body.artifact_id}`, {
        headers: { authorization: `token ${emu.token}` },
      })
    ).json()) as Json;
    const days = (Date.parse(String(rest.expires_at)) - emu.state.clock.now()) / 86_400_000;
    assert.ok(days > 2.9 && days <= 3, `expires in ~3 days, got ${days}`);
  });

  test('camelCase request fields are accepted too', async () => {
    const res = await rpc('ListArtifacts', { workflowRunBackendId: emu.run.backendId, workflowJobRunBackendId: emu.run.jobBackendId, nameFilter: 'wire' });
    assert.equal(res.status, 200);
    assert.equal((res.body.artifacts as Json[]).length, 1);
  });

  test('FinalizeArtifact checks the committed blob against the reported size and hash', async () => {
    const data = randomBytes(300_000);
    await createAndUpload('checked', data);
    const badHash = await rpc('FinalizeArtifact', { ...ids(), name: 'checked', size: String(data.length), hash: sha(Buffer.from('other')) });
    assert.equal(badHash.status, 400);
    assert.equal(badHash.body.code, 'invalid_argument');
    assert.match(String(badHash.body.msg), /hash mismatch/);
    const badSize = await rpc('FinalizeArtifact', { ...ids(), name: 'checked', size: String(data.length + 1), hash: sha(data) });
    assert.equal(badSize.status, 400);
    assert.match(String(badSize.body.msg), /size mismatch/);
    const good = await rpc('FinalizeArtifact', { ...ids(), name: 'checked', size: String(data.length), hash: sha(data) });
    assert.equal(good.status, 200);

    const created = await rpc('CreateArtifact', { ...ids(), name: 'never-uploaded', version: 7 });
    assert.equal(created.status, 200);
    const empty = await rpc('FinalizeArtifact', { ...ids(), name: 'never-uploaded', size: '10' });
    assert.equal(empty.status, 412);
    assert.equal(empty.body.code, 'failed_precondition');
    const unknown = await rpc('FinalizeArtifact', { ...ids(), name: 'not-created', size: '10' });
    assert.deepEqual([unknown.status, unknown.body.code], [404, 'not_found']);
  });

  test('duplicate finalized names conflict; an unfinalized upload is replaced', async () => {
    const dup = await rpc('CreateArtifact', { ...ids(), name: 'checked', version: 7 });
    assert.equal(dup.status, 409);
    assert.deepEqual(dup.body, { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' });
    const again = await rpc('CreateArtifact', { ...ids(), name: 'never-uploaded', version: 7 });
    assert.equal(again.status, 200);
    assert.equal([...emu.state.artifacts.values()].filter((a) => a.name === 'never-uploaded').length, 1);
  });

  test('a run sees only its own artifacts and may not name another run', async () => {
    const other = await emu.createRun();
    const mine = await rpc('ListArtifacts', ids(other), { token: other.runtimeToken });
    assert.deepEqual(mine.body, {});
    const foreign = await rpc('ListArtifacts', ids(emu.run), { token: other.runtimeToken });
    assert.deepEqual([foreign.status, foreign.body.code], [403, 'permission_denied']);
    const signed = await rpc('GetSignedArtifactURL', { ...ids(other), name: 'wire' }, { token: other.runtimeToken });
    assert.deepEqual([signed.status, signed.body.code], [404, 'not_found']);
    // Same name in another run is fine: names are unique per run only.
    await rpc('CreateArtifact', { ...ids(other), name: 'wire', version: 7 }, { token: other.runtimeToken }).then((r) => assert.equal(r.status, 200));
  });

  test('DeleteArtifact removes the artifact and its blob', async () => {
    const blobName = [...emu.state.artifacts.values()].find((a) => a.name === 'checked')?.blobName ?? '';
    const del = await rpc('DeleteArtifact', { ...ids(), name: 'checked' });
    assert.equal(del.status, 200);
    assert.equal(del.body.ok, true);
    assert.match(String(del.body.artifact_id), /^\d+$/);
    assert.equal(await emu.blobs.exists(blobName), false);
    const gone = await rpc('DeleteArtifact', { ...ids(), name: 'checked' });
    assert.deepEqual([gone.status, gone.body.code], [404, 'not_found']);
  });

  test('errors are Twirp JSON: auth, routing, content type, malformed bodies, bad names', async () => {
    const noAuth = await rpc('ListArtifacts', ids(), { token: null });
    assert.deepEqual([noAuth.status, noAuth.body.code], [401, 'unauthenticated']);
    const [h, , s] = emu.runtimeToken.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ scp: `Actions.Results:${emu.run.backendId}:${emu.run.jobBackendId}` })).toString('base64url')}.${s}`;
    const forgedRes = await rpc('ListArtifacts', ids(), { token: forged });
    assert.deepEqual([forgedRes.status, forgedRes.body.code], [401, 'unauthenticated']);
    const noScope = await rpc('ListArtifacts', ids(), { token: 'a.b.c' });
    assert.equal(noScope.status, 401);

    const unknown = await rpc('UploadArtifact', ids());
    assert.deepEqual([unknown.status, unknown.body.code], [404, 'bad_route']);
    const get = await rpc('ListArtifacts', undefined, { httpMethod: 'GET' });
    assert.deepEqual([get.status, get.body.code], [404, 'bad_route']);
    const proto = await rpc('ListArtifacts', ids(), { contentType: 'application/protobuf' });
    assert.deepEqual([proto.status, proto.body.code], [404, 'bad_route']);
    const malformed = await rpc('ListArtifacts', undefined, { raw: '{"workflow_run_backend_id":' });
    assert.deepEqual([malformed.status, malformed.body.code], [400, 'malformed']);
    const badName = await rpc('CreateArtifact', { ...ids(), name: 'a/b', version: 7 });
    assert.deepEqual([badName.status, badName.body.code], [400, 'invalid_argument']);
    const missing = await rpc('ListArtifacts', { workflow_run_backend_id: emu.run.backendId });
    assert.deepEqual([missing.status, missing.body.code], [400, 'invalid_argument']);
  });

  test('a tampered upload signature is refused by Azurite itself', async () => {
    const created = await rpc('CreateArtifact', { ...ids(), name: 'tampered', version: 7 });
    const url = new URL(String(created.body.signed_upload_url));
    url.searchParams.set('sig', Buffer.from(randomBytes(32)).toString('base64'));
    const res = await fetch(`${url.toString()}&comp=block&blockid=${encodeURIComponent(Buffer.from('b0').toString('base64'))}`, {
      method: 'PUT',
      body: Buffer.from('x'),
      headers: { 'x-ms-version': '2025-01-05' },
    });
    assert.equal(res.status, 403);
    // Azurite's code for a bad SAS signature (Azure's own says AuthenticationFailed).
    assert.match(await res.text(), /<Code>(AuthorizationFailure|AuthenticationFailed)<\/Code>/);
    // The untampered upload URL may write but not read.
    const read = await fetch(String(created.body.signed_upload_url));
    assert.equal(read.status, 403);
  });

  test('injected faults answer in Twirp form, then stop', async () => {
    await control(emu.baseUrl, 'POST', '/faults', { path: '/ListArtifacts$', status: 503, times: 1 });
    const faulted = await rpc('ListArtifacts', ids());
    assert.deepEqual([faulted.status, faulted.body.code], [503, 'unavailable']);
    const next = await rpc('ListArtifacts', ids());
    assert.equal(next.status, 200);
    await control(emu.baseUrl, 'POST', '/faults', { path: '/CreateArtifact$', kind: 'drop' });
    await assert.rejects(rpc('CreateArtifact', { ...ids(), name: 'dropped', version: 7 }));
    await control(emu.baseUrl, 'DELETE', '/faults');
    const log = emu.requests().filter((e) => e.path.endsWith('/ListArtifacts'));
    assert.ok(log.some((e) => e.fault !== undefined && e.status === 503));
  });

  test('hand-made unsigned runtime tokens work only when the emulator allows them', async () => {
    const lax = await startGitHubEmulator({ acceptUnsignedRuntimeTokens: true });
    try {
      const payload = Buffer.from(JSON.stringify({ scp: 'Actions.Results:run-1:job-1' })).toString('base64url');
      const token = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.x`;
      const res = await fetch(`${lax.baseUrl}/twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ workflow_run_backend_id: 'run-1', workflow_job_run_backend_id: 'job-1' }),
      });
      assert.equal(res.status, 200);
    } finally {
      await lax.close();
    }
  });
});
