// The secret writer against the GitHub emulator, through the real Octokit of @actions/github: what
// the emulator decrypts with its private key is what was written (repository, environment,
// organization), a second libsodium (PyNaCl) opens the same boxes, a rotated key pair and a 500 are
// survived, and a missing permission fails at once with the permission to grant and no value in sight.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { SecretTarget } from '../../../src/github/contracts.ts';
import { SecretWriteError } from '../../../src/github/errors.ts';
import { createOctokit } from '../../../src/github/octokit.ts';
import { createSecretWriter, type SecretWriterOptions, sealSecret } from '../../../src/github/secrets.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../../emulators/github/emulator.ts';
import { control } from '../github-emulator/helpers.ts';

const FAST = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5 };
const ENV = 'salesforce/prod';

let gh: GitHubEmulator;
let writerToken: string;

interface SecretView {
  name: string;
  value: string;
  encryptedValue: string;
  keyId: string;
  visibility?: string;
  selectedRepositoryIds?: number[];
}
interface SecretWrite {
  scope: string;
  name: string;
  keyId: string | null;
  status: number;
  outcome: string;
}

const repoTarget = (name: string): SecretTarget => ({ scope: 'repository', owner: gh.owner, repo: gh.repo, name });
const envTarget = (name: string): SecretTarget => ({ scope: 'environment', owner: gh.owner, repo: gh.repo, environment: ENV, name });
const orgTarget = (name: string, extra: Partial<Extract<SecretTarget, { scope: 'organization' }>> = {}): SecretTarget => ({
  scope: 'organization',
  org: gh.owner,
  name,
  ...extra,
});

/** The control path of a target's scope. */
function scopePath(t: SecretTarget): string {
  if (t.scope === 'repository') return `/repos/${t.owner}/${t.repo}/actions`;
  if (t.scope === 'environment') return `/repos/${t.owner}/${t.repo}/environments/${encodeURIComponent(t.environment)}`;
  return `/orgs/${t.org}/actions`;
}

const stored = (t: SecretTarget) => control<SecretView>(gh.baseUrl, 'GET', `${scopePath(t)}/secrets/${t.name}`);
const writes = async (name: string) => (await control<SecretWrite[]>(gh.baseUrl, 'GET', '/secret-writes')).filter((w) => w.name === name.toUpperCase());

/** Requests for one secret as the emulator's request log saw them (a 403 never reaches the secret store). */
const requestsFor = (name: string) =>
  control<{ method: string; path: string; status: number }[]>(gh.baseUrl, 'GET', `/requests?surface=rest&path=${encodeURIComponent(`/secrets/${name}$`)}`);

async function writer(token = writerToken, onRetry?: SecretWriterOptions['onRetry']) {
  return createSecretWriter(await createOctokit(token, gh.apiUrl), { retry: FAST, ...(onRetry ? { onRetry } : {}) });
}

