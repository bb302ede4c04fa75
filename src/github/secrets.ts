// Writes GitHub Actions secrets (repository, environment, organization) the way GitHub requires:
// sealed with libsodium's crypto_box_seal under the scope's public key, sent with that key's id
// (github-api.md §2). A rotated Salesforce refresh token goes through here before anything else
// runs, so failures are classified: a missing permission fails at once with the permission to
// grant; outages are retried briefly; a stale public key is refetched once.
import sodium from 'libsodium-wrappers';
import { describeSecretTarget, type SecretTarget, type SecretWriter } from './contracts.ts';
import { gitHubMessage, SecretWriteError, secretPermissionRemedy } from './errors.ts';
import { httpStatus, type Octokit } from './octokit.ts';
import { DEFAULT_GITHUB_RETRY, type GitHubRetryPolicy, isTransientGitHubError, withGitHubRetry } from './retry.ts';

export interface SecretWriterOptions {
  /** Backoff for 5xx, 429, secondary rate limits and network failures (tests pass a tiny one). */
  retry?: GitHubRetryPolicy;
  /** Hears each failure that will be retried (for a log line); never given the value. */
  onRetry?: (info: { target: SecretTarget; attempt: number; status: number | undefined; message: string }) => void;
}

interface PublicKey {
  keyId: string;
  key: Uint8Array;
}

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Same seal as GitHub's guide: UTF-8 value, crypto_box_seal, standard base64 with padding. */
export async function sealSecret(value: string, publicKeyBase64: string): Promise<string> {
  await sodium.ready;
  const key = sodium.from_base64(publicKeyBase64, sodium.base64_variants.ORIGINAL);
  return sealWith(value, key);
}

function sealWith(value: string, key: Uint8Array): string {
  return sodium.to_base64(sodium.crypto_box_seal(sodium.from_string(value), key), sodium.base64_variants.ORIGINAL);
}

function scopeKey(t: SecretTarget): string {
  if (t.scope === 'repository') return `repo:${t.owner}/${t.repo}`.toLowerCase();
  if (t.scope === 'environment') return `env:${t.owner}/${t.repo}:${t.environment}`.toLowerCase();
  return `org:${t.org}`.toLowerCase();
}

function permanentError(target: SecretTarget, err: unknown): SecretWriteError {
  const status = httpStatus(err);
  const detail = gitHubMessage(err);
  if (status === 401) {
    return new SecretWriteError({
      target,
      reason: 'bad_credentials',
      status,
      detail,
      remedy: `The token given for writing secrets is not valid: it has expired, was revoked or was mistyped. Create a new one and store it again. ${secretPermissionRemedy(target)}`,
    });
  }
  if (status === 403 || status === 404) {
    return new SecretWriteError({ target, reason: 'permission_denied', status, detail, remedy: secretPermissionRemedy(target) });
  }
  return new SecretWriteError({
    target,
    reason: 'rejected',
    status,
    detail,
    remedy: `GitHub refused the request for the ${describeSecretTarget(target)}. Check the secret's name and secrets-scope in the org config against the message above.`,
  });
}

/**
 * A SecretWriter over a real Octokit. Public keys are cached per scope for the writer's life; a
 * 422 (the key was rotated since it was fetched) refetches the key and tries once more.
 */
