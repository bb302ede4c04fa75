// The real @actions/artifact client (v6, in a child process) against the emulator and Azurite.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type GitHubEmulator, type RunHandle, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { control, failed, ok, runArtifactClient } from './helpers.ts';

type Uploaded = { id: number; size: number; digest: string };
type Listed = { artifacts: { id: number; name: string; size: number; digest?: string; createdAt?: string }[] };

let emu: GitHubEmulator;
let tmp: string;
let src: string;
const files: Record<string, Buffer> = {};

function env(run: RunHandle): Record<string, string> {
  const workspace = path.join(tmp, `ws-${run.id}`);
  mkdirSync(workspace, { recursive: true });
  return run.env({ workspace, runnerTemp: tmp });
}

function freshDir(name: string): string {
  return mkdtempSync(path.join(tmp, `${name}-`));
}

function findBy(run: RunHandle) {
  return { token: emu.token, workflowRunId: run.id, repositoryOwner: run.owner, repositoryName: run.repo };
}

function assertSameFiles(dir: string): void {
  for (const [rel, bytes] of Object.entries(files)) {
    const got = readFileSync(path.join(dir, rel));
    assert.equal(got.length, bytes.length, rel);
    assert.ok(got.equals(bytes), `${rel} differs`);
  }
}

before(async () => {
  emu = await startGitHubEmulator();
  tmp = mkdtempSync(path.join(tmpdir(), 'gh-artifact-test-'));
  src = path.join(tmp, 'snapshot');
  files['prod/manifest.json'] = Buffer.from(JSON.stringify({ format: 1, org: '00D000000000001' }));
  files['prod/data/Account/part-0001.csv'] = Buffer.from('Id,Name\n001000000000001AAA,"Acme, Inc."\n');
  files['prod/schema/Account.json'] = Buffer.from('{"name":"Account","fields":[]}');
  // Random bytes do not compress: the zip stays above 8 MiB, so the client must send several blocks.
  files['prod/data/ContentVersion/blob.bin'] = randomBytes(9 * 1024 * 1024 + 12345);
  for (const [rel, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    writeFileSync(path.join(src, rel), bytes);
  }
});

after(async () => {
  await emu?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('@actions/artifact against the emulator', () => {
  let uploaded: Uploaded;

  test('uploads a directory in several blocks, then lists, gets and downloads it by id', async () => {
    const fileList = Object.keys(files).map((rel) => path.join(src, rel));
    const up = await runArtifactClient(env(emu.run), [{ op: 'upload', name: 'backup-prod', files: fileList, root: src }]);
    uploaded = ok<Uploaded>(up.results[0]);
    assert.equal(typeof uploaded.id, 'number');
    assert.match(uploaded.digest, /^[0-9a-f]{64}$/);

    const stored = emu.state.artifacts.get(uploaded.id);
    assert.ok(stored?.finalized);
    assert.equal(stored.size, uploaded.size);
    assert.equal(stored.digest, `sha256:${uploaded.digest}`);
    const blocks = await emu.blobs.committedBlocks(stored.blobName);
    assert.ok(blocks.length >= 2, `expected several blocks, got ${blocks.join(', ')}`);
    assert.equal(blocks[0], 8 * 1024 * 1024);
    assert.equal(
      blocks.reduce((s, b) => s + b, 0),
      uploaded.size,
    );
    // The client masks the signature of every signed URL it receives.
    assert.ok(up.stdout.split('\n').filter((l) => l.startsWith('::add-mask::')).length >= 2, 'signed URL signatures are masked');

    const dest = freshDir('download');
    const run = await runArtifactClient(env(emu.run), [
      { op: 'list' },
      { op: 'get', name: 'backup-prod' },
      { op: 'download', id: uploaded.id, path: dest, expectedHash: `sha256:${uploaded.digest}` },
    ]);
    const list = ok<Listed>(run.results[0]);
    assert.deepEqual(
      list.artifacts.map((a) => [a.id, a.name, a.size, a.digest]),
      [[uploaded.id, 'backup-prod', uploaded.size, `sha256:${uploaded.digest}`]],
    );
    const got = ok<{ artifact: Listed['artifacts'][number] }>(run.results[1]).artifact;
    assert.equal(got.id, uploaded.id);
    assert.equal(got.size, uploaded.size);
    const dl = ok<{ downloadPath: string; digestMismatch: boolean }>(run.results[2]);
    assert.equal(dl.downloadPath, dest);
    assert.equal(dl.digestMismatch, false);
    assertSameFiles(dest);

    const twirp = emu.requests().filter((e) => e.surface === 'twirp');
    assert.deepEqual(
      twirp.map((e) => [e.path.split('/').at(-1), e.status]),
      [
        ['CreateArtifact', 200],
        ['FinalizeArtifact', 200],
        ['ListArtifacts', 200],
        ['ListArtifacts', 200],
        ['ListArtifacts', 200],
        ['GetSignedArtifactURL', 200],
      ],
    );
    assert.equal(twirp[0]?.headers.authorization, 'Bearer <redacted>');
    assert.match(twirp[0]?.headers['user-agent'] ?? '', /@actions\/artifact/);
  });

  test('a second upload under the same name fails with the service conflict', async () => {
    const one = path.join(src, 'prod/manifest.json');
    const run = await runArtifactClient(env(emu.run), [{ op: 'upload', name: 'backup-prod', files: [one], root: src }]);
    const err = failed(run.results[0]);
    assert.equal(
      err.message,
      'Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run',
    );
    const last = emu.requests().at(-1);
    assert.equal(last?.status, 409);
  });

  test('another run sees only its own artifacts, and reaches ours through findBy (REST, zip redirect)', async () => {
    const other = await emu.createRun();
    const dest = freshDir('cross-run');
    const run = await runArtifactClient(env(other), [
      { op: 'list' },
      { op: 'download', id: uploaded.id, path: freshDir('internal') },
      { op: 'list', findBy: findBy(emu.run) },
      { op: 'get', name: 'backup-prod', findBy: findBy(emu.run) },
      { op: 'download', id: uploaded.id, path: dest, findBy: findBy(emu.run) },
    ]);
    assert.deepEqual(ok<Listed>(run.results[0]).artifacts, []);
    assert.equal(failed(run.results[1]).name, 'ArtifactNotFoundError');
    const listed = ok<Listed>(run.results[2]).artifacts;
    assert.deepEqual(
      listed.map((a) => [a.id, a.name, a.size]),
      [[uploaded.id, 'backup-prod', uploaded.size]],
    );
    assert.equal(ok<{ artifact: { id: number } }>(run.results[3]).artifact.id, uploaded.id);
    assert.equal(ok<{ digestMismatch: boolean }>(run.results[4]).digestMismatch, false);
    assertSameFiles(dest);

    const zip = emu.requests().find((e) => e.path === `/repos/${emu.owner}/${emu.repo}/actions/artifacts/${uploaded.id}/zip`);
    assert.equal(zip?.status, 302);
    assert.equal(zip?.headers.authorization, 'token <redacted>');
    assert.ok(!JSON.stringify(emu.requests()).includes(emu.token), 'the request log holds no token');
  });

  test('deletes an artifact in-run (Twirp) and from another run (REST)', async () => {
    const one = path.join(src, 'prod/manifest.json');
    const up = await runArtifactClient(env(emu.run), [
      { op: 'upload', name: 'status-prod', files: [one], root: src },
      { op: 'upload', name: 'status-uat', files: [one], root: src },
    ]);
    const prod = ok<Uploaded>(up.results[0]);
    const uat = ok<Uploaded>(up.results[1]);
    const prodBlob = emu.state.artifacts.get(prod.id)?.blobName ?? '';
    assert.equal(await emu.blobs.exists(prodBlob), true);

    const del = await runArtifactClient(env(emu.run), [
      { op: 'delete', name: 'status-prod' },
      { op: 'get', name: 'status-prod' },
    ]);
    assert.deepEqual(ok(del.results[0]), { id: prod.id });
    assert.equal(failed(del.results[1]).name, 'ArtifactNotFoundError');
    assert.equal(await emu.blobs.exists(prodBlob), false);
    const rest = await fetch(`${emu.apiUrl}/repos/${emu.owner}/${emu.repo}/actions/artifacts/${prod.id}`, { headers: { authorization: `token ${emu.token}` } });
    assert.equal(rest.status, 404);

    const other = await emu.createRun();
    const remote = await runArtifactClient(env(other), [{ op: 'delete', name: 'status-uat', findBy: findBy(emu.run) }]);
    assert.deepEqual(ok(remote.results[0]), { id: uat.id });
    const restDelete = emu.requests().find((e) => e.method === 'DELETE' && e.path.endsWith(`/actions/artifacts/${uat.id}`));
    assert.equal(restDelete?.status, 204);
    const names = ok<Listed>((await runArtifactClient(env(emu.run), [{ op: 'list' }])).results[0]).artifacts.map((a) => a.name);
    assert.deepEqual(names, ['backup-prod']);
  });

  test('an artifact past its retention is gone from the run, flagged expired in REST, and its zip answers 410', async () => {
    const run = await emu.createRun();
    const one = path.join(src, 'prod/manifest.json');
    const up = await runArtifactClient(env(run), [{ op: 'upload', name: 'short-lived', files: [one], root: src, options: { retentionDays: 1 } }]);
    const art = ok<Uploaded>(up.results[0]);
    const stored = emu.state.artifacts.get(art.id);
    assert.ok(stored);
    const days = (stored.expiresAt - emu.state.clock.now()) / 86_400_000;
    // The client adds a calendar day in local time: a DST change can make it 23 or 25 hours.
    assert.ok(days > 0.9 && days < 1.1, `retention of about one day, got ${days}`);

    await control(emu.baseUrl, 'POST', '/clock', { advanceDays: 2 });
    const after = await runArtifactClient(env(run), [{ op: 'list' }, { op: 'get', name: 'short-lived' }]);
    assert.deepEqual(ok<Listed>(after.results[0]).artifacts, []);
    assert.equal(failed(after.results[1]).name, 'ArtifactNotFoundError');

    const headers = { authorization: `token ${emu.token}` };
    const item = (await (await fetch(`${emu.apiUrl}/repos/${emu.owner}/${emu.repo}/actions/artifacts/${art.id}`, { headers })).json()) as { expired: boolean };
    assert.equal(item.expired, true);
    const zip = await fetch(`${emu.apiUrl}/repos/${emu.owner}/${emu.repo}/actions/artifacts/${art.id}/zip`, { headers, redirect: 'manual' });
    assert.equal(zip.status, 410);
    assert.equal(((await zip.json()) as { message: string }).message, 'Artifact has expired');
    assert.equal(await emu.blobs.exists(stored.blobName), false);
  });
});