/** Everything an error exposes when logged or serialised: message, remedy, stack, own fields, the cause chain. */
function everythingIn(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = err; e !== undefined && e !== null && !seen.has(e); e = e instanceof Error ? e.cause : undefined) {
    seen.add(e);
    if (e instanceof Error) parts.push(e.message, e.stack ?? '', String(e));
    parts.push(JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    if (typeof e === 'object') for (const [k, v] of Object.entries(e)) parts.push(k, typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
  }
  return parts.join('\n');
}

before(async () => {
  gh = await startGitHubEmulator({ owner: 'acme', repo: 'sf-backups' });
  writerToken = gh.createToken({ permissions: { secrets: 'write', environments: 'write', organization_secrets: 'write' } });
  gh.createEnvironment(ENV);
});

after(async () => {
  await gh?.close();
});

describe('writing secrets', () => {
  test('repository, environment and organization secrets hold exactly the value written', async () => {
    const w = await writer();
    const value = '5Aep861.rotated-token==/+ünïcødé';
    for (const t of [repoTarget('SF_REFRESH_TOKEN_PROD'), envTarget('SF_REFRESH_TOKEN_PROD'), orgTarget('SF_REFRESH_TOKEN_SHARED')]) {
      await w.write(t, value);
      assert.equal((await stored(t)).value, value, t.scope);
      // The second write updates the same secret (204) with the new value.
      await w.write(t, `${value}-2`);
      assert.equal((await stored(t)).value, `${value}-2`, t.scope);
      assert.deepEqual(
        (await writes(t.name)).filter((x) => x.scope.startsWith(t.scope)).map((x) => x.outcome),
        ['created', 'updated'],
        t.scope,
      );
    }
  });

  test('a new organization secret is private unless configured; an existing one keeps its visibility', async () => {
    const w = await writer();
    await w.write(orgTarget('SF_NEW_PRIVATE'), 'a');
    assert.equal((await stored(orgTarget('SF_NEW_PRIVATE'))).visibility, 'private');
    await w.write(orgTarget('SF_NEW_ALL', { visibility: 'all' }), 'b');
    assert.equal((await stored(orgTarget('SF_NEW_ALL'))).visibility, 'all');

    const { id: repoId } = await control<{ id: number }>(gh.baseUrl, 'GET', `/repos/${gh.owner}/${gh.repo}`);
    await control(gh.baseUrl, 'PUT', `/orgs/${gh.owner}/actions/secrets/SF_SELECTED`, {
      value: 'old',
      visibility: 'selected',
      selectedRepositoryIds: [repoId],
    });
    // The config says private, but an admin narrowed it to selected repositories: the write keeps that.
    await w.write(orgTarget('SF_SELECTED', { visibility: 'private' }), 'new');
    const s = await stored(orgTarget('SF_SELECTED'));
    assert.equal(s.value, 'new');
    assert.equal(s.visibility, 'selected');
    assert.deepEqual(s.selectedRepositoryIds, [repoId]);
  });

  test('a second implementation (PyNaCl) opens the sealed box the writer sent', async (t) => {
    if (!existsSync('/usr/bin/python3')) return t.skip('no system python3');
    const target = repoTarget('SF_CROSS_CHECK');
    const value = 'cross-check-value-✓';
    await (await writer()).write(target, value);
    const { encryptedValue } = await stored(target);
    const { privateKey } = await control<{ privateKey: string }>(gh.baseUrl, 'GET', `${scopePath(target)}/secrets/key-pair`);
    const script =
      'import sys,base64\nfrom nacl.public import PrivateKey, SealedBox\n' +
      'sk=PrivateKey(base64.b64decode(sys.argv[1]))\nsys.stdout.write(SealedBox(sk).decrypt(base64.b64decode(sys.argv[2])).decode("utf-8"))';
    let opened: string;
    try {
      opened = execFileSync('/usr/bin/python3', ['-c', script, privateKey, encryptedValue], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      if (/No module named 'nacl'/.test(String((err as { stderr?: unknown }).stderr))) return t.skip('python3-nacl is not installed');
      throw err;
    }
    assert.equal(opened, value);
    // And the box has libsodium's shape: 32-byte ephemeral key + 16-byte MAC + the UTF-8 value.
    assert.equal(Buffer.from(encryptedValue, 'base64').length, Buffer.byteLength(value) + 48);
  });

  test('sealSecret alone produces what GitHub expects: standard base64 of a sealed box', async () => {
    const { publicKey } = await control<{ publicKey: string }>(gh.baseUrl, 'GET', `/repos/${gh.owner}/${gh.repo}/actions/secrets/key-pair`);
    const sealed = await sealSecret('abc', publicKey);
    assert.match(sealed, /^[A-Za-z0-9+/]+=*$/);
    assert.equal(Buffer.from(sealed, 'base64').length, 3 + 48);
  });

  test('a key pair rotated after the key was cached: the stale key_id (422) is refetched once and the write lands', async () => {
    const w = await writer();
    for (const target of [repoTarget('SF_ROTATED'), envTarget('SF_ROTATED'), orgTarget('SF_ROTATED')]) {
      await w.write(target, 'before-rotation');
      const old = (await stored(target)).keyId;
      const fresh = await control<{ keyId: string; retiredKeyIds: string[] }>(gh.baseUrl, 'POST', `${scopePath(target)}/secrets/rotate-key`);
      assert.ok(fresh.retiredKeyIds.includes(old));
      await w.write(target, 'after-rotation');
      const s = await stored(target);
      assert.equal(s.value, 'after-rotation', target.scope);
      assert.equal(s.keyId, fresh.keyId, target.scope);
      const mine = (await writes('SF_ROTATED')).filter((x) => x.scope.startsWith(target.scope));
      assert.deepEqual(
        mine.map((x) => [x.status, x.outcome]),
        [
          [201, 'created'],
          [422, 'stale key_id'],
          [204, 'updated'],
        ],
        target.scope,
      );
    }
  });

  test('a 500 is retried and the write then succeeds', async () => {
    const heard: { attempt: number; status: number | undefined }[] = [];
    const w = await writer(writerToken, (info) => heard.push({ attempt: info.attempt, status: info.status }));
    await control(gh.baseUrl, 'POST', '/secret-failures', { name: 'SF_FLAKY', status: 500, times: 1 });
    await w.write(repoTarget('SF_FLAKY'), 'survives-500');
    assert.equal((await stored(repoTarget('SF_FLAKY'))).value, 'survives-500');
    assert.deepEqual(
      (await writes('SF_FLAKY')).map((x) => x.status),
      [500, 201],
    );
    assert.deepEqual(heard, [{ attempt: 1, status: 500 }]);
  });

  test('a 403 for a secondary rate limit is waited out, not taken for a missing permission', async () => {
    const w = await writer();
    await control(gh.baseUrl, 'POST', '/secret-failures', {
      name: 'SF_THROTTLED',
      status: 403,
      times: 1,
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
    });
    await w.write(repoTarget('SF_THROTTLED'), 'after-the-wait');
    assert.equal((await stored(repoTarget('SF_THROTTLED'))).value, 'after-the-wait');
  });

  test('an outage that outlasts the retries is reported as unavailable (retryable), naming the secret', async () => {
    const w = await writer();
    await control(gh.baseUrl, 'POST', '/secret-failures', { name: 'SF_DOWN', status: 503, times: 0 });
    try {
      await assert.rejects(
        () => w.write(repoTarget('SF_DOWN'), 'never-stored-value'),
        (err: unknown) => {
          assert.ok(err instanceof SecretWriteError);
          assert.equal(err.reason, 'unavailable');
          assert.equal(err.retryable, true);
          assert.equal(err.status, 503);
          assert.match(err.message, /repository secret SF_DOWN of acme\/sf-backups/);
          assert.ok(!everythingIn(err).includes('never-stored-value'));
          return true;
        },
      );
      assert.equal((await writes('SF_DOWN')).length, FAST.retries + 1);
    } finally {
      await control(gh.baseUrl, 'DELETE', '/secret-failures');
    }
  });

  test('a key that is refused even after refetching fails as rejected, without looping', async () => {
    const w = await writer();
    await control(gh.baseUrl, 'POST', '/secret-failures', { name: 'SF_REFUSED', status: 422, times: 0, message: 'Bad encrypted value' });
    try {
      await assert.rejects(
        () => w.write(repoTarget('SF_REFUSED'), 'refused-value'),
        (err: unknown) => err instanceof SecretWriteError && err.reason === 'rejected' && err.status === 422 && !everythingIn(err).includes('refused-value'),
      );
      assert.equal((await writes('SF_REFUSED')).length, 2);
    } finally {
      await control(gh.baseUrl, 'DELETE', '/secret-failures');
    }
  });
});

describe('a token that may not write secrets', () => {
  const VALUE = 'super-secret-refresh-token-5Aep861';

  test('GITHUB_TOKEN-like token: 403 at once, the remedy names the permission, the value appears nowhere', async () => {
    const weak = gh.createToken({ permissions: { contents: 'write', issues: 'write' } });
    const w = await writer(weak);
    const cases: [SecretTarget, RegExp][] = [
      [repoTarget('SF_REFRESH_TOKEN_PROD'), /fine-grained token with Secrets: Read and write on acme\/sf-backups/],
      [envTarget('SF_REFRESH_TOKEN_PROD'), /Environments: Read and write on acme\/sf-backups/],
      [orgTarget('SF_REFRESH_TOKEN_SHARED'), /organization permission Secrets: Read and write/],
    ];
    for (const [target, permission] of cases) {
      const before = (await requestsFor(target.name)).length;
      await assert.rejects(
        () => w.write(target, VALUE),
        (err: unknown) => {
          assert.ok(err instanceof SecretWriteError, String(err));
          assert.equal(err.reason, 'permission_denied');
          assert.equal(err.status, 403);
          assert.equal(err.retryable, false);
          assert.match(err.remedy, permission);
          assert.match(err.remedy, /GITHUB_TOKEN cannot write secrets/);
          assert.match(err.remedy, /create-github-app-token/);
          assert.match(err.message, target.scope === 'organization' ? /organization secret SF_REFRESH_TOKEN_SHARED of acme/ : /SF_REFRESH_TOKEN_PROD/);
          const text = everythingIn(err);
          assert.ok(!text.includes(VALUE), `the value leaked:\n${text}`);
          assert.ok(!text.includes(weak), 'the token leaked');
          return true;
        },
      );
      // Failed at once: one refused request (the PUT, or for an org secret the look-up of its visibility), no retries.
      const mine = (await requestsFor(target.name)).slice(before);
      assert.deepEqual(
        mine.map((r) => r.status),
        [403],
        target.scope,
      );
    }
  });

  test('a bad token is bad_credentials; a bad name is refused before any request', async () => {
    const w = await writer('ghs_not_a_real_token');
    await assert.rejects(
      () => w.write(repoTarget('SF_X'), VALUE),
      (err: unknown) => err instanceof SecretWriteError && err.reason === 'bad_credentials' && err.status === 401 && !everythingIn(err).includes(VALUE),
    );
    const ok = await writer();
    for (const name of ['GITHUB_SECRET', '1ABC', 'has-dash']) {
      await assert.rejects(
        () => ok.write(repoTarget(name), VALUE),
        (err: unknown) => err instanceof SecretWriteError && err.reason === 'bad_name',
      );
    }
    assert.equal((await writes('GITHUB_SECRET')).length, 0);
  });
});