export function createSecretWriter(octokit: Octokit, options: SecretWriterOptions = {}): SecretWriter {
  const policy = options.retry ?? DEFAULT_GITHUB_RETRY;
  const keys = new Map<string, PublicKey>();

  async function fetchKey(t: SecretTarget): Promise<PublicKey> {
    // Octokit percent-encodes path parameters itself: an environment `eu/prod` goes out as `eu%2Fprod`.
    const res =
      t.scope === 'repository'
        ? await octokit.rest.actions.getRepoPublicKey({ owner: t.owner, repo: t.repo })
        : t.scope === 'environment'
          ? await octokit.rest.actions.getEnvironmentPublicKey({ owner: t.owner, repo: t.repo, environment_name: t.environment })
          : await octokit.rest.actions.getOrgPublicKey({ org: t.org });
    await sodium.ready;
    return { keyId: res.data.key_id, key: sodium.from_base64(res.data.key, sodium.base64_variants.ORIGINAL) };
  }

  async function publicKey(t: SecretTarget, fresh: boolean): Promise<PublicKey> {
    const k = scopeKey(t);
    const cached = fresh ? undefined : keys.get(k);
    if (cached) return cached;
    keys.delete(k);
    const key = await fetchKey(t);
    keys.set(k, key);
    return key;
  }

  /** An existing org secret keeps its visibility; a new one gets the configured one, else `private`. */
  async function orgVisibility(t: Extract<SecretTarget, { scope: 'organization' }>): Promise<{ visibility: 'all' | 'private' | 'selected'; ids?: number[] }> {
    try {
      const res = await octokit.rest.actions.getOrgSecret({ org: t.org, secret_name: t.name });
      return { visibility: res.data.visibility };
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
    const visibility = t.visibility ?? 'private';
    return visibility === 'selected' ? { visibility, ids: t.selectedRepositoryIds ?? [] } : { visibility };
  }

  async function put(t: SecretTarget, value: string, key: PublicKey, org?: { visibility: 'all' | 'private' | 'selected'; ids?: number[] }): Promise<void> {
    const encrypted_value = sealWith(value, key.key);
    if (t.scope === 'repository') {
      await octokit.rest.actions.createOrUpdateRepoSecret({ owner: t.owner, repo: t.repo, secret_name: t.name, encrypted_value, key_id: key.keyId });
    } else if (t.scope === 'environment') {
      await octokit.rest.actions.createOrUpdateEnvironmentSecret({
        owner: t.owner,
        repo: t.repo,
        environment_name: t.environment,
        secret_name: t.name,
        encrypted_value,
        key_id: key.keyId,
      });
    } else {
      await octokit.rest.actions.createOrUpdateOrgSecret({
        org: t.org,
        secret_name: t.name,
        encrypted_value,
        key_id: key.keyId,
        visibility: org?.visibility ?? 'private',
        ...(org?.ids ? { selected_repository_ids: org.ids } : {}),
      });
    }
  }

  async function attemptOnce(t: SecretTarget, value: string, state: { org?: Awaited<ReturnType<typeof orgVisibility>> }): Promise<void> {
    if (t.scope === 'organization' && !state.org) state.org = await orgVisibility(t);
    const key = await publicKey(t, false);
    try {
      await put(t, value, key, state.org);
    } catch (err) {
      if (httpStatus(err) !== 422) throw err;
      // A 422 most often means the key pair was rotated after we cached its public half.
      const fresh = await publicKey(t, true);
      await put(t, value, fresh, state.org);
    }
  }

  return {
    async write(target, value) {
      if (!SECRET_NAME.test(target.name) || /^GITHUB_/i.test(target.name)) {
        throw new SecretWriteError({
          target,
          reason: 'bad_name',
          detail: 'GitHub secret names are letters, digits and _, do not start with a digit and do not start with GITHUB_',
          remedy: 'Rename the secret in the org config (and create it under that name).',
        });
      }
      const state: { org?: Awaited<ReturnType<typeof orgVisibility>> } = {};
      try {
        await withGitHubRetry(
          () => attemptOnce(target, value, state),
          policy,
          (err, attempt) => options.onRetry?.({ target, attempt, status: httpStatus(err), message: gitHubMessage(err) }),
        );
      } catch (err) {
        if (!isTransientGitHubError(err)) throw permanentError(target, err);
        throw new SecretWriteError({
          target,
          reason: 'unavailable',
          status: httpStatus(err),
          detail: `${gitHubMessage(err)} (still failing after ${policy.retries + 1} attempts)`,
          remedy:
            'GitHub did not accept the write for a while (outage, rate limit or network). Run the workflow again later; check https://www.githubstatus.com.',
        });
      }
    },
  };
}
